/**
 * Every rule of CONTRACT.md section 5, for both shipped packs, through `decide()`.
 *
 * Expected values come from the contract (quoted next to each table), never from the engine's own
 * output: dates are computed by the independent helpers in test/support/cases.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { PACKS_DIR } from '../../src/paths.js';
import { caseSchema, CONDITION_FIELDS, type CaseInput, type ConditionField } from '../../src/policy/case.js';
import type { Decision } from '../../src/policy/decision.js';
import { decide, openAlternatives, type DecideOptions } from '../../src/policy/engine.js';
import { loadPack } from '../../src/policy/packs.js';
import {
  DELIVERED,
  GOOD_CONDITION,
  PACK_IDS,
  REASON_LIST,
  goodCase,
  goodValue,
  plusDays,
  plusMonths,
  withFacts,
  withUnknown,
  type CasePatch,
  type Category,
  type ConditionInput,
  type PackId,
  type Reason,
} from '../support/cases.js';
import { shownClauseIds } from '../support/cli.js';

type Outcome = Decision['outcome'];

function decideInput(input: CaseInput, options?: DecideOptions): Decision {
  const c = caseSchema.parse(input);
  return decide(c, loadPack(c.policy), options);
}

function run(pack: PackId, patch: CasePatch = {}, unknown: readonly ConditionField[] | 'all' = [], options?: DecideOptions): Decision {
  return decideInput(goodCase(pack, patch, unknown), options);
}

function clauseTexts(pack: PackId, d: Decision): string[] {
  const clauses = loadPack(pack).pack.clauses;
  return d.clauses.map((id) => clauses.find((c) => c.id === id)?.text ?? `(no clause ${id})`);
}

/** At least one clause the decision cites says what `pattern` matches. */
function expectCites(pack: PackId, d: Decision, pattern: RegExp): void {
  const texts = clauseTexts(pack, d);
  expect(
    texts.some((t) => pattern.test(t)),
    `a cited clause should match ${String(pattern)}; cited: ${JSON.stringify(d.clauses)}`,
  ).to.equal(true);
}

function describeCase(patch: CasePatch): string {
  const parts: string[] = [];
  if (patch.product?.category) parts.push(patch.product.category);
  if (patch.product?.specialOrder) parts.push('special order');
  if (patch.product?.requiresManufacturerPreauth) parts.push('needs manufacturer pre-authorisation');
  if (patch.product?.guaranteeMonths != null) parts.push(`${patch.product.guaranteeMonths}-month guarantee on the invoice`);
  if (patch.purchasedFromUs === false) parts.push('not purchased from us');
  for (const [k, v] of Object.entries(patch.condition ?? {})) parts.push(`${k}=${JSON.stringify(v)}`);
  if (patch.today) parts.push(`told on ${patch.today}`);
  else if (patch.day !== undefined) parts.push(`day ${patch.day}`);
  return parts.join(', ') || 'good case';
}

const D = DELIVERED; // Monday 2026-03-02

// ================================================================================================
// uk-online
// ================================================================================================

