/**
 * What is said and what is recorded never differ (issue 11, "Keep what is promised"), over HTTP:
 * a customer who asks again for a line that has its RMA and picks another remedy gets the same RMA
 * with the new remedy recorded and audited (who, when, from what to what); once staff have the item
 * (received), the remedy no longer changes. The RMA records the facts of its decision with their
 * sources.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { askedStep, say, startTestBot, type BotActivity, type TestBot } from '../support/server.js';

/** A faulty-headphones return of UK-100234 with `remedy`, answered step by step; the replies of its last turn. */
async function faultyReturn(bot: TestBot, remedy: string): Promise<BotActivity[]> {
  const conv = `c-${randomUUID()}`;
  const answers: Record<string, string> = {
    orderNumber: 'UK-100234',
    verify: 'sam@example.com',
    item: 'Studio headphones',
    reason: 'it is faulty, the left side is dead',
    faultCause: 'it just stopped working on its own',
    remedy,
    confirm: 'yes',
  };
  let text = 'hi';
  for (let turn = 0; turn < 15; turn++) {
    const replies = await say(bot.url, conv, text, { locale: 'en-GB' });
    if (replies.some((a) => a.channelData?.returns?.rma)) return replies;
    text = answers[askedStep(replies) ?? ''] ?? 'no';
  }
  throw new Error('the return was never booked');
}

const rmaOf = (replies: BotActivity[]) => replies.find((a) => a.channelData?.returns?.rma)!.channelData!.returns!.rma!;

describe('keeping what is promised: the remedy recorded on an RMA', function () {
  this.timeout(60_000);
  let bot: TestBot;
  beforeEach(async () => {
    bot = await startTestBot();
  });
  afterEach(async () => bot?.stop());

  it('asked again with "refund this time": the same RMA, now recording refund, with an audit entry (customer, when, replacement → refund)', async () => {
    const first = rmaOf(await faultyReturn(bot, 'replacement'));
    expect((await bot.runtime.store.getRma(first))?.remedy).to.equal('replacement');
    const second = rmaOf(await faultyReturn(bot, 'refund'));
    expect(second).to.equal(first);
    const record = (await bot.runtime.store.getRma(first))!;
    expect(record.remedy).to.equal('refund');
    expect(record.audit.map((a) => a.action)).to.deep.equal(['rma.issued', 'rma.remedy-changed']);
    expect(record.audit[1]).to.deep.equal({
      at: '2026-12-30T12:00:00.000Z',
      actor: 'customer',
      action: 'rma.remedy-changed',
      data: { by: 'customer', note: null, from: 'replacement', to: 'refund' },
    });
    // The facts of the decision, with their sources (the delivery date from the order's record).
    expect(record.facts.deliveredOn).to.deep.equal({ value: '2026-12-22', source: 'order' });
    expect(record.facts.product?.source).to.equal('order');
  });

  it('once staff have marked it received, asking again for another remedy changes nothing', async () => {
    const rma = rmaOf(await faultyReturn(bot, 'replacement'));
    const received = await bot.runtime.store.setRmaStatus({ rma, to: 'received', actor: 'agent:alex', at: '2026-12-30T12:00:00.000Z' });
    expect(received.ok).to.equal(true);
    expect(rmaOf(await faultyReturn(bot, 'refund'))).to.equal(rma);
    const record = (await bot.runtime.store.getRma(rma))!;
    expect(record.remedy).to.equal('replacement');
    expect(record.audit.map((a) => a.action)).to.deep.equal(['rma.issued', 'rma.status-changed']);
  });
});
