/**
 * Direct Line v3 on our own server — the subset Web Chat uses (docs/bot-framework-notes.md §2.2) —
 * so the website widget works without any cloud service:
 *
 *   POST /api/widget/token                         a new conversation and its token (public; per-IP limited)
 *   POST /v3/directline/tokens/generate            the same, for a site's backend (Bearer DIRECTLINE_SECRET)
 *   POST /v3/directline/tokens/refresh             a fresh token for the same conversation
 *   POST /v3/directline/conversations              start (or resume) the token's conversation → streamUrl
 *   GET  /v3/directline/conversations/{id}        reconnect (new streamUrl)
 *   GET  /v3/directline/conversations/{id}/activities?watermark=N    history after N
 *   POST /v3/directline/conversations/{id}/activities                the customer's message
 *   POST /v3/directline/conversations/{id}/upload?userId=            photos (multipart)
 *   GET  /v3/directline/attachments/{id}?c=…       a photo (capability URL)
 *   WS   /v3/directline/conversations/{id}/stream?watermark=N&t=TOKEN
 *   POST /v3/conversations/{id}/activities[/{replyTo}]   the connector the bot's serviceUrl points at
 *
 * Every call names one conversation and must carry that conversation's token (403 otherwise): one
 * token never reads or posts to another conversation. The customer's own message comes back on
 * the stream with its `channelData.clientActivityID`; the history lives in the store's log, so a
 * reload continues the conversation and a restart loses nothing. The bot's replies are committed to
 * the log with the turn and delivered from there.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import busboy from 'busboy';
import type restify from 'restify';
import { WebSocketServer } from 'ws';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import type { TurnOutcome, TurnPipeline } from '../../dialogs/pipeline.js';
import { problemsFrom } from '../validation.js';
import type { DirectLineHub } from './hub.js';
import { bearer, newTokenKey, TokenSigner, type TokenClaims } from './tokens.js';
import { RateLimiter } from '../server/rate-limit.js';
import { jsonBody, type BodyError } from '../server/body.js';
import { clientAddress, selfOrigins } from '../server/client.js';
import { sniffImage } from './images.js';
import { BOT_ACCOUNT, CHANNEL, seqId, toDirectLine } from './activities.js';

export { BOT_ACCOUNT } from './activities.js';

export interface DirectLine {
  hub: DirectLineHub;
  signer: TokenSigner;
  /** Activities written to a conversation's log outside a Direct Line request: deliver them now. */
  notify: (conversationId: string) => void;
  close: () => void;
}

const postedActivity = z.looseObject({
  type: z.string().max(64).default('message'),
  text: z.string().max(4000, { error: 'expected a message of at most 4000 characters' }).optional(),
  locale: z.string().max(32).optional(),
  value: z.unknown().optional(),
  from: z.looseObject({ id: z.string().max(512).optional(), name: z.string().max(256).optional() }).optional(),
  channelData: z.looseObject({ clientActivityID: z.string().max(128).optional() }).optional(),
});

/** One query parameter (restify's query parser is not installed: routes read what they need). */
function queryParam(req: restify.Request, name: string): string | undefined {
  return new URL(req.url ?? '/', 'http://localhost').searchParams.get(name) ?? undefined;
}