describe('engine rules: uk-online', () => {
  const pack: PackId = 'uk-online';

  describe('change of mind', () => {
    const reason: Reason = 'change-of-mind';

    // "rejected: software, media or memory-card with sealBroken; activationStripDamaged; headphones
    //  with sealBroken; specialOrder; used"  and  "notifyBy = deliveredOn + 14. Later: rejected"
    const rejections: { patch: CasePatch; cites: RegExp }[] = [
      { patch: { product: { category: 'software' }, condition: { sealBroken: true, packagingOpened: true } }, cites: /seal/i },
      { patch: { product: { category: 'media' }, condition: { sealBroken: true } }, cites: /seal/i },
      { patch: { product: { category: 'memory-card' }, condition: { sealBroken: true } }, cites: /seal/i },
      { patch: { product: { category: 'headphones' }, condition: { sealBroken: true } }, cites: /headphones|hygiene/i },
      { patch: { product: { category: 'software' }, condition: { activationStripDamaged: true } }, cites: /activation key/i },
      { patch: { product: { category: 'notebook' }, condition: { activationStripDamaged: true } }, cites: /activation key/i },
      { patch: { product: { category: 'peripheral' }, condition: { activationStripDamaged: true } }, cites: /activation key/i },
      { patch: { product: { category: 'peripheral', specialOrder: true } }, cites: /order a product for you specifically/i },
      { patch: { product: { category: 'notebook', specialOrder: true } }, cites: /order a product for you specifically/i },
      { patch: { condition: { used: true } }, cites: /must not have been used/i },
      { patch: { product: { category: 'notebook' }, condition: { used: true, packagingOpened: true } }, cites: /must not have been used/i },
      { patch: { day: 15 }, cites: /14 calendar days/i },
      { patch: { day: 40 }, cites: /14 calendar days/i },
    ];
    for (const row of rejections) {
      it(`rejects: ${describeCase(row.patch)}`, () => {
        const d = run(pack, { ...row.patch, reason });
        expect(d.outcome).to.equal('rejected');
        expect(d.needs).to.deep.equal([]);
        expect(d.remedies).to.deep.equal([]);
        expect(d.rmaRequired).to.equal(false);
        expect(d.deadlines.notifyBy).to.equal(plusDays(D, 14));
        expectCites(pack, d, row.cites);
      });
    }

    it('a late rejection names the last day in its reason params (lastDay = deliveredOn + 14)', () => {
      const d = run(pack, { reason, day: 20 });
      expect(d.outcome).to.equal('rejected');
      expect(
        d.reasons.some((r) => r.params.lastDay === plusDays(D, 14)),
        JSON.stringify(d.reasons),
      ).to.equal(true);
    });

    // sealBroken means "seal on software/media/memory card, or hygiene seal on headphones": on
    // anything else it is no rule of section 5; nor are the impress-us-only facts.
    const notRejected: CasePatch[] = [
      { product: { category: 'peripheral' }, condition: { sealBroken: true } },
      { product: { category: 'notebook' }, condition: { sealBroken: true } },
      { product: { category: 'component' }, condition: { sealBroken: true } },
      { product: { category: 'other' }, condition: { sealBroken: true } },
      { product: { category: 'software' }, condition: { packagingOpened: true, sealBroken: false } },
      { product: { category: 'headphones' }, condition: { packagingOpened: true, sealBroken: false } },
      { condition: { upcPresent: false } },
      { condition: { rebateClaimed: true } },
      { product: { category: 'notebook' }, condition: { originalOsIntact: false } },
      { condition: { faultCause: 'accident' } },
      { day: 14 },
      { day: 0 },
    ];
    for (const patch of notRejected) {
      it(`approves (no change-of-mind rule applies): ${describeCase(patch)}`, () => {
        const d = run(pack, { ...patch, reason });
        expect(d.outcome).to.equal('approved');
      });
    }

    it('approves a good case: refund chosen by the customer, RMA required, deadlines D+14 / today+14 / 14 days', () => {
      const d = run(pack, { reason, day: 2 });
      expect(d.outcome).to.equal('approved');
      expect(d.remedies).to.deep.equal(['refund']);
      expect(d.remedyChosenBy).to.equal('customer');
      expect(d.rmaRequired).to.equal(true);
      expect(d.needs).to.deep.equal([]);
      expect(d.deadlines.notifyBy).to.equal(plusDays(D, 14));
      expect(d.deadlines.returnBy).to.equal(plusDays(D, 2 + 14));
      expect(d.deadlines.refundWithinDays).to.equal(14);
      expect(d.deductions, 'nothing opened, nothing claimed, cheapest delivery').to.deep.equal([]);
    });

    for (const day of [0, 5, 13, 14]) {
      it(`returnBy is today + 14 when told on day ${day}`, () => {
        const d = run(pack, { reason, day });
        expect(d.deadlines.returnBy).to.equal(plusDays(D, day + 14));
        expect(d.deadlines.notifyBy).to.equal(plusDays(D, 14));
      });
    }

    it('the approval reason is WITHIN_CHANGE_OF_MIND_WINDOW with params.lastDay (CONTRACT section 4 example)', () => {
      const d = run(pack, { reason, day: 3 });
      const entry = d.reasons.find((r) => r.code === 'WITHIN_CHANGE_OF_MIND_WINDOW');
      expect(entry, JSON.stringify(d.reasons)).to.not.equal(undefined);
      expect(entry?.params.lastDay).to.equal(plusDays(D, 14));
    });

    // "deduction diminished-value (may) when packagingOpened; claimed-software (may) when
    //  softwareClaimed; delivery-upgrade (will) when delivery.charge > delivery.cheapestCharge"
    type DeductionRow = { name: string; patch: CasePatch; has: { kind: string; certainty: string }[]; hasNot: string[] };
    const deductions: DeductionRow[] = [
      { name: 'packaging opened → diminished-value (may)', patch: { condition: { packagingOpened: true } }, has: [{ kind: 'diminished-value', certainty: 'may' }], hasNot: [] },
      { name: 'packaging not opened → no diminished-value', patch: { condition: { packagingOpened: false } }, has: [], hasNot: ['diminished-value'] },
      {
        name: 'bundled software claimed → claimed-software (may)',
        patch: { product: { category: 'notebook' }, condition: { softwareClaimed: true } },
        has: [{ kind: 'claimed-software', certainty: 'may' }],
        hasNot: [],
      },
      { name: 'bundled software not claimed → no claimed-software', patch: { product: { category: 'notebook' }, condition: { softwareClaimed: false } }, has: [], hasNot: ['claimed-software'] },
      {
        name: 'charge 9.99 > cheapest 4.99 → delivery-upgrade (will)',
        patch: { delivery: { charge: 9.99, cheapestCharge: 4.99 } },
        has: [{ kind: 'delivery-upgrade', certainty: 'will' }],
        hasNot: [],
      },
      { name: 'charge equal to the cheapest → no delivery-upgrade', patch: { delivery: { charge: 4.99, cheapestCharge: 4.99 } }, has: [], hasNot: ['delivery-upgrade'] },
      { name: 'free delivery (0, cheapest 0) → no delivery-upgrade', patch: { delivery: { charge: 0, cheapestCharge: 0 } }, has: [], hasNot: ['delivery-upgrade'] },
      { name: 'free delivery (0, cheapest 4.99) → no delivery-upgrade', patch: { delivery: { charge: 0, cheapestCharge: 4.99 } }, has: [], hasNot: ['delivery-upgrade'] },
      { name: 'no delivery given → no delivery-upgrade', patch: { delivery: null }, has: [], hasNot: ['delivery-upgrade'] },
      {
        name: 'opened + software claimed + upgraded delivery → all three',
        patch: { product: { category: 'notebook' }, condition: { packagingOpened: true, softwareClaimed: true }, delivery: { charge: 12, cheapestCharge: 3.5 } },
        has: [
          { kind: 'diminished-value', certainty: 'may' },
          { kind: 'claimed-software', certainty: 'may' },
          { kind: 'delivery-upgrade', certainty: 'will' },
        ],
        hasNot: ['restocking-fee'],
      },
    ];
    for (const row of deductions) {
      it(`deductions: ${row.name}`, () => {
        const d = run(pack, { ...row.patch, reason });
        expect(d.outcome).to.equal('approved');
        for (const want of row.has) expect(d.deductions).to.deep.include(want);
        for (const kind of row.hasNot) expect(d.deductions.map((x) => x.kind)).to.not.include(kind);
        expect(
          d.deductions.map((x) => x.kind),
          'never restocking-fee in uk-online',
        ).to.not.include('restocking-fee');
      });
    }

    // "conditions: original packaging, all accessories and free gifts, "as new"; the customer pays return postage."
    it("conditions: original packaging, all accessories, free gifts, as new, return at the customer's cost", () => {
      const d = run(pack, { reason });
      expect(d.conditions).to.include('original-packaging');
      expect(d.conditions).to.include('all-accessories');
      expect(
        d.conditions.some((c) => /free-gift/.test(c)),
        JSON.stringify(d.conditions),
      ).to.equal(true);
      expect(
        d.conditions.some((c) => /as-new/.test(c)),
        JSON.stringify(d.conditions),
      ).to.equal(true);
      expect(
        d.conditions.some((c) => /cost|postage/.test(c)),
        JSON.stringify(d.conditions),
      ).to.equal(true);
    });

    it('rmaRequired is false while incomplete', () => {
      const d = run(pack, { reason }, ['used']);
      expect(d.outcome).to.equal('incomplete');
      expect(d.rmaRequired).to.equal(false);
    });
  });

  describe('faulty', () => {
    const reason: Reason = 'faulty';

    // "rejected when faultCause is wear-and-tear, accident, misuse or software, or tampered"
    const rejections: { patch: CasePatch; cites: RegExp }[] = [
      { patch: { condition: { faultCause: 'wear-and-tear' } }, cites: /wear and tear/i },
      { patch: { condition: { faultCause: 'accident' } }, cites: /accidental/i },
      { patch: { condition: { faultCause: 'misuse' } }, cites: /do not recommend|failure to look after/i },
      { patch: { condition: { faultCause: 'software' } }, cites: /software/i },
      { patch: { condition: { tampered: true } }, cites: /customised or altered/i },
      { patch: { day: 100, condition: { faultCause: 'accident' } }, cites: /accidental/i },
      { patch: { day: 100, condition: { tampered: true } }, cites: /customised or altered/i },
      { patch: { product: { category: 'notebook' }, condition: { faultCause: 'software' } }, cites: /software/i },
    ];
    for (const row of rejections) {
      it(`rejects: ${describeCase(row.patch)}`, () => {
        const d = run(pack, { ...row.patch, reason });
        expect(d.outcome).to.equal('rejected');
        expect(d.rmaRequired).to.equal(false);
        expect(d.remedies).to.deep.equal([]);
        expectCites(pack, d, row.cites);
      });
    }

    for (const faultCause of ['defect', 'unknown'] as const) {
      for (const day of [2, 100]) {
        it(`does not reject faultCause "${faultCause}" (day ${day})`, () => {
          const d = run(pack, { reason, day, condition: { faultCause } });
          expect(d.outcome).to.equal('approved');
        });
      }
    }

    // Facts of other reasons do not refuse a fault claim.
    const irrelevant: CasePatch[] = [
      { condition: { packagingOpened: true } },
      { condition: { used: true } },
      { product: { category: 'software' }, condition: { sealBroken: true } },
      { product: { category: 'headphones' }, condition: { sealBroken: true } },
      { product: { specialOrder: true } },
      { product: { category: 'software' }, condition: { activationStripDamaged: true } },
    ];
    for (const patch of irrelevant) {
      it(`a change-of-mind exclusion does not refuse a fault: ${describeCase(patch)}`, () => {
        expect(run(pack, { ...patch, reason }).outcome).to.equal('approved');
      });
    }

    // "today ≤ deliveredOn + 30: approved [refund, repair, replacement], chosen by the customer.
    //  later, within the guarantee: approved [repair, replacement], chosen by the retailer.
    //  after the guarantee: referred, statutoryNote uk-consumer-rights-beyond-guarantee"
    const byDate: { name: string; patch: CasePatch; outcome: Outcome; remedies?: string[]; chosenBy?: string }[] = [
      { name: 'day 0', patch: { day: 0 }, outcome: 'approved', remedies: ['refund', 'repair', 'replacement'], chosenBy: 'customer' },
      { name: 'day 2', patch: { day: 2 }, outcome: 'approved', remedies: ['refund', 'repair', 'replacement'], chosenBy: 'customer' },
      { name: 'day 30 (last day of the 30)', patch: { day: 30 }, outcome: 'approved', remedies: ['refund', 'repair', 'replacement'], chosenBy: 'customer' },
      { name: 'day 31', patch: { day: 31 }, outcome: 'approved', remedies: ['repair', 'replacement'], chosenBy: 'retailer' },
      { name: 'day 200', patch: { day: 200 }, outcome: 'approved', remedies: ['repair', 'replacement'], chosenBy: 'retailer' },
      { name: 'last day of the 12-month guarantee (D + 12 months)', patch: { today: plusMonths(D, 12) }, outcome: 'approved', remedies: ['repair', 'replacement'], chosenBy: 'retailer' },
      { name: 'day after the 12-month guarantee', patch: { today: plusDays(plusMonths(D, 12), 1) }, outcome: 'referred' },
      { name: 'three years after delivery', patch: { today: plusMonths(D, 36) }, outcome: 'referred' },
      { name: 'desktop-pc, day after its 12-month guarantee', patch: { product: { category: 'desktop-pc' }, today: plusDays(plusMonths(D, 12), 1) }, outcome: 'referred' },
      {
        name: 'motherboard-bundle, D + 12 months',
        patch: { product: { category: 'motherboard-bundle' }, today: plusMonths(D, 12) },
        outcome: 'approved',
        remedies: ['repair', 'replacement'],
        chosenBy: 'retailer',
      },
      {
        name: '24-month invoice guarantee, D + 13 months',
        patch: { product: { guaranteeMonths: 24 }, today: plusMonths(D, 13) },
        outcome: 'approved',
        remedies: ['repair', 'replacement'],
        chosenBy: 'retailer',
      },
      {
        name: '24-month invoice guarantee, D + 24 months',
        patch: { product: { guaranteeMonths: 24 }, today: plusMonths(D, 24) },
        outcome: 'approved',
        remedies: ['repair', 'replacement'],
        chosenBy: 'retailer',
      },
      { name: '24-month invoice guarantee, the day after D + 24 months', patch: { product: { guaranteeMonths: 24 }, today: plusDays(plusMonths(D, 24), 1) }, outcome: 'referred' },
      { name: '6-month invoice guarantee, day after D + 6 months', patch: { product: { guaranteeMonths: 6 }, today: plusDays(plusMonths(D, 6), 1) }, outcome: 'referred' },
      // "today ≤ deliveredOn + 30: approved" holds whatever the invoice guarantee (the 30 days come first).
      { name: '0-month invoice guarantee, day 10', patch: { product: { guaranteeMonths: 0 }, day: 10 }, outcome: 'approved', remedies: ['refund', 'repair', 'replacement'], chosenBy: 'customer' },
      {
        name: '1-month invoice guarantee, delivered 2026-02-01, day 29 (2026-03-02, after the month)',
        patch: { product: { guaranteeMonths: 1 }, deliveredOn: '2026-02-01', today: '2026-03-02' },
        outcome: 'approved',
        remedies: ['refund', 'repair', 'replacement'],
        chosenBy: 'customer',
      },
      { name: '0-month invoice guarantee, day 31', patch: { product: { guaranteeMonths: 0 }, day: 31 }, outcome: 'referred' },
    ];
    for (const row of byDate) {
      it(`${row.name}: ${row.outcome}${row.remedies ? ` ${JSON.stringify(row.remedies)} by the ${row.chosenBy}` : ''}`, () => {
        const d = run(pack, { ...row.patch, reason });
        expect(d.outcome).to.equal(row.outcome);
        if (row.outcome === 'approved') {
          expect(d.remedies).to.have.members(row.remedies ?? []);
          expect(d.remedyChosenBy).to.equal(row.chosenBy);
          expect(d.rmaRequired).to.equal(true);
        } else {
          expect(d.remedies).to.deep.equal([]);
          expect(d.rmaRequired).to.equal(false);
          expect(d.statutoryNote).to.equal('uk-consumer-rights-beyond-guarantee');
        }
      });
    }

    // "conditions include backing up data, inspection, and 'returned at your cost if no fault is found'"
    for (const day of [2, 100]) {
      it(`conditions (day ${day}): back up data, inspection, returned at the customer's cost if not faulty`, () => {
        const d = run(pack, { reason, day });
        expect(d.outcome).to.equal('approved');
        expect(
          d.conditions.some((c) => /back-?up/.test(c)),
          JSON.stringify(d.conditions),
        ).to.equal(true);
        expect(
          d.conditions.some((c) => /inspect/.test(c)),
          JSON.stringify(d.conditions),
        ).to.equal(true);
        expect(
          d.conditions.some((c) => /not-faulty|no-fault/.test(c) && /cost/.test(c)),
          JSON.stringify(d.conditions),
        ).to.equal(true);
      });
    }
  });

  describe('misdescribed', () => {
    const reason: Reason = 'misdescribed';
    // "today ≤ deliveredOn + 30: approved [refund, replacement] (customer); later: approved [replacement]"
    const rows: { day: number; remedies: string[]; chosenBy?: string }[] = [
      { day: 0, remedies: ['refund', 'replacement'], chosenBy: 'customer' },
      { day: 2, remedies: ['refund', 'replacement'], chosenBy: 'customer' },
      { day: 30, remedies: ['refund', 'replacement'], chosenBy: 'customer' },
      { day: 31, remedies: ['replacement'] },
      { day: 200, remedies: ['replacement'] },
      { day: 800, remedies: ['replacement'] },
    ];
    for (const row of rows) {
      it(`day ${row.day}: approved ${JSON.stringify(row.remedies)}${row.chosenBy ? ` chosen by the ${row.chosenBy}` : ''}`, () => {
        const d = run(pack, { reason, day: row.day });
        expect(d.outcome).to.equal('approved');
        expect(d.remedies).to.have.members(row.remedies);
        if (row.chosenBy) expect(d.remedyChosenBy).to.equal(row.chosenBy);
        expect(d.rmaRequired).to.equal(true);
      });
    }
  });

  describe('transit damage', () => {
    const reason: Reason = 'transit-damage';
    // "reportBy = the 5th working day after deliveredOn. On or before: approved [refund, replacement]
    //  (customer). Later: referred". Delivered Monday 2026-03-02 → Tue 3, Wed 4, Thu 5, Fri 6, Mon 9.
    const reportBy = '2026-03-09';
    const rows: { today: string; outcome: Outcome }[] = [
      { today: D, outcome: 'approved' },
      { today: '2026-03-06', outcome: 'approved' },
      { today: '2026-03-08', outcome: 'approved' },
      { today: reportBy, outcome: 'approved' },
      { today: '2026-03-10', outcome: 'referred' },
      { today: '2026-05-01', outcome: 'referred' },
    ];
    for (const row of rows) {
      it(`reported ${row.today} (reportBy ${reportBy}): ${row.outcome}`, () => {
        const d = run(pack, { reason, today: row.today });
        expect(d.deadlines.reportBy).to.equal(reportBy);
        expect(d.outcome).to.equal(row.outcome);
        if (row.outcome === 'approved') {
          expect(d.remedies).to.have.members(['refund', 'replacement']);
          expect(d.remedyChosenBy).to.equal('customer');
          expect(d.rmaRequired).to.equal(true);
        } else {
          expect(d.remedies).to.deep.equal([]);
          expect(d.rmaRequired).to.equal(false);
        }
      });
    }
  });

  describe('the change-of-mind deductions belong to change of mind only', () => {
    // Section 5 lists diminished-value, claimed-software and delivery-upgrade under change of mind;
    // a faulty, misdescribed or transit-damaged item is not reduced for them.
    const triggers: CasePatch = {
      product: { category: 'notebook' },
      condition: { packagingOpened: true, softwareClaimed: true },
      delivery: { charge: 12, cheapestCharge: 3.5 },
    };
    for (const reason of ['faulty', 'misdescribed', 'transit-damage'] as const) {
      for (const day of [2, 40]) {
        if (reason === 'transit-damage' && day === 40) continue;
        it(`${reason}, day ${day}, opened + software claimed + upgraded delivery: approved with no deductions`, () => {
          const d = run(pack, { ...triggers, reason, day });
          expect(d.outcome).to.equal('approved');
          expect(d.deductions).to.deep.equal([]);
        });
      }
    }
  });

  describe('any reason', () => {
    // "Any reason: serialLabelIntact: false is rejected; purchasedFromUs: false is rejected."
    for (const reason of REASON_LIST) {
      for (const day of [2, 100]) {
        it(`${reason}, day ${day}: serialLabelIntact false → rejected`, () => {
          const d = run(pack, { reason, day, condition: { serialLabelIntact: false } });
          expect(d.outcome).to.equal('rejected');
          expect(d.rmaRequired).to.equal(false);
          expectCites(pack, d, /serial number/i);
        });
        it(`${reason}, day ${day}: purchasedFromUs false → rejected`, () => {
          const d = run(pack, { reason, day, purchasedFromUs: false });
          expect(d.outcome).to.equal('rejected');
          expect(d.rmaRequired).to.equal(false);
        });
      }
    }
  });
});

