/**
 * Findings 8, 9 and 10 (issue 9):
 * - a customer cannot drive the hand-over: `handoff.status` events are followed only in
 *   HANDOFF_MODE=event and only from the hub (an authenticated channel), never from the customer's
 *   side of an anonymous or Direct Line conversation;
 * - `/agent/login` takes JSON only, checks `Origin` and refuses cross-site posts (login CSRF), and
 *   throttles failed attempts per address;
 * - a token with characters after its signature is refused;
 * - `Origin == Host` is not "same origin" when the host is not a configured one (DNS rebinding).
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { hashAccessKey, newAccessKey } from '../../src/handoff/keys.js';
import { callFrom, convPath, startBot, userMessage, widgetToken, type DlBot } from '../directline/helpers.js';
import { askedStep, say } from '../support/server.js';
import { message, raw } from './helpers.js';

const JSON_TYPE = { 'content-type': 'application/json' };

async function handedOver(bot: DlBot): Promise<string> {
  const conv = `c-${randomUUID()}`;
  for (const text of ['hi', 'UK-100234', 'sam@example.com']) await say(bot.url, conv, text);
  const r = await say(bot.url, conv, 'talk to a person');
  expect(r.some((a) => a.channelData?.returns?.handoff === 'queued')).to.equal(true);
  return conv;
}

const statusEvent = (conv: string, state: string) => message(conv, '', { type: 'event', name: 'handoff.status', value: { state, message: 'Mallory' }, text: undefined });

for (const mode of ['console', 'event'] as const) {
  describe(`security: a customer's handoff.status event is not obeyed (HANDOFF_MODE=${mode}, no app id)`, function () {
    this.timeout(60_000);
    let bot: DlBot;
    const key = newAccessKey();
    before(async () => {
      bot = await startBot({ env: { HANDOFF_MODE: mode } });
      await bot.runtime.store.addAgent({ name: 'alex', displayName: 'Alex', keyHash: hashAccessKey(key), at: new Date(bot.clock.now()).toISOString() });
    });
    after(async () => bot.dispose());

    it('accepted / completed / failed from /api/messages change nothing; staff can still take it', async () => {
      const conv = await handedOver(bot);
      for (const state of ['accepted', 'completed', 'failed']) {
        const r = await raw(bot.url, 'POST', '/api/messages', JSON.stringify(statusEvent(conv, state)), JSON_TYPE);
        expect(r.status).to.be.within(200, 299);
        expect((await bot.runtime.store.getHandoff(conv))?.status, state).to.equal('queued');
      }
      const audit = (await bot.runtime.store.conversationAudit(conv)).map((a) => a.action);
      expect(audit.filter((a) => a.startsWith('handoff.status'))).to.deep.equal([]);
      const take = await fetch(`${bot.url}/api/agent/conversations/${conv}/take`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
      expect(take.status).to.equal(200);
    });

    it('nor from Direct Line', async () => {
      const conv = await widgetToken(bot.url);
      for (const text of ['UK-100234', 'sam@example.com', 'talk to a person']) {
        await raw(bot.url, 'POST', convPath(conv.conversationId, '/activities'), JSON.stringify(userMessage(conv.userId, text)), { ...JSON_TYPE, authorization: `Bearer ${conv.token}` });
      }
      expect((await bot.runtime.store.getHandoff(conv.conversationId))?.status).to.equal('queued');
      const event = { type: 'event', name: 'handoff.status', value: { state: 'accepted' }, from: { id: conv.userId } };
      await raw(bot.url, 'POST', convPath(conv.conversationId, '/activities'), JSON.stringify(event), { ...JSON_TYPE, authorization: `Bearer ${conv.token}` });
      expect((await bot.runtime.store.getHandoff(conv.conversationId))?.status).to.equal('queued');
    });
  });
}

describe('security: staff sign-in (login CSRF, throttling)', function () {
  this.timeout(60_000);
  let bot: DlBot;
  const key = newAccessKey();
  let self: string;
  before(async () => {
    bot = await startBot({ env: { STAFF_LOGIN_ATTEMPTS_PER_MINUTE: '5' } });
    await bot.runtime.store.addAgent({ name: 'alex', displayName: 'Alex', keyHash: hashAccessKey(key), at: new Date(bot.clock.now()).toISOString() });
    self = `http://127.0.0.1:${bot.port}`;
  });
  after(async () => bot.dispose());

  const login = (body: string, headers: Record<string, string>, from?: string) => raw(bot.url, 'POST', '/agent/login', body, headers, from);

  it('a form-encoded body (what a cross-site HTML form sends) is refused with 415, and no session is made', async () => {
    const r = await login(`key=${encodeURIComponent(key)}`, { 'content-type': 'application/x-www-form-urlencoded' });
    expect(r.status).to.equal(415);
    expect(r.headers['set-cookie']).to.equal(undefined);
    const plain = await login(JSON.stringify({ key }), { 'content-type': 'text/plain' });
    expect(plain.status).to.equal(415);
    expect(plain.headers['set-cookie']).to.equal(undefined);
  });

  it('a post from another site (Origin, or Sec-Fetch-Site: cross-site) is refused with 403', async () => {
    const foreign: Record<string, string>[] = [
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { origin: `http://127.0.0.1:${bot.port + 1}` },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of foreign) {
      const r = await login(JSON.stringify({ key }), { ...JSON_TYPE, ...headers });
      expect(r.status, JSON.stringify(headers)).to.equal(403);
      expect(r.headers['set-cookie']).to.equal(undefined);
    }
  });

  it('Origin == Host under a name that is not configured (DNS rebinding) is not same-origin', async () => {
    const r = await login(JSON.stringify({ key }), { ...JSON_TYPE, host: `rebind.example:${bot.port}`, origin: `http://rebind.example:${bot.port}` });
    expect(r.status).to.equal(403);
    const token = await raw(bot.url, 'POST', '/api/widget/token', '{}', { ...JSON_TYPE, host: `rebind.example:${bot.port}`, origin: `http://rebind.example:${bot.port}` });
    expect(token.status).to.equal(403);
    expect(token.headers['access-control-allow-origin']).to.equal(undefined);
  });

  it('the console on this server signs in (control): JSON, same origin', async () => {
    const r = await login(JSON.stringify({ key }), { ...JSON_TYPE, origin: self, 'sec-fetch-site': 'same-origin' });
    expect(r.status, r.text).to.equal(200);
    expect(String(r.headers['set-cookie'])).to.match(/rb_staff=/);
    const api = await login(JSON.stringify({ key }), JSON_TYPE);
    expect(api.status).to.equal(200);
  });

  it('throttles failed attempts per address: then 429 with Retry-After, even for the right key; another address is served', async () => {
    for (let i = 0; i < 5; i++) expect((await login(JSON.stringify({ key: `rbk_wrong_${i}` }), JSON_TYPE)).status).to.equal(401);
    const blocked = await login(JSON.stringify({ key }), JSON_TYPE);
    expect(blocked.status).to.equal(429);
    expect(blocked.headers['retry-after']).to.match(/^\d+$/);
    expect(blocked.headers['set-cookie']).to.equal(undefined);
    const other = await callFrom('127.0.0.2', bot.url, 'POST', '/agent/login', { key });
    expect(other.status).to.equal(200);
    bot.clock.advance(60);
    expect((await login(JSON.stringify({ key }), JSON_TYPE)).status).to.equal(200);
  });
});

describe('security: tokens and origins', function () {
  this.timeout(60_000);
  let bot: DlBot;
  before(async () => (bot = await startBot()));
  after(async () => bot.dispose());

  it('refuses a token with anything after its signature', async () => {
    const conv = await widgetToken(bot.url);
    const ok = await raw(bot.url, 'GET', convPath(conv.conversationId, '/activities'), null, { authorization: `Bearer ${conv.token}` });
    expect(ok.status).to.equal(200);
    for (const extra of ['=', '==', '!', '~', '%', '.', '.x', '*', '@@']) {
      const r = await raw(bot.url, 'GET', convPath(conv.conversationId, '/activities'), null, { authorization: `Bearer ${conv.token}${extra}` });
      expect(r.status, extra).to.equal(403);
    }
  });

  it("a configured public URL is this server's origin; Origin == Host under another name is not", async () => {
    const configured = await startBot({ env: { RETURNS_PUBLIC_URL: 'https://bot.example.com' } });
    try {
      const mine = await raw(configured.url, 'POST', '/api/widget/token', '{}', { ...JSON_TYPE, host: 'bot.example.com', origin: 'https://bot.example.com' });
      expect(mine.status).to.equal(200);
      expect(mine.headers['access-control-allow-origin']).to.equal('https://bot.example.com');
      const other = await raw(configured.url, 'POST', '/api/widget/token', '{}', { ...JSON_TYPE, host: `127.0.0.1:${configured.port}`, origin: `http://127.0.0.1:${configured.port}` });
      expect(other.status).to.equal(403);
    } finally {
      await configured.dispose();
    }
  });

  it("the bot's own page on localhost or an IP address is same-origin (control)", async () => {
    for (const host of [`127.0.0.1:${bot.port}`, `localhost:${bot.port}`]) {
      const r = await raw(bot.url, 'POST', '/api/widget/token', '{}', { ...JSON_TYPE, host, origin: `http://${host}` });
      expect(r.status, host).to.equal(200);
    }
    const conv = await widgetToken(bot.url);
    expect(askedStep([])).to.equal(null);
    expect(conv.token).to.be.a('string');
  });
});
