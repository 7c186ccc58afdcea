/**
 * Findings 4 and 6 (issue 9): limits a client cannot step around.
 *
 * - The per-conversation rate limit is keyed on the conversation id, not on `channelId` (which the
 *   client chooses freely on each message); without an app id, new conversations on /api/messages
 *   are limited per client address (RATE_LIMIT_NEW_CONVERSATIONS_PER_MINUTE).
 * - Photo storage has a budget per client address (RETURNS_UPLOAD_BYTES_PER_ADDRESS_PER_HOUR, 429
 *   beyond, through new conversations too) and in total (RETURNS_UPLOAD_BYTES_TOTAL, 413 beyond).
 */
import { expect } from 'chai';
import { request as httpRequest } from 'node:http';
import { randomUUID } from 'node:crypto';
import { callFrom, png, startBot, upload, widgetToken, type DlBot, type IssuedToken } from '../directline/helpers.js';
import { message, raw } from './helpers.js';

const post = (url: string, body: unknown) => raw(url, 'POST', '/api/messages', JSON.stringify(body), { 'content-type': 'application/json' });

describe('security: the per-conversation rate limit ignores channelId', function () {
  this.timeout(60_000);
  let bot: DlBot;
  before(async () => (bot = await startBot({ env: { RATE_LIMIT_PER_MINUTE: '6', RATE_LIMIT_BURST: '3' } })));
  after(async () => bot.dispose());

  it('a client that changes channelId on each message is still one conversation: 429 after the burst', async () => {
    const conv = `c-${randomUUID()}`;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await post(bot.url, message(conv, 'hi', { channelId: `chan-${i}` }))).status);
    expect(statuses.slice(0, 3)).to.deep.equal([200, 200, 200]);
    expect(statuses.slice(3)).to.deep.equal([429, 429, 429]);
    const limited = await post(bot.url, message(conv, 'hi', { channelId: 'yet-another' }));
    expect(limited.headers['retry-after']).to.match(/^\d+$/);
  });
});

describe('security: new conversations per client address (no app id)', function () {
  this.timeout(60_000);
  let bot: DlBot;
  before(async () => (bot = await startBot({ env: { RATE_LIMIT_NEW_CONVERSATIONS_PER_MINUTE: '5' } })));
  after(async () => bot.dispose());

  it('refuses the sixth new conversation from one address with 429, while existing ones go on and other addresses are served', async () => {
    const existing = `c-${randomUUID()}`;
    expect((await post(bot.url, message(existing, 'hi'))).status).to.equal(200);
    for (let i = 0; i < 4; i++) expect((await post(bot.url, message(`c-${randomUUID()}`, 'hi'))).status, `conversation ${i + 2}`).to.equal(200);
    const sixth = await post(bot.url, message(`c-${randomUUID()}`, 'hi'));
    expect(sixth.status).to.equal(429);
    expect(sixth.headers['retry-after']).to.match(/^\d+$/);
    expect(JSON.parse(sixth.text)).to.deep.equal({ error: 'rate-limited' });
    // the existing conversation is not a new one
    expect((await post(bot.url, message(existing, 'UK-100234'))).status).to.equal(200);
    // nothing was stored for the refused one
    const refused = JSON.parse(JSON.stringify(message('refused-one', 'hi')));
    expect((await post(bot.url, refused)).status).to.equal(429);
    expect(await bot.runtime.store.loadConversation('refused-one')).to.equal(null);
    // another client address still starts conversations
    const other = await callFrom('127.0.0.2', bot.url, 'POST', '/api/messages', message(`c-${randomUUID()}`, 'hi'));
    expect(other.status).to.equal(200);
    // and after a minute the address may start more
    bot.clock.advance(61);
    expect((await post(bot.url, message(`c-${randomUUID()}`, 'hi'))).status).to.equal(200);
  });
});

/** A photo of `bytes` bytes (a PNG followed by padding: the content check reads the signature). */
const photo = (bytes: number) => Buffer.concat([png(), Buffer.alloc(bytes - png().length, 1)]);

/** An upload from a chosen local address (127.0.0.2 is another client). */
async function uploadFrom(localAddress: string, url: string, conv: IssuedToken, bytes: Buffer): Promise<number> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type: 'image/png' }), 'p.png');
  const res = new Response(form);
  const body = Buffer.from(await res.arrayBuffer());
  const u = new URL(`/v3/directline/conversations/${conv.conversationId}/upload?userId=${conv.userId}`, url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method: 'POST',
        localAddress,
        headers: { authorization: `Bearer ${conv.token}`, 'content-type': res.headers.get('content-type')!, 'content-length': body.length },
      },
      (r) => {
        r.resume();
        r.on('end', () => resolve(r.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('security: photo storage budgets', function () {
  this.timeout(60_000);

  it('per client address: 429 with Retry-After beyond the budget, also through new conversations; another address is served', async () => {
    const bot = await startBot({ env: { RETURNS_UPLOAD_BYTES_PER_ADDRESS_PER_HOUR: '100000', RATE_LIMIT_PER_MINUTE: '0' } });
    try {
      const statuses: number[] = [];
      let last;
      for (let i = 0; i < 4; i++) {
        const conv = await widgetToken(bot.url);
        last = await upload(bot.url, conv, [{ name: `p${i}.png`, type: 'image/png', bytes: photo(40_000) }]);
        statuses.push(last.status);
      }
      expect(statuses).to.deep.equal([200, 200, 429, 429]);
      expect(last!.headers.get('retry-after')).to.match(/^\d+$/);
      expect(await bot.runtime.store.attachmentBytes()).to.equal(80_000);
      expect(await uploadFrom('127.0.0.2', bot.url, await widgetToken(bot.url), photo(40_000))).to.equal(200);
      // the budget comes back over the hour
      bot.clock.advance(30 * 60);
      expect((await upload(bot.url, await widgetToken(bot.url), [{ name: 'later.png', type: 'image/png', bytes: photo(40_000) }])).status).to.equal(200);
    } finally {
      await bot.dispose();
    }
  });

  it('in total: 413 once the photos stored would pass RETURNS_UPLOAD_BYTES_TOTAL, whatever the address', async () => {
    const bot = await startBot({ env: { RETURNS_UPLOAD_BYTES_TOTAL: '150000', RATE_LIMIT_PER_MINUTE: '0' } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await upload(bot.url, await widgetToken(bot.url), [{ name: `p${i}.png`, type: 'image/png', bytes: photo(45_000) }])).status);
      expect(statuses).to.deep.equal([200, 200, 200, 413]);
      expect(await uploadFrom('127.0.0.2', bot.url, await widgetToken(bot.url), photo(45_000))).to.equal(413);
      expect(await bot.runtime.store.attachmentBytes()).to.equal(135_000);
    } finally {
      await bot.dispose();
    }
  });
});
