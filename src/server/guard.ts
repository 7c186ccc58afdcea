/**
 * The last resort: an exception or a rejected promise that nothing else caught is logged (its name
 * and message, never a request's data) and counted, and the process keeps serving. Every input path
 * handles its own errors (bodies, uploads, streams, turns); this guard only makes sure that a bug
 * somewhere no test has reached yet cannot let one request end the process for every customer.
 * Installed once by `returnsbot serve` (not by tests, which run inside mocha's own handlers).
 */
import type { Logger } from '../log.js';

export interface GuardCounters {
  /** Called for each error caught here (a metric, say). */
  onError?: (kind: 'uncaughtException' | 'unhandledRejection') => void;
}

let installed = false;

export function installProcessGuard(logger: Logger, counters: GuardCounters = {}): void {
  if (installed) return;
  installed = true;
  const describe = (e: unknown) => (e instanceof Error ? { name: e.name, message: e.message.slice(0, 300), stack: e.stack?.slice(0, 2000) } : { value: typeof e });
  process.on('uncaughtException', (error) => {
    counters.onError?.('uncaughtException');
    logger.error({ err: describe(error) }, 'uncaught exception (kept running)');
  });
  process.on('unhandledRejection', (reason) => {
    counters.onError?.('unhandledRejection');
    logger.error({ err: describe(reason) }, 'unhandled promise rejection (kept running)');
  });
}