// ================================================================================================
// impress-us
// ================================================================================================

describe('engine rules: impress-us', () => {
  const pack: PackId = 'impress-us';
  const lastDay = plusDays(D, 30); // 2026-04-01

  describe('window: 30 days from delivery for every reason', () => {
    for (const reason of REASON_LIST) {
      const within: Outcome = reason === 'transit-damage' ? 'referred' : 'approved';
      for (const day of [0, 29, 30]) {
        it(`${reason}, day ${day}: ${within}, notifyBy ${lastDay}`, () => {
          const d = run(pack, { reason, day });
          expect(d.deadlines.notifyBy).to.equal(lastDay);
          expect(d.outcome).to.equal(within);
        });
      }
      for (const day of [31, 90]) {
        it(`${reason}, day ${day}: rejected, notifyBy ${lastDay}, reason params.lastDay`, () => {
          const d = run(pack, { reason, day });
          expect(d.deadlines.notifyBy).to.equal(lastDay);
          expect(d.outcome).to.equal('rejected');
          expect(d.rmaRequired).to.equal(false);
          expect(
            d.reasons.some((r) => r.params.lastDay === lastDay),
            JSON.stringify(d.reasons),
          ).to.equal(true);
          expectCites(pack, d, /30 days/);
        });
      }
    }
  });

  describe('any reason, rejected', () => {
    // "purchasedFromUs: false, serialLabelIntact: false, upcPresent: false, physicalDamage, rebateClaimed, tampered"
    const facts: { name: string; patch: CasePatch; cites: RegExp }[] = [
      { name: 'purchasedFromUs false', patch: { purchasedFromUs: false }, cites: /not purchased from Impress/i },
      { name: 'serialLabelIntact false', patch: { condition: { serialLabelIntact: false } }, cites: /serial number label/i },
      { name: 'upcPresent false', patch: { condition: { upcPresent: false } }, cites: /UPC/ },
      { name: 'physicalDamage', patch: { condition: { physicalDamage: true } }, cites: /physical damage/i },
      { name: 'rebateClaimed', patch: { condition: { rebateClaimed: true } }, cites: /rebate/i },
      { name: 'tampered', patch: { condition: { tampered: true } }, cites: /tampered/i },
    ];
    for (const reason of REASON_LIST) {
      for (const fact of facts) {
        for (const category of ['peripheral', 'notebook'] as const) {
          it(`${reason}, ${category}: ${fact.name} → rejected`, () => {
            const d = run(pack, { ...fact.patch, reason, product: { category } });
            expect(d.outcome).to.equal('rejected');
            expect(d.rmaRequired).to.equal(false);
            expect(d.remedies).to.deep.equal([]);
            expectCites(pack, d, fact.cites);
          });
        }
      }
    }
  });

  describe('any reason, referred', () => {
    // "originalPackaging: false or allAccessories: false: referred"
    for (const reason of REASON_LIST) {
      for (const condition of [{ originalPackaging: false }, { allAccessories: false }, { originalPackaging: false, allAccessories: false }]) {
        it(`${reason}: ${JSON.stringify(condition)} → referred`, () => {
          const d = run(pack, { reason, condition });
          expect(d.outcome).to.equal('referred');
          expect(d.rmaRequired).to.equal(false);
          expect(d.remedies).to.deep.equal([]);
          if (reason !== 'transit-damage') expectCites(pack, d, /original packaging and accessories/i);
        });
      }
    }
  });

  describe('change of mind', () => {
    const reason: Reason = 'change-of-mind';
    // "approved ["refund"] with deduction restocking-fee (may). Unopened packaging is approved;
    //  opened adds the condition inspection."  "Every approved return needs an RMA."
    const rows: { name: string; patch: CasePatch; inspection: boolean }[] = [
      { name: 'unopened peripheral', patch: { condition: { packagingOpened: false } }, inspection: false },
      { name: 'opened peripheral', patch: { condition: { packagingOpened: true } }, inspection: true },
      { name: 'unopened notebook', patch: { product: { category: 'notebook' }, condition: { packagingOpened: false } }, inspection: false },
      { name: 'opened notebook', patch: { product: { category: 'notebook' }, condition: { packagingOpened: true } }, inspection: true },
      { name: 'opened software, seal broken', patch: { product: { category: 'software' }, condition: { packagingOpened: true, sealBroken: true } }, inspection: true },
      { name: 'opened headphones, used', patch: { product: { category: 'headphones' }, condition: { packagingOpened: true, sealBroken: true, used: true } }, inspection: true },
      { name: 'unopened special order', patch: { product: { specialOrder: true }, condition: { packagingOpened: false } }, inspection: false },
    ];
    for (const row of rows) {
      it(`${row.name}: approved ["refund"], restocking-fee (may), ${row.inspection ? 'with' : 'without'} inspection, RMA`, () => {
        const d = run(pack, { ...row.patch, reason });
        expect(d.outcome).to.equal('approved');
        expect(d.remedies).to.deep.equal(['refund']);
        expect(d.deductions).to.deep.include({ kind: 'restocking-fee', certainty: 'may' });
        expect(d.rmaRequired).to.equal(true);
        if (row.inspection) expect(d.conditions).to.include('inspection');
        else expect(d.conditions).to.not.include('inspection');
      });
    }
  });

  describe('faulty or misdescribed', () => {
    // "approved ["refund","replacement"] (customer), condition inspection"
    for (const reason of ['faulty', 'misdescribed'] as const) {
      for (const category of ['peripheral', 'component', 'motherboard-bundle', 'software', 'memory-card', 'headphones', 'other'] as const) {
        it(`${reason}, ${category}: approved ["refund","replacement"] by the customer, inspection, RMA`, () => {
          const d = run(pack, { reason, product: { category } });
          expect(d.outcome).to.equal('approved');
          expect(d.remedies).to.have.members(['refund', 'replacement']);
          expect(d.remedyChosenBy).to.equal('customer');
          expect(d.conditions).to.include('inspection');
          expect(d.rmaRequired).to.equal(true);
        });
      }
      // The computer-only rules do not reach other products.
      it(`${reason}, peripheral: originalOsIntact false is not a rule for it → approved`, () => {
        expect(run(pack, { reason, product: { category: 'peripheral' }, condition: { originalOsIntact: false } }).outcome).to.equal('approved');
      });

      // "For desktop-pc, notebook and tablet: [refund, repair, replacement] chosen by the retailer;
      //  originalOsIntact: false is rejected; when requiresManufacturerPreauth and manufacturerPreauth
      //  is "none": rejected with reason code MANUFACTURER_PREAUTH_REQUIRED"
      for (const category of ['desktop-pc', 'notebook', 'tablet'] as const) {
        it(`${reason}, ${category}: approved ["refund","repair","replacement"] by the retailer, inspection`, () => {
          const d = run(pack, { reason, product: { category } });
          expect(d.outcome).to.equal('approved');
          expect(d.remedies).to.have.members(['refund', 'repair', 'replacement']);
          expect(d.remedyChosenBy).to.equal('retailer');
          expect(d.conditions).to.include('inspection');
          expect(d.rmaRequired).to.equal(true);
        });
        it(`${reason}, ${category}: originalOsIntact false → rejected`, () => {
          const d = run(pack, { reason, product: { category }, condition: { originalOsIntact: false } });
          expect(d.outcome).to.equal('rejected');
          expectCites(pack, d, /operating system/i);
        });
        it(`${reason}, ${category}: needs pre-authorisation, customer has "none" → rejected MANUFACTURER_PREAUTH_REQUIRED`, () => {
          const d = run(pack, { reason, product: { category, requiresManufacturerPreauth: true }, condition: { manufacturerPreauth: 'none' } });
          expect(d.outcome).to.equal('rejected');
          expect(d.reasons.map((r) => r.code)).to.include('MANUFACTURER_PREAUTH_REQUIRED');
          expect(d.rmaRequired).to.equal(false);
        });
        it(`${reason}, ${category}: needs pre-authorisation, customer has a number → approved`, () => {
          const d = run(pack, { reason, product: { category, requiresManufacturerPreauth: true }, condition: { manufacturerPreauth: 'MSI-88412' } });
          expect(d.outcome).to.equal('approved');
          expect(d.remedies).to.have.members(['refund', 'repair', 'replacement']);
          expect(d.remedyChosenBy).to.equal('retailer');
        });
        it(`${reason}, ${category}: no pre-authorisation needed, "none" → approved`, () => {
          const d = run(pack, { reason, product: { category, requiresManufacturerPreauth: false }, condition: { manufacturerPreauth: 'none' } });
          expect(d.outcome).to.equal('approved');
        });
      }
    }
  });

  describe('transit damage', () => {
    // "Transit damage: referred (carrier claim)."
    for (const category of ['peripheral', 'notebook', 'software'] as const) {
      for (const day of [0, 10, 30]) {
        it(`${category}, day ${day}: referred`, () => {
          const d = run(pack, { reason: 'transit-damage', day, product: { category } });
          expect(d.outcome).to.equal('referred');
          expect(d.rmaRequired).to.equal(false);
          expect(d.remedies).to.deep.equal([]);
        });
      }
    }
  });
});

