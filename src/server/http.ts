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
import { ConfigurationBotFrameworkAuthentication, type Activity, type ConversationReference, type TurnContext } from 'botbuilder';
import { AuthenticationError } from 'botframework-connector';
import type { Runtime } from '../app.js';
import { activitySchema } from '../../dialogs/activity.js';
import { ReturnsBot } from '../../dialogs/bot.js';
import { problemsFrom } from '../validation.js';
import { createAdapter } from './adapter.js';
import { Metrics } from './metrics.js';
import { RateLimiter } from './rate-limit.js';
import { registerDirectLine, type DirectLine } from '../directline/routes.js';
import { registerAgentApi } from './agent-api.js';
import { StaffDesk, type StaffPort } from '../../dialogs/staff.js';
import { registerWeb } from '../web/index.js';
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

export async function createHttpServer(runtime: Runtime): Promise<HttpServer> {
  const { config, logger } = runtime;
  const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: config.MicrosoftAppId ?? '',
    MicrosoftAppPassword: config.MicrosoftAppPassword ?? '',
    MicrosoftAppType: config.MicrosoftAppType,
    MicrosoftAppTenantId: config.MicrosoftAppTenantId ?? '',
  });
  const adapter = createAdapter(auth);
  // Proactive sends (a person's messages, staff notifications) to channels other than our own Direct Line.
  const appId = config.MicrosoftAppId ?? '';
  const sendTo = async (reference: Record<string, unknown>, activities: Partial<Activity>[]) => {
    await adapter.continueConversationAsync(appId, reference as Partial<ConversationReference>, async (ctx) => {
      await ctx.sendActivities(activities);
    });
  };
  const staff = config.RETURNS_STAFF.length
    ? new StaffDesk({ staff: config.RETURNS_STAFF, port: { ...bindStaffPort(runtime) }, send: sendTo, now: runtime.now, logger })
    : undefined;
  if (staff) runtime.handoff.onTurn((done, record) => staff.onTurn(done, record));
  // handoff.status events are followed only when every request carries a valid channel token (an app id is set).
  const bot = new ReturnsBot({ service: runtime.service, logger, handoff: runtime.handoff, staff, channelAuthenticated: !config.anonymous });
  const metrics = new Metrics();
  // Keyed on the conversation id alone: a client that changes channelId on each message is still one conversation.
  const limiter = new RateLimiter(config.RATE_LIMIT_PER_MINUTE, config.RATE_LIMIT_BURST, runtime.now);
  // Without an app id anyone can start conversations: limit new ones per client address.
  const perAddress = config.anonymous ? new RateLimiter(config.RATE_LIMIT_NEW_CONVERSATIONS_PER_MINUTE, Math.max(1, config.RATE_LIMIT_NEW_CONVERSATIONS_PER_MINUTE), runtime.now) : null;
  const known = new RecentSet(50_000);
  /** 0 when this activity may go ahead, else the seconds to wait (a new conversation over the per-address budget). */
  const newConversationWait = async (req: restify.Request, conversationId: string): Promise<number> => {
    if (!perAddress || known.has(conversationId)) return 0;
    if (await runtime.store.loadConversation(conversationId)) {
      known.add(conversationId);
      return 0;
    }
    const wait = perAddress.take(clientAddress(req, config.RETURNS_TRUST_PROXY));
    if (wait === 0) known.add(conversationId);
    return wait;
  };
  let inFlight = 0;
  let draining = false;
  const idle: (() => void)[] = [];

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

  const server = restify.createServer({ name: 'returnsbot', handleUncaughtExceptions: false, log: restifyLogger(logger) as unknown as restify.ServerOptions['log'] });
  // Bodies are read per route (uploads stream instead), each within MAX_BODY_BYTES decoded.
  const body = jsonBody({
    maxBytes: config.MAX_BODY_BYTES,
    root: 'activity',
    errorBody: (e: BodyError) => (e.problems.length ? { error: 'invalid-activity', problems: e.problems } : { error: e.code }),
  });
  // restify's own errors (bad JSON, body too large, unknown route) go out as a code, nothing more.
  server.on('restifyError', (_req: restify.Request, _res: restify.Response, err: Error & { statusCode?: number; toJSON?: () => unknown }, next: () => void) => {
    const status = err.statusCode ?? 500;
    err.toJSON = () => ({ error: ERROR_CODES[status] ?? 'internal' });
    next();
  });

  server.post('/api/messages', body, async (req: restify.Request, res: restify.Response) => {
    const correlationId = randomUUID();
    res.header('x-correlation-id', correlationId);
    if (draining) {
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
    const wait = limiter.take(activity.conversation.id) || (await newConversationWait(req, activity.conversation.id));
    if (wait > 0) {
      metrics.turns.inc({ channel: activity.channelId, result: 'rate_limited' });
      res.header('Retry-After', String(wait));
      res.send(429, { error: 'rate-limited' });
      return;
    }
    inFlight++;
    const end = metrics.turnSeconds.startTimer({ channel: activity.channelId });
    try {
      const authHeader = typeof req.headers.authorization === 'string' ? req.headers.authorization : '';
      const invoke = await adapter.handle(authHeader, activity as unknown as Activity, async (context) => {
        context.turnState.set('correlationId', correlationId);
        const result = await bot.run(context, correlationId);
        if (result) {
          metrics.turns.inc({ channel: activity.channelId, result: result.duplicate ? 'duplicate' : 'ok' });
          if (!result.duplicate) metrics.observeReplies(result.activities);
        }
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
      end();
      inFlight--;
      if (inFlight === 0) idle.splice(0).forEach((f) => f());
    }
  });

  server.get('/healthz', async (_req: restify.Request, res: restify.Response) => {
    const ok = !draining && (await runtime.store.ping().catch(() => false));
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

  const directLine = await registerDirectLine(server, runtime);
  const agentApi = await registerAgentApi(server, runtime);
  runtime.handoff.setDelivery(async (target, activities) => {
    if (target.channelId === 'directline') return directLine.notify(target.conversationId);
    if (!target.reference) return;
    const clean = activities.map(({ from: _from, ...a }) => a as Partial<Activity>);
    await sendTo(target.reference, clean).catch((e: unknown) =>
      logger.warn({ conversationId: target.conversationId, err: e instanceof Error ? e.message : String(e) }, 'could not reach the customer on their channel'),
    );
  });
  registerWeb(server, runtime);
  (await import('../web/agent-console.js')).registerAgentConsole(server, runtime);

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
      draining = true;
      directLine.close();
      agentApi.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.server.closeIdleConnections?.();
      if (inFlight > 0) await Promise.race([new Promise<void>((r) => idle.push(r)), new Promise((r) => setTimeout(r, graceMs).unref())]);
      server.server.closeAllConnections?.();
      await closed;
    },
  };
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
  return logger.child({ component: 'restify' }, {
    serializers: {
      req: (req: { method?: unknown; url?: unknown }) => ({ method: typeof req?.method === 'string' ? req.method : undefined, path: path(req?.url) }),
      res: (res: { statusCode?: unknown }) => ({ statusCode: typeof res?.statusCode === 'number' ? res.statusCode : undefined }),
      // An error's message may quote the request (restify's 404 names the path): its name and status only.
      err: (err: { name?: unknown; statusCode?: unknown }) => ({ name: typeof err?.name === 'string' ? err.name : 'Error', statusCode: typeof err?.statusCode === 'number' ? err.statusCode : undefined }),
      value: () => '[not logged]',
      body: () => '[not logged]',
      headers: () => '[not logged]',
    },
  });
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

/** The staff desk's view of the hand-over service and the store. */
function bindStaffPort(runtime: Runtime): StaffPort {
  const h = runtime.handoff;
  return {
    list: (status) => h.list(status) as ReturnType<StaffPort['list']>,
    take: (id, agent) => h.take(id, agent),
    message: (id, agent, text) => h.message(id, agent, text),
    issueRma: (id, agent, body) => h.issueRma(id, agent, body as Parameters<typeof h.issueRma>[2]),
    release: (id, agent) => h.release(id, agent),
    close: (id, agent) => h.close(id, agent),
    saveStaffReference: (id, reference, at) => runtime.store.saveStaffReference(id, reference, at),
    staffReferences: () => runtime.store.staffReferences(),
  };
}
