/**
 * Whole return conversations over HTTP (POST /api/messages, deliveryMode expectReplies), for each
 * reason in each pack and each locale, answered the way a customer would. Expected outcomes come
 * from CONTRACT section 5 with today = 2026-12-30 (UK-100234 delivered 2026-12-22; IMP-500017
 * delivered 2026-12-10; UK-300001 delivered 2026-12-29 to a Scottish customer).
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { converse, show, type Scenario } from '../support/converse.js';
import { askedStep, say, startTestBot, type BotActivity, type TestBot } from '../support/server.js';

const RMA = /^RMA-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;

const ukGood = { sealBroken: false, used: false, activationStripDamaged: false, serialLabelIntact: true, tampered: false, packagingOpened: false, softwareClaimed: false };
const usGood = {
  packagingOpened: false,
  originalPackaging: true,
  allAccessories: true,
  serialLabelIntact: true,
  upcPresent: true,
  physicalDamage: false,
  tampered: false,
  rebateClaimed: false,
  originalOsIntact: true,
};

interface Row extends Scenario {
  expect: { outcome: string; rma: boolean; remedies?: string[]; chosenBy?: string; code?: string; deduction?: string; handoff?: boolean; reportBy?: string; reason?: string };
  decideOnly?: boolean;
}

const rows: Row[] = [
  // uk-online, en-GB
  {
    name: 'uk headphones, change of mind, unopened',
    locale: 'en-GB',
    opening: "Hi, I'd like to return something",
    orderNumber: 'UK-100234',
    verify: 'sam@example.com',
    item: 'Studio headphones',
    reasonText: "I changed my mind, I don't need them any more",
    facts: ukGood,
    expect: { outcome: 'approved', rma: true, remedies: ['refund'], reason: 'change-of-mind' },
  },
  {
    name: 'uk headphones, hygiene seal broken',
    locale: 'en-GB',
    opening: 'hello',
    orderNumber: 'UK-100234',
    verify: 'LS1 4AP',
    item: 'the headphones',
    reasonText: "I just don't like them",
    facts: { ...ukGood, sealBroken: true },
    expect: { outcome: 'rejected', rma: false, code: 'HYGIENE_SEAL_BROKEN' },
  },
  {
    name: 'uk notebook faulty, refund chosen',
    locale: 'en-GB',
    opening: 'My new laptop is broken',
    orderNumber: 'UK-100234',
    verify: 'ls14ap',
    item: 'Aero 15 notebook',
    reasonText: "it won't turn on",
    answers: { faultCause: "it just stopped working, I didn't drop it" },
    facts: ukGood,
    remedy: 'refund',
    expect: { outcome: 'approved', rma: true, remedies: ['refund', 'repair', 'replacement'], chosenBy: 'customer', reason: 'faulty' },
  },
  {
    name: 'uk notebook dropped',
    locale: 'en-GB',
    opening: 'hi',
    orderNumber: 'my order is uk-100234',
    verify: 'sam@example.com',
    item: '2',
    reasonText: 'the screen is cracked and it does not work',
    answers: { faultCause: 'I dropped it off the desk' },
    facts: ukGood,
    expect: { outcome: 'rejected', rma: false, code: 'FAULT_NOT_COVERED' },
  },
  {
    name: 'uk notebook misdescribed, replacement chosen',
    locale: 'en-GB',
    opening: 'hello there',
    orderNumber: 'UK-100234',
    verify: 'sam@example.com',
    item: 'the laptop',
    reasonText: "it's not what the listing said, it has 8GB of RAM not 16",
    facts: ukGood,
    remedy: 'a replacement please',
    expect: { outcome: 'approved', rma: true, remedies: ['refund', 'replacement'], chosenBy: 'customer', reason: 'misdescribed' },
  },
  {
    name: 'uk notebook damaged in transit, in time',
    locale: 'en-GB',
    opening: 'my parcel arrived damaged',
    orderNumber: 'UK-100234',
    verify: 'sam@example.com',
    item: 'notebook',
    reasonText: 'the box was crushed and the screen is cracked',
    facts: ukGood,
    remedy: 'replacement',
    expect: { outcome: 'approved', rma: true, remedies: ['refund', 'replacement'], reportBy: '2026-12-31', reason: 'transit-damage' },
  },
  {
    name: 'uk memory card (Scotland), change of mind, premium delivery',
    locale: 'en-GB',
    opening: 'I want to return an SD card',
    orderNumber: 'UK-300001',
    verify: 'eh1 1yz',
    item: 'card',
    reasonText: 'I ordered the wrong size by mistake',
    facts: ukGood,
    expect: { outcome: 'approved', rma: true, deduction: 'delivery-upgrade', reason: 'change-of-mind' },
  },
  {
    name: 'uk notebook, change of mind',
    locale: 'en-GB',
    opening: 'return please',
    orderNumber: 'UK-100234',
    verify: 'sam@example.com',
    item: 'Aero 15',
    reasonText: 'found it cheaper elsewhere',
    facts: ukGood,
    expect: { outcome: 'approved', rma: true, reason: 'change-of-mind' },
  },
  // impress-us, en-US
  {
    name: 'impress monitor, unopened',
    locale: 'en-US',
    opening: 'I want to send back a monitor',
    orderNumber: 'IMP-500017',
    verify: 'lee@example.com',
    item: 'UltraView 27 monitor',
    reasonText: 'I ordered it by mistake and never opened it',
    facts: usGood,
    expect: { outcome: 'approved', rma: true, remedies: ['refund'], deduction: 'restocking-fee' },
  },
  {
    name: 'impress notebook faulty, no manufacturer pre-authorisation',
    locale: 'en-US',
    opening: 'hi',
    orderNumber: 'IMP-500017',
    verify: 'lee@example.com',
    item: 'ProBook 14',
    reasonText: 'the screen flickers and then it dies',
    answers: { faultCause: "it's a defect, it happened on its own", manufacturerPreauth: "no, I don't have one" },
    facts: usGood,
    expect: { outcome: 'rejected', rma: false, code: 'MANUFACTURER_PREAUTH_REQUIRED' },
  },
  {
    name: 'impress notebook faulty, with a pre-authorisation number',
    locale: 'en-US',
    opening: 'hi',
    orderNumber: 'IMP-500017',
    verify: '10001',
    item: 'probook',
    reasonText: "it won't boot",
    answers: { manufacturerPreauth: 'yes, it is MP-778812' },
    facts: usGood,
    expect: { outcome: 'approved', rma: true, remedies: ['refund', 'repair', 'replacement'], chosenBy: 'retailer' },
  },
  {
    name: 'impress monitor misdescribed, replacement chosen',
    locale: 'en-US',
    opening: 'hello',
    orderNumber: 'IMP-500017',
    verify: 'lee@example.com',
    item: 'monitor',
    reasonText: 'it is not as described, the listing said 4K',
    facts: usGood,
    remedy: 'replacement',
    expect: { outcome: 'approved', rma: true, remedies: ['refund', 'replacement'], chosenBy: 'customer' },
  },
  {
    name: 'impress monitor damaged in shipping → referred, hand-over',
    locale: 'en-US',
    opening: 'hello',
    orderNumber: 'IMP-500017',
    verify: 'lee@example.com',
    item: 'monitor',
    reasonText: 'it arrived damaged, the box was crushed',
    facts: usGood,
    expect: { outcome: 'referred', rma: false, handoff: true },
  },
  {
    name: 'impress monitor without all accessories → referred',
    locale: 'en-US',
    opening: 'hello',
    orderNumber: 'IMP-500017',
    verify: 'lee@example.com',
    item: 'monitor',
    reasonText: 'I changed my mind',
    facts: { ...usGood, allAccessories: false },
    expect: { outcome: 'referred', rma: false, code: 'MISSING_PACKAGING_OR_ACCESSORIES' },
  },
  // es-US
  {
    name: 'es-US: uk headphones, change of mind',
    locale: 'es-US',
    opening: 'Hola, quiero devolver algo',
    orderNumber: 'UK-100234',
    verify: 'sam@example.com',
    item: 'los audífonos',
    reasonText: 'cambié de opinión, ya no los necesito',
    facts: ukGood,
    yes: 'sí',
    no: 'no',
    expect: { outcome: 'approved', rma: true, remedies: ['refund'] },
  },
  {
    name: 'es-US: impress notebook faulty, no pre-authorisation',
    locale: 'es-US',
    opening: 'hola',
    orderNumber: 'IMP-500017',
    verify: 'lee@example.com',
    item: 'la ProBook 14',
    reasonText: 'la pantalla parpadea y luego se apaga',
    answers: { faultCause: 'es un defecto, pasó solo', manufacturerPreauth: 'no, no tengo' },
    facts: usGood,
    yes: 'sí',
    no: 'no',
    expect: { outcome: 'rejected', rma: false, code: 'MANUFACTURER_PREAUTH_REQUIRED' },
  },
  {
    name: 'es-US: impress monitor not as described, replacement',
    locale: 'es-US',
    opening: 'buenas tardes',
    orderNumber: 'IMP-500017',
    verify: '10001',
    item: 'el monitor',
    reasonText: 'no es lo que decía el anuncio',
    facts: usGood,
    yes: 'sí',
    no: 'no',
    remedy: 'reemplazo',
    expect: { outcome: 'approved', rma: true, remedies: ['refund', 'replacement'] },
  },
  {
    name: 'es-US: uk notebook faulty, refund',
    locale: 'es-US',
    opening: 'mi laptop no funciona',
    orderNumber: 'UK-100234',
    verify: 'LS1 4AP',
    item: 'el portátil',
    reasonText: 'no enciende',
    answers: { faultCause: 'dejó de funcionar solo, no se me cayó' },
    facts: ukGood,
    yes: 'sí',
    no: 'no',
    remedy: 'reembolso',
    expect: { outcome: 'approved', rma: true, remedies: ['refund', 'repair', 'replacement'] },
  },
];

describe('conversations over HTTP (expectReplies)', function () {
  this.timeout(60_000);
  let bot: TestBot;
  before(async () => {
    bot = await startTestBot();
  });
  after(async () => {
    await bot?.stop();
  });

  for (const row of rows) {
    it(`${row.name} → ${row.expect.outcome}${row.expect.rma ? ' with an RMA' : ''}`, async () => {
      const r = await converse(bot.url, row);
      const why = show(r);
      expect(r.outcome, why).to.equal(row.expect.outcome);
      if (row.expect.rma) expect(r.rma, why).to.match(RMA);
      else expect(r.rma, why).to.equal(undefined);
      const d = r.decision as {
        remedies: string[];
        remedyChosenBy: string;
        reasons: { code: string }[];
        clauses: string[];
        deductions: { kind: string }[];
        deadlines: { reportBy: string | null };
        reason: string;
      };
      expect(d.clauses, why).to.be.an('array').with.length.greaterThan(0);
      if (row.expect.remedies) expect(d.remedies, why).to.deep.equal(row.expect.remedies);
      if (row.expect.chosenBy) expect(d.remedyChosenBy, why).to.equal(row.expect.chosenBy);
      if (row.expect.code)
        expect(
          d.reasons.map((x) => x.code),
          why,
        ).to.include(row.expect.code);
      if (row.expect.deduction)
        expect(
          d.deductions.map((x) => x.kind),
          why,
        ).to.include(row.expect.deduction);
      if (row.expect.reportBy) expect(d.deadlines.reportBy, why).to.equal(row.expect.reportBy);
      if (row.expect.reason) expect(d.reason, why).to.equal(row.expect.reason);
      if (row.expect.handoff !== undefined) expect(Boolean(r.handoff), why).to.equal(row.expect.handoff);
      // Every question carries its step and expects input; every message is in the conversation's language.
      for (const t of r.transcript) {
        for (const a of t.bot) {
          if (a.inputHint === 'expectingInput') expect(a.channelData?.returns?.step, why).to.be.a('string');
          if (row.locale) expect(a.locale, why).to.equal(row.locale);
        }
      }
    });
  }

  it('a retried activity (same id) gets the same replies and issues no second RMA', async () => {
    const r = await converse(bot.url, { ...rows[0]!, name: 'retry', orderNumber: 'UK-100234', item: 'Aero 15 notebook', reasonText: 'changed my mind' });
    expect(r.rma, show(r)).to.match(RMA);
    const again = await say(bot.url, r.conversationId, r.lastUser!.text, { locale: 'en-GB', id: r.lastUser!.id });
    const rmas = again.map((a) => a.channelData?.returns?.rma).filter(Boolean);
    expect(rmas).to.deep.equal([r.rma]);
    const record = await bot.runtime.store.findRma('UK-100234', 'NB-15', 'change-of-mind');
    expect(record?.rma).to.equal(r.rma);
  });

  it('the same order line and reason asked again in a new conversation gives back the same RMA', async () => {
    const first = await converse(bot.url, { ...rows[8]!, name: 'first' });
    const second = await converse(bot.url, { ...rows[8]!, name: 'second' });
    expect(first.rma).to.match(RMA);
    expect(second.rma).to.equal(first.rma);
  });

  it('messages follow the activity locale, and fall back to the pack language for an unsupported one', async () => {
    const conv = `conv-${randomUUID()}`;
    const es = await say(bot.url, conv, 'hola', { locale: 'es-MX' });
    expect(es.map((a) => a.text).join(' ')).to.match(/pedido/);
    const fr = await say(bot.url, `conv-${randomUUID()}`, 'bonjour', { locale: 'fr-FR' });
    expect(fr.map((a) => a.text).join(' ')).to.match(/order number/);
    expect(fr[0]?.locale).to.equal('en-GB');
  });

  it('a correction of the delivery date re-decides with the new date', async () => {
    const conv = `conv-${randomUUID()}`;
    // Headphones: the hygiene seal and use are asked; there is no serial label to ask about (pack features).
    const steps = ['hi', 'UK-100234', 'sam@example.com', 'Studio headphones', 'changed my mind', 'no', 'no'];
    let last: BotActivity[] = [];
    for (const text of steps) last = await say(bot.url, conv, text, { locale: 'en-GB' });
    const before = last.find((a) => a.channelData?.returns?.decision)?.channelData?.returns?.decision as { deadlines: { notifyBy: string } };
    expect(before.deadlines.notifyBy).to.equal('2027-01-05');
    const after = await say(bot.url, conv, 'actually it arrived on 20 December', { locale: 'en-GB' });
    const decision = after.find((a) => a.channelData?.returns?.decision)?.channelData?.returns?.decision as { deadlines: { notifyBy: string } } | undefined;
    expect(decision?.deadlines.notifyBy, JSON.stringify(after)).to.equal('2027-01-03');
  });

  it('a correction of the item ("no, it\'s the headphones") switches item and asks about it', async () => {
    const conv = `conv-${randomUUID()}`;
    for (const text of ['hi', 'UK-100234', 'sam@example.com', 'Aero 15 notebook']) await say(bot.url, conv, text, { locale: 'en-GB' });
    const replies = await say(bot.url, conv, "no, sorry, it's the headphones", { locale: 'en-GB' });
    expect(replies.map((a) => a.text).join(' ')).to.match(/Studio headphones/);
    expect(askedStep(replies)).to.equal('reason');
  });

  it('not understanding twice at one step offers the choices again and a person', async () => {
    const conv = `conv-${randomUUID()}`;
    for (const text of ['hi', 'UK-100234', 'sam@example.com']) await say(bot.url, conv, text, { locale: 'en-GB' });
    const once = await say(bot.url, conv, 'purple elephant', { locale: 'en-GB' });
    expect(askedStep(once)).to.equal('item');
    expect(once.flatMap((a) => a.suggestedActions?.actions.map((x) => x.title) ?? [])).not.to.include('Talk to a person');
    const twice = await say(bot.url, conv, 'banana', { locale: 'en-GB' });
    expect(askedStep(twice)).to.equal('item');
    const titles = twice.flatMap((a) => a.suggestedActions?.actions.map((x) => x.title) ?? []);
    expect(titles).to.include.members(['Studio headphones', 'Aero 15 notebook', 'Talk to a person']);
  });

  it('"talk to a person" at any step starts a hand-over; "cancel" and "start again" work', async () => {
    const conv = `conv-${randomUUID()}`;
    for (const text of ['hi', 'UK-100234']) await say(bot.url, conv, text, { locale: 'en-GB' });
    const human = await say(bot.url, conv, 'can I talk to someone please', { locale: 'en-GB' });
    expect(human.some((a) => a.channelData?.returns?.handoff === 'queued')).to.equal(true);
    const conv2 = `conv-${randomUUID()}`;
    for (const text of ['hi', 'UK-100234']) await say(bot.url, conv2, text, { locale: 'en-GB' });
    const cancelled = await say(bot.url, conv2, 'cancel', { locale: 'en-GB' });
    expect(cancelled.map((a) => a.text).join(' ')).to.match(/cancelled/i);
    const restart = await say(bot.url, conv2, 'start again', { locale: 'en-GB' });
    expect(askedStep(restart)).to.equal('orderNumber');
  });

  it('a customer cannot see an order without its email or postcode', async () => {
    const conv = `conv-${randomUUID()}`;
    await say(bot.url, conv, 'hi', { locale: 'en-GB' });
    await say(bot.url, conv, 'UK-100234', { locale: 'en-GB' });
    const wrong = await say(bot.url, conv, 'someone@else.com', { locale: 'en-GB' });
    const text = wrong.map((a) => a.text).join(' ');
    expect(text).not.to.match(/headphones|notebook/i);
    expect(askedStep(wrong)).to.equal('verify');
  });

  it('a snapshot from an older machine version restarts the conversation politely', async () => {
    const conv = `conv-${randomUUID()}`;
    await bot.runtime.store.commitTurn({
      conversationId: conv,
      expectedVersion: null,
      snapshot: { value: 'someOldState', context: {} },
      machineVersion: 0,
      locale: 'en-GB',
      activityId: null,
      replyCount: 0,
      log: [],
      audit: [],
      at: new Date().toISOString(),
    });
    const replies = await say(bot.url, conv, 'UK-100234', { locale: 'en-GB' });
    expect(replies[0]?.text).to.match(/start again/i);
    expect(askedStep(replies)).to.be.oneOf(['orderNumber', 'verify']);
  });

  it('GET /healthz answers 200 {"status":"ok"}', async () => {
    const res = await fetch(`${bot.url}/healthz`);
    expect(res.status).to.equal(200);
    expect(await res.json()).to.deep.equal({ status: 'ok' });
  });
});
