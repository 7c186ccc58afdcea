/**
 * The PostgreSQL store: the store contract (each test on its own fresh schema), then what only
 * PostgreSQL has: migrations when several instances start at once, the conversation lock across
 * instances (and its release when a holder's connection or process dies), JSONB, atomicity of
 * failing writes, and races between two stores (two pools) on one database.
 *
 * Needs TEST_DATABASE_URL; without it every test here is reported as pending.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadConfig } from '../../src/config.js';
import { ROOT } from '../../src/paths.js';
import { openStore, storeOptionsFrom } from '../../src/store/index.js';
import { POSTGRES_MIGRATIONS } from '../../src/store/migrations.js';
import { PostgresStore, type PostgresStoreOptions } from '../../src/store/postgres.js';
import { isValidRmaNumber } from '../../src/store/rma-id.js';
import { ConflictError, type Store, type TurnCommit } from '../../src/store/store.js';
import { runCli } from '../support/cli.js';
import { SCENARIO_ORDERS } from '../support/server.js';
import { conversationLockHolders, createSchema, dropSchema, dropStaleSchemas, TEST_DATABASE_URL, urlWithSchema, withClient } from '../support/pg.js';
import { newHandoff, rmaRequest, rowBytes, storeContract } from './contract.js';

const T0 = '2027-01-04T10:00:00.000Z';

/** A turn that logs one activity, the bot's reply. */
const turn = (id: string, expectedVersion: number | null, text: string, activityId: string | null = null): TurnCommit => ({
  conversationId: id,
  expectedVersion,
  snapshot: { text },
  machineVersion: 1,
  locale: 'en-GB',
  activityId,
  replyCount: 1,
  log: [{ type: 'message', text }],
  audit: [{ at: T0, actor: 'bot', action: 'turn', data: { text } }],
  at: T0,
});

/** Resolves when `predicate` holds (polled), or fails after `ms`. */
async function eventually(predicate: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
}