// ================================================================================================
// Precedence and `incomplete`
// ================================================================================================

describe('engine rules: precedence reject > refer > approve', () => {
  const rows: { name: string; pack: PackId; patch: CasePatch }[] = [
    { name: 'impress: allAccessories false (refer) + physicalDamage (reject)', pack: 'impress-us', patch: { condition: { allAccessories: false, physicalDamage: true } } },
    { name: 'impress: originalPackaging false (refer) + day 31 (reject)', pack: 'impress-us', patch: { day: 31, condition: { originalPackaging: false } } },
    { name: 'impress: transit damage (refer) + rebateClaimed (reject)', pack: 'impress-us', patch: { reason: 'transit-damage', condition: { rebateClaimed: true } } },
    { name: 'impress: transit damage (refer) + day 31 (reject)', pack: 'impress-us', patch: { reason: 'transit-damage', day: 31 } },
    {
      name: 'impress: notebook fault, originalPackaging false (refer) + originalOsIntact false (reject)',
      pack: 'impress-us',
      patch: { reason: 'faulty', product: { category: 'notebook' }, condition: { originalPackaging: false, originalOsIntact: false } },
    },
    {
      name: 'impress: notebook fault, allAccessories false (refer) + pre-authorisation "none" (reject)',
      pack: 'impress-us',
      patch: { reason: 'faulty', product: { category: 'notebook', requiresManufacturerPreauth: true }, condition: { allAccessories: false, manufacturerPreauth: 'none' } },
    },
    { name: 'uk: fault after the guarantee (refer) + tampered (reject)', pack: 'uk-online', patch: { reason: 'faulty', today: plusMonths(D, 18), condition: { tampered: true } } },
    { name: 'uk: fault after the guarantee (refer) + accident (reject)', pack: 'uk-online', patch: { reason: 'faulty', today: plusMonths(D, 18), condition: { faultCause: 'accident' } } },
    {
      name: 'uk: fault after the guarantee (refer) + serialLabelIntact false (reject)',
      pack: 'uk-online',
      patch: { reason: 'faulty', today: plusMonths(D, 18), condition: { serialLabelIntact: false } },
    },
    { name: 'uk: late transit report (refer) + serialLabelIntact false (reject)', pack: 'uk-online', patch: { reason: 'transit-damage', day: 20, condition: { serialLabelIntact: false } } },
    { name: 'uk: late transit report (refer) + not purchased from us (reject)', pack: 'uk-online', patch: { reason: 'transit-damage', day: 20, purchasedFromUs: false } },
  ];
  for (const row of rows) {
    it(`${row.name} → rejected`, () => {
      const d = run(row.pack, row.patch);
      expect(d.outcome).to.equal('rejected');
      expect(d.needs).to.deep.equal([]);
    });
  }
  it('impress: allAccessories false (refer) beats an approvable change of mind → referred', () => {
    expect(run('impress-us', { condition: { allAccessories: false } }).outcome).to.equal('referred');
  });
});

