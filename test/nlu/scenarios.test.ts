/**
 * The answers of the shared conversation scenarios (../shared/scenarios/conversations.jsonl and
 * ../shared/tools/converse.mjs), read the way the conversation reads them, step by step.
 */
import { expect } from 'chai';
import type { BooleanConditionField } from '../../src/policy/case.js';
import {
  classifyReason,
  detectCommand,
  detectCorrection,
  extractOrderNumber,
  isDontKnow,
  languageOf,
  matchItem,
  matchRemedy,
  matchesCustomer,
  parseConditionAnswer,
  parseFaultCause,
  parsePreauth,
  parseYesNo,
  type ItemRef,
} from '../../src/nlu/index.js';

const ukItems: ItemRef[] = [
  { name: 'Studio headphones', category: 'headphones', sku: 'HP-200' },
  { name: 'Aero 15 notebook', category: 'notebook', sku: 'NB-AERO15' },
];
const usItems: ItemRef[] = [
  { name: 'UltraView 27 monitor', category: 'peripheral', sku: 'MON-27' },
  { name: 'ProBook 14', category: 'notebook', sku: 'PB-14' },
];

interface Scenario {
  name: string;
  locale: string;
  opening: string;
  openingReason: string | null;
  orderNumber: string;
  verify: string;
  customer: { email: string; postcode: string };
  items: ItemRef[];
  item: string;
  itemIndex: number;
  reasonText: string;
  reason: string;
  answers?: { faultCause?: [string, string]; manufacturerPreauth?: [string, string] };
  facts: Partial<Record<BooleanConditionField, boolean>>;
  remedy?: string;
}

const scenarios: Scenario[] = [
  {
    name: 'uk headphones, changed mind, unopened',
    locale: 'en-GB',
    opening: "Hi, I'd like to return something",
    openingReason: null,
    orderNumber: 'UK-100234',
    verify: 'sam@example.com',
    customer: { email: 'sam@example.com', postcode: 'LS1 4AP' },
    items: ukItems,
    item: 'Studio headphones',
    itemIndex: 0,
    reasonText: "I changed my mind, I don't need them any more",
    reason: 'change-of-mind',
    facts: { packagingOpened: false, sealBroken: false, used: false, allAccessories: true, originalPackaging: true, softwareClaimed: false, activationStripDamaged: false, serialLabelIntact: true },
  },
  {
    name: 'uk headphones, hygiene seal broken',
    locale: 'en-GB',
    opening: 'hello',
    openingReason: null,
    orderNumber: 'UK-100234',
    verify: 'sam@example.com',
    customer: { email: 'sam@example.com', postcode: 'LS1 4AP' },
    items: ukItems,
    item: 'Studio headphones',
    itemIndex: 0,
    reasonText: "I just don't like them",
    reason: 'change-of-mind',
    facts: { packagingOpened: true, sealBroken: true, used: true, allAccessories: true, originalPackaging: true, serialLabelIntact: true },
  },
  {
    name: 'uk notebook faulty',
    locale: 'en-GB',
    opening: 'My new laptop is broken',
    openingReason: 'faulty',
    orderNumber: 'UK-100234',
    verify: 'LS1 4AP',
    customer: { email: 'sam@example.com', postcode: 'LS1 4AP' },
    items: ukItems,
    item: 'Aero 15 notebook',
    itemIndex: 1,
    reasonText: "it won't turn on",
    reason: 'faulty',
    answers: { faultCause: ["it just stopped working, I didn't drop it", 'defect'] },
    facts: { tampered: false, serialLabelIntact: true, allAccessories: true },
    remedy: 'refund',
  },
  {
    name: 'impress monitor, unopened',
    locale: 'en-US',
    opening: 'I want to send back a monitor',
    openingReason: null,
    orderNumber: 'IMP-500017',
    verify: 'lee@example.com',
    customer: { email: 'lee@example.com', postcode: '10001' },
    items: usItems,
    item: 'UltraView 27 monitor',
    itemIndex: 0,
    reasonText: 'I ordered it by mistake and never opened it',
    reason: 'change-of-mind',
    facts: { packagingOpened: false, originalPackaging: true, allAccessories: true, serialLabelIntact: true, upcPresent: true, physicalDamage: false, tampered: false, rebateClaimed: false },
  },
  {
    name: 'impress notebook faulty, no manufacturer pre-authorisation',
    locale: 'en-US',
    opening: 'hi',
    openingReason: null,
    orderNumber: 'IMP-500017',
    verify: 'lee@example.com',
    customer: { email: 'lee@example.com', postcode: '10001' },
    items: usItems,
    item: 'ProBook 14',
    itemIndex: 1,
    reasonText: 'the screen flickers and then it dies',
    reason: 'faulty',
    answers: { faultCause: ["it's a defect, it happened on its own", 'defect'], manufacturerPreauth: ["no, I don't have one", 'none'] },
    facts: { originalPackaging: true, allAccessories: true, serialLabelIntact: true, upcPresent: true, physicalDamage: false, tampered: false, rebateClaimed: false, originalOsIntact: true },
  },
];