describe('postgres store (needs TEST_DATABASE_URL)', function () {
  this.timeout(30_000);

  before(async function () {
    if (!TEST_DATABASE_URL) this.skip();
    await dropStaleSchemas();
  });

  const schemas = new Map<Store, string>();

  storeContract(
    'postgres',
    async () => {
      const schema = await createSchema();
      const store = await openStore({ databaseUrl: urlWithSchema(schema) });
      schemas.set(store, schema);
      return store;
    },
    async (store) => {
      const schema = schemas.get(store);
      schemas.delete(store);
      if (schema) await dropSchema(schema);
    },
    {
      async stateBytes(store, conversationId) {
        const schema = schemas.get(store);
        if (!schema) throw new Error('no schema for this store');
        return withClient(async (c) =>
          rowBytes([
            ...(await c.query(`SELECT * FROM ${schema}.conversations WHERE id = $1`, [conversationId])).rows,
            ...(await c.query(`SELECT * FROM ${schema}.processed_activities WHERE conversation_id = $1`, [conversationId])).rows,
          ]),
        );
      },
    },
    // Another instance (its own pools) on the same schema.
    async (store) => {
      const schema = schemas.get(store);
      if (!schema) throw new Error('no schema for this store');
      return openStore({ databaseUrl: urlWithSchema(schema) });
    },
  );

  describe('PostgresStore', function () {
    let schema: string;
    const opened: PostgresStore[] = [];

    /** A store on this test's schema (not migrated unless asked). */
    function store(options: Partial<PostgresStoreOptions> = {}): PostgresStore {
      const s = new PostgresStore({ connectionString: urlWithSchema(schema), ...options });
      opened.push(s);
      return s;
    }

    async function open(options: Partial<PostgresStoreOptions> = {}): Promise<PostgresStore> {
      const s = store(options);
      await s.migrate();
      return s;
    }

    /** A schema made by the first `applied` migrations, with a turn in it, then opened (migrated) by this code. */
    async function upgradeFrom(applied: number, added: string): Promise<PostgresStore> {
      const old = await open({ migrations: POSTGRES_MIGRATIONS.slice(0, applied) });
      await old.commitTurn(turn('c1', null, 'hello', 'a1'));
      await old.close();
      const s = await open();
      expect((await s.appliedMigrations()).map((m) => m.id)).to.deep.equal(POSTGRES_MIGRATIONS.map((m) => m.id));
      expect(POSTGRES_MIGRATIONS.map((m) => m.id)).to.include(added);
      expect(await s.findProcessedActivity('c1', 'a1')).to.deep.equal([{ type: 'message', text: 'hello' }]);
      return s;
    }

    beforeEach(async function () {
      schema = await createSchema();
    });

    afterEach(async function () {
      await Promise.all(opened.splice(0).map((s) => s.close()));
      await dropSchema(schema);
    });

    describe('schema and migrations', function () {
      it('has uniquely named migrations in order', function () {
        const ids = POSTGRES_MIGRATIONS.map((m) => m.id);
        expect(new Set(ids).size).to.equal(ids.length);
        expect([...ids].sort()).to.deep.equal(ids);
      });

      it('opens through openStore({ databaseUrl }) in the schema of search_path, with JSONB columns', async function () {
        const s = await openStore({ databaseUrl: urlWithSchema(schema) });
        try {
          expect(s.engine).to.equal('postgres');
          expect(await s.ping()).to.equal(true);
        } finally {
          await s.close();
        }
        const columns = await withClient(async (c) =>
          (
            await c.query<{ table_name: string; column_name: string; data_type: string }>(
              `SELECT table_name, column_name, data_type FROM information_schema.columns
           WHERE table_schema = $1 AND data_type IN ('jsonb', 'json') ORDER BY table_name, column_name`,
              [schema],
            )
          ).rows.map((r) => `${r.table_name}.${r.column_name}:${r.data_type}`),
        );
        expect(columns).to.deep.equal([
          'conversation_audit.data:jsonb',
          'conversation_log.activity:jsonb',
          'conversations.snapshot:jsonb',
          'handoffs.reference:jsonb',
          'handoffs.summary:jsonb',
          'orders.data:jsonb',
          'rma_audit.data:jsonb',
          'rmas.decision:jsonb',
          'rmas.facts:jsonb',
          'staff_references.reference:jsonb',
        ]);
      });

      it('applies each migration once when four instances start at the same moment', async function () {
        // A slow first migration widens the window: without the lock the others would fail on
        // "relation already exists" or record it twice.
        const migrations = [
          { id: '0001-slow', sql: 'SELECT pg_sleep(0.3); CREATE TABLE slow_one (x integer);' },
          { id: '0002-next', sql: 'CREATE TABLE next_one (x integer);' },
        ];
        const stores = [store({ migrations }), store({ migrations }), store({ migrations }), store({ migrations })];
        await Promise.all(stores.map((s) => s.migrate()));
        const applied = await stores[0]!.appliedMigrations();
        expect(applied.map((m) => m.id)).to.deep.equal(['0001-slow', '0002-next']);
        for (const s of stores) expect(await s.appliedMigrations()).to.deep.equal(applied);
      });

      it('starts two real stores together on an empty schema, then keeps the data when reopened', async function () {
        const [a, b] = [store(), store()];
        await Promise.all([a.migrate(), b.migrate()]);
        expect((await a.appliedMigrations()).map((m) => m.id)).to.deep.equal(POSTGRES_MIGRATIONS.map((m) => m.id));
        await a.commitTurn(turn('c1', null, 'hello', 'a1'));
        const { record } = await b.issueRma(rmaRequest());
        await Promise.all([a.close(), b.close()]);

        const again = await open();
        expect((await again.loadConversation('c1'))?.version).to.equal(1);
        expect(await again.findProcessedActivity('c1', 'a1')).to.deep.equal([{ type: 'message', text: 'hello' }]);
        expect(await again.getRma(record.rma)).to.deep.equal(record);
      });

      it('upgrades a 0001 schema: dedupe entries become log references, the old ones are dropped, the rest is kept', async function () {
        const old = await open({ migrations: POSTGRES_MIGRATIONS.slice(0, 1) });
        await old.close();
        await withClient(async (c) => {
          await c.query(`INSERT INTO ${schema}.conversations VALUES ('c1', 1, 1, '{"text":"one"}', 'en-GB', 'x', 'x')`);
          await c.query(`INSERT INTO ${schema}.conversation_log VALUES ('c1', 1, 'x', '{"text":"hi"}')`);
          await c.query(`INSERT INTO ${schema}.conversation_log_heads VALUES ('c1', 1)`);
          await c.query(`INSERT INTO ${schema}.processed_activities VALUES ('c1', 'a1', '[{"text":"hi"}]', 'x')`);
        });
        const s = await open();
        expect((await s.appliedMigrations()).map((m) => m.id)).to.deep.equal(POSTGRES_MIGRATIONS.map((m) => m.id));
        expect(POSTGRES_MIGRATIONS.map((m) => m.id)).to.include('0002-dedupe-by-log-reference');
        expect(await s.loadConversation('c1')).to.deep.include({ version: 1, snapshot: { text: 'one' } });
        expect(await s.readLog('c1')).to.have.length(1);
        // the old entry served retries of activities answered before the upgrade only
        expect(await s.findProcessedActivity('c1', 'a1')).to.equal(null);
        expect((await s.commitTurn(turn('c1', 1, 'two', 'a2'))).log.map((e) => e.seq)).to.deep.equal([2]);
        expect(await s.findProcessedActivity('c1', 'a2')).to.deep.equal([{ type: 'message', text: 'two' }]);
      });

      it('applies each migration in one transaction: a failing one leaves nothing behind', async function () {
        const broken = store({
          migrations: [...POSTGRES_MIGRATIONS, { id: '9999-broken', sql: 'CREATE TABLE half_done (x integer); SELECT * FROM no_such_table;' }],
        });
        const error = (await broken.migrate().catch((e: unknown) => e)) as Error;
        expect(error.message).to.match(/no_such_table/);
        const tables = await withClient(async (c) =>
          (await c.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [schema])).rows.map((r) => r.table_name),
        );
        expect(tables).to.include('rmas').and.not.include('half_done');
        expect((await broken.appliedMigrations()).map((m) => m.id)).to.not.include('9999-broken');
      });

      it('answers ping false (never throws) when the database is unreachable', async function () {
        const u = new URL(urlWithSchema(schema));
        u.port = '1';
        const s = new PostgresStore({ connectionString: u.toString(), connectTimeoutMs: 2000 });
        try {
          expect(await s.ping()).to.equal(false);
        } finally {
          await s.close();
        }
      });
    });

    describe('the conversation lock across instances', function () {
      it('serialises one conversation across two stores (two pools), FIFO within each', async function () {
        const a = await open();
        const b = await open();
        await a.commitTurn(turn('shared', null, 'start'));
        let inside = 0;
        let maxInside = 0;
        const ran: string[] = [];
        // Read-modify-write without retry: only a lock across both instances keeps every commit valid.
        const results = await Promise.all(
          Array.from({ length: 30 }, (_, i) => {
            const s = i % 2 ? a : b;
            return s.withConversationLock('shared', async () => {
              inside++;
              maxInside = Math.max(maxInside, inside);
              try {
                const current = await s.loadConversation('shared');
                await sleep(2);
                ran.push(`${i % 2 ? 'a' : 'b'}${i}`);
                return await s.commitTurn(turn('shared', current?.version ?? null, `m${i}`, `act-${i}`));
              } finally {
                inside--;
              }
            });
          }),
        );
        expect(maxInside).to.equal(1);
        expect(results.map((r) => r.version).sort((x, y) => x - y)).to.deep.equal(Array.from({ length: 30 }, (_, i) => i + 2));
        expect((await a.loadConversation('shared'))?.version).to.equal(31);
        // each instance ran its own turns in the order they asked
        const order = (p: string) => ran.filter((r) => r.startsWith(p)).map((r) => Number(r.slice(1)));
        expect(order('a')).to.deep.equal([...order('a')].sort((x, y) => x - y));
        expect(order('b')).to.deep.equal([...order('b')].sort((x, y) => x - y));
      });

      it('holds the lock in PostgreSQL while fn runs, and lets other conversations run at the same time', async function () {
        const a = await open();
        const b = await open();
        let entered = 0;
        const bothIn = (): Promise<void> => eventually(() => entered === 2, 5000, 'both conversations to be inside their locks');
        const holders: number[][] = [];
        await Promise.all([
          a.withConversationLock('x', async () => {
            entered++;
            await bothIn();
            holders.push(await conversationLockHolders(schema, 'x'));
          }),
          b.withConversationLock('y', async () => {
            entered++;
            await bothIn();
            holders.push(await conversationLockHolders(schema, 'y'));
          }),
        ]);
        expect(holders.map((h) => h.length)).to.deep.equal([1, 1]);
        expect(await conversationLockHolders(schema, 'x')).to.deep.equal([]);
        expect(await conversationLockHolders(schema, 'y')).to.deep.equal([]);
      });

      it('never starves fn of connections: 12 conversations at once on one query connection and two lock connections', async function () {
        const s = await open({ poolSize: 1, lockPoolSize: 2 });
        const versions = await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            s.withConversationLock(`c${i % 6}`, async () => {
              const current = await s.loadConversation(`c${i % 6}`);
              return (await s.commitTurn(turn(`c${i % 6}`, current?.version ?? null, `t${i}`))).version;
            }),
          ),
        );
        expect(versions.sort()).to.deep.equal([1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2]);
      });

      it('gives up after lockWaitMs when another instance holds the lock, and works again once it is released', async function () {
        const a = await open();
        const b = await open({ lockWaitMs: 300 });
        let release!: () => void;
        const gate = new Promise<void>((resolve) => {
          release = resolve;
        });
        let entered = false;
        const holding = a.withConversationLock('held', async () => {
          entered = true;
          await gate;
        });
        await eventually(() => entered, 5000, 'a to hold the lock');
        const started = Date.now();
        const error = (await b.withConversationLock('held', async () => 'never').catch((e: unknown) => e)) as Error;
        expect(error.message).to.match(/timed out waiting for the lock of conversation held/);
        expect(Date.now() - started).to.be.within(250, 5000);
        release();
        await holding;
        expect(await b.withConversationLock('held', async () => 'now')).to.equal('now');
      });

      it('is released by PostgreSQL when the holding connection is killed; the holder neither crashes nor reuses it', async function () {
        const a = await open();
        const b = await open();
        let release!: () => void;
        const gate = new Promise<void>((resolve) => {
          release = resolve;
        });
        let entered = false;
        const holding = a.withConversationLock('k', async () => {
          entered = true;
          await gate;
          return 'a finished';
        });
        await eventually(() => entered, 5000, 'a to hold the lock');
        const [pid] = await conversationLockHolders(schema, 'k');
        expect(pid).to.be.a('number');

        let bIn = false;
        const waiting = b.withConversationLock('k', async () => {
          bIn = true;
          return 'b finished';
        });
        await sleep(200);
        expect(bIn, 'b must wait while a holds the lock').to.equal(false);

        await withClient((c) => c.query('SELECT pg_terminate_backend($1)', [pid]));
        expect(await waiting).to.equal('b finished');
        release();
        expect(await holding).to.equal('a finished');
        // a's lock pool dropped the dead connection and locks again
        expect(await a.withConversationLock('k', async () => conversationLockHolders(schema, 'k'))).to.have.length(1);
        expect(await a.ping()).to.equal(true);
      });

      it('is released by PostgreSQL when the holding process dies (SIGKILL)', async function () {
        const url = urlWithSchema(schema);
        const b = await open();
        const script = `
          const { PostgresStore } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'src', 'store', 'postgres.ts')).href)});
          const store = new PostgresStore({ connectionString: process.env.STORE_URL });
          await store.withConversationLock('crash', async () => {
            process.stdout.write('locked\\n');
            await new Promise(() => {});
          });
        `;
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
          cwd: ROOT,
          env: { ...process.env, STORE_URL: url },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        try {
          let out = '';
          let err = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          child.stderr.on('data', (d: Buffer) => (err += d.toString()));
          await eventually(() => out.includes('locked') || child.exitCode !== null, 15_000, 'the child to take the lock');
          expect(out, err).to.include('locked');
          expect(await conversationLockHolders(schema, 'crash')).to.have.length(1);

          let bIn = false;
          const waiting = b.withConversationLock('crash', async () => {
            bIn = true;
          });
          await sleep(200);
          expect(bIn).to.equal(false);
          const killed = Date.now();
          child.kill('SIGKILL');
          await waiting;
          expect(Date.now() - killed).to.be.below(5000);
        } finally {
          if (child.exitCode === null && child.signalCode === null) {
            child.kill('SIGKILL');
            await once(child, 'exit');
          }
        }
      });
    });

    describe('races between two instances', function () {
      it('40 concurrent issueRma for one line from two instances create exactly one RMA', async function () {
        const a = await open();
        const b = await open();
        const results = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).issueRma(rmaRequest({ actor: `agent:a${i}` }))));
        expect(results.filter((r) => r.created)).to.have.length(1);
        expect(new Set(results.map((r) => r.record.rma)).size).to.equal(1);
        const count = await withClient(async (c) => (await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.rmas`)).rows[0]?.n);
        expect(count).to.equal(1);
        expect((await a.getRma(results[0]!.record.rma))?.audit).to.have.length(1);
      });

      it('numbers the log 1, 2, 3 … when two instances append to it at once', async function () {
        const a = await open();
        const b = await open();
        await Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            (i % 2 ? a : b).appendLog(
              'busy',
              [
                { n: i, part: 1 },
                { n: i, part: 2 },
              ],
              T0,
            ),
          ),
        );
        const log = await a.readLog('busy');
        expect(log.map((e) => e.seq)).to.deep.equal(Array.from({ length: 80 }, (_, i) => i + 1));
        // each append's entries are consecutive
        for (let i = 0; i < 80; i += 2) expect(log[i]?.activity['n']).to.equal(log[i + 1]?.activity['n']);
      });

      it('imports the same orders from two instances at once', async function () {
        const a = await open();
        const b = await open();
        const orders = Array.from({ length: 20 }, (_, i) => ({
          orderNumber: `UK-9${String(i).padStart(5, '0')}`,
          policy: 'uk-online',
          currency: 'GBP',
          customer: { email: 'sam@example.com', postcode: 'LS1 4AP', region: 'GB-ENG' },
          placedOn: '2026-12-19',
          deliveredOn: '2026-12-22',
          delivery: { charge: 4.99, cheapestCharge: 4.99 },
          items: [
            {
              sku: 'HP-200',
              name: 'Studio headphones',
              category: 'headphones',
              price: 59.99,
              quantity: 1,
              specialOrder: false,
              freeGift: false,
              requiresManufacturerPreauth: false,
              guaranteeMonths: null,
            },
          ],
        })) as Parameters<Store['importOrders']>[0];
        const [ra, rb] = await Promise.all([a.importOrders(orders), b.importOrders(orders)]);
        expect(ra.added + rb.added).to.equal(20);
        expect(ra.added + ra.unchanged).to.equal(20);
        expect(rb.added + rb.unchanged).to.equal(20);
        expect(await a.countOrders()).to.equal(20);
      });
    });

    describe('atomicity', function () {
      async function failOn(table: string): Promise<void> {
        await withClient(async (c) => {
          await c.query(`CREATE FUNCTION ${schema}.fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'simulated failure'; END $$`);
          await c.query(`CREATE TRIGGER fail BEFORE INSERT ON ${schema}.${table} FOR EACH ROW EXECUTE FUNCTION ${schema}.fail()`);
        });
      }
      const healed = (table: string) => withClient((c) => c.query(`DROP TRIGGER fail ON ${schema}.${table}`));

      it('writes no RMA when its audit entry cannot be written', async function () {
        const s = await open();
        await failOn('rma_audit');
        const error = (await s.issueRma(rmaRequest()).catch((e: unknown) => e)) as Error;
        expect(error.message).to.match(/simulated failure/);
        expect(await s.findRma('UK-100234', 'HP-200', 'change-of-mind')).to.equal(null);
        await healed('rma_audit');
        const { record, created } = await s.issueRma(rmaRequest());
        expect(created).to.equal(true);
        expect(record.audit).to.have.length(1);
      });

      it('writes nothing of a turn whose last write fails', async function () {
        const s = await open();
        await s.commitTurn(turn('c1', null, 'one', 'a1'));
        await failOn('conversation_audit');
        const error = (await s.commitTurn(turn('c1', 1, 'two', 'a2')).catch((e: unknown) => e)) as Error;
        expect(error).not.to.be.instanceOf(ConflictError);
        expect(error.message).to.match(/simulated failure/);
        expect(await s.loadConversation('c1')).to.deep.include({ version: 1, snapshot: { text: 'one' } });
        expect(await s.findProcessedActivity('c1', 'a2')).to.equal(null);
        expect(await s.readLog('c1')).to.have.length(1);
        await healed('conversation_audit');
        // the log numbering continues without a gap
        expect((await s.commitTurn(turn('c1', 1, 'two', 'a2'))).log.map((e) => e.seq)).to.deep.equal([2]);
      });
    });

    describe('RMA numbers', function () {
      it('draws another number when one is already taken', async function () {
        const numbers = ['RMA-0000-001Y', 'RMA-0000-001Y', 'RMA-0000-010Z'];
        const s = await open({ newRmaNumber: () => numbers.shift() ?? 'RMA-0000-0000' });
        const first = await s.issueRma(rmaRequest());
        const second = await s.issueRma(rmaRequest({ sku: 'NB-15' }));
        expect([first.record.rma, second.record.rma]).to.deep.equal(['RMA-0000-001Y', 'RMA-0000-010Z']);
        expect(numbers).to.deep.equal([]);
      });

      it('gives up (writing nothing) when every number drawn is taken', async function () {
        const s = await open({ newRmaNumber: () => 'RMA-0000-001Y' });
        await s.issueRma(rmaRequest());
        const error = (await s.issueRma(rmaRequest({ sku: 'NB-15' })).catch((e: unknown) => e)) as Error;
        expect(error.message).to.match(/unused RMA number/);
        expect(await s.findRma('UK-100234', 'NB-15', 'change-of-mind')).to.equal(null);
      });

      it('issues valid numbers by default', async function () {
        const s = await open();
        for (const sku of ['A', 'B', 'C']) expect(isValidRmaNumber((await s.issueRma(rmaRequest({ sku }))).record.rma)).to.equal(true);
      });
    });

    describe('secrets and attachments', function () {
      /** Store sessions on this database whose current statement, starting with `sql`, waits for a lock. */
      const waitingOnLock = (sql: string): Promise<number> =>
        withClient(
          async (c) =>
            (
              await c.query<{ n: number }>(
                `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'returnsbot' AND wait_event_type = 'Lock' AND query LIKE $1`,
                [`${sql}%`],
              )
            ).rows[0]?.n ?? 0,
        );

      /**
       * Run `s.secret('k', …)` while another session has inserted 'k' = 'held' and not committed:
       * the first read sees nothing, create() runs, the insert waits for that session; then it ends
       * its transaction with `end`.
       */
      async function raceAgainstUncommitted(s: PostgresStore, end: 'COMMIT' | 'ROLLBACK'): Promise<{ value: string; created: number }> {
        return withClient(async (c) => {
          await c.query('BEGIN');
          await c.query(`INSERT INTO ${schema}.secrets (name, value, created_at) VALUES ('k', 'held', 'x')`);
          let created = 0;
          const pending = s.secret('k', () => {
            created++;
            return 'mine';
          });
          await eventually(async () => (await waitingOnLock('INSERT INTO secrets')) === 1, 10_000, 'the insert of the secret to wait for the other session');
          await c.query(end);
          return { value: await pending, created };
        });
      }

      const storedSecrets = (): Promise<{ name: string; value: string }[]> =>
        withClient(async (c) => (await c.query<{ name: string; value: string }>(`SELECT name, value FROM ${schema}.secrets ORDER BY name`)).rows);

      it('returns the value of another session that stored the secret between its read and its insert', async function () {
        const s = await open();
        expect(await raceAgainstUncommitted(s, 'COMMIT')).to.deep.equal({ value: 'held', created: 1 });
        expect(await storedSecrets()).to.deep.equal([{ name: 'k', value: 'held' }]);
        expect(await s.secret('k', () => 'again')).to.equal('held');
      });

      it('stores its own value when that other session rolls back', async function () {
        const s = await open();
        expect(await raceAgainstUncommitted(s, 'ROLLBACK')).to.deep.equal({ value: 'mine', created: 1 });
        expect(await storedSecrets()).to.deep.equal([{ name: 'k', value: 'mine' }]);
      });

      it('gives 40 calls from four instances one value, and keeps one row', async function () {
        const stores = await Promise.all([open(), open(), open(), open()]);
        let created = 0;
        const values = await Promise.all(Array.from({ length: 40 }, (_, i) => stores[i % 4]!.secret('k', () => `value ${++created}`)));
        expect(new Set(values).size).to.equal(1);
        expect(await storedSecrets()).to.deep.equal([{ name: 'k', value: values[0] }]);
      });

      it('keeps attachment bytes in a bytea column stored uncompressed out of line, with a size that must match them', async function () {
        const s = await open();
        const columns = await withClient(
          async (c) =>
            (
              await c.query<{ attname: string; type: string; attstorage: string }>(
                `SELECT attname, format_type(atttypid, atttypmod) AS type, attstorage FROM pg_attribute
           WHERE attrelid = $1::regclass AND attname IN ('bytes', 'size') ORDER BY attname`,
                [`${schema}.attachments`],
              )
            ).rows,
        );
        expect(columns).to.deep.equal([
          { attname: 'bytes', type: 'bytea', attstorage: 'e' },
          { attname: 'size', type: 'integer', attstorage: 'p' },
        ]);
        await s.saveAttachment({ id: 'a1', conversationId: 'c1', name: 'a.jpg', contentType: 'image/jpeg', bytes: Buffer.from([0, 1, 2]), at: T0, uploadedBy: 'customer' });
        // a size that does not match the bytes cannot be stored
        const error = (await withClient((c) => c.query(`UPDATE ${schema}.attachments SET size = 4`)).catch((e: unknown) => e)) as Error;
        expect(error.message).to.match(/check constraint/);
      });

      it('upgrades a 0002 schema: the new tables are added and the rest is kept', async function () {
        const s = await upgradeFrom(2, '0003-attachments-and-secrets');
        await s.saveAttachment({ id: 'a1', conversationId: 'c1', name: 'a.jpg', contentType: 'image/jpeg', bytes: Buffer.from([1]), at: T0, uploadedBy: 'customer' });
        expect(await s.listAttachments('c1')).to.have.length(1);
        expect(await s.secret('k', () => 'v')).to.equal('v');
      });
    });

    describe('hand-over queue and staff', function () {
      /** Store sessions on this database whose current statement (matching the LIKE pattern) waits for a lock. */
      const waitingOnLock = (pattern: string): Promise<number> =>
        withClient(
          async (c) =>
            (
              await c.query<{ n: number }>(
                `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'returnsbot' AND wait_event_type = 'Lock' AND query LIKE $1`,
                [pattern],
              )
            ).rows[0]?.n ?? 0,
        );

      /**
       * Run `s.takeHandoff('c1', 'alex', …)` while another session has made 'c1' active for 'other'
       * and not committed: the take waits on the row lock, then that session ends with `end`.
       */
      async function takeWhileAnotherSessionTakes(s: PostgresStore, end: 'COMMIT' | 'ROLLBACK'): Promise<Awaited<ReturnType<Store['takeHandoff']>>> {
        return withClient(async (c) => {
          await c.query('BEGIN');
          await c.query(`UPDATE ${schema}.handoffs SET status = 'active', agent = 'other', taken_at = 'x', version = version + 1 WHERE conversation_id = 'c1'`);
          const pending = s.takeHandoff('c1', 'alex', T0);
          await eventually(async () => (await waitingOnLock('%FOR UPDATE')) === 1, 10_000, 'the take to wait for the row lock');
          await c.query(end);
          return pending;
        });
      }

      it('waits for a change of the row by another session, then decides on what it committed', async function () {
        const s = await open();
        await s.openHandoff(newHandoff('c1'));
        expect(await takeWhileAnotherSessionTakes(s, 'COMMIT')).to.deep.equal({ ok: false, reason: 'held', holder: 'other' });
        expect(await s.getHandoff('c1')).to.deep.include({ status: 'active', agent: 'other', version: 2 });
      });

      it('takes it when that other session rolls back', async function () {
        const s = await open();
        await s.openHandoff(newHandoff('c1'));
        const taken = await takeWhileAnotherSessionTakes(s, 'ROLLBACK');
        expect(taken).to.deep.include({ ok: true });
        expect(await s.getHandoff('c1')).to.deep.include({ status: 'active', agent: 'alex', takenAt: T0, version: 2 });
      });

      it('gives each of five conversations to exactly one of the agents racing for them from four instances', async function () {
        const stores = await Promise.all([open(), open(), open(), open()]);
        const ids = ['h0', 'h1', 'h2', 'h3', 'h4'];
        for (const id of ids) await stores[0]!.openHandoff(newHandoff(id));
        const results = await Promise.all(
          Array.from({ length: 80 }, async (_, i) => {
            const id = ids[i % ids.length]!;
            return { id, result: await stores[i % stores.length]!.takeHandoff(id, `agent-${i % 7}`, T0) };
          }),
        );
        for (const id of ids) {
          const mine = results.filter((r) => r.id === id).map((r) => r.result);
          const stored = await stores[1]!.getHandoff(id);
          expect(stored).to.deep.include({ status: 'active', version: 2 });
          const holder = stored?.agent;
          // every take by the holder succeeded (idempotent), every other was told who holds it
          for (const r of mine) {
            if (r.ok) expect(r.record.agent).to.equal(holder);
            else expect(r).to.deep.equal({ ok: false, reason: 'held', holder });
          }
          expect(mine.some((r) => r.ok)).to.equal(true);
        }
      });

      it('opens one hand-over when four instances open it at once, and keeps it when they race to end it', async function () {
        const stores = await Promise.all([open(), open(), open(), open()]);
        const opened = await Promise.all(Array.from({ length: 20 }, (_, i) => stores[i % 4]!.openHandoff(newHandoff('c1', { reason: `r${i}` }))));
        expect(opened.filter((o) => o.created)).to.have.length(1);
        expect((await stores[0]!.getHandoff('c1'))?.version).to.equal(1);
        // the customer leaving from one instance races agents taking it from the others
        const outcomes = await Promise.all(
          Array.from({ length: 12 }, (_, i) => (i % 4 === 0 ? stores[0]!.endHandoff('c1', { customer: true }, 'left', T0) : stores[i % 4]!.takeHandoff('c1', `agent-${i}`, T0))),
        );
        // every agent is another one: exactly one of them, or the customer, wins
        const won = outcomes.filter((o) => o.ok);
        expect(won, JSON.stringify(outcomes)).to.have.length(1);
        const stored = await stores[2]!.getHandoff('c1');
        expect(stored?.version).to.equal(2);
        expect(won[0]?.ok && won[0].record).to.deep.equal(stored);
        for (const o of outcomes) {
          if (!o.ok) expect(o).to.deep.equal(stored?.status === 'left' ? { ok: false, reason: 'ended' } : { ok: false, reason: 'held', holder: stored?.agent });
        }
      });

      it('keeps the queue, accounts and staff references when every instance restarts', async function () {
        const a = await open();
        await a.openHandoff(newHandoff('c1', { at: T0 }));
        await a.openHandoff(newHandoff('c2', { at: '2027-01-04T10:05:00.000Z' }));
        await a.takeHandoff('c1', 'alex', T0);
        await a.addAgent({ name: 'alex', displayName: 'Alex', keyHash: 'h', at: T0 });
        await a.saveStaffReference('29:amy', { conversation: { id: 'a:1' } }, T0);
        const before = await a.listHandoffs();
        await a.close();
        const b = await open();
        expect(await b.listHandoffs()).to.deep.equal(before);
        expect(await b.queuePosition('c2')).to.equal(1);
        expect(await b.takeHandoff('c1', 'sam', T0)).to.deep.equal({ ok: false, reason: 'held', holder: 'alex' });
        expect(await b.agentByKeyHash('h')).to.deep.include({ name: 'alex' });
        expect(await b.staffReferences()).to.have.length(1);
      });

      it('upgrades a 0003 schema: the new tables are added and the rest is kept', async function () {
        const s = await upgradeFrom(3, '0004-handoffs-and-staff');
        expect((await s.openHandoff(newHandoff('c1'))).created).to.equal(true);
      });

      it('upgrades a 0005 schema: its RMAs are issued, with no facts, and their remedy can change', async function () {
        await (await open({ migrations: POSTGRES_MIGRATIONS.slice(0, 5) })).close();
        // an RMA the previous code wrote (it names no status or facts)
        await withClient((c) =>
          c.query(`INSERT INTO ${schema}.rmas (rma, order_number, sku, reason, remedy, decision, conversation_id, issued_by, note, created_at)
          VALUES ('RMA-7K3M-Q2XS', 'UK-100234', 'OLD', 'change-of-mind', 'replacement', '{"outcome":"approved"}', 'c1', 'bot', NULL, 'x')`),
        );
        const s = await upgradeFrom(5, '0006-rma-status-and-facts');
        expect(await s.findRma('UK-100234', 'OLD', 'change-of-mind')).to.deep.include({ status: 'issued', facts: {}, remedy: 'replacement' });
        const changed = await s.changeRmaRemedy({ rma: 'RMA-7K3M-Q2XS', to: 'refund', actor: 'customer', at: T0 });
        expect(changed.ok && changed.record.remedy).to.equal('refund');
        const error = (await withClient((c) => c.query(`UPDATE ${schema}.rmas SET status = 'lost'`)).catch((e: unknown) => e)) as Error;
        expect(error.message).to.match(/check constraint/);
      });

      it('keeps the table constraints: an active hand-over has an agent; a name is unique among active agents only', async function () {
        const s = await open();
        await s.openHandoff(newHandoff('c1'));
        const error = (await withClient((c) => c.query(`UPDATE ${schema}.handoffs SET status = 'active'`)).catch((e: unknown) => e)) as Error;
        expect(error.message).to.match(/check constraint/);
        await s.addAgent({ name: 'alex', displayName: 'Alex', keyHash: 'h1', at: T0 });
        await s.removeAgent('alex', T0);
        await s.addAgent({ name: 'alex', displayName: 'Alex', keyHash: 'h2', at: T0 });
        const indexes = await withClient(async (c) =>
          (
            await c.query<{ indexname: string }>(
              `SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = 'agents' AND indexdef LIKE '%UNIQUE%' AND indexdef LIKE '%WHERE%' ORDER BY indexname`,
              [schema],
            )
          ).rows.map((r) => r.indexname),
        );
        expect(indexes).to.deep.equal(['agents_active_key', 'agents_active_name']);
      });
    });

    describe('the command line', function () {
      it('imports orders into and shows RMAs from the database of DATABASE_URL', async function () {
        const dir = mkdtempSync(join(tmpdir(), 'returnsbot-pg-cli-'));
        try {
          const file = join(dir, 'orders.json');
          writeFileSync(file, JSON.stringify(SCENARIO_ORDERS));
          const env = { DATABASE_URL: urlWithSchema(schema), RETURNS_DATA_DIR: join(dir, 'data') };
          const imported = await runCli(['orders', 'import', file], { env });
          expect(imported.stderr).to.equal('');
          expect(imported.stdout).to.match(/3 orders: 3 added/);
          expect(existsSync(join(dir, 'data')), 'no SQLite file when DATABASE_URL is set').to.equal(false);

          const s = await open();
          expect(await s.countOrders()).to.equal(3);
          const { record } = await s.issueRma(rmaRequest());
          const shown = await runCli(['rma', 'show', record.rma, '--json'], { env });
          expect(JSON.parse(shown.stdout)).to.deep.equal(record);
          const missing = await runCli(['rma', 'show', 'RMA-0000-0000'], { env });
          expect(missing.stderr).to.match(/no such RMA RMA-0000-0000 in the database/);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
    });

    describe('JSON PostgreSQL cannot store as is', function () {
      it('stores a NUL character and unpaired surrogates as U+FFFD instead of failing the turn', async function () {
        const s = await open();
        const odd = 'a\u0000b\ud800c\udc00d 😀';
        const r = await s.commitTurn({ ...turn('odd', null, odd, 'odd-1'), log: [{ type: 'message', text: odd, value: { ['k\u0000']: odd } }] });
        const clean = 'a\ufffdb\ufffdc\ufffdd 😀';
        expect(r.log[0]?.activity).to.deep.equal({ type: 'message', text: clean, value: { ['k\ufffd']: clean } });
        expect(await s.readLog('odd')).to.deep.equal(r.log);
        expect(await s.loadConversation('odd')).to.deep.include({ snapshot: { text: clean } });
        expect(await s.findProcessedActivity('odd', 'odd-1')).to.deep.equal([r.log[0]?.activity]);
      });

      it('stores text that only looks like those escapes (a backslash, then "u0000") as it is', async function () {
        const s = await open();
        const looks = { type: 'message', text: 'type \\u0000 or \\ud800 here', 'k\\u0000': 'x' };
        const r = await s.commitTurn({ ...turn('looks', null, 'x', 'looks-1'), log: [looks] });
        expect(r.log[0]?.activity).to.equal(looks);
        expect((await s.readLog('looks'))[0]?.activity).to.deep.equal(looks);
      });
    });
  });
});

describe('choosing the store from the configuration', function () {
  it('uses PostgreSQL when DATABASE_URL is set, else SQLite under RETURNS_DATA_DIR', function () {
    expect(storeOptionsFrom(loadConfig({ DATABASE_URL: 'postgres://bot:secret@db.example:5432/returns' }))).to.deep.equal({ databaseUrl: 'postgres://bot:secret@db.example:5432/returns' });
    expect(storeOptionsFrom(loadConfig({ DATABASE_URL: 'postgresql://localhost/returns?options=-c%20search_path%3Dbot' }))).to.deep.equal({
      databaseUrl: 'postgresql://localhost/returns?options=-c%20search_path%3Dbot',
    });
    expect(storeOptionsFrom(loadConfig({ RETURNS_DATA_DIR: 'var/data' }), '/srv/bot')).to.deep.equal({ dataDir: '/srv/bot/var/data' });
    expect(storeOptionsFrom(loadConfig({ DATABASE_URL: '  ' }))).to.deep.equal({ dataDir: './data' });
  });

  it('rejects a DATABASE_URL that is not a postgres:// or postgresql:// URL, without echoing it', function () {
    for (const bad of ['mysql://root:hunter2@localhost/db', 'not a url hunter2', 'http://hunter2@x']) {
      let message = '';
      try {
        loadConfig({ DATABASE_URL: bad });
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).to.match(/DATABASE_URL: expected a postgres:\/\/ or postgresql:\/\/ URL/);
      expect(message).not.to.include('hunter2');
    }
  });
});
