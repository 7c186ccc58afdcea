/**
 * Fills an SQLite store with finished conversations, fast, for the `growth` benchmark:
 *
 *   node --import tsx bench/seed-store.ts DATA_DIR --conversations 100000 [--queued 20]
 *
 * The store is opened once through the project's own code (`openStore`: the migrations run), then
 * rows are inserted with raw SQL in big transactions over prepared statements. Each finished
 * conversation is shaped like one the `http` benchmark leaves behind (its footprint row): a
 * conversation row with a ~2 KB snapshot, 22 transcript entries (~9 KB: the customer's messages and
 * the bot's replies), 10 dedupe entries, 2 audit entries (the decision, the RMA shown); 70 % of them
 * with an RMA (a real decision of the policy engine, and its audit entry) and 10 % with a closed
 * hand-over. `--queued N` adds N conversations waiting in the staff queue (each with a transcript),
 * the same N at every size, so the queue listing lists the same rows whatever the store holds.
 * Dated over the year before 2026-12-30 (the benchmark's RETURNS_TODAY). Orders are not seeded
 * (they are imported, not produced by conversations).
 *
 * Prints one JSON line: what was written and how long it took. `seedStore` does the same in-process.
 */
import { parseArgs } from 'node:util';
import { decide } from '../src/policy/engine.js';
import { loadPack } from '../src/policy/packs.js';
import { openStore, sqliteFileIn } from '../src/store/index.js';
import { openSqlite } from '../src/store/sqlite-binding.js';
import { checkSymbol, CROCKFORD_ALPHABET } from '../src/store/rma-id.js';
import { mixedCases } from './decide.js';

export interface SeedOptions {
  dataDir: string;
  /** Finished conversations to write. */
  conversations: number;
  /** Conversations waiting in the staff queue (default 20). */
  queued?: number;
  /** Conversations per transaction (default 10,000). */
  batch?: number;
}

export interface SeedResult {
  conversations: number;
  queued: number;
  rows: Record<string, number>;
  /** Some of the RMA numbers written (for `rma show`). */
  sampleRmas: string[];
  seconds: number;
}

const LOG_ENTRIES = 22;
const DEDUPE_ENTRIES = 10;
const DAY_MS = 86_400_000;
const END = Date.parse('2026-12-29T12:00:00Z');
/** Markers in the JSON templates, replaced per row (JSON.stringify leaves them as they are). */
const ID = '@@ID@@';
const AT = '@@AT@@';
const ORDER = '@@ORDER@@';
const RMA = '@@RMA@@';

/** A deterministic, valid RMA number for seed index `i` (first symbol Z: apart from most random ones). */
export function seedRma(i: number): string {
  let body = '';
  for (let k = 0, x = i; k < 6; k++, x = Math.floor(x / 32)) body = CROCKFORD_ALPHABET.charAt(x % 32) + body;
  body = `Z${body}`;
  const s = body + checkSymbol(body);
  return `RMA-${s.slice(0, 4)}-${s.slice(4, 8)}`;
}

const pad = (n: number) => 'x'.repeat(n);
/** Text of about `n` characters that reads like a bot reply. */
const words = (n: number) => 'Thanks, I have found your order and checked it against our returns policy. '.repeat(Math.ceil(n / 76)).slice(0, n);

const SNAPSHOTS = { withRma: snapshotJsonSlow(ID, ORDER, RMA, AT), without: snapshotJsonSlow(ID, ORDER, null, AT) };
function snapshotJson(id: string, order: string, rma: string | null, at: string): string {
  const t = rma ? SNAPSHOTS.withRma.replace(RMA, rma) : SNAPSHOTS.without;
  return t
    .replaceAll(ID, id)
    .replaceAll(ORDER, order)
    .replace('"now":null', `"now":${Date.parse(at)}`)
    .replaceAll(AT, at);
}