/**
 * For each pack × reason (× product where it matters), the condition fields that can change the
 * outcome when everything about the item is unknown — derived by hand from CONTRACT section 5.
 * `allowed`: fields the contract leaves open for this product (asked or not, either is fine).
 */
interface NeedsRow {
  name: string;
  pack: PackId;
  patch: CasePatch;
  needs: ConditionField[];
  allowed?: ConditionField[];
  /** Outcome once every needed fact is answered the good way. */
  final: Outcome;
}

const IMPRESS_REJECTING: ConditionField[] = ['serialLabelIntact', 'upcPresent', 'physicalDamage', 'rebateClaimed', 'tampered'];
const IMPRESS_ANY: ConditionField[] = [...IMPRESS_REJECTING, 'originalPackaging', 'allAccessories'];

const NEEDS_ROWS: NeedsRow[] = [
  // uk-online change of mind: sealBroken (sealed categories), activationStripDamaged, used; serialLabelIntact (any reason).
  {
    name: 'uk-online change of mind, software',
    pack: 'uk-online',
    patch: { reason: 'change-of-mind', product: { category: 'software' } },
    needs: ['sealBroken', 'activationStripDamaged', 'used', 'serialLabelIntact'],
    final: 'approved',
  },
  // A game on disc comes with a Software Product Activation Key card, as software does (issue 12);
  // discs, memory cards and headphones have no serial number label to ask about (issue 11).
  {
    name: 'uk-online change of mind, media',
    pack: 'uk-online',
    patch: { reason: 'change-of-mind', product: { category: 'media' } },
    needs: ['sealBroken', 'activationStripDamaged', 'used'],
    final: 'approved',
  },
  { name: 'uk-online change of mind, memory-card', pack: 'uk-online', patch: { reason: 'change-of-mind', product: { category: 'memory-card' } }, needs: ['sealBroken', 'used'], final: 'approved' },
  { name: 'uk-online change of mind, headphones', pack: 'uk-online', patch: { reason: 'change-of-mind', product: { category: 'headphones' } }, needs: ['sealBroken', 'used'], final: 'approved' },
  { name: 'uk-online faulty, headphones', pack: 'uk-online', patch: { reason: 'faulty', product: { category: 'headphones' } }, needs: ['faultCause', 'tampered'], final: 'approved' },
  { name: 'uk-online transit damage, memory-card', pack: 'uk-online', patch: { reason: 'transit-damage', product: { category: 'memory-card' } }, needs: [], final: 'approved' },
  {
    name: 'uk-online change of mind, peripheral',
    pack: 'uk-online',
    patch: { reason: 'change-of-mind', product: { category: 'peripheral' } },
    needs: ['used', 'serialLabelIntact'],
    allowed: ['activationStripDamaged'],
    final: 'approved',
  },
  {
    name: 'uk-online change of mind, notebook, last day',
    pack: 'uk-online',
    patch: { reason: 'change-of-mind', day: 14, product: { category: 'notebook' } },
    needs: ['used', 'serialLabelIntact'],
    allowed: ['activationStripDamaged'],
    final: 'approved',
  },
  // uk-online faulty: faultCause, tampered; serialLabelIntact.
  {
    name: 'uk-online faulty, day 2',
    pack: 'uk-online',
    patch: { reason: 'faulty', day: 2, product: { category: 'notebook' } },
    needs: ['faultCause', 'tampered', 'serialLabelIntact'],
    final: 'approved',
  },
  { name: 'uk-online faulty, day 100', pack: 'uk-online', patch: { reason: 'faulty', day: 100 }, needs: ['faultCause', 'tampered', 'serialLabelIntact'], final: 'approved' },
  {
    name: 'uk-online faulty, after the guarantee',
    pack: 'uk-online',
    patch: { reason: 'faulty', today: plusMonths(D, 14) },
    needs: ['faultCause', 'tampered', 'serialLabelIntact'],
    final: 'referred',
  },
  // uk-online misdescribed and transit damage: serialLabelIntact only.
  { name: 'uk-online misdescribed, day 2', pack: 'uk-online', patch: { reason: 'misdescribed', day: 2 }, needs: ['serialLabelIntact'], final: 'approved' },
  { name: 'uk-online misdescribed, day 40', pack: 'uk-online', patch: { reason: 'misdescribed', day: 40, product: { category: 'software' } }, needs: ['serialLabelIntact'], final: 'approved' },
  { name: 'uk-online transit damage, in time', pack: 'uk-online', patch: { reason: 'transit-damage', day: 2 }, needs: ['serialLabelIntact'], final: 'approved' },
  { name: 'uk-online transit damage, late', pack: 'uk-online', patch: { reason: 'transit-damage', day: 20 }, needs: ['serialLabelIntact'], final: 'referred' },
  // impress-us: the any-reason rejections and referrals; computers add the OS and pre-authorisation for faulty/misdescribed.
  { name: 'impress-us change of mind, peripheral', pack: 'impress-us', patch: { reason: 'change-of-mind' }, needs: IMPRESS_ANY, final: 'approved' },
  {
    name: 'impress-us change of mind, notebook needing pre-authorisation',
    pack: 'impress-us',
    patch: { reason: 'change-of-mind', product: { category: 'notebook', requiresManufacturerPreauth: true } },
    needs: IMPRESS_ANY,
    final: 'approved',
  },
  { name: 'impress-us faulty, peripheral', pack: 'impress-us', patch: { reason: 'faulty' }, needs: IMPRESS_ANY, final: 'approved' },
  {
    name: 'impress-us faulty, peripheral flagged for pre-authorisation',
    pack: 'impress-us',
    patch: { reason: 'faulty', product: { requiresManufacturerPreauth: true } },
    needs: IMPRESS_ANY,
    final: 'approved',
  },
  { name: 'impress-us faulty, notebook', pack: 'impress-us', patch: { reason: 'faulty', product: { category: 'notebook' } }, needs: [...IMPRESS_ANY, 'originalOsIntact'], final: 'approved' },
  {
    name: 'impress-us faulty, desktop-pc needing pre-authorisation',
    pack: 'impress-us',
    patch: { reason: 'faulty', product: { category: 'desktop-pc', requiresManufacturerPreauth: true } },
    needs: [...IMPRESS_ANY, 'originalOsIntact', 'manufacturerPreauth'],
    final: 'approved',
  },
  {
    name: 'impress-us misdescribed, tablet needing pre-authorisation',
    pack: 'impress-us',
    patch: { reason: 'misdescribed', product: { category: 'tablet', requiresManufacturerPreauth: true } },
    needs: [...IMPRESS_ANY, 'originalOsIntact', 'manufacturerPreauth'],
    final: 'approved',
  },
  { name: 'impress-us misdescribed, other', pack: 'impress-us', patch: { reason: 'misdescribed', product: { category: 'other' } }, needs: IMPRESS_ANY, final: 'approved' },
  {
    name: 'impress-us change of mind, headphones (no serial label)',
    pack: 'impress-us',
    patch: { reason: 'change-of-mind', product: { category: 'headphones' } },
    needs: IMPRESS_ANY.filter((f) => f !== 'serialLabelIntact'),
    final: 'approved',
  },
  {
    name: 'impress-us faulty, memory-card (no serial label)',
    pack: 'impress-us',
    patch: { reason: 'faulty', product: { category: 'memory-card' } },
    needs: IMPRESS_ANY.filter((f) => f !== 'serialLabelIntact'),
    final: 'approved',
  },
  // transit damage is referred anyway: only the rejecting facts can change that.
  { name: 'impress-us transit damage, peripheral', pack: 'impress-us', patch: { reason: 'transit-damage' }, needs: IMPRESS_REJECTING, final: 'referred' },
  {
    name: 'impress-us transit damage, notebook needing pre-authorisation',
    pack: 'impress-us',
    patch: { reason: 'transit-damage', product: { category: 'notebook', requiresManufacturerPreauth: true } },
    needs: IMPRESS_REJECTING,
    final: 'referred',
  },
];

