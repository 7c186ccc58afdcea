/**
 * Acceptance: two bot server PROCESSES (`node bin/returnsbot.js serve`, the build in dist/) on one
 * PostgreSQL database, hit at once with whole return conversations whose activities go to either
 * instance at random, a third of them re-sent (same activity id) to the OTHER instance, half of those
 * at the same moment as the original.
 *
 * Nothing may be lost or doubled: every request answers 200, every conversation ends with its RMA and
 * exactly the facts it was given, its log holds each activity once and in order, its version equals
 * the number of distinct activities, a re-sent activity gets the original replies, and the `rmas`
 * table holds exactly one RMA per approved (order line, reason), shared by the conversations that
 * asked for the same line.
 *
 * Needs TEST_DATABASE_URL; without it the test is reported as pending.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { expect } from 'chai';
import { ROOT } from '../../src/paths.js';
import { stateName } from '../../machines/returns.machine.js';
import { orderSchema, type OrderInput } from '../../src/orders.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { createSchema, dropSchema, TEST_DATABASE_URL, urlWithSchema, withClient } from '../support/pg.js';
import type { BotActivity } from '../support/server.js';

// ---- the build -----------------------------------------------------------------------------------

/** The first TypeScript source (src/, machines/, dialogs/) whose build in dist/ is missing or older, if any. */
function staleSource(): string | null {
  const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
  for (const top of ['src', 'machines', 'dialogs']) {
    for (const file of walk(join(ROOT, top))) {
      if (!file.endsWith('.ts') || file.endsWith('.d.ts')) continue;
      const built = join(ROOT, 'dist', relative(ROOT, file).replace(/\.ts$/, '.js'));
      if (!existsSync(built) || statSync(built).mtimeMs < statSync(file).mtimeMs) return relative(ROOT, file);
    }
  }
  return null;
}

// ---- the two servers -------------------------------------------------------------------------------

interface Instance {
  name: string;
  url: string;
  child: ChildProcessWithoutNullStreams;
  /** Every JSON log line the process wrote. */
  logs: Record<string, unknown>[];
  stderr: string;
}