function snapshotJsonSlow(id: string, order: string, rma: string | null, at: string): string {
  return JSON.stringify({
    status: 'active',
    value: 'ended',
    historyValue: {},
    context: {
      now: at === AT ? null : Date.parse(at),
      todayOverride: null,
      defaultPolicy: 'uk-online',
      conversationId: id,
      orderNumber: order,
      order: {
        orderNumber: order,
        policy: 'uk-online',
        currency: 'GBP',
        customer: { email: 'seed@example.com', postcode: 'LS1 4AP', region: 'GB-ENG' },
        placedOn: '2026-01-02',
        deliveredOn: '2026-01-05',
        items: [{ sku: 'HP-STUDIO-1', name: 'Studio headphones', category: 'audio', price: 129.99, quantity: 1 }],
        note: pad(600),
      },
      verifyAttempts: 0,
      itemIndex: 0,
      reason: 'change-of-mind',
      mentionsFault: false,
      facts: { sealBroken: false, used: false, tampered: false, packagingOpened: false, serialLabelIntact: true },
      unavailable: [],
      deliveredOn: null,
      decision: { outcome: rma ? 'approved' : 'rejected', reason: 'change-of-mind', clauses: ['4.1', '4.2'], remedies: ['refund'], note: pad(500) },
      remedy: rma ? 'refund' : null,
      rma,
      misunderstood: { step: null, count: 0 },
      choices: [],
      at: null,
      handoff: null,
    },
    children: {},
  });
}

/** The transcript entries with the conversation id and time left as markers, split at them once. */
const LOG_TEMPLATES = Array.from({ length: LOG_ENTRIES }, (_, k) => logJsonSlow(ID, k, AT));
function logJson(id: string, k: number, at: string): string {
  return LOG_TEMPLATES[k]!.replaceAll(ID, id).replaceAll(AT, at);
}

function logJsonSlow(id: string, k: number, at: string): string {
  if (k % 2 === 0) {
    return JSON.stringify({ type: 'message', id: `${id}-${k / 2}`, from: { id: `user-${id}`, role: 'user' }, text: words(40), locale: 'en-GB', timestamp: at });
  }
  return JSON.stringify({
    type: 'message',
    from: { id: 'returnsbot', name: 'Returns assistant', role: 'bot' },
    text: words(420),
    speak: words(120),
    locale: 'en-GB',
    inputHint: 'expectingInput',
    suggestedActions: {
      actions: [
        { type: 'imBack', title: 'Yes', value: 'yes' },
        { type: 'imBack', title: 'No', value: 'no' },
      ],
    },
    channelData: { returns: { step: 'confirm' } },
    replyToId: `${id}-${(k - 1) / 2}`,
  });
}

