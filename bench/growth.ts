/**
 * Benchmark `growth`: is the returns bot flat as its store grows? For each size in
 * BENCH_GROWTH_SIZES (default 0,100000,1000000) a fresh SQLite store is filled by
 * bench/seed-store.ts with that many finished conversations (transcripts, dedupe entries, audit
 * entries, RMAs, closed hand-overs) plus the same 20 conversations waiting in the staff queue at
 * every size; then, on that store:
 *
 * 1. the staff queue listing, `GET /api/agent/conversations?status=queued` with a staff key
 *    (`returnsbot agent add`), called one after the other: time per call;
 * 2. the `http` load (whole return conversations over /api/messages, `expectReplies`, 32
 *    concurrent conversations): turns/s and p99;
 * 3. `returnsbot rma show` of seeded RMAs (of RMAs the load issued on the empty store), run
 *    in-process one after the other (each call opens the store, as the command does): time per call.
 *
 * Each size is compared with the empty store (size 0, or the smallest size given) of the same run.
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
  load: LoadSummary;
  queue: CallTimes & { listed: number };
  rmaShow: CallTimes;
}

export interface GrowthBenchResult {
  concurrency: number;
  points: GrowthPoint[];
}

export interface GrowthOptions extends LoadOptions {
  runner: Runner;
  sizes: number[];
  orderClones: number;
  /** Calls of the queue listing and of `rma show` per size. */
  calls: number;
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

async function queueListing(port: number, key: string, calls: number): Promise<CallTimes & { listed: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    let listed = -1;
    const measured: number[] = [];
    for (let i = 0; i < calls + 20; i++) {
      const t0 = performance.now();
      const res = await getJson(port, '/api/agent/conversations?status=queued', key, agent);
      const dt = performance.now() - t0;
      if (res.status !== 200) throw new Error(`the queue listing answered ${res.status}: ${res.body.slice(0, 200)}`);
      if (i >= 20) measured.push(dt); // the first 20 warm up
      listed = (JSON.parse(res.body) as { conversations: unknown[] }).conversations.length;
    }
    return { ...times(measured), listed };
  } finally {
    agent.destroy();
  }
}

const sink = () => new Writable({ write: (_c, _e, done) => done() });

async function rmaShow(env: Record<string, string>, rmas: string[], calls: number): Promise<CallTimes> {
  if (rmas.length === 0) throw new Error('no RMA to show');
  const io = { stdin: Readable.from([]), stdout: sink(), stderr: sink(), env: { ...childEnv(env) }, now: () => new Date(), cwd: ROOT };
  const measured: number[] = [];
  for (let i = 0; i < calls + 10; i++) {
    const t0 = performance.now();
    const code = await rmaCommand(['show', rmas[i % rmas.length]!], io);
    const dt = performance.now() - t0;
    if (code !== 0) throw new Error(`rma show ${rmas[i % rmas.length]} exited ${code}`);
    if (i >= 10) measured.push(dt);
  }
  return times(measured);
}

export async function benchGrowth(options: GrowthOptions): Promise<GrowthBenchResult> {
  const points: GrowthPoint[] = [];
  for (const size of options.sizes) {
    const work = mkdtempSync(join(tmpdir(), `returnsbot-bench-growth-${size}-`));
    const servers: Server[] = [];
    try {
      const dataDir = join(work, 'data');
      const env = { ...BASE_ENV, RETURNS_DATA_DIR: dataDir };
      console.error(`growth: seeding ${size.toLocaleString('en')} finished conversations …`);
      const seeded = await seedStore({ dataDir, conversations: size, queued: 20 });
      const storeBytes = statSync(sqliteFileIn(dataDir)).size;
      importScenarioOrders(options.runner, env, work, options.orderClones);
      const key = addStaff(options.runner, env);
      const b = await startBot(options.runner, env);
      servers.push(b.server);
      const queue = await queueListing(b.port, key, options.calls);
      const load = await runLoad(b.port, b.server, options, 'steps', ['--order-clones', String(options.orderClones), '--prefix', `g-${randomUUID().slice(0, 8)}`]);
      await stopProcess(b.server);
      let rmas = seeded.sampleRmas;
      if (rmas.length === 0) {
        const { db } = openSqlite(sqliteFileIn(dataDir), { readonly: true });
        rmas = (db.prepare('SELECT rma FROM rmas LIMIT 1000').all() as { rma: string }[]).map((r) => r.rma);
        db.close();
      }
      const shown = await rmaShow(env, rmas, options.calls);
      points.push({ size, seedSeconds: seeded.seconds, storeBytes, load: summary(load, b.server), queue, rmaShow: shown });
    } finally {
      for (const s of servers) await stopProcess(s, 5000);
      rmSync(work, { recursive: true, force: true });
    }
  }
  return { concurrency: options.concurrency, points };
}
