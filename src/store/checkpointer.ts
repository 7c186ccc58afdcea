/**
 * WAL checkpoints off the event loop.
 *
 * In WAL mode SQLite copies the log back into the database file every 1,000 pages, inside whichever
 * commit crosses that mark, and with `synchronous = NORMAL` that checkpoint fsyncs the file: a
 * commit that normally takes tens of microseconds then blocks the event loop, and every
 * conversation waiting on it, for milliseconds (measured by `npm run bench -- http`: about 3 of 4
 * milliseconds spent committing were spent in such checkpoints, up to 8 ms each).
 *
 * Here the serving store turns the automatic checkpoint off on its connection, and a worker thread
 * with a connection of its own to the same file runs `PRAGMA wal_checkpoint(PASSIVE)` every
 * `intervalMs`. A passive checkpoint never waits for the writer nor blocks it; the writer restarts
 * the WAL from its beginning once everything is copied, so the file stays small. Durability is
 * unchanged: what is committed is in the WAL, checkpointed or not, and the last connection to close
 * checkpoints what is left. If the worker cannot start or fails, the store gets its automatic
 * checkpoint back (`onFailure`).
 */
import { Worker } from 'node:worker_threads';

export interface Checkpointer {
  /** Stop the worker (its connection closed); resolves when it has exited. */
  stop(): Promise<void>;
}

export interface CheckpointerOptions {
  /** The database file (WAL mode). */
  file: string;
  /** The binding's module, resolved (`require.resolve('libsql')`, say): the worker loads the same one. */
  modulePath: string;
  /** How often the worker checkpoints (ms). Default 100. */
  intervalMs?: number;
  /** Frames in the WAL above which it is restarted (see the header). Default 2,000 (8 MB). */
  restartFrames?: number;
  /**
   * Run `fn` with no write of this process on the database meanwhile (the store's write turns):
   * a restart checkpoint runs under it, so that nothing is appended while it catches up.
   */
  quiet<T>(fn: () => Promise<T>): Promise<T>;
  /** The worker failed (its connection could not open, say); the store goes back to automatic checkpoints. */
  onFailure(error: Error): void;
}

// CommonJS, run by the worker as a script: it needs no file of its own (the same under tsx and tsc).
// Every checkpoint reports the WAL's frames and how many are copied; a 'now' message asks for one at once.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.modulePath);
const db = new Database(workerData.file, { timeout: 0 });
const statement = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
const checkpoint = (now) => {
  let row = null;
  try { row = statement.all()[0]; } catch (e) { if (!/busy|locked/i.test(String(e && e.message))) throw e; }
  parentPort.postMessage({ now, log: row ? Number(row.log) : -1, checkpointed: row ? Number(row.checkpointed) : -1 });
};
const timer = setInterval(() => checkpoint(false), workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'now') return checkpoint(true);
  clearInterval(timer); db.close(); parentPort.close();
});
`;

interface Report {
  now: boolean;
  log: number;
  checkpointed: number;
}

export function startCheckpointer(options: CheckpointerOptions): Checkpointer {
  const restartFrames = options.restartFrames ?? 2000;
  const worker = new Worker(WORKER, { eval: true, workerData: { file: options.file, modulePath: options.modulePath, intervalMs: options.intervalMs ?? 100 } });
  // It never keeps the process alive: a server stops when its store and listeners are closed.
  worker.unref();
  let stopped = false;
  let restarting = false;
  let answer: (() => void) | null = null;
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      answer?.();
      resolve();
    }),
  );
  worker.once('error', (error) => {
    if (!stopped) options.onFailure(error);
  });
  // A long WAL: copy its last frames while this process appends nothing, so that the next commit
  // starts it again from the beginning (SQLite restarts a WAL only when it is wholly copied).
  const restart = () => {
    restarting = true;
    options
      .quiet(
        () =>
          new Promise<void>((resolve) => {
            if (stopped) return resolve();
            answer = resolve;
            worker.postMessage('now');
          }),
      )
      .finally(() => {
        restarting = false;
      });
  };
  worker.on('message', (report: Report) => {
    if (report.now) {
      const done = answer;
      answer = null;
      done?.();
    } else if (!restarting && !stopped && report.log > restartFrames) restart();
  });
  return {
    async stop() {
      if (!stopped) {
        stopped = true;
        worker.postMessage('stop');
      }
      await exited;
    },
  };
}