describe('engine rules: incomplete only while a missing fact could still change the outcome', () => {
  describe('a known rejecting fact makes every unknown irrelevant → rejected, no needs', () => {
    const rows: { name: string; pack: PackId; patch: CasePatch }[] = [
      { name: 'uk change of mind, used', pack: 'uk-online', patch: { condition: { used: true } } },
      { name: 'uk change of mind, software seal broken', pack: 'uk-online', patch: { product: { category: 'software' }, condition: { sealBroken: true } } },
      { name: 'uk change of mind, headphones seal broken', pack: 'uk-online', patch: { product: { category: 'headphones' }, condition: { sealBroken: true } } },
      { name: 'uk change of mind, activation strip damaged', pack: 'uk-online', patch: { product: { category: 'software' }, condition: { activationStripDamaged: true } } },
      { name: 'uk change of mind, special order', pack: 'uk-online', patch: { product: { specialOrder: true } } },
      { name: 'uk change of mind, day 15', pack: 'uk-online', patch: { day: 15 } },
      { name: 'uk faulty, tampered', pack: 'uk-online', patch: { reason: 'faulty', condition: { tampered: true } } },
      { name: 'uk faulty, misuse', pack: 'uk-online', patch: { reason: 'faulty', condition: { faultCause: 'misuse' } } },
      { name: 'uk misdescribed, serial label removed', pack: 'uk-online', patch: { reason: 'misdescribed', condition: { serialLabelIntact: false } } },
      { name: 'uk transit damage, not purchased from us', pack: 'uk-online', patch: { reason: 'transit-damage', purchasedFromUs: false } },
      { name: 'impress change of mind, physical damage', pack: 'impress-us', patch: { condition: { physicalDamage: true } } },
      { name: 'impress change of mind, UPC removed', pack: 'impress-us', patch: { condition: { upcPresent: false } } },
      { name: 'impress faulty, rebate claimed', pack: 'impress-us', patch: { reason: 'faulty', condition: { rebateClaimed: true } } },
      { name: 'impress faulty, tampered', pack: 'impress-us', patch: { reason: 'faulty', condition: { tampered: true } } },
      { name: 'impress transit damage, serial label removed', pack: 'impress-us', patch: { reason: 'transit-damage', condition: { serialLabelIntact: false } } },
      { name: 'impress faulty, day 31', pack: 'impress-us', patch: { reason: 'faulty', day: 31 } },
      {
        name: 'impress faulty notebook, original OS removed',
        pack: 'impress-us',
        patch: { reason: 'faulty', product: { category: 'notebook', requiresManufacturerPreauth: true }, condition: { originalOsIntact: false } },
      },
      {
        name: 'impress misdescribed tablet, pre-authorisation "none"',
        pack: 'impress-us',
        patch: { reason: 'misdescribed', product: { category: 'tablet', requiresManufacturerPreauth: true }, condition: { manufacturerPreauth: 'none' } },
      },
    ];
    for (const row of rows) {
      it(`${row.name}, everything else unknown → rejected`, () => {
        const known = Object.keys(row.patch.condition ?? {}) as ConditionField[];
        const unknown = CONDITION_FIELDS.filter((f) => !known.includes(f));
        const d = run(row.pack, row.patch, unknown);
        expect(d.outcome).to.equal('rejected');
        expect(d.needs).to.deep.equal([]);
      });
    }
  });

  describe('a single unknown fact in an otherwise fully-known case', () => {
    for (const row of NEEDS_ROWS) {
      for (const field of CONDITION_FIELDS) {
        if (row.allowed?.includes(field)) continue;
        if (row.needs.includes(field)) {
          it(`${row.name}: only ${field} unknown → incomplete, needs ["${field}"]`, () => {
            const d = run(row.pack, row.patch, [field]);
            expect(d.outcome).to.equal('incomplete');
            expect(d.needs).to.deep.equal([field]);
            expect(d.remedies).to.deep.equal([]);
            expect(d.rmaRequired).to.equal(false);
          });
        } else {
          it(`${row.name}: only ${field} unknown → still ${row.final} (it cannot change the outcome)`, () => {
            expect(run(row.pack, row.patch).outcome, 'the fully-known case').to.equal(row.final);
            const d = run(row.pack, row.patch, [field]);
            expect(d.outcome).to.equal(row.final);
            expect(d.needs).to.deep.equal([]);
          });
        }
      }
    }
  });

  describe('every needs path from an all-unknown condition', () => {
    for (const row of NEEDS_ROWS) {
      it(`${row.name}: needs exactly {${row.needs.join(', ')}}${row.allowed ? ` (may also ask ${row.allowed.join(', ')})` : ''}; answering them reaches ${row.final}`, () => {
        let input = goodCase(row.pack, row.patch, 'all');
        const answered: ConditionField[] = [];
        for (let step = 0; step <= CONDITION_FIELDS.length; step++) {
          const d = decideInput(input);
          const remaining = row.needs.filter((f) => !answered.includes(f));
          if (d.outcome !== 'incomplete') {
            expect(remaining, `decided ${d.outcome} after ${JSON.stringify(answered)} with facts still missing`).to.deep.equal([]);
            expect(d.outcome).to.equal(row.final);
            expect(d.needs).to.deep.equal([]);
            return;
          }
          expect(step === 0 || answered.length > 0).to.equal(true);
          expect(new Set(d.needs).size, `duplicates in ${JSON.stringify(d.needs)}`).to.equal(d.needs.length);
          expect(d.needs, `after answering ${JSON.stringify(answered)}`).to.include.members(remaining);
          const permitted = [...remaining, ...(row.allowed ?? []).filter((f) => !answered.includes(f))];
          for (const f of d.needs) expect(permitted, `needs ${JSON.stringify(d.needs)} after ${JSON.stringify(answered)}`).to.include(f);
          const next = d.needs[0] as ConditionField;
          answered.push(next);
          input = withFacts(input, { [next]: goodValue(next) } as Partial<ConditionInput>);
        }
        expect.fail(`still incomplete after ${JSON.stringify(answered)}`);
      });
    }
  });

  describe('facts irrelevant to the reason never appear in needs', () => {
    const rows: { name: string; pack: PackId; patch: CasePatch; never: ConditionField[] }[] = [
      {
        name: 'uk faulty',
        pack: 'uk-online',
        patch: { reason: 'faulty' },
        never: ['packagingOpened', 'sealBroken', 'activationStripDamaged', 'used', 'softwareClaimed', 'upcPresent', 'rebateClaimed', 'manufacturerPreauth'],
      },
      {
        name: 'uk change of mind, software',
        pack: 'uk-online',
        patch: { product: { category: 'software' } },
        never: ['faultCause', 'packagingOpened', 'softwareClaimed', 'tampered', 'upcPresent', 'rebateClaimed', 'originalOsIntact', 'manufacturerPreauth'],
      },
      { name: 'uk change of mind, peripheral', pack: 'uk-online', patch: { product: { category: 'peripheral' } }, never: ['faultCause', 'sealBroken', 'packagingOpened', 'softwareClaimed'] },
      { name: 'uk misdescribed', pack: 'uk-online', patch: { reason: 'misdescribed' }, never: ['faultCause', 'tampered', 'used', 'sealBroken', 'packagingOpened'] },
      { name: 'impress change of mind', pack: 'impress-us', patch: {}, never: ['faultCause', 'packagingOpened', 'sealBroken', 'used', 'softwareClaimed', 'originalOsIntact', 'manufacturerPreauth'] },
      { name: 'impress faulty notebook', pack: 'impress-us', patch: { reason: 'faulty', product: { category: 'notebook' } }, never: ['faultCause', 'packagingOpened', 'manufacturerPreauth'] },
      { name: 'impress transit damage', pack: 'impress-us', patch: { reason: 'transit-damage' }, never: ['originalPackaging', 'allAccessories', 'packagingOpened', 'faultCause'] },
    ];
    for (const row of rows) {
      it(`${row.name}: never asks ${row.never.join(', ')}`, () => {
        let input = goodCase(row.pack, row.patch, 'all');
        for (let step = 0; step <= CONDITION_FIELDS.length; step++) {
          const d = decideInput(input);
          for (const f of row.never) expect(d.needs, `step ${step}`).to.not.include(f);
          if (d.outcome !== 'incomplete') return;
          const next = d.needs[0] as ConditionField;
          input = withFacts(input, { [next]: goodValue(next) } as Partial<ConditionInput>);
        }
        expect.fail('never reached a decision');
      });
    }
  });

  describe('a referral that is already certain still waits only for facts that could reject', () => {
    const rows: { name: string; patch: CasePatch; known: Partial<ConditionInput>; stillNeeds: ConditionField[]; never: ConditionField[] }[] = [
      { name: 'impress change of mind, originalPackaging false', patch: {}, known: { originalPackaging: false }, stillNeeds: IMPRESS_REJECTING, never: ['allAccessories'] },
      { name: 'impress faulty, allAccessories false', patch: { reason: 'faulty' }, known: { allAccessories: false }, stillNeeds: IMPRESS_REJECTING, never: ['originalPackaging'] },
    ];
    for (const row of rows) {
      it(`${row.name}, rejecting facts unknown → incomplete for them only; answered → referred`, () => {
        let input = withFacts(goodCase('impress-us', row.patch, 'all'), row.known);
        const d = decideInput(input);
        expect(d.outcome).to.equal('incomplete');
        expect(d.needs).to.have.members(row.stillNeeds);
        for (const f of row.never) expect(d.needs).to.not.include(f);
        for (const f of row.stillNeeds) input = withFacts(input, { [f]: goodValue(f) } as Partial<ConditionInput>);
        expect(decideInput(input).outcome).to.equal('referred');
      });
    }
    it('uk fault after the guarantee (referred) with faultCause unknown → incomplete ["faultCause"]', () => {
      const d = run('uk-online', { reason: 'faulty', today: plusMonths(D, 15) }, ['faultCause']);
      expect(d.outcome).to.equal('incomplete');
      expect(d.needs).to.deep.equal(['faultCause']);
    });
  });
});

