/**
 * The staff API (CONTRACT section 8) and the console's session:
 *
 *   GET  /api/agent/conversations?status=queued|active|closed    with summary and transcript
 *   GET  /api/agent/conversations/{id}                          one, with its full transcript
 *   POST /api/agent/conversations/{id}/take                     409 when another agent holds it
 *   POST /api/agent/conversations/{id}/messages   {"text"}      to the customer
 *   POST /api/agent/conversations/{id}/rma        {"remedy","note"[,"orderNumber","sku","reason"]}
 *        a staff decision, audited; without an order the bot verified, staff give the order line
 *        and vouch for the customer
 *   GET  /api/agent/rmas/{rma}                                  an RMA with its facts, status and audit trail
 *   POST /api/agent/rmas/{rma}/status             {"status","note"}   received (being processed) / completed
 *   POST /api/agent/rmas/{rma}/remedy             {"remedy","note"}   while the RMA is issued
 *   POST /api/agent/conversations/{id}/release                  back to the bot
 *   POST /api/agent/conversations/{id}/close                    the end of the chat
 *   GET  /api/agent/me, GET /api/agent/events (server-sent events: what changed)
 *   POST /agent/login {"key"} → session cookie; POST /agent/logout; GET /agent/session (is this
 *   browser signed in: always 200, for the console page's first look)
 *
 * Every call needs `Authorization: Bearer <access key>` (401 without a valid one) — or, for the
 * console in a browser, the session cookie (HttpOnly, SameSite=Strict) plus, on every call that
 * changes something, the `X-CSRF-Token` header the session gave (a cross-site page can send
 * neither). Keys are looked up by their hash; the key itself is never stored or logged.
 *
 * Signing in takes JSON only (a cross-site HTML form cannot send it), and `/agent/login` and
 * `/agent/logout` refuse a request from another site (its `Origin` is not this server's, or the
 * browser says `Sec-Fetch-Site: cross-site`): nobody can sign a browser in as another agent (login
 * CSRF). Failed sign-in attempts are limited per client address (STAFF_LOGIN_ATTEMPTS_PER_MINUTE;
 * beyond it every attempt from that address is 429 with Retry-After, without looking at the key, so
 * that the answer says nothing about it). An access key has 256 random bits: the Bearer API needs
 * no such limit.
 *
 * The hand-over service answers with codes; {@link STATUS_OF} maps them to HTTP statuses. A body
 * that does not fit is 400 `bad-request` naming the field (`field`, and every `problems` entry).
 */
import { randomBytes } from 'node:crypto';
import type restify from 'restify';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import type { HandoffService } from '../handoff/service.js';
import { bearer, TokenSigner, newTokenKey } from '../directline/tokens.js';
import { jsonBody } from './body.js';
import { clientAddress, selfOrigins } from './client.js';
import { RateLimiter } from './rate-limit.js';
import { hashAccessKey } from '../handoff/keys.js';
import type { StaffCode, StaffMember, StaffResult } from '../handoff/service.js';
import { REMEDIES } from '../policy/pack.js';
import { REASONS } from '../policy/case.js';
import { RMA_STATUSES } from '../store/store.js';

const COOKIE = 'rb_staff';
const SESSION_SECONDS = 12 * 3600;

const messageBody = z.strictObject({ text: z.string().trim().min(1, { error: 'expected the message text' }).max(4000) });
const note = z.string({ error: 'expected text' }).max(2000, { error: 'expected at most 2000 characters' }).optional().nullable();
const remedy = z.enum(REMEDIES, { error: `expected one of ${REMEDIES.join(', ')}` });
const rmaBody = z.strictObject({
  remedy,
  note,
  orderNumber: z.string({ error: 'expected an order number' }).trim().min(1, { error: 'expected an order number' }).max(64, { error: 'expected at most 64 characters' }).optional(),
  sku: z.string({ error: 'expected a SKU' }).trim().min(1, { error: 'expected a SKU' }).max(100, { error: 'expected at most 100 characters' }).optional(),
  reason: z.enum(REASONS, { error: `expected one of ${REASONS.join(', ')}` }).optional(),
});
const rmaStatusBody = z.strictObject({
  status: z.enum(RMA_STATUSES.filter((s) => s !== 'issued') as ['received', 'completed'], { error: 'expected received or completed' }),
  note,
});
const rmaRemedyBody = z.strictObject({ remedy, note });