function header(req: IncomingMessage | restify.Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** What Direct Line uses: the conversation log and photos in the store, the hub's streams, and the turn pipeline. */
export interface DirectLineDeps {
  config: Config;
  store: Pick<Store, 'secret' | 'loadConversation' | 'readLog' | 'findProcessedActivity' | 'listAttachments' | 'attachmentBytes' | 'saveAttachment' | 'getAttachment' | 'appendLog'>;
  logger: Logger;
  now: () => number;
  hub: DirectLineHub;
  turns: TurnPipeline;
}

export async function registerDirectLine(server: restify.Server, deps: DirectLineDeps): Promise<DirectLine> {
  const key = deps.config.RETURNS_TOKEN_SECRET ?? (await deps.store.secret('directline-token-key', newTokenKey));
  const dl = directLineContext(deps, new TokenSigner(Buffer.from(key), deps.config.DIRECTLINE_TOKEN_TTL_SECONDS));
  for (const path of ['/api/widget/token', '/v3/directline/*']) server.opts(path, dl.preflight);
  registerTokens(server, dl);
  registerConversations(server, dl);
  registerUpload(server, dl);
  registerAttachments(server, dl);
  registerConnector(server, dl);
  const wss = acceptStreams(server, dl);
  return {
    hub: deps.hub,
    signer: dl.signer,
    notify: (conversationId) => void deps.hub.notify(conversationId),
    close: () => {
      deps.hub.close();
      wss.close();
    },
  };
}

type DirectLineContext = ReturnType<typeof directLineContext>;

/** What the Direct Line routes share: limits, tokens, CORS, the URLs clients reach us at, and the turn. */
function directLineContext(deps: DirectLineDeps, signer: TokenSigner) {
  const { config, store, logger, hub } = deps;
  const perIp = new RateLimiter(config.WIDGET_TOKENS_PER_MINUTE, Math.max(1, Math.min(config.WIDGET_TOKENS_PER_MINUTE, 10)), deps.now);
  const perConversation = new RateLimiter(config.RATE_LIMIT_PER_MINUTE, config.RATE_LIMIT_BURST, deps.now);
  /** The same per-conversation limit as /api/messages; answers 429 and returns false when exceeded. */
  const withinLimit = (res: restify.Response, conversationId: string): boolean => {
    const wait = perConversation.take(conversationId);
    if (wait === 0) return true;
    res.header('Retry-After', String(wait));
    res.send(429, { error: { code: 'TooManyRequests', message: 'too many messages; try again shortly' } });
    return false;
  };
  /** The client's address: the socket's, or the first X-Forwarded-For hop when RETURNS_TRUST_PROXY is set. */
  const clientIp = (req: restify.Request): string => clientAddress(req, config.RETURNS_TRUST_PROXY);
  // Photo storage: a budget of bytes per client address per hour, and one for all photos stored.
  const HOUR_MINUTES = 60;
  const uploadBudget = new RateLimiter(config.RETURNS_UPLOAD_BYTES_PER_ADDRESS_PER_HOUR / HOUR_MINUTES, config.RETURNS_UPLOAD_BYTES_PER_ADDRESS_PER_HOUR, deps.now);
  const isSecret = (given: string | null): boolean => {
    if (!config.DIRECTLINE_SECRET || !given) return false;
    const a = Buffer.from(given),
      b = Buffer.from(config.DIRECTLINE_SECRET);
    return a.length === b.length && timingSafeEqual(a, b);
  };
  const allowed = new Set(config.RETURNS_ALLOWED_ORIGINS);
  const now = () => deps.now();

  /** Where clients reach us: RETURNS_PUBLIC_URL, else what the request says (Host, X-Forwarded-Proto). */
  const baseUrl = (req: IncomingMessage | restify.Request): string => {
    if (config.RETURNS_PUBLIC_URL) return config.RETURNS_PUBLIC_URL.replace(/\/$/, '');
    const proto = header(req, 'x-forwarded-proto')?.split(',')[0]?.trim() ?? 'http';
    return `${proto}://${header(req, 'host') ?? `127.0.0.1:${config.PORT}`}`;
  };
  const streamUrl = (req: restify.Request, conversationId: string, token: string, watermark?: string) => {
    const base = baseUrl(req).replace(/^http/, 'ws');
    const q = new URLSearchParams({ t: token, ...(watermark ? { watermark } : {}) });
    return `${base}/v3/directline/conversations/${encodeURIComponent(conversationId)}/stream?${q.toString()}`;
  };

  /** An origin that may use these routes: this server's own (see selfOrigins), or one listed in RETURNS_ALLOWED_ORIGINS. */
  const originAllowed = (req: IncomingMessage | restify.Request, origin: string): boolean => allowed.has(origin) || allowed.has('*') || selfOrigins(req, config.RETURNS_PUBLIC_URL).includes(origin);

  /** Cross-origin embedding: only origins in RETURNS_ALLOWED_ORIGINS (same-origin always works). */
  const cors = (req: restify.Request, res: restify.Response): boolean => {
    const origin = header(req, 'origin');
    if (!origin) return true;
    if (originAllowed(req, origin)) {
      res.header('Access-Control-Allow-Origin', origin);
      res.header('Vary', 'Origin');
      res.header('Access-Control-Allow-Headers', 'authorization, content-type, x-ms-bot-agent, x-requested-with');
      res.header('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
      res.header('Access-Control-Max-Age', '600');
      return true;
    }
    res.send(403, { error: 'origin-not-allowed' });
    return false;
  };

  const claimsOf = (req: restify.Request): TokenClaims | null => signer.verify(bearer(req.headers.authorization), now());

  /** The token's claims when it opens `conversationId`; else answers 403 and returns null. */
  const authorize = (req: restify.Request, res: restify.Response, conversationId: string): TokenClaims | null => {
    const claims = claimsOf(req);
    if (!claims || claims.conversationId !== conversationId) {
      res.send(403, { error: { code: 'TokenInvalid', message: 'this token does not open this conversation' } });
      return null;
    }
    return claims;
  };

  /** The bot greets a conversation (a conversation start through the turn pipeline). */
  const welcome = async (conversationId: string, userId: string, locale: string | null) => {
    const outcome = await deps.turns.handle({
      via: 'direct-line',
      activity: { type: 'conversationUpdate', channelId: CHANNEL, conversation: { id: conversationId }, from: { id: userId }, membersAdded: [{ id: userId }], ...(locale ? { locale } : {}) },
      reference: null,
    });
    await logStaffReplies(conversationId, outcome);
  };
  /** A staff member on Direct Line: the desk's answers go into their conversation's log (and out on its streams). */
  const logStaffReplies = async (conversationId: string, outcome: TurnOutcome) => {
    if (outcome.staffReplies.length)
      await store.appendLog(
        conversationId,
        outcome.staffReplies.map((x) => ({ ...x, from: BOT_ACCOUNT })),
        new Date(now()).toISOString(),
      );
  };

  /** A new conversation with its token; the bot greets it in `locale`. */
  const newConversation = async (userId: string | undefined, locale: string | null) => {
    const conversationId = `dl-${randomUUID()}`;
    const user = userId && /^[\w.:@-]{1,128}$/.test(userId) ? userId : `u_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
    await welcome(conversationId, user, locale);
    const { token, expiresIn } = signer.sign(conversationId, user, now());
    return { conversationId, userId: user, token, expires_in: expiresIn };
  };

  const localeOf = (body: unknown): string | null => {
    const l = (body as { locale?: unknown } | undefined)?.locale;
    return typeof l === 'string' && /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/.test(l) ? l : null;
  };

  const DL_CODES: Record<number, string> = { 400: 'BadArgument', 413: 'TooLarge', 415: 'UnsupportedMediaType' };
  const json = jsonBody({
    maxBytes: config.MAX_BODY_BYTES,
    root: 'activity',
    errorBody: (e: BodyError) => ({ error: { code: DL_CODES[e.status] ?? 'BadArgument', message: e.message, ...(e.problems.length ? { problems: e.problems } : {}) } }),
  });

  const preflight = async (req: restify.Request, res: restify.Response) => {
    if (cors(req, res)) res.send(204);
  };
  /** Run a customer's activity through the bot and deliver what it committed. */
  const turn = async (conversationId: string, claims: TokenClaims, activity: z.output<typeof postedActivity>, attachments: Record<string, unknown>[], correlationId: string) => {
    const clientId = activity.channelData?.clientActivityID;
    const activityId = clientId ? `c-${clientId}` : randomUUID();
    const id = `${conversationId}|${activityId}`;
    const from = { id: claims.userId, ...(activity.from?.name ? { name: activity.from.name } : {}), role: 'user' };
    const logActivity: Record<string, unknown> = {
      type: 'message',
      id,
      from,
      text: activity.text ?? '',
      ...(activity.locale ? { locale: activity.locale } : {}),
      ...(activity.value !== undefined ? { value: activity.value } : {}),
      ...(activity.channelData ? { channelData: activity.channelData } : {}),
      ...(attachments.length ? { attachments } : {}),
    };
    // The customer's message back at once (Web Chat's confirmation of the send), then "typing…" —
    // unless this is a retry of a message already answered (its echo went out the first time).
    if (!(await store.findProcessedActivity(conversationId, activityId))) {
      const stamp = new Date(now()).toISOString();
      hub.broadcast(conversationId, { ...logActivity, channelId: CHANNEL, conversation: { id: conversationId }, timestamp: stamp }, true);
      hub.broadcast(conversationId, { type: 'typing', id: `${conversationId}|typing-${randomUUID()}`, from: BOT_ACCOUNT, channelId: CHANNEL, conversation: { id: conversationId }, timestamp: stamp });
    }
    const outcome = await deps.turns.handle({
      via: 'direct-line',
      activity: { type: 'message', id: activityId, channelId: CHANNEL, conversation: { id: conversationId }, from, text: activity.text, value: activity.value, locale: activity.locale },
      reference: null,
      logActivity,
      attachments: attachments.length,
      correlationId,
    });
    await logStaffReplies(conversationId, outcome);
    await hub.notify(conversationId);
    return id;
  };

  return {
    config,
    store,
    logger,
    hub,
    signer,
    now,
    perIp,
    isSecret,
    claimsOf,
    authorize,
    cors,
    preflight,
    newConversation,
    welcome,
    localeOf,
    json,
    streamUrl,
    baseUrl,
    originAllowed,
    clientIp,
    withinLimit,
    uploadBudget,
    turn,
  };
}

/** Tokens: the widget's (public, per address), a site backend's (with the secret), and refreshing one. */
function registerTokens(server: restify.Server, dl: DirectLineContext): void {
  const { cors, perIp, clientIp, json, newConversation, localeOf, isSecret, claimsOf, signer, now } = dl;
  server.post('/api/widget/token', json, async (req: restify.Request, res: restify.Response) => {
    if (!cors(req, res)) return;
    const wait = perIp.take(clientIp(req));
    if (wait > 0) {
      res.header('Retry-After', String(wait));
      res.send(429, { error: 'rate-limited' });
      return;
    }
    res.send(200, await newConversation(undefined, localeOf(req.body)));
  });

  server.post('/v3/directline/tokens/generate', json, async (req: restify.Request, res: restify.Response) => {
    if (!cors(req, res)) return;
    if (!isSecret(bearer(req.headers.authorization))) {
      res.send(401, { error: { code: 'Unauthorized', message: 'a Direct Line secret is required' } });
      return;
    }
    const body = req.body as { user?: { id?: string } } | undefined;
    res.send(200, await newConversation(body?.user?.id, localeOf(req.body)));
  });

  server.post('/v3/directline/tokens/refresh', json, async (req: restify.Request, res: restify.Response) => {
    if (!cors(req, res)) return;
    const claims = claimsOf(req);
    if (!claims) {
      res.send(403, { error: { code: 'TokenExpired', message: 'the token is not valid' } });
      return;
    }
    const { token, expiresIn } = signer.sign(claims.conversationId, claims.userId, now());
    res.send(200, { conversationId: claims.conversationId, token, expires_in: expiresIn });
  });
}

/** Starting, resuming and reading a conversation, and the customer's messages. */
function registerConversations(server: restify.Server, dl: DirectLineContext): void {
  const { cors, json, claimsOf, isSecret, newConversation, localeOf, signer, now, store, welcome, streamUrl, authorize, withinLimit, turn, logger } = dl;
  server.post('/v3/directline/conversations', json, async (req: restify.Request, res: restify.Response) => {
    if (!cors(req, res)) return;
    const auth = bearer(req.headers.authorization);
    let claims = claimsOf(req);
    if (!claims && isSecret(auth)) {
      const created = await newConversation((req.body as { user?: { id?: string } } | undefined)?.user?.id, localeOf(req.body));
      claims = signer.verify(created.token, now());
    }
    if (!claims) {
      res.send(403, { error: { code: 'TokenInvalid', message: 'a valid token is required' } });
      return;
    }
    if (!(await store.loadConversation(claims.conversationId))) await welcome(claims.conversationId, claims.userId, localeOf(req.body));
    const { token, expiresIn } = signer.sign(claims.conversationId, claims.userId, now());
    res.send(201, { conversationId: claims.conversationId, token, expires_in: expiresIn, streamUrl: streamUrl(req, claims.conversationId, token) });
  });

  server.get('/v3/directline/conversations/:id', async (req: restify.Request, res: restify.Response) => {
    if (!cors(req, res)) return;
    const id = String(req.params.id);
    const claims = authorize(req, res, id);
    if (!claims) return;
    const { token, expiresIn } = signer.sign(id, claims.userId, now());
    const watermark = queryParam(req, 'watermark');
    res.send(200, { conversationId: id, token, expires_in: expiresIn, streamUrl: streamUrl(req, id, token, watermark) });
  });

  server.get('/v3/directline/conversations/:id/activities', async (req: restify.Request, res: restify.Response) => {
    if (!cors(req, res)) return;
    const id = String(req.params.id);
    if (!authorize(req, res, id)) return;
    const after = Number(queryParam(req, 'watermark') ?? 0);
    const entries = await store.readLog(id, Number.isFinite(after) && after > 0 ? after : 0, 500);
    const watermark = entries.length ? entries[entries.length - 1]!.seq : Number.isFinite(after) ? after : 0;
    res.send(200, { activities: entries.map(toDirectLine), watermark: String(watermark) });
  });

  server.post('/v3/directline/conversations/:id/activities', json, async (req: restify.Request, res: restify.Response) => {
    if (!cors(req, res)) return;
    const id = String(req.params.id);
    const claims = authorize(req, res, id);
    if (!claims) return;
    const parsed = postedActivity.safeParse(req.body);
    if (!parsed.success) {
      res.send(400, { error: { code: 'BadArgument', problems: problemsFrom(parsed.error, 'activity').map((p) => ({ path: p.path, message: p.message.replace(/, got .*$/, '') })) } });
      return;
    }
    if (parsed.data.type !== 'message') {
      res.send(200, { id: `${id}|${randomUUID()}` });
      return;
    }
    if (!withinLimit(res, id)) return;
    const correlationId = randomUUID();
    res.header('x-correlation-id', correlationId);
    try {
      res.send(200, { id: await turn(id, claims, parsed.data, [], correlationId) });
    } catch (e) {
      logger.error({ correlationId, conversationId: id, err: e instanceof Error ? { name: e.name, message: e.message, stack: e.stack } : String(e) }, 'direct line turn failed');
      res.send(502, { error: { code: 'BotError', message: 'the bot could not answer; please try again', correlationId } });
    }
  });
}

/** Photos (multipart), within the per-conversation, per-address and total budgets; the message with them is a turn. */
function registerUpload(server: restify.Server, dl: DirectLineContext): void {
  const { cors, authorize, withinLimit, config, store, clientIp, uploadBudget, baseUrl, signer, now, turn, logger } = dl;
  server.post('/v3/directline/conversations/:id/upload', async (req: restify.Request, res: restify.Response) => {
    if (!cors(req, res)) return;
    const id = String(req.params.id);
    const claims = authorize(req, res, id);
    if (!claims) return;
    if (!withinLimit(res, id)) return;
    const perConversation = `at most ${config.RETURNS_MAX_UPLOADS_PER_CONVERSATION} photos per conversation`;
    const already = (await store.listAttachments(id)).length;
    if (already >= config.RETURNS_MAX_UPLOADS_PER_CONVERSATION) {
      res.send(413, { error: { code: 'TooLarge', message: perConversation } });
      return;
    }
    // Storage budgets: per client address (bytes per hour) and for every photo stored.
    const address = clientIp(req);
    const refuseAddress = (wait: number) => {
      res.header('Retry-After', String(wait));
      res.send(429, { error: { code: 'TooManyRequests', message: 'too many photos from this address; try again later' } });
    };
    const full = () => res.send(413, { error: { code: 'TooLarge', message: 'the photo storage is full; a person in our team can help instead' } });
    const spent = uploadBudget.wait(address, 1);
    if (spent > 0) return refuseAddress(spent);
    const stored = await store.attachmentBytes();
    if (stored >= config.RETURNS_UPLOAD_BYTES_TOTAL) return full();
    if (header(req, 'content-encoding') !== undefined && header(req, 'content-encoding')!.trim().toLowerCase() !== 'identity') {
      req.resume();
      res.send(415, { error: { code: 'UnsupportedMediaType', message: 'expected an upload without content-encoding' } });
      return;
    }
    const correlationId = randomUUID();
    let parsed;
    try {
      parsed = await readUpload(req, config.RETURNS_MAX_UPLOAD_BYTES, config.RETURNS_MAX_UPLOAD_FILES);
    } catch (e) {
      const problem = e instanceof UploadError ? e : new UploadError(400, 'BadArgument', 'expected a multipart upload of images');
      res.send(problem.status, { error: { code: problem.code, message: problem.message } });
      return;
    }
    if (already + parsed.files.length > config.RETURNS_MAX_UPLOADS_PER_CONVERSATION) {
      res.send(413, { error: { code: 'TooLarge', message: perConversation } });
      return;
    }
    const bytes = parsed.files.reduce((n, f) => n + f.bytes.length, 0);
    if (stored + bytes > config.RETURNS_UPLOAD_BYTES_TOTAL) return full();
    const over = uploadBudget.take(address, bytes);
    if (over > 0) return refuseAddress(over);
    const base = baseUrl(req);
    const attachments: Record<string, unknown>[] = [];
    for (const file of parsed.files) {
      const attachmentId = randomUUID();
      await store.saveAttachment({
        id: attachmentId,
        conversationId: id,
        name: file.name,
        contentType: file.contentType,
        bytes: file.bytes,
        at: new Date(now()).toISOString(),
        uploadedBy: claims.userId,
      });
      const contentUrl = `${base}/v3/directline/attachments/${attachmentId}?c=${signer.capability(attachmentId)}`;
      // Web Chat shows a customer's own attachment as a picture only when it has a thumbnailUrl
      // (a download link otherwise); the photo itself serves as its thumbnail.
      attachments.push({ contentType: file.contentType, name: file.name, contentUrl, thumbnailUrl: contentUrl });
    }
    const activity = postedActivity.safeParse(parsed.activity ?? {});
    try {
      res.send(200, { id: await turn(id, claims, activity.success ? activity.data : { type: 'message' }, attachments, correlationId) });
    } catch (e) {
      logger.error({ correlationId, conversationId: id, err: e instanceof Error ? { name: e.name, message: e.message } : String(e) }, 'direct line upload turn failed');
      res.send(502, { error: { code: 'BotError', message: 'the bot could not answer; please try again', correlationId } });
    }
  });
}

/** A photo, by its capability URL. */
function registerAttachments(server: restify.Server, dl: DirectLineContext): void {
  const { signer, store } = dl;
  server.get('/v3/directline/attachments/:id', async (req: restify.Request, res: restify.Response) => {
    const id = String(req.params.id);
    const cap = queryParam(req, 'c');
    if (!signer.checkCapability(id, cap)) {
      res.send(404, { error: 'not-found' });
      return;
    }
    const a = await store.getAttachment(id);
    if (!a) {
      res.send(404, { error: 'not-found' });
      return;
    }
    res.setHeader('content-type', a.contentType);
    res.setHeader('cache-control', 'private, max-age=3600');
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('content-disposition', `inline; filename="${a.name.replace(/[^\w.-]/g, '_')}"`);
    res.writeHead(200);
    res.end(a.bytes);
  });
}

/** The connector the bot's serviceUrl points at (loopback only). */
function registerConnector(server: restify.Server, dl: DirectLineContext): void {
  const { store, now, hub, json } = dl;
  // The connector the bot's serviceUrl points at, for Direct Line conversations: what is posted here
  // (a proactive message, say) goes into the conversation's log and out on its streams. Loopback only.
  const connector = async (req: restify.Request, res: restify.Response): Promise<void> => {
    // Only this machine, and not through a reverse proxy (which would make every visitor "local").
    const remote = req.socket.remoteAddress ?? '';
    if (!/^(127\.|::1$|::ffff:127\.)/.test(remote) || header(req, 'x-forwarded-for') !== undefined || header(req, 'forwarded') !== undefined) {
      res.send(403, { error: 'forbidden' });
      return;
    }
    const conversationId = String(req.params.id);
    if (!(await store.loadConversation(conversationId))) {
      res.send(404, { error: 'not-found' });
      return;
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    const from = (body.from as { id?: string; name?: string } | undefined) ?? {};
    const [entry] = await store.appendLog(conversationId, [{ ...body, from: { id: from.id ?? BOT_ACCOUNT.id, name: from.name, role: 'bot' } }], new Date(now()).toISOString());
    await hub.notify(conversationId);
    res.send(200, { id: entry ? seqId(conversationId, entry.seq) : randomUUID() });
  };
  server.post('/v3/conversations/:id/activities', json, connector);
  server.post('/v3/conversations/:id/activities/:replyTo', json, connector);
}

/** The WebSocket streams (`/v3/directline/conversations/{id}/stream`), each opened by its conversation's token. */
function acceptStreams(server: restify.Server, dl: DirectLineContext): WebSocketServer {
  const { signer, now, originAllowed, hub } = dl;
  // WebSocket streams.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const STREAM = /^\/v3\/directline\/conversations\/([^/?]+)\/stream(?:\?|$)/;
  server.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // A client that resets the connection mid-handshake must not become an uncaught 'error'.
    socket.on('error', () => socket.destroy());
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      socket.destroy();
      return;
    }
    const m = STREAM.exec(url.pathname + url.search);
    if (!m) {
      socket.destroy();
      return;
    }
    let conversationId: string;
    try {
      conversationId = decodeURIComponent(m[1]!);
    } catch {
      socket.destroy();
      return;
    }
    const claims = signer.verify(url.searchParams.get('t') ?? bearer(req.headers.authorization), now());
    const origin = header(req, 'origin');
    const originOk = !origin || originAllowed(req, origin);
    if (!claims || claims.conversationId !== conversationId || !originOk) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
      return;
    }
    const watermark = Number(url.searchParams.get('watermark') ?? 0);
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', () => {
        // Web Chat sends an empty ping every 20 s; nothing to do.
      });
      hub.subscribe(conversationId, ws, Number.isFinite(watermark) && watermark > 0 ? watermark : 0);
    });
  });

  return wss;
}

function sizeText(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(bytes % (1024 * 1024) ? 1 : 0)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

class UploadError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Upload {
  files: { name: string; contentType: string; bytes: Buffer }[];
  activity: unknown;
}

/** Read a Direct Line upload: images only (checked by their bytes, not their declared type), size-limited. */
function readUpload(req: restify.Request, maxBytes: number, maxFiles: number): Promise<Upload> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      // +1 on both: busboy flags a file that reaches the limit exactly, and DirectLineJS sends the
      // message itself as one more file part named "activity".
      bb = busboy({ headers: req.headers, limits: { fileSize: maxBytes + 1, files: maxFiles + 1, fields: 4, fieldSize: 64 * 1024 } });
    } catch {
      reject(new UploadError(400, 'BadArgument', 'expected a multipart upload'));
      return;
    }
    const files: Upload['files'] = [];
    let activity: unknown;
    let failed: UploadError | null = null;
    const pending: Promise<void>[] = [];
    bb.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      let truncated = false;
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => (truncated = true));
      stream.on('error', () => (failed ??= new UploadError(400, 'BadArgument', 'the upload could not be read')));
      pending.push(
        new Promise((done) =>
          stream.on('close', () => {
            const bytes = Buffer.concat(chunks);
            const isActivity = field === 'activity' || info.mimeType === 'application/vnd.microsoft.activity';
            if (truncated || (!isActivity && bytes.length > maxBytes)) failed ??= new UploadError(413, 'TooLarge', `each photo must be at most ${sizeText(maxBytes)}`);
            else if (isActivity) {
              try {
                activity = JSON.parse(bytes.toString('utf8'));
              } catch {
                failed ??= new UploadError(400, 'BadArgument', 'the activity part is not JSON');
              }
            } else {
              const type = sniffImage(bytes);
              if (!type) failed ??= new UploadError(415, 'UnsupportedMediaType', 'only photos (JPEG, PNG, WebP, GIF or HEIC) can be attached');
              else if (files.length >= maxFiles) failed ??= new UploadError(413, 'TooLarge', `at most ${maxFiles} photos at a time`);
              else files.push({ name: (info.filename || 'photo').slice(0, 200), contentType: type, bytes });
            }
            done();
          }),
        ),
      );
    });
    bb.on('field', (name, value) => {
      if (name === 'activity') {
        try {
          activity = JSON.parse(value);
        } catch {
          failed ??= new UploadError(400, 'BadArgument', 'the activity field is not JSON');
        }
      }
    });
    bb.on('filesLimit', () => (failed ??= new UploadError(413, 'TooLarge', `at most ${maxFiles} photos at a time`)));
    bb.on('error', () => reject(new UploadError(400, 'BadArgument', 'the upload could not be read')));
    req.on('error', () => reject(new UploadError(400, 'BadArgument', 'the upload could not be read')));
    bb.on('close', () => {
      void Promise.all(pending).then(() => {
        if (failed) reject(failed);
        else if (files.length === 0) reject(new UploadError(400, 'BadArgument', 'expected at least one photo'));
        else resolve({ files, activity });
      });
    });
    req.pipe(bb);
  });
}
