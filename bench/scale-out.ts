/**
 * Benchmark `scale-out`: two instances of the returns bot on one PostgreSQL database against one.
 * Both runs use the same load: two load generators side by side, each driving half of the
 * concurrent conversations (the `http` conversations over /api/messages, `expectReplies`), each on
 * copies of the orders of its own. In the one-instance run both generators drive the same server;
 * in the two-instance run each drives its own server, both on the same fresh schema (every
 * conversation, RMA and hand-over in one database, as a deployment behind a load balancer has it).
 *
 * The ratio is the two instances' turns/s over the one instance's. Everything here — both servers,
 * both load generators and PostgreSQL — runs on this machine's cores: when the one instance already
 * has a core to itself and the rest is taken by the generators and the database, a second instance
 * has no core of its own to run on, and the ratio says so.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Runner } from './build.js';
import { BASE_ENV, importScenarioOrders, runLoad, startBot, stopProcess, summary, withClient, withSchema, type LoadOptions, type LoadSummary, type Server } from './http.js';

export interface ScaleOutRun {
  instances: number;
  /** Both generators' turns in the measured window, per second. */
  turnsPerSecond: number;
  /** The larger of the two generators' p99. */
  p99: number;
  generators: LoadSummary[];
  /** The whole machine's CPU use over the run (warm-up included), in % of one core (Linux /proc/stat): every process, PostgreSQL and other work included. */
  machineBusyPercent: number | null;
}

/** The machine's busy and total CPU time so far (all cores, clock ticks), from /proc/stat; null elsewhere. */
function machineCpu(): { busy: number; total: number } | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

export interface ScaleOutResult {
  concurrency: number;
  cpus: number;
  one: ScaleOutRun;
  two: ScaleOutRun;
  ratio: number;
}

export async function benchScaleOut(options: LoadOptions & { runner: Runner; databaseUrl: string; orderClones: number }): Promise<ScaleOutResult> {
  const { runner, databaseUrl } = options;
  const work = mkdtempSync(join(tmpdir(), 'returnsbot-bench-scale-out-'));
  const schemas: string[] = [];
  const servers: Server[] = [];
  const half = Math.max(1, Math.floor(options.concurrency / 2));
  const perGenerator = { ...options, concurrency: half };
  const clones = Math.floor(options.orderClones / 2);

  const freshSchema = async () => {
    const schema = `returnsbot_bench_${Date.now().toString(36)}_${randomUUID().slice(0, 8)}`;
    await withClient(databaseUrl, (c) => c.query(`CREATE SCHEMA ${c.escapeIdentifier(schema)}`));
    schemas.push(schema);
    return withSchema(databaseUrl, schema);
  };

  const run = async (instances: 1 | 2): Promise<ScaleOutRun> => {
    const url = await freshSchema();
    const envFor = (i: number) => ({ ...BASE_ENV, DATABASE_URL: url, RETURNS_DATA_DIR: join(work, `data-${instances}-${i}`) });
    importScenarioOrders(runner, envFor(0), work, 2 * clones);
    const bots: { server: Server; port: number }[] = [];
    for (let i = 0; i < instances; i++) {
      const bot = await startBot(runner, envFor(i));
      servers.push(bot.server);
      bots.push(bot);
    }
    const prefix = randomUUID().slice(0, 8);
    const before = machineCpu();
    const loads = await Promise.all(
      [0, 1].map((g) => {
        const bot = bots[g % instances]!;
        return runLoad(bot.port, bot.server, perGenerator, 'steps', ['--order-clones', String(clones), '--clone-offset', String(g * clones), '--prefix', `s${instances}-${g}-${prefix}`]);
      }),
    );
    const after = machineCpu();
    for (const bot of bots) await stopProcess(bot.server);
    const generators = loads.map((l, g) => summary(l, bots[g % instances]!.server));
    return {
      instances,
      turnsPerSecond: generators.reduce((a, l) => a + l.turnsPerSecond, 0),
      p99: Math.max(...generators.map((l) => l.latencyMs.p99)),
      generators,
      machineBusyPercent: after && before && after.total > before.total ? (100 * cpus().length * (after.busy - before.busy)) / (after.total - before.total) : null,
    };
  };

  try {
    const one = await run(1);
    const two = await run(2);
    return { concurrency: 2 * half, cpus: cpus().length, one, two, ratio: two.turnsPerSecond / one.turnsPerSecond };
  } finally {
    for (const s of servers) await stopProcess(s, 5000);
    await withClient(databaseUrl, async (c) => {
      for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS ${c.escapeIdentifier(s)} CASCADE`);
    }).catch((e: unknown) => console.error(`could not drop the benchmark schemas ${schemas.join(', ')}: ${String(e)}`));
    rmSync(work, { recursive: true, force: true });
  }
}
