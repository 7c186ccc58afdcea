/**
 * The HTTP server: restify with botbuilder's CloudAdapter on `POST /api/messages` (the Bot
 * Framework protocol; anonymous without MicrosoftAppId, as the Emulator expects; every request needs
 * a valid channel token when an app id is set, and replies are sent with the app's credentials),
 * `GET /healthz` and `GET /metrics`.
 *
 * Every request gets a correlation id (response header `x-correlation-id`, and in every log line of
 * its turn). Bodies are read by `./body.ts` (decoded with a limit on the decoded size, nesting
 * limited) and activities checked with zod (400 naming the field); each conversation is
 * rate-limited by its id (429 with Retry-After), and without an app id so are new conversations per
 * client address. restify's own logger only ever sees a request's method and path: no body, no
 * header. Errors never leak: the adapter's own 500
 * body carries `err.message`, so the bot's errors are handled in `onTurnError` (logged, an apology
 * in the customer's language) and anything else becomes `{"error":"internal","correlationId":…}`.
 * `close()` stops accepting requests and waits for the turns in flight.
 */
import { randomUUID } from 'node:crypto';
import restify from 'restify';
import type { Activity, TurnContext } from 'botbuilder';
import { AuthenticationError } from 'botframework-connector';
import type { Config } from '../config.js';
import type { Store } from '../store/store.js';
import type { HandoffService } from '../handoff/service.js';
import type { TurnPipeline } from '../../dialogs/pipeline.js';
import type { ChannelGateways } from './gateways.js';
import { activitySchema } from '../../dialogs/activity.js';
import { ReturnsBot } from '../../dialogs/bot.js';
import { problemsFrom } from '../validation.js';
import type { Metrics } from './metrics.js';
import { RateLimiter } from './rate-limit.js';
import { registerDirectLine, type DirectLine } from '../directline/routes.js';
import { registerAgentApi } from './agent-api.js';
import { registerWeb } from '../web/index.js';
import { registerAgentConsole } from '../web/agent-console.js';
import { jsonBody, type BodyError } from './body.js';
import { clientAddress } from './client.js';
import type { Logger } from '../log.js';

export interface HttpServer {
  server: restify.Server;
  metrics: Metrics;
  directLine: DirectLine;
  listen: (port: number, host: string) => Promise<{ port: number }>;
  /** Stop accepting requests, let in-flight turns finish (up to `graceMs`), then close. */
  close: (graceMs?: number) => Promise<void>;
}

/** What the server uses (the composition root, src/app.ts, gives it); each route module gets its own part of it. */
export interface HttpDeps {
  config: Config;
  logger: Logger;
  now: () => number;
  store: Store;
  gateways: ChannelGateways;
  turns: TurnPipeline;
  metrics: Metrics;
  handoff: HandoffService;
}

/** Bodies an error may have: a code, never an internal message. */
const ERROR_CODES: Record<number, string> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  413: 'too-large',
  415: 'unsupported-media-type',
  429: 'rate-limited',
};

/** Requests in flight, so that `close()` can let them finish. */
class Drain {
  private inFlight = 0;
  private readonly idle: (() => void)[] = [];
  draining = false;

  start(): void {
    this.inFlight++;
  }

  end(): void {
    this.inFlight--;
    if (this.inFlight === 0) this.idle.splice(0).forEach((f) => f());
  }

  /** Resolves when nothing is in flight, or after `graceMs`. */
  async settled(graceMs: number): Promise<void> {
    if (this.inFlight > 0) await Promise.race([new Promise<void>((r) => this.idle.push(r)), new Promise((r) => setTimeout(r, graceMs).unref())]);
  }
}

