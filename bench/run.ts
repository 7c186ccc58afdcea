/**
 * `npm run bench [-- name...]`: runs the benchmarks, prints a table, writes bench/results/latest.json
 * (every raw number) and latest.md (the table). Every result is reported with a baseline measured in
 * the same run; nothing here is a pass/fail test.
 *
 * Benchmarks: `decide`, `nlu` (understanding one message, and the models' start-up), `understand`
 * (understand + decide one message), `http` (the returns bot on SQLite vs a stock echo bot),
 * `http-postgres` (the same on PostgreSQL: BENCH_DATABASE_URL or TEST_DATABASE_URL; skipped without
 * one), `directline` (the widget's Direct Line path vs the echo bot behind Direct Line), `growth` (the
 * same load on stores of BENCH_GROWTH_SIZES finished conversations), `scale-out` (two instances on one
 * PostgreSQL database vs one; skipped without one).
 *
 * Settings (environment): BENCH_SECONDS (measured seconds per load run, 10), BENCH_WARMUP_SECONDS
 * (3), BENCH_CONCURRENCY (32), BENCH_COLD_STARTS (5), BENCH_ORDER_CLONES (copies of each scenario
 * order, 5000), BENCH_RUNNER (compiled | tsx), BENCH_GROWTH_SIZES (0,100000,1000000),
 * BENCH_GROWTH_CALLS (queue listings and `rma show` calls per size, 200), BENCH_CPU_PROF (a folder: profile the returns bot
 * under load and summarise where its time goes).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { benchDecide } from './decide.js';
import { prepareRunner, type Runner } from './build.js';
import { formatProfile } from './cpu-profile.js';
import { benchHttp, SkipError, type HttpBenchResult, type LoadSummary } from './http.js';
import { benchDirectLine } from './directline.js';
import { benchGrowth } from './growth.js';
import { benchNlu } from './nlu.js';
import { benchUnderstand } from './understand.js';
import { benchScaleOut } from './scale-out.js';

const KNOWN = ['decide', 'nlu', 'understand', 'http', 'http-postgres', 'directline', 'growth', 'scale-out'];
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
const cpuPct = (x: number | null) => (x === null ? 'n/a' : `${Math.round(x)}%`);
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
  row(
    'understand one message: p99',
    `${r.model.p99.toFixed(3)} ms`,
    `rule readers alone ${r.rules.p99.toFixed(3)} ms`,
    times(r.ratioP99),
    `p99 ≤ ${r.targetP99Ms} ms: ${met(r.model.p99 <= r.targetP99Ms)}`,
  );
  row(
    "understanding start-up (fresh process: import, load both languages' models, warm up)",
    `${ms(r.startupMs)} ms (CPU ${ms(r.startupCpuMs)} ms)`,
    '—',
    '—',
    `≤ ${n(r.targetStartupMs)} ms: ${met(r.startupMs <= r.targetStartupMs)}`,
  );
}

if (want('understand')) {
  const r = benchUnderstand();
  results.understand = r;
  const us = (x: number) => (x >= 1 ? `${ms(x)} ms` : `${(x * 1000).toFixed(x < 0.01 ? 1 : 0)} µs`);
  const spread = (l: { p50: number; p99: number; max: number }) => `p99 ${us(l.p99)} (p50 ${us(l.p50)}, max ${us(l.max)})`;
  row(
    `understand + decide one message (interpret of dialogs/interpret.ts, then decide; ${r.messages} messages of the scenarios at their steps, one core)`,
    spread(r.understandAndDecide),
    `JSON round-trip of the message ${spread(r.baseline)}`,
    times(r.understandAndDecide.p99 / r.baseline.p99),
    `p99 ≤ 1 ms: ${met(r.understandAndDecide.p99 <= 1)}`,
  );
  row('… of which understanding alone / deciding alone', `${spread(r.understand)} / ${spread(r.decide)}`, '—', '—', '—');
}

const STATE_GOAL_BYTES = 8 * 1024;

function httpRows(label: string, r: HttpBenchResult): void {
  const b = r.returnsbot;
  const a = r.echo;
  const c = r.concurrency;
  row(
    `${label}: throughput, ${c} concurrent conversations`,
    `${n(b.load.turnsPerSecond)} turns/s`,
    `echo bot ${n(a.load.turnsPerSecond)} turns/s`,
    times(r.ratio.turnsPerSecond),
    `(b) ≥ 3× (a): ${met(r.ratio.turnsPerSecond >= 3)}`,
  );
  row(
    `${label}: ceiling — restify alone, no Bot Framework, no bot (same messages, same load)`,
    `${n(r.bare.load.turnsPerSecond)} turns/s, p99 ${ms(r.bare.load.latencyMs.p99)} ms`,
    `echo bot ${n(a.load.turnsPerSecond)} turns/s`,
    times(r.bare.load.turnsPerSecond / a.load.turnsPerSecond),
    `3× the echo bot needs ${n(3 * a.load.turnsPerSecond)} turns/s: ${r.bare.load.turnsPerSecond >= 3 * a.load.turnsPerSecond ? 'below this ceiling' : '**above what HTTP alone reaches here**'}`,
  );
  if (r.workers2) {
    const w = r.workers2.load;
    row(
      `${label}: the same with RETURNS_WORKERS=2 (two processes, one store; the load generator shares the machine's cores)`,
      `${n(w.turnsPerSecond)} turns/s, p99 ${ms(w.latencyMs.p99)} ms`,
      `one process ${n(b.load.turnsPerSecond)} turns/s; echo bot ${n(a.load.turnsPerSecond)}`,
      `${times(w.turnsPerSecond / b.load.turnsPerSecond)} one process; ${times(w.turnsPerSecond / a.load.turnsPerSecond)} echo`,
      `errors: ${w.errors}`,
    );
  }
  const lat = (l: HttpBenchResult['echo']['load']['latencyMs']) => `${ms(l.p50)} ms (p95 ${ms(l.p95)}, max ${ms(l.max)})`;
  row(`${label}: latency p50 (p95, max)`, lat(b.load.latencyMs), `echo ${lat(a.load.latencyMs)}`, times(r.ratio.p50), '—');
  row(`${label}: latency p99`, `${ms(b.load.latencyMs.p99)} ms`, `echo ${ms(a.load.latencyMs.p99)} ms`, times(r.ratio.p99), `p99 ≤ 20 ms: ${met(b.load.latencyMs.p99 <= 20)}`);
  const perTurn = (x: number | null) => (x === null ? 'n/a' : `${ms(x)} ms`);
  row(
    `${label}: server CPU per turn (CPU time ÷ turns, measured window)`,
    perTurn(b.load.serverCpuMsPerTurn),
    `echo ${perTurn(a.load.serverCpuMsPerTurn)}`,
    b.load.serverCpuMsPerTurn && a.load.serverCpuMsPerTurn ? times(b.load.serverCpuMsPerTurn / a.load.serverCpuMsPerTurn) : '—',
    '—',
  );
  const cc = r.commitCost;
  if (cc.postgres) {
    row(
      `${label}: one PostgreSQL commit at a time (2 rows of 3 KB)`,
      `${ms(cc.postgres.ms)} ms (${n(cc.postgres.perSecond)}/s)`,
      `SQLite synchronous=FULL ${ms(cc.sqliteFull.ms)} ms`,
      times(cc.postgres.ms / cc.sqliteFull.ms),
      '—',
    );
  } else {
    row(
      `${label}: one durable SQLite commit (WAL, synchronous=FULL, 2 rows of 3 KB), blocks the event loop`,
      `${ms(cc.sqliteFull.ms)} ms (${n(cc.sqliteFull.perSecond)}/s)`,
      `synchronous=NORMAL ${ms(cc.sqliteNormal.ms)} ms (${n(cc.sqliteNormal.perSecond)}/s)`,
      times(cc.sqliteFull.ms / cc.sqliteNormal.ms),
      '—',
    );
  }
  row(
    `${label}: errors (whole run, warm-up included)`,
    `${b.load.errors} in ${n(b.load.totalTurns)} turns`,
    `echo ${a.load.errors} in ${n(a.load.totalTurns)} turns`,
    '—',
    `0: ${met(b.load.errors === 0 && a.load.errors === 0)}`,
  );
  const f = b.footprint;
  const echoState = a.stored ? `echo ConversationState ${n(a.stored.bytesPerConversation)} B` : 'echo: not reported';
  if ('error' in f) {
    row(`${label}: state per conversation`, `not measured: ${f.error}`, echoState, '—', '≤ 8 KB: unknown');
  } else {
    const sp = (s: { mean: number; max: number }) => `mean ${n(s.mean)} B, max ${n(s.max)} B`;
    row(
      `${label}: **state** per conversation = snapshot + dedupe entries (${n(f.conversations)} finished conversations)`,
      sp(f.stateBytes),
      echoState,
      a.stored ? times(f.stateBytes.mean / a.stored.bytesPerConversation) : '—',
      `max ≤ 8 KB (8,192 B): ${met(f.stateBytes.max <= STATE_GOAL_BYTES)}`,
    );
    row(`${label}: … of which the snapshot (conversation row, JSON)`, sp(f.snapshotBytes), '—', '—', '—');
    row(`${label}: … of which dedupe entries (activity id + replies)`, `${sp(f.dedupeBytes)}; ${f.dedupeEntries.mean.toFixed(1)} entries`, '—', '—', '—');
    row(`${label}: transcript log per conversation (not state)`, `${sp(f.logBytes)}; ${f.logEntries.mean.toFixed(1)} entries`, '—', '—', '—');
    row(`${label}: on disk per conversation (conversation tables + indexes, incl. log and audit)`, `${n(f.onDiskBytesPerConversation)} B`, '—', '—', '—');
  }
  row(
    `${label}: cold start, spawn → /healthz 200 (median of ${b.coldStartMs.length}, fresh store)`,
    `${ms(b.coldStartMedianMs)} ms`,
    `echo: spawn → first reply ${ms(a.coldStartMedianMs)} ms`,
    times(b.coldStartMedianMs / a.coldStartMedianMs),
    `≤ 1.5 s: ${met(b.coldStartMedianMs <= 1500)}`,
  );
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
  for (const [who, l] of [
    ['(b)', b.load],
    ['(a)', a.load],
  ] as const) {
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

  if (want('directline')) {
    console.error('directline: returns bot vs echo bot, both behind Direct Line (token, stream, posts) …');
    const r = await benchDirectLine({ ...httpOptions, runner: getRunner() });
    results.directline = r;
    const b = r.returnsbot;
    const lat = (l: typeof b.latencyMs) => `p99 ${ms(l.p99)} ms (p50 ${ms(l.p50)})`;
    row(
      `directline: throughput, ${r.concurrency} concurrent conversations (POST activities, replies on the WebSocket stream)`,
      `${n(b.turnsPerSecond)} turns/s`,
      `echo bot behind Direct Line ${n(r.echo.turnsPerSecond)} turns/s`,
      times(r.ratio.turnsPerSecond),
      `(b) ≥ 3× (a): ${met(r.ratio.turnsPerSecond >= 3)}`,
    );
    row(
      'directline: ceiling — the same Direct Line routes on restify + ws alone, no Bot Framework, no bot',
      `${n(r.bare.turnsPerSecond)} turns/s, ${lat(r.bare.latencyMs)}`,
      `echo bot ${n(r.echo.turnsPerSecond)} turns/s`,
      times(r.ratio.ceiling),
      '—',
    );
    row(
      'directline: latency per turn (POST → its 200 and the replies on the stream)',
      lat(b.latencyMs),
      `echo ${lat(r.echo.latencyMs)}`,
      times(r.ratio.p99),
      `p99 ≤ 20 ms: ${met(b.latencyMs.p99 <= 20)}`,
    );
    const setup = (l: LoadSummary) => (l.setupLatencyMs ? lat(l.setupLatencyMs) : 'n/a');
    row(
      'directline: opening a conversation (token → start → stream → greeting; not counted as a turn)',
      setup(b),
      `echo ${setup(r.echo)}`,
      b.setupLatencyMs && r.echo.setupLatencyMs ? times(b.setupLatencyMs.p99 / r.echo.setupLatencyMs.p99) : '—',
      '—',
    );
    row(
      'directline: errors (whole run, warm-up included)',
      `${b.errors} in ${n(b.totalTurns)} turns`,
      `echo ${r.echo.errors} in ${n(r.echo.totalTurns)}, ceiling ${r.bare.errors}`,
      '—',
      `0: ${met(b.errors === 0 && r.echo.errors === 0 && r.bare.errors === 0)}`,
    );
    for (const [who, l] of [
      ['(b)', b],
      ['(a)', r.echo],
      ['ceiling', r.bare],
    ] as const) {
      if (l.errorSamples.length) notes.push(`directline ${who} errors, e.g.: ${l.errorSamples.join(' | ')}`);
      if (l.serverErrorLogs.length) notes.push(`directline ${who} server logged errors, e.g.: ${l.serverErrorLogs.join(' | ').slice(0, 500)}`);
    }
    notes.push(
      `directline: server CPU (b) ${cpuPct(b.serverCpuPercent)}, (a) ${cpuPct(r.echo.serverCpuPercent)}, ceiling ${cpuPct(r.bare.serverCpuPercent)} of one core; load generator CPU ${Math.round(b.loadCpuPercent)}% / ${Math.round(r.echo.loadCpuPercent)}% / ${Math.round(r.bare.loadCpuPercent)}%.`,
    );
  }

  if (want('growth')) {
    const sizes = (process.env.BENCH_GROWTH_SIZES ?? '0,100000,1000000')
      .split(',')
      .map((x) => Number(x.trim()))
      .filter((x) => Number.isInteger(x) && x >= 0);
    const r = await benchGrowth({ ...httpOptions, runner: getRunner(), sizes, calls: env('BENCH_GROWTH_CALLS', 200), rounds: env('BENCH_GROWTH_ROUNDS', 3) });
    results.growth = r;
    const [base, ...rest] = r.points;
    if (base) {
      const label = (size: number) => `${size.toLocaleString('en')} finished conversations`;
      const within = (ratio: number, higherIsBetter: boolean) => (higherIsBetter ? ratio >= 0.9 : ratio <= 1.1);
      const calls = (c: { p50: number; p99: number; mean: number }) => `p50 ${ms(c.p50)} ms per call (mean ${ms(c.mean)}, p99 ${ms(c.p99)})`;
      row(
        `growth: store holding ${label(base.size)} (the baseline of the rows below), ${r.concurrency} concurrent conversations, median of ${r.rounds} rounds`,
        `${n(base.turnsPerSecond)} turns/s, p99 ${ms(base.p99)} ms; queue listing ${calls(base.queue)}; rma show ${calls(base.rmaShow)}`,
        '—',
        '—',
        '—',
      );
      for (const p of rest) {
        const t = p.turnsPerSecond / base.turnsPerSecond;
        const p99 = p.p99 / base.p99;
        const each = (x: typeof p) => x.rounds.map((l) => n(l.turnsPerSecond)).join(', ');
        row(
          `growth: ${label(p.size)} (${n(p.storeBytes / 1e6)} MB store): throughput`,
          `${n(p.turnsPerSecond)} turns/s (rounds: ${each(p)})`,
          `${label(base.size)} ${n(base.turnsPerSecond)} turns/s (rounds: ${each(base)})`,
          times(t),
          `within 10 %: ${met(within(t, true))}`,
        );
        row(`growth: ${label(p.size)}: latency p99`, `${ms(p.p99)} ms`, `${label(base.size)} ${ms(base.p99)} ms`, times(p99), `within 10 %: ${met(within(p99, false))}`);
        // Calls are compared by their median: one call that another process on the machine delays moves a mean or a p99 by more than 10 %.
        const q = p.queue.p50 / base.queue.p50;
        row(
          `growth: ${label(p.size)}: staff queue listing (GET /api/agent/conversations?status=queued, ${p.queue.listed} queued, ${p.queue.calls} calls)`,
          calls(p.queue),
          `${label(base.size)} ${calls(base.queue)}`,
          times(q),
          `within 10 %: ${met(within(q, false))}`,
        );
        const m = p.rmaShow.p50 / base.rmaShow.p50;
        row(
          `growth: ${label(p.size)}: \`returnsbot rma show\` (in-process, opens the store each call, ${p.rmaShow.calls} calls)`,
          calls(p.rmaShow),
          `${label(base.size)} ${calls(base.rmaShow)}`,
          times(m),
          `within 10 %: ${met(within(m, false))}`,
        );
      }
      for (const p of r.points) {
        for (const l of p.rounds) {
          if (l.errors) notes.push(`growth ${label(p.size)}: ${l.errors} errors, e.g.: ${l.errorSamples.join(' | ')}`);
          if (l.serverErrorLogs.length) notes.push(`growth ${label(p.size)}: the server logged errors, e.g.: ${l.serverErrorLogs.join(' | ').slice(0, 500)}`);
        }
      }
      const errors = r.points.reduce((a, p) => a + p.errors, 0);
      row('growth: errors (every size and round, warm-up included)', String(errors), '—', '—', `0: ${met(errors === 0)}`);
      notes.push(
        `growth: sizes ${r.points.map((p) => p.size.toLocaleString('en')).join(', ')} (BENCH_GROWTH_SIZES); seeding took ${r.points.map((p) => `${p.seedSeconds.toFixed(1)} s`).join(', ')}; every store seeded first, then ${r.rounds} rounds taking turns between the sizes (a fresh server each run), each size the median of its rounds.`,
      );
    }
  }

  if (want('scale-out')) {
    const url = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL;
    if (!url) {
      results['scale-out'] = { skipped: 'no PostgreSQL server given' };
      row('scale-out', 'skipped: no PostgreSQL server given (set BENCH_DATABASE_URL or TEST_DATABASE_URL)', '—', '—', '—');
    } else {
      console.error('scale-out: one vs two instances on one PostgreSQL database …');
      const r = await benchScaleOut({ ...httpOptions, runner: getRunner(), databaseUrl: url });
      results['scale-out'] = r;
      const cpuOf = (run: typeof r.one) =>
        run.generators
          .slice(0, run.instances)
          .map((g) => cpuPct(g.serverCpuPercent))
          .join(' + ');
      const genCpu = (run: typeof r.one) => run.generators.map((g) => `${Math.round(g.loadCpuPercent)}%`).join(' + ');
      row(
        `scale-out: two instances on one PostgreSQL database, ${r.concurrency} concurrent conversations split over both`,
        `${n(r.two.turnsPerSecond)} turns/s, p99 ${ms(r.two.p99)} ms`,
        `one instance ${n(r.one.turnsPerSecond)} turns/s, p99 ${ms(r.one.p99)} ms`,
        times(r.ratio),
        `≥ 1.7×: ${met(r.ratio >= 1.7)}`,
      );
      row(
        'scale-out: where the cores went (server CPU; load generators; % of one core)',
        `two instances ${cpuOf(r.two)}; generators ${genCpu(r.two)}`,
        `one instance ${cpuOf(r.one)}; generators ${genCpu(r.one)}`,
        '—',
        `${r.cpus} cores for servers, generators and PostgreSQL together`,
      );
      const errors = [...r.one.generators, ...r.two.generators].reduce((a, g) => a + g.errors, 0);
      row('scale-out: errors (both runs, warm-up included)', String(errors), '—', '—', `0: ${met(errors === 0)}`);
      for (const g of [...r.one.generators, ...r.two.generators]) {
        if (g.errorSamples.length) notes.push(`scale-out errors, e.g.: ${g.errorSamples.join(' | ')}`);
        if (g.serverErrorLogs.length) notes.push(`scale-out: a server logged errors, e.g.: ${g.serverErrorLogs.join(' | ').slice(0, 500)}`);
      }
      const used = (run: typeof r.one) => run.generators.slice(0, run.instances).reduce((a, g) => a + (g.serverCpuPercent ?? 0), 0) + run.generators.reduce((a, g) => a + g.loadCpuPercent, 0);
      notes.push(
        `scale-out: the same two load generators (${r.concurrency / 2} conversations each) drive one instance, then two (one each), on a fresh schema each time; ` +
          `servers, generators and PostgreSQL all share this machine's ${r.cpus} cores (${r.cpus * 100}% of one core): servers + generators used ${Math.round(used(r.one))}% with one instance and ${Math.round(used(r.two))}% with two, ` +
          `while the whole machine was busy ${cpuPct(r.one.machineBusyPercent)} and ${cpuPct(r.two.machineBusyPercent)} (the rest of that is PostgreSQL and other work on the machine), ` +
          `so ${r.cpus <= 2 ? `the second instance had no core of its own: on ${r.cpus} cores the ratio measures the machine, not the design (the instances share nothing but the database)` : 'the ratio is bounded by the cores left over'}.`,
      );
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
