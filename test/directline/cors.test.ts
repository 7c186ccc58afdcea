/**
 * Cross-origin embedding: only origins in RETURNS_ALLOWED_ORIGINS (and the server's own origin) may
 * call the widget token and Direct Line routes from a browser or open a stream; an allowed origin
 * is echoed in Access-Control-Allow-Origin and its preflight succeeds with the headers
 * DirectLineJS sends (Authorization, Content-Type, x-ms-bot-agent).
 */
import { expect } from 'chai';
import {
  askedStep,
  call,
  convPath,
  history,
  png,
  postMessage,
  startBot,
  streamUrlFor,
  upgradeStatus,
  upload,
  userMessage,
  widgetToken,
  type DlBot,
  type HttpReply,
  type IssuedToken,
} from './helpers.js';

const SHOP = 'https://shop.example.com';
const DEV = 'http://localhost:8080';

describe('Direct Line: CORS', function () {
  let bot: DlBot;
  let conv: IssuedToken;
  before(async () => {
    bot = await startBot({ env: { RETURNS_ALLOWED_ORIGINS: `${SHOP}, ${DEV}/` } });
    conv = await widgetToken(bot.url);
  });
  after(async () => bot?.dispose());

  /** Every browser-facing call, for conversation `conv`, from `origin`. */
  const browserCalls = (origin: string): Record<string, () => Promise<HttpReply>> => ({
    'POST /api/widget/token': () => call(bot.url, 'POST', '/api/widget/token', { body: {}, headers: { origin } }),
    'POST /v3/directline/conversations': () => call(bot.url, 'POST', '/v3/directline/conversations', { token: conv.token, body: {}, headers: { origin } }),
    'POST /v3/directline/tokens/refresh': () => call(bot.url, 'POST', '/v3/directline/tokens/refresh', { token: conv.token, body: {}, headers: { origin } }),
    'GET /v3/directline/conversations/{id}': () => call(bot.url, 'GET', convPath(conv.conversationId), { token: conv.token, headers: { origin } }),
    'GET …/activities': () => call(bot.url, 'GET', convPath(conv.conversationId, '/activities'), { token: conv.token, headers: { origin } }),
    'POST …/activities': () => call(bot.url, 'POST', convPath(conv.conversationId, '/activities'), { token: conv.token, body: userMessage(conv.userId, `from ${origin}`), headers: { origin } }),
    'POST …/upload': () => upload(bot.url, conv, [{ name: 'p.png', type: 'image/png', bytes: png() }], { headers: { origin } }),
  });

  for (const origin of ['https://evil.example', 'null', `${SHOP}.evil.example`, 'http://shop.example.com', 'https://shop.example.com:8443']) {
    describe(`an origin not allowed (${origin})`, () => {
      for (const name of Object.keys(browserCalls(origin))) {
        it(`${name} → 403 without Access-Control-Allow-Origin`, async () => {
          const r = await browserCalls(origin)[name]!();
          expect(r.status, r.text).to.equal(403);
          expect(r.headers.get('access-control-allow-origin')).to.equal(null);
          expect(r.text).to.not.include(conv.conversationId);
          expect(r.json?.token).to.equal(undefined);
        });
      }

      it('OPTIONS preflight is not granted', async () => {
        const r = await call(bot.url, 'OPTIONS', convPath(conv.conversationId, '/activities'), {
          headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
        });
        expect(r.headers.get('access-control-allow-origin')).to.equal(null);
        expect(r.status).to.not.be.within(200, 299);
      });

      it('the WebSocket upgrade is refused (403)', async () => {
        const r = await upgradeStatus(streamUrlFor(bot.url, conv.conversationId, conv.token), { origin });
        expect(r.status).to.equal(403);
      });
    });
  }

  it('nothing the refused origins posted reached the conversation', async () => {
    const h = await history(bot.url, conv.conversationId, conv.token);
    expect(h.activities.filter((a) => a.from?.role === 'user')).to.deep.equal([]);
    expect(askedStep(h.activities)).to.equal('orderNumber');
  });

  for (const origin of [SHOP, DEV]) {
    describe(`an allowed origin (${origin})`, () => {
      it('POST /api/widget/token → 200 with Access-Control-Allow-Origin echoed (and Vary: Origin)', async () => {
        const r = await call(bot.url, 'POST', '/api/widget/token', { body: {}, headers: { origin } });
        expect(r.status).to.equal(200);
        expect(r.headers.get('access-control-allow-origin')).to.equal(origin);
        expect(r.headers.get('vary') ?? '').to.match(/origin/i);
        expect(r.json.token).to.be.a('string');
      });

      it('the Direct Line routes answer with Access-Control-Allow-Origin echoed', async () => {
        const mine = await widgetToken(bot.url, { origin });
        const calls: [string, () => Promise<HttpReply>, number][] = [
          ['POST conversations', () => call(bot.url, 'POST', '/v3/directline/conversations', { token: mine.token, body: {}, headers: { origin } }), 201],
          ['GET conversation', () => call(bot.url, 'GET', convPath(mine.conversationId), { token: mine.token, headers: { origin } }), 200],
          ['POST activities', () => postMessageFrom(origin, mine), 200],
          ['GET activities', () => call(bot.url, 'GET', convPath(mine.conversationId, '/activities'), { token: mine.token, headers: { origin } }), 200],
          ['POST refresh', () => call(bot.url, 'POST', '/v3/directline/tokens/refresh', { token: mine.token, body: {}, headers: { origin } }), 200],
          ['POST upload', () => upload(bot.url, mine, [{ name: 'p.png', type: 'image/png', bytes: png() }], { headers: { origin } }), 200],
        ];
        const wrong: string[] = [];
        for (const [name, run, status] of calls) {
          const r = await run();
          if (r.status !== status || r.headers.get('access-control-allow-origin') !== origin) wrong.push(`${name} → ${r.status}, ACAO ${r.headers.get('access-control-allow-origin')}`);
        }
        expect(wrong).to.deep.equal([]);
      });

      it('a 403 for a bad token still carries Access-Control-Allow-Origin (so Web Chat can read it as ExpiredToken)', async () => {
        const r = await call(bot.url, 'GET', convPath(conv.conversationId, '/activities'), { token: 'expired.token', headers: { origin } });
        expect(r.status).to.equal(403);
        expect(r.headers.get('access-control-allow-origin')).to.equal(origin);
      });

      for (const path of [
        '/api/widget/token',
        '/v3/directline/conversations',
        '/v3/directline/tokens/refresh',
        '/v3/directline/conversations/dl-x/activities',
        '/v3/directline/conversations/dl-x/upload',
        '/v3/directline/conversations/dl-x',
      ]) {
        it(`OPTIONS ${path} preflight → 204 with the allowed headers`, async () => {
          const r = await call(bot.url, 'OPTIONS', path, {
            headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-ms-bot-agent' },
          });
          expect(r.status).to.equal(204);
          expect(r.headers.get('access-control-allow-origin')).to.equal(origin);
          const allowed = (r.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(/\s*,\s*/);
          expect(allowed).to.include.members(['authorization', 'content-type', 'x-ms-bot-agent']);
          const methods = (r.headers.get('access-control-allow-methods') ?? '').toUpperCase().split(/\s*,\s*/);
          expect(methods).to.include.members(['GET', 'POST']);
        });
      }

      it('the WebSocket upgrade is accepted', async () => {
        const r = await upgradeStatus(streamUrlFor(bot.url, conv.conversationId, conv.token), { origin });
        expect(r.status).to.equal(101);
      });
    });
  }

  async function postMessageFrom(origin: string, c: IssuedToken): Promise<HttpReply> {
    return call(bot.url, 'POST', convPath(c.conversationId, '/activities'), { token: c.token, body: userMessage(c.userId, 'UK-100234'), headers: { origin } });
  }

  describe("same origin (Origin equal to the server's own base URL)", () => {
    it('works on the token and Direct Line routes, and the stream opens', async () => {
      const origin = bot.url;
      const mine = await widgetToken(bot.url, { origin });
      const r = await postMessageFrom(origin, mine);
      expect(r.status).to.equal(200);
      const h = await call(bot.url, 'GET', convPath(mine.conversationId, '/activities'), { token: mine.token, headers: { origin } });
      expect(h.status).to.equal(200);
      expect(askedStep(h.json.activities)).to.equal('verify');
      const up = await upgradeStatus(streamUrlFor(bot.url, mine.conversationId, mine.token), { origin });
      expect(up.status).to.equal(101);
    });

    it('another port on the same host is a different origin (403)', async () => {
      const u = new URL(bot.url);
      const origin = `${u.protocol}//${u.hostname}:${Number(u.port) === 65535 ? 1 : Number(u.port) + 1}`;
      const r = await call(bot.url, 'POST', '/api/widget/token', { body: {}, headers: { origin } });
      expect(r.status).to.equal(403);
    });
  });

  it('without an Origin header (a server or a native client) the routes work as usual', async () => {
    const mine = await widgetToken(bot.url);
    expect((await postMessage(bot.url, mine, 'UK-100234')).status).to.equal(200);
  });
});
