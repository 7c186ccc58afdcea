/**
 * Photos over Direct Line (`POST …/upload`, multipart as DirectLineJS sends it): stored with the
 * conversation, shown in the log with a capability URL that serves the same bytes, images only
 * (judged by their bytes), size- and count-limited, and acknowledged by the bot, which then asks
 * its question again.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { askedStep, botMessages, enGB, history, png, startBot, upload, userMessage, widgetToken, type Activity, type DlBot, type IssuedToken } from './helpers.js';

const MAX_BYTES = 2048;
const MAX_FILES = 2;

describe('Direct Line: uploads', function () {
  let bot: DlBot;
  before(async () => (bot = await startBot({ env: { RETURNS_MAX_UPLOAD_BYTES: String(MAX_BYTES), RETURNS_MAX_UPLOAD_FILES: String(MAX_FILES) } })));
  after(async () => bot?.dispose());

  const photo = png(3, 2, [10, 120, 240]);

  describe('a small PNG', () => {
    let conv: IssuedToken;
    let res: Awaited<ReturnType<typeof upload>>;
    let logged: Activity | undefined;
    let replies: Activity[];
    const clientActivityID = `wc-${randomUUID()}`;

    before(async () => {
      expect(photo.length).to.be.below(MAX_BYTES);
      conv = await widgetToken(bot.url);
      const start = await history(bot.url, conv.conversationId, conv.token);
      res = await upload(bot.url, conv, [{ name: 'box.png', type: 'image/png', bytes: photo }], { activity: userMessage(conv.userId, '', clientActivityID) });
      const h = await history(bot.url, conv.conversationId, conv.token, start.watermark);
      logged = h.activities.find((a) => a.from?.role === 'user');
      replies = botMessages(h.activities);
    });

    it('is accepted: 200 {id}', () => {
      expect(res.status, res.text).to.equal(200);
      expect(res.json.id).to.be.a('string').and.have.length.above(0);
    });

    it("appears in the log as the customer's activity with attachments[0].contentUrl (and its clientActivityID)", () => {
      expect(logged, 'the upload in the log').to.not.equal(undefined);
      expect(logged!.id).to.equal(res.json.id);
      expect(logged!.from?.id).to.equal(conv.userId);
      expect(logged!.channelData?.clientActivityID).to.equal(clientActivityID);
      expect(logged!.attachments).to.have.length(1);
      expect(logged!.attachments![0]!.contentType).to.equal('image/png');
      expect(logged!.attachments![0]!.contentUrl)
        .to.be.a('string')
        .and.match(/^http:\/\//);
    });

    it('its contentUrl serves the same bytes as image/png', async () => {
      const r = await fetch(logged!.attachments![0]!.contentUrl!);
      expect(r.status).to.equal(200);
      expect(r.headers.get('content-type')).to.equal('image/png');
      expect(Buffer.from(await r.arrayBuffer()).equals(photo)).to.equal(true);
    });

    it("the URL without its c= capability, with a wrong one, or with another attachment's is 404", async () => {
      const url = new URL(logged!.attachments![0]!.contentUrl!);
      const noCap = new URL(url);
      noCap.searchParams.delete('c');
      expect((await fetch(noCap)).status, 'without c=').to.equal(404);
      const empty = new URL(url);
      empty.searchParams.set('c', '');
      expect((await fetch(empty)).status, 'with c= empty').to.equal(404);
      const flipped = new URL(url);
      const c = url.searchParams.get('c')!;
      flipped.searchParams.set('c', (c[0] === 'A' ? 'B' : 'A') + c.slice(1));
      expect((await fetch(flipped)).status, 'with a changed c=').to.equal(404);

      const other = await upload(bot.url, conv, [{ name: 'other.png', type: 'image/png', bytes: png(1, 1) }]);
      expect(other.status).to.equal(200);
      const h = await history(bot.url, conv.conversationId, conv.token);
      const otherUrl = new URL(h.activities.find((a) => a.id === other.json.id)!.attachments![0]!.contentUrl!);
      expect(otherUrl.pathname).to.not.equal(url.pathname);
      expect((await fetch(otherUrl)).status, 'control: the other attachment with its own c=').to.equal(200);
      const swapped = new URL(url);
      swapped.searchParams.set('c', otherUrl.searchParams.get('c')!);
      expect((await fetch(swapped)).status, "this attachment with the other's c=").to.equal(404);
      const swapped2 = new URL(otherUrl);
      swapped2.searchParams.set('c', c);
      expect((await fetch(swapped2)).status, "the other attachment with this one's c=").to.equal(404);
    });

    it('the bot acknowledges the photo ("attachment.received"), then asks its question again', () => {
      expect(replies.length, 'replies').to.be.at.least(2);
      expect(replies[0]!.text).to.equal(enGB('attachment.received', { count: 1 }));
      expect(askedStep(replies)).to.equal('orderNumber');
      expect(replies[replies.length - 1]!.text).to.equal(enGB('ask.orderNumber'));
    });
  });

  it('a photo mid-conversation: acknowledged, then the current question (verify) again', async () => {
    const conv = await widgetToken(bot.url);
    await fetch(`${bot.url}/v3/directline/conversations/${encodeURIComponent(conv.conversationId)}/activities`, {
      method: 'POST',
      headers: { authorization: `Bearer ${conv.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(userMessage(conv.userId, 'UK-100234')),
    });
    const start = await history(bot.url, conv.conversationId, conv.token);
    expect(askedStep(start.activities)).to.equal('verify');
    const r = await upload(
      bot.url,
      conv,
      [
        { name: 'a.png', type: 'image/png', bytes: photo },
        { name: 'b.png', type: 'image/png', bytes: png(1, 1) },
      ],
      { activity: null },
    );
    expect(r.status, r.text).to.equal(200);
    const h = await history(bot.url, conv.conversationId, conv.token, start.watermark);
    const replies = botMessages(h.activities);
    expect(replies[0]?.text).to.equal(enGB('attachment.received', { count: 2 }));
    expect(askedStep(replies)).to.equal('verify');
    const logged = h.activities.find((a) => a.from?.role === 'user');
    expect(logged?.attachments).to.have.length(2);
  });

  it('a text file renamed .png (declared image/png, bytes not an image) → 415, nothing logged', async () => {
    const conv = await widgetToken(bot.url);
    const before = await history(bot.url, conv.conversationId, conv.token);
    const r = await upload(bot.url, conv, [{ name: 'notes.png', type: 'image/png', bytes: Buffer.from('this is just some text, not a picture\n'.repeat(4)) }]);
    expect(r.status, r.text).to.equal(415);
    const after = await history(bot.url, conv.conversationId, conv.token);
    expect(after.watermark).to.equal(before.watermark);
  });

  it('an image among non-images is still refused (415) as a whole', async () => {
    const conv = await widgetToken(bot.url);
    const r = await upload(
      bot.url,
      conv,
      [
        { name: 'ok.png', type: 'image/png', bytes: photo },
        { name: 'evil.png', type: 'image/png', bytes: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>') },
      ],
      { activity: null },
    );
    expect(r.status, r.text).to.equal(415);
  });

  it(`a file bigger than RETURNS_MAX_UPLOAD_BYTES (${MAX_BYTES}) → 413, nothing logged`, async () => {
    const conv = await widgetToken(bot.url);
    const before = await history(bot.url, conv.conversationId, conv.token);
    const big = Buffer.concat([png(1, 1), Buffer.alloc(MAX_BYTES + 100, 0x20)]);
    const r = await upload(bot.url, conv, [{ name: 'big.png', type: 'image/png', bytes: big }]);
    expect(r.status, r.text).to.equal(413);
    const after = await history(bot.url, conv.conversationId, conv.token);
    expect(after.watermark).to.equal(before.watermark);
  });

  it('a file of exactly RETURNS_MAX_UPLOAD_BYTES is accepted (the limit is inclusive)', async () => {
    const conv = await widgetToken(bot.url);
    const base = png(1, 1);
    const exact = Buffer.concat([base, Buffer.alloc(MAX_BYTES - base.length, 0x20)]);
    const r = await upload(bot.url, conv, [{ name: 'exact.png', type: 'image/png', bytes: exact }]);
    expect(r.status, r.text).to.equal(200);
  });

  it(`more files than RETURNS_MAX_UPLOAD_FILES (${MAX_FILES}) → 413, nothing logged`, async () => {
    const conv = await widgetToken(bot.url);
    const before = await history(bot.url, conv.conversationId, conv.token);
    const files = Array.from({ length: MAX_FILES + 1 }, (_, i) => ({ name: `p${i}.png`, type: 'image/png', bytes: png(1, 1) }));
    const r = await upload(bot.url, conv, files, { activity: null });
    expect(r.status, r.text).to.equal(413);
    const after = await history(bot.url, conv.conversationId, conv.token);
    expect(after.watermark).to.equal(before.watermark);
  });

  it(`exactly RETURNS_MAX_UPLOAD_FILES (${MAX_FILES}) photos without an activity part → 200`, async () => {
    const conv = await widgetToken(bot.url);
    const files = Array.from({ length: MAX_FILES }, (_, i) => ({ name: `p${i}.png`, type: 'image/png', bytes: png(1, 1) }));
    const r = await upload(bot.url, conv, files, { activity: null });
    expect(r.status, r.text).to.equal(200);
  });

  it(`exactly RETURNS_MAX_UPLOAD_FILES (${MAX_FILES}) photos as Web Chat sends them (with the activity part) → 200`, async () => {
    // DirectLineJS appends the activity as a Blob of type application/vnd.microsoft.activity — a
    // file part — before the photos; it is not a photo and must not count against the limit.
    const conv = await widgetToken(bot.url);
    const files = Array.from({ length: MAX_FILES }, (_, i) => ({ name: `p${i}.png`, type: 'image/png', bytes: png(1, 1) }));
    const r = await upload(bot.url, conv, files);
    expect(r.status, r.text).to.equal(200);
    const h = await history(bot.url, conv.conversationId, conv.token);
    expect(h.activities.find((a) => a.id === r.json?.id)?.attachments).to.have.length(MAX_FILES);
  });

  it('a multipart body with no photo → 400', async () => {
    const conv = await widgetToken(bot.url);
    const r = await upload(bot.url, conv, []);
    expect(r.status, r.text).to.equal(400);
  });
});