/** The HTTP status of each code the hand-over service answers with. */
export const STATUS_OF: Readonly<Record<StaffCode, number>> = {
  'not-found': 404,
  'unknown-order': 404,
  'unknown-sku': 404,
  held: 409,
  ended: 409,
  'not-taken': 409,
  'order-mismatch': 409,
  'being-processed': 409,
  backwards: 409,
  incomplete: 400,
  'bad-remedy': 400,
};

/** A 400 body naming each field that does not fit (an unknown field by its own name). */
export function badRequest(error: z.ZodError, expected: string): { error: 'bad-request'; message: string; field: string | null; problems: { path: string; message: string }[] } {
  const problems = error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => ({ path: [...issue.path, k].join('.'), message: 'unknown field' }));
    if (issue.path.length === 0) return [{ path: '', message: `expected ${expected}` }];
    return [{ path: issue.path.join('.'), message: issue.message }];
  });
  const first = problems[0];
  return {
    error: 'bad-request',
    message: first ? (first.path ? `${first.path}: ${first.message}` : first.message) : `expected ${expected}`,
    field: first?.path || null,
    problems,
  };
}

function cookieOf(req: restify.Request, name: string): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return null;
}

export interface AgentApi {
  /** Close live event streams (server shutdown). */
  close: () => void;
}

/** What the staff API uses: the staff actions, staff accounts and the session key in the store. */
export interface AgentApiDeps {
  config: Config;
  store: Pick<Store, 'secret' | 'agentByKeyHash' | 'conversationAudit'>;
  handoff: HandoffService;
  logger: Logger;
  now: () => number;
}

