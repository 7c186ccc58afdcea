/**
 * Citations match what was applied (issue 12): every clause a decision cites supports the outcome
 * it is cited for.
 *
 * The table below says, for every clause of both shipped packs, what it may decide — written by
 * hand from the clause's own words (the written policy, or the retailer's addition), not from the
 * engine's output. Every decision over the public case set (test/fixtures/policy-cases.jsonl, a
 * copy of the project's shared scenarios), over the property case set (test/policy/arbitraries.ts)
 * and over guarantee cases is checked against it. A clause cited for something its row does not
 * allow — or not in the table at all — fails the test.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import fc from 'fast-check';
import { caseSchema, type Case, type CaseInput, type ReturnReason } from '../../src/policy/case.js';
import type { Decision, Outcome } from '../../src/policy/decision.js';
import { decide } from '../../src/policy/engine.js';
import type { DeductionKind, Remedy } from '../../src/policy/pack.js';
import { loadPack } from '../../src/policy/packs.js';
import { goodCase, plusDays, plusMonths, type CasePatch, type PackId } from '../support/cases.js';
import { caseArb } from './arbitraries.js';

/** What a clause may be cited for. */
type Permit =
  | {
      outcome: Exclude<Outcome, 'incomplete'>;
      reasons?: ReturnReason[];
      /** One of the decision's reason codes must be one of these. */
      codes?: string[];
      /** The decision's remedies, exactly (any order). */
      remedies?: Remedy[];
      chosenBy?: 'customer' | 'retailer';
      /** Anything else the clause's words require of the case. */
      when?: (d: Decision, c: Case) => boolean;
    }
  | { deduction: DeductionKind; reasons?: ReturnReason[] }
  | { condition: string; reasons?: ReturnReason[] };

const COM: ReturnReason[] = ['change-of-mind'];
const STATUTORY: ReturnReason[] = ['faulty', 'misdescribed', 'transit-damage'];
const PC_SYSTEMS = ['desktop-pc', 'motherboard-bundle'];
const COMPUTERS = ['desktop-pc', 'notebook', 'tablet'];

/** The guarantee parameters a decision gives (the period used and what set it). */
function guarantee(d: Decision): { months: unknown; source: unknown } {
  const r = d.reasons.find((x) => 'guaranteeSource' in x.params);
  return { months: r?.params.guaranteeMonths, source: r?.params.guaranteeSource };
}
const within = (c: Case, days: number) => c.today <= plusDays(c.deliveredOn, days);
const withinMonths = (c: Case, months: number) => c.today <= plusMonths(c.deliveredOn, months);

