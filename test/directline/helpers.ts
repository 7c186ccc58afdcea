/**
 * Helpers for the Direct Line tests: a real server (like test/support/server.ts's startTestBot, but
 * with a clock the test moves and a data folder that survives a restart), small HTTP and WebSocket
 * clients that talk to it the way DirectLineJS / Web Chat do, and a valid PNG built from scratch.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { encodePng } from '../../manifest/png.js';
import { loadConfig } from '../../src/config.js';
import { createApp, type App } from '../../src/app.js';
import { createHttpServer, type HttpServer } from '../../src/server/http.js';
import { orderSchema } from '../../src/orders.js';
import { SCENARIO_ORDERS } from '../support/server.js';

/** The instant startTestBot uses (RETURNS_TODAY is 2026-12-30). */
export const T0 = Date.parse('2026-12-30T12:00:00Z');

export interface Clock {
  now: () => number;
  /** Move the clock on by `seconds`. */
  advance: (seconds: number) => void;
}

export function movingClock(start = T0): Clock {
  let t = start;
  return { now: () => t, advance: (s) => void (t += s * 1000) };
}

export interface DlBot {
  url: string;
  port: number;
  dataDir: string;
  runtime: App;
  http: HttpServer;
  clock: Clock;
  /** Stop the server and close the store; the data folder is kept (for a restart). */
  stop: () => Promise<void>;
  /** stop(), then remove the data folder. */
  dispose: () => Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string>;
  /** Reuse a data folder (a restart); default a new temporary one. */
  dataDir?: string;
  clock?: Clock;
  host?: string;
}

