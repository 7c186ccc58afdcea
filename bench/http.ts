/**
 * Benchmarks `http` and `http-postgres`: the returns bot (b) against a stock botbuilder echo bot
 * (a, bench/echo-bot.ts, MemoryStorage), both on restify, both compiled and run as their own
 * processes, driven by the same load generator (bench/load.ts, a third process) over keep-alive HTTP
 * with `deliveryMode: "expectReplies"`, through whole return conversations at 32 concurrent
 * conversations. (b) runs the real conversations (answers chosen by the step it asks); (a) gets the
 * same messages, turn for turn.
 *
 * Measured, all in the same run: turns/s, latency percentiles and errors of both; bytes stored per
 * conversation by (b) (bench/footprint.ts) and by (a); cold start of both (spawn → first 200 from
 * (b)'s /healthz, and → first answered turn; spawn → first echo for (a)), median of 5, each (b)
 * start on a fresh data folder (or a fresh PostgreSQL schema).
 *
 * (b) runs with a fresh RETURNS_DATA_DIR, RETURNS_TODAY=2026-12-30, RETURNS_DEMO_ORDERS=false,
 * LOG_LEVEL=warn, after `returnsbot orders import` of the scenario orders of test/support/server.ts
 * (plus copies under other numbers: bench/scenarios.ts `cloneOrderNumber`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { SCENARIO_ORDERS } from '../test/support/server.js';
import { ROOT, type Runner } from './build.js';
import { postgresCommitCost, sqliteCommitCost, type CommitCost } from './commit-cost.js';
import { summarizeProfile, type ProfileSummary } from './cpu-profile.js';
import { postgresFootprint, sqliteFootprint, type Footprint } from './footprint.js';
import { cloneOrderNumber } from './scenarios.js';
import { median, type LoadResult } from './stats.js';

/** What a load run needs to know. */
export type LoadOptions = Pick<HttpBenchOptions, 'concurrency' | 'warmupSeconds' | 'seconds'>;

export interface HttpBenchOptions {
  runner: Runner;
  /** PostgreSQL server for (b); a fresh schema is created in it (and dropped afterwards). */
  databaseUrl?: string;
  concurrency: number;
  warmupSeconds: number;
  seconds: number;
  coldStarts: number;
  /** Copies of each scenario order (so that every conversation issues its own RMA). */
  orderClones: number;
  /** Write a CPU profile of (b) under load into this folder. */
  cpuProfileDir?: string;
}

export type LoadSummary = Omit<LoadResult, 'completedConversationIds' | 'scripts'> & {
  /** CPU time of the server process in the measured window, in % of one core (Linux /proc). */
  serverCpuPercent: number | null;
  /** The same per turn answered, in ms of CPU. */
  serverCpuMsPerTurn: number | null;
  /** Log lines of level error or worse the server wrote during the run. */
  serverErrorLogs: string[];
};

export interface HttpBenchResult {
  engine: 'sqlite' | 'postgres';
  runner: { kind: Runner['kind']; buildMs: number; note?: string };
  concurrency: number;
  returnsbot: {
    load: LoadSummary;
    footprint: Footprint | { error: string };
    /** Spawn → first 200 from /healthz, per start, and their median (the goal is compared with it). */
    coldStartMs: number[];
    coldStartMedianMs: number;
    /** Spawn → first turn answered (`hi`, a new conversation), per start, and the median. */
    firstTurnMs: number[];
    firstTurnMedianMs: number;
    profile?: ProfileSummary & { file: string };
  };
  echo: {
    load: LoadSummary;
    /** What the echo bot's MemoryStorage held at the end (one ConversationState item per conversation). */
    stored: { items: number; bytes: number; maxBytes: number; bytesPerConversation: number } | null;
    /** Spawn → first echo answered, per start, and the median. */
    coldStartMs: number[];
    coldStartMedianMs: number;
  };
  /** The ceiling: restify alone answering each message, no Bot Framework and no bot. */
  bare: { load: LoadSummary };
  /** (b) again with RETURNS_WORKERS=2 (two processes sharing the port and the store), on a fresh store: what the second core adds. */
  workers2: { load: LoadSummary } | null;
  ratio: { turnsPerSecond: number; p50: number; p99: number };
  /** The PostgreSQL server (http-postgres): where (no credentials), its version and commit setting. */
  postgres?: { host: string; version: string; synchronousCommit: string };
  /** One durable commit after the other on this machine (bench/commit-cost.ts). */
  commitCost: { sqliteFull: CommitCost; sqliteNormal: CommitCost; postgres?: CommitCost };
}

