/**
 * Property tests of decide() over arbitrary valid cases, for both shipped packs.
 *
 * The properties come from CONTRACT.md §4–§5: precedence reject > refer > approve, `incomplete`
 * only while a missing fact could change the outcome, remedies only when approved, clauses that
 * exist in the pack, the "any reason" rejections, and a conversation that always makes progress.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { CONDITION_FIELDS, caseSchema, type Case, type ConditionField } from '../../src/policy/case.js';
import { OUTCOMES, type Decision } from '../../src/policy/decision.js';
import { decide } from '../../src/policy/engine.js';
import { BAD, GOOD, LAST_INDEX, PACK_IDS, RUNS, VALUES, caseArb, caseInputArb, dateAt, dayBefore, indexOf, packOf, type PackId } from './arbitraries.js';

const run = (c: Case): Decision => decide(c, packOf(c.policy));
const known = (c: Case, f: ConditionField): boolean => c.condition[f] !== undefined && c.condition[f] !== null;
const withCondition = (c: Case, f: ConditionField, v: boolean | string): Case => caseSchema.parse({ ...c, condition: { ...c.condition, [f]: v } });

// ---------------------------------------------------------------- properties

describe('properties: decide() over arbitrary valid cases (both packs)', () => {
  it('the arbitraries produce valid cases of every outcome (sanity check of the generator)', () => {
    const seen = new Map<string, number>();
    fc.assert(
      fc.property(caseArb(), (c) => {
        const key = `${c.policy}:${run(c).outcome}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
      }),
      { numRuns: 2000 },
    );
    for (const id of PACK_IDS) {
      for (const o of ['approved', 'rejected', 'incomplete', 'referred']) {
        expect(seen.get(`${id}:${o}`) ?? 0, `${id}:${o} in ${JSON.stringify([...seen])}`).to.be.at.least(20);
      }
    }
  });

  it('never throws; the outcome is one of approved | rejected | referred | incomplete', () => {
    fc.assert(
      fc.property(caseArb(), (c) => {
        expect(OUTCOMES).to.include(run(c).outcome);
      }),
      RUNS,
    );
  });

  it('is total beyond the schema too: a case built in code with a delivery after today, before the purchase, or a disputed date decides without throwing', () => {
    fc.assert(
      fc.property(caseArb(), fc.integer({ min: -400, max: 400 }), fc.integer({ min: -60, max: 60 }), (c, shift, recordShift) => {
        const odd: Case = {
          ...c,
          deliveredOn: dateAt(Math.max(0, Math.min(LAST_INDEX, indexOf(c.deliveredOn) + shift))),
          purchasedOn: c.today,
          recordedDeliveredOn: dateAt(Math.max(0, Math.min(LAST_INDEX, indexOf(c.deliveredOn) + recordShift))),
        };
        expect(OUTCOMES).to.include(run(odd).outcome);
      }),
      RUNS,
    );
  });

  it('needs is non-empty iff incomplete, and names only distinct condition fields that are unknown in the case', () => {
    fc.assert(
      fc.property(caseArb(), (c) => {
        const d = run(c);
        expect(d.needs.length > 0, `needs ${JSON.stringify(d.needs)} for ${d.outcome}`).to.equal(d.outcome === 'incomplete');
        expect(new Set(d.needs).size).to.equal(d.needs.length);
        for (const f of d.needs) {
          expect(CONDITION_FIELDS).to.include(f);
          expect(known(c, f), `asks for ${f}, which is already known`).to.equal(false);
        }
      }),
      RUNS,
    );
  });

  it('remedies (and who chooses, and the RMA) only when approved; approved always has remedies', () => {
    fc.assert(
      fc.property(caseArb(), (c) => {
        const d = run(c);
        const approved = d.outcome === 'approved';
        expect(d.remedies.length > 0).to.equal(approved);
        expect(d.remedyChosenBy !== null).to.equal(approved);
        if (!approved) expect(d.rmaRequired).to.equal(false);
        for (const r of d.remedies) expect(['refund', 'replacement', 'repair', 'partial-refund']).to.include(r);
        if (!approved) expect(d.deductions).to.deep.equal([]);
      }),
      RUNS,
    );
  });

  it('clauses are never empty and every clause cited exists in the pack; reasons are never empty', () => {
    fc.assert(
      fc.property(caseArb(), (c) => {
        const d = run(c);
        const ids = new Set(packOf(c.policy).pack.clauses.map((x) => x.id));
        expect(d.clauses).to.have.length.above(0);
        for (const id of d.clauses) expect(ids.has(id), `clause ${id}`).to.equal(true);
        expect(d.reasons).to.have.length.above(0);
        expect(d.policy).to.equal(c.policy);
        expect(d.reason).to.equal(c.reason);
      }),
      RUNS,
    );
  });

  it('deadlines are real calendar dates or null', () => {
    fc.assert(
      fc.property(caseArb(), (c) => {
        const { notifyBy, returnBy, reportBy } = run(c).deadlines;
        for (const x of [notifyBy, returnBy, reportBy]) {
          if (x !== null) {
            expect(x).to.match(/^\d{4}-\d{2}-\d{2}$/);
            expect(new Date(`${x}T00:00:00Z`).toISOString().slice(0, 10), `${x} is not a real date`).to.equal(x);
          }
        }
      }),
      RUNS,
    );
  });

  it('is deterministic: the same case gives a deep-equal decision, also after a JSON round trip of the case', () => {
    fc.assert(
      fc.property(caseInputArb(), (input) => {
        const c = caseSchema.parse(input);
        const first = run(c);
        expect(run(c)).to.deep.equal(first);
        const roundTripped = caseSchema.parse(JSON.parse(JSON.stringify(input)));
        expect(run(roundTripped)).to.deep.equal(first);
        expect(run(caseSchema.parse(JSON.parse(JSON.stringify(c))))).to.deep.equal(first);
      }),
      RUNS,
    );
  });

  it('a case approved on day N is not rejected on day N−1 with the same facts', () => {
    fc.assert(
      fc.property(caseArb({ deliveredBeforeToday: true }), (c) => {
        fc.pre(run(c).outcome === 'approved');
        const earlier = { ...c, today: dayBefore(c.today) };
        expect(run(earlier).outcome, `approved on ${c.today}, rejected on ${earlier.today}`).not.to.equal('rejected');
      }),
      { numRuns: 400, maxSkipsPerRun: 1000 },
    );
  });

  it('a case approved on day N is not rejected on any earlier day since delivery', () => {
    fc.assert(
      fc.property(caseArb({ deliveredBeforeToday: true }), fc.nat(), (c, k) => {
        fc.pre(run(c).outcome === 'approved');
        const span = indexOf(c.today) - indexOf(c.deliveredOn);
        const earlier = { ...c, today: dateAt(indexOf(c.deliveredOn) + (k % (span + 1))) };
        expect(run(earlier).outcome, `approved on ${c.today}, rejected on ${earlier.today}`).not.to.equal('rejected');
      }),
      { numRuns: 400, maxSkipsPerRun: 1000 },
    );
  });

  describe('"any reason" rejecting facts (CONTRACT §5) always reject, whatever else is true', () => {
    const anyReason: [PackId | 'both', string, (c: Case) => Case][] = [
      ['both', 'purchasedFromUs: false', (c) => ({ ...c, purchasedFromUs: false })],
      ['both', 'serialLabelIntact: false', (c) => withCondition(c, 'serialLabelIntact', false)],
      ['impress-us', 'upcPresent: false', (c) => withCondition(c, 'upcPresent', false)],
      ['impress-us', 'physicalDamage: true', (c) => withCondition(c, 'physicalDamage', true)],
      ['impress-us', 'rebateClaimed: true', (c) => withCondition(c, 'rebateClaimed', true)],
      ['impress-us', 'tampered: true', (c) => withCondition(c, 'tampered', true)],
    ];
    for (const [which, label, apply] of anyReason) {
      it(`${label} → rejected (${which === 'both' ? 'both packs' : which}), and never turns a rejection into an approval`, () => {
        fc.assert(
          fc.property(caseArb(), (c) => {
            fc.pre(which === 'both' || c.policy === which);
            const before = run(c).outcome;
            const after = run(apply(c)).outcome;
            expect(after, `${before} → ${after}`).to.equal('rejected');
          }),
          RUNS,
        );
      });
    }

    const byReason: [PackId, Case['reason'], string, (c: Case) => Case, (c: Case) => boolean][] = [
      ['uk-online', 'change-of-mind', 'used: true', (c) => withCondition(c, 'used', true), () => true],
      ['uk-online', 'change-of-mind', 'activationStripDamaged: true', (c) => withCondition(c, 'activationStripDamaged', true), () => true],
      ['uk-online', 'change-of-mind', 'specialOrder: true', (c) => ({ ...c, product: { ...c.product, specialOrder: true } }), () => true],
      [
        'uk-online',
        'change-of-mind',
        'sealBroken: true on software, media, memory-card or headphones',
        (c) => withCondition(c, 'sealBroken', true),
        (c) => ['software', 'media', 'memory-card', 'headphones'].includes(c.product.category),
      ],
      ['uk-online', 'faulty', 'tampered: true', (c) => withCondition(c, 'tampered', true), () => true],
      ...(['wear-and-tear', 'accident', 'misuse', 'software'] as const).map((cause): [PackId, Case['reason'], string, (c: Case) => Case, (c: Case) => boolean] => [
        'uk-online',
        'faulty',
        `faultCause: ${cause}`,
        (c) => withCondition(c, 'faultCause', cause),
        () => true,
      ]),
      ['impress-us', 'faulty', 'originalOsIntact: false on a computer', (c) => withCondition(c, 'originalOsIntact', false), (c) => ['desktop-pc', 'notebook', 'tablet'].includes(c.product.category)],
      [
        'impress-us',
        'misdescribed',
        'manufacturerPreauth "none" when the computer requires one',
        (c) => withCondition(c, 'manufacturerPreauth', 'none'),
        (c) => ['desktop-pc', 'notebook', 'tablet'].includes(c.product.category) && c.product.requiresManufacturerPreauth,
      ],
    ];
    for (const [pack, reason, label, apply, applies] of byReason) {
      it(`${pack} ${reason}: ${label} → rejected`, () => {
        fc.assert(
          fc.property(caseArb(), (c0) => {
            const c = caseSchema.parse({ ...c0, policy: pack, reason });
            fc.pre(applies(c));
            expect(run(apply(c)).outcome).to.equal('rejected');
          }),
          RUNS,
        );
      });
    }
  });

  it('turning any single known fact from its good value to a bad one never turns a rejected case into an approved one (it stays rejected)', () => {
    fc.assert(
      fc.property(caseArb(), (c) => {
        fc.pre(run(c).outcome === 'rejected');
        const flips: [string, Case][] = [];
        for (const f of CONDITION_FIELDS) {
          if (c.condition[f] !== GOOD[f]) continue;
          for (const bad of BAD[f]) flips.push([`${f}: ${String(bad)}`, withCondition(c, f, bad)]);
        }
        if (c.purchasedFromUs) flips.push(['purchasedFromUs: false', { ...c, purchasedFromUs: false }]);
        if (!c.product.specialOrder) flips.push(['specialOrder: true', { ...c, product: { ...c.product, specialOrder: true } }]);
        for (const [label, flipped] of flips) {
          const after = run(flipped).outcome;
          expect(after, `rejected, then ${label} gave ${after}`).not.to.equal('approved');
          expect(after, `rejected, then ${label} gave ${after}`).to.equal('rejected');
        }
      }),
      { numRuns: 400, maxSkipsPerRun: 1000 },
    );
  });

  it('the conversation makes progress: answering needs[0] (with any value) changes needs or ends the incompleteness', () => {
    fc.assert(
      fc.property(caseArb(), (c) => {
        const d = run(c);
        fc.pre(d.outcome === 'incomplete');
        const field = d.needs[0]!;
        for (const value of VALUES[field]) {
          const next = run(withCondition(c, field, value));
          const progressed = next.outcome !== 'incomplete' || JSON.stringify(next.needs) !== JSON.stringify(d.needs);
          expect(progressed, `answering ${field}=${String(value)} left needs at ${JSON.stringify(d.needs)}`).to.equal(true);
          expect(next.needs, `${field} asked again after it was answered`).not.to.include(field);
        }
      }),
      { numRuns: 400, maxSkipsPerRun: 1000 },
    );
  });

  it('answering every question in turn always ends in a decision (at most one question per condition field)', () => {
    fc.assert(
      fc.property(caseArb(), fc.array(fc.nat(), { minLength: CONDITION_FIELDS.length, maxLength: CONDITION_FIELDS.length }), (c0, picks) => {
        let c = c0;
        let d = run(c);
        let asked = 0;
        while (d.outcome === 'incomplete') {
          expect(asked, 'more questions than condition fields').to.be.below(CONDITION_FIELDS.length);
          const field = d.needs[0]!;
          const values = VALUES[field];
          c = withCondition(c, field, values[picks[asked]! % values.length]!);
          d = run(c);
          asked++;
        }
        expect(['approved', 'rejected', 'referred']).to.include(d.outcome);
      }),
      RUNS,
    );
  });
});