const UK: Record<string, Permit[]> = {
  // "Nothing in this Returns Policy will affect your legal rights in relation to faulty or misdescribed goods."
  'uk-online/statutory-rights': [
    { outcome: 'referred', reasons: STATUTORY },
    { outcome: 'approved', reasons: ['misdescribed'], remedies: ['replacement'] },
  ],
  // "…within 14 calendar days from the day after delivery."
  'uk-online/change-of-mind/window': [
    { outcome: 'approved', reasons: COM, remedies: ['refund'], when: (_d, c) => within(c, 14) },
    { outcome: 'rejected', reasons: COM, codes: ['CHANGE_OF_MIND_WINDOW_PASSED'], when: (_d, c) => !within(c, 14) },
  ],
  // "…original packaging, include all accessories, be in "as new" condition and must not have been used…"
  'uk-online/change-of-mind/condition': [
    { outcome: 'rejected', reasons: COM, codes: ['USED_OR_INSTALLED'], when: (_d, c) => c.condition.used === true },
    { condition: 'original-packaging', reasons: COM },
    { condition: 'as-new', reasons: COM },
  ],
  'uk-online/change-of-mind/free-gifts': [{ condition: 'free-gifts', reasons: COM }],
  'uk-online/change-of-mind/diminished-value': [{ deduction: 'diminished-value', reasons: COM }],
  'uk-online/change-of-mind/claimed-software': [{ deduction: 'claimed-software', reasons: COM }],
  'uk-online/change-of-mind/sealed-media': [
    { outcome: 'rejected', reasons: COM, codes: ['SEAL_BROKEN'], when: (_d, c) => ['software', 'media', 'memory-card'].includes(c.product.category) && c.condition.sealBroken === true },
  ],
  'uk-online/change-of-mind/activation-strip': [{ outcome: 'rejected', reasons: COM, codes: ['ACTIVATION_STRIP_DAMAGED'], when: (_d, c) => c.condition.activationStripDamaged === true }],
  'uk-online/change-of-mind/hygiene': [{ outcome: 'rejected', reasons: COM, codes: ['HYGIENE_SEAL_BROKEN'], when: (_d, c) => c.product.category === 'headphones' && c.condition.sealBroken === true }],
  'uk-online/change-of-mind/special-order': [{ outcome: 'rejected', reasons: COM, codes: ['SPECIAL_ORDER'], when: (_d, c) => c.product.specialOrder }],
  // "You will receive your refund within 14 days…" and "…return the products to us within 14 days of telling us…"
  'uk-online/change-of-mind/refund': [{ outcome: 'approved', reasons: COM, remedies: ['refund'], when: (d) => d.deadlines.refundWithinDays === 14 }],
  'uk-online/change-of-mind/return-period': [{ outcome: 'approved', reasons: COM, when: (d, c) => d.deadlines.returnBy === plusDays(c.today, 14) }],
  'uk-online/change-of-mind/delivery-refund': [{ deduction: 'delivery-upgrade', reasons: COM }],
  'uk-online/returns/cost': [{ condition: 'return-at-customer-cost', reasons: COM }],
  'uk-online/returns/packaging': [{ condition: 'properly-packaged' }, { condition: 'all-accessories' }],
  // "…we cannot accept any returns where the serial number and/or other identifying marks have been removed… purchased from us."
  'uk-online/returns/identifying-marks': [{ outcome: 'rejected', codes: ['SERIAL_LABEL_REMOVED', 'NOT_PURCHASED_FROM_US'] }],
  // "…guaranteed against hardware faults for a period of 12 months…": only where the 12 months applied.
  'uk-online/faulty/guarantee': [
    { outcome: 'approved', reasons: ['faulty'], when: (d) => guarantee(d).source === 'default' && guarantee(d).months === 12 },
    { outcome: 'referred', reasons: ['faulty'], codes: ['GUARANTEE_ENDED_STATUTORY_RIGHTS'], when: (d) => guarantee(d).source === 'default' && guarantee(d).months === 12 },
  ],
  'uk-online/faulty/inspection': [{ condition: 'inspection', reasons: ['faulty'] }],
  // "…PC systems and motherboard bundles are guaranteed for 1 years… (unless stated otherwise in the invoice)."
  'uk-online/faulty/pc-systems': [
    {
      outcome: 'approved',
      reasons: ['faulty'],
      remedies: ['repair', 'replacement'],
      chosenBy: 'retailer',
      when: (d, c) => PC_SYSTEMS.includes(c.product.category) && (guarantee(d).source === 'invoice' || (guarantee(d).source === 'category' && guarantee(d).months === 12)),
    },
    {
      outcome: 'referred',
      reasons: ['faulty'],
      codes: ['GUARANTEE_ENDED_STATUTORY_RIGHTS'],
      when: (d, c) => PC_SYSTEMS.includes(c.product.category) && ['invoice', 'category'].includes(String(guarantee(d).source)),
    },
  ],
  'uk-online/faulty/exclusions': [{ outcome: 'rejected', reasons: ['faulty'], codes: ['FAULT_NOT_COVERED'] }],
  'uk-online/faulty/customised': [{ outcome: 'rejected', reasons: ['faulty'], codes: ['CUSTOMISED_OR_ALTERED'] }],
  'uk-online/faulty/software': [{ outcome: 'rejected', reasons: ['faulty'], codes: ['SOFTWARE_FAULT_NOT_COVERED'] }],
  'uk-online/faulty/back-up': [{ condition: 'back-up-data', reasons: ['faulty'] }],
  // "If you let us know about the fault within 30 days of delivery… a choice of a full refund, or… repaired or replaced."
  'uk-online/faulty/within-30-days': [{ outcome: 'approved', reasons: ['faulty'], remedies: ['refund', 'repair', 'replacement'], chosenBy: 'customer', when: (_d, c) => within(c, 30) }],
  // "If a fault arises between 30 days and 12 months… repair it… replace it": the policy's own 12 months only.
  'uk-online/faulty/after-30-days': [
    {
      outcome: 'approved',
      reasons: ['faulty'],
      remedies: ['repair', 'replacement'],
      chosenBy: 'retailer',
      when: (d, c) => !within(c, 30) && withinMonths(c, 12) && guarantee(d).source !== 'invoice' && guarantee(d).months === 12,
    },
  ],
  'uk-online/faulty/not-faulty': [{ condition: 'return-at-customer-cost-if-not-faulty', reasons: ['faulty'] }],
  'uk-online/misdescribed/within-30-days': [{ outcome: 'approved', reasons: ['misdescribed'], remedies: ['refund', 'replacement'], chosenBy: 'customer', when: (_d, c) => within(c, 30) }],
  'uk-online/misdescribed/after-30-days': [{ outcome: 'approved', reasons: ['misdescribed'], remedies: ['replacement'], when: (_d, c) => !within(c, 30) }],
  // "…report it to us… within 5 working days." (in time, or late: then a person decides)
  'uk-online/transit-damage/report': [
    { outcome: 'approved', reasons: ['transit-damage'], when: (d, c) => d.deadlines.reportBy !== null && c.today <= d.deadlines.reportBy },
    { outcome: 'referred', reasons: ['transit-damage'], codes: ['TRANSIT_DAMAGE_REPORTED_LATE'], when: (d, c) => d.deadlines.reportBy !== null && c.today > d.deadlines.reportBy },
  ],
  // The retailer's additions.
  'uk-online/addition/invoice-guarantee': [
    {
      outcome: 'approved',
      reasons: ['faulty'],
      remedies: ['repair', 'replacement'],
      chosenBy: 'retailer',
      when: (d, c) => guarantee(d).source === 'invoice' && !PC_SYSTEMS.includes(c.product.category) && guarantee(d).months === c.product.guaranteeMonths,
    },
    { outcome: 'referred', reasons: ['faulty'], codes: ['GUARANTEE_ENDED_STATUTORY_RIGHTS'], when: (d, c) => guarantee(d).source === 'invoice' && !PC_SYSTEMS.includes(c.product.category) },
  ],
  'uk-online/addition/transit-damage-remedy': [{ outcome: 'approved', reasons: ['transit-damage'], remedies: ['refund', 'replacement'], chosenBy: 'customer' }],
  'uk-online/addition/referral': [{ outcome: 'referred' }],
  'uk-online/addition/disputed-delivery-date': [{ outcome: 'referred', codes: ['DELIVERY_DATE_DISPUTED'] }],
};

