/**
 * Issue 11, the conversation side, over HTTP (and `returnsbot chat`): questions mid-way answered from
 * the pack then the pending question asked again; declining a hand-over for another reason keeps the
 * order and item; goodbye repeats the RMA on every channel; follow-ups that fit a refusal; the
 * pre-authorisation number given later; a later delivery date stated by the customer is referred.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { orderSchema } from '../../src/orders.js';
import { runCli } from '../support/cli.js';
import { SCENARIO_ORDERS, askedStep, say, startTestBot, type BotActivity, type TestBot } from '../support/server.js';

const RMA = /RMA-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}/;
const all = (r: readonly BotActivity[]) => r.map((a) => a.text ?? '').join('\n');

function conversation(bot: TestBot, locale = 'en-GB') {
  const id = `repair-${randomUUID()}`;
  const log: string[] = [];
  return {
    async say(line: string): Promise<BotActivity[]> {
      const r = await say(bot.url, id, line, { locale });
      log.push(`you> ${line}`, ...r.map((a) => `bot> ${a.text ?? ''} [${a.channelData?.returns?.step ?? '-'}]`));
      return r;
    },
    async run(lines: string[]): Promise<BotActivity[]> {
      let r: BotActivity[] = [];
      for (const l of lines) r = await this.say(l);
      return r;
    },
    why: () => log.join('\n'),
  };
}

const decisionOf = (r: readonly BotActivity[]) =>
  r.map((a) => a.channelData?.returns?.decision as { outcome: string; reasons: { code: string }[]; sources?: Record<string, string> } | undefined).find(Boolean);

describe('answering and repairing like a person (HTTP, CLI)', function () {
  this.timeout(60_000);
  let bot: TestBot;
  before(async () => {
    bot = await startTestBot();
    // A UK order delivered 29 days ago: a change of mind is too late.
    await bot.runtime.store.importOrders([
      orderSchema.parse({
        orderNumber: 'UK-100900',
        policy: 'uk-online',
        currency: 'GBP',
        customer: { email: 'kim@example.com', postcode: 'M1 1AE', region: 'GB-ENG' },
        placedOn: '2026-11-28',
        deliveredOn: '2026-12-01',
        delivery: { charge: 0, cheapestCharge: 0 },
        items: [{ sku: 'HP-200', name: 'Studio headphones', category: 'headphones', price: 59.99, quantity: 1 }],
      }),
    ]);
  });
  after(async () => {
    await bot?.stop();
  });

  for (const [locale, question, expected] of [
    ['en-GB', 'how long does the refund take?', /within 14 days/],
    ['en-US', 'who pays for return shipping?', /postage|shipping/i],
    ['es-US', '¿cuánto tarda el reembolso?', /días/],
  ] as const) {
    it(`${locale}: a question mid-way is answered from the pack, citing its clause, then the pending question is asked again`, async () => {
      const c = conversation(bot, locale);
      const first = await c.run(['hi', 'UK-100234', 'sam@example.com', locale === 'es-US' ? 'los audífonos' : 'the headphones', locale === 'es-US' ? 'cambié de opinión' : 'I changed my mind']);
      const pending = askedStep(first);
      const r = await c.say(question);
      expect(all(r), c.why()).to.match(expected);
      expect(all(r), c.why()).to.match(/uk-online\//);
      expect(askedStep(r), c.why()).to.equal(pending);
    });
  }

  it('declining a hand-over for a change of mind keeps the verified order and item', async () => {
    const c = conversation(bot, 'en-US');
    let r = await c.run(['hi', 'IMP-500017', 'lee@example.com', 'monitor', 'it arrived damaged, the box was crushed']);
    for (let i = 0; i < 8 && askedStep(r) !== 'confirm'; i++)
      r = await c.say(['serialLabelIntact', 'upcPresent', 'originalPackaging', 'allAccessories', 'originalOsIntact'].includes(askedStep(r) ?? '') ? 'yes' : 'no');
    expect(decisionOf(r)?.outcome, c.why()).to.equal('referred');
    r = await c.say('no thanks, can I just send it back as a change of mind instead?');
    expect(askedStep(r), c.why()).to.not.be.oneOf(['orderNumber', 'verify', 'item', 'reason']);
    expect(all(r), c.why()).to.match(/change of mind/i);
    expect(all(r), c.why()).to.match(/UltraView 27 monitor/);
  });

  it('goodbye ends with the RMA repeated, over HTTP', async () => {
    const c = conversation(bot);
    let r = await c.run(['hi', 'UK-100234', 'sam@example.com', 'the headphones', 'I changed my mind']);
    for (let i = 0; i < 6 && askedStep(r) !== 'confirm'; i++) r = await c.say(askedStep(r) === 'serialLabelIntact' ? 'yes' : 'no');
    r = await c.say('yes');
    const rma = RMA.exec(all(r))?.[0];
    expect(rma, c.why()).to.be.a('string');
    r = await c.say('thanks, bye');
    expect(all(r), c.why()).to.include(rma!);
    expect(all(r), c.why()).to.match(/Goodbye/);
  });

  it('goodbye ends with the RMA repeated in `returnsbot chat`, and the item choices are printed once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'returnsbot-chat-'));
    try {
      const env = { RETURNS_DATA_DIR: dir, RETURNS_TODAY: '2026-12-30', RETURNS_DEMO_ORDERS: 'false' };
      const file = join(dir, 'orders.json');
      writeFileSync(file, JSON.stringify(SCENARIO_ORDERS));
      await runCli(['orders', 'import', file], { env });
      const script = ['UK-100234', 'sam@example.com', '1', 'I changed my mind', 'no', 'no', 'yes', 'thanks, bye', '/quit'].join('\n');
      const chat = await runCli(['chat', '--locale', 'en-GB'], { env, stdin: script });
      const rma = RMA.exec(chat.stdout)?.[0];
      expect(rma, chat.stdout).to.be.a('string');
      expect(chat.stdout, chat.stdout).to.match(new RegExp(`Your RMA number is ${rma}\\. Goodbye`));
      expect(chat.stdout.match(/Studio headphones\n/g)?.length ?? 0, chat.stdout).to.equal(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a refused fault claim (UK) is followed by the statutory route, not "your rights are not affected"', async () => {
    const c = conversation(bot);
    let r = await c.run(['hi', 'UK-100234', 'sam@example.com', 'the notebook', 'the screen is cracked and it does not work']);
    for (let i = 0; i < 6 && !decisionOf(r); i++) r = await c.say(askedStep(r) === 'faultCause' ? 'I dropped it off the desk' : askedStep(r) === 'reason' ? 'yes' : 'no');
    expect(decisionOf(r)?.outcome, c.why()).to.equal('rejected');
    expect(all(r), c.why()).to.not.match(/rights for that are not affected/);
    expect(all(r), c.why()).to.match(/Consumer Rights Act/);
    expect(
      r.at(-1)?.suggestedActions?.actions.map((a) => a.title),
      c.why(),
    ).to.include('Talk to a person');
  });

  it('a late change-of-mind refusal that mentions a fault offers the fault route', async () => {
    const c = conversation(bot);
    const r = await c.run(['hi', 'UK-100900', 'kim@example.com', 'I changed my mind, though the left earcup crackles too']);
    expect(decisionOf(r)?.outcome, c.why()).to.equal('rejected');
    expect(all(r), c.why()).to.match(/as a fault/);
    expect(
      r.at(-1)?.suggestedActions?.actions.map((a) => a.title),
      c.why(),
    ).to.include("It's faulty");
    const next = await c.say('yes please');
    expect(askedStep(next), c.why()).to.be.oneOf(['faultCause', 'sealBroken', 'used', 'serialLabelIntact', 'remedy', 'confirm', 'tampered']);
  });

  it('the pre-authorisation number given after the refusal is taken and the return decided again', async () => {
    const c = conversation(bot, 'en-US');
    let r = await c.run(['hi', 'IMP-500017', 'lee@example.com', 'ProBook 14', "it won't boot", "no, I don't have one"]);
    expect(
      decisionOf(r)?.reasons.map((x) => x.code),
      c.why(),
    ).to.include('MANUFACTURER_PREAUTH_REQUIRED');
    r = await c.say('the number is PA-99812');
    expect(all(r), c.why()).to.not.match(/isn't right, you can talk to a person/);
    expect(askedStep(r), c.why()).to.not.equal(null);
    expect(askedStep(r), c.why()).to.not.equal('manufacturerPreauth');
  });

  it('es-US: the tampering question is worded so that the natural answer is the true one, and "no la he tocado" is a no', async () => {
    const c = conversation(bot, 'es-US');
    let r = await c.run(['hola', 'UK-100234', 'sam@example.com', 'el portátil', 'no enciende', 'dejó de funcionar solo, no se me cayó']);
    for (let i = 0; i < 6 && askedStep(r) !== 'tampered'; i++) r = await c.say(askedStep(r) === 'reason' ? 'sí' : 'no');
    expect(askedStep(r), c.why()).to.equal('tampered');
    const question = r.at(-1)?.text ?? '';
    expect(question, c.why()).to.not.match(/se ha abierto/);
    expect(question, c.why()).to.match(/caja/);
    r = await c.say('no la he tocado');
    expect(askedStep(r), c.why()).to.not.equal('tampered');
    expect(decisionOf(r)?.outcome ?? null, c.why()).to.not.equal('rejected');
  });

  it('es-US: dates read "el martes 5 de enero", without a comma after the weekday', async () => {
    const c = conversation(bot, 'es-US');
    const r = await c.run(['hola', 'UK-100234', 'sam@example.com', 'los audífonos', 'cambié de opinión', 'no', 'no']);
    expect(all(r), c.why()).to.match(/martes 5 de enero de 2027/);
    expect(all(r), c.why()).to.not.match(/martes, 5/);
  });

  it('after the customer said it is sealed, the refund note gives no "opened packaging" example', async () => {
    const c = conversation(bot);
    let r = await c.run(['hi', 'UK-100234', 'sam@example.com', 'the headphones', 'I changed my mind']);
    for (let i = 0; i < 6 && !decisionOf(r); i++) r = await c.say(askedStep(r) === 'sealBroken' ? 'no, it is still sealed' : 'no');
    expect(decisionOf(r)?.outcome, c.why()).to.equal('approved');
    expect(all(r), c.why()).to.not.match(/opened packaging/);
    r = await c.say('yes');
    expect(all(r), c.why()).to.match(RMA);
    expect(all(r), c.why()).to.not.match(/opened packaging/);
  });

  it('asked again for an item with an RMA, "refund this time": the RMA records the refund and the reply says so', async () => {
    const book = async (remedy: string) => {
      const c = conversation(bot);
      let r = await c.run(['hi', 'UK-100234', 'sam@example.com', 'the notebook']);
      for (let i = 0; i < 8 && askedStep(r) !== 'remedy' && askedStep(r) !== 'confirm'; i++) {
        const step = askedStep(r);
        r = await c.say(step === 'reason' ? "It's faulty" : step === 'faultCause' ? 'it stopped working by itself' : step === 'serialLabelIntact' ? 'yes' : 'no');
      }
      expect(askedStep(r), c.why()).to.equal('remedy');
      await c.say(remedy);
      r = await c.say('yes');
      return { r, why: c.why() };
    };
    const first = await book('replacement');
    const rma = RMA.exec(all(first.r))?.[0];
    expect(rma, first.why).to.be.a('string');
    expect((await bot.runtime.store.getRma(rma!))?.remedy).to.equal('replacement');
    const again = await book('refund this time');
    expect(RMA.exec(all(again.r))?.[0], again.why).to.equal(rma);
    expect((await bot.runtime.store.getRma(rma!))?.remedy, again.why).to.equal('refund');
    expect(all(again.r), again.why).to.match(/changed .* to a refund/);
  });

  it('a later delivery date stated by the customer that changes the outcome is referred (DELIVERY_DATE_DISPUTED), its source recorded', async () => {
    const c = conversation(bot);
    let r = await c.run(['hi', 'UK-100900', 'kim@example.com', 'I changed my mind']);
    expect(
      decisionOf(r)?.reasons.map((x) => x.code),
      c.why(),
    ).to.include('CHANGE_OF_MIND_WINDOW_PASSED');
    r = await c.say('actually it only arrived on the 24th');
    for (let i = 0; i < 6 && !decisionOf(r); i++) r = await c.say(askedStep(r) === 'serialLabelIntact' ? 'yes' : 'no');
    const d = decisionOf(r);
    expect(d?.outcome, c.why()).to.equal('referred');
    expect(
      d?.reasons.map((x) => x.code),
      c.why(),
    ).to.include('DELIVERY_DATE_DISPUTED');
    expect(d?.sources?.deliveredOn, c.why()).to.equal('customer');
  });
});
