/**
 * `npm run bench [-- name...]`: runs the benchmarks, prints a table, writes bench/results/latest.json
 * (every raw number) and latest.md (the table). Every result is reported with a baseline measured in
 * the same run; nothing here is a pass/fail test.
 *
 * Benchmarks: `decide`, `nlu` (understanding one message, and the models' start-up), `http` (the returns bot on SQLite vs a stock echo bot), `http-postgres`
 * (the same on PostgreSQL: BENCH_DATABASE_URL or TEST_DATABASE_URL; skipped without one).
 *
 * Settings (environment): BENCH_SECONDS (measured seconds per load run, 10), BENCH_WARMUP_SECONDS
 * (3), BENCH_CONCURRENCY (32), BENCH_COLD_STARTS (5), BENCH_ORDER_CLONES (copies of each scenario
 * order, 5000), BENCH_RUNNER (compiled | tsx), BENCH_CPU_PROF (a folder: profile the returns bot
 * under load and summarise where its time goes).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { benchDecide } from './decide.js';
import { prepareRunner, type Runner } from './build.js';
import { formatProfile } from './cpu-profile.js';
import { benchHttp, SkipError, type HttpBenchResult } from './http.js';
import { benchNlu } from './nlu.js';

const KNOWN = ['decide', 'nlu', 'http', 'http-postgres'];
const wanted = new Set(process.argv.slice(2));
for (const name of wanted) if (!KNOWN.includes(name)) throw new Error(`unknown benchmark "${name}" (known: ${KNOWN.join(', ')})`);
const want = (name: string) => wanted.size === 0 || wanted.has(name);
const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);

const results: Record<string, unknown> = { at: new Date().toISOString(), node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, loadAverageAtStart: loadavg() };
const rows: string[] = [];
const notes: string[] = [];

const n = (x: number) => Math.round(x).toLocaleString('en');
const ms = (x: number) => (x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : Math.round(x).toLocaleString('en'));
const times = (x: number) => `${x.toFixed(2)}×`;
const met = (ok: boolean) => (ok ? 'met' : '**NOT met**');
const row = (...cells: string[]) => rows.push(`| ${cells.join(' | ')} |`);

if (want('decide')) {
  const r = benchDecide();
  results.decide = r;
  row(
    'decide (mixed cases, one core)',
    `${n(r.decisionsPerSecond)} decisions/s`,
    `JSON round-trip ${n(r.baselinePerSecond)}/s`,
    times(r.ratio),
    `target ≥ ${r.target.toLocaleString('en')}/s: ${met(r.decisionsPerSecond >= r.target)}`,
  );
}

if (want('nlu')) {
  const r = benchNlu(env('BENCH_NLU_SECONDS', 5));
  results.nlu = r;
  row(
    `understand one message (held-out messages, ${n(r.messages)} timed, CPU time on one core): p50 (max)`,
    `${r.model.p50.toFixed(3)} ms (${ms(r.model.max)} ms)`,
    `rule readers alone ${r.rules.p50.toFixed(3)} ms`,
    times(r.model.p50 / r.rules.p50),
    '—',
  );
  row('understand one message: p99', `${r.model.p99.toFixed(3)} ms`, `rule readers alone ${r.rules.p99.toFixed(3)} ms`, times(r.ratioP99), `p99 ≤ ${r.targetP99Ms} ms: ${met(r.model.p99 <= r.targetP99Ms)}`);
  row('understanding start-up (fresh process: import, load both languages\' models, warm up)', `${ms(r.startupMs)} ms (CPU ${ms(r.startupCpuMs)} ms)`, '—', '—', `≤ ${n(r.targetStartupMs)} ms: ${met(r.startupMs <= r.targetStartupMs)}`);
}

const STATE_GOAL_BYTES = 8 * 1024;

function httpRows(label: string, r: HttpBenchResult): void {
  const b = r.returnsbot;
  const a = r.echo;
  const c = r.concurrency;
  row(`${label}: throughput, ${c} concurrent conversations`, `${n(b.load.turnsPerSecond)} turns/s`, `echo bot ${n(a.load.turnsPerSecond)} turns/s`, times(r.ratio.turnsPerSecond), `(b) ≥ 3× (a): ${met(r.ratio.turnsPerSecond >= 3)}`);
  row(
    `${label}: ceiling — restify alone, no Bot Framework, no bot (same messages, same load)`,
    `${n(r.bare.load.turnsPerSecond)} turns/s, p99 ${ms(r.bare.load.latencyMs.p99)} ms`,
    `echo bot ${n(a.load.turnsPerSecond)} turns/s`,
    times(r.bare.load.turnsPerSecond / a.load.turnsPerSecond),
    `3× the echo bot needs ${n(3 * a.load.turnsPerSecond)} turns/s: ${r.bare.load.turnsPerSecond >= 3 * a.load.turnsPerSecond ? 'below this ceiling' : '**above what HTTP alone reaches here**'}`,
  );
  const lat = (l: HttpBenchResult['echo']['load']['latencyMs']) => `${ms(l.p50)} ms (p95 ${ms(l.p95)}, max ${ms(l.max)})`;
  row(`${label}: latency p50 (p95, max)`, lat(b.load.latencyMs), `echo ${lat(a.load.latencyMs)}`, times(r.ratio.p50), '—');
  row(`${label}: latency p99`, `${ms(b.load.latencyMs.p99)} ms`, `echo ${ms(a.load.latencyMs.p99)} ms`, times(r.ratio.p99), `p99 ≤ 20 ms: ${met(b.load.latencyMs.p99 <= 20)}`);
  const perTurn = (x: number | null) => (x === null ? 'n/a' : `${ms(x)} ms`);
  row(`${label}: server CPU per turn (CPU time ÷ turns, measured window)`, perTurn(b.load.serverCpuMsPerTurn), `echo ${perTurn(a.load.serverCpuMsPerTurn)}`, b.load.serverCpuMsPerTurn && a.load.serverCpuMsPerTurn ? times(b.load.serverCpuMsPerTurn / a.load.serverCpuMsPerTurn) : '—', '—');
  const cc = r.commitCost;
  if (cc.postgres) {
    row(`${label}: one PostgreSQL commit at a time (2 rows of 3 KB)`, `${ms(cc.postgres.ms)} ms (${n(cc.postgres.perSecond)}/s)`, `SQLite synchronous=FULL ${ms(cc.sqliteFull.ms)} ms`, times(cc.postgres.ms / cc.sqliteFull.ms), '—');
  } else {
    row(`${label}: one durable SQLite commit (WAL, synchronous=FULL, 2 rows of 3 KB), blocks the event loop`, `${ms(cc.sqliteFull.ms)} ms (${n(cc.sqliteFull.perSecond)}/s)`, `synchronous=NORMAL ${ms(cc.sqliteNormal.ms)} ms (${n(cc.sqliteNormal.perSecond)}/s)`, times(cc.sqliteFull.ms / cc.sqliteNormal.ms), '—');
  }
  row(`${label}: errors (whole run, warm-up included)`, `${b.load.errors} in ${n(b.load.totalTurns)} turns`, `echo ${a.load.errors} in ${n(a.load.totalTurns)} turns`, '—', `0: ${met(b.load.errors === 0 && a.load.errors === 0)}`);
  const f = b.footprint;
  const echoState = a.stored ? `echo ConversationState ${n(a.stored.bytesPerConversation)} B` : 'echo: not reported';
  if ('error' in f) {
    row(`${label}: state per conversation`, `not measured: ${f.error}`, echoState, '—', '≤ 8 KB: unknown');
  } else {
    const sp = (s: { mean: number; max: number }) => `mean ${n(s.mean)} B, max ${n(s.max)} B`;
    row(`${label}: **state** per conversation = snapshot + dedupe entries (${n(f.conversations)} finished conversations)`, sp(f.stateBytes), echoState, a.stored ? times(f.stateBytes.mean / a.stored.bytesPerConversation) : '—', `max ≤ 8 KB (8,192 B): ${met(f.stateBytes.max <= STATE_GOAL_BYTES)}`);
    row(`${label}: … of which the snapshot (conversation row, JSON)`, sp(f.snapshotBytes), '—', '—', '—');
    row(`${label}: … of which dedupe entries (activity id + replies)`, `${sp(f.dedupeBytes)}; ${f.dedupeEntries.mean.toFixed(1)} entries`, '—', '—', '—');
    row(`${label}: transcript log per conversation (not state)`, `${sp(f.logBytes)}; ${f.logEntries.mean.toFixed(1)} entries`, '—', '—', '—');
    row(`${label}: on disk per conversation (conversation tables + indexes, incl. log and audit)`, `${n(f.onDiskBytesPerConversation)} B`, '—', '—', '—');
  }
  row(`${label}: cold start, spawn → /healthz 200 (median of ${b.coldStartMs.length}, fresh store)`, `${ms(b.coldStartMedianMs)} ms`, `echo: spawn → first reply ${ms(a.coldStartMedianMs)} ms`, times(b.coldStartMedianMs / a.coldStartMedianMs), `≤ 1.5 s: ${met(b.coldStartMedianMs <= 1500)}`);
  row(`${label}: spawn → first turn answered (median)`, `${ms(b.firstTurnMedianMs)} ms`, `echo ${ms(a.coldStartMedianMs)} ms`, times(b.firstTurnMedianMs / a.coldStartMedianMs), '—');
  const cpu = (x: number | null) => (x === null ? 'n/a' : `${Math.round(x)}%`);
  notes.push(
    `${label}: servers ${r.runner.kind === 'compiled' ? 'compiled with tsc (as `npm start` runs)' : 'run from sources with tsx'}${r.runner.note ? ` (${r.runner.note})` : ''}; ` +
      `${r.concurrency} conversations, ${b.load.warmupSeconds} s warm-up + ${b.load.seconds} s measured per server; ` +
      `${b.load.turnsPerConversation.mean.toFixed(1)} turns per conversation (max ${b.load.turnsPerConversation.max}); ` +
      `server CPU (b) ${cpu(b.load.serverCpuPercent)}, (a) ${cpu(a.load.serverCpuPercent)} of one core; load generator CPU ${Math.round(b.load.loadCpuPercent)}% / ${Math.round(a.load.loadCpuPercent)}%` +
      `${b.load.ordersReused ? `; ${b.load.ordersReused} conversations reused an order (RMA already issued)` : ''}` +
      `${b.load.scriptsVaried?.length ? `; scripts varied: ${b.load.scriptsVaried.join(', ')}` : ''}` +
      `${r.postgres ? `; PostgreSQL ${r.postgres.version} at ${r.postgres.host} (synchronous_commit ${r.postgres.synchronousCommit}${/^(localhost|127\.|\[?::1)/.test(r.postgres.host) ? ', on the same machine, sharing its cores' : ''})` : ''}.`,
  );
  for (const [who, l] of [['(b)', b.load], ['(a)', a.load]] as const) {
    if (l.errorSamples.length) notes.push(`${label} ${who} errors, e.g.: ${l.errorSamples.join(' | ')}`);
    if (l.serverErrorLogs.length) notes.push(`${label} ${who} server logged errors, e.g.: ${l.serverErrorLogs.join(' | ').slice(0, 500)}`);
  }
  if (b.profile) console.log(`\n${label}: CPU profile of (b) under load: ${b.profile.file}\n${formatProfile(b.profile)}\n`);
}

const httpOptions = {
  concurrency: env('BENCH_CONCURRENCY', 32),
  warmupSeconds: env('BENCH_WARMUP_SECONDS', 3),
  seconds: env('BENCH_SECONDS', 10),
  coldStarts: env('BENCH_COLD_STARTS', 5),
  orderClones: env('BENCH_ORDER_CLONES', 5000),
  cpuProfileDir: process.env.BENCH_CPU_PROF || undefined,
};

let runner: Runner | undefined;
const getRunner = () => (runner ??= prepareRunner(process.env.BENCH_RUNNER === 'tsx' ? 'tsx' : 'compiled'));

try {
  if (want('http')) {
    console.error('http: returns bot (SQLite) vs echo bot …');
    const r = await benchHttp({ ...httpOptions, runner: getRunner() });
    results.http = r;
    httpRows('http', r);
  }

  if (want('http-postgres')) {
    const url = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL;
    const skip = (why: string) => {
      results['http-postgres'] = { skipped: why };
      row('http-postgres', `skipped: ${why}`, '—', '—', '—');
      console.error(`http-postgres: skipped: ${why}`);
    };
    if (!url) {
      skip('no PostgreSQL server given (set BENCH_DATABASE_URL or TEST_DATABASE_URL)');
    } else {
      console.error('http-postgres: returns bot (PostgreSQL) vs echo bot …');
      try {
        const r = await benchHttp({ ...httpOptions, runner: getRunner(), databaseUrl: url });
        results['http-postgres'] = r;
        httpRows('http-postgres', r);
      } catch (e) {
        if (!(e instanceof SkipError)) throw e;
        skip(e.message);
      }
    }
  }
} finally {
  runner?.cleanup();
}

results.loadAverageAtEnd = loadavg();
const table = ['| benchmark | result | baseline (same run) | ratio | goal |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
const load1 = (x: unknown) => (Array.isArray(x) ? Number(x[0]).toFixed(1) : '?');
const machine =
  `Measured ${String(results.at).slice(0, 10)} on ${results.cpus} × ${String(results.cpuModel ?? 'CPU').trim()}, Node ${process.version}; ` +
  `load average ${load1(results.loadAverageAtStart)} at the start, ${load1(results.loadAverageAtEnd)} at the end (other work on the machine makes every number noisier; the ratios less so).`;
const md = [table, '', machine, ...notes.map((x) => `- ${x}`)].join('\n');
console.log(md);
const dir = join(import.meta.dirname, 'results');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(dir, 'latest.md'), `${md}\n`);