export async function seedStore(options: SeedOptions): Promise<SeedResult> {
  const started = performance.now();
  const queued = options.queued ?? 20;
  const batch = options.batch ?? 10_000;
  // The schema, through the project's own code.
  await (await openStore({ dataDir: options.dataDir })).close();
  const { db } = openSqlite(sqliteFileIn(options.dataDir));
  // Benchmark data, nothing to lose: no syncs while writing (the store left the file in WAL mode).
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -200000');

  const packs = { 'uk-online': loadPack('uk-online'), 'impress-us': loadPack('impress-us') } as const;
  const decisions = mixedCases(400)
    .map((c) => decide(c, packs[c.policy as keyof typeof packs]))
    .filter((d) => d.outcome === 'approved')
    .map((d) => JSON.stringify(d));
  if (decisions.length === 0) throw new Error('no approved decision among the mixed cases');

  const insConversation = db.prepare('INSERT INTO conversations (id, version, machine_version, snapshot, locale, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  // A conversation's transcript and dedupe entries in one statement each (fewer calls into the binding).
  const tuples = (n: number, one: string) => Array.from({ length: n }, () => one).join(', ');
  const insLog = db.prepare(`INSERT INTO conversation_log (conversation_id, seq, at, activity) VALUES ${tuples(LOG_ENTRIES, '(?, ?, ?, ?)')}`);
  const insDedupe = db.prepare(`INSERT INTO processed_activities (conversation_id, activity_id, first_seq, reply_count, at) VALUES ${tuples(DEDUPE_ENTRIES, '(?, ?, ?, ?, ?)')}`);
  const insAudit = db.prepare('INSERT INTO conversation_audit (conversation_id, at, actor, action, data) VALUES (?, ?, ?, ?, ?)');
  const insRma = db.prepare('INSERT INTO rmas (rma, order_number, sku, reason, remedy, decision, conversation_id, issued_by, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const insRmaAudit = db.prepare('INSERT INTO rma_audit (rma, at, actor, action, data) VALUES (?, ?, ?, ?, ?)');
  const insHandoff = db.prepare(
    'INSERT INTO handoffs (conversation_id, status, reason, channel_id, queued_at, taken_at, agent, ended_at, summary, reference, version, change_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)',
  );
  const rows: Record<string, number> = { conversations: 0, conversation_log: 0, processed_activities: 0, conversation_audit: 0, rmas: 0, rma_audit: 0, handoffs: 0 };
  let changeSeq = (db.prepare('SELECT coalesce(max(change_seq), 0) AS n FROM handoffs').get() as { n: number }).n;
  const sampleRmas: string[] = [];

  const summary = (order: string) => JSON.stringify({ orderNumber: order, item: 'Studio headphones', reason: 'transit-damage', outcome: 'referred', note: pad(200) });
  const transcript = (id: string, stamp: string) => {
    insLog.run(...Array.from({ length: LOG_ENTRIES }, (_, k) => [id, k + 1, stamp, logJson(id, k, stamp)]).flat());
    rows.conversation_log! += LOG_ENTRIES;
  };

  const writeFinished = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const id = `seed-${i}`;
      const t = END - DAY_MS - Math.floor((((i * 7919) % 1_000_003) / 1_000_003) * 364 * DAY_MS);
      const stamp = new Date(t).toISOString();
      const order = `SEED-${i}`;
      const rma = i % 10 < 7 ? seedRma(i) : null;
      insConversation.run(id, LOG_ENTRIES / 2, 2, snapshotJson(id, order, rma, stamp), 'en-GB', stamp, stamp);
      transcript(id, stamp);
      insDedupe.run(...Array.from({ length: DEDUPE_ENTRIES }, (_, k) => [id, `${id}-${k}`, 2 * k + 2, 1, stamp]).flat());
      insAudit.run(id, stamp, 'bot', 'decision', JSON.stringify({ outcome: rma ? 'approved' : 'rejected', reason: 'change-of-mind', orderNumber: order }));
      rows.conversations!++;
      rows.processed_activities! += DEDUPE_ENTRIES;
      rows.conversation_audit!++;
      if (rma) {
        insRma.run(rma, order, 'HP-STUDIO-1', 'change-of-mind', 'refund', decisions[i % decisions.length]!, id, 'bot', null, stamp);
        insRmaAudit.run(rma, stamp, 'bot', 'issued', JSON.stringify({ conversationId: id, remedy: 'refund' }));
        insAudit.run(id, stamp, 'bot', 'rma.shown', JSON.stringify({ rma }));
        rows.rmas!++;
        rows.rma_audit!++;
        rows.conversation_audit!++;
        if (sampleRmas.length < 1000 && i % 97 === 0) sampleRmas.push(rma);
      }
      if (i % 10 === 9) {
        insHandoff.run(id, 'closed', 'transit-damage', 'directline', stamp, stamp, 'seed-agent', stamp, summary(order), 3, ++changeSeq);
        rows.handoffs!++;
      }
    }
  });
  for (let from = 0; from < options.conversations; from += batch) writeFinished.immediate(from, Math.min(options.conversations, from + batch));

  // The queue: the same conversations waiting at every size, queued on the benchmark's day.
  db.transaction(() => {
    for (let q = 0; q < queued; q++) {
      const id = `seed-queued-${q}`;
      const stamp = new Date(END + q * 1000).toISOString();
      insConversation.run(id, LOG_ENTRIES / 2, 2, snapshotJson(id, `SEED-Q${q}`, null, stamp), 'en-GB', stamp, stamp);
      transcript(id, stamp);
      insHandoff.run(id, 'queued', 'transit-damage', 'directline', stamp, null, null, null, summary(`SEED-Q${q}`), 1, ++changeSeq);
      rows.conversations!++;
      rows.handoffs!++;
    }
  }).immediate();
  db.pragma('wal_checkpoint(TRUNCATE)');
  // No ANALYZE: a store grown by the product has no statistics unless the product gathers them.
  db.close();
  return { conversations: options.conversations, queued, rows, sampleRmas, seconds: (performance.now() - started) / 1000 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({ options: { conversations: { type: 'string', default: '1000' }, queued: { type: 'string', default: '20' } }, allowPositionals: true });
  const dataDir = positionals[0];
  if (!dataDir) throw new Error('usage: node --import tsx bench/seed-store.ts DATA_DIR --conversations N [--queued N]');
  const r = await seedStore({ dataDir, conversations: Number(values.conversations), queued: Number(values.queued) });
  process.stdout.write(`${JSON.stringify({ ...r, sampleRmas: r.sampleRmas.length })}\n`);
}
