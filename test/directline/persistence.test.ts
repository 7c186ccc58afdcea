/**
 * A restart loses nothing: a new server on the same data folder (and the same token key — the
 * configured RETURNS_TOKEN_SECRET, or, when it is unset, the key kept in the store) accepts the old
 * token, serves the same history and watermark, resumes a stream after the old watermark, and the
 * conversation carries on where it was.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { askedStep, call, history, png, postMessage, startBot, startConversation, Stream, streamUrlFor, upload, widgetToken, type DlBot, type IssuedToken } from './helpers.js';

const PHOTO = png(4, 4, [0, 200, 100]);

const TOKEN_SECRET = 'a-token-secret-of-at-least-32-chars-0123456789';

describe('Direct Line: persistence across a restart', function () {
  const dirs: string[] = [];
  const bots: DlBot[] = [];
  const newDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'returnsbot-dl-restart-'));
    dirs.push(d);
    return d;
  };
  const start = async (dataDir: string, env: Record<string, string> = {}) => {
    const b = await startBot({ dataDir, env });
    bots.push(b);
    return b;
  };
  afterEach(async () => {
    for (const b of bots.splice(0)) await b.stop();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  /** Start a conversation on `bot`, answer the order number, and return it with its history. */
  async function halfway(bot: DlBot): Promise<{ conv: IssuedToken; ids: string[]; watermark: string; photoPath: string }> {
    const conv = await widgetToken(bot.url);
    const { stream } = await startConversation(bot.url, conv);
    try {
      expect((await postMessage(bot.url, conv, 'UK-100234')).status).to.equal(200);
      await stream.until((s) => askedStep(s.activities) === 'verify');
      expect((await upload(bot.url, conv, [{ name: 'box.png', type: 'image/png', bytes: PHOTO }])).status).to.equal(200);
    } finally {
      stream.close();
    }
    const h = await history(bot.url, conv.conversationId, conv.token);
    expect(askedStep(h.activities)).to.equal('verify');
    const url = new URL(h.activities.find((a) => a.attachments?.length)!.attachments![0]!.contentUrl!);
    return { conv, ids: h.activities.map((a) => a.id!), watermark: h.watermark, photoPath: url.pathname + url.search };
  }

  async function checkContinues(bot: DlBot, before: { conv: IssuedToken; ids: string[]; watermark: string; photoPath: string }) {
    const { conv } = before;
    const h = await history(bot.url, conv.conversationId, conv.token);
    expect(h.status, 'the old token after the restart').to.equal(200);
    expect(
      h.activities.map((a) => a.id),
      'the history',
    ).to.deep.equal(before.ids);
    expect(h.watermark, 'the watermark').to.equal(before.watermark);
    expect(askedStep(h.activities)).to.equal('verify');
    // The photo is still served (same capability, the key survived).
    const photo = await fetch(`${bot.url}${before.photoPath}`);
    expect(photo.status, 'the photo after the restart').to.equal(200);
    expect(Buffer.from(await photo.arrayBuffer()).equals(PHOTO)).to.equal(true);

    // A stream resumed at the old watermark gets only what comes after it.
    const stream = await Stream.open(streamUrlFor(bot.url, conv.conversationId, conv.token, Number(before.watermark)));
    try {
      const r = await postMessage(bot.url, conv, 'sam@example.com');
      expect(r.status).to.equal(200);
      await stream.until((s) => askedStep(s.activities) === 'item', 5000, 'the item question after the restart');
      const after = await history(bot.url, conv.conversationId, conv.token, before.watermark);
      expect(Number(after.watermark)).to.be.above(Number(before.watermark));
      expect(stream.activities.filter((a) => a.type !== 'typing').map((a) => a.id)).to.deep.equal(after.activities.map((a) => a.id));
      expect(
        stream.activities.some((a) => before.ids.includes(a.id!)),
        'nothing from before the watermark',
      ).to.equal(false);
      // The conversation continued from the verify question: it now asks for the item.
      expect(askedStep(after.activities)).to.equal('item');
    } finally {
      stream.close();
    }
    // POST /v3/directline/conversations with the old token resumes it (no second greeting).
    const resumed = await call(bot.url, 'POST', '/v3/directline/conversations', { token: conv.token, body: {} });
    expect(resumed.status).to.equal(201);
    expect(resumed.json.conversationId).to.equal(conv.conversationId);
    const all = await history(bot.url, conv.conversationId, conv.token);
    expect(all.activities.filter((a) => a.channelData?.returns?.step === 'orderNumber')).to.have.length(1);
  }

  it('with RETURNS_TOKEN_SECRET: the old token, the history and the watermark survive, the conversation continues', async () => {
    const dir = newDir();
    const first = await start(dir, { RETURNS_TOKEN_SECRET: TOKEN_SECRET });
    const before = await halfway(first);
    await first.stop();
    const second = await start(dir, { RETURNS_TOKEN_SECRET: TOKEN_SECRET });
    expect(second.url).to.not.equal(first.url);
    await checkContinues(second, before);
  });

  it('with RETURNS_TOKEN_SECRET unset: the key kept in the store still opens the old token after the restart', async () => {
    const dir = newDir();
    const first = await start(dir);
    const before = await halfway(first);
    await first.stop();
    const second = await start(dir);
    await checkContinues(second, before);
  });

  it('with RETURNS_TOKEN_SECRET unset, each data folder has its own key (an old token is 403 on another store)', async () => {
    const first = await start(newDir());
    const before = await halfway(first);
    const other = await start(newDir());
    const h = await history(other.url, before.conv.conversationId, before.conv.token);
    expect(h.status).to.equal(403);
  });

  it('a different RETURNS_TOKEN_SECRET after the restart refuses the old token (403), the history is still there', async () => {
    const dir = newDir();
    const first = await start(dir, { RETURNS_TOKEN_SECRET: TOKEN_SECRET });
    const before = await halfway(first);
    await first.stop();
    const second = await start(dir, { RETURNS_TOKEN_SECRET: `${TOKEN_SECRET}-rotated` });
    expect((await history(second.url, before.conv.conversationId, before.conv.token)).status).to.equal(403);
    expect((await call(second.url, 'POST', '/v3/directline/tokens/refresh', { token: before.conv.token })).status).to.equal(403);
    // The data is intact: the original key opens it again.
    await second.stop();
    const third = await start(dir, { RETURNS_TOKEN_SECRET: TOKEN_SECRET });
    expect((await history(third.url, before.conv.conversationId, before.conv.token)).activities.map((a) => a.id)).to.deep.equal(before.ids);
  });
});
