/**
 * Finding 5 (issue 9): restify dumped whole requests (body and every header) into the log, and a
 * 10,000-deep nested body gave a 500. Now: such a body is a 400 naming the field; nothing from a
 * request body or its headers is ever logged (restify's own logger only sees method and path); a
 * log line has a bounded size. The whole log of a run full of customer data is captured and checked.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { loadConfig } from '../../src/config.js';
import { createApp, type App } from '../../src/app.js';
import { createHttpServer, type HttpServer } from '../../src/server/http.js';
import { createLogger, MAX_LOG_STRING } from '../../src/log.js';
import { orderSchema } from '../../src/orders.js';
import { SCENARIO_ORDERS } from '../support/server.js';
import { expectNothingInternal, message, raw } from './helpers.js';

/** Customer data and secrets that appear in the requests below and must never appear in the log. */
const SECRETS = ['sam@example.com', 'LS1 4AP', 'ls14ap', 'cookie-secret-7731', 'bearer-secret-4410', 'my-api-key-9921', 'I changed my mind about the headphones', 'Hunter2-password'];

const deep = (depth: number, leaf = '"sam@example.com"') => '{"a":'.repeat(depth) + leaf + '}'.repeat(depth);

describe('security: logs hold no request data, and deep bodies are refused', function () {
  this.timeout(60_000);
  const lines: string[] = [];
  let runtime: App;
  let http: HttpServer;
  let url: string;
  let dataDir: string;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'returnsbot-log-'));
    const dest = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        cb();
      },
    });
    const config = loadConfig({ RETURNS_DATA_DIR: dataDir, RETURNS_TODAY: '2026-12-30', RETURNS_DEMO_ORDERS: 'false', PORT: '0', LOG_LEVEL: 'trace', WIDGET_TOKENS_PER_MINUTE: '0' });
    runtime = await createApp(config, { logger: createLogger('trace', dest), now: () => Date.parse('2026-12-30T12:00:00Z') });
    await runtime.store.importOrders(SCENARIO_ORDERS.map((o) => orderSchema.parse(o)));
    http = await createHttpServer(runtime);
    const { port } = await http.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${port}`;
  });
  after(async () => {
    await http.close();
    await runtime.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const headers = {
    'content-type': 'application/json',
    cookie: 'session=cookie-secret-7731',
    authorization: 'Bearer bearer-secret-4410',
    'x-api-key': 'my-api-key-9921',
    'x-customer-email': 'sam@example.com',
  };

  it('a 10,000-deep nested body on /api/messages is a 400 naming the field', async () => {
    const body = JSON.stringify(message('deep', 'hi')).replace(/}$/, `,"value":${deep(10_000)}}`);
    const r = await raw(url, 'POST', '/api/messages', body, headers);
    expect(r.status, r.text).to.equal(400);
    const problems = (JSON.parse(r.text) as { problems: { path: string; message: string }[] }).problems;
    expect(problems[0]!.path).to.match(/^activity\.value\.a\.a/);
    expect(problems[0]!.message).to.match(/levels of nesting/);
    expectNothingInternal(r.text);
  });

  it('so is one in channelData, and one on Direct Line', async () => {
    const inChannelData = JSON.stringify(message('deep2', 'hi')).replace(/}$/, `,"channelData":${deep(10_000)}}`);
    const a = await raw(url, 'POST', '/api/messages', inChannelData, headers);
    expect(a.status).to.equal(400);
    expect(a.text).to.include('activity.channelData');
    const token = JSON.parse((await raw(url, 'POST', '/api/widget/token', '{}', { 'content-type': 'application/json' })).text) as { token: string; conversationId: string };
    const b = await raw(url, 'POST', `/v3/directline/conversations/${token.conversationId}/activities`, `{"type":"message","text":"hi","value":${deep(10_000)}}`, {
      ...headers,
      authorization: `Bearer ${token.token}`,
    });
    expect(b.status, b.text).to.equal(400);
    expect(b.text).to.include('activity.value');
    const arrays = await raw(url, 'POST', '/api/messages', `${'['.repeat(100_000)}${']'.repeat(100_000)}`, headers);
    expect(arrays.status).to.equal(400);
  });

  it('runs requests full of customer data (good, bad, failing) and logs none of it', async () => {
    const conv = 'log-conv';
    for (const text of ['hi, order UK-100234', 'sam@example.com', 'Studio headphones', 'I changed my mind about the headphones']) {
      expect((await raw(url, 'POST', '/api/messages', JSON.stringify(message(conv, text)), headers)).status).to.equal(200);
    }
    const odd = [
      raw(url, 'POST', '/api/messages', '{"text": "sam@example.com", ', headers),
      raw(url, 'POST', '/api/messages', JSON.stringify({ ...message('big', 'LS1 4AP'), pad: 'sam@example.com'.repeat(30_000) }), headers),
      raw(url, 'POST', '/api/messages', Buffer.from('sam@example.com LS1 4AP'), { ...headers, 'content-encoding': 'gzip' }),
      raw(url, 'POST', '/api/messages', gzipSync('{"text":"sam@example.com"'), { ...headers, 'content-encoding': 'gzip' }),
      raw(url, 'POST', '/api/messages', 'text=sam@example.com&postcode=LS1+4AP', { ...headers, 'content-type': 'application/x-www-form-urlencoded' }),
      raw(url, 'GET', '/api/messages?email=sam@example.com', null, headers),
      raw(url, 'POST', '/agent/login', JSON.stringify({ key: 'Hunter2-password' }), headers),
      raw(url, 'POST', '/api/agent/conversations/x/messages', JSON.stringify({ text: 'sam@example.com' }), headers),
      raw(url, 'GET', '/nope/sam@example.com', null, headers),
      raw(url, 'POST', '/v3/directline/conversations/x/activities', JSON.stringify({ type: 'message', text: 'LS1 4AP' }), headers),
    ];
    for (const r of await Promise.all(odd)) expect(r.status).to.be.within(200, 499);
    // restify's own logger (what it logs when a response cannot be formatted: the request and the error)
    const restifyLog = (http.server as unknown as { log: { warn: (o: object, m: string) => void } }).log;
    restifyLog.warn(
      { req: { method: 'POST', url: '/api/messages?email=sam@example.com', headers, body: { text: 'sam@example.com' } }, err: new Error('could not format'), value: { text: 'LS1 4AP' } },
      'restify formatter failed',
    );
    await new Promise((r) => setTimeout(r, 50));
    const all = lines.join('\n');
    expect(
      lines.some((l) => l.includes('restify formatter failed')),
      'restify logs into our logger',
    ).to.equal(true);
    for (const secret of SECRETS)
      expect(
        all.toLowerCase(),
        `the log holds ${secret}: ${lines
          .filter((l) => l.toLowerCase().includes(secret.toLowerCase()))
          .join('\n')
          .slice(0, 1500)}`,
      ).not.to.include(secret.toLowerCase());
    expect(lines.length).to.be.greaterThan(5);
  });

  it('bounds every log line: long strings are cut, deep or wide objects are truncated', () => {
    const out: string[] = [];
    const log = createLogger(
      'info',
      new Writable({
        write(c: Buffer, _e, cb) {
          out.push(c.toString());
          cb();
        },
      }),
    );
    let nested: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 10_000; i++) nested = { a: nested };
    log.error(
      {
        huge: 'x'.repeat(1_000_000),
        nested,
        wide: Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i])),
        list: Array.from({ length: 10_000 }, (_, i) => i),
        err: new Error('y'.repeat(100_000)),
      },
      'z'.repeat(100_000),
    );
    expect(out).to.have.length(1);
    expect(out[0]!.length).to.be.lessThan(20 * MAX_LOG_STRING);
    expect(() => JSON.parse(out[0]!)).not.to.throw();
  });
});