/** A real server on a free port, built the way startTestBot builds it (the widget-token limit off unless `env` sets it). */
export async function startBot(options: StartOptions = {}): Promise<DlBot> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'returnsbot-dl-'));
  const clock = options.clock ?? movingClock();
  const config = loadConfig({ RETURNS_DATA_DIR: dataDir, RETURNS_TODAY: '2026-12-30', RETURNS_DEMO_ORDERS: 'false', PORT: '0', WIDGET_TOKENS_PER_MINUTE: '0', ...options.env });
  const runtime = await createApp(config, { now: clock.now });
  await runtime.store.importOrders(SCENARIO_ORDERS.map((o) => orderSchema.parse(o)));
  const http = await createHttpServer(runtime);
  const host = options.host ?? '127.0.0.1';
  const { port } = await http.listen(0, host);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await http.close(2000);
    await runtime.close();
  };
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dataDir,
    runtime,
    http,
    clock,
    stop,
    dispose: async () => {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// HTTP

export interface HttpReply {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export interface CallOptions {
  token?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** One HTTP call; `token` becomes `Authorization: Bearer …`, `body` JSON. */
export async function call(url: string, method: string, path: string, options: CallOptions = {}): Promise<HttpReply> {
  const headers: Record<string, string> = { 'x-ms-bot-agent': 'DirectLine/3.0 (directlinejs test)', ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  }
  const res = await fetch(`${url}${path}`, { method, headers, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: parse(text) };
}

/** An HTTP request from a chosen local address (127.0.0.2 is another loopback "client IP"). */
export function callFrom(
  localAddress: string,
  url: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(path, url);
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = httpRequest(
      { host: u.hostname, port: u.port, path: u.pathname + u.search, method, localAddress, headers: data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

// ---------------------------------------------------------------------------------------------
// Direct Line shapes

export interface Activity {
  type: string;
  id?: string;
  text?: string;
  inputHint?: string;
  timestamp?: string;
  from?: { id?: string; name?: string; role?: string };
  conversation?: { id?: string };
  channelData?: { clientActivityID?: string; returns?: { step?: string; rma?: string; outcome?: string } & Record<string, unknown> };
  suggestedActions?: { to?: string[]; actions: { type: string; title: string; value: string }[] };
  attachments?: { contentType: string; contentUrl?: string; name?: string }[];
}

export interface IssuedToken {
  conversationId: string;
  userId: string;
  token: string;
  expires_in: number;
}

/** `POST /api/widget/token` (must answer 200). */
export async function widgetToken(url: string, headers: Record<string, string> = {}): Promise<IssuedToken> {
  const r = await call(url, 'POST', '/api/widget/token', { body: {}, headers });
  if (r.status !== 200) throw new Error(`POST /api/widget/token → ${r.status} ${r.text}`);
  return r.json as IssuedToken;
}

export const convPath = (id: string, rest = '') => `/v3/directline/conversations/${encodeURIComponent(id)}${rest}`;

/** `GET …/activities[?watermark=N]`. */
export async function history(
  url: string,
  conversationId: string,
  token: string,
  watermark?: number | string,
): Promise<{ status: number; activities: Activity[]; watermark: string; reply: HttpReply }> {
  const q = watermark === undefined ? '' : `?watermark=${encodeURIComponent(String(watermark))}`;
  const reply = await call(url, 'GET', convPath(conversationId, `/activities${q}`), { token });
  return { status: reply.status, activities: (reply.json?.activities ?? []) as Activity[], watermark: reply.json?.watermark as string, reply };
}

/** The message Web Chat posts for `text`. */
export function userMessage(userId: string, text: string, clientActivityID: string = randomUUID()): Record<string, unknown> {
  return {
    type: 'message',
    text,
    textFormat: 'plain',
    locale: 'en-GB',
    from: { id: userId, role: 'user' },
    channelData: { clientActivityID },
    localTimestamp: new Date(T0).toISOString(),
  };
}

/** `POST …/activities` of a Web Chat message. */
export function postMessage(url: string, conv: IssuedToken, text: string, clientActivityID: string = randomUUID(), token = conv.token): Promise<HttpReply> {
  return call(url, 'POST', convPath(conv.conversationId, '/activities'), { token, body: userMessage(conv.userId, text, clientActivityID) });
}

/** The step of the last question in `activities` (the bot's `channelData.returns.step` with expectingInput). */
export function askedStep(activities: readonly Activity[]): string | null {
  const asking = [...activities].reverse().find((a) => a.from?.role === 'bot' && a.inputHint === 'expectingInput' && a.channelData?.returns?.step);
  return asking?.channelData?.returns?.step ?? null;
}

export const botMessages = (activities: readonly Activity[]) => activities.filter((a) => a.type === 'message' && a.from?.role === 'bot');

// ---------------------------------------------------------------------------------------------
// WebSocket streams

export interface Frame {
  activities: Activity[];
  watermark?: string;
}

export class UpgradeRefused extends Error {
  constructor(
    readonly status: number | null,
    readonly body: string,
    override readonly cause?: unknown,
  ) {
    super(`WebSocket upgrade refused (${status ?? 'no HTTP status'})`);
  }
}

export interface StreamOptions {
  headers?: Record<string, string>;
  origin?: string;
}

/** A Direct Line stream as Web Chat reads it: every frame kept, in order. */
export class Stream {
  readonly frames: Frame[] = [];
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: WebSocket.RawData) => {
      const text = Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
      if (text.trim() === '') return; // empty frames are pings
      this.frames.push(JSON.parse(text) as Frame);
      this.waiters.splice(0).forEach((w) => w());
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiters.splice(0).forEach((w) => w());
    });
  }

  /** Open `streamUrl`; rejects with UpgradeRefused (and the HTTP status) when the server refuses. */
  static open(streamUrl: string, options: StreamOptions = {}): Promise<Stream> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(streamUrl, { headers: options.headers, ...(options.origin ? { origin: options.origin } : {}) });
      const stream = new Stream(socket);
      socket.once('open', () => resolve(stream));
      socket.once('unexpected-response', (req, res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        const done = () => {
          reject(new UpgradeRefused(res.statusCode ?? null, Buffer.concat(chunks).toString('utf8')));
          req.destroy();
        };
        res.once('end', done);
        res.once('close', done);
        res.once('error', done);
      });
      socket.once('error', (e) => reject(new UpgradeRefused(null, '', e)));
    });
  }

  /** Every activity received, in the order received (frames flattened). */
  get activities(): Activity[] {
    return this.frames.flatMap((f) => f.activities);
  }

  /** The last watermark a frame carried. */
  get watermark(): string | undefined {
    return [...this.frames].reverse().find((f) => f.watermark !== undefined)?.watermark;
  }

  /** Wait until `ok()` holds (re-checked on every frame). */
  async until(ok: (s: Stream) => boolean, timeoutMs = 10_000, what = 'the expected frames'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ok(this)) {
      const left = deadline - Date.now();
      if (left <= 0 || this.closed) {
        throw new Error(
          `stream: timed out waiting for ${what}; got ${JSON.stringify(this.frames.map((f) => ({ w: f.watermark, a: f.activities.map((a) => `${a.type}:${a.from?.role}:${(a.text ?? '').slice(0, 40)}`) })))}`,
        );
      }
      await new Promise<void>((r) => {
        const timer = setTimeout(r, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(timer);
          r();
        });
      });
    }
  }

  close(): void {
    this.socket.close();
  }
}