// ---- processes --------------------------------------------------------------------------------

export interface Server {
  child: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
}

/** Settings of the bot taken from the environment that must not leak from the caller's into the servers. */
const BOT_SETTING = /^(DATABASE_URL|Microsoft|RETURNS_|LOG_LEVEL$|PORT$|HOST$|RATE_LIMIT_|MAX_BODY_BYTES$|METRICS_)/;

export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !BOT_SETTING.test(k)));
  return { ...clean, ...env };
}

export function startProcess(args: string[], env: Record<string, string>): Server {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim() && lines.length < 10_000) lines.push(line);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, lines, exited };
}

export async function stopProcess(server: Server, timeoutMs = 15_000): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), timeoutMs);
  await server.exited;
  clearTimeout(timer);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** One request without keep-alive; the status, or 0 when nothing answers yet. */
export function request(port: number, method: 'GET' | 'POST', path: string, body?: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent: false, headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.setTimeout(10_000, () => req.destroy());
    req.end(body);
  });
}

export function messageBody(text: string): string {
  const id = randomUUID();
  return JSON.stringify({
    type: 'message',
    id,
    channelId: 'test',
    serviceUrl: 'http://127.0.0.1:9',
    deliveryMode: 'expectReplies',
    locale: 'en-GB',
    from: { id: `user-${id}`, role: 'user' },
    recipient: { id: 'bot' },
    conversation: { id: `cold-${id}` },
    text,
  });
}