const IMPRESS: Record<string, Permit[]> = {
  // "All product returns require a Return Merchandise Authorization (RMA) number."
  'impress-us/rma': [{ outcome: 'approved', when: (d) => d.rmaRequired }],
  'impress-us/restocking-fee': [{ deduction: 'restocking-fee' }],
  // "…new with the retail packaging never opened can be returned… within 30 days regardless…": unopened only.
  'impress-us/unopened': [{ outcome: 'approved', reasons: COM, when: (_d, c) => c.condition.packagingOpened === false && within(c, 30) }],
  // "Products that are received by Impress in any of the following conditions… may be rejected": the check on arrival.
  'impress-us/received-condition': [{ condition: 'inspection', reasons: COM, when: (_d, c) => c.condition.packagingOpened !== false }],
  // "Return for refund within: 30 days … Return for replacement within: 30 days"
  'impress-us/standard-policy': [
    { outcome: 'approved', when: (_d, c) => within(c, 30) },
    { outcome: 'rejected', codes: ['RETURN_WINDOW_PASSED'], when: (_d, c) => !within(c, 30) },
  ],
  'impress-us/ineligible/not-purchased': [{ outcome: 'rejected', codes: ['NOT_PURCHASED_FROM_US'] }],
  'impress-us/ineligible/reason-not-shown': [{ condition: 'inspection', reasons: ['faulty', 'misdescribed'] }],
  'impress-us/ineligible/serial-label': [{ outcome: 'rejected', codes: ['SERIAL_LABEL_REMOVED'] }, { condition: 'serial-label-intact' }],
  // "…without all original packaging and accessories… may incur a restocking fee or be rejected."
  'impress-us/ineligible/packaging-accessories': [{ outcome: 'referred', codes: ['MISSING_PACKAGING_OR_ACCESSORIES'] }, { condition: 'original-packaging' }, { condition: 'all-accessories' }],
  'impress-us/ineligible/upc': [{ outcome: 'rejected', codes: ['UPC_REMOVED'] }, { condition: 'upc-present' }],
  'impress-us/ineligible/physical-damage': [{ outcome: 'rejected', codes: ['PHYSICAL_DAMAGE'] }],
  'impress-us/ineligible/rebate': [{ outcome: 'rejected', codes: ['REBATE_CLAIMED'] }],
  'impress-us/ineligible/tampered': [{ outcome: 'rejected', codes: ['TAMPERED'] }],
  'impress-us/computers/repair-or-replace': [
    { outcome: 'approved', reasons: ['faulty', 'misdescribed'], remedies: ['refund', 'repair', 'replacement'], chosenBy: 'retailer', when: (_d, c) => COMPUTERS.includes(c.product.category) },
  ],
  'impress-us/computers/preauth': [{ outcome: 'rejected', codes: ['MANUFACTURER_PREAUTH_REQUIRED'], when: (_d, c) => COMPUTERS.includes(c.product.category) }],
  'impress-us/computers/operating-system': [{ outcome: 'rejected', codes: ['ORIGINAL_OS_REMOVED'], when: (_d, c) => COMPUTERS.includes(c.product.category) }],
  // The retailer's additions.
  'impress-us/addition/transit-damage': [{ outcome: 'referred', reasons: ['transit-damage'], codes: ['CARRIER_CLAIM'] }],
  'impress-us/addition/staff-decides': [{ outcome: 'referred', codes: ['MISSING_PACKAGING_OR_ACCESSORIES'] }],
  'impress-us/addition/referral': [{ outcome: 'referred' }],
  'impress-us/addition/disputed-delivery-date': [{ outcome: 'referred', codes: ['DELIVERY_DATE_DISPUTED'] }],
};

