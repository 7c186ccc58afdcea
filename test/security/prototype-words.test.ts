/**
 * Finding 7 (issue 9): words that are names on Object.prototype ("constructor", "__proto__",
 * "toString", "hasOwnProperty", Spanish "el constructor") used to break every turn — the
 * normaliser found `Object.prototype.constructor` in its word list — so every step apologised,
 * Direct Line answered 502, and during a hand-over the message never reached the staff member.
 *
 * Every Object.prototype name, and sentences made with them (fast-check), go through every step of
 * a whole return — over /api/messages and over Direct Line, in English and Spanish — and through a
 * hand-over to a person; and through every reader of the language layer and every state of the
 * interpreter. Nothing may fail, and the conversation must carry on to its RMA.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { hashAccessKey, newAccessKey } from '../../src/handoff/keys.js';
import {
  classifyReason,
  detectCommand,
  detectCorrection,
  extractOrderNumber,
  isDispute,
  isDontKnow,
  matchItem,
  matchRemedy,
  normalizeText,
  parseConditionAnswer,
  parseDate,
  parseFaultCause,
  parsePreauth,
  parseYesNo,
} from '../../src/nlu/index.js';
import { proofCandidates } from '../../src/nlu/identity.js';
import { t } from '../../src/i18n/index.js';
import { CONDITION_FIELDS } from '../../src/policy/case.js';
import { REMEDIES } from '../../src/policy/pack.js';
import { interpret, type View } from '../../dialogs/interpret.js';
import { initialContext } from '../../machines/returns.machine.js';
import { askedStep as dlAskedStep, HEADPHONES_ANSWERS, history, postMessage, startBot, widgetToken, type DlBot } from '../directline/helpers.js';
import { askedStep, say, type BotActivity } from '../support/server.js';

const NAMES = Object.getOwnPropertyNames(Object.prototype);
const TEMPLATES = ['{w}', '{W}', 'el {w}', 'my {w}', 'the {w} please', '{w}.', '{w}()', '{w}?', '{w} {w}', "it's {w}", 'es el {w}', '{w}, {w2}', '{w}!!!', '¿{w}?', '«{w}»'];

/** Every name on its own, then sentences made with them (a fixed seed: the same every run). */
const PHRASES: string[] = [
  ...NAMES,
  ...fc.sample(
    fc.tuple(fc.constantFrom(...NAMES), fc.constantFrom(...NAMES), fc.constantFrom(...TEMPLATES)).map(([w, w2, tpl]) => tpl.replaceAll('{w}', w).replace('{W}', w.toUpperCase()).replace('{w2}', w2)),
    { numRuns: 12, seed: 9 },
  ),
];

const APOLOGY = /something went wrong/i;
const APOLOGY_ES = /algo salió mal/i;

interface Lang {
  locale: string;
  answers: Record<string, string>;
}

const EN: Lang = { locale: 'en-GB', answers: HEADPHONES_ANSWERS };
const ES: Lang = {
  locale: 'es-US',
  answers: { ...Object.fromEntries(Object.entries(HEADPHONES_ANSWERS).map(([k, v]) => [k, v === 'yes' ? 'sí' : v])), reason: 'cambié de opinión', remedy: 'reembolso' },
};

/** Groups of two phrases: at the proof step each failed attempt counts, so a conversation gets two. */
const GROUPS: string[][] = [];
for (let i = 0; i < PHRASES.length; i += 2) GROUPS.push(PHRASES.slice(i, i + 2));