// ================================================================================================
// decide() options and openAlternatives()
// ================================================================================================

describe('engine: decide options `unavailable`', () => {
  it('uk faulty: only serialLabelIntact missing and the customer cannot tell → referred', () => {
    const d = run('uk-online', { reason: 'faulty' }, ['serialLabelIntact'], { unavailable: ['serialLabelIntact'] });
    expect(d.outcome).to.equal('referred');
    expect(d.needs).to.deep.equal([]);
    expect(d.rmaRequired).to.equal(false);
  });
  it('uk faulty: faultCause and serialLabelIntact missing, serialLabelIntact unavailable → still asks faultCause', () => {
    const d = run('uk-online', { reason: 'faulty' }, ['serialLabelIntact', 'faultCause'], { unavailable: ['serialLabelIntact'] });
    expect(d.outcome).to.equal('incomplete');
    expect(d.needs).to.deep.equal(['faultCause']);
  });
  it('impress change of mind: every missing fact unavailable → referred', () => {
    const d = run('impress-us', {}, ['upcPresent', 'allAccessories'], { unavailable: ['upcPresent', 'allAccessories'] });
    expect(d.outcome).to.equal('referred');
  });
  it('impress change of mind: upcPresent unavailable, tampered unknown → asks tampered', () => {
    const d = run('impress-us', {}, ['upcPresent', 'tampered'], { unavailable: ['upcPresent'] });
    expect(d.outcome).to.equal('incomplete');
    expect(d.needs).to.deep.equal(['tampered']);
  });
  it('an unavailable fact that cannot change the outcome changes nothing (uk change of mind, packagingOpened)', () => {
    const d = run('uk-online', {}, ['packagingOpened'], { unavailable: ['packagingOpened'] });
    expect(d.outcome).to.equal('approved');
  });
  it('a known rejecting fact still rejects when other facts are unavailable', () => {
    const d = run('impress-us', { condition: { physicalDamage: true } }, ['serialLabelIntact', 'upcPresent'], { unavailable: ['serialLabelIntact', 'upcPresent'] });
    expect(d.outcome).to.equal('rejected');
  });
});

describe('engine: openAlternatives', () => {
  function alternatives(pack: PackId, patch: CasePatch) {
    const c = caseSchema.parse(goodCase(pack, patch));
    return openAlternatives(c, loadPack(pack));
  }
  // "Later: rejected (and, when a fault is mentioned, the fault route is still open)."
  it('uk change of mind rejected for lateness (day 20) → faulty still open', () => {
    const open = alternatives('uk-online', { day: 20 });
    expect(open).to.include('faulty');
    expect(open).to.include('misdescribed');
    expect(open).to.not.include('change-of-mind');
  });
  it('uk change of mind rejected as used → faulty still open', () => {
    expect(alternatives('uk-online', { condition: { used: true } })).to.include('faulty');
  });
  it('uk change of mind rejected, software seal broken → faulty still open', () => {
    expect(alternatives('uk-online', { product: { category: 'software' }, condition: { sealBroken: true } })).to.include('faulty');
  });
  it('uk serial label removed → nothing open', () => {
    expect(alternatives('uk-online', { condition: { serialLabelIntact: false } })).to.deep.equal([]);
  });
  it('uk not purchased from us → nothing open', () => {
    expect(alternatives('uk-online', { purchasedFromUs: false })).to.deep.equal([]);
  });
  it('impress serial label removed → nothing open', () => {
    expect(alternatives('impress-us', { condition: { serialLabelIntact: false } })).to.deep.equal([]);
  });
  it('impress after the 30-day window → nothing open (the window holds for every reason)', () => {
    expect(alternatives('impress-us', { day: 31 })).to.deep.equal([]);
  });
});

// ================================================================================================
// Decision shape (CONTRACT section 4)
// ================================================================================================