const TABLE: Record<PackId, Record<string, Permit[]>> = { 'uk-online': UK, 'impress-us': IMPRESS };

function allows(p: Permit, d: Decision, c: Case): boolean {
  if (p.reasons && !p.reasons.includes(d.reason)) return false;
  if ('deduction' in p) return d.outcome === 'approved' && d.deductions.some((x) => x.kind === p.deduction);
  if ('condition' in p) return d.outcome === 'approved' && d.conditions.includes(p.condition);
  if (d.outcome !== p.outcome) return false;
  if (p.codes && !d.reasons.some((r) => p.codes!.includes(r.code))) return false;
  if (p.remedies && [...d.remedies].sort().join() !== [...p.remedies].sort().join()) return false;
  if (p.chosenBy && d.remedyChosenBy !== p.chosenBy) return false;
  return p.when ? p.when(d, c) : true;
}

/** Every cited clause that its row does not allow for this decision (empty: all supported). */
function unsupported(d: Decision, c: Case): string[] {
  const table = TABLE[c.policy as PackId];
  return d.clauses.filter((id) => {
    const permits = table[id];
    if (!permits) return true;
    // An incomplete decision cites the clauses waiting for the facts it asks: they must be able to decide this reason.
    if (d.outcome === 'incomplete') return !permits.some((p) => !p.reasons || p.reasons.includes(d.reason));
    return !permits.some((p) => allows(p, d, c));
  });
}

function describe_(d: Decision, c: Case): string {
  return `${c.policy} ${c.reason} ${c.product.category} delivered ${c.deliveredOn} told ${c.today} → ${d.outcome} ${JSON.stringify(d.remedies)} ${d.reasons.map((r) => r.code).join(',')} cites ${JSON.stringify(d.clauses)}`;
}

function check(cases: Case[]): string[] {
  const problems: string[] = [];
  for (const c of cases) {
    const d = decide(c, loadPack(c.policy));
    const bad = unsupported(d, c);
    if (bad.length) problems.push(`${bad.join(', ')} do not support: ${describe_(d, c)}`);
  }
  return problems;
}

const PUBLIC_CASES: Case[] = readFileSync(fileURLToPath(new URL('../fixtures/policy-cases.jsonl', import.meta.url)), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => caseSchema.parse((JSON.parse(l) as { case: CaseInput }).case));

const parse = (pack: PackId, patch: CasePatch): Case => caseSchema.parse(goodCase(pack, patch));