export async function createHttpServer(app: HttpDeps): Promise<HttpServer> {
  const { config, logger, metrics, store, now } = app;
  const drain = new Drain();
  const server = restify.createServer({ name: 'returnsbot', handleUncaughtExceptions: false, log: restifyLogger(logger) as unknown as restify.ServerOptions['log'] });
  // restify's own errors (bad JSON, body too large, unknown route) go out as a code, nothing more.
  server.on('restifyError', (_req: restify.Request, _res: restify.Response, err: Error & { statusCode?: number; toJSON?: () => unknown }, next: () => void) => {
    const status = err.statusCode ?? 500;
    err.toJSON = () => ({ error: ERROR_CODES[status] ?? 'internal' });
    next();
  });

  registerBotFramework(server, app, drain);
  registerOperations(server, app, drain);
  const directLine = await registerDirectLine(server, { config, store, logger, now, hub: app.gateways.directLine, turns: app.turns });
  const agentApi = await registerAgentApi(server, { config, store, handoff: app.handoff, logger, now });
  registerWeb(server, { config, logger });
  registerAgentConsole(server, { config });

  return {
    server,
    metrics,
    directLine,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const address = server.address();
          resolve({ port: typeof address === 'object' && address ? address.port : port });
        });
      }),
    close: async (graceMs = 10_000) => {
      drain.draining = true;
      directLine.close();
      agentApi.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.server.closeIdleConnections?.();
      await drain.settled(graceMs);
      server.server.closeAllConnections?.();
      await closed;
    },
  };
}

/** `POST /api/messages`: the Bot Framework protocol, through botbuilder's adapter into the turn pipeline. */
function registerBotFramework(server: restify.Server, app: HttpDeps, drain: Drain): void {
  const { config, logger, metrics } = app;
  const adapter = app.gateways.adapter;
  const bot = new ReturnsBot({ turns: app.turns, logger });
  const admit = admission(app);
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    const correlationId = (context.turnState.get('correlationId') as string | undefined) ?? randomUUID();
    metrics.errors.inc({ kind: 'turn' });
    logger.error({ correlationId, conversationId: context.activity?.conversation?.id, err: { name: error.name, message: error.message, stack: error.stack } }, 'turn failed');
    try {
      await context.sendActivity(bot.apology(context.activity?.locale, correlationId));
    } catch {
      // the channel may be down too; the error is logged
    }
  };
  // Bodies are read per route (uploads stream instead), each within MAX_BODY_BYTES decoded.
  const body = jsonBody({
    maxBytes: config.MAX_BODY_BYTES,
    root: 'activity',
    errorBody: (e: BodyError) => (e.problems.length ? { error: 'invalid-activity', problems: e.problems } : { error: e.code }),
  });

  server.post('/api/messages', body, async (req: restify.Request, res: restify.Response) => {
    const correlationId = randomUUID();
    res.header('x-correlation-id', correlationId);
    if (drain.draining) {
      res.header('Retry-After', '1');
      res.send(503, { error: 'unavailable' });
      return;
    }
    const parsed = activitySchema.safeParse(req.body);
    if (!parsed.success) {
      metrics.turns.inc({ channel: 'unknown', result: 'invalid' });
      res.send(400, { error: 'invalid-activity', problems: problemsFrom(parsed.error, 'activity').map((p) => ({ path: p.path, message: p.message.replace(/, got .*$/, '') })) });
      return;
    }
    const activity = parsed.data;
    const wait = await admit(req, activity.conversation.id);
    if (wait > 0) {
      metrics.turns.inc({ channel: activity.channelId, result: 'rate_limited' });
      res.header('Retry-After', String(wait));
      res.send(429, { error: 'rate-limited' });
      return;
    }
    drain.start();
    try {
      const authHeader = typeof req.headers.authorization === 'string' ? req.headers.authorization : '';
      const invoke = await adapter.handle(authHeader, activity as unknown as Activity, async (context) => {
        context.turnState.set('correlationId', correlationId);
        await bot.run(context, correlationId);
      });
      if (invoke?.body !== undefined) res.send(invoke.status ?? 200, invoke.body);
      else res.send(invoke?.status ?? 200);
    } catch (e) {
      if (e instanceof AuthenticationError || (e as Error)?.name === 'AuthenticationError') {
        metrics.turns.inc({ channel: activity.channelId, result: 'unauthorized' });
        logger.warn({ correlationId, channelId: activity.channelId }, 'request refused: no valid channel token');
        if (!res.headersSent) res.send(401, { error: 'unauthorized' });
      } else {
        metrics.errors.inc({ kind: 'request' });
        logger.error({ correlationId, err: e instanceof Error ? { name: e.name, message: e.message } : String(e) }, 'request failed');
        if (!res.headersSent) res.send(500, { error: 'internal', correlationId });
      }
    } finally {
      drain.end();
    }
  });
}

