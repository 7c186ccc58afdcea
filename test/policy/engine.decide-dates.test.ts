/**
 * Decisions where a date decides, through the real packs (uk-online, impress-us).
 *
 * Expected values come from CONTRACT.md §2–§5 (which prevails) and the worked scenarios S1–S24 of
 * docs/law-and-dates.md §5 and its tables in §4. Each row names its source.
 */
import { expect } from 'chai';
import { localDateIn } from '../../src/policy/calendar.js';
import { caseSchema, type Case, type CaseInput } from '../../src/policy/case.js';
import type { Decision } from '../../src/policy/decision.js';
import { decide } from '../../src/policy/engine.js';
import { loadPack } from '../../src/policy/packs.js';
import { GOOD_CONDITION } from '../support/cases.js';

const UK_NOTE = 'uk-consumer-rights-beyond-guarantee';

/** Every condition fact at its "good" value, so that only the dates can decide. */
const UK_GOOD = GOOD_CONDITION;

const US_GOOD = GOOD_CONDITION;

type CaseParts = Omit<CaseInput, 'policy' | 'product'> & { product?: CaseInput['product'] };

function ukCase(c: CaseParts): Case {
  return caseSchema.parse({ policy: 'uk-online', product: { category: 'notebook', price: 500 }, condition: UK_GOOD, ...c });
}
function usCase(c: CaseParts): Case {
  return caseSchema.parse({ policy: 'impress-us', product: { category: 'peripheral', price: 300 }, condition: US_GOOD, ...c });
}
const uk = (c: CaseParts): Decision => decide(ukCase(c), loadPack('uk-online'));
const us = (c: CaseParts): Decision => decide(usCase(c), loadPack('impress-us'));

describe('uk-online change of mind: notifyBy = deliveredOn + 14, returnBy = today + 14 (CONTRACT §5)', () => {
  // S1 / S2 / §4.2: delivered Tue 2026-12-22, last day Tue 2027-01-05.
  const inTime: [string, string, string][] = [
    ['2026-12-22', 'day 0, the day of delivery', '2027-01-05'],
    ['2026-12-30', 'day 8 (CONTRACT §4 example)', '2027-01-13'],
    ['2027-01-04', 'day 13', '2027-01-18'],
    ['2027-01-05', 'day 14, the last day (S1)', '2027-01-19'],
  ];
  for (const [today, label, returnBy] of inTime) {
    it(`delivered 2026-12-22, told us ${today} (${label}): approved, refund, returnBy ${returnBy}`, () => {
      const d = uk({ reason: 'change-of-mind', deliveredOn: '2026-12-22', today });
      expect(d.outcome).to.equal('approved');
      expect(d.remedies).to.deep.equal(['refund']);
      expect(d.remedyChosenBy).to.equal('customer');
      expect(d.deadlines).to.deep.equal({ notifyBy: '2027-01-05', returnBy, reportBy: null, refundWithinDays: 14 });
      expect(d.rmaRequired).to.equal(true);
      expect(d.statutoryNote).to.equal(null);
      expect(d.clauses).to.include('uk-online/change-of-mind/window');
      expect(d.needs).to.deep.equal([]);
    });
  }

  it('S1: next-day delivery £9.99 when the cheapest was £4.99 adds the delivery-upgrade deduction (will)', () => {
    const d = uk({ reason: 'change-of-mind', deliveredOn: '2026-12-22', today: '2027-01-05', delivery: { charge: 9.99, cheapestCharge: 4.99 } });
    expect(d.outcome).to.equal('approved');
    expect(d.deductions).to.deep.include({ kind: 'delivery-upgrade', certainty: 'will' });
  });

  const late: [string, string][] = [
    ['2027-01-06', 'day 15 (S2: the "from the day after" wording trap)'],
    ['2027-01-07', 'day 16'],
    ['2027-06-01', 'months later'],
  ];
  for (const [today, label] of late) {
    it(`delivered 2026-12-22, told us ${today} (${label}): rejected, notifyBy still 2027-01-05`, () => {
      const d = uk({ reason: 'change-of-mind', deliveredOn: '2026-12-22', today });
      expect(d.outcome).to.equal('rejected');
      expect(d.remedies).to.deep.equal([]);
      expect(d.remedyChosenBy).to.equal(null);
      expect(d.rmaRequired).to.equal(false);
      expect(d.deadlines.notifyBy).to.equal('2027-01-05');
      expect(d.clauses).to.include('uk-online/change-of-mind/window');
    });
  }

  it('S2: day 15 is rejected on the date alone, even when no condition fact is known (no needless questions)', () => {
    const d = uk({ reason: 'change-of-mind', deliveredOn: '2026-12-22', today: '2027-01-06', condition: {} });
    expect(d.outcome).to.equal('rejected');
    expect(d.needs).to.deep.equal([]);
  });

  it('S2: the fault route is still open after a late change of mind (day 15 as a fault claim is approved)', () => {
    const d = uk({ reason: 'faulty', deliveredOn: '2026-12-22', today: '2027-01-06' });
    expect(d.outcome).to.equal('approved');
  });

  // S3: the customer writes at an instant; the date that counts is the Europe/London date (CONTRACT §2).
  const bst: [string, string][] = [
    ['2026-07-15T22:59:59Z', 'approved'], // 23:59:59 BST on 15 July = day 14
    ['2026-07-15T23:30:00Z', 'rejected'], // 00:30 BST on 16 July = day 15
  ];
  for (const [instant, outcome] of bst) {
    it(`S3: delivered 2026-07-01, message at ${instant} → ${outcome} (London date, not UTC)`, () => {
      const pack = loadPack('uk-online');
      const today = localDateIn(pack.pack.timeZone, new Date(instant));
      const d = decide(ukCase({ reason: 'change-of-mind', deliveredOn: '2026-07-01', today }), pack);
      expect(d.outcome).to.equal(outcome);
      expect(d.deadlines.notifyBy).to.equal('2026-07-15');
    });
  }

  const goodFriday: [string, string, string][] = [
    ['2027-03-26', 'approved', 'day 14 is Good Friday and still counts'],
    ['2027-03-29', 'rejected', 'Easter Monday, day 17: no roll-forward over bank holidays (S4, R6)'],
    ['2027-03-30', 'rejected', 'Tuesday after Easter, day 18: no roll-forward'],
  ];
  for (const [today, outcome, why] of goodFriday) {
    it(`S4: delivered 2027-03-12, told us ${today} → ${outcome} (${why})`, () => {
      const d = uk({ reason: 'change-of-mind', deliveredOn: '2027-03-12', today });
      expect(d.outcome).to.equal(outcome);
      expect(d.deadlines.notifyBy).to.equal('2027-03-26');
    });
  }

  it('S5: split delivery counts from the last item (deliveredOn 2026-05-06): 2026-05-19 is in time, last day 2026-05-20', () => {
    const d = uk({ reason: 'change-of-mind', deliveredOn: '2026-05-06', today: '2026-05-19' });
    expect(d.outcome).to.equal('approved');
    expect(d.deadlines.notifyBy).to.equal('2026-05-20');
  });
});

