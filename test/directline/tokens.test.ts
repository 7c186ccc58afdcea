/**
 * Direct Line tokens over HTTP against a real server: the widget token (and its greeting), the
 * per-IP limit on it, tokens/generate (only with the site's DIRECTLINE_SECRET), tokens/refresh,
 * expiry (a clock the test moves) and tampering — 403 everywhere a token is taken, as DirectLineJS
 * maps 403 to ExpiredToken.
 */
import { expect } from 'chai';
import { askedStep, botMessages, call, callFrom, convPath, everyRoute, history, startBot, startConversation, widgetToken, type DlBot, type IssuedToken } from './helpers.js';

const SECRET = 'site-backend-secret-0123456789';

describe('Direct Line: tokens', function () {
  describe('POST /api/widget/token', () => {
    let bot: DlBot;
    before(async () => (bot = await startBot()));
    after(async () => bot?.dispose());

    it('answers {conversationId, userId, token, expires_in} for a new conversation each time', async () => {
      const r = await call(bot.url, 'POST', '/api/widget/token', { body: {} });
      expect(r.status).to.equal(200);
      expect(r.json).to.have.all.keys('conversationId', 'userId', 'token', 'expires_in');
      expect(r.json.conversationId).to.be.a('string').and.have.length.above(0);
      expect(r.json.userId).to.be.a('string').and.have.length.above(0);
      expect(r.json.token).to.be.a('string').and.have.length.above(20);
      expect(r.json.expires_in).to.equal(1800); // DIRECTLINE_TOKEN_TTL_SECONDS default
      const other = await widgetToken(bot.url);
      expect(other.conversationId).to.not.equal(r.json.conversationId);
      expect(other.userId).to.not.equal(r.json.userId);
      expect(other.token).to.not.equal(r.json.token);
    });

    it('greets the new conversation: its history asks for the order number', async () => {
      const conv = await widgetToken(bot.url);
      const h = await history(bot.url, conv.conversationId, conv.token);
      expect(h.status).to.equal(200);
      const bot_ = botMessages(h.activities);
      expect(bot_, 'greeting messages from the bot').to.have.length.above(0);
      expect(
        h.activities.every((a) => a.from?.role === 'bot'),
        'nothing but the bot has spoken yet',
      ).to.equal(true);
      expect(askedStep(h.activities)).to.equal('orderNumber');
      const last = bot_[bot_.length - 1]!;
      expect(last.channelData?.returns?.step).to.equal('orderNumber');
      expect(last.text).to.match(/order number/i);
      expect(Number(h.watermark)).to.equal(h.activities.length);
    });

    it('greets on the stream too, once, even after POST /v3/directline/conversations', async () => {
      const conv = await widgetToken(bot.url);
      const { stream } = await startConversation(bot.url, conv);
      try {
        await stream.until((s) => askedStep(s.activities) === 'orderNumber', 5000, 'the greeting');
        const h = await history(bot.url, conv.conversationId, conv.token);
        const questions = h.activities.filter((a) => a.channelData?.returns?.step === 'orderNumber');
        expect(questions, 'the order-number question, once').to.have.length(1);
        expect(stream.activities.map((a) => a.id)).to.deep.equal(h.activities.map((a) => a.id));
      } finally {
        stream.close();
      }
    });
  });

  describe('per-IP limit on POST /api/widget/token (WIDGET_TOKENS_PER_MINUTE=2)', () => {
    let bot: DlBot;
    beforeEach(async () => (bot = await startBot({ env: { WIDGET_TOKENS_PER_MINUTE: '2' } })));
    afterEach(async () => bot?.dispose());

    it('answers 429 with Retry-After once the budget is spent, and issues again after that wait', async () => {
      let refused: Awaited<ReturnType<typeof call>> | null = null;
      let issued = 0;
      for (let i = 0; i < 12 && !refused; i++) {
        const r = await call(bot.url, 'POST', '/api/widget/token', { body: {} });
        if (r.status === 429) refused = r;
        else {
          expect(r.status).to.equal(200);
          issued++;
        }
      }
      expect(refused, `no 429 after ${issued} tokens`).to.not.equal(null);
      const retryAfter = Number(refused!.headers.get('retry-after'));
      expect(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 60, `Retry-After ${refused!.headers.get('retry-after')}`).to.equal(true);
      expect(refused!.text).to.not.match(/token|conversationId/i);
      bot.clock.advance(retryAfter);
      const again = await call(bot.url, 'POST', '/api/widget/token', { body: {} });
      expect(again.status, 'after waiting Retry-After seconds').to.equal(200);
    });

    it('issues at most WIDGET_TOKENS_PER_MINUTE tokens to one IP at once', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await call(bot.url, 'POST', '/api/widget/token', { body: {} })).status);
      // 2 per minute: the third request in the same instant must wait.
      expect(statuses, 'statuses of 4 requests at the same instant with WIDGET_TOKENS_PER_MINUTE=2').to.deep.equal([200, 200, 429, 429]);
    });

    it('limits each IP separately (127.0.0.1 spent, 127.0.0.2 still served)', async () => {
      let spent = false;
      for (let i = 0; i < 12 && !spent; i++) spent = (await callFrom('127.0.0.1', bot.url, 'POST', '/api/widget/token', {})).status === 429;
      expect(spent, '127.0.0.1 reached the limit').to.equal(true);
      const other = await callFrom('127.0.0.2', bot.url, 'POST', '/api/widget/token', {});
      expect(other.status, 'another client IP').to.equal(200);
    });
  });

  describe('POST /v3/directline/tokens/generate', () => {
    describe('with DIRECTLINE_SECRET set', () => {
      let bot: DlBot;
      before(async () => (bot = await startBot({ env: { DIRECTLINE_SECRET: SECRET } })));
      after(async () => bot?.dispose());

      it('is 401 without an Authorization header', async () => {
        const r = await call(bot.url, 'POST', '/v3/directline/tokens/generate', { body: {} });
        expect(r.status).to.equal(401);
        expect(r.text).to.not.include('token"');
      });

      it('is 401 with a wrong secret, or with a conversation token instead of the secret', async () => {
        const wrong = await call(bot.url, 'POST', '/v3/directline/tokens/generate', { body: {}, headers: { authorization: `Bearer ${SECRET}x` } });
        expect(wrong.status).to.equal(401);
        const prefix = await call(bot.url, 'POST', '/v3/directline/tokens/generate', { body: {}, headers: { authorization: `Bearer ${SECRET.slice(0, -1)}` } });
        expect(prefix.status).to.equal(401);
        const basic = await call(bot.url, 'POST', '/v3/directline/tokens/generate', { body: {}, headers: { authorization: `Basic ${SECRET}` } });
        expect(basic.status).to.equal(401);
        const conv = await widgetToken(bot.url);
        const withToken = await call(bot.url, 'POST', '/v3/directline/tokens/generate', { body: {}, token: conv.token });
        expect(withToken.status).to.equal(401);
      });

      it('with the secret: a new, greeted conversation for the given user id, whose token works', async () => {
        const r = await call(bot.url, 'POST', '/v3/directline/tokens/generate', { body: { user: { id: 'shop-user-42' } }, token: SECRET });
        expect(r.status).to.equal(200);
        expect(r.json).to.include.all.keys('conversationId', 'userId', 'token', 'expires_in');
        expect(r.json.userId).to.equal('shop-user-42');
        const h = await history(bot.url, r.json.conversationId as string, r.json.token as string);
        expect(h.status).to.equal(200);
        expect(askedStep(h.activities)).to.equal('orderNumber');
        const c = await call(bot.url, 'POST', '/v3/directline/conversations', { token: r.json.token as string, body: {} });
        expect(c.status).to.equal(201);
        expect(c.json.conversationId).to.equal(r.json.conversationId);
      });
    });

    describe('with DIRECTLINE_SECRET unset', () => {
      let bot: DlBot;
      before(async () => (bot = await startBot()));
      after(async () => bot?.dispose());

      it('is disabled: 401 whatever the Authorization', async () => {
        for (const authorization of [undefined, 'Bearer ', `Bearer ${SECRET}`, 'Bearer undefined', 'Bearer null']) {
          const r = await call(bot.url, 'POST', '/v3/directline/tokens/generate', { body: {}, headers: authorization === undefined ? {} : { authorization } });
          expect(r.status, `Authorization: ${authorization}`).to.equal(401);
        }
      });

      it('POST /v3/directline/conversations with a secret-looking bearer creates nothing (403)', async () => {
        const r = await call(bot.url, 'POST', '/v3/directline/conversations', { token: SECRET, body: {} });
        expect(r.status).to.equal(403);
        expect(r.json?.conversationId).to.equal(undefined);
      });
    });
  });

  describe('POST /v3/directline/tokens/refresh (TTL 60 s, moving clock)', () => {
    let bot: DlBot;
    before(async () => (bot = await startBot({ env: { DIRECTLINE_TOKEN_TTL_SECONDS: '60' } })));
    after(async () => bot?.dispose());

    it('returns a new valid token for the same conversation that outlives the old one', async () => {
      const conv = await widgetToken(bot.url);
      expect(conv.expires_in).to.equal(60);
      bot.clock.advance(40);
      const r = await call(bot.url, 'POST', '/v3/directline/tokens/refresh', { token: conv.token });
      expect(r.status).to.equal(200);
      expect(r.json.conversationId).to.equal(conv.conversationId);
      expect(r.json.token).to.be.a('string').and.not.equal(conv.token);
      expect(r.json.expires_in).to.equal(60);
      const fresh = r.json.token as string;
      expect((await history(bot.url, conv.conversationId, fresh)).status).to.equal(200);
      bot.clock.advance(30); // 70 s after issue: the old one has expired, the refreshed one has not
      expect((await history(bot.url, conv.conversationId, conv.token)).status, 'the old token after 70 s').to.equal(403);
      const h = await history(bot.url, conv.conversationId, fresh);
      expect(h.status, 'the refreshed token after 70 s').to.equal(200);
      expect(askedStep(h.activities)).to.equal('orderNumber');
    });

    it('is 403 without a token', async () => {
      const r = await call(bot.url, 'POST', '/v3/directline/tokens/refresh', { body: {} });
      expect(r.status).to.equal(403);
    });
  });

  describe('an expired token (DIRECTLINE_TOKEN_TTL_SECONDS=60) → 403 everywhere', () => {
    let bot: DlBot;
    let conv: IssuedToken;
    let refreshed: string;
    let logBefore: number;
    before(async () => {
      bot = await startBot({ env: { DIRECTLINE_TOKEN_TTL_SECONDS: '60' } });
      conv = await widgetToken(bot.url);
      bot.clock.advance(30);
      refreshed = (await call(bot.url, 'POST', '/v3/directline/tokens/refresh', { token: conv.token })).json.token as string;
      logBefore = (await history(bot.url, conv.conversationId, refreshed)).activities.length;
      bot.clock.advance(29);
      // Still valid one second before expiry (not refused early).
      expect((await history(bot.url, conv.conversationId, conv.token)).status, 'the old token at 59 s').to.equal(200);
      bot.clock.advance(2); // 61 s after issue
    });
    after(async () => bot?.dispose());

    it('the refreshed token (issued at 30 s) still works at 61 s', async () => {
      expect((await history(bot.url, conv.conversationId, refreshed)).status).to.equal(200);
    });

    for (const name of everyRoute('http://x', { conversationId: 'x', userId: 'x', token: 'x', expires_in: 0 }).map((r) => r.name)) {
      it(`${name}: 403 (WS: upgrade refused with 403)`, async () => {
        const route = everyRoute(bot.url, conv).find((r) => r.name === name)!;
        const r = await route.run(conv.token);
        expect(r.status, r.body).to.equal(403);
      });
    }

    it('nothing the expired token posted reached the conversation', async () => {
      const h = await history(bot.url, conv.conversationId, refreshed);
      expect(h.activities.length).to.equal(logBefore);
    });
  });

  describe('a tampered token → 403', () => {
    let bot: DlBot;
    let a: IssuedToken;
    let b: IssuedToken;
    const forged: Record<string, () => string> = {};
    before(async () => {
      bot = await startBot();
      a = await widgetToken(bot.url);
      b = await widgetToken(bot.url);
      const [bodyA, sigA] = a.token.split('.') as [string, string];
      const [bodyB, sigB] = b.token.split('.') as [string, string];
      const payloadA = JSON.parse(Buffer.from(bodyA, 'base64url').toString('utf8')) as Record<string, unknown>;
      const reencode = (p: Record<string, unknown>) => Buffer.from(JSON.stringify(p)).toString('base64url');
      const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
      forged['signature changed'] = () => `${bodyA}.${flip(sigA, 5)}`;
      forged['payload changed (expiry pushed back), signature kept'] = () => `${reencode({ ...payloadA, e: Number(payloadA.e) + 86_400 })}.${sigA}`;
      forged["B's signature on A's payload"] = () => `${bodyA}.${sigB}`;
      forged["A's signature on B's payload"] = () => `${bodyB}.${sigA}`;
      forged['no signature'] = () => `${bodyA}.`;
      forged['payload only'] = () => bodyA;
      forged['truncated'] = () => a.token.slice(0, -3);
      forged['garbage'] = () => 'not-a-token';
    });
    after(async () => bot?.dispose());

    it('the untampered token works (control)', async () => {
      expect((await history(bot.url, a.conversationId, a.token)).status).to.equal(200);
    });

    for (const name of everyRoute('http://x', { conversationId: 'x', userId: 'x', token: 'x', expires_in: 0 }).map((r) => r.name)) {
      it(`${name}: 403 for every tampered form`, async () => {
        const route = everyRoute(bot.url, a).find((r) => r.name === name)!;
        const wrong: string[] = [];
        for (const [how, make] of Object.entries(forged)) {
          const r = await route.run(make());
          if (r.status !== 403) wrong.push(`${how} → ${r.status} ${r.body.slice(0, 120)}`);
        }
        expect(wrong, 'tampered tokens not refused with 403').to.deep.equal([]);
      });
    }

    it('nothing was posted to A', async () => {
      const h = await history(bot.url, a.conversationId, a.token);
      expect(h.activities.every((x) => x.from?.role === 'bot')).to.equal(true);
    });
  });

  it('GET /v3/directline/conversations/{id} without any token → 403', async () => {
    const bot = await startBot();
    try {
      const conv = await widgetToken(bot.url);
      const r = await call(bot.url, 'GET', convPath(conv.conversationId));
      expect(r.status).to.equal(403);
    } finally {
      await bot.dispose();
    }
  });
});