describe('citations: every clause a decision cites supports the outcome it is cited for (issue 12)', () => {
  it('the table covers every clause of both packs that a rule, the fallback, the guarantee or a dispute can cite', () => {
    for (const id of ['uk-online', 'impress-us'] as const) {
      const pack = loadPack(id).pack;
      const g = pack.guaranteeMonths;
      const citable = new Set([
        ...pack.rules.flatMap((r) => r.clauses),
        ...pack.fallback.clauses,
        ...(pack.disputedDeliveryDate?.clauses ?? []),
        ...(g?.clauses ?? []),
        ...(g?.invoiceClauses ?? []),
        ...Object.values(g?.byCategory ?? {}).flatMap((e) => (typeof e === 'object' ? [...(e.clauses ?? []), ...(e.invoiceClauses ?? [])] : [])),
      ]);
      const missing = [...citable].filter((c) => !(c in TABLE[id]));
      expect(missing, `${id}: clauses without a row`).to.deep.equal([]);
      const unknown = Object.keys(TABLE[id]).filter((c) => !pack.clauses.some((x) => x.id === c));
      expect(unknown, `${id}: rows for clauses the pack does not have`).to.deep.equal([]);
    }
  });

  it('over the public case set (policy-cases.jsonl)', () => {
    expect(PUBLIC_CASES).to.have.length.at.least(16);
    expect(check(PUBLIC_CASES)).to.deep.equal([]);
  });

  it('over the property case set (3000 arbitrary valid cases of both packs)', () => {
    const cases = fc.sample(caseArb(), { numRuns: 3000, seed: 20261230 });
    const problems = check(cases);
    expect(problems.slice(0, 8), `${problems.length} decision(s) cite a clause that does not support them`).to.deep.equal([]);
  });

  it('the checker can fail: a clause cited for the wrong outcome is caught', () => {
    const c = parse('impress-us', { condition: { packagingOpened: true } });
    const d = decide(c, loadPack('impress-us'));
    expect(unsupported({ ...d, clauses: [...d.clauses, 'impress-us/unopened'] }, c)).to.deep.equal(['impress-us/unopened']);
    expect(unsupported({ ...d, clauses: [...d.clauses, 'impress-us/rma/contact'] }, c)).to.deep.equal(['impress-us/rma/contact']);
  });
});

describe('citations: the guarantee cites the clause that set the period, with the period and its source in the params', () => {
  const D = '2026-03-02';
  // [category, invoice months, day told (months after delivery), outcome, expected clause, source, months]
  const rows: [string, number | null, number, Outcome, string, string, number][] = [
    ['peripheral', null, 6, 'approved', 'uk-online/faulty/guarantee', 'default', 12],
    ['peripheral', null, 14, 'referred', 'uk-online/faulty/guarantee', 'default', 12],
    ['peripheral', 36, 20, 'approved', 'uk-online/addition/invoice-guarantee', 'invoice', 36],
    ['peripheral', 36, 37, 'referred', 'uk-online/addition/invoice-guarantee', 'invoice', 36],
    ['notebook', 24, 13, 'approved', 'uk-online/addition/invoice-guarantee', 'invoice', 24],
    ['peripheral', 6, 4, 'approved', 'uk-online/addition/invoice-guarantee', 'invoice', 6],
    ['peripheral', 6, 8, 'referred', 'uk-online/addition/invoice-guarantee', 'invoice', 6],
    ['peripheral', 2, 3, 'referred', 'uk-online/addition/invoice-guarantee', 'invoice', 2],
    ['desktop-pc', null, 6, 'approved', 'uk-online/faulty/pc-systems', 'category', 12],
    ['motherboard-bundle', null, 13, 'referred', 'uk-online/faulty/pc-systems', 'category', 12],
    ['desktop-pc', 36, 20, 'approved', 'uk-online/faulty/pc-systems', 'invoice', 36],
    ['desktop-pc', 24, 25, 'referred', 'uk-online/faulty/pc-systems', 'invoice', 24],
  ];
  for (const [category, invoice, months, outcome, clause, source, period] of rows) {
    it(`${category}${invoice === null ? '' : `, ${invoice} months on the invoice`}, told ${months} months after delivery: ${outcome}, cites ${clause} (${source}, ${period} months)`, () => {
      const c = parse('uk-online', { reason: 'faulty', deliveredOn: D, today: plusMonths(D, months), product: { category: category as 'peripheral', guaranteeMonths: invoice } });
      const d = decide(c, loadPack('uk-online'));
      expect(d.outcome).to.equal(outcome);
      expect(d.clauses).to.include(clause);
      expect(d.clauses[0], 'the clause that set the period comes first').to.equal(clause);
      expect(guarantee(d)).to.deep.equal({ months: period, source });
      // The standard clauses say "12 months": never cited for another period.
      if (period !== 12 || source === 'invoice') expect(d.clauses).not.to.include.members(['uk-online/faulty/after-30-days']);
      if (source !== 'default') expect(d.clauses).not.to.include('uk-online/faulty/guarantee');
      expect(d.deadlines.notifyBy).to.equal(plusMonths(D, period));
      expect(unsupported(d, c)).to.deep.equal([]);
    });
  }

  it('a fault within 30 days is the 30-day choice whatever the guarantee: no period clause is needed', () => {
    const d = decide(parse('uk-online', { reason: 'faulty', day: 10, product: { guaranteeMonths: 2 } }), loadPack('uk-online'));
    expect(d.clauses).to.include('uk-online/faulty/within-30-days');
    expect(d.remedies).to.have.members(['refund', 'repair', 'replacement']);
  });
});

