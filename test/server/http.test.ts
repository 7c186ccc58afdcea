/**
 * The HTTP boundary: bad input gets a clear 4xx naming the field and nothing internal, errors in a
 * turn get an apology (never a stack or message), each conversation is rate-limited, /metrics
 * counts what happened, customer data never reaches the logs, a token is required once an app id is
 * configured, and close() lets turns in flight finish.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { createApp } from '../../src/app.js';
import { createHttpServer } from '../../src/server/http.js';
import { createLogger } from '../../src/log.js';
import { orderSchema } from '../../src/orders.js';
import { openStore, type Store } from '../../src/store/index.js';
import { SCENARIO_ORDERS, say, startTestBot, type TestBot } from '../support/server.js';

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const activity = (conversationId: string, text: string, extra: Record<string, unknown> = {}) => ({
  type: 'message',
  id: randomUUID(),
  channelId: 'test',
  deliveryMode: 'expectReplies',
  from: { id: 'u1' },
  recipient: { id: 'bot' },
  conversation: { id: conversationId },
  text,
  ...extra,
});

/** The store with some methods replaced (a Proxy, so the real store's private fields keep working). */
function wrapStore(real: Store, overrides: Partial<Store>): Store {
  return new Proxy(real, {
    get(target, prop) {
      if (prop in overrides) return (overrides as Record<PropertyKey, unknown>)[prop];
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** Nothing internal in a body: no stack frames, no file paths, no exception names. */
function expectNothingInternal(text: string): void {
  expect(text).not.to.match(/\n\s+at |\.ts:\d+|\.js:\d+|node_modules|TypeError|ReferenceError|SqliteError|Cannot read/);
}

describe('HTTP boundary', function () {
  this.timeout(60_000);
  let bot: TestBot;
  before(async () => {
    bot = await startTestBot({ RATE_LIMIT_PER_MINUTE: '6', RATE_LIMIT_BURST: '3' });
  });
  after(async () => bot?.stop());

  it('an activity without a conversation id is refused with 400 naming the field', async () => {
    const r = await post(bot.url, { type: 'message', channelId: 'test', text: 'hi', from: { id: 'u' } });
    expect(r.status).to.equal(400);
    const body = JSON.parse(r.text) as { error: string; problems: { path: string }[] };
    expect(body.error).to.equal('invalid-activity');
    expect(body.problems.map((p) => p.path)).to.include('activity.conversation');
    expectNothingInternal(r.text);
  });

  it('a message longer than 4000 characters is refused with 400 naming activity.text', async () => {
    const r = await post(bot.url, activity(`c-${randomUUID()}`, 'x'.repeat(4001)));
    expect(r.status).to.equal(400);
    expect(r.text).to.include('activity.text');
  });

  it('invalid JSON and an oversized body get a code, nothing more', async () => {
    const bad = await post(bot.url, '{"type": "message", ');
    expect(bad.status).to.equal(400);
    expect(JSON.parse(bad.text)).to.deep.equal({ error: 'bad-request' });
    const big = await post(bot.url, JSON.stringify({ ...activity('c-big', 'hi'), pad: 'x'.repeat(400 * 1024) }));
    expect(big.status).to.equal(413);
    expect(JSON.parse(big.text)).to.deep.equal({ error: 'too-large' });
    const missing = await fetch(`${bot.url}/nope`);
    expect(missing.status).to.equal(404);
    expectNothingInternal(await missing.text());
  });

  it('each response carries a correlation id', async () => {
    const r = await post(bot.url, activity(`c-${randomUUID()}`, 'hello'));
    expect(r.status).to.equal(200);
    expect(r.headers.get('x-correlation-id')).to.match(/^[0-9a-f-]{36}$/);
  });

  it('one conversation is rate-limited (429 with Retry-After); another is not affected', async () => {
    const conv = `c-${randomUUID()}`;
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 6; i++) {
      const r = await post(bot.url, activity(conv, 'hello'));
      statuses.push(r.status);
      if (r.status === 429) retryAfter = r.headers.get('retry-after');
    }
    expect(statuses.slice(0, 3)).to.deep.equal([200, 200, 200]);
    expect(statuses).to.include(429);
    expect(Number(retryAfter)).to.be.greaterThan(0);
    const other = await post(bot.url, activity(`c-${randomUUID()}`, 'hello'));
    expect(other.status).to.equal(200);
  });

  it('GET /metrics counts turns, decisions by outcome and reason, and RMAs', async () => {
    const conv = `c-${randomUUID()}`;
    for (const text of ['hi', 'UK-100234', 'sam@example.com']) await say(bot.url, conv, text, { locale: 'en-GB' });
    const res = await fetch(`${bot.url}/metrics`);
    expect(res.status).to.equal(200);
    const text = await res.text();
    expect(text).to.match(/returnsbot_turns_total\{channel="test",result="ok"\} \d+/);
    expect(text).to.match(/returnsbot_turns_total\{channel="test",result="rate_limited"\} \d+/);
    expect(text).to.include('returnsbot_turn_duration_seconds_bucket');
    expect(text).to.include('returnsbot_process_cpu_user_seconds_total');
  });
});

describe('HTTP boundary: decisions and RMAs in /metrics', function () {
  this.timeout(60_000);
  let bot: TestBot;
  before(async () => (bot = await startTestBot()));
  after(async () => bot?.stop());

  it('counts an approved decision and the RMA', async () => {
    const conv = `c-${randomUUID()}`;
    for (const text of ['hi', 'UK-100234', 'sam@example.com', '1', 'changed my mind', 'no', 'no', 'yes', 'yes']) await say(bot.url, conv, text, { locale: 'en-GB' });
    const text = await (await fetch(`${bot.url}/metrics`)).text();
    expect(text).to.match(/returnsbot_decisions_total\{outcome="approved",reason="change-of-mind",policy="uk-online"\} 1/);
    expect(text).to.match(/returnsbot_rmas_issued_total\{policy="uk-online"\} 1/);
  });
});

describe('HTTP boundary: failures inside a turn', function () {
  this.timeout(60_000);

  it('a turn that fails gets an apology in the customer language with a reference, and nothing internal', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'returnsbot-fail-'));
    const config = loadConfig({ RETURNS_DATA_DIR: dataDir, RETURNS_TODAY: '2026-12-30', RETURNS_DEMO_ORDERS: 'false' });
    const real = await openStore({ dataDir });
    const broken = wrapStore(real, { commitTurn: () => Promise.reject(new TypeError("Cannot read properties of undefined (reading 'secretInternalThing')")) });
    const lines: string[] = [];
    const logger = createLogger(
      'info',
      new Writable({
        write(chunk, _e, cb) {
          lines.push(String(chunk));
          cb();
        },
      }) as never,
    );
    const runtime = await createApp(config, { store: broken, logger });
    const http = await createHttpServer(runtime);
    const { port } = await http.listen(0, '127.0.0.1');
    try {
      const r = await post(`http://127.0.0.1:${port}`, activity(`c-${randomUUID()}`, 'hola', { locale: 'es-US' }));
      expect(r.status).to.equal(200);
      const body = JSON.parse(r.text) as { activities: { text: string }[] };
      expect(body.activities).to.have.length(1);
      expect(body.activities[0]!.text).to.match(/Lo sentimos|algo salió mal/i);
      expect(body.activities[0]!.text).to.match(/ref [0-9a-f]{8}/);
      expect(r.text).not.to.include('secretInternalThing');
      expectNothingInternal(r.text);
      expect(lines.join('')).to.include('secretInternalThing');
      expect(lines.join('')).to.include('"correlationId"');
    } finally {
      await http.close();
      await real.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('HTTP boundary: logs never contain customer email, postcode or message text', function () {
  this.timeout(60_000);

  it('a whole conversation at debug level leaves no email, postcode or free text in the logs', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'returnsbot-logs-'));
    const lines: string[] = [];
    const logger = createLogger(
      'trace',
      new Writable({
        write(chunk, _e, cb) {
          lines.push(String(chunk));
          cb();
        },
      }) as never,
    );
    const config = loadConfig({ RETURNS_DATA_DIR: dataDir, RETURNS_TODAY: '2026-12-30', RETURNS_DEMO_ORDERS: 'false' });
    const runtime = await createApp(config, { logger });
    await runtime.store.importOrders(SCENARIO_ORDERS.map((o) => orderSchema.parse(o)));
    const http = await createHttpServer(runtime);
    const { port } = await http.listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${port}`;
    try {
      const a = `c-${randomUUID()}`;
      for (const text of ['hi', 'UK-100234', 'sam@example.com', '1', 'my secret reason is that I changed my mind', 'no', 'no', 'yes', 'yes']) await say(url, a, text, { locale: 'en-GB' });
      const b = `c-${randomUUID()}`;
      for (const text of ['hi', 'UK-100234', 'LS1 4AP', 'talk to a person']) await say(url, b, text, { locale: 'en-GB' });
      const c = `c-${randomUUID()}`;
      for (const text of ['hi', 'IMP-500017', 'wrong@example.org', '10001']) await say(url, c, text, { locale: 'en-US' });
      await post(url, { type: 'message', channelId: 'test', text: 'my email is sam@example.com', from: { id: 'u' } });
      const log = lines.join('');
      expect(lines.length).to.be.greaterThan(10);
      for (const secret of ['sam@example.com', 'wrong@example.org', 'LS1 4AP', 'LS14AP', '10001', 'my secret reason']) {
        expect(log, secret).not.to.include(secret);
      }
    } finally {
      await http.close();
      await runtime.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('HTTP boundary: with a Microsoft app id', function () {
  this.timeout(60_000);

  it('a request without a channel token is refused with 401, and nothing internal', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'returnsbot-auth-'));
    const config = loadConfig({ RETURNS_DATA_DIR: dataDir, MicrosoftAppId: '00000000-0000-0000-0000-000000000001', MicrosoftAppPassword: 'not-a-real-secret', RETURNS_DEMO_ORDERS: 'false' });
    expect(config.anonymous).to.equal(false);
    const runtime = await createApp(config);
    const http = await createHttpServer(runtime);
    const { port } = await http.listen(0, '127.0.0.1');
    try {
      const r = await post(`http://127.0.0.1:${port}`, activity(`c-${randomUUID()}`, 'hello', { deliveryMode: undefined, serviceUrl: 'https://smba.trafficmanager.net/emea/' }));
      expect(r.status).to.equal(401);
      expectNothingInternal(r.text);
      expect(r.text).not.to.include('not-a-real-secret');
      const stored = await runtime.store.readLog('anything');
      expect(stored).to.deep.equal([]);
    } finally {
      await http.close();
      await runtime.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('HTTP boundary: close() drains turns in flight', function () {
  this.timeout(60_000);

  it('a turn that is running when close() starts still completes with 200, then the server stops', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'returnsbot-drain-'));
    const config = loadConfig({ RETURNS_DATA_DIR: dataDir, RETURNS_TODAY: '2026-12-30', RETURNS_DEMO_ORDERS: 'false' });
    const real = await openStore({ dataDir });
    let entered: () => void = () => {};
    const inTurn = new Promise<void>((r) => (entered = r));
    const slow = wrapStore(real, {
      commitTurn: async (turn) => {
        entered();
        await new Promise((r) => setTimeout(r, 400));
        return real.commitTurn(turn);
      },
    });
    const runtime = await createApp(config, { store: slow });
    const http = await createHttpServer(runtime);
    const { port } = await http.listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${port}`;
    const pending = post(url, activity(`c-${randomUUID()}`, 'hello'));
    await inTurn;
    const closing = http.close(5000);
    const r = await pending;
    expect(r.status).to.equal(200);
    expect(JSON.parse(r.text).activities.length).to.be.greaterThan(0);
    await closing;
    let refused = false;
    try {
      await fetch(`${url}/healthz`);
    } catch {
      refused = true;
    }
    expect(refused).to.equal(true);
    await real.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
});