describe('shared scenarios, answer by answer', () => {
  for (const s of scenarios) {
    describe(s.name, () => {
      const lang = languageOf(s.locale);
      const ctx = { today: '2026-12-30', order: 'DMY' as const, items: s.items };
      const every = [s.opening, s.orderNumber, s.verify, s.item, s.reasonText, 'yes', 'no', "I don't know", ...Object.values(s.answers ?? {}).map(([t]) => t)];
      it('no answer is read as a command or a correction', () => {
        for (const t of every) {
          expect(detectCommand(t, lang), t).to.equal(null);
          expect(detectCorrection(t, lang, ctx), t).to.equal(null);
        }
      });
      it(`opening → reason ${s.openingReason}`, () => {
        expect(classifyReason(s.opening, lang)?.reason ?? null).to.equal(s.openingReason);
      });
      it(`order number ${s.orderNumber}`, () => expect(extractOrderNumber(s.orderNumber)).to.equal(s.orderNumber));
      it(`verify with ${s.verify}`, () => expect(matchesCustomer(s.verify, s.customer)).to.equal(true));
      it(`item "${s.item}" → ${s.itemIndex}`, () => expect(matchItem(s.item, s.items, lang)).to.equal(s.itemIndex));
      it(`reason "${s.reasonText}" → ${s.reason}`, () => expect(classifyReason(s.reasonText, lang)?.reason).to.equal(s.reason));
      for (const [field, value] of Object.entries(s.facts) as [BooleanConditionField, boolean][]) {
        it(`${field}: "${value ? 'yes' : 'no'}" → ${value}`, () => {
          expect(parseConditionAnswer(field, value ? 'yes' : 'no', lang)).to.equal(value);
        });
        it(`${field}: "I don't know" → null and a don't-know`, () => {
          expect(parseConditionAnswer(field, "I don't know", lang)).to.equal(null);
          expect(isDontKnow("I don't know", lang)).to.equal(true);
        });
      }
      if (s.answers?.faultCause) {
        const [text, cause] = s.answers.faultCause;
        it(`faultCause "${text}" → ${cause}`, () => expect(parseFaultCause(text, lang)).to.equal(cause));
      }
      if (s.answers?.manufacturerPreauth) {
        const [text, value] = s.answers.manufacturerPreauth;
        it(`manufacturerPreauth "${text}" → ${value}`, () => expect(parsePreauth(text, lang)).to.equal(value));
      }
      if (s.remedy) {
        const remedy = s.remedy;
        it(`remedy "${remedy}"`, () => expect(matchRemedy(remedy, ['refund', 'repair', 'replacement'], lang)).to.equal(remedy));
      }
      it('confirm "yes"', () => expect(parseYesNo('yes', lang)).to.equal(true));
    });
  }
});
