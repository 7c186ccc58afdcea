/**
 * RETURNS_WORKERS > 1: the primary process forks that many workers sharing the port (node:cluster)
 * and only supervises them. A worker that dies, for whatever reason, is replaced (after a short
 * delay that grows while workers keep dying at once, up to 10 s); the supervisor itself keeps
 * running for as long as workers should run — it holds a timer of its own, so it never exits just
 * because, for a moment, no worker is alive. SIGTERM or SIGINT is passed on to every worker and
 * awaited; then the supervisor returns.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../log.js';

export interface SupervisorOptions {
  count: number;
  logger: Logger;
  /** First delay before a replacement (ms); doubles while workers die in quick succession. Default 500. */
  restartDelayMs?: number;
}

export async function supervise({ count, logger, restartDelayMs = 500 }: SupervisorOptions): Promise<number> {
  let stopping = false;
  let delay = restartDelayMs;
  let lastDeath = 0;
  const fork = (): Worker | null => (stopping ? null : cluster.fork());
  for (let i = 0; i < count; i++) fork();
  logger.info({ workers: count }, 'returnsbot supervising workers');
  // Keeps the event loop of the supervisor alive while it supervises (a restart timer alone is not
  // enough: between a death and its replacement nothing else would hold it).
  const alive = setInterval(() => {}, 60_000);
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    const now = Date.now();
    delay = now - lastDeath < 5_000 ? Math.min(delay * 2, 10_000) : restartDelayMs;
    lastDeath = now;
    logger.error({ pid: worker.process.pid, code, signal, restartInMs: delay }, 'worker died; starting another');
    setTimeout(fork, delay);
  });
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      stopping = true;
      const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => Boolean(w) && !w!.isDead());
      if (workers.length === 0) return resolve();
      let left = workers.length;
      for (const w of workers) {
        w.once('exit', () => --left === 0 && resolve());
        w.process.kill(signal);
      }
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  clearInterval(alive);
  return 0;
}