describe('uk-online faulty: 30 days, then the guarantee, then referral with a statutory note (CONTRACT §5, S11–S16)', () => {
  const FULL = ['refund', 'repair', 'replacement'];
  const LIMITED = ['repair', 'replacement'];
  // [delivered, today, label, expected]
  const rows: [string, string, string, 'customer' | 'retailer' | 'referred'][] = [
    ['2026-03-02', '2026-03-02', 'day 0', 'customer'],
    ['2026-03-02', '2026-03-31', 'S11: day 29', 'customer'],
    ['2026-03-02', '2026-04-01', 'S11: day 30, still within', 'customer'],
    ['2026-03-02', '2026-04-02', 'S12: day 31', 'retailer'],
    ['2026-03-01', '2027-02-28', 'S13: day 364', 'retailer'],
    ['2026-03-01', '2027-03-01', 'last day of the 12-month guarantee (2027-03-01)', 'retailer'],
    ['2026-03-01', '2027-03-02', 'S14: day 366, outside the guarantee', 'referred'],
    ['2026-03-01', '2029-03-01', 'three years later', 'referred'],
    ['2027-03-01', '2028-03-01', 'S15: day 366, but 12 months end 2028-03-01 (leap year)', 'retailer'],
    ['2027-03-01', '2028-03-02', 'S15: the day after', 'referred'],
    ['2028-02-29', '2029-02-28', 'S15 companion: guarantee ends 2029-02-28 (clamped)', 'retailer'],
    ['2028-02-29', '2029-03-01', 'S15 companion: 2029-03-01 is outside', 'referred'],
    ['2026-12-22', '2027-01-21', '§4.2: STRR last day 2027-01-21', 'customer'],
    ['2026-12-22', '2027-01-22', '§4.2: day 31', 'retailer'],
    ['2026-12-22', '2027-12-22', '§4.2: seed 12-month guarantee ends 2027-12-22', 'retailer'],
    ['2026-12-22', '2027-12-23', '§4.2: the day after the guarantee', 'referred'],
  ];
  for (const [deliveredOn, today, label, expected] of rows) {
    const what =
      expected === 'customer'
        ? 'approved, refund/repair/replacement chosen by the customer'
        : expected === 'retailer'
          ? 'approved, repair/replacement chosen by the retailer'
          : `referred with statutoryNote "${UK_NOTE}", never rejected`;
    it(`delivered ${deliveredOn}, reported ${today} (${label}): ${what}`, () => {
      const d = uk({ reason: 'faulty', deliveredOn, today });
      if (expected === 'referred') {
        expect(d.outcome).to.equal('referred');
        expect(d.statutoryNote).to.equal(UK_NOTE);
        expect(d.remedies).to.deep.equal([]);
        expect(d.rmaRequired).to.equal(false);
        expect(d.clauses).to.include('uk-online/faulty/guarantee');
      } else {
        expect(d.outcome).to.equal('approved');
        expect(d.remedies).to.have.members(expected === 'customer' ? FULL : LIMITED);
        expect(d.remedies).to.have.length(expected === 'customer' ? 3 : 2);
        expect(d.remedyChosenBy).to.equal(expected);
        expect(d.statutoryNote).to.equal(null);
        expect(d.rmaRequired).to.equal(true);
        expect(d.clauses).to.include(expected === 'customer' ? 'uk-online/faulty/within-30-days' : 'uk-online/faulty/after-30-days');
      }
    });
  }

  it('approved faults carry the conditions: back up data, inspection, return at the customer’s cost if not faulty', () => {
    const d = uk({ reason: 'faulty', deliveredOn: '2026-03-02', today: '2026-03-31' });
    expect(d.conditions).to.include.members(['back-up-data', 'inspection', 'return-at-customer-cost-if-not-faulty']);
  });

  it('desktop-pc (pack guarantee 12 months by category) behaves the same at 2027-03-01 / 2027-03-02', () => {
    const product = { category: 'desktop-pc' as const };
    expect(uk({ reason: 'faulty', deliveredOn: '2026-03-01', today: '2027-03-01', product }).outcome).to.equal('approved');
    const after = uk({ reason: 'faulty', deliveredOn: '2026-03-01', today: '2027-03-02', product });
    expect(after.outcome).to.equal('referred');
    expect(after.statutoryNote).to.equal(UK_NOTE);
  });

  // guaranteeMonths from the invoice overrides the pack default (CONTRACT §3 / §5).
  const invoice: [number | null, string, string, 'approved' | 'referred'][] = [
    [24, '2027-03-02', 'day 366 is inside a 24-month guarantee', 'approved'],
    [24, '2028-03-01', 'last day of 24 months from 2026-03-01', 'approved'],
    [24, '2028-03-02', 'the day after 24 months', 'referred'],
    [36, '2029-03-01', 'last day of 36 months', 'approved'],
    [6, '2026-09-01', 'last day of a 6-month invoice guarantee', 'approved'],
    [6, '2026-09-02', 'the day after a 6-month invoice guarantee', 'referred'],
    [null, '2027-03-01', 'null means the pack default (12 months): last day', 'approved'],
    [null, '2027-03-02', 'null means the pack default (12 months): the day after', 'referred'],
  ];
  for (const [months, today, label, outcome] of invoice) {
    it(`guaranteeMonths ${String(months)} on the invoice, delivered 2026-03-01, reported ${today}: ${outcome} (${label})`, () => {
      const d = uk({ reason: 'faulty', deliveredOn: '2026-03-01', today, product: { category: 'notebook', guaranteeMonths: months } });
      expect(d.outcome).to.equal(outcome);
      if (outcome === 'approved') {
        expect(d.remedies).to.have.members(['repair', 'replacement']);
        expect(d.remedyChosenBy).to.equal('retailer');
      } else {
        expect(d.statutoryNote).to.equal(UK_NOTE);
      }
    });
  }

  it('a fault excluded by its cause is rejected inside the guarantee (faultCause accident, day 29)', () => {
    const d = uk({ reason: 'faulty', deliveredOn: '2026-03-02', today: '2026-03-31', condition: { ...UK_GOOD, faultCause: 'accident' } });
    expect(d.outcome).to.equal('rejected');
  });
});