describe('citations: impress-us change of mind cites what allows it', () => {
  it('unopened: the "never opened … regardless" clause', () => {
    const d = decide(parse('impress-us', { condition: { packagingOpened: false } }), loadPack('impress-us'));
    expect(d.outcome).to.equal('approved');
    expect(d.clauses).to.include('impress-us/unopened');
    expect(d.conditions).not.to.include('inspection');
  });
  it('opened: the standard 30 days, the restocking fee and the check on arrival — never the unopened clause', () => {
    const d = decide(parse('impress-us', { condition: { packagingOpened: true } }), loadPack('impress-us'));
    expect(d.outcome).to.equal('approved');
    expect(d.clauses).not.to.include('impress-us/unopened');
    expect(d.clauses).to.include.members(['impress-us/standard-policy', 'impress-us/restocking-fee', 'impress-us/received-condition']);
    expect(d.conditions).to.include('inspection');
    expect(d.deductions).to.deep.equal([{ kind: 'restocking-fee', certainty: 'may' }]);
  });
  it('packaging not known: still approved (the fact changes only the clause), with the inspection that may apply', () => {
    const d = decide(caseSchema.parse(goodCase('impress-us', {}, ['packagingOpened'])), loadPack('impress-us'));
    expect(d.outcome).to.equal('approved');
    expect(d.needs).to.deep.equal([]);
    expect(d.clauses).not.to.include('impress-us/unopened');
    expect(d.conditions).to.include('inspection');
  });
});

describe("citations: the retailer's own rules are clauses of their own, marked as additions", () => {
  it('impress-us transit damage cites the carrier-claim addition, not the RMA contact clause', () => {
    const d = decide(parse('impress-us', { reason: 'transit-damage' }), loadPack('impress-us'));
    expect(d.outcome).to.equal('referred');
    expect(d.clauses).to.deep.equal(['impress-us/addition/transit-damage']);
    const clause = loadPack('impress-us').pack.clauses.find((c) => c.id === 'impress-us/addition/transit-damage');
    expect(clause?.origin).to.equal('retailer-addition');
    // The written clause about RMA contact no longer claims to cover carriers.
    const contact = loadPack('impress-us').pack.clauses.find((c) => c.id === 'impress-us/rma/contact');
    expect(`${contact?.text} ${contact?.decides}`).not.to.match(/carrier/i);
  });
  it('uk-online transit damage in time cites the remedies addition (the written policy gives no remedies)', () => {
    const d = decide(parse('uk-online', { reason: 'transit-damage', day: 2 }), loadPack('uk-online'));
    expect(d.clauses).to.include.members(['uk-online/transit-damage/report', 'uk-online/addition/transit-damage-remedy']);
  });
  it('no written clause summarises a decision its text does not make (a summary names no person, carrier or support team its quoted text lacks)', () => {
    for (const id of ['uk-online', 'impress-us'] as const) {
      for (const c of loadPack(id).pack.clauses.filter((x) => x.origin === 'written-policy')) {
        for (const word of ['person', 'carrier', 'support team']) {
          if (c.decides.toLowerCase().includes(word)) expect(c.text.toLowerCase(), `${c.id}: "${c.decides}"`).to.include(word);
        }
      }
    }
  });
});
