/**
 * The embedded SQLite store: the store contract on a file and in memory, then what only SQLite has
 * (the file, its settings, migrations on reopen, atomicity when a write fails or the process dies).
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { ROOT } from '../../src/paths.js';
import { openStore, SQLITE_FILE_NAME } from '../../src/store/index.js';
import { SQLITE_MIGRATIONS } from '../../src/store/migrations.js';
import { isValidRmaNumber, newRmaNumber } from '../../src/store/rma-id.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { openSqlite, usableSqliteBindings, type SqliteBindingName, type SqliteDatabase } from '../../src/store/sqlite-binding.js';
import { type Store, type TurnCommit } from '../../src/store/store.js';
import { newHandoff, rmaRequest, rowBytes, storeContract } from './contract.js';

const tempDirs = new Map<Store, string>();

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'returnsbot-store-'));
}

/** A raw connection to a store's file (the default binding of this Node, or `binding`). */
function rawDb(file: string, options: { readonly?: boolean } = {}, binding?: SqliteBindingName): SqliteDatabase {
  return openSqlite(file, { ...options, binding }).db;
}

// The contract, on every binding that runs on this Node (better-sqlite3 and libsql on Node ≥ 22).
for (const binding of usableSqliteBindings()) {
  storeContract(
    `sqlite (file, ${binding})`,
    async () => {
      const dir = tempDir();
      const store = await openStore({ dataDir: dir, sqliteBinding: binding });
      tempDirs.set(store, dir);
      return store;
    },
    async (store) => {
      const dir = tempDirs.get(store);
      tempDirs.delete(store);
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
    {
      // A second, read-only connection to the file (WAL: it sees every committed turn).
      async stateBytes(store, conversationId) {
        const db = rawDb((store as SqliteStore).file, { readonly: true }, binding);
        try {
          return rowBytes([
            ...db.prepare('SELECT * FROM conversations WHERE id = ?').all(conversationId),
            ...db.prepare('SELECT * FROM processed_activities WHERE conversation_id = ?').all(conversationId),
          ]);
        } finally {
          db.close();
        }
      },
    },
    // Another connection to the same file.
    (store) => openStore({ file: (store as SqliteStore).file, sqliteBinding: binding }),
  );

  // (No state inspector nor second instance: nothing else can open a private in-memory database; the file variant covers them.)
  storeContract(`sqlite (:memory:, ${binding})`, () => openStore({ file: ':memory:', sqliteBinding: binding }));
}

/**
 * Run `body` in `processes` child processes at the same moment, each with its own store (`store`)
 * on `file`; each writes its result as JSON on stdout.
 */
async function race<T>(file: string, body: string, processes = 4): Promise<T[]> {
  const script = `
    const { SqliteStore } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'src', 'store', 'sqlite.ts')).href)});
    const store = new SqliteStore({ file: process.env.DB_FILE });
    while (Date.now() < Number(process.env.START)) {}
    ${body}
    await store.close();
  `;
  const env = { ...process.env, DB_FILE: file, START: String(Date.now() + 4000) };
  return Promise.all(
    Array.from({ length: processes }, async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code, err).to.equal(0);
      return JSON.parse(out) as T;
    }),
  );
}