describe('security: Object.prototype names through every step (/api/messages)', function () {
  this.timeout(120_000);
  let bot: DlBot;
  before(async () => (bot = await startBot({ env: { RATE_LIMIT_PER_MINUTE: '0' } })));
  after(async () => bot.dispose());

  for (const lang of [EN, ES]) {
    it(`${lang.locale}: every step answers them sensibly and the return still reaches its RMA`, async () => {
      for (const group of GROUPS) {
        const conv = `proto-${randomUUID()}`;
        let replies: BotActivity[] = await say(bot.url, conv, 'hi', { locale: lang.locale });
        let rma: string | undefined;
        const seen: string[] = [];
        for (let turn = 0; turn < 40 && !rma; turn++) {
          const step = askedStep(replies);
          expect(step, `${group}: no question after ${seen.join(' → ')}`).to.be.a('string');
          seen.push(step!);
          for (const phrase of group) {
            const r = await say(bot.url, conv, phrase, { locale: lang.locale });
            const said = r.map((a) => a.text ?? '').join('\n');
            expect(said, `${JSON.stringify(phrase)} at ${step}`)
              .not.to.match(APOLOGY)
              .and.not.to.match(APOLOGY_ES);
            expect(r.length, `${JSON.stringify(phrase)} at ${step}: no answer`).to.be.greaterThan(0);
            expect(askedStep(r), `${JSON.stringify(phrase)} at ${step}: ${said}`).to.equal(step);
          }
          replies = await say(bot.url, conv, lang.answers[step!] ?? 'no', { locale: lang.locale });
          rma = replies.map((a) => a.channelData?.returns?.rma).find(Boolean);
        }
        expect(rma, `${group}: ${seen.join(' → ')}`).to.match(/^RMA-/);
        // After the RMA ("anything else?") they are still harmless.
        for (const phrase of group) expect((await say(bot.url, conv, phrase, { locale: lang.locale })).map((a) => a.text).join(' ')).not.to.match(APOLOGY);
      }
    });
  }

  it('during a hand-over (queued, then taken) every one reaches the staff member', async () => {
    const key = newAccessKey();
    await bot.runtime.store.addAgent({ name: 'alex', displayName: 'Alex', keyHash: hashAccessKey(key), at: new Date(bot.clock.now()).toISOString() });
    const conv = `proto-h-${randomUUID()}`;
    for (const text of ['hi', 'UK-100234', 'sam@example.com']) await say(bot.url, conv, text);
    await say(bot.url, conv, 'talk to a person');
    const half = Math.ceil(PHRASES.length / 2);
    for (const phrase of PHRASES.slice(0, half)) expect(await say(bot.url, conv, phrase)).to.deep.equal([]);
    const take = await fetch(`${bot.url}/api/agent/conversations/${conv}/take`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
    expect(take.status).to.equal(200);
    for (const phrase of PHRASES.slice(half)) expect(await say(bot.url, conv, phrase)).to.deep.equal([]);
    const view = (await (await fetch(`${bot.url}/api/agent/conversations/${conv}`, { headers: { authorization: `Bearer ${key}` } })).json()) as { transcript: { role: string; text: string }[] };
    const fromCustomer = view.transcript.filter((l) => l.role === 'customer').map((l) => l.text);
    for (const phrase of PHRASES) expect(fromCustomer, phrase).to.include(phrase);
  });
});

describe('security: Object.prototype names through every step (Direct Line)', function () {
  this.timeout(120_000);
  let bot: DlBot;
  before(async () => (bot = await startBot({ env: { RATE_LIMIT_PER_MINUTE: '0' } })));
  after(async () => bot.dispose());

  it('no 502, the same step asked again, and the return still reaches its RMA', async () => {
    for (const group of GROUPS) {
      const conv = await widgetToken(bot.url);
      let h = await history(bot.url, conv.conversationId, conv.token);
      let watermark = h.watermark;
      let step = dlAskedStep(h.activities);
      let rma: string | undefined;
      for (let turn = 0; turn < 40 && step && !rma; turn++) {
        for (const phrase of group) {
          const r = await postMessage(bot.url, conv, phrase);
          expect(r.status, `${JSON.stringify(phrase)} at ${step}: ${r.text}`).to.equal(200);
          h = await history(bot.url, conv.conversationId, conv.token, watermark);
          watermark = h.watermark;
          expect(h.activities.map((a) => a.text ?? '').join('\n')).not.to.match(APOLOGY);
          expect(dlAskedStep(h.activities), `${JSON.stringify(phrase)} at ${step}`).to.equal(step);
        }
        const r = await postMessage(bot.url, conv, EN.answers[step] ?? 'no');
        expect(r.status).to.equal(200);
        h = await history(bot.url, conv.conversationId, conv.token, watermark);
        watermark = h.watermark;
        rma = h.activities.map((a) => a.channelData?.returns?.rma).find((x): x is string => typeof x === 'string');
        step = dlAskedStep(h.activities);
      }
      expect(rma, String(group)).to.match(/^RMA-/);
    }
  });
});

describe('security: Object.prototype names through the language layer and the interpreter (property)', function () {
  this.timeout(60_000);
  const items = [
    {
      sku: 'HP-200',
      name: 'Studio headphones',
      category: 'headphones' as const,
      price: 59.99,
      quantity: 1,
      specialOrder: false,
      freeGift: false,
      requiresManufacturerPreauth: false,
      guaranteeMonths: null,
    },
    { sku: 'NB-15', name: 'Aero 15 notebook', category: 'notebook' as const, price: 899, quantity: 1, specialOrder: false, freeGift: false, requiresManufacturerPreauth: false, guaranteeMonths: null },
  ];
  const order = {
    orderNumber: 'UK-100234',
    policy: 'uk-online',
    currency: 'GBP',
    customer: { email: 'sam@example.com', postcode: 'LS1 4AP' },
    placedOn: '2026-12-19',
    deliveredOn: '2026-12-22',
    items,
  };
  const word = fc.oneof(fc.constantFrom(...NAMES), fc.constantFrom('el', 'the', 'no', 'yes', 'sí', 'my', 'order', 'it', 'is', 'faulty', 'roto'), fc.string({ maxLength: 8 }));
  const sentence = fc.array(word, { minLength: 1, maxLength: 6 }).map((ws) => ws.join(' '));
  const states = [
    'start',
    'ended',
    'handoff',
    'askOrderNumber',
    'askVerify',
    'verifyFailed',
    'askItem',
    'askReason',
    'askFact',
    'checkFact',
    'askPreauthNumber',
    'askRemedy',
    'askConfirm',
    'done',
    'declined',
    'rejected',
    'referred',
    'offer',
  ];

  it('no reader throws, in either language, whatever the sentence', () => {
    fc.assert(
      fc.property(sentence, fc.constantFrom('en' as const, 'es' as const), (s, lang) => {
        detectCommand(s, lang);
        classifyReason(s, lang);
        parseYesNo(s, lang);
        isDontKnow(s, lang);
        isDispute(s, lang);
        for (const field of CONDITION_FIELDS) if (field !== 'faultCause' && field !== 'manufacturerPreauth') parseConditionAnswer(field, s, lang);
        parseFaultCause(s, lang);
        parsePreauth(s, lang);
        matchItem(s, items, lang);
        matchRemedy(s, [...REMEDIES], lang);
        parseDate(s, lang, '2026-12-30', 'DMY');
        detectCorrection(s, lang, { today: '2026-12-30', order: 'DMY', items });
        extractOrderNumber(s);
        proofCandidates(s);
        normalizeText(s);
      }),
      { numRuns: 3000, seed: 7 },
    );
  });

  it('the interpreter turns every such sentence into an event at every state', () => {
    fc.assert(
      fc.property(sentence, fc.constantFrom(...states), fc.constantFrom('en-GB', 'es-US'), (s, state, locale) => {
        const context = {
          ...initialContext({ conversationId: 'c', defaultPolicy: 'uk-online', todayOverride: '2026-12-30', now: 0 }),
          orderNumber: 'UK-100234',
          order,
          itemIndex: 0,
          reason: 'change-of-mind' as const,
        };
        const view: View = { state, step: state === 'askVerify' ? 'verify' : null, context, locale, today: '2026-12-30', dateOrder: 'DMY' };
        const event = interpret(s, undefined, view);
        expect(event.type).to.be.a('string');
      }),
      { numRuns: 3000, seed: 8 },
    );
  });

  it('a message key or a placeholder named like an Object.prototype member renders as text, never a function', () => {
    for (const name of NAMES) {
      expect(t('en-GB', name)).to.equal(name);
      expect(t('en-GB', 'ask.verify', { [name]: 'x', orderNumber: 'UK-1' })).to.include('UK-1');
    }
  });
});