export async function registerAgentApi(server: restify.Server, deps: AgentApiDeps): Promise<AgentApi> {
  const { store, handoff, logger, config } = deps;
  const sessions = new TokenSigner(Buffer.from(await store.secret('staff-session-key', newTokenKey)), SESSION_SECONDS);
  const body = jsonBody({ maxBytes: 64 * 1024, root: 'body', errorBody: (e) => ({ error: e.code, message: e.message, ...(e.problems.length ? { problems: e.problems } : {}) }) });
  const attempts = new RateLimiter(config.STAFF_LOGIN_ATTEMPTS_PER_MINUTE, Math.max(1, config.STAFF_LOGIN_ATTEMPTS_PER_MINUTE), deps.now);
  const address = (req: restify.Request) => clientAddress(req, config.RETURNS_TRUST_PROXY);
  /** 429 (and false) while this address has used up its failed attempts. */
  const notThrottled = (req: restify.Request, res: restify.Response): boolean => {
    const wait = attempts.wait(address(req));
    if (wait === 0) return true;
    res.header('Retry-After', String(wait));
    res.send(429, { error: 'rate-limited', message: 'too many failed sign-in attempts; try again later' });
    return false;
  };
  /** Refuses (403) a request another site made: the session routes are for this server's own console. */
  const sameSiteOnly = (req: restify.Request, res: restify.Response, next: restify.Next): void => {
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    const site = typeof req.headers['sec-fetch-site'] === 'string' ? req.headers['sec-fetch-site'].toLowerCase() : undefined;
    const foreignOrigin = origin !== undefined && !selfOrigins(req, config.RETURNS_PUBLIC_URL).includes(origin);
    const foreignSite = site !== undefined && site !== 'same-origin' && site !== 'none';
    if (foreignOrigin || foreignSite) {
      res.setHeader('connection', 'close');
      res.send(403, { error: 'cross-site', message: 'sign in from the console on this server' });
      next(false);
      return;
    }
    next();
  };
  const now = () => deps.now();
  const streams = new Set<restify.Response>();
  // Sessions signed out on this process (by their CSRF value, unique per session) until they expire.
  const signedOut = new Map<string, number>();
  const session = (req: restify.Request) => {
    const claims = sessions.verify(cookieOf(req, COOKIE), now());
    return claims && !signedOut.has(claims.userId) ? claims : null;
  };

  const agentFromKey = async (key: string | null): Promise<StaffMember | null> => {
    if (!key || key.length > 200) return null;
    const found = await store.agentByKeyHash(hashAccessKey(key));
    return found ? { name: found.name, displayName: found.displayName } : null;
  };

  /** The agent of this request, or null (and the 401/403 already sent). */
  const authenticate = async (req: restify.Request, res: restify.Response, changes: boolean): Promise<StaffMember | null> => {
    const key = bearer(req.headers.authorization);
    if (key) {
      const agent = await agentFromKey(key);
      if (agent) return agent;
      res.send(401, { error: 'unauthorized', message: 'a valid staff access key is required' });
      return null;
    }
    const claims = session(req);
    if (claims) {
      if (changes && req.headers['x-csrf-token'] !== claims.userId) {
        res.send(403, { error: 'csrf', message: 'missing or wrong X-CSRF-Token' });
        return null;
      }
      const agent = await store.agentByKeyHash(claims.conversationId);
      if (agent) return { name: agent.name, displayName: agent.displayName };
    }
    res.send(401, { error: 'unauthorized', message: 'a valid staff access key is required' });
    return null;
  };

  const answer = <T>(res: restify.Response, r: StaffResult<T>, ok = 200) => {
    if (r.ok) res.send(ok, r.value);
    else res.send(STATUS_OF[r.code], { error: r.code, message: r.message, ...(r.holder ? { holder: r.holder } : {}), ...(r.field ? { field: r.field } : {}) });
  };

  server.post('/agent/login', sameSiteOnly, body, async (req: restify.Request, res: restify.Response) => {
    if (!notThrottled(req, res)) return;
    if (req.body === undefined) {
      res.send(400, { error: 'bad-request', message: 'expected a JSON body {"key": "..."}' });
      return;
    }
    const key = typeof (req.body as { key?: unknown } | undefined)?.key === 'string' ? (req.body as { key: string }).key : null;
    const agent = await agentFromKey(key);
    if (!agent) {
      attempts.take(address(req));
      res.send(401, { error: 'unauthorized', message: 'that access key is not valid' });
      return;
    }
    // The session names the key (by its hash, so removing the agent ends it) and carries the CSRF value.
    const csrf = randomBytes(16).toString('base64url');
    const { token } = sessions.sign(hashAccessKey(key!), csrf, now());
    const secure = (config.RETURNS_PUBLIC_URL ?? '').startsWith('https:') || req.headers['x-forwarded-proto'] === 'https';
    res.header('Set-Cookie', `${COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_SECONDS}${secure ? '; Secure' : ''}`);
    logger.info({ agent: agent.name }, 'staff signed in');
    res.send(200, { agent: agent.name, displayName: agent.displayName, csrf });
  });

  server.post('/agent/logout', sameSiteOnly, async (req: restify.Request, res: restify.Response) => {
    const claims = session(req);
    const at = now();
    for (const [csrf, until] of signedOut) if (until <= at) signedOut.delete(csrf);
    if (claims) signedOut.set(claims.userId, claims.exp * 1000);
    res.header('Set-Cookie', `${COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
    res.send(200, { ok: true });
  });

  server.get('/api/agent/me', async (req: restify.Request, res: restify.Response) => {
    const agent = await authenticate(req, res, false);
    if (!agent) return;
    const claims = session(req);
    res.send(200, { agent: agent.name, displayName: agent.displayName, ...(claims ? { csrf: claims.userId } : {}) });
  });

  // The console page asks this on load: 200 either way, so a browser without a session logs no 401.
  server.get('/agent/session', async (req: restify.Request, res: restify.Response) => {
    const claims = session(req);
    const agent = claims ? await store.agentByKeyHash(claims.conversationId) : null;
    res.header('cache-control', 'no-store');
    res.send(200, claims && agent ? { signedIn: true, agent: agent.name, displayName: agent.displayName, csrf: claims.userId } : { signedIn: false });
  });

  server.get('/api/agent/conversations', async (req: restify.Request, res: restify.Response) => {
    const agent = await authenticate(req, res, false);
    if (!agent) return;
    const status = new URL(req.url ?? '/', 'http://x').searchParams.get('status') ?? 'queued';
    if (!['queued', 'active', 'closed', 'all'].includes(status)) {
      res.send(400, { error: 'bad-status', message: 'expected status to be queued, active, closed or all' });
      return;
    }
    res.send(200, { conversations: await handoff.list(status as 'queued' | 'active' | 'closed' | 'all') });
  });

  server.get('/api/agent/conversations/:id', async (req: restify.Request, res: restify.Response) => {
    const agent = await authenticate(req, res, false);
    if (!agent) return;
    const id = String(req.params.id);
    const view = await handoff.get(id);
    if (!view) {
      res.send(404, { error: 'not-found', message: 'no hand-over for this conversation' });
      return;
    }
    res.send(200, { ...view, attachments: await handoff.attachments(id), audit: await store.conversationAudit(id) });
  });

  const action = (path: string, run: (id: string, agent: StaffMember, req: restify.Request, res: restify.Response) => Promise<void>) =>
    server.post(`/api/agent/conversations/:id/${path}`, body, async (req: restify.Request, res: restify.Response) => {
      const agent = await authenticate(req, res, true);
      if (!agent) return;
      await run(String(req.params.id), agent, req, res);
    });

  action('take', async (id, agent, _req, res) => answer(res, await handoff.take(id, agent)));
  action('release', async (id, agent, _req, res) => answer(res, await handoff.release(id, agent)));
  action('close', async (id, agent, _req, res) => answer(res, await handoff.close(id, agent)));
  action('messages', async (id, agent, req, res) => {
    const parsed = messageBody.safeParse(req.body);
    if (!parsed.success) {
      res.send(400, { error: 'bad-request', message: 'expected {"text": "..."}' });
      return;
    }
    answer(res, await handoff.message(id, agent, parsed.data.text), 201);
  });
  action('rma', async (id, agent, req, res) => {
    const parsed = rmaBody.safeParse(req.body);
    if (!parsed.success) {
      res.send(400, badRequest(parsed.error, `{"remedy": one of ${REMEDIES.join(', ')}, "note": "...", and without a verified order "orderNumber", "sku", "reason"}`));
      return;
    }
    answer(res, await handoff.issueRma(id, agent, parsed.data), 201);
  });

  // RMAs, whoever issued them: what staff see and do once the chat is over.
  server.get('/api/agent/rmas/:rma', async (req: restify.Request, res: restify.Response) => {
    const agent = await authenticate(req, res, false);
    if (!agent) return;
    answer(res, await handoff.rma(String(req.params.rma)));
  });
  const rmaAction = <T>(path: string, schema: z.ZodType<T>, expected: string, run: (rma: string, agent: StaffMember, body: T) => Promise<StaffResult<unknown>>) =>
    server.post(`/api/agent/rmas/:rma/${path}`, body, async (req: restify.Request, res: restify.Response) => {
      const agent = await authenticate(req, res, true);
      if (!agent) return;
      const parsed = schema.safeParse(req.body);
      if (!parsed.success) {
        res.send(400, badRequest(parsed.error, expected));
        return;
      }
      answer(res, await run(String(req.params.rma), agent, parsed.data));
    });
  rmaAction('status', rmaStatusBody, '{"status": "received" or "completed", "note": "..."}', (rma, agent, b) => handoff.rmaStatus(rma, agent, b));
  rmaAction('remedy', rmaRemedyBody, `{"remedy": one of ${REMEDIES.join(', ')}, "note": "..."}`, (rma, agent, b) => handoff.rmaRemedy(rma, agent, b));

  // Live updates for the console: a server-sent event whenever a hand-over changes, and a tick
  // every few seconds (so a console also sees what another instance changed).
  server.get('/api/agent/events', async (req: restify.Request, res: restify.Response) => {
    const agent = await authenticate(req, res, false);
    if (!agent) return;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(': connected\n\n');
    streams.add(res);
    const changed = (conversationId: string) => res.write(`event: changed\ndata: ${JSON.stringify({ conversationId })}\n\n`);
    handoff.events.on('changed', changed);
    const tick = setInterval(() => res.write('event: tick\ndata: {}\n\n'), 5000);
    tick.unref();
    await new Promise<void>((resolve) => req.on('close', resolve));
    clearInterval(tick);
    handoff.events.off('changed', changed);
    streams.delete(res);
  });

  return {
    close: () => {
      for (const s of streams) s.end();
      streams.clear();
    },
  };
}
