/**
 * Where each fact came from (issue 11): a decision records the source of every fact it used, and a
 * delivery date the customer states later than the order's record, when it changes the outcome, is
 * referred to a person (DELIVERY_DATE_DISPUTED) instead of being taken on their word.
 */
import { expect } from 'chai';
import { caseSchema, type CaseInput } from '../../src/policy/case.js';
import type { Decision } from '../../src/policy/decision.js';
import { decide } from '../../src/policy/engine.js';
import { loadPack } from '../../src/policy/packs.js';
import { goodCase, plusDays, withUnknown, type CasePatch, type PackId } from '../support/cases.js';

const decideInput = (input: CaseInput): Decision => decide(caseSchema.parse(input), loadPack(input.policy));

describe('sources: every fact a decision used, with where it came from', () => {
  it("defaults: the order for the order's facts, the customer for the item's condition", () => {
    const d = decideInput(goodCase('uk-online', { product: { category: 'software' } }));
    expect(d.outcome).to.equal('approved');
    expect(d.sources).to.include({ deliveredOn: 'order', purchasedFromUs: 'order', product: 'order', delivery: 'order', sealBroken: 'customer', used: 'customer', serialLabelIntact: 'customer' });
  });

  it('a source the case gives is recorded as given', () => {
    const d = decideInput({ ...goodCase('uk-online'), sources: { deliveredOn: 'customer', used: 'staff' } });
    expect(d.sources?.deliveredOn).to.equal('customer');
    expect(d.sources?.used).to.equal('staff');
  });

  it('a fact the decision did not use is not recorded, even when the case gives it', () => {
    // impress-us change of mind never looks at the fault's cause, nor uk-online's at the seal of a mouse.
    expect(decideInput(goodCase('impress-us')).sources).not.to.have.property('faultCause');
    expect(decideInput(goodCase('uk-online', { product: { category: 'peripheral' } })).sources).not.to.have.property('sealBroken');
  });

  it('an unknown fact is not recorded (no one said it); nor is a value the pack assumes for a product without the feature', () => {
    const d = decideInput(withUnknown(goodCase('uk-online', { product: { category: 'headphones' } }), ['used', 'serialLabelIntact']));
    expect(d.outcome).to.equal('incomplete');
    expect(d.sources).not.to.have.property('used');
    expect(d.sources).not.to.have.property('serialLabelIntact');
  });
});

describe('sources: DELIVERY_DATE_DISPUTED', () => {
  const RECORD = '2026-12-01';
  const TODAY = '2026-12-30';
  const stated = (pack: PackId, deliveredOn: string, patch: CasePatch = {}, unknown: Parameters<typeof goodCase>[2] = []): CaseInput => ({
    ...goodCase(pack, { deliveredOn, today: TODAY, purchasedOn: '2026-11-10', ...patch }, unknown),
    recordedDeliveredOn: RECORD,
  });

  it("uk change of mind: late on the record, in time on the customer's later date → referred, citing the retailer's rule", () => {
    const d = decideInput(stated('uk-online', '2026-12-17'));
    expect(d.outcome).to.equal('referred');
    expect(d.reasons).to.deep.equal([
      { code: 'DELIVERY_DATE_DISPUTED', params: { statedDeliveredOn: '2026-12-17', recordedDeliveredOn: RECORD, outcomeAsStated: 'approved', outcomeOnRecord: 'rejected' } },
    ]);
    expect(d.clauses).to.deep.equal(['uk-online/addition/disputed-delivery-date']);
    expect(d.remedies).to.deep.equal([]);
    expect(d.rmaRequired).to.equal(false);
    expect(d.sources?.deliveredOn).to.equal('customer');
    const clause = loadPack('uk-online').pack.clauses.find((c) => c.id === d.clauses[0]);
    expect(clause?.origin).to.equal('retailer-addition');
  });

  it('impress-us: rejected on the record (day 40), approved on the stated date (day 10) → referred', () => {
    const d = decideInput({ ...stated('impress-us', '2026-12-20'), recordedDeliveredOn: '2026-11-20' });
    expect(d.outcome).to.equal('referred');
    expect(d.reasons[0]!.code).to.equal('DELIVERY_DATE_DISPUTED');
    expect(d.clauses).to.deep.equal(['impress-us/addition/disputed-delivery-date']);
  });

  it('a later stated date that changes only the remedies (uk fault: day 25 stated, day 40 on record) is referred too', () => {
    const d = decideInput({ ...stated('uk-online', plusDays(TODAY, -25), { reason: 'faulty' }), recordedDeliveredOn: plusDays(TODAY, -40) });
    expect(d.outcome).to.equal('referred');
    expect(d.reasons[0]!.params).to.include({ outcomeAsStated: 'approved', outcomeOnRecord: 'approved' });
  });

  it('a later stated date that changes nothing is used as given (deadlines from it)', () => {
    const d = decideInput({ ...stated('uk-online', '2026-12-26'), recordedDeliveredOn: '2026-12-22' });
    expect(d.outcome).to.equal('approved');
    expect(d.deadlines.notifyBy).to.equal('2027-01-09');
    expect(d.sources?.deliveredOn).to.equal('customer');
  });

  it('an earlier stated date is simply used, even when it changes the outcome', () => {
    const d = decideInput({ ...stated('uk-online', '2026-12-01'), recordedDeliveredOn: '2026-12-20' });
    expect(d.outcome).to.equal('rejected');
    expect(d.reasons.map((r) => r.code)).to.deep.equal(['CHANGE_OF_MIND_WINDOW_PASSED']);
  });

  it('a later date a member of staff states is used (staff vouch for it)', () => {
    const d = decideInput({ ...stated('uk-online', '2026-12-17'), sources: { deliveredOn: 'staff' } });
    expect(d.outcome).to.equal('approved');
    expect(d.sources?.deliveredOn).to.equal('staff');
  });

  it('the same date as the record: an ordinary decision', () => {
    expect(decideInput({ ...stated('uk-online', RECORD), recordedDeliveredOn: RECORD }).outcome).to.equal('rejected');
  });

  it('a fact that rejects on both dates still rejects (no referral for nothing)', () => {
    const d = decideInput(stated('uk-online', '2026-12-17', { condition: { serialLabelIntact: false } }));
    expect(d.outcome).to.equal('rejected');
    expect(d.reasons.map((r) => r.code)).to.include('SERIAL_LABEL_REMOVED');
  });

  it('while a missing fact decides whether the date matters, the case is incomplete; answering it decides', () => {
    const open = stated('uk-online', '2026-12-17', {}, ['used']);
    const d = decideInput(open);
    expect(d.outcome).to.equal('incomplete');
    expect(d.needs).to.deep.equal(['used']);
    expect(decideInput({ ...open, condition: { ...open.condition, used: false } }).outcome).to.equal('referred');
    expect(decideInput({ ...open, condition: { ...open.condition, used: true } }).outcome).to.equal('rejected');
  });
});
