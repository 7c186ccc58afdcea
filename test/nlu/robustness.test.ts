/**
 * Robustness: odd input never throws, and a very long message is read at all (a catastrophic
 * backtracking would hang until mocha's timeout). Speed is measured in bench/ (`npm run bench -- nlu`),
 * never asserted here.
 */
import { expect } from 'chai';
import {
  classifyReason,
  detectCommand,
  detectCorrection,
  extractOrderNumber,
  isDontKnow,
  matchItem,
  matchRemedy,
  matchesCustomer,
  normalizePostcode,
  parseConditionAnswer,
  parseDate,
  parseFaultCause,
  parsePreauth,
  parseYesNo,
  understand,
  type ItemRef,
} from '../../src/nlu/index.js';

const items: ItemRef[] = [
  { name: 'Studio headphones', category: 'headphones', sku: 'HP-200' },
  { name: 'Aero 15 notebook', category: 'notebook', sku: 'NB-AERO15' },
];

const readers: [string, (t: string) => unknown][] = [
  ['detectCommand', (t) => detectCommand(t, 'en')],
  ['parseYesNo', (t) => parseYesNo(t, 'es')],
  ['isDontKnow', (t) => isDontKnow(t, 'en')],
  ['parseConditionAnswer', (t) => parseConditionAnswer('packagingOpened', t, 'en')],
  ['parseFaultCause', (t) => parseFaultCause(t, 'en')],
  ['classifyReason', (t) => classifyReason(t, 'es')],
  ['matchItem', (t) => matchItem(t, items, 'en')],
  ['matchRemedy', (t) => matchRemedy(t, ['refund', 'replacement'], 'en')],
  ['parsePreauth', (t) => parsePreauth(t, 'en')],
  ['extractOrderNumber', (t) => extractOrderNumber(t)],
  ['normalizePostcode', (t) => normalizePostcode(t)],
  ['matchesCustomer', (t) => matchesCustomer(t, { email: 'a@b.co', postcode: 'LS1 4AP' })],
  ['parseDate', (t) => parseDate(t, 'en', '2026-12-30', 'DMY')],
  ['detectCorrection', (t) => detectCorrection(t, 'en', { today: '2026-12-30', order: 'DMY', items })],
  ['understand', (t) => understand(t, { locale: 'en-GB', step: 'reason', today: '2026-12-30', dateOrder: 'DMY', items, remedies: ['refund'], filled: [] })],
  ['understand (es, at verify)', (t) => understand(t, { locale: 'es-US', step: 'verify', today: '2026-12-30', dateOrder: 'MDY', items: [], remedies: [], filled: [] })],
];

const odd = ['', ' ', '\n\t', '!!!', '???', '🙂🙂🙂', '\u0000', "'''", '(((', '|', '*', '~', '$^', 'a'.repeat(300), 'ñ'.repeat(50), '12345678901234567890'];

describe('nlu robustness', () => {
  for (const [name, read] of readers) {
    it(`${name} accepts odd input without throwing`, () => {
      for (const t of odd) expect(() => read(t), JSON.stringify(t)).to.not.throw();
    });
    it(`${name} reads a 6,000-character message`, () => {
      const long = "it just stopped working, I didn't drop it, no no no yes maybe ".repeat(100);
      expect(() => read(long)).to.not.throw();
    });
  }
});