describe('SqliteStore', function () {
  let dir: string;

  beforeEach(function () {
    dir = tempDir();
  });

  afterEach(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  async function open(file = join(dir, SQLITE_FILE_NAME), options: Partial<ConstructorParameters<typeof SqliteStore>[0]> = {}): Promise<SqliteStore> {
    const store = new SqliteStore({ file, ...options });
    await store.migrate();
    return store;
  }

  /** A database made by the first `applied` migrations, with a turn in it, opened by this code. */
  async function upgradeFrom(applied: number, added: string, check: (store: SqliteStore) => Promise<void>): Promise<void> {
    const file = join(dir, SQLITE_FILE_NAME);
    const old = await open(file, { migrations: SQLITE_MIGRATIONS.slice(0, applied) });
    await old.commitTurn(turn('c1', null, 'hello', 'a1'));
    await old.close();
    const store = await open(file);
    try {
      expect((await store.appliedMigrations()).map((m) => m.id)).to.deep.equal(SQLITE_MIGRATIONS.map((m) => m.id));
      expect(SQLITE_MIGRATIONS.map((m) => m.id)).to.include(added);
      expect(await store.findProcessedActivity('c1', 'a1')).to.deep.equal([{ type: 'message', text: 'hello' }]);
      await check(store);
    } finally {
      await store.close();
    }
  }

  // The turn logs one activity, the bot's reply.
  const turn = (id: string, expectedVersion: number | null, text: string, activityId: string | null = null): TurnCommit => ({
    conversationId: id,
    expectedVersion,
    snapshot: { text },
    machineVersion: 1,
    locale: 'en-GB',
    activityId,
    replyCount: 1,
    log: [{ type: 'message', text }],
    audit: [{ at: '2027-01-04T10:00:00.000Z', actor: 'bot', action: 'turn', data: { text } }],
    at: '2027-01-04T10:00:00.000Z',
  });

  it('creates the data folder and returns.db inside it', async function () {
    const dataDir = join(dir, 'nested', 'data');
    const store = await openStore({ dataDir });
    try {
      expect(existsSync(join(dataDir, 'returns.db'))).to.equal(true);
      expect(await store.ping()).to.equal(true);
      expect(store.engine).to.equal('sqlite');
    } finally {
      await store.close();
    }
  });

  it('runs in WAL mode with foreign keys on, a busy timeout, synchronous NORMAL for turns and FULL for RMAs', async function () {
    const store = await open();
    try {
      expect(store.settings()).to.deep.equal({ journalMode: 'wal', foreignKeys: true, busyTimeoutMs: 5000, synchronous: 1, rmaSynchronous: 2 });
    } finally {
      await store.close();
    }
  });

  it("commits turns with synchronous NORMAL and issueRma's transaction with FULL, restoring NORMAL after it even when it fails", async function () {
    // Observed from inside each transaction, on the store's own connection: the turn's audit data is
    // serialised inside its transaction, and the RMA number is drawn inside issueRma's.
    const seen: { where: string; synchronous: number }[] = [];
    let failNext = false;
    const store: SqliteStore = await open(undefined, {
      newRmaNumber: () => {
        seen.push({ where: 'issueRma', synchronous: store.settings().synchronous });
        if (failNext) throw new Error('no number today');
        return newRmaNumber();
      },
    });
    const observe = (where: string) => ({
      toJSON: () => {
        seen.push({ where, synchronous: store.settings().synchronous });
        return {};
      },
    });
    try {
      await store.commitTurn({ ...turn('c1', null, 'one', 'a1'), audit: [{ at: '2027-01-04T10:00:00.000Z', actor: 'bot', action: 'turn', data: observe('turn 1') }] });
      expect(store.settings().synchronous).to.equal(1);
      const { created } = await store.issueRma(rmaRequest());
      expect(created).to.equal(true);
      expect(store.settings().synchronous).to.equal(1);
      failNext = true;
      const error = (await store.issueRma(rmaRequest({ sku: 'NB-15' })).catch((e: unknown) => e)) as Error;
      expect(error.message).to.equal('no number today');
      expect(store.settings().synchronous).to.equal(1);
      await store.commitTurn({ ...turn('c1', 1, 'two', 'a2'), audit: [{ at: '2027-01-04T10:00:00.000Z', actor: 'bot', action: 'turn', data: observe('turn 2') }] });
      expect(seen).to.deep.equal([
        { where: 'turn 1', synchronous: 1 },
        { where: 'issueRma', synchronous: 2 },
        { where: 'issueRma', synchronous: 2 },
        { where: 'turn 2', synchronous: 1 },
      ]);
      // the failed RMA wrote nothing; the turns and the first RMA are there
      expect(await store.findRma('UK-100234', 'NB-15', 'change-of-mind')).to.equal(null);
      expect((await store.loadConversation('c1'))?.version).to.equal(2);
    } finally {
      await store.close();
    }
  });

  it('stamps what it records itself (migrations, secrets, imports) with the clock it is given', async function () {
    const at = new Date('2027-02-03T04:05:06.000Z');
    const store = await open(undefined, { clock: () => at });
    try {
      expect((await store.appliedMigrations()).map((m) => m.appliedAt)).to.deep.equal(SQLITE_MIGRATIONS.map(() => at.toISOString()));
      await store.secret('k', () => 'v');
      const raw = rawDb(store.file, { readonly: true });
      try {
        expect(raw.prepare('SELECT created_at FROM secrets').all()).to.deep.equal([{ created_at: at.toISOString() }]);
      } finally {
        raw.close();
      }
    } finally {
      await store.close();
    }
  });

  it('has uniquely named migrations in order', function () {
    const ids = SQLITE_MIGRATIONS.map((m) => m.id);
    expect(new Set(ids).size).to.equal(ids.length);
    expect([...ids].sort()).to.deep.equal(ids);
  });

  it('keeps the data when reopened, without running the migrations again', async function () {
    const first = await open();
    const applied = await first.appliedMigrations();
    expect(applied.map((m) => m.id)).to.deep.equal(SQLITE_MIGRATIONS.map((m) => m.id));
    await first.commitTurn(turn('c1', null, 'hello', 'a1'));
    const { record } = await first.issueRma(rmaRequest());
    await first.close();

    // The migrations create their tables without IF NOT EXISTS: running one again would throw.
    const second = await open();
    try {
      expect(await second.appliedMigrations()).to.deep.equal(applied);
      expect((await second.loadConversation('c1'))?.version).to.equal(1);
      expect(await second.findProcessedActivity('c1', 'a1')).to.deep.equal([{ type: 'message', text: 'hello' }]);
      expect(await second.readLog('c1')).to.have.length(1);
      expect(await second.getRma(record.rma)).to.deep.equal(record);
      expect((await second.issueRma(rmaRequest())).created).to.equal(false);
    } finally {
      await second.close();
    }
  });

  it('upgrades a 0001 database: dedupe entries become log references, the old ones are dropped, the rest is kept', async function () {
    const file = join(dir, SQLITE_FILE_NAME);
    const old = await open(file, { migrations: SQLITE_MIGRATIONS.slice(0, 1) });
    await old.close();
    const raw = rawDb(file);
    try {
      raw.prepare("INSERT INTO conversations VALUES ('c1', 1, 1, '{\"text\":\"one\"}', 'en-GB', 'x', 'x')").run();
      raw.prepare("INSERT INTO conversation_log VALUES ('c1', 1, 'x', '{\"text\":\"hi\"}')").run();
      raw.prepare("INSERT INTO processed_activities VALUES ('c1', 'a1', '[{\"text\":\"hi\"}]', 'x')").run();
    } finally {
      raw.close();
    }
    const store = await open(file);
    try {
      expect((await store.appliedMigrations()).map((m) => m.id)).to.deep.equal(SQLITE_MIGRATIONS.map((m) => m.id));
      expect(SQLITE_MIGRATIONS.map((m) => m.id)).to.include('0002-dedupe-by-log-reference');
      expect(await store.loadConversation('c1')).to.deep.include({ version: 1, snapshot: { text: 'one' } });
      expect(await store.readLog('c1')).to.have.length(1);
      // the old entry served retries of activities answered before the upgrade only
      expect(await store.findProcessedActivity('c1', 'a1')).to.equal(null);
      await store.commitTurn(turn('c1', 1, 'two', 'a2'));
      expect(await store.findProcessedActivity('c1', 'a2')).to.deep.equal([{ type: 'message', text: 'two' }]);
    } finally {
      await store.close();
    }
  });

  it('applies each migration in one transaction: a failing one leaves nothing behind', async function () {
    const file = join(dir, SQLITE_FILE_NAME);
    const broken = new SqliteStore({
      file,
      migrations: [...SQLITE_MIGRATIONS, { id: '9999-broken', sql: 'CREATE TABLE half_done (x INTEGER); SELECT * FROM no_such_table;' }],
    });
    let failed = false;
    try {
      await broken.migrate();
    } catch {
      failed = true;
    } finally {
      await broken.close();
    }
    expect(failed).to.equal(true);
    const db = rawDb(file, { readonly: true });
    try {
      const tables = db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
      expect(tables).to.include('rmas').and.not.include('half_done');
      expect(db.prepare<[], string>('SELECT id FROM schema_migrations').pluck().all()).to.not.include('9999-broken');
    } finally {
      db.close();
    }
  });

  describe('secrets and attachments', function () {
    it('returns the value another connection stored between its read and its insert', async function () {
      const a = await open();
      const b = await open();
      try {
        const other = rawDb(a.file);
        const value = await a.secret('k', () => {
          // Another connection stores the name inside a's window between its read and its insert.
          other.prepare("INSERT INTO secrets (name, value, created_at) VALUES ('k', 'from b', 'x')").run();
          return 'from a';
        });
        other.close();
        expect(value).to.equal('from b');
        expect(await b.secret('k', () => 'from b again')).to.equal('from b');
        expect(await a.secret('k', () => 'later')).to.equal('from b');
        const raw = rawDb(a.file, { readonly: true });
        try {
          expect(raw.prepare('SELECT name, value FROM secrets').all()).to.deep.equal([{ name: 'k', value: 'from b' }]);
        } finally {
          raw.close();
        }
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('gives processes racing on one file one value', async function () {
      this.timeout(60_000);
      const file = join(dir, SQLITE_FILE_NAME);
      await (await open(file)).close();
      // Each child waits for the same moment, then asks for the secret.
      const results = await race<{ value: string; created: boolean }>(
        file,
        `
        let created = false;
        const value = await store.secret('k', () => { created = true; return 'from ' + process.pid; });
        process.stdout.write(JSON.stringify({ value, created }));
      `,
      );
      const values = new Set(results.map((r) => r.value));
      expect(values.size, JSON.stringify(results)).to.equal(1);
      const store = await open(file);
      try {
        expect(await store.secret('k', () => 'parent')).to.equal([...values][0]);
      } finally {
        await store.close();
      }
    });

    it('keeps attachment bytes as a BLOB whose length is the stored size', async function () {
      const store = await open();
      const raw = rawDb(store.file);
      try {
        await store.saveAttachment({ id: 'a1', conversationId: 'c1', name: 'a.jpg', contentType: 'image/jpeg', bytes: Buffer.from([0, 1, 2]), at: 'x', uploadedBy: 'customer' });
        expect(raw.prepare('SELECT typeof(bytes) AS type, size FROM attachments').get()).to.deep.equal({ type: 'blob', size: 3 });
        expect(() => raw.prepare('UPDATE attachments SET size = 4').run()).to.throw(/CHECK constraint/);
      } finally {
        raw.close();
        await store.close();
      }
    });

    it('upgrades a 0002 database: the new tables are added and the rest is kept', async function () {
      await upgradeFrom(2, '0003-attachments-and-secrets', async (store) => {
        await store.saveAttachment({ id: 'a1', conversationId: 'c1', name: 'a.jpg', contentType: 'image/jpeg', bytes: Buffer.from([1]), at: 'x', uploadedBy: 'customer' });
        expect(await store.listAttachments('c1')).to.have.length(1);
        expect(await store.secret('k', () => 'v')).to.equal('v');
      });
    });
  });

  describe('hand-over queue and staff', function () {
    it('gives a hand-over to exactly one of the processes racing for it on one file', async function () {
      this.timeout(60_000);
      const file = join(dir, SQLITE_FILE_NAME);
      const setup = await open(file);
      await setup.openHandoff(newHandoff('c1'));
      await setup.close();
      // Each child waits for the same moment, then takes it as its own agent.
      const results = await race<{ agent: string; result: { ok: boolean; reason?: string; holder?: string } }>(
        file,
        `
        const result = await store.takeHandoff('c1', 'agent-' + process.pid, '2027-01-04T10:00:00.000Z');
        process.stdout.write(JSON.stringify({ agent: 'agent-' + process.pid, result }));
      `,
      );
      const winners = results.filter((r) => r.result.ok);
      expect(winners, JSON.stringify(results)).to.have.length(1);
      const winner = winners[0]!.agent;
      for (const r of results) if (!r.result.ok) expect(r.result).to.deep.equal({ ok: false, reason: 'held', holder: winner });
      const store = await open(file);
      try {
        expect(await store.getHandoff('c1')).to.deep.include({ status: 'active', agent: winner, version: 2 });
      } finally {
        await store.close();
      }
    });

    it('keeps the queue, accounts and staff references when reopened', async function () {
      const file = join(dir, SQLITE_FILE_NAME);
      const first = await open(file);
      await first.openHandoff(newHandoff('c1', { at: '2027-01-04T10:00:00.000Z' }));
      await first.openHandoff(newHandoff('c2', { at: '2027-01-04T10:05:00.000Z' }));
      await first.takeHandoff('c1', 'alex', '2027-01-04T10:06:00.000Z');
      await first.addAgent({ name: 'alex', displayName: 'Alex', keyHash: 'h', at: 'x' });
      await first.saveStaffReference('29:amy', { conversation: { id: 'a:1' } }, 'x');
      const before = await first.listHandoffs();
      await first.close();
      const second = await open(file);
      try {
        expect(await second.listHandoffs()).to.deep.equal(before);
        expect(await second.queuePosition('c2')).to.equal(1);
        expect(await second.takeHandoff('c1', 'sam', 'x')).to.deep.equal({ ok: false, reason: 'held', holder: 'alex' });
        expect(await second.agentByKeyHash('h')).to.deep.include({ name: 'alex' });
        expect(await second.staffReferences()).to.have.length(1);
      } finally {
        await second.close();
      }
    });

    it('upgrades a 0003 database: the new tables are added and the rest is kept', async function () {
      await upgradeFrom(3, '0004-handoffs-and-staff', async (store) => {
        expect((await store.openHandoff(newHandoff('c1'))).created).to.equal(true);
      });
    });

    it('keeps the table constraints: an active hand-over has an agent; a name is unique among active agents only', async function () {
      const store = await open();
      const raw = rawDb(store.file);
      try {
        await store.openHandoff(newHandoff('c1'));
        expect(() => raw.prepare("UPDATE handoffs SET status = 'active'").run()).to.throw(/CHECK constraint/);
        expect(() => raw.prepare("UPDATE handoffs SET summary = '[]'").run()).to.throw(/CHECK constraint/);
        await store.addAgent({ name: 'alex', displayName: 'Alex', keyHash: 'h1', at: 'x' });
        expect(() => raw.prepare("INSERT INTO agents (name, display_name, key_hash, created_at) VALUES ('alex', 'A', 'h2', 'x')").run()).to.throw(/UNIQUE constraint/);
        await store.removeAgent('alex', 'y');
        await store.addAgent({ name: 'alex', displayName: 'Alex', keyHash: 'h2', at: 'x' });
        expect(raw.prepare('SELECT count(*) AS n FROM agents').get()).to.deep.equal({ n: 2 });
      } finally {
        raw.close();
        await store.close();
      }
    });
  });

  describe('atomicity', function () {
    let store: SqliteStore;
    let other: SqliteDatabase;

    beforeEach(async function () {
      store = await open();
      // A second connection adds a trigger that makes a late write of a transaction fail, as a crash
      // or a full disk would.
      other = rawDb(join(dir, SQLITE_FILE_NAME));
    });

    afterEach(async function () {
      other.close();
      await store.close();
    });

    it('writes no RMA when its audit entry cannot be written', async function () {
      other.exec("CREATE TRIGGER fail_rma_audit BEFORE INSERT ON rma_audit BEGIN SELECT RAISE(ABORT, 'simulated failure'); END");
      const error = (await store.issueRma(rmaRequest()).catch((e: unknown) => e)) as Error;
      expect(error.message).to.match(/simulated failure/);
      expect(await store.findRma('UK-100234', 'HP-200', 'change-of-mind')).to.equal(null);
      expect(other.prepare<[], number>('SELECT count(*) FROM rmas').pluck().get()).to.equal(0);

      other.exec('DROP TRIGGER fail_rma_audit');
      const { record, created } = await store.issueRma(rmaRequest());
      expect(created).to.equal(true);
      expect(record.audit).to.have.length(1);
    });

    it('writes nothing of a turn whose last write fails', async function () {
      await store.commitTurn(turn('c1', null, 'one', 'a1'));
      other.exec("CREATE TRIGGER fail_audit BEFORE INSERT ON conversation_audit BEGIN SELECT RAISE(ABORT, 'simulated failure'); END");
      const error = (await store.commitTurn(turn('c1', 1, 'two', 'a2')).catch((e: unknown) => e)) as Error;
      expect(error.message).to.match(/simulated failure/);
      expect(await store.loadConversation('c1')).to.deep.include({ version: 1, snapshot: { text: 'one' } });
      expect(await store.findProcessedActivity('c1', 'a2')).to.equal(null);
      expect(await store.readLog('c1')).to.have.length(1);
      expect(await store.conversationAudit('c1')).to.have.length(1);
    });

    it('leaves no half-written RMA when the process dies inside the transaction', async function () {
      const file = join(dir, SQLITE_FILE_NAME);
      const script = `
        const { openSqlite } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'src', 'store', 'sqlite-binding.ts')).href)});
        const { db } = openSqlite(process.env.DB_FILE);
        db.exec('BEGIN IMMEDIATE');
        db.prepare("INSERT INTO rmas (rma, order_number, sku, reason, remedy, decision, conversation_id, issued_by, note, created_at) VALUES ('RMA-0000-0000', 'UK-100234', 'HP-200', 'change-of-mind', 'refund', '{}', NULL, 'bot', NULL, 'x')").run();
        process.kill(process.pid, 'SIGKILL');
      `;
      const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, env: { ...process.env, DB_FILE: file }, encoding: 'utf8' });
      expect(child.signal, child.stderr).to.equal('SIGKILL');
      expect(await store.getRma('RMA-0000-0000')).to.equal(null);
      expect((await store.issueRma(rmaRequest())).created).to.equal(true);
    });
  });

  describe('RMA numbers', function () {
    it('draws another number when one is already taken', async function () {
      const numbers = ['RMA-0000-001Y', 'RMA-0000-001Y', 'RMA-0000-010Z'];
      const store = await open(':memory:', { newRmaNumber: () => numbers.shift() ?? 'RMA-0000-0000' });
      try {
        const first = await store.issueRma(rmaRequest());
        const second = await store.issueRma(rmaRequest({ sku: 'NB-15' }));
        expect([first.record.rma, second.record.rma]).to.deep.equal(['RMA-0000-001Y', 'RMA-0000-010Z']);
        expect(numbers).to.deep.equal([]);
      } finally {
        await store.close();
      }
    });

    it('gives up (writing nothing) when every number drawn is taken', async function () {
      const store = await open(':memory:', { newRmaNumber: () => 'RMA-0000-001Y' });
      try {
        await store.issueRma(rmaRequest());
        const error = (await store.issueRma(rmaRequest({ sku: 'NB-15' })).catch((e: unknown) => e)) as Error;
        expect(error.message).to.match(/unused RMA number/);
        expect(await store.findRma('UK-100234', 'NB-15', 'change-of-mind')).to.equal(null);
      } finally {
        await store.close();
      }
    });

    it('issues valid numbers by default', async function () {
      const store = await open(':memory:');
      try {
        for (const sku of ['A', 'B', 'C', 'D', 'E']) {
          expect(isValidRmaNumber((await store.issueRma(rmaRequest({ sku }))).record.rma)).to.equal(true);
        }
      } finally {
        await store.close();
      }
    });
  });

  describe('RMA status and facts', function () {
    it('upgrades a 0005 database: its RMAs are issued, with no facts, and their remedy can change', async function () {
      let rma = '';
      await upgradeFrom(5, '0006-rma-status-and-facts', async (store) => {
        const raw = rawDb(store.file);
        try {
          // an RMA the previous code wrote (it names no status or facts)
          rma = (await store.issueRma(rmaRequest({ remedy: 'replacement' }))).record.rma;
          raw
            .prepare(
              "INSERT INTO rmas (rma, order_number, sku, reason, remedy, decision, conversation_id, issued_by, note, created_at) SELECT 'RMA-OLD0-0000', order_number, 'OLD', reason, remedy, decision, conversation_id, issued_by, note, created_at FROM rmas",
            )
            .run();
          expect(() => raw.prepare("UPDATE rmas SET status = 'lost'").run()).to.throw(/CHECK constraint/);
          expect(() => raw.prepare("UPDATE rmas SET facts = '[]'").run()).to.throw(/CHECK constraint/);
        } finally {
          raw.close();
        }
        const old = await store.findRma('UK-100234', 'OLD', 'change-of-mind');
        expect(old).to.deep.include({ status: 'issued', facts: {} });
        const changed = await store.changeRmaRemedy({ rma, to: 'refund', actor: 'customer', at: 'x' });
        expect(changed.ok && changed.record.remedy).to.equal('refund');
      });
    });
  });
});