async function startInstance(name: string, databaseUrl: string, dataDir: string): Promise<Instance> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    DATABASE_URL: databaseUrl,
    RETURNS_DATA_DIR: dataDir,
    RETURNS_TODAY: '2026-12-30',
    RETURNS_DEMO_ORDERS: 'false',
    PORT: '0',
    LOG_LEVEL: 'info',
    // This test is about storage under concurrency, not about the rate limits.
    RATE_LIMIT_PER_MINUTE: '0',
    RATE_LIMIT_NEW_CONVERSATIONS_PER_MINUTE: '0',
  };
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'returnsbot.js'), 'serve'], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  const instance: Instance = { name, url: '', child, logs: [], stderr: '' };
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      try {
        instance.logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        instance.logs.push({ raw: line });
      }
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (instance.stderr += chunk.toString()));
  const until = Date.now() + 30_000;
  for (;;) {
    const listening = instance.logs.find((l) => typeof l['port'] === 'number' && l['msg'] === 'returnsbot listening');
    if (listening) {
      expect(listening['store'], 'the server must use PostgreSQL').to.equal('postgres');
      instance.url = `http://127.0.0.1:${listening['port'] as number}`;
      return instance;
    }
    if (child.exitCode !== null || Date.now() > until) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not start (exit ${child.exitCode}): ${instance.stderr.slice(0, 2000)} ${JSON.stringify(instance.logs).slice(0, 2000)}`);
    }
    await sleep(50);
  }
}

async function stopInstance(instance: Instance): Promise<void> {
  const { child } = instance;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

// ---- orders and scripts ----------------------------------------------------------------------------

const ORDERS = 20;
const CONVERSATIONS = 40;
const DUPLICATE_SHARE = 0.3;

const orderNumber = (i: number): string => `UK-8${String(i).padStart(5, '0')}`;

function order(i: number): OrderInput {
  return {
    orderNumber: orderNumber(i),
    policy: 'uk-online',
    currency: 'GBP',
    customer: { email: `customer${i}@example.com`, postcode: 'LS1 4AP', region: 'GB-ENG' },
    placedOn: '2026-12-19',
    deliveredOn: '2026-12-22',
    delivery: { charge: 4.99, cheapestCharge: 4.99 },
    items: [
      { sku: 'HP-200', name: 'Studio headphones', category: 'headphones', price: 59.99, quantity: 1 },
      { sku: 'NB-15', name: 'Aero 15 notebook', category: 'notebook', price: 899.0, quantity: 1 },
    ],
  };
}

/** The condition facts every customer here answers (what the policy asks depends on item and reason). */
const FACTS: Record<string, boolean> = {
  sealBroken: false,
  used: false,
  activationStripDamaged: false,
  serialLabelIntact: true,
  tampered: false,
  packagingOpened: false,
  softwareClaimed: false,
};

interface Script {
  conversationId: string;
  order: number;
  sku: 'HP-200' | 'NB-15';
  reason: 'change-of-mind' | 'faulty' | 'misdescribed';
  answers: Record<string, string>;
  remedy: 'refund' | 'replacement';
}

/** Four kinds of return, so RMAs differ in line and reason; conversation i and i + ORDERS ask for the same line. */
function script(i: number): Script {
  const n = i % ORDERS;
  const base = { conversationId: `conv-${i}-${randomUUID()}`, order: n };
  const common = { opening: 'hi', orderNumber: orderNumber(n), verify: `customer${n}@example.com` };
  switch (n % 4) {
    case 0:
      return { ...base, sku: 'HP-200', reason: 'change-of-mind', remedy: 'refund', answers: { ...common, item: 'Studio headphones', reason: "I changed my mind, I don't need them any more" } };
    case 1:
      return { ...base, sku: 'NB-15', reason: 'change-of-mind', remedy: 'refund', answers: { ...common, item: 'Aero 15 notebook', reason: 'I changed my mind, found it cheaper elsewhere' } };
    case 2:
      return {
        ...base,
        sku: 'NB-15',
        reason: 'faulty',
        remedy: 'refund',
        answers: { ...common, item: 'Aero 15 notebook', reason: "it won't turn on", faultCause: "it just stopped working, I didn't drop it", remedy: 'refund' },
      };
    default:
      return {
        ...base,
        sku: 'NB-15',
        reason: 'misdescribed',
        remedy: 'replacement',
        answers: { ...common, item: 'Aero 15 notebook', reason: "it's not what the listing said, it has 8GB of RAM not 16", remedy: 'a replacement please' },
      };
  }
}

function answerFor(s: Script, step: string): string {
  if (s.answers[step] !== undefined) return s.answers[step]!;
  if (step === 'confirm') return 'yes';
  if (step in FACTS) return FACTS[step] ? 'yes' : 'no';
  throw new Error(`${s.conversationId}: no answer for step "${step}"`);
}

// ---- talking to the servers ------------------------------------------------------------------------

interface Sent {
  id: string;
  text: string;
  /** The replies of the first answer that came back, and the step it asked. */
  replies: BotActivity[];
}

interface Stats {
  requests: number;
  byInstance: Record<string, number>;
  duplicates: number;
  /** Re-sent while the original was still in flight. */
  concurrentDuplicates: number;
  failures: string[];
}

async function post(instance: Instance, conversationId: string, id: string, text: string, stats: Stats): Promise<BotActivity[] | null> {
  stats.requests++;
  stats.byInstance[instance.name] = (stats.byInstance[instance.name] ?? 0) + 1;
  const activity = {
    type: 'message',
    id,
    channelId: 'test',
    serviceUrl: 'http://127.0.0.1:9',
    deliveryMode: 'expectReplies',
    locale: 'en-GB',
    timestamp: new Date().toISOString(),
    from: { id: `user-${conversationId}`, role: 'user' },
    recipient: { id: 'bot' },
    conversation: { id: conversationId },
    text,
  };
  try {
    const res = await fetch(`${instance.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity),
      signal: AbortSignal.timeout(30_000),
    });
    const body = await res.text();
    if (res.status !== 200) {
      stats.failures.push(`${instance.name} ${conversationId} ${id}: HTTP ${res.status} ${body.slice(0, 200)}`);
      return null;
    }
    return (JSON.parse(body) as { activities?: BotActivity[] }).activities ?? [];
  } catch (e) {
    stats.failures.push(`${instance.name} ${conversationId} ${id}: ${(e as Error).message}`);
    return null;
  }
}

/** What a channel shows of a reply (what a re-sent activity must get back unchanged). */
const shown = (replies: readonly BotActivity[]) =>
  replies.map((a) => ({ type: a.type, text: a.text, inputHint: a.inputHint, locale: a.locale, suggestedActions: a.suggestedActions, attachments: a.attachments, channelData: a.channelData }));

const askedStep = (replies: readonly BotActivity[]): string | null =>
  [...replies].reverse().find((a) => a.inputHint === 'expectingInput' && a.channelData?.returns?.step)?.channelData?.returns?.step ?? null;

const rmaIn = (replies: readonly BotActivity[]): string | undefined => replies.map((a) => a.channelData?.returns?.rma).find(Boolean);

interface Outcome {
  script: Script;
  sent: Sent[];
  rma?: string;
  mismatches: string[];
}

