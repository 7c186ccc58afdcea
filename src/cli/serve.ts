/**
 * `returnsbot serve` (= `npm start`): validate the configuration, open the store, start the server.
 * SIGTERM and SIGINT stop accepting requests and let in-flight turns finish before exit.
 */
import { loadConfig } from '../config.js';
import { createRuntime } from '../app.js';
import { createLogger } from '../log.js';
import { createHttpServer } from '../server/http.js';
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
  const started = performance.now();
  const runtime = await createRuntime(config, { logger, now: () => io.now().getTime() });
  const http = createHttpServer(runtime);
  const { port } = await http.listen(config.PORT, config.listenHost);
  logger.info({ port, host: config.listenHost, store: runtime.store.engine, dataDir: config.RETURNS_DATA_DIR, today: config.RETURNS_TODAY ?? null, startMs: Math.round(performance.now() - started) }, 'returnsbot listening');
  if (config.anonymous) {
    logger.warn('no MicrosoftAppId is set: the bot accepts unauthenticated requests (fine for the Emulator and local tests, not for production)');
  }

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down: finishing in-flight turns');
      http
        .close()
        .then(() => runtime.close())
        .then(resolve, resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  return 0;
};
