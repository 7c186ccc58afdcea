/**
 * The conversations the HTTP benchmark drives: whole return conversations for the scenario orders of
 * test/support/server.ts (today = 2026-12-30), mixed over both packs, every reason and all three
 * locales, each ending with an RMA, a decision or a hand-over. They are a subset of the transcript
 * tests (test/dialogs/transcripts.test.ts), with the outcome each must reach: a conversation that
 * ends otherwise counts as an error in the benchmark.
 *
 * `answerFor` (from test/support/converse.ts) answers a question by its `channelData.returns.step`.
 */
import type { Scenario } from '../test/support/converse.js';

export { answerFor } from '../test/support/converse.js';

export interface BenchScenario extends Scenario {
  /** The outcome the conversation must reach, and whether it ends with an RMA or a hand-over. */
  expect: { outcome: string; rma: boolean; handoff?: boolean };
}

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
const es = { yes: 'sí', no: 'no' };

export const SCENARIOS: readonly BenchScenario[] = [
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
    expect: { outcome: 'approved', rma: true },
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
    expect: { outcome: 'rejected', rma: false },
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
    expect: { outcome: 'approved', rma: true },
  },
  {
    name: 'uk notebook damaged in transit',
    locale: 'en-GB',
    opening: 'my parcel arrived damaged',
    orderNumber: 'UK-100234',
    verify: 'sam@example.com',
    item: 'notebook',
    reasonText: 'the box was crushed and the screen is cracked',
    facts: ukGood,
    remedy: 'replacement',
    expect: { outcome: 'approved', rma: true },
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
    expect: { outcome: 'approved', rma: true },
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
    expect: { outcome: 'approved', rma: true },
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
    expect: { outcome: 'rejected', rma: false },
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
    expect: { outcome: 'approved', rma: true },
  },
  {
    name: 'impress monitor damaged in shipping, hand-over',
    locale: 'en-US',
    opening: 'hello',
    orderNumber: 'IMP-500017',
    verify: 'lee@example.com',
    item: 'monitor',
    reasonText: 'it arrived damaged, the box was crushed',
    facts: usGood,
    expect: { outcome: 'referred', rma: false, handoff: true },
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
    ...es,
    expect: { outcome: 'approved', rma: true },
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
    ...es,
    remedy: 'reemplazo',
    expect: { outcome: 'approved', rma: true },
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
    ...es,
    remedy: 'reembolso',
    expect: { outcome: 'approved', rma: true },
  },
];

/** The reply fields the driver reads. */
export interface ReplyLike {
  type?: string;
  text?: string;
  inputHint?: string;
  suggestedActions?: { actions?: { value?: string }[] };
  channelData?: { returns?: { step?: string; outcome?: string; rma?: string; handoff?: string } };
}

/**
 * Copies of the scenario orders under other numbers, so that every benchmark conversation returns
 * an item nobody returned before and issues its own RMA (with only the three scenario orders, every
 * RMA after the first per order line and reason is a lookup). Same length as the original number.
 */
const CLONE_PREFIX: Record<string, string> = { 'UK-100234': 'UK-2', 'UK-300001': 'UK-4', 'IMP-500017': 'IMP-6' };
export const MAX_ORDER_CLONES = 100_000;

export function cloneOrderNumber(base: string, i: number): string {
  const prefix = CLONE_PREFIX[base];
  if (!prefix) throw new Error(`no clone numbers for order ${base}`);
  if (!Number.isInteger(i) || i < 0 || i >= MAX_ORDER_CLONES) throw new RangeError(`clone index out of range: ${i}`);
  return `${prefix}${String(i).padStart(5, '0')}`;
}
