/**
 * One token opens one conversation: for every route that names a conversation, conversation B's
 * token used on conversation A is refused with 403 (WebSocket: the upgrade is refused), nothing is
 * written to A, and nothing of A shows in what comes back.
 */
import { expect } from 'chai';
import { call, everyRoute, history, png, postMessage, startBot, Stream, streamUrlFor, upgradeStatus, upload, widgetToken, type DlBot, type IssuedToken } from './helpers.js';

describe('Direct Line: isolation between conversations', function () {
  let bot: DlBot;
  let a: IssuedToken;
  let b: IssuedToken;
  const SECRET_TEXT = 'my-private-note-7Q3ZK';
  let aBefore: { watermark: string; ids: string[] };

  /** What of A must never appear in an answer to B's token. */
  const secretsOfA = () => [a.conversationId, a.userId, a.token, SECRET_TEXT, 'UK-100234', 'sam@example.com'];

  before(async () => {
    bot = await startBot();
    a = await widgetToken(bot.url);
    b = await widgetToken(bot.url);
    expect((await postMessage(bot.url, a, SECRET_TEXT)).status).to.equal(200);
    expect((await postMessage(bot.url, a, 'UK-100234')).status).to.equal(200);
    expect((await postMessage(bot.url, a, 'sam@example.com')).status).to.equal(200);
    expect((await upload(bot.url, a, [{ name: 'a.png', type: 'image/png', bytes: png() }])).status).to.equal(200);
    const h = await history(bot.url, a.conversationId, a.token);
    aBefore = { watermark: h.watermark, ids: h.activities.map((x) => x.id!) };
  });
  after(async () => bot?.dispose());

  it("controls: A's own token opens every route of A", async () => {
    const failures: string[] = [];
    for (const route of everyRoute(bot.url, a).filter((r) => r.namesConversation && !r.name.startsWith('POST'))) {
      const r = await route.run(a.token);
      if (r.status !== 200 && r.status !== 101) failures.push(`${route.name} → ${r.status}`);
    }
    expect(failures).to.deep.equal([]);
  });

  const names = everyRoute('http://x', { conversationId: 'x', userId: 'x', token: 'x', expires_in: 0 })
    .filter((r) => r.namesConversation)
    .map((r) => r.name);
  for (const name of names) {
    it(`${name} on A with B's token → 403, nothing of A revealed`, async () => {
      const route = everyRoute(bot.url, a).find((r) => r.name === name)!;
      const r = await route.run(b.token);
      expect(r.status, r.body).to.equal(403);
      for (const s of secretsOfA()) expect(r.body, `the body reveals ${s}`).to.not.include(s);
    });
  }

  it('refresh-then-use: B refreshed is still B — 403 on every route of A', async () => {
    const refreshed = await call(bot.url, 'POST', '/v3/directline/tokens/refresh', { token: b.token });
    expect(refreshed.status).to.equal(200);
    expect(refreshed.json.conversationId).to.equal(b.conversationId);
    for (const s of secretsOfA()) expect(refreshed.text).to.not.include(s);
    const failures: string[] = [];
    for (const route of everyRoute(bot.url, a).filter((x) => x.namesConversation)) {
      const r = await route.run(refreshed.json.token as string);
      if (r.status !== 403) failures.push(`${route.name} → ${r.status}`);
      for (const s of secretsOfA()) if (r.body.includes(s)) failures.push(`${route.name} reveals ${s}`);
    }
    expect(failures).to.deep.equal([]);
  });

  it("POST /v3/directline/conversations with B's token answers B's conversation, never A's", async () => {
    const r = await call(bot.url, 'POST', '/v3/directline/conversations', { token: b.token, body: { user: { id: a.userId } } });
    expect(r.status).to.equal(201);
    expect(r.json.conversationId).to.equal(b.conversationId);
    for (const s of secretsOfA()) expect(r.text).to.not.include(s);
  });

  it("A's stream URL with the token swapped for B's is refused; B's stream never carries A's activities", async () => {
    const aStream = (await call(bot.url, 'GET', `/v3/directline/conversations/${encodeURIComponent(a.conversationId)}`, { token: a.token })).json.streamUrl as string;
    const swapped = new URL(aStream);
    swapped.searchParams.set('t', b.token);
    expect((await upgradeStatus(swapped.toString())).status).to.equal(403);
    const noToken = new URL(aStream);
    noToken.searchParams.delete('t');
    expect((await upgradeStatus(noToken.toString())).status).to.equal(403);
    const bStream = await Stream.open(streamUrlFor(bot.url, b.conversationId, b.token));
    try {
      await postMessage(bot.url, a, 'another private line for A');
      await bStream.until((s) => s.frames.length > 0);
      await new Promise((r) => setTimeout(r, 1200));
      const text = JSON.stringify(bStream.frames);
      for (const s of [...secretsOfA(), 'another private line for A']) expect(text).to.not.include(s);
    } finally {
      bStream.close();
    }
  });

  it('the stream URL without any token → upgrade refused (403)', async () => {
    expect((await upgradeStatus(streamUrlFor(bot.url, a.conversationId, null))).status).to.equal(403);
    expect((await upgradeStatus(streamUrlFor(bot.url, a.conversationId, null, 0))).status).to.equal(403);
  });

  it("nothing B's token sent reached A's log (only A's own later message)", async () => {
    const h = await history(bot.url, a.conversationId, a.token);
    const texts = h.activities.map((x) => x.text ?? '');
    expect(texts).to.not.include('intruder message');
    const users = h.activities.filter((x) => x.from?.role === 'user');
    expect(users.every((x) => x.from?.id === a.userId)).to.equal(true);
    // A's log before the tests is intact (same ids, same order).
    expect(h.activities.slice(0, aBefore.ids.length).map((x) => x.id)).to.deep.equal(aBefore.ids);
    // Uploads with B's token stored no photo in A's log.
    const photos = h.activities.filter((x) => x.attachments?.length);
    expect(photos).to.have.length(1);
  });
});