/** Drive one conversation to its RMA, each activity to a random instance, some re-sent to the other one. */
async function run(s: Script, instances: readonly [Instance, Instance], stats: Stats): Promise<Outcome> {
  const outcome: Outcome = { script: s, sent: [], mismatches: [] };
  let step: string | null = 'opening';
  for (let turn = 0; turn < 20 && step !== null; turn++) {
    const text = step === 'opening' ? s.answers['opening']! : answerFor(s, step);
    const id = randomUUID();
    const pick = Math.random() < 0.5 ? 0 : 1;
    const first = instances[pick]!;
    const other = instances[1 - pick]!;
    let replies: BotActivity[] | null;
    let again: BotActivity[] | null = null;
    if (Math.random() < DUPLICATE_SHARE) {
      stats.duplicates++;
      const mode = Math.random();
      if (mode < 0.5) {
        // the channel's retry races the original, to the other instance: at the same moment, or a
        // few milliseconds later while the original is being processed
        stats.concurrentDuplicates++;
        const delay = mode < 0.25 ? 0 : Math.floor(Math.random() * 15);
        [replies, again] = await Promise.all([post(first, s.conversationId, id, text, stats), sleep(delay).then(() => post(other, s.conversationId, id, text, stats))]);
      } else {
        // the retry comes after the original was answered
        replies = await post(first, s.conversationId, id, text, stats);
        again = await post(other, s.conversationId, id, text, stats);
      }
    } else {
      replies = await post(first, s.conversationId, id, text, stats);
    }
    if (!replies) return outcome;
    // (deep equality: the stored copy comes back from JSONB with its keys in another order)
    if (again && !isDeepStrictEqual(shown(again), shown(replies))) {
      outcome.mismatches.push(`${id} (${text}): ${JSON.stringify(shown(replies)).slice(0, 300)} ≠ ${JSON.stringify(shown(again)).slice(0, 300)}`);
    }
    outcome.sent.push({ id, text, replies });
    const rma = rmaIn(replies);
    if (rma) {
      outcome.rma = rma;
      break;
    }
    step = askedStep(replies);
  }
  return outcome;
}

// ---- the test --------------------------------------------------------------------------------------