/**
 * The rate limits of `/api/messages`: 0 when an activity may go ahead, else the seconds to wait.
 * Keyed on the conversation id alone (a client that changes channelId on each message is still one
 * conversation); without an app id anyone can start conversations, so new ones are also limited per
 * client address.
 */
function admission(app: Pick<HttpDeps, 'config' | 'now' | 'store'>): (req: restify.Request, conversationId: string) => Promise<number> {
  const { config, now, store } = app;
  const limiter = new RateLimiter(config.RATE_LIMIT_PER_MINUTE, config.RATE_LIMIT_BURST, now);
  const perAddress = config.anonymous ? new RateLimiter(config.RATE_LIMIT_NEW_CONVERSATIONS_PER_MINUTE, Math.max(1, config.RATE_LIMIT_NEW_CONVERSATIONS_PER_MINUTE), now) : null;
  const known = new RecentSet(50_000);
  const newConversationWait = async (req: restify.Request, conversationId: string): Promise<number> => {
    if (!perAddress || known.has(conversationId)) return 0;
    if (await store.loadConversation(conversationId)) {
      known.add(conversationId);
      return 0;
    }
    const wait = perAddress.take(clientAddress(req, config.RETURNS_TRUST_PROXY));
    if (wait === 0) known.add(conversationId);
    return wait;
  };
  return async (req, conversationId) => limiter.take(conversationId) || (await newConversationWait(req, conversationId));
}

/** `GET /healthz` and `GET /metrics` (Bearer METRICS_TOKEN when it is set). */
function registerOperations(server: restify.Server, app: Pick<HttpDeps, 'config' | 'store' | 'metrics'>, drain: Drain): void {
  const { config, store, metrics } = app;
  server.get('/healthz', async (_req: restify.Request, res: restify.Response) => {
    const ok = !drain.draining && (await store.ping().catch(() => false));
    res.send(ok ? 200 : 503, ok ? { status: 'ok' } : { status: 'unavailable' });
  });

  server.get('/metrics', async (req: restify.Request, res: restify.Response) => {
    if (config.METRICS_TOKEN && req.headers.authorization !== `Bearer ${config.METRICS_TOKEN}`) {
      res.send(401, { error: 'unauthorized' });
      return;
    }
    const body = await metrics.registry.metrics();
    res.setHeader('content-type', metrics.registry.contentType);
    res.writeHead(200);
    res.end(body);
  });
}

/**
 * The logger restify itself uses (it logs whole requests — body, headers, cookies — when a response
 * cannot be formatted): a child of ours that keeps only a request's method and the first plain
 * segments of its path, and an error's name and status.
 */
function restifyLogger(logger: Logger): Logger {
  // A path may carry anything a client typed: keep its first plain segments only ("/v3/directline/conversations/…").
  const path = (url: unknown) => {
    if (typeof url !== 'string') return undefined;
    const segments = url.split('?')[0]!.split('/').filter(Boolean);
    const plain = segments.slice(0, 3).filter((s, i, all) => all.slice(0, i + 1).every((x) => /^[a-z0-9_-]{1,30}$/i.test(x)));
    return `/${plain.join('/')}${plain.length < segments.length ? '/…' : ''}`;
  };
  return logger.child(
    { component: 'restify' },
    {
      serializers: {
        req: (req: { method?: unknown; url?: unknown }) => ({ method: typeof req?.method === 'string' ? req.method : undefined, path: path(req?.url) }),
        res: (res: { statusCode?: unknown }) => ({ statusCode: typeof res?.statusCode === 'number' ? res.statusCode : undefined }),
        // An error's message may quote the request (restify's 404 names the path): its name and status only.
        err: (err: { name?: unknown; statusCode?: unknown }) => ({
          name: typeof err?.name === 'string' ? err.name : 'Error',
          statusCode: typeof err?.statusCode === 'number' ? err.statusCode : undefined,
        }),
        value: () => '[not logged]',
        body: () => '[not logged]',
        headers: () => '[not logged]',
      },
    },
  );
}

/** A bounded set of recently seen keys (oldest dropped first). */
class RecentSet {
  private readonly keys = new Set<string>();
  constructor(private readonly max: number) {}
  has(key: string): boolean {
    return this.keys.has(key);
  }
  add(key: string): void {
    this.keys.add(key);
    if (this.keys.size > this.max) this.keys.delete(this.keys.values().next().value as string);
  }
}
