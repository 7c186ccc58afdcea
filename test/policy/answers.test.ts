/**
 * Answers from the pack's own data (issue 11): what a customer may ask mid-conversation, answered
 * as values and clause ids for both shipped packs and a merchant's pack from the tests, fitted to
 * the decision when there is one; what the pack does not say is an explicit "unknown".
 *
 * Expected values come from the written policies (src/policy/packs/sources/*.txt,
 * test/fixtures/packs/eu-basic.txt), quoted next to each row.
 */
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { ASK_TOPICS } from '../../machines/commands.js';
import { ANSWER_TOPICS, answerFor, type Answer, type AnswerTopic } from '../../src/policy/answers.js';
import { caseSchema, REASONS, type CaseInput } from '../../src/policy/case.js';
import type { Decision } from '../../src/policy/decision.js';
import { decide } from '../../src/policy/engine.js';
import { loadPack } from '../../src/policy/packs.js';
import { goodCase, type CasePatch } from '../support/cases.js';

const EU = fileURLToPath(new URL('../fixtures/packs/eu-basic.yaml', import.meta.url));
const PACKS = ['uk-online', 'impress-us', EU] as const;

const decision = (pack: string, patch: CasePatch = {}): Decision => {
  const input: CaseInput = goodCase(pack, patch);
  return decide(caseSchema.parse(input), loadPack(pack));
};
const ask = (pack: string, topic: AnswerTopic, context: Parameters<typeof answerFor>[2] = {}): Answer => answerFor(loadPack(pack), topic, context);

describe("answers: the topics are the conversation's", () => {
  it('ANSWER_TOPICS is ASK_TOPICS of machines/commands.ts, in the same order', () => {
    expect([...ANSWER_TOPICS]).to.deep.equal([...ASK_TOPICS]);
  });

  it("every answer, for every pack, topic, reason and with or without a decision, cites only the pack's clauses; unknown answers cite none", () => {
    for (const pack of PACKS) {
      const ids = new Set(loadPack(pack).pack.clauses.map((c) => c.id));
      for (const topic of ANSWER_TOPICS) {
        for (const reason of [null, ...REASONS]) {
          for (const d of [null, reason ? decision(pack, { reason }) : null, reason ? decision(pack, { reason, day: 400 }) : null]) {
            const a = ask(pack, topic, { reason, decision: d });
            expect(a.topic).to.equal(topic);
            for (const c of a.clauses) expect(ids.has(c), `${pack} ${topic}: ${c}`).to.equal(true);
            if (!a.known) expect(a.clauses).to.deep.equal([]);
            expect(JSON.parse(JSON.stringify(a)), 'plain JSON data').to.deep.equal(a);
          }
        }
      }
    }
  });

  it('"other", and a topic no one knows, are unknown', () => {
    expect(ask('uk-online', 'other')).to.deep.equal({ topic: 'other', known: false, clauses: [] });
    expect(answerFor(loadPack('uk-online'), 'weather')).to.deep.equal({ topic: 'other', known: false, clauses: [] });
  });
});