describe('two server processes on one PostgreSQL database (needs TEST_DATABASE_URL)', function () {
  this.timeout(60_000);

  let schema: string | undefined;
  let store: PostgresStore | undefined;
  let dataDir: string | undefined;
  const instances: Instance[] = [];

  before(async function () {
    if (!TEST_DATABASE_URL) this.skip();
    this.timeout(240_000);
    const stale = staleSource();
    if (stale) {
      const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8', timeout: 200_000 });
      if (build.status !== 0) throw new Error(`dist/ is older than ${stale} and \`npm run build\` failed:\n${build.stdout}\n${build.stderr}`);
    }
    schema = await createSchema();
    const databaseUrl = urlWithSchema(schema);
    store = new PostgresStore({ connectionString: databaseUrl });
    await store.migrate();
    await store.importOrders(Array.from({ length: ORDERS }, (_, i) => orderSchema.parse(order(i))));
    dataDir = mkdtempSync(join(tmpdir(), 'returnsbot-two-'));
    instances.push(...(await Promise.all([startInstance('a', databaseUrl, dataDir), startInstance('b', databaseUrl, dataDir)])));
  });

  after(async function () {
    await Promise.all(instances.splice(0).map(stopInstance));
    await store?.close();
    if (schema) await dropSchema(schema);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers every turn once, loses nothing and issues one RMA per line and reason under concurrent, duplicated turns', async function () {
    const [a, b] = instances as [Instance, Instance];
    const stats: Stats = { requests: 0, byInstance: {}, duplicates: 0, concurrentDuplicates: 0, failures: [] };
    const started = Date.now();
    const outcomes = await Promise.all(Array.from({ length: CONVERSATIONS }, (_, i) => run(script(i), [a, b], stats)));
    const elapsed = Date.now() - started;

    // no request failed, and no turn failed inside a server (an apology would still be HTTP 200)
    expect(stats.failures, stats.failures.slice(0, 5).join('\n')).to.deep.equal([]);
    const failedTurns = [...a.logs, ...b.logs].filter((l) => typeof l['level'] === 'number' && (l['level'] as number) >= 50);
    expect(failedTurns, JSON.stringify(failedTurns.slice(0, 3))).to.deep.equal([]);
    // duplicates got the replies of the original
    const mismatches = outcomes.flatMap((o) => o.mismatches);
    expect(mismatches, mismatches.slice(0, 3).join('\n')).to.deep.equal([]);
    expect(stats.requests).to.be.greaterThan(CONVERSATIONS * 9);
    expect(stats.concurrentDuplicates).to.be.greaterThan(0);

    const db = store!;
    for (const o of outcomes) {
      const s = o.script;
      const why = `${s.conversationId}: ${o.sent.map((x) => x.text).join(' → ')}`;
      expect(o.rma, why).to.be.a('string');
      // the stored conversation: at the end, with the facts it was given, one version per activity
      const record = await db.loadConversation(s.conversationId);
      expect(record?.version, why).to.equal(o.sent.length);
      const snapshot = record?.snapshot as {
        value: unknown;
        context: {
          rma: string | null;
          reason: string;
          remedy: string | null;
          orderNumber: string | null;
          order: { orderNumber: string; items: { sku: string }[] } | null;
          itemIndex: number | null;
          facts: Record<string, unknown>;
        };
      };
      expect(stateName(snapshot), why).to.equal('done');
      const ctx = snapshot.context;
      expect(ctx.rma, why).to.equal(o.rma);
      expect(ctx.reason, why).to.equal(s.reason);
      expect(ctx.remedy, why).to.equal(s.remedy);
      expect(ctx.order?.orderNumber, why).to.equal(orderNumber(s.order));
      expect(ctx.order?.items[ctx.itemIndex ?? -1]?.sku, why).to.equal(s.sku);
      const askedFacts = o.sent.map((x, i) => (i === 0 ? null : askedStep(o.sent[i - 1]!.replies))).filter((step): step is string => step !== null && step in FACTS);
      expect(askedFacts.length, why).to.be.greaterThan(0);
      for (const fact of askedFacts) expect(ctx.facts[fact], `${why}: ${fact}`).to.equal(FACTS[fact]);
      for (const [fact, value] of Object.entries(ctx.facts)) if (fact in FACTS) expect(value, `${why}: ${fact}`).to.equal(FACTS[fact]);

      // the log: every activity once, in the order sent, each followed by its replies; numbered 1, 2, 3 …
      const log = await db.readLog(s.conversationId);
      expect(
        log.map((e) => e.seq),
        why,
      ).to.deep.equal(log.map((_, i) => i + 1));
      const customer = log.filter((e) => (e.activity['from'] as { role?: string } | undefined)?.role === 'user');
      expect(
        customer.map((e) => e.activity['id']),
        why,
      ).to.deep.equal(o.sent.map((x) => x.id));
      expect(
        customer.map((e) => e.activity['text']),
        why,
      ).to.deep.equal(o.sent.map((x) => x.text));
      expect(log.length, why).to.equal(o.sent.length + o.sent.reduce((n, x) => n + x.replies.length, 0));
      for (const x of o.sent)
        expect(await db.findProcessedActivity(s.conversationId, x.id), why)
          .to.be.an('array')
          .with.length(x.replies.length);
    }

    // the RMAs: exactly one per (order line, reason), the same for both conversations that asked for it
    const rows = await withClient(
      async (c) =>
        (
          await c.query<{ rma: string; order_number: string; sku: string; reason: string; audits: number }>(
            `SELECT r.rma, r.order_number, r.sku, r.reason, (SELECT count(*)::int FROM ${schema}.rma_audit x WHERE x.rma = r.rma) AS audits FROM ${schema}.rmas r`,
          )
        ).rows,
    );
    const lines = new Map(outcomes.map((o) => [`${orderNumber(o.script.order)}/${o.script.sku}/${o.script.reason}`, o.rma]));
    expect(lines.size).to.equal(ORDERS);
    expect(rows).to.have.length(lines.size);
    for (const row of rows) {
      expect(lines.get(`${row.order_number}/${row.sku}/${row.reason}`), JSON.stringify(row)).to.equal(row.rma);
      expect(row.audits).to.equal(1);
    }
    for (let i = 0; i < ORDERS; i++) expect(outcomes[i]?.rma, `conversations ${i} and ${i + ORDERS}`).to.equal(outcomes[i + ORDERS]?.rma);

    // both servers are still healthy
    for (const instance of instances) expect((await fetch(`${instance.url}/healthz`)).status).to.equal(200);

    // The advisory lock queued every turn of a conversation across both instances, so none had to be
    // rerun after a compare-and-swap conflict (the version check would have caught it: see above).
    const retries = [...a.logs, ...b.logs].filter((l) => l['msg'] === 'turn conflict, retrying').length;
    expect(retries, 'turns rerun after a version conflict').to.equal(0);
    const turns = outcomes.reduce((n, o) => n + o.sent.length, 0);
    console.log(
      `      ${CONVERSATIONS} conversations, ${turns} distinct activities, ${stats.requests} requests (a ${stats.byInstance['a']}, b ${stats.byInstance['b']}), ` +
        `${stats.duplicates} re-sent to the other instance (${stats.concurrentDuplicates} while the original was in flight), ${retries} compare-and-swap retries, ${rows.length} RMAs, ${elapsed} ms`,
    );
  });
});
