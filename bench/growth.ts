/**
 * Benchmark `growth`: is the returns bot flat as its store grows? For each size in
 * BENCH_GROWTH_SIZES (default 0,100000,1000000) a fresh SQLite store is filled by
 * bench/seed-store.ts with that many finished conversations (transcripts, dedupe entries, audit
 * entries, RMAs, closed hand-overs) plus the same 20 conversations waiting in the staff queue at
 * every size; then, on that store:
 *
 * 1. the staff queue listing, `GET /api/agent/conversations?status=queued` with a staff key
 *    (`returnsbot agent add`), one call at a time, the calls taking turns between the stores (a
 *    server on each): time per call;
 * 2. the `http` load (whole return conversations over /api/messages, `expectReplies`, 32
 *    concurrent conversations): turns/s and p99;
 * 3. `returnsbot rma show` of seeded RMAs (of RMAs the load issued on the empty store), run
 *    in-process (each call opens the store, as the command does), the calls taking turns between
 *    the stores: time per call.
 *
 * Each size is compared with the first size given (the empty store, 0, by default) of the same run.
 * Every store is seeded first; then the measured runs take turns, BENCH_GROWTH_ROUNDS times (3):
 * size A, size B, …, size A, size B, … (a fresh server each time, each round on orders of its own),
 * and each size reports the median of its rounds — so that the other work on a shared machine,
 * which comes and goes, falls on every size alike rather than on whichever ran last.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { Writable, Readable } from 'node:stream';
import { rmaCommand } from '../src/cli/rma.js';
import { openSqlite } from '../src/store/sqlite-binding.js';
import { sqliteFileIn } from '../src/store/index.js';
import { ROOT, type Runner } from './build.js';
import { BASE_ENV, childEnv, importScenarioOrders, runLoad, startBot, stopProcess, summary, type LoadOptions, type LoadSummary, type Server } from './http.js';
import { seedStore } from './seed-store.js';
import { percentile } from './stats.js';

export interface CallTimes {
  calls: number;
  p50: number;
  p99: number;
  mean: number;
}

export interface GrowthPoint {
  size: number;
  seedSeconds: number;
  /** The database file after seeding (bytes). */
  storeBytes: number;
  /** Each round's load run on this store. */
  rounds: LoadSummary[];
  /** The median over the rounds of turns/s, and of p99 (ms). */
  turnsPerSecond: number;
  p99: number;
  /** Errors in all rounds. */
  errors: number;
  queue: CallTimes & { listed: number };
  rmaShow: CallTimes;
}

export interface GrowthBenchResult {
  concurrency: number;
  rounds: number;
  points: GrowthPoint[];
}

export interface GrowthOptions extends LoadOptions {
  runner: Runner;
  sizes: number[];
  orderClones: number;
  /** Calls of the queue listing and of `rma show` per size. */
  calls: number;
  /** Measured runs per size, taking turns between the sizes (BENCH_GROWTH_ROUNDS). */
  rounds: number;
}

function times(xs: number[]): CallTimes {
  const sorted = Float64Array.from(xs).sort();
  return { calls: xs.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), mean: xs.reduce((a, b) => a + b, 0) / xs.length };
}