/** Try to open a stream; the HTTP status when refused, 101 when it opened (then it is closed). */
export async function upgradeStatus(streamUrl: string, options: StreamOptions = {}): Promise<{ status: number | null; body: string }> {
  try {
    const s = await Stream.open(streamUrl, options);
    s.close();
    return { status: 101, body: '' };
  } catch (e) {
    if (e instanceof UpgradeRefused) return { status: e.status, body: e.body };
    throw e;
  }
}

/** The stream URL of a conversation with `token` (and a watermark), built by hand. */
export function streamUrlFor(url: string, conversationId: string, token: string | null, watermark?: number): string {
  const q = new URLSearchParams({ ...(token ? { t: token } : {}), ...(watermark !== undefined ? { watermark: String(watermark) } : {}) });
  return `${url.replace(/^http/, 'ws')}${convPath(conversationId, '/stream')}${q.toString() ? `?${q.toString()}` : ''}`;
}

/** `POST /v3/directline/conversations` (must answer 201), then open its stream. */
export async function startConversation(url: string, conv: IssuedToken): Promise<{ streamUrl: string; token: string; stream: Stream }> {
  const r = await call(url, 'POST', '/v3/directline/conversations', { token: conv.token, body: { user: { id: conv.userId }, locale: 'en-GB' } });
  if (r.status !== 201) throw new Error(`POST /v3/directline/conversations → ${r.status} ${r.text}`);
  const stream = await Stream.open(r.json.streamUrl as string);
  return { streamUrl: r.json.streamUrl as string, token: r.json.token as string, stream };
}

// ---------------------------------------------------------------------------------------------
// Uploads

export interface UploadFile {
  name: string;
  type: string;
  bytes: Buffer;
}

/**
 * `POST …/upload?userId=` as DirectLineJS sends it: the activity as a part named `activity` of type
 * application/vnd.microsoft.activity (a Blob, so a file part), then each file as a part named `file`.
 */
export async function upload(
  url: string,
  conv: IssuedToken,
  files: readonly UploadFile[],
  options: { activity?: Record<string, unknown> | null; token?: string; headers?: Record<string, string> } = {},
): Promise<HttpReply> {
  const form = new FormData();
  const activity = options.activity === undefined ? { ...userMessage(conv.userId, ''), attachments: files.map((f) => ({ contentType: f.type, name: f.name })) } : options.activity;
  if (activity) form.append('activity', new Blob([JSON.stringify(activity)], { type: 'application/vnd.microsoft.activity' }), 'blob');
  for (const f of files) form.append('file', new Blob([new Uint8Array(f.bytes)], { type: f.type }), f.name);
  const res = await fetch(`${url}${convPath(conv.conversationId, `/upload?userId=${encodeURIComponent(conv.userId)}`)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${options.token ?? conv.token}`, ...options.headers },
    body: form,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: parse(text) };
}

/** A valid RGB PNG of `width`×`height` filled with `rgb`. */
export function png(width = 2, height = 2, rgb: [number, number, number] = [200, 30, 30]): Buffer {
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) rgba.set([...rgb, 255], i * 4);
  return encodePng({ width, height, rgba }, { alpha: false });
}