describe('uk-online misdescribed: 30 days (CONTRACT §5, S17/S18)', () => {
  it('S17: delivered 2026-06-01, reported 2026-07-01 (day 30): approved, refund or replacement, customer’s choice', () => {
    const d = uk({ reason: 'misdescribed', deliveredOn: '2026-06-01', today: '2026-07-01' });
    expect(d.outcome).to.equal('approved');
    expect(d.remedies).to.have.members(['refund', 'replacement']);
    expect(d.remedies).to.have.length(2);
    expect(d.remedyChosenBy).to.equal('customer');
  });
  it('S18: reported 2026-07-02 (day 31): approved, replacement', () => {
    const d = uk({ reason: 'misdescribed', deliveredOn: '2026-06-01', today: '2026-07-02' });
    expect(d.outcome).to.equal('approved');
    expect(d.remedies).to.deep.equal(['replacement']);
  });
  it('misdescribed two years later: still approved for replacement, never rejected on time', () => {
    const d = uk({ reason: 'misdescribed', deliveredOn: '2026-06-01', today: '2028-06-01' });
    expect(d.outcome).to.equal('approved');
    expect(d.remedies).to.deep.equal(['replacement']);
  });
});

describe('uk-online transit damage: reportBy = 5th working day after delivery, E&W plus the customer nation (CONTRACT §5, S19–S21)', () => {
  // [delivered, region, today, reportBy, outcome, source]
  const rows: [string, string | null, string, string, 'approved' | 'referred', string][] = [
    ['2026-12-22', 'GB-ENG', '2026-12-31', '2026-12-31', 'approved', 'S19: 5th working day, over Christmas'],
    ['2026-12-22', 'GB-ENG', '2027-01-04', '2026-12-31', 'referred', 'S20: 6th working day is referred, not rejected'],
    ['2026-12-22', 'GB-SCT', '2026-12-31', '2026-12-31', 'approved', '§4.2: same in Scotland'],
    ['2026-12-22', 'GB-NIR', '2026-12-31', '2026-12-31', 'approved', '§4.2: same in NI'],
    ['2026-12-22', null, '2026-12-31', '2026-12-31', 'approved', 'no region: England & Wales holidays'],
    ['2026-12-29', 'GB-SCT', '2027-01-07', '2027-01-07', 'approved', 'S21: Glasgow, 4 Jan is a Scottish holiday'],
    ['2026-12-29', 'GB-ENG', '2027-01-07', '2027-01-06', 'referred', 'S21: the same date in England is late'],
    ['2026-12-29', 'GB-WLS', '2027-01-07', '2027-01-06', 'referred', 'S21: Wales as England'],
    ['2026-12-29', 'GB-NIR', '2027-01-07', '2027-01-06', 'referred', 'S21: NI 5th working day is 2027-01-06'],
    ['2026-12-29', null, '2027-01-07', '2027-01-06', 'referred', 'no region: E&W only'],
    ['2026-12-29', 'GB-ENG', '2027-01-06', '2027-01-06', 'approved', 'England on its 5th working day'],
    ['2027-12-23', 'GB-ENG', '2028-01-04', '2028-01-04', 'approved', '§4.2 table: 27, 28 Dec and 3 Jan are holidays'],
    ['2027-12-23', 'GB-ENG', '2028-01-05', '2028-01-04', 'referred', '§4.2 table: the day after in England'],
    ['2027-12-23', 'GB-SCT', '2028-01-05', '2028-01-05', 'approved', '§4.2 table: Scotland, 3 and 4 Jan are holidays'],
    ['2027-12-23', 'GB-NIR', '2028-01-05', '2028-01-04', 'referred', '§4.2 table: NI as England'],
  ];
  for (const [deliveredOn, region, today, reportBy, outcome, source] of rows) {
    it(`delivered ${deliveredOn}, ${region ?? 'no region'}, reported ${today}: reportBy ${reportBy}, ${outcome} (${source})`, () => {
      const d = uk({ reason: 'transit-damage', deliveredOn, today, customerRegion: region });
      expect(d.deadlines.reportBy).to.equal(reportBy);
      expect(d.outcome).to.equal(outcome);
      if (outcome === 'approved') {
        expect(d.remedies).to.have.members(['refund', 'replacement']);
        expect(d.remedies).to.have.length(2);
        expect(d.remedyChosenBy).to.equal('customer');
      } else {
        expect(d.remedies).to.deep.equal([]);
      }
      expect(d.clauses).to.include('uk-online/transit-damage/report');
    });
  }

  it('a US customerRegion does not add holidays to a GB pack (reportBy as E&W)', () => {
    const d = uk({ reason: 'transit-damage', deliveredOn: '2026-12-29', today: '2027-01-06', customerRegion: 'US-NY' });
    expect(d.deadlines.reportBy).to.equal('2027-01-06');
  });
});

