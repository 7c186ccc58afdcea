/**
 * The load generator of the HTTP benchmark, run as its own process so the bot server under test has
 * a core to itself. N concurrent customers, each walking whole return conversations one after the
 * other over keep-alive HTTP (`POST /api/messages`, `deliveryMode: "expectReplies"`):
 *
 * - `--mode steps`: the real conversations of bench/scenarios.ts, each answer chosen by the step
 *   the bot asked (`channelData.returns.step`), as test/support/converse.ts does; a conversation
 *   must end with the outcome its scenario expects, else it counts as an error. Prints, per
 *   scenario, what the customer said (for the replay).
 * - `--mode probe`: every scenario once (on the scenario orders themselves), nothing measured: what
 *   the customer said in each, for the replay.
 * - `--mode replay --scripts FILE`: the same messages, turn for turn, to a bot that does not care
 *   what they mean (the echo baseline); every turn must be answered with exactly `echo: <text>`.
 *
 * `--protocol directline`: the same conversations over the widget's Direct Line path instead: per
 * conversation `POST /api/widget/token`, `POST /v3/directline/conversations` (Bearer token) and the
 * WebSocket `streamUrl`, waiting for the greeting (this setup is timed apart, not counted as a
 * turn); then each turn is `POST …/activities` (with a `clientActivityID`) and ends when both its
 * 200 and the stream's frame with the bot's replies have arrived.
 *
 * The first `--warmup` seconds are not measured. Prints one JSON line (bench/stats.ts `LoadResult`).
 *
 *   node --import tsx bench/load.ts --url http://127.0.0.1:3978 --mode steps [--concurrency 32]
 *     [--warmup 3] [--seconds 10] [--order-clones 4000] [--clone-offset 0] [--scripts FILE] [--prefix ID]
 */
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { answerFor, cloneOrderNumber, SCENARIOS, type BenchScenario, type ReplyLike } from './scenarios.js';
import { percentile, type LoadResult } from './stats.js';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    mode: { type: 'string', default: 'steps' },
    concurrency: { type: 'string', default: '32' },
    warmup: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '10' },
    'order-clones': { type: 'string', default: '0' },
    'clone-offset': { type: 'string', default: '0' },
    scripts: { type: 'string' },
    prefix: { type: 'string', default: `bench-${process.pid}` },
    'max-turns': { type: 'string', default: '40' },
    protocol: { type: 'string', default: 'bot' },
  },
});
if (!args.url) throw new Error('--url is required');
const mode = args.mode === 'replay' ? 'replay' : args.mode === 'probe' ? 'probe' : 'steps';
const target = new URL('/api/messages', args.url);
const directLine = args.protocol === 'directline';
const concurrency = Number(args.concurrency);
const warmupSeconds = Number(args.warmup);
const seconds = Number(args.seconds);
const orderClones = Number(args['order-clones']);
/** Where this generator's copies of the orders start (two generators side by side use different ones). */
const cloneOffset = Number(args['clone-offset']);
const maxTurns = Number(args['max-turns']);
const scripts: Record<string, string[]> | undefined = args.scripts ? (JSON.parse(readFileSync(args.scripts, 'utf8')) as Record<string, string[]>) : undefined;
if (mode === 'replay' && !scripts) throw new Error('--mode replay needs --scripts FILE');

const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });

/** One POST (to /api/messages unless `path` says otherwise); resolves with the status and the whole body. */
function post(body: string, path = target.pathname, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    if (token) headers.authorization = `Bearer ${token}`;
    const req = http.request({ host: target.hostname, port: target.port, path, method: 'POST', agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const started = performance.now();
// A probe measures nothing and has no time limit.
const warmEnd = mode === 'probe' ? Infinity : started + warmupSeconds * 1000;
const stopAt = mode === 'probe' ? Infinity : warmEnd + seconds * 1000;
// Tell the parent when the measured window starts and ends (it samples the server's CPU time then).
let cpuAtWarmEnd = process.cpuUsage();
let loadCpuSeconds = NaN;
if (mode !== 'probe') {
  setTimeout(() => {
    cpuAtWarmEnd = process.cpuUsage();
    process.stderr.write('phase:measure\n');
  }, warmEnd - performance.now());
  setTimeout(() => {
    const used = process.cpuUsage(cpuAtWarmEnd);
    loadCpuSeconds = (used.user + used.system) / 1e6;
    process.stderr.write('phase:done\n');
  }, stopAt - performance.now());
}

const latencies: number[] = [];
const setupLatencies: number[] = [];
let measuredTurns = 0;
let totalTurns = 0;
let measuredConversations = 0;
let errors = 0;
let ordersReused = 0;
const errorSamples: string[] = [];
const completed: string[] = [];
const turnCounts: number[] = [];
const firstScripts: Record<string, string[]> = {};
const scriptKeys = new Map<string, Set<string>>();

class TurnError extends Error {}

function fail(message: string): never {
  throw new TurnError(message);
}

/** Count one answered turn that took from `t0` to `t1`. */
function measured(t0: number, t1: number): void {
  totalTurns++;
  if (t1 >= warmEnd && t1 <= stopAt) {
    latencies.push(t1 - t0);
    measuredTurns++;
  }
}

/** One conversation's way to the bot: a turn sends `text` and returns the bot's replies. */
interface Channel {
  turn(text: string): Promise<ReplyLike[]>;
  close(): void;
}

/** Over /api/messages with `expectReplies` (the Bot Framework protocol). */
function botChannel(conversationId: string, locale: string | undefined): Channel {
  let n = 0;
  return { turn: (text) => turn(conversationId, `${conversationId}-${n++}`, text, locale), close: () => {} };
}

type Frame = { activities?: (ReplyLike & { from?: { role?: string } })[]; watermark?: string };

/** Over Direct Line: token, start, stream (the greeting read), then posts answered on the stream. */
async function directLineChannel(conversationId: string, locale: string | undefined): Promise<Channel> {
  const t0 = performance.now();
  const tokenRes = await post(JSON.stringify({ locale }), '/api/widget/token');
  if (tokenRes.status !== 200) fail(`token: HTTP ${tokenRes.status}: ${tokenRes.body.slice(0, 200)}`);
  const { token } = JSON.parse(tokenRes.body) as { token: string };
  const started = await post(JSON.stringify({ locale }), '/v3/directline/conversations', token);
  if (started.status !== 201) fail(`start: HTTP ${started.status}: ${started.body.slice(0, 200)}`);
  const { conversationId: id, streamUrl, token: streamToken } = JSON.parse(started.body) as { conversationId: string; streamUrl: string; token: string };
  const ws = new WebSocket(streamUrl);
  let waiting: ((replies: ReplyLike[]) => void) | null = null;
  let failed: ((e: Error) => void) | null = null;
  const next = () => new Promise<ReplyLike[]>((resolve, reject) => ((waiting = resolve), (failed = reject)));
  ws.on('message', (data: Buffer) => {
    const frame = JSON.parse(data.toString('utf8')) as Frame;
    const replies = (frame.activities ?? []).filter((a) => a.from?.role === 'bot' && a.type === 'message');
    if (replies.length && waiting) {
      const w = waiting;
      waiting = failed = null;
      w(replies);
    }
  });
  ws.on('error', (e) => failed?.(e));
  ws.on('close', () => failed?.(new Error('the stream closed')));
  const greeting = next();
  await new Promise<void>((resolve, reject) => (ws.once('open', () => resolve()), ws.once('error', reject)));
  await greeting;
  const t1 = performance.now();
  if (t1 >= warmEnd && t1 <= stopAt) setupLatencies.push(t1 - t0);
  void conversationId;
  let n = 0;
  return {
    turn: async (text) => {
      const replies = next();
      const body = JSON.stringify({ type: 'message', from: { id: 'customer' }, text, locale, channelData: { clientActivityID: `${id}-${n++}` } });
      const s0 = performance.now();
      const [res, got] = await Promise.all([post(body, `/v3/directline/conversations/${encodeURIComponent(id)}/activities`, streamToken), replies]);
      measured(s0, performance.now());
      if (res.status !== 200) fail(`HTTP ${res.status}: ${res.body.slice(0, 200)}`);
      return got;
    },
    close: () => ws.close(),
  };
}

function openChannel(conversationId: string, locale: string | undefined): Promise<Channel> | Channel {
  return directLine ? directLineChannel(conversationId, locale) : botChannel(conversationId, locale);
}

/** One turn: send `text`, time it, return the bot's replies. */
async function turn(conversationId: string, activityId: string, text: string, locale: string | undefined): Promise<ReplyLike[]> {
  const body = JSON.stringify({
    type: 'message',
    id: activityId,
    channelId: 'test',
    serviceUrl: 'http://127.0.0.1:9',
    deliveryMode: 'expectReplies',
    locale,
    timestamp: new Date().toISOString(),
    from: { id: `user-${conversationId}`, role: 'user' },
    recipient: { id: 'bot' },
    conversation: { id: conversationId },
    text,
  });
  const t0 = performance.now();
  const res = await post(body);
  measured(t0, performance.now());
  if (res.status !== 200) fail(`HTTP ${res.status}: ${res.body.slice(0, 200)}`);
  const parsed = JSON.parse(res.body) as { activities?: ReplyLike[] };
  if (!Array.isArray(parsed.activities)) fail(`no activities in ${res.body.slice(0, 200)}`);
  return parsed.activities;
}

const baseCounters = new Map<string, number>();

/** The scenario with an order of its own (a fresh copy of its scenario order, while there are any). */
function withFreshOrder(s: BenchScenario): BenchScenario {
  if (orderClones <= 0) return s;
  const i = baseCounters.get(s.orderNumber) ?? 0;
  baseCounters.set(s.orderNumber, i + 1);
  if (i >= orderClones) ordersReused++;
  return { ...s, orderNumber: cloneOrderNumber(s.orderNumber, cloneOffset + (i % orderClones)) };
}

/** A whole conversation driven by the bot's questions; returns what the customer said. */
async function stepsConversation(base: BenchScenario, conversationId: string): Promise<string[] | null> {
  const s = withFreshOrder(base);
  const said: string[] = [];
  let outcome: string | undefined;
  let rma: string | undefined;
  let handoff: string | undefined;
  let text = s.opening;
  const channel = await openChannel(conversationId, s.locale);
  try {
    for (let n = 0; ; n++) {
      if (performance.now() >= stopAt) return null;
      if (n >= maxTurns) fail(`${s.name}: no end after ${maxTurns} turns`);
      said.push(text);
      const replies = await channel.turn(text);
      for (const a of replies) {
        const r = a.channelData?.returns ?? {};
        if (r.outcome) outcome = r.outcome;
        if (r.rma) rma = r.rma;
        if (r.handoff) handoff = r.handoff;
      }
      const asking = [...replies].reverse().find((a) => a.inputHint === 'expectingInput' && a.channelData?.returns?.step);
      const step = asking?.channelData?.returns?.step;
      if (rma || !step || handoff) break;
      text = answerFor(s, step, asking);
    }
  } finally {
    channel.close();
  }
  const e = s.expect;
  if (outcome !== e.outcome || Boolean(rma) !== e.rma || (e.handoff !== undefined && Boolean(handoff) !== e.handoff)) {
    fail(`${s.name}: ended with outcome=${outcome} rma=${rma ?? '-'} handoff=${handoff ?? '-'}, expected ${JSON.stringify(e)}`);
  }
  return said;
}

/** The same messages to the echo bot; each must come back as exactly one `echo: <text>`. */
async function replayConversation(s: BenchScenario, conversationId: string): Promise<string[] | null> {
  const texts = scripts?.[s.name];
  if (!texts?.length) fail(`no script for scenario "${s.name}"`);
  const channel = await openChannel(conversationId, s.locale);
  try {
    for (const text of texts) {
      if (performance.now() >= stopAt) return null;
      const replies = await channel.turn(text);
      const messages = replies.filter((a) => a.type === 'message');
      if (messages.length !== 1 || messages[0]!.text !== `echo: ${text}`) fail(`unexpected echo: ${JSON.stringify(replies).slice(0, 200)}`);
    }
  } finally {
    channel.close();
  }
  return texts;
}

let next = 0;

/** What a finished conversation of the steps or probe mode said, kept for the replay. */
function recordScript(s: BenchScenario, said: string[]): void {
  // The order number differs per conversation; the rest of what is said must not.
  const key = said.join('\u0000').replace(/\b(UK|IMP)-\d{6}\b/g, '#');
  if (!scriptKeys.has(s.name)) scriptKeys.set(s.name, new Set());
  scriptKeys.get(s.name)!.add(key);
  firstScripts[s.name] ??= said;
}

function recordError(e: unknown): void {
  errors++;
  if (errorSamples.length < 5) errorSamples.push(e instanceof Error ? e.message : String(e));
}

async function customer(worker: number): Promise<void> {
  while (performance.now() < stopAt) {
    const s = SCENARIOS[next++ % SCENARIOS.length]!;
    const conversationId = `${args.prefix}-${mode}-${worker}-${next}`;
    try {
      const said = mode === 'steps' ? await stepsConversation(s, conversationId) : await replayConversation(s, conversationId);
      if (!said) break; // the measured window is over
      const end = performance.now();
      completed.push(conversationId);
      turnCounts.push(said.length);
      if (end >= warmEnd && end <= stopAt) measuredConversations++;
      if (mode === 'steps') recordScript(s, said);
    } catch (e) {
      recordError(e);
      if (!(e instanceof TurnError)) await new Promise((r) => setTimeout(r, 50)); // a network error: do not spin
    }
  }
}

if (mode === 'probe') {
  // Every scenario once, on the scenario orders themselves: the scripts for a replay.
  await Promise.all(
    SCENARIOS.map(async (s, i) => {
      const conversationId = `${args.prefix}-probe-${i}`;
      try {
        const said = await stepsConversation(s, conversationId);
        if (said) recordScript(s, said);
      } catch (e) {
        recordError(e);
      }
    }),
  );
} else {
  await Promise.all(Array.from({ length: concurrency }, (_, w) => customer(w)));
}
agent.destroy();

function latencySummary(xs: number[]): LoadResult['latencyMs'] {
  const sorted = Float64Array.from(xs).sort();
  const sum = xs.reduce((a, b) => a + b, 0);
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
    mean: xs.length ? sum / xs.length : NaN,
  };
}

const result: LoadResult = {
  mode,
  url: args.url,
  concurrency,
  warmupSeconds,
  seconds,
  turns: measuredTurns,
  turnsPerSecond: measuredTurns / seconds,
  conversations: measuredConversations,
  latencyMs: latencySummary(latencies),
  totalTurns,
  errors,
  errorSamples,
  completedConversationIds: completed,
  turnsPerConversation: { mean: turnCounts.length ? turnCounts.reduce((a, b) => a + b, 0) / turnCounts.length : NaN, max: Math.max(0, ...turnCounts) },
  ordersReused,
  loadCpuPercent: (100 * loadCpuSeconds) / seconds,
  ...(directLine ? { protocol: 'directline' as const, setupLatencyMs: latencySummary(setupLatencies) } : {}),
  ...(mode !== 'replay' ? { scripts: firstScripts, scriptsVaried: [...scriptKeys].filter(([, keys]) => keys.size > 1).map(([name]) => name) } : {}),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