describe('answers: uk-online', () => {
  const pack = 'uk-online';
  it('refundTime, change of mind: "within 14 days from the day on which we receive the product back", "by the method you used for payment"', () => {
    const a = ask(pack, 'refundTime', { reason: 'change-of-mind' });
    expect(a).to.deep.include({ known: true, withinDays: 14, from: 'received', method: 'original-payment', refundPossible: null });
    expect(a.clauses).to.deep.equal(['uk-online/change-of-mind/refund']);
  });
  it('refundTime with the decision: a fault after 30 days gives no refund (repair or replacement)', () => {
    const a = ask(pack, 'refundTime', { decision: decision(pack, { reason: 'faulty', day: 100 }) });
    expect(a).to.deep.include({ known: true, refundPossible: false, from: 'inspected', withinDays: null });
  });
  it('refundTime, transit damage: the policy does not say → unknown', () => {
    expect(ask(pack, 'refundTime', { reason: 'transit-damage' }).known).to.equal(false);
  });
  it('returnPostage: change of mind "The return is at your cost"; a fault: not stated, but if no fault is found "at your cost"', () => {
    expect(ask(pack, 'returnPostage', { reason: 'change-of-mind' })).to.deep.equal({ topic: 'returnPostage', known: true, payer: 'customer', ifNotFaulty: null, clauses: ['uk-online/returns/cost'] });
    expect(ask(pack, 'returnPostage', { reason: 'faulty' })).to.deep.equal({ topic: 'returnPostage', known: true, payer: null, ifNotFaulty: 'customer', clauses: ['uk-online/faulty/not-faulty'] });
    expect(ask(pack, 'returnPostage', { reason: 'misdescribed' }).known).to.equal(false);
  });
  it("restockingFee: none, but the refund may be reduced for opened packaging or claimed software (the decision's deductions)", () => {
    const d = decision(pack, { condition: { packagingOpened: true } });
    const a = ask(pack, 'restockingFee', { decision: d });
    expect(a).to.deep.include({ known: true, applies: 'no', percent: null, amount: null });
    expect(a.known && a.topic === 'restockingFee' && a.otherDeductions).to.deep.equal([{ kind: 'diminished-value', certainty: 'may' }]);
    expect(a.clauses).to.deep.equal(['uk-online/change-of-mind/diminished-value']);
  });
  it('whereToSend: "we will arrange with you the best way … bring it to us … collecting it … transportation"', () => {
    expect(ask(pack, 'whereToSend')).to.deep.equal({
      topic: 'whereToSend',
      known: true,
      arrangement: 'arranged-with-retailer',
      options: ['bring-in', 'collection', 'courier'],
      address: null,
      clauses: ['uk-online/returns/arrange'],
    });
  });
  it("cancelReturn and rmaNumber: the retailer's own rules, cited as its additions", () => {
    const cancel = ask(pack, 'cancelReturn');
    expect(cancel).to.deep.include({ known: true, allowed: true, how: ['do-not-send', 'ask-staff'] });
    const rma = ask(pack, 'rmaNumber');
    expect(rma).to.deep.include({ known: true, required: true });
    for (const id of [...cancel.clauses, ...rma.clauses]) expect(loadPack(pack).pack.clauses.find((c) => c.id === id)?.origin).to.equal('retailer-addition');
  });
  it('otherRemedy: within 30 days of a fault the customer chooses; "can I get a refund instead?" → yes', () => {
    const a = ask(pack, 'otherRemedy', { decision: decision(pack, { reason: 'faulty', day: 10 }), remedy: 'refund' });
    expect(a).to.deep.include({ known: true, remedies: ['refund', 'repair', 'replacement'], chosenBy: 'customer', requested: 'refund', requestedAllowed: true });
    expect(a.clauses).to.deep.equal(['uk-online/faulty/within-30-days']);
  });
  it("otherRemedy: after 30 days it is repair or replacement at the retailer's choice; a refund is not on offer", () => {
    const a = ask(pack, 'otherRemedy', { decision: decision(pack, { reason: 'faulty', day: 100 }), remedy: 'refund' });
    expect(a).to.deep.include({ remedies: ['repair', 'replacement'], chosenBy: 'retailer', requestedAllowed: false });
    expect(a.clauses).to.deep.equal(['uk-online/faulty/after-30-days']);
  });
  it('otherRemedy with an invoice guarantee cites the clause that set it', () => {
    const a = ask(pack, 'otherRemedy', { decision: decision(pack, { reason: 'faulty', day: 500, product: { guaranteeMonths: 36 } }) });
    expect(a.clauses).to.deep.equal(['uk-online/addition/invoice-guarantee']);
  });
  it('otherRemedy before a decision: unknown (decide first)', () => {
    expect(ask(pack, 'otherRemedy').known).to.equal(false);
  });
  it('nextSteps after an approved change of mind: RMA, send by returnBy (arranged with us), refund within 14 days of receipt', () => {
    const d = decision(pack);
    const a = ask(pack, 'nextSteps', { decision: d });
    expect(a.known && a.topic === 'nextSteps' && a.steps).to.deep.equal([
      { step: 'rma' },
      { step: 'send-item', by: d.deadlines.returnBy, arrangement: 'arranged-with-retailer', options: ['bring-in', 'collection', 'courier'] },
      { step: 'remedy', remedies: ['refund'], chosenBy: 'customer' },
      { step: 'refund', withinDays: 14, from: 'received' },
    ]);
    expect(a.clauses).to.include.members(['uk-online/addition/rma', 'uk-online/returns/arrange', 'uk-online/change-of-mind/refund']);
  });
  it('nextSteps follows the decision: incomplete → the next question, referred → a person, rejected → not returnable, none yet → the check', () => {
    const steps = (d: Decision | null) => {
      const a = ask(pack, 'nextSteps', { decision: d });
      return a.known && a.topic === 'nextSteps' ? a.steps : null;
    };
    const incomplete = decide(caseSchema.parse({ ...goodCase(pack), condition: {} }), loadPack(pack));
    expect(steps(incomplete)).to.deep.equal([{ step: 'answer-questions', next: incomplete.needs[0] }]);
    expect(steps(decision(pack, { reason: 'faulty', day: 500 }))).to.deep.equal([{ step: 'person-decides' }]);
    expect(steps(decision(pack, { day: 20 }))).to.deep.equal([{ step: 'not-returnable' }]);
    expect(steps(null)).to.deep.equal([{ step: 'check-return' }]);
  });
});