describe('impress-us: 30 days from delivery for every reason (CONTRACT §5, S23/S24)', () => {
  // S23/S24: delivered Mon 2026-11-02; day 30 = 2026-12-02, day 31 = 2026-12-03.
  const D = '2026-11-02';
  const DAY30 = '2026-12-02';
  const DAY31 = '2026-12-03';

  it('change of mind, day 30: approved, refund, restocking fee may apply, RMA required', () => {
    const d = us({ reason: 'change-of-mind', deliveredOn: D, today: DAY30 });
    expect(d.outcome).to.equal('approved');
    expect(d.remedies).to.deep.equal(['refund']);
    expect(d.deductions).to.deep.include({ kind: 'restocking-fee', certainty: 'may' });
    expect(d.rmaRequired).to.equal(true);
    expect(d.deadlines.notifyBy).to.equal(DAY30);
    expect(d.conditions).not.to.include('inspection');
  });
  it('change of mind, day 30, packaging opened: approved with the condition "inspection"', () => {
    const d = us({ reason: 'change-of-mind', deliveredOn: D, today: DAY30, condition: { ...US_GOOD, packagingOpened: true } });
    expect(d.outcome).to.equal('approved');
    expect(d.conditions).to.include('inspection');
  });

  const approvedDay30: [string, string, string[], 'customer' | 'retailer'][] = [
    ['faulty', 'peripheral', ['refund', 'replacement'], 'customer'],
    ['misdescribed', 'peripheral', ['refund', 'replacement'], 'customer'],
    ['faulty', 'notebook', ['refund', 'repair', 'replacement'], 'retailer'],
    ['misdescribed', 'desktop-pc', ['refund', 'repair', 'replacement'], 'retailer'],
    ['faulty', 'tablet', ['refund', 'repair', 'replacement'], 'retailer'],
  ];
  for (const [reason, category, remedies, by] of approvedDay30) {
    it(`${reason} ${category}, day 30: approved, ${remedies.join('/')} chosen by the ${by}, condition inspection`, () => {
      const d = us({ reason: reason as 'faulty', deliveredOn: D, today: DAY30, product: { category: category as 'notebook' } });
      expect(d.outcome).to.equal('approved');
      expect(d.remedies).to.have.members(remedies);
      expect(d.remedies).to.have.length(remedies.length);
      expect(d.remedyChosenBy).to.equal(by);
      expect(d.conditions).to.include('inspection');
      expect(d.deadlines.notifyBy).to.equal(DAY30);
      expect(d.rmaRequired).to.equal(true);
    });
  }

  it('transit damage, day 30: referred (carrier claim)', () => {
    const d = us({ reason: 'transit-damage', deliveredOn: D, today: DAY30 });
    expect(d.outcome).to.equal('referred');
    expect(d.deadlines.notifyBy).to.equal(DAY30);
  });

  for (const reason of ['change-of-mind', 'faulty', 'misdescribed', 'transit-damage'] as const) {
    it(`${reason}, day 31 (S24): rejected, notifyBy ${DAY30}`, () => {
      const d = us({ reason, deliveredOn: D, today: DAY31 });
      expect(d.outcome).to.equal('rejected');
      expect(d.deadlines.notifyBy).to.equal(DAY30);
      expect(d.remedies).to.deep.equal([]);
      expect(d.rmaRequired).to.equal(false);
    });
    it(`${reason}, day 31 with no condition fact known: rejected on the date alone, nothing asked`, () => {
      const d = us({ reason, deliveredOn: D, today: DAY31, condition: {} });
      expect(d.outcome).to.equal('rejected');
      expect(d.needs).to.deep.equal([]);
    });
  }

  it('faulty notebook, day 31: rejected (no GB statutory referral for a US pack)', () => {
    const d = us({ reason: 'faulty', deliveredOn: D, today: DAY31, product: { category: 'notebook' } });
    expect(d.outcome).to.equal('rejected');
    expect(d.statutoryNote).to.equal(null);
  });

  const nyInstants: [string, string][] = [
    ['2026-12-03T04:30:00Z', 'approved'], // 23:30 EST on 2 December, day 30
    ['2026-12-03T05:30:00Z', 'rejected'], // 00:30 EST on 3 December, day 31
  ];
  for (const [instant, outcome] of nyInstants) {
    it(`S23: change of mind at ${instant} is ${outcome} (America/New_York date, not UTC)`, () => {
      const pack = loadPack('impress-us');
      const today = localDateIn(pack.pack.timeZone, new Date(instant));
      expect(decide(usCase({ reason: 'change-of-mind', deliveredOn: D, today }), pack).outcome).to.equal(outcome);
    });
  }
});
