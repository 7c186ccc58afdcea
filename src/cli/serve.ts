/**
 * `returnsbot serve` (= `npm start`): validate the configuration, open the store, start the server.
 * SIGTERM and SIGINT stop accepting requests and let in-flight turns finish before exit.
 *
 * With RETURNS_WORKERS > 1 this process forks that many workers sharing the port (node:cluster) and
 * only supervises them: a worker that dies is replaced; a signal is passed on and awaited. Workers
 * share the store like separate instances do (compare-and-swap, idempotent RMAs, deduplication).
 */
import cluster from 'node:cluster';
import { loadConfig } from '../config.js';
import { createRuntime } from '../app.js';
import { createLogger } from '../log.js';
import { createHttpServer } from '../server/http.js';
import { installProcessGuard } from '../server/guard.js';
import { supervise } from '../server/supervisor.js';
import { warmUp } from '../nlu/index.js';
import { problemLines, ValidationError } from '../validation.js';
import { EXIT_BAD_INPUT, writeLines, type Command } from './io.js';

export const serveCommand: Command = async (_args, io) => {
  let config;
  try {
    config = loadConfig(io.env);
  } catch (e) {
    if (e instanceof ValidationError) {
      writeLines(io.stderr, ['returnsbot: the configuration is not valid:', ...problemLines(e.problems)]);
      return EXIT_BAD_INPUT;
    }
    throw e;
  }
  const logger = createLogger(config.LOG_LEVEL);
  if (config.RETURNS_WORKERS > 1 && cluster.isPrimary) return supervise({ count: config.RETURNS_WORKERS, logger });
  const started = performance.now();
  const runtime = await createRuntime(config, { logger, now: () => io.now().getTime() });
  const http = await createHttpServer(runtime);
  installProcessGuard(logger, { onError: (kind) => http.metrics.errors.inc({ kind }) });
  const { port } = await http.listen(config.PORT, config.listenHost);
  logger.info({ port, host: config.listenHost, store: runtime.store.engine, dataDir: config.RETURNS_DATA_DIR, today: config.RETURNS_TODAY ?? null, startMs: Math.round(performance.now() - started) }, 'returnsbot listening');
  // Compile the language lists now, between requests, rather than during a customer's first turn.
  setImmediate(() => warmUp());
  if (config.anonymous) {
    logger.warn('no MicrosoftAppId is set: the bot accepts unauthenticated requests (fine for the Emulator and local tests, not for production)');
  }

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down: finishing in-flight turns');
      http
        .close()
        .then(() => runtime.close())
        // A worker's channel to the supervisor would keep it running: let go of it.
        .then(() => void cluster.worker?.disconnect())
        .then(resolve, resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  return 0;
};
