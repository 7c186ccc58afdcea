/**
 * `returnsbot serve` (= `npm start`): validate the configuration, build the bot (`createApp`, the
 * composition root in src/app.ts), start the HTTP server.
 * SIGTERM and SIGINT stop accepting requests and let in-flight turns finish before exit.
 *
 * On a terminal it says where everything is (the demo shop, the staff console and how to get a
 * key for it, the Emulator's endpoint) and logs readable lines; otherwise it logs JSON lines only
 * (LOG_FORMAT overrides). A failure to start prints the whole cause and, when it is something to
 * fix, how (a native module built for another Node, a port in use, …), and exits 1.
 *
 * With RETURNS_WORKERS > 1 this process forks that many workers sharing the port (node:cluster) and
 * only supervises them: a worker that dies is replaced; a signal is passed on and awaited. Workers
 * share the store like separate instances do (compare-and-swap, idempotent RMAs, deduplication).
 */
import cluster from 'node:cluster';
import type { Config } from '../config.js';
import { createApp, type App } from '../app.js';
import type { DestinationStream } from 'pino';
import { createLogger, isPretty, prettyDestination } from '../log.js';
import { createHttpServer } from '../server/http.js';
import { installProcessGuard } from '../server/guard.js';
import { supervise } from '../server/supervisor.js';
import { warmUp } from '../nlu/index.js';
import { merchantPackIds } from '../policy/pack-folder.js';
import { sqliteFileIn } from '../store/index.js';
import type { SqliteStore } from '../store/sqlite.js';
import { configFor } from './configuration.js';
import { failureLines } from './failure.js';
import { EXIT_BAD_INPUT, writeLines, type Command } from './io.js';
import { packageVersion } from './version.js';

export const serveCommand: Command = async (_args, io) => {
  const config = configFor(io, 'returnsbot');
  if (!config) return EXIT_BAD_INPUT;
  const tty = (io.stdout as { isTTY?: boolean }).isTTY === true;
  const pretty = isPretty(config.LOG_FORMAT, tty);
  // JSON to the process's stdout goes through pino's own fast writer; any other stream (tests) is written to directly.
  const destination = pretty ? await prettyDestination(io.stdout, tty) : io.stdout === process.stdout ? undefined : (io.stdout as unknown as DestinationStream);
  const logger = createLogger(config.LOG_LEVEL, destination);
  if (config.RETURNS_WORKERS > 1 && cluster.isPrimary) return supervise({ count: config.RETURNS_WORKERS, logger });
  const started = performance.now();
  let app: App | undefined;
  let port: number;
  try {
    app = await createApp(config, { logger, now: () => io.now().getTime() });
    const http = await createHttpServer(app);
    // The process's last-resort handlers, when this is the process (in-process callers, tests, keep theirs).
    if (io.stdout === process.stdout) installProcessGuard(logger, { onError: (kind) => http.metrics.errors.inc({ kind }) });
    ({ port } = await http.listen(config.PORT, config.listenHost));
    logger.info(
      { port, host: config.listenHost, store: app.store.engine, dataDir: config.RETURNS_DATA_DIR, today: config.RETURNS_TODAY ?? null, startMs: Math.round(performance.now() - started) },
      'returnsbot listening',
    );
    // Compile the language lists now, between requests, rather than during a customer's first turn.
    setImmediate(() => warmUp());
    if (config.anonymous) {
      logger.warn('no MicrosoftAppId is set: the bot accepts unauthenticated requests (fine for the Emulator and local tests, not for production)');
    }
    // Said once: by the process, or by the first of its workers.
    if (tty && (cluster.isPrimary || cluster.worker?.id === 1)) writeLines(io.stdout, await welcome(config, app, port));

    const running = app;
    await new Promise<void>((resolve) => {
      const onTerm = () => stop('SIGTERM');
      const onInt = () => stop('SIGINT');
      const stop = (signal: string) => {
        process.off('SIGTERM', onTerm);
        process.off('SIGINT', onInt);
        logger.info({ signal }, 'shutting down: finishing in-flight turns');
        http
          .close()
          .then(() => running.close())
          // A worker's channel to the supervisor would keep it running: let go of it.
          .then(() => void cluster.worker?.disconnect())
          .then(resolve, resolve);
      };
      process.once('SIGTERM', onTerm);
      process.once('SIGINT', onInt);
    });
  } catch (e) {
    await app?.close().catch(() => undefined);
    logger.flush?.();
    writeLines(io.stderr, failureLines('could not start', e, { port: config.PORT, host: config.listenHost, dataDir: config.RETURNS_DATA_DIR }));
    return 1;
  }
  return 0;
};

/** The lines a person starting the bot on a terminal reads: where to go, and what to do first. */
async function welcome(config: Config, app: App, port: number): Promise<string[]> {
  const host = ['0.0.0.0', '::', '127.0.0.1', '::1'].includes(config.listenHost) ? 'localhost' : config.listenHost;
  const base = `http://${host}:${port}`;
  const agents = (await app.store.listAgents()).filter((a) => a.removedAt === null).length;
  const store = config.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `${sqliteFileIn(config.RETURNS_DATA_DIR)} (SQLite through ${(app.store as SqliteStore).binding})`;
  const packs = merchantPackIds();
  return [
    '',
    `returnsbot ${packageVersion()} is running on Node ${process.versions.node}; store: ${store}`,
    '',
    `  Demo shop with the chat widget   ${base}/`,
    `  Staff console                    ${base}/agent`,
    agents
      ? `    sign in with a staff key (${agents} staff account${agents === 1 ? '' : 's'}; add one: npx returnsbot agent add NAME)`
      : '    no staff account yet: create one and its key with  npx returnsbot agent add alex --display "Alex Morgan"',
    `  Bot Framework Emulator           ${base}/api/messages${config.anonymous ? '  (leave the app id and password empty)' : '  (with the MicrosoftAppId and password)'}`,
    `  Health and metrics               ${base}/healthz  ${base}/metrics`,
    ...(config.RETURNS_DEMO_ORDERS ? ['', '  Try it: in the demo shop, return the headphones of order UK-200311 (email amira.khan@example.com).'] : []),
    ...(packs.length ? [`  Your policy packs (RETURNS_PACKS_DIR): ${packs.join(', ')}`] : []),
    ...(config.listenHost === '127.0.0.1' ? ['  Listening on this machine only (no MicrosoftAppId); set HOST=0.0.0.0 to open it to the network.'] : []),
    '',
    '  Stop with Ctrl-C. Logs follow.',
    '',
  ];
}
