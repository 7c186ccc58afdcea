/**
 * Guards on what a Direct Line client may post (beyond the happy path): the per-conversation
 * message limit that /api/messages has (RATE_LIMIT_PER_MINUTE / RATE_LIMIT_BURST, 429 with
 * Retry-After, which DirectLineJS honours), the message size limit, non-message activities
 * (Web Chat's typing indicator) that must not start a turn, and the connector refusing
 * conversations that do not exist.
 */
import { expect } from 'chai';
import { call, convPath, history, postMessage, startBot, widgetToken, type DlBot } from './helpers.js';

describe('Direct Line: limits and guards', function () {
  let bot: DlBot;
  before(async () => (bot = await startBot({ env: { RATE_LIMIT_PER_MINUTE: '1', RATE_LIMIT_BURST: '2' } })));
  after(async () => bot?.dispose());

  it('POST …/activities is rate-limited per conversation like /api/messages: 429 with Retry-After, nothing logged', async () => {
    const conv = await widgetToken(bot.url);
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 4; i++) {
      const r = await postMessage(bot.url, conv, `hello ${i}`);
      statuses.push(r.status);
      if (r.status === 429) retryAfter ??= r.headers.get('retry-after');
    }
    // RATE_LIMIT_BURST=2 at a fixed instant: two messages, then 429.
    expect(statuses, 'statuses of 4 posts at the same instant (RATE_LIMIT_PER_MINUTE=1, RATE_LIMIT_BURST=2)').to.deep.equal([200, 200, 429, 429]);
    expect(Number(retryAfter)).to.be.above(0);
    const h = await history(bot.url, conv.conversationId, conv.token);
    expect(h.activities.filter((a) => a.from?.role === 'user').map((a) => a.text)).to.deep.equal(['hello 0', 'hello 1']);
    // Another conversation is not affected.
    const other = await widgetToken(bot.url);
    expect((await postMessage(bot.url, other, 'hi')).status).to.equal(200);
  });

  it('a message over 4000 characters → 400 naming activity.text, nothing logged', async () => {
    const conv = await widgetToken(bot.url);
    const before = await history(bot.url, conv.conversationId, conv.token);
    const r = await postMessage(bot.url, conv, 'x'.repeat(4001));
    expect(r.status).to.equal(400);
    expect(JSON.stringify(r.json)).to.include('activity.text');
    expect(r.text).to.not.include('xxxxxxxx');
    expect((await history(bot.url, conv.conversationId, conv.token)).watermark).to.equal(before.watermark);
  });

  it("Web Chat's typing activity → 200 {id}, no turn, nothing logged", async () => {
    const conv = await widgetToken(bot.url);
    const before = await history(bot.url, conv.conversationId, conv.token);
    const r = await call(bot.url, 'POST', convPath(conv.conversationId, '/activities'), { token: conv.token, body: { type: 'typing', from: { id: conv.userId, role: 'user' } } });
    expect(r.status).to.equal(200);
    expect(r.json.id).to.be.a('string');
    expect((await history(bot.url, conv.conversationId, conv.token)).watermark).to.equal(before.watermark);
  });

  it('the connector refuses a conversation that does not exist (404) and stores nothing for it', async () => {
    const id = 'dl-00000000-0000-0000-0000-000000000000';
    const r = await call(bot.url, 'POST', `/v3/conversations/${id}/activities`, { body: { type: 'message', text: 'to nobody' } });
    expect(r.status).to.equal(404);
    expect(await bot.runtime.store.readLog(id, 0)).to.deep.equal([]);
  });
});