// CONTRACT section 4, plus the additive `sources` (issue 11: where each fact used came from).
const DECISION_KEYS = [
  'policy',
  'policyVersion',
  'reason',
  'outcome',
  'needs',
  'remedies',
  'remedyChosenBy',
  'deductions',
  'conditions',
  'deadlines',
  'reasons',
  'clauses',
  'rmaRequired',
  'statutoryNote',
  'sources',
];
const SOURCE_KEYS = ['deliveredOn', 'purchasedOn', 'purchasedFromUs', 'customerRegion', 'product', 'delivery', ...CONDITION_FIELDS];
const DEADLINE_KEYS = ['notifyBy', 'returnBy', 'reportBy', 'refundWithinDays'];
const OUTCOMES = ['approved', 'rejected', 'referred', 'incomplete'];
const REMEDIES = ['refund', 'replacement', 'repair', 'partial-refund'];
const DEDUCTION_KINDS = ['restocking-fee', 'diminished-value', 'claimed-software', 'delivery-upgrade'];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Everything wrong with a decision's shape; empty when it matches CONTRACT section 4. */
function shapeProblems(d: Decision, input: CaseInput, clauseIds: Set<string>): string[] {
  const p: string[] = [];
  const raw = d as unknown as Record<string, unknown>;
  const keys = Object.keys(raw).sort();
  if (JSON.stringify(keys) !== JSON.stringify([...DECISION_KEYS].sort())) p.push(`keys ${JSON.stringify(keys)}`);
  if (d.policy !== input.policy) p.push(`policy ${String(d.policy)}`);
  if (typeof d.policyVersion !== 'string' || !d.policyVersion) p.push('policyVersion');
  if (d.reason !== input.reason) p.push(`reason ${String(d.reason)} not echoed`);
  if (!OUTCOMES.includes(d.outcome)) p.push(`outcome ${String(d.outcome)}`);
  if (!Array.isArray(d.needs) || d.needs.some((f) => !(CONDITION_FIELDS as readonly string[]).includes(f))) p.push(`needs ${JSON.stringify(d.needs)}`);
  else if ((d.outcome === 'incomplete') !== d.needs.length > 0) p.push(`needs ${JSON.stringify(d.needs)} with outcome ${d.outcome}`);
  if (!Array.isArray(d.remedies) || d.remedies.some((r) => !REMEDIES.includes(r))) p.push(`remedies ${JSON.stringify(d.remedies)}`);
  else if ((d.outcome === 'approved') !== d.remedies.length > 0) p.push(`remedies ${JSON.stringify(d.remedies)} with outcome ${d.outcome}`);
  if (d.outcome === 'approved' ? !['customer', 'retailer'].includes(String(d.remedyChosenBy)) : ![null, 'customer', 'retailer'].includes(d.remedyChosenBy))
    p.push(`remedyChosenBy ${String(d.remedyChosenBy)}`);
  if (!Array.isArray(d.deductions)) p.push('deductions not a list');
  else {
    for (const x of d.deductions) {
      if (!isPlainObject(x) || JSON.stringify(Object.keys(x).sort()) !== '["certainty","kind"]' || !DEDUCTION_KINDS.includes(x.kind) || !['may', 'will'].includes(x.certainty))
        p.push(`deduction ${JSON.stringify(x)}`);
    }
  }
  if (!Array.isArray(d.conditions) || d.conditions.some((c) => typeof c !== 'string' || !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(c))) p.push(`conditions ${JSON.stringify(d.conditions)}`);
  if (!isPlainObject(d.deadlines)) p.push('deadlines not an object');
  else {
    if (JSON.stringify(Object.keys(d.deadlines).sort()) !== JSON.stringify([...DEADLINE_KEYS].sort())) p.push(`deadline keys ${JSON.stringify(Object.keys(d.deadlines))}`);
    for (const k of ['notifyBy', 'returnBy', 'reportBy'] as const) {
      const v = d.deadlines[k];
      if (!(v === null || (typeof v === 'string' && DATE.test(v)))) p.push(`deadlines.${k} ${JSON.stringify(v)}`);
    }
    const r = d.deadlines.refundWithinDays;
    if (!(r === null || (Number.isInteger(r) && r >= 0))) p.push(`deadlines.refundWithinDays ${JSON.stringify(r)}`);
  }
  if (!Array.isArray(d.reasons) || d.reasons.length === 0) p.push('reasons empty');
  else {
    for (const r of d.reasons) {
      if (!isPlainObject(r) || typeof r.code !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(r.code) || !isPlainObject(r.params)) p.push(`reason ${JSON.stringify(r)}`);
      else for (const v of Object.values(r.params)) if (!(v === null || ['string', 'number', 'boolean'].includes(typeof v))) p.push(`reason param ${JSON.stringify(r)}`);
    }
  }
  if (!Array.isArray(d.clauses) || d.clauses.length === 0) p.push('no clauses cited');
  else for (const c of d.clauses) if (!clauseIds.has(c)) p.push(`clause ${c} not in policy show`);
  if (typeof d.rmaRequired !== 'boolean') p.push('rmaRequired not boolean');
  else if (d.rmaRequired && d.outcome !== 'approved') p.push(`rmaRequired with outcome ${d.outcome}`);
  if (!(d.statutoryNote === null || typeof d.statutoryNote === 'string')) p.push('statutoryNote');
  if (!isPlainObject(d.sources)) p.push('sources not an object');
  else {
    for (const [k, v] of Object.entries(d.sources)) {
      if (!SOURCE_KEYS.includes(k) || !['order', 'customer', 'staff'].includes(String(v))) p.push(`sources.${k} ${JSON.stringify(v)}`);
      // A condition fact is recorded only when the case gave it (a pack default is no one's word).
      if ((CONDITION_FIELDS as readonly string[]).includes(k) && (input.condition as Record<string, unknown> | undefined)?.[k] == null) p.push(`sources.${k} for a fact the case does not give`);
    }
  }
  try {
    if (JSON.stringify(JSON.parse(JSON.stringify(d))) !== JSON.stringify(d)) p.push('not plain JSON');
  } catch {
    p.push('not serialisable');
  }
  return p;
}

function badValue(field: ConditionField): boolean | string {
  if (field === 'faultCause') return 'accident';
  if (field === 'manufacturerPreauth') return 'none';
  return !GOOD_CONDITION[field];
}

describe('engine: every decision has the shape of CONTRACT section 4', () => {
  const clauseIds = new Map<PackId, Set<string>>();
  before(async () => {
    for (const id of PACK_IDS) clauseIds.set(id, await shownClauseIds(id));
  });

  const categories: { category: Category; requiresManufacturerPreauth?: boolean }[] = [
    { category: 'peripheral' },
    { category: 'software' },
    { category: 'headphones' },
    { category: 'notebook', requiresManufacturerPreauth: true },
  ];
  for (const pack of PACK_IDS) {
    for (const reason of REASON_LIST) {
      it(`${pack} ${reason}: good, all-unknown and one-bad-fact cases on days 0–400 all match`, () => {
        const ids = clauseIds.get(pack) ?? new Set<string>();
        const problems: string[] = [];
        let count = 0;
        for (const product of categories) {
          for (const day of [0, 2, 20, 31, 400]) {
            const patch: CasePatch = { reason, day, product, delivery: { charge: 9.99, cheapestCharge: 4.99 } };
            const inputs: CaseInput[] = [goodCase(pack, patch), goodCase(pack, patch, 'all'), goodCase(pack, { ...patch, purchasedFromUs: false }, 'all')];
            for (const f of CONDITION_FIELDS) {
              inputs.push(goodCase(pack, { ...patch, condition: { [f]: badValue(f) } }));
              inputs.push(goodCase(pack, patch, [f]));
            }
            for (const input of inputs) {
              count++;
              const d = decideInput(input);
              for (const problem of shapeProblems(d, input, ids)) problems.push(`${product.category} day ${day} ${JSON.stringify(input.condition)}: ${problem}`);
            }
          }
        }
        expect(count).to.be.greaterThan(100);
        expect(problems.slice(0, 10), `${problems.length} problem(s)`).to.deep.equal([]);
      });
    }
  }

  it('the shape holds with the `unavailable` option too', () => {
    const input = goodCase('uk-online', { reason: 'faulty' }, ['serialLabelIntact']);
    const d = decideInput(input, { unavailable: ['serialLabelIntact'] });
    expect(shapeProblems(d, input, clauseIds.get('uk-online') ?? new Set())).to.deep.equal([]);
  });

  it('unknown fields in the case do not leak into the decision (uk change of mind, all unknown)', () => {
    const input = withUnknown(goodCase('uk-online'), 'all');
    const d = decideInput(input);
    expect(Object.keys(d)).to.have.members(DECISION_KEYS);
  });
});

// ================================================================================================
// Pack data integrity
// ================================================================================================

function normalise(text: string): string {
  return text
    .replace(/[\u2018\u2019\u201B\u2032]/g, "'")
    .replace(/[\u201C\u201D\u201F\u2033]/g, '"')
    .replace(/\s+/g, ' ')
    .trim();
}

describe('pack data: every clause text is quoted from its source', () => {
  for (const id of PACK_IDS) {
    const pack = loadPack(id).pack;
    it(`${id}: names a source file that exists`, () => {
      expect(pack.source, 'pack.source').to.be.a('string');
      expect(() => readFileSync(join(PACKS_DIR, pack.source ?? ''), 'utf8')).to.not.throw();
    });
    const source = normalise(readFileSync(join(PACKS_DIR, pack.source ?? `sources/${id}.txt`), 'utf8'));
    for (const clause of pack.clauses.filter((c) => c.origin === 'retailer-addition')) {
      it(`${clause.id}: a retailer's addition, so not presented as a quote (its text is not in the written policy)`, () => {
        const words = normalise(clause.text);
        expect(source.includes(words), 'an addition must not repeat the policy: quote it as a written-policy clause instead').to.equal(false);
        expect(clause.id.startsWith(`${id}/addition/`), 'additions live under <pack>/addition/').to.equal(true);
      });
    }
    for (const clause of pack.clauses.filter((c) => c.origin !== 'retailer-addition')) {
      it(`${clause.id}: quoted (fragments joined by " … " appear in order)`, () => {
        const fragments = normalise(clause.text)
          .split('…')
          .map((f) => f.trim())
          .filter(Boolean);
        expect(fragments.length).to.be.greaterThan(0);
        let from = 0;
        for (const fragment of fragments) {
          const at = source.indexOf(fragment, from);
          expect(at, `fragment not found in order: "${fragment}"`).to.be.at.least(0);
          from = at + fragment.length;
        }
      });
    }
  }
});