/** The en-GB text of a message key, with `{name}` parameters filled in. */
export function enGB(key: string, params: Record<string, string | number> = {}): string {
  const messages = (JSON.parse(readFileSync(new URL('../../locales/en-GB.json', import.meta.url), 'utf8')) as { messages: Record<string, string> }).messages;
  const template = messages[key];
  if (template === undefined) throw new Error(`no en-GB message ${key}`);
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

// ---------------------------------------------------------------------------------------------
// A whole return over Direct Line

/** A customer returning the unopened Studio headphones of UK-100234 because they changed their mind. */
export const HEADPHONES_ANSWERS: Record<string, string> = {
  orderNumber: 'UK-100234',
  verify: 'sam@example.com',
  item: 'Studio headphones',
  reason: "I changed my mind, I don't need them any more",
  sealBroken: 'no',
  used: 'no',
  activationStripDamaged: 'no',
  serialLabelIntact: 'yes',
  tampered: 'no',
  packagingOpened: 'no',
  softwareClaimed: 'no',
  remedy: 'refund',
  confirm: 'yes',
};

/**
 * Answer the bot's questions over Direct Line (POST, then GET the activities after the watermark)
 * until it gives an RMA, stops asking, or `maxTurns` runs out.
 */
export async function driveReturn(
  url: string,
  conv: IssuedToken,
  answers: Record<string, string>,
  maxTurns = 30,
): Promise<{ rma: string | null; steps: string[]; all: Activity[]; watermark: string }> {
  let h = await history(url, conv.conversationId, conv.token);
  const all = [...h.activities];
  let watermark = h.watermark;
  const steps: string[] = [];
  let rma: string | null = null;
  let step = askedStep(all);
  for (let turn = 0; turn < maxTurns && step && !rma; turn++) {
    steps.push(step);
    const r = await postMessage(url, conv, answers[step] ?? "I don't know");
    if (r.status !== 200) throw new Error(`POST activities (step ${step}) → ${r.status} ${r.text}`);
    h = await history(url, conv.conversationId, conv.token, watermark);
    all.push(...h.activities);
    watermark = h.watermark;
    rma = h.activities.map((a) => a.channelData?.returns?.rma).find((x): x is string => typeof x === 'string') ?? null;
    step = askedStep(h.activities);
  }
  return { rma, steps, all, watermark };
}

/** Wait a little (to see that nothing more arrives). */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// Every route that takes a token

export interface RouteCheck {
  name: string;
  /** Whether the route names the conversation (isolation applies); else it acts on the token's own. */
  namesConversation: boolean;
  /** Call the route for conversation `conv` with `token`; the HTTP status (101 for an opened stream) and the body. */
  run: (token: string | null) => Promise<{ status: number | null; body: string }>;
}

/** Every Direct Line route that takes a token, aimed at `conv`. */
export function everyRoute(url: string, conv: IssuedToken): RouteCheck[] {
  const http = (method: string, path: string, body?: unknown) => async (token: string | null) => {
    const r = await call(url, method, path, { token, body });
    return { status: r.status, body: r.text };
  };
  return [
    { name: 'POST /v3/directline/conversations', namesConversation: false, run: http('POST', '/v3/directline/conversations', { user: { id: conv.userId } }) },
    { name: 'POST /v3/directline/tokens/refresh', namesConversation: false, run: http('POST', '/v3/directline/tokens/refresh', {}) },
    { name: 'GET /v3/directline/conversations/{id}', namesConversation: true, run: http('GET', convPath(conv.conversationId)) },
    { name: 'GET /v3/directline/conversations/{id}?watermark=1', namesConversation: true, run: http('GET', convPath(conv.conversationId, '?watermark=1')) },
    { name: 'GET …/activities', namesConversation: true, run: http('GET', convPath(conv.conversationId, '/activities')) },
    { name: 'GET …/activities?watermark=1', namesConversation: true, run: http('GET', convPath(conv.conversationId, '/activities?watermark=1')) },
    { name: 'POST …/activities', namesConversation: true, run: (token) => http('POST', convPath(conv.conversationId, '/activities'), userMessage(conv.userId, 'intruder message'))(token) },
    {
      name: 'POST …/upload',
      namesConversation: true,
      run: async (token) => {
        const r = await upload(url, conv, [{ name: 'x.png', type: 'image/png', bytes: png() }], { token: token ?? '' });
        return { status: r.status, body: r.text };
      },
    },
    { name: 'WS …/stream?t=TOKEN', namesConversation: true, run: (token) => upgradeStatus(streamUrlFor(url, conv.conversationId, token)) },
    { name: 'WS …/stream?t=TOKEN&watermark=0', namesConversation: true, run: (token) => upgradeStatus(streamUrlFor(url, conv.conversationId, token, 0)) },
    {
      name: 'WS …/stream with Authorization: Bearer TOKEN',
      namesConversation: true,
      run: (token) => upgradeStatus(streamUrlFor(url, conv.conversationId, null), { headers: token ? { authorization: `Bearer ${token}` } : {} }),
    },
  ];
}
