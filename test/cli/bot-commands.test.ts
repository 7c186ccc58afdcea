/**
 * The bot's own commands: `orders import`, `rma show`, `chat` (in-process, a temporary data folder)
 * and `serve` (the real binary: healthz, SIGTERM, a bad configuration).
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../src/paths.js';
import { caseSchema } from '../../src/policy/case.js';
import { decide } from '../../src/policy/engine.js';
import { loadPack } from '../../src/policy/packs.js';
import { changeRmaRemedy, setRmaStatus, usedFacts } from '../../src/rmas.js';
import { openStore } from '../../src/store/index.js';
import { runCli } from '../support/cli.js';
import { SCENARIO_ORDERS } from '../support/server.js';

const RMA = /RMA-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}/;

describe('returnsbot orders import / rma show / chat', function () {
  this.timeout(60_000);
  let dir: string;
  let env: Record<string, string>;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'returnsbot-cli-'));
    env = { RETURNS_DATA_DIR: dir, RETURNS_TODAY: '2026-12-30', RETURNS_DEMO_ORDERS: 'false' };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('orders import loads a file and is idempotent by order number', async () => {
    const file = join(dir, 'orders.json');
    writeFileSync(file, JSON.stringify(SCENARIO_ORDERS));
    const first = await runCli(['orders', 'import', file], { env });
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stdout).to.match(/3 orders: 3 added, 0 updated, 0 unchanged/);
    const again = await runCli(['orders', 'import', file], { env });
    expect(again.stdout).to.match(/0 added, 0 updated, 3 unchanged/);
    const changed = SCENARIO_ORDERS.map((o, i) => (i === 0 ? { ...o, deliveredOn: '2026-12-23' } : o));
    writeFileSync(file, JSON.stringify(changed));
    const third = await runCli(['orders', 'import', file], { env });
    expect(third.stdout).to.match(/0 added, 1 updated, 2 unchanged/);
  });

  it('orders import refuses a bad file with one line per problem and changes nothing', async () => {
    const file = join(dir, 'bad.json');
    const bad = [{ ...SCENARIO_ORDERS[0], deliveredOn: '22/12/2026', customer: { email: 'not-an-email', postcode: 'LS1 4AP' } }];
    writeFileSync(file, JSON.stringify(bad));
    const run = await runCli(['orders', 'import', file], { env });
    expect(run.code).to.equal(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines.some((l) => l.startsWith('orders[0].deliveredOn: expected a date YYYY-MM-DD'))).to.equal(true);
    expect(lines.some((l) => l.startsWith('orders[0].customer.email: '))).to.equal(true);
    expect(run.stderr).not.to.match(/\n\s+at /);
    writeFileSync(file, JSON.stringify([{ ...SCENARIO_ORDERS[0], policy: 'no-such-pack' }]));
    const unknownPack = await runCli(['orders', 'import', file], { env });
    expect(unknownPack.code).to.equal(2);
    expect(unknownPack.stderr).to.match(/^orders\[0\]\.policy: expected a known policy pack/);
  });

  it('chat runs a whole return in the terminal and rma show prints it with its decision and audit trail', async () => {
    const file = join(dir, 'orders.json');
    writeFileSync(file, JSON.stringify(SCENARIO_ORDERS));
    await runCli(['orders', 'import', file], { env });
    const script = ['UK-100234', 'sam@example.com', '1', 'I changed my mind', 'no', 'no', 'yes', 'yes', '/quit'].join('\n');
    const chat = await runCli(['chat', '--locale', 'en-GB'], { env, stdin: script });
    expect(chat.code, chat.stderr).to.equal(0);
    const rma = RMA.exec(chat.stdout)?.[0];
    expect(rma, chat.stdout).to.be.a('string');
    expect(chat.stdout).to.match(/1\. Studio headphones/);
    const shown = await runCli(['rma', 'show', rma!.toLowerCase()], { env });
    expect(shown.code, shown.stderr).to.equal(0);
    expect(shown.stdout).to.include(rma!);
    expect(shown.stdout).to.match(/decision: approved under uk-online/);
    expect(shown.stdout).to.match(/clauses: .*uk-online\/change-of-mind\/window/);
    expect(shown.stdout).to.match(/rma\.issued/);
    // the facts of the decision with their sources (the machine gives no case yet: the order's own)
    expect(shown.stdout).to.match(/^status issued; remedy recorded: refund$/m);
    expect(shown.stdout).to.match(/^facts: delivered on 2026-12-22 \(order\)/m);
    const json = await runCli(['rma', 'show', rma!, '--json'], { env });
    const record = JSON.parse(json.stdout) as { rma: string; decision: { outcome: string }; audit: unknown[] };
    expect(record.rma).to.equal(rma);
    expect(record.decision.outcome).to.equal('approved');
    expect(record.audit).to.have.length.greaterThan(0);
  });

  it('rma show prints the recorded remedy, the status, every fact with its source and each change in the audit trail', async () => {
    const store = await openStore({ dataDir: dir });
    let rma: string;
    try {
      const c = caseSchema.parse({
        policy: 'uk-online',
        today: '2026-12-30',
        reason: 'faulty',
        deliveredOn: '2026-12-17',
        recordedDeliveredOn: '2026-12-14',
        sources: { deliveredOn: 'customer' },
        product: { category: 'headphones', sku: 'HP-200' },
        condition: { faultCause: 'defect', tampered: false, serialLabelIntact: true },
      });
      const decision = decide(c, loadPack('uk-online'));
      ({
        record: { rma },
      } = await store.issueRma({
        orderNumber: 'UK-100234',
        sku: 'HP-200',
        reason: 'faulty',
        remedy: 'replacement',
        decision,
        conversationId: 'c1',
        actor: 'bot',
        at: '2026-12-30T10:00:00.000Z',
        facts: usedFacts(c, decision),
      }));
      const changed = await changeRmaRemedy(store, { rma, remedy: 'refund', by: 'customer', at: '2026-12-30T10:05:00.000Z' });
      expect(changed.code).to.equal('changed');
      await setRmaStatus(store, { rma, status: 'received', agent: 'alex', displayName: 'Alex Morgan', at: '2027-01-02T09:00:00.000Z', note: 'parcel in' });
    } finally {
      await store.close();
    }
    const shown = await runCli(['rma', 'show', rma], { env });
    expect(shown.code, shown.stderr).to.equal(0);
    expect(shown.stdout).to.match(/^status received; remedy recorded: refund$/m);
    expect(shown.stdout).to.match(/^facts: delivered on 2026-12-17 \(customer\); .*faultCause defect \(customer\)/m);
    expect(shown.stdout).to.match(/product headphones \/ HP-200 \(order\)/);
    expect(shown.stdout).to.match(/2026-12-30T10:05:00.000Z {2}customer {2}remedy replacement → refund$/m);
    expect(shown.stdout).to.match(/2027-01-02T09:00:00.000Z {2}agent:alex {2}status issued → received \(by Alex Morgan, note: parcel in\)$/m);
  });

  it('rma show refuses a malformed number (exit 2) and reports an unknown one (exit 1)', async () => {
    const bad = await runCli(['rma', 'show', 'RMA-1234'], { env });
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.match(/expected an RMA number/);
    const unknown = await runCli(['rma', 'show', 'RMA-0000-0000'], { env });
    expect(unknown.code).to.be.oneOf([1, 2]);
  });
});

describe('returnsbot serve (the real binary)', function () {
  this.timeout(60_000);

  it('starts, answers /healthz, and exits cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'returnsbot-serve-'));
    const child = spawn(process.execPath, ['bin/returnsbot.js', 'serve'], {
      cwd: ROOT,
      env: { ...process.env, PORT: '0', RETURNS_DATA_DIR: dir, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start in time:\n${out}`)), 30_000);
      child.stdout.on('data', () => {
        const m = /"port":(\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
    });
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(res.status).to.equal(200);
    expect(out).to.match(/demo orders loaded/);
    expect(out).to.match(/unauthenticated/);
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', (c) => resolve(c));
      child.kill('SIGTERM');
    });
    expect(code, out).to.equal(0);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a bad configuration stops the start with a message naming the variable', async () => {
    const run = await runCli(['serve'], { env: { PORT: 'eighty', RETURNS_TODAY: '30/12/2026', LOG_LEVEL: 'chatty' } });
    expect(run.code).to.equal(2);
    expect(run.stderr).to.match(/PORT: expected a port number/);
    expect(run.stderr).to.match(/RETURNS_TODAY: expected a date YYYY-MM-DD, got "30\/12\/2026"/);
    expect(run.stderr).to.match(/LOG_LEVEL: /);
    expect(run.stderr).not.to.match(/\n\s+at /);
  });
});

describe('returnsbot agent add / remove / list', function () {
  this.timeout(60_000);
  let dir: string;
  let env: Record<string, string>;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'returnsbot-agent-'));
    env = { RETURNS_DATA_DIR: dir, RETURNS_DEMO_ORDERS: 'false' };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the access key once, stores only its hash, refuses a duplicate, and revokes on remove', async () => {
    const added = await runCli(['agent', 'add', 'alex', '--display', 'Alex Smith'], { env });
    expect(added.code, added.stderr).to.equal(0);
    const key = /rbk_[A-Za-z0-9_-]{43}/.exec(added.stdout)?.[0];
    expect(key, added.stdout).to.be.a('string');
    // Only the hash is in the database file.
    const { readFileSync, readdirSync } = await import('node:fs');
    const bytes = readdirSync(dir)
      .map((f) => readFileSync(join(dir, f)).toString('latin1'))
      .join('');
    expect(bytes).not.to.include(key!);
    const { hashAccessKey } = await import('../../src/handoff/keys.js');
    const { openStore } = await import('../../src/store/index.js');
    const store = await openStore({ dataDir: dir });
    expect((await store.agentByKeyHash(hashAccessKey(key!)))?.displayName).to.equal('Alex Smith');
    await store.close();

    const again = await runCli(['agent', 'add', 'alex'], { env });
    expect(again.code).to.equal(2);
    expect(again.stderr).to.match(/already a staff account "alex"/);
    const list = await runCli(['agent', 'list'], { env });
    expect(list.stdout).to.match(/alex\s+Alex Smith/);
    expect(list.stdout).not.to.include(key!);

    const removed = await runCli(['agent', 'remove', 'alex'], { env });
    expect(removed.code).to.equal(0);
    const store2 = await openStore({ dataDir: dir });
    expect(await store2.agentByKeyHash(hashAccessKey(key!))).to.equal(null);
    await store2.close();
    expect((await runCli(['agent', 'remove', 'alex'], { env })).code).to.equal(1);
    const bad = await runCli(['agent', 'add', 'not a name!'], { env });
    expect(bad.code).to.equal(2);
  });
});