function getJson(port: number, path: string, key: string, agent: http.Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, agent, headers: { authorization: `Bearer ${key}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** `returnsbot agent add bench`: the access key it prints. */
function addStaff(runner: Runner, env: Record<string, string>): string {
  const r = spawnSync(process.execPath, [...runner.cli, 'agent', 'add', 'bench'], { cwd: ROOT, env: childEnv(env), encoding: 'utf8' });
  const key = r.stdout.trim().split('\n').pop()?.trim();
  if (r.status !== 0 || !key) throw new Error(`agent add failed: ${r.stderr || r.stdout}`);
  return key;
}

/**
 * The queue listing on every store, the calls taking turns between the stores (one server each,
 * all running, idle but for the call being made); the first 20 rounds warm up.
 */
async function queueListings(bots: { port: number; key: string }[], calls: number): Promise<{ samples: number[]; listed: number }[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: bots.length });
  try {
    const out = bots.map(() => ({ samples: [] as number[], listed: -1 }));
    for (let i = 0; i < calls + 20; i++) {
      for (const [k, bot] of bots.entries()) {
        const t0 = performance.now();
        const res = await getJson(bot.port, '/api/agent/conversations?status=queued', bot.key, agent);
        const dt = performance.now() - t0;
        if (res.status !== 200) throw new Error(`the queue listing answered ${res.status}: ${res.body.slice(0, 200)}`);
        if (i >= 20) out[k]!.samples.push(dt);
        out[k]!.listed = (JSON.parse(res.body) as { conversations: unknown[] }).conversations.length;
      }
    }
    return out;
  } finally {
    agent.destroy();
  }
}

const sink = () => new Writable({ write: (_c, _e, done) => done() });

/** `rma show` on every store, the calls taking turns between the stores; the first 10 rounds warm up. */
async function rmaShows(stores: { env: Record<string, string>; rmas: string[] }[], calls: number): Promise<CallTimes[]> {
  const ios = stores.map((st) => {
    if (st.rmas.length === 0) throw new Error('no RMA to show');
    return { stdin: Readable.from([]), stdout: sink(), stderr: sink(), env: { ...childEnv(st.env) }, now: () => new Date(), cwd: ROOT };
  });
  const measured = stores.map(() => [] as number[]);
  for (let i = 0; i < calls + 10; i++) {
    for (const [k, st] of stores.entries()) {
      const rma = st.rmas[i % st.rmas.length]!;
      const t0 = performance.now();
      const code = await rmaCommand(['show', rma], ios[k]!);
      const dt = performance.now() - t0;
      if (code !== 0) throw new Error(`rma show ${rma} exited ${code}`);
      if (i >= 10) measured[k]!.push(dt);
    }
  }
  return measured.map(times);
}

/** The median of a few numbers. */
const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

export async function benchGrowth(options: GrowthOptions): Promise<GrowthBenchResult> {
  const rounds = Math.max(1, options.rounds);
  const perRound = Math.floor(options.orderClones / rounds);
  const work = mkdtempSync(join(tmpdir(), 'returnsbot-bench-growth-'));
  const servers: Server[] = [];
  try {
    // Every store first, so that the measured runs can take turns (see the header).
    const stores = [];
    for (const size of options.sizes) {
      const dataDir = join(work, `data-${size}`);
      const env = { ...BASE_ENV, RETURNS_DATA_DIR: dataDir };
      console.error(`growth: seeding ${size.toLocaleString('en')} finished conversations …`);
      const seeded = await seedStore({ dataDir, conversations: size, queued: 20 });
      const storeBytes = statSync(sqliteFileIn(dataDir)).size;
      importScenarioOrders(options.runner, env, work, perRound * rounds);
      stores.push({ size, env, dataDir, seeded, storeBytes, key: addStaff(options.runner, env), loads: [] as LoadSummary[] });
    }
    // The queue listing first, before any load adds hand-overs to a queue.
    console.error('growth: the staff queue listing on every store …');
    const listing = [];
    for (const st of stores) {
      const b = await startBot(options.runner, st.env);
      servers.push(b.server);
      listing.push({ ...b, key: st.key });
    }
    const queues = await queueListings(listing, options.calls);
    for (const b of listing) await stopProcess(b.server);
    for (let r = 0; r < rounds; r++) {
      for (const st of stores) {
        console.error(`growth: round ${r + 1} of ${rounds}, ${st.size.toLocaleString('en')} finished conversations …`);
        const b = await startBot(options.runner, st.env);
        servers.push(b.server);
        const load = await runLoad(b.port, b.server, options, 'steps', ['--order-clones', String(perRound), '--clone-offset', String(r * perRound), '--prefix', `g${r}-${randomUUID().slice(0, 8)}`]);
        await stopProcess(b.server);
        st.loads.push(summary(load, b.server));
      }
    }
    const shown = await rmaShows(
      stores.map((st) => {
        let rmas = st.seeded.sampleRmas;
        if (rmas.length === 0) {
          const { db } = openSqlite(sqliteFileIn(st.dataDir), { readonly: true });
          rmas = (db.prepare('SELECT rma FROM rmas LIMIT 1000').all() as { rma: string }[]).map((x) => x.rma);
          db.close();
        }
        return { env: st.env, rmas };
      }),
      options.calls,
    );
    const points: GrowthPoint[] = stores.map((st, k) => ({
      size: st.size,
      seedSeconds: st.seeded.seconds,
      storeBytes: st.storeBytes,
      rounds: st.loads,
      turnsPerSecond: mid(st.loads.map((l) => l.turnsPerSecond)),
      p99: mid(st.loads.map((l) => l.latencyMs.p99)),
      errors: st.loads.reduce((a, l) => a + l.errors, 0),
      queue: { ...times(queues[k]!.samples), listed: queues[k]!.listed },
      rmaShow: shown[k]!,
    }));
    return { concurrency: options.concurrency, rounds, points };
  } finally {
    for (const s of servers) await stopProcess(s, 5000);
    rmSync(work, { recursive: true, force: true });
  }
}