describe('answers: impress-us', () => {
  const pack = 'impress-us';
  it('restockingFee: "Returns for refund may be subject to a restocking fee" — no amount stated, so staff will tell', () => {
    const a = ask(pack, 'restockingFee', { decision: decision(pack) });
    expect(a).to.deep.include({ known: true, applies: 'may', percent: null, amount: null, currency: null });
    expect(a.clauses).to.deep.equal(['impress-us/restocking-fee']);
    // Before a decision, from the pack's rules for the reason: a change of mind may carry it, a fault does not.
    expect(ask(pack, 'restockingFee', { reason: 'change-of-mind' })).to.deep.include({ applies: 'may' });
    expect(ask(pack, 'restockingFee', { reason: 'faulty' })).to.deep.include({ applies: 'no' });
  });
  it('a pack that states the fee gives it (15 %, or an amount in its currency)', () => {
    const base = loadPack(pack).pack;
    const withPercent = { ...base, answers: { ...base.answers, restockingFee: { percent: 15, clauses: ['impress-us/restocking-fee'] } } };
    expect(answerFor(withPercent, 'restockingFee', { reason: 'change-of-mind' })).to.deep.include({ applies: 'may', percent: 15, amount: null });
    const withAmount = { ...base, answers: { ...base.answers, restockingFee: { amount: 25, clauses: ['impress-us/restocking-fee'] } } };
    expect(answerFor(withAmount, 'restockingFee', { reason: 'change-of-mind' })).to.deep.include({ applies: 'may', percent: null, amount: 25, currency: 'USD' });
  });
  it('refundTime, returnPostage, whereToSend: the written policy does not say → unknown', () => {
    for (const topic of ['refundTime', 'returnPostage', 'whereToSend'] as const) {
      for (const reason of REASONS) expect(ask(pack, topic, { reason }).known, `${topic} ${reason}`).to.equal(false);
    }
  });
  it('rmaNumber: "All product returns require a Return Merchandise Authorization (RMA) number"', () => {
    expect(ask(pack, 'rmaNumber')).to.deep.equal({ topic: 'rmaNumber', known: true, required: true, clauses: ['impress-us/rma', 'impress-us/rma/contact'] });
  });
  it("otherRemedy: a defective notebook is refunded, repaired or replaced at Impress's discretion, so the customer cannot pick a refund", () => {
    const a = ask(pack, 'otherRemedy', { decision: decision(pack, { reason: 'faulty', product: { category: 'notebook' } }), remedy: 'refund' });
    expect(a).to.deep.include({ remedies: ['refund', 'repair', 'replacement'], chosenBy: 'retailer', requestedAllowed: false });
    expect(a.clauses).to.include('impress-us/computers/repair-or-replace');
  });
  it('otherRemedy when the return was referred: no remedy to choose now', () => {
    expect(ask(pack, 'otherRemedy', { decision: decision(pack, { reason: 'transit-damage' }) })).to.deep.include({ known: true, remedies: [], requestedAllowed: null });
  });
  it('nextSteps for an opened change of mind includes the inspection', () => {
    const a = ask(pack, 'nextSteps', { decision: decision(pack, { condition: { packagingOpened: true } }) });
    expect(a.known && a.topic === 'nextSteps' && a.steps.map((s) => s.step)).to.deep.equal(['rma', 'send-item', 'inspection', 'remedy']);
  });
});

describe('answers: a third pack (eu-basic) answers from its own data', () => {
  it('refundTime: "within 14 days of the day on which we receive the goods back or you show us that you have sent them"', () => {
    expect(ask(EU, 'refundTime', { reason: 'change-of-mind' })).to.deep.equal({
      topic: 'refundTime',
      known: true,
      withinDays: 14,
      from: 'received-or-proof-of-posting',
      method: null,
      refundPossible: null,
      clauses: ['eu-basic/withdrawal/refund'],
    });
  });
  it('returnPostage: "You bear the direct cost of returning the goods"', () => {
    expect(ask(EU, 'returnPostage', { reason: 'change-of-mind' })).to.deep.include({ known: true, payer: 'customer', clauses: ['eu-basic/withdrawal/return-cost'] });
  });
  it('restockingFee: none in this policy; the loss-in-value deduction may apply', () => {
    const a = ask(EU, 'restockingFee', { reason: 'change-of-mind' });
    expect(a).to.deep.include({ applies: 'no', otherDeductions: [{ kind: 'diminished-value', certainty: 'may' }] });
    expect(a.clauses).to.deep.equal(['eu-basic/withdrawal/diminished-value']);
  });
  it('otherRemedy: a fault within the 24 months is repaired or replaced as the customer chooses', () => {
    const d = decide(
      caseSchema.parse({ policy: EU, today: '2027-03-20', reason: 'faulty', deliveredOn: '2027-03-01', product: { category: 'notebook' }, condition: { faultCause: 'defect' } }),
      loadPack(EU),
    );
    expect(ask(EU, 'otherRemedy', { decision: d, remedy: 'replacement' })).to.deep.include({
      remedies: ['repair', 'replacement'],
      chosenBy: 'customer',
      requestedAllowed: true,
      clauses: ['eu-basic/guarantee/period'],
    });
  });
  it('whereToSend and cancelReturn: not in the policy → unknown', () => {
    expect(ask(EU, 'whereToSend').known).to.equal(false);
    expect(ask(EU, 'cancelReturn').known).to.equal(false);
  });
});