/** Poll until `ok()` is true; the milliseconds since `since`. */
export async function pollUntil(since: number, ok: () => Promise<boolean>, server: Server, timeoutMs = 30_000): Promise<number> {
  for (;;) {
    if (await ok()) return performance.now() - since;
    if (server.child.exitCode !== null) throw new Error(`the server exited (code ${server.child.exitCode}): ${server.lines.slice(-5).join(' | ')}`);
    if (performance.now() - since > timeoutMs) throw new Error(`no answer after ${timeoutMs} ms: ${server.lines.slice(-5).join(' | ')}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** CPU seconds (user + system) a process used so far, from /proc; null where there is none. */
export function cpuSeconds(pid: number | undefined): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks (USER_HZ = 100 on Linux)
  } catch {
    return null;
  }
}

export function errorLines(lines: readonly string[]): string[] {
  return lines
    .filter((l) => {
      try {
        return ((JSON.parse(l) as { level?: number }).level ?? 0) >= 50;
      } catch {
        return /error/i.test(l) && !/^\{"(port|stored)"/.test(l);
      }
    })
    .slice(0, 5);
}

/** Run the load generator against `port`; samples the server's CPU over the measured window. */
export async function runLoad(port: number, server: Server, options: LoadOptions, mode: LoadResult['mode'], extra: string[] = []): Promise<LoadResult & { serverCpuPercent: number | null }> {
  const args = [
    '--import',
    'tsx',
    join(ROOT, 'bench', 'load.ts'),
    '--url',
    `http://127.0.0.1:${port}`,
    '--mode',
    mode,
    '--concurrency',
    String(options.concurrency),
    '--warmup',
    String(options.warmupSeconds),
    '--seconds',
    String(options.seconds),
    ...extra,
  ];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let cpuStart: number | null = null;
  let cpuEnd: number | null = null;
  let tStart = 0;
  let tEnd = 0;
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => {
    const s = c.toString('utf8');
    if (s.includes('phase:measure')) {
      cpuStart = cpuSeconds(server.child.pid);
      tStart = performance.now();
    }
    if (s.includes('phase:done')) {
      cpuEnd = cpuSeconds(server.child.pid);
      tEnd = performance.now();
    }
    err += s.replace(/phase:\w+\n/g, '');
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const last = out.trim().split('\n').pop();
  if (code !== 0 || !last) throw new Error(`the load generator failed (exit ${code}): ${err.slice(0, 500)}`);
  const result = JSON.parse(last) as LoadResult;
  const serverCpuPercent = cpuStart !== null && cpuEnd !== null && tEnd > tStart ? (100 * (cpuEnd - cpuStart)) / ((tEnd - tStart) / 1000) : null;
  return { ...result, serverCpuPercent };
}

export function summary(r: LoadResult & { serverCpuPercent: number | null }, server: Server): LoadSummary {
  const { completedConversationIds: _ids, scripts: _scripts, ...rest } = r;
  const serverCpuMsPerTurn = r.serverCpuPercent === null || !r.turnsPerSecond ? null : (10 * r.serverCpuPercent) / r.turnsPerSecond;
  return { ...rest, serverCpuMsPerTurn, serverErrorLogs: errorLines(server.lines) };
}

/** `returnsbot orders import` of the scenario orders and `clones` copies of each, into the store `env` names. */
export function importScenarioOrders(runner: Runner, env: Record<string, string>, work: string, clones: number): void {
  const orders = SCENARIO_ORDERS.flatMap((o) => [o, ...Array.from({ length: clones }, (_, i) => ({ ...o, orderNumber: cloneOrderNumber(o.orderNumber, i) }))]);
  const ordersFile = join(work, `orders-${clones}.json`);
  writeFileSync(ordersFile, JSON.stringify(orders));
  const imported = spawnSync(process.execPath, [...runner.cli, 'orders', 'import', ordersFile], { cwd: ROOT, env: childEnv(env), encoding: 'utf8' });
  if (imported.status !== 0) throw new Error(`orders import failed: ${imported.stderr || imported.stdout}`);
}

/** Start the returns bot on a free port and wait for /healthz 200. */
export async function startBot(runner: Runner, env: Record<string, string>, extraNodeArgs: string[] = []): Promise<{ server: Server; port: number }> {
  const port = await freePort();
  const server = startProcess([...extraNodeArgs, ...runner.cli, 'serve'], { ...env, PORT: String(port) });
  await pollUntil(performance.now(), async () => (await request(port, 'GET', '/healthz')) === 200, server);
  return { server, port };
}

/** Start the echo bot (`args`: its flags) on a free port and wait until it listens. */
export async function startEcho(runner: Runner, args: string[] = []): Promise<{ server: Server; port: number }> {
  const port = await freePort();
  const server = startProcess([...runner.echo, String(port), ...args], {});
  await pollUntil(performance.now(), async () => server.lines.some((l) => l.startsWith('{"port"')), server);
  return { server, port };
}

// ---- PostgreSQL --------------------------------------------------------------------------------

/** A connection string whose sessions use `schema` (libpq `options`, read by node-postgres too). */
export function withSchema(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

// ---- the benchmark ----------------------------------------------------------------------------

/** (b)'s settings; BENCH_WORKERS sets RETURNS_WORKERS (worker processes; default 1, as `npm start`). */
// One load generator starts every conversation from one address: the per-address limit on new conversations is off.
export const BASE_ENV = {
  RETURNS_TODAY: '2026-12-30',
  RETURNS_DEMO_ORDERS: 'false',
  LOG_LEVEL: 'warn',
  RETURNS_WORKERS: process.env.BENCH_WORKERS ?? '1',
  RATE_LIMIT_NEW_CONVERSATIONS_PER_MINUTE: '0',
};

export async function benchHttp(options: HttpBenchOptions): Promise<HttpBenchResult> {
  const { runner } = options;
  const engine = options.databaseUrl ? 'postgres' : 'sqlite';
  const work = mkdtempSync(join(tmpdir(), `returnsbot-bench-${engine}-`));
  const schemas: string[] = [];
  const servers: Server[] = [];
  const track = (s: Server) => (servers.push(s), s);

  /** The environment of (b) on a fresh data folder (and a fresh schema on PostgreSQL). */
  const freshStore = async (label: string): Promise<{ env: Record<string, string>; dataDir: string; schema?: string }> => {
    const dataDir = mkdtempSync(join(work, `${label}-`));
    if (!options.databaseUrl) return { env: { ...BASE_ENV, RETURNS_DATA_DIR: dataDir }, dataDir };
    const schema = `returnsbot_bench_${Date.now().toString(36)}_${randomUUID().slice(0, 8)}`;
    await withClient(options.databaseUrl, (c) => c.query(`CREATE SCHEMA ${c.escapeIdentifier(schema)}`));
    schemas.push(schema);
    return { env: { ...BASE_ENV, RETURNS_DATA_DIR: dataDir, DATABASE_URL: withSchema(options.databaseUrl, schema) }, dataDir, schema };
  };

  try {
    // 1. Cold starts of (b): spawn → /healthz 200 → first turn answered. LOG_LEVEL=info here, to
    //    read which store the server opened from its "listening" line.
    const coldStartMs: number[] = [];
    const firstTurnMs: number[] = [];
    let reportedStore: string | undefined;
    for (let i = 0; i < options.coldStarts; i++) {
      const { env } = await freshStore(`cold-${i}`);
      const port = await freePort();
      const t0 = performance.now();
      const server = track(startProcess([...runner.cli, 'serve'], { ...env, LOG_LEVEL: 'info', PORT: String(port) }));
      coldStartMs.push(await pollUntil(t0, async () => (await request(port, 'GET', '/healthz')) === 200, server));
      const status = await request(port, 'POST', '/api/messages', messageBody('hi'));
      if (status !== 200) throw new Error(`the first turn after start answered HTTP ${status}`);
      firstTurnMs.push(performance.now() - t0);
      await stopProcess(server);
      for (const line of server.lines) {
        try {
          const j = JSON.parse(line) as { msg?: string; store?: string };
          if (j.msg === 'returnsbot listening') reportedStore = j.store;
        } catch {
          // not a log line
        }
      }
    }
    if (engine === 'postgres' && reportedStore !== 'postgres') {
      throw new SkipError(`with DATABASE_URL set the server opened store "${reportedStore ?? 'unknown'}", not PostgreSQL: the PostgreSQL store is not wired into the server yet`);
    }

    // 2. Cold starts of (a): spawn → first echo answered.
    const echoColdMs: number[] = [];
    for (let i = 0; i < options.coldStarts; i++) {
      const port = await freePort();
      const t0 = performance.now();
      const server = track(startProcess([...runner.echo, String(port)], {}));
      echoColdMs.push(await pollUntil(t0, async () => (await request(port, 'POST', '/api/messages', messageBody('hi'))) === 200, server));
      await stopProcess(server);
    }

    // 3. What a durable commit costs here (a calibrator for the store's share of a turn).
    const commitCost: HttpBenchResult['commitCost'] = { sqliteFull: sqliteCommitCost(work, 'FULL'), sqliteNormal: sqliteCommitCost(work, 'NORMAL') };
    let postgres: HttpBenchResult['postgres'];
    if (options.databaseUrl) {
      commitCost.postgres = await postgresCommitCost((await freshStore('commit')).env.DATABASE_URL!);
      const u = new URL(options.databaseUrl);
      postgres = await withClient(options.databaseUrl, async (c) => ({
        host: `${u.hostname}:${u.port || 5432}`,
        version: String((await c.query('SHOW server_version')).rows[0]?.server_version),
        synchronousCommit: String((await c.query('SHOW synchronous_commit')).rows[0]?.synchronous_commit),
      }));
    }

    // 4. (b) under load, on a fresh store with the scenario orders (and their copies) imported.
    const store = await freshStore('load');
    importScenarioOrders(runner, store.env, work, options.orderClones);

    const bPort = await freePort();
    const profArgs = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
    const b = track(startProcess([...profArgs, ...runner.cli, 'serve'], { ...store.env, PORT: String(bPort) }));
    await pollUntil(performance.now(), async () => (await request(bPort, 'GET', '/healthz')) === 200, b);
    // Every scenario once first: what the customer says in each is what the echo bot will be sent.
    const probe = await runLoad(bPort, b, options, 'probe', ['--prefix', `p-${randomUUID().slice(0, 8)}`]);
    if (probe.errors) throw new Error(`the scenarios do not run through on this server: ${probe.errorSamples.join(' | ')}`);
    const bLoad = await runLoad(bPort, b, options, 'steps', ['--order-clones', String(options.orderClones), '--prefix', `b-${randomUUID().slice(0, 8)}`]);
    const profileStarted = Date.now();
    await stopProcess(b);

    let footprint: Footprint | { error: string };
    try {
      footprint = store.schema
        ? await postgresFootprint(withSchema(options.databaseUrl!, store.schema), store.schema, bLoad.completedConversationIds)
        : sqliteFootprint(join(store.dataDir, 'returns.db'), bLoad.completedConversationIds);
    } catch (e) {
      footprint = { error: e instanceof Error ? e.message : String(e) };
    }

    let profile: HttpBenchResult['returnsbot']['profile'];
    if (options.cpuProfileDir) {
      const dir = options.cpuProfileDir;
      const newest = readdirSync(dir)
        .filter((f) => f.endsWith('.cpuprofile'))
        .map((f) => ({ f: join(dir, f), t: statSync(join(dir, f)).mtimeMs }))
        .filter((x) => x.t >= profileStarted - 1000)
        .sort((x, y) => y.t - x.t)[0];
      if (newest) profile = { file: newest.f, ...summarizeProfile(newest.f) };
    }

    // 4b. (b) with two worker processes (node:cluster) on a fresh store, when there are two cores.
    let workers2: HttpBenchResult['workers2'] = null;
    if (availableParallelism() >= 2) {
      const store2 = await freshStore('workers2');
      importScenarioOrders(runner, store2.env, work, options.orderClones);
      const wPort = await freePort();
      const w = track(startProcess([...runner.cli, 'serve'], { ...store2.env, RETURNS_WORKERS: '2', PORT: String(wPort) }));
      await pollUntil(performance.now(), async () => (await request(wPort, 'GET', '/healthz')) === 200, w);
      const wLoad = await runLoad(wPort, w, options, 'steps', ['--order-clones', String(options.orderClones), '--prefix', `w-${randomUUID().slice(0, 8)}`]);
      await stopProcess(w);
      workers2 = { load: summary(wLoad, w) };
    }

    // 5. (a) under load: the same messages, turn for turn.
    const scriptsFile = join(work, 'scripts.json');
    writeFileSync(scriptsFile, JSON.stringify(probe.scripts ?? {}));
    const aPort = await freePort();
    const a = track(startProcess([...runner.echo, String(aPort)], {}));
    await pollUntil(performance.now(), async () => a.lines.some((l) => l.startsWith('{"port"')), a);
    const aLoad = await runLoad(aPort, a, options, 'replay', ['--scripts', scriptsFile, '--prefix', `a-${randomUUID().slice(0, 8)}`]);
    await stopProcess(a);
    // 6. The ceiling: restify alone, no Bot Framework, no bot (same messages, same load).
    const fPort = await freePort();
    const f = track(startProcess([...runner.echo, String(fPort), '--bare'], {}));
    await pollUntil(performance.now(), async () => f.lines.some((l) => l.startsWith('{"port"')), f);
    const fLoad = await runLoad(fPort, f, options, 'replay', ['--scripts', scriptsFile, '--prefix', `f-${randomUUID().slice(0, 8)}`]);
    await stopProcess(f);
    const storedLine = a.lines.find((l) => l.startsWith('{"stored"'));
    const stored = storedLine ? (JSON.parse(storedLine) as { stored: { items: number; bytes: number; maxBytes: number } }).stored : null;

    return {
      engine,
      runner: { kind: runner.kind, buildMs: runner.buildMs, note: runner.note },
      concurrency: options.concurrency,
      returnsbot: {
        load: summary(bLoad, b),
        footprint,
        coldStartMs,
        coldStartMedianMs: median(coldStartMs),
        firstTurnMs,
        firstTurnMedianMs: median(firstTurnMs),
        profile,
      },
      echo: {
        load: summary(aLoad, a),
        stored: stored ? { ...stored, bytesPerConversation: stored.items ? stored.bytes / stored.items : NaN } : null,
        coldStartMs: echoColdMs,
        coldStartMedianMs: median(echoColdMs),
      },
      bare: { load: summary(fLoad, f) },
      workers2,
      ratio: {
        turnsPerSecond: bLoad.turnsPerSecond / aLoad.turnsPerSecond,
        p50: bLoad.latencyMs.p50 / aLoad.latencyMs.p50,
        p99: bLoad.latencyMs.p99 / aLoad.latencyMs.p99,
      },
      commitCost,
      postgres,
    };
  } finally {
    for (const s of servers) await stopProcess(s, 5000);
    if (options.databaseUrl && schemas.length) {
      await withClient(options.databaseUrl, async (c) => {
        for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS ${c.escapeIdentifier(s)} CASCADE`);
      }).catch((e: unknown) => console.error(`could not drop the benchmark schemas ${schemas.join(', ')}: ${String(e)}`));
    }
    rmSync(work, { recursive: true, force: true });
  }
}

/** The benchmark cannot run here (and says why); not a failure. */
export class SkipError extends Error {}
