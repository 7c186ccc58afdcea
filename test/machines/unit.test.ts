/**
 * Focused tests of the returns machine on real actors with fake I/O (model.ts): slots kept ahead of
 * their step, checks before a rejecting fact, clarifying questions, frustration, the hand-over
 * returning to the question (history state), and `stepOf` read from the states' meta.
 */
import { expect } from 'chai';
import { HUMAN, NO, NOT_UNDERSTOOD, PROOF_OK, Session, YES, keysOf, set } from './model.js';
import type { Command } from '../../machines/commands.js';

const order = (n: string): Command => set({ slot: 'orderNumber', value: n });
const proof: Command = set({ slot: 'proof', value: PROOF_OK });

describe('the returns machine', () => {
  it('an all-in-one opening is used whole: only what is missing is asked', async () => {
    const s = new Session();
    const t = await s.say(
      order('UK-100002'),
      proof,
      set({ slot: 'item', value: { mention: 'headphones' } }),
      set({ slot: 'reason', value: 'faulty' }),
      set({ slot: 'faultCause', value: 'defect' }),
      set({ slot: 'remedy', value: 'refund' }),
    );
    expect(s.fakes.verified).to.have.length(1);
    expect(t.snapshot.context.itemIndex).to.equal(0);
    expect(t.state, keysOf(t.replies).join(' ')).to.be.oneOf(['askFact', 'askConfirm']);
    expect(keysOf(t.replies)).to.not.include('ask.item');
    expect(keysOf(t.replies)).to.not.include('ask.reason');
    s.stop();
  });

  it('a proof given before the order number is used when the order number comes', async () => {
    const s = new Session();
    let t = await s.say(proof);
    expect(t.step).to.equal('orderNumber');
    t = await s.say(order('UK-100001'));
    expect(s.fakes.verified).to.have.length(1);
    expect(t.step).to.equal('reason');
    s.stop();
  });

  it('a rejecting fact from a hedged answer is checked first; the plain answer decides', async () => {
    const s = new Session();
    await s.say(order('UK-100002'), proof, set({ slot: 'item', value: { mention: 'headphones' } }), set({ slot: 'reason', value: 'change-of-mind' }));
    let t = s.turns.at(-1)!;
    const field = t.step!;
    t = await s.say({ type: 'Affirm', confidence: 0.6, hedged: true });
    expect(t.state).to.equal('checkFact');
    expect(t.step).to.equal(field);
    // (the headphones' seal has a check of its own: check.sealBroken.headphones)
    expect(keysOf(t.replies).some((k) => k === `check.${field}` || k.startsWith(`check.${field}.`))).to.equal(true);
    expect(t.snapshot.context.facts).to.not.have.property(field);
    t = await s.say(NO);
    expect(t.snapshot.context.facts[field as 'sealBroken']).to.equal(false);
    s.stop();
  });

  it('a low-confidence adverse fact volunteered ahead is checked when it would reject; a harmless one is taken', async () => {
    const s = new Session();
    const t = await s.say(
      order('UK-100002'),
      proof,
      set({ slot: 'item', value: { mention: 'headphones' } }),
      set({ slot: 'reason', value: 'change-of-mind' }),
      set({ slot: 'sealBroken', value: true }, 0.7),
      set({ slot: 'used', value: false }, 0.7),
    );
    expect(t.state).to.equal('checkFact');
    expect(t.step).to.equal('sealBroken');
    expect(t.snapshot.context.decision?.outcome).to.not.equal('rejected');
    s.stop();
  });

  it('a Clarify asks one short question with the candidates as choices, at the step it clarifies', async () => {
    const s = new Session();
    await s.say(order('UK-100001'), proof);
    const t = await s.say({
      type: 'Clarify',
      slot: 'reason',
      candidates: [
        { slot: 'reason', value: 'faulty', confidence: 0.5 },
        { slot: 'reason', value: 'transit-damage', confidence: 0.4 },
      ],
    });
    expect(t.step).to.equal('reason');
    expect(keysOf(t.replies)).to.include('clarify');
    const labels = t.replies.at(-1)!.choices!.map((c) => c.label.key);
    expect(labels).to.deep.equal(['choice.reason.faulty', 'choice.reason.transit-damage']);
    s.stop();
  });

  it('frustration offers a person at once; declining returns to the same question', async () => {
    const s = new Session();
    await s.say(order('UK-100001'), proof);
    let t = await s.say({ type: 'Frustrated', confidence: 0.9 });
    expect(t.state).to.equal('offer');
    expect(keysOf(t.replies)).to.include('offer.frustrated');
    t = await s.say(NO);
    expect(t.step).to.equal('reason');
    s.stop();
  });

  it('an unsure ask for a person said in anger still offers a person at once (never "I didn\'t get that")', async () => {
    const s = new Session();
    await s.say(order('UK-100001'), proof);
    const t = await s.say({ type: 'HumanHandoff', confidence: 0.4, frustrated: true });
    expect(t.state).to.equal('offer');
    expect(keysOf(t.replies)).to.include('offer.frustrated');
    s.stop();
  });

  it('a hand-over returns to the question the customer was at (history state), asked again', async () => {
    const s = new Session();
    await s.say(order('UK-100001'), proof);
    let t = await s.say(HUMAN);
    expect(t.state).to.equal('handoff');
    await s.send({ type: 'AGENT_TOOK', agent: 'alex' });
    t = await s.send({ type: 'AGENT_RELEASED', agent: 'alex' });
    expect(t.state).to.equal('askReason');
    expect(keysOf(t.replies)).to.include.members(['handoff.released', 'ask.reason']);
    s.stop();
  });

  it('a person asked for at the proof step is never a failed proof', async () => {
    const s = new Session();
    await s.say(order('UK-100001'));
    const t = await s.say(HUMAN, { type: 'Frustrated', confidence: 0.9 });
    expect(t.state).to.equal('handoff');
    expect(s.fakes.verified).to.have.length(0);
    expect(s.snapshot.context.verifyAttempts).to.equal(0);
    s.stop();
  });

  it('goodbye ends with the RMA repeated', async () => {
    const s = new Session();
    await s.say(order('UK-100001'), proof, set({ slot: 'reason', value: 'faulty' }), set({ slot: 'faultCause', value: 'defect' }));
    let t = s.turns.at(-1)!;
    for (let i = 0; i < 12 && t.state !== 'askConfirm'; i++) t = await s.say(t.step === 'serialLabelIntact' ? YES : NO);
    expect(t.state).to.equal('askConfirm');
    t = await s.say(YES);
    const rma = t.snapshot.context.rma!;
    t = await s.say({ type: 'Goodbye', confidence: 0.9 });
    expect(t.state).to.equal('ended');
    expect(t.replies.flatMap((r) => r.parts)).to.deep.include({ key: 'goodbye.rma', params: { rma } });
    s.stop();
  });

  it('a question mid-way is answered from the pack, citing its clause, then the question is asked again', async () => {
    const s = new Session();
    await s.say(order('UK-100001'), proof, set({ slot: 'reason', value: 'faulty' }));
    const t = await s.say({ type: 'Ask', topic: 'refundTime', confidence: 0.9 });
    const keys = keysOf(t.replies);
    expect(
      keys.some((k) => k.startsWith('answer.refundTime')),
      keys.join(' '),
    ).to.equal(true);
    expect(keys).to.include('answer.clauses');
    expect(t.step).to.equal('faultCause');
    s.stop();
  });

  it('a question the pack cannot answer says so and offers a person', async () => {
    const s = new Session();
    await s.say(order('UK-100001'), proof);
    const t = await s.say({ type: 'Ask', topic: 'other', confidence: 0.95 });
    const answer = t.replies.find((r) => r.parts[0]?.key === 'answer.unknown');
    expect(answer?.choices?.flatMap((c) => c.commands.map((k) => k.type))).to.deep.equal(['HumanHandoff']);
    expect(t.step).to.equal('reason');
    s.stop();
  });

  it('not understood three times at the order number: the hand-over is offered', async () => {
    const s = new Session();
    let t = await s.say(NOT_UNDERSTOOD);
    for (let i = 0; i < 3; i++) t = await s.say(NOT_UNDERSTOOD);
    expect(t.state).to.equal('offer');
    s.stop();
  });
  it("a question before the proof, with an order number of no pack's shape, is answered once the order is verified, from its pack", async () => {
    const s = new Session();
    await s.say(order('US-200001'));
    let t = await s.say({ type: 'Ask', topic: 'cancelReturn', confidence: 0.95 });
    expect(keysOf(t.replies)).to.include('answer.afterVerification');
    expect(keysOf(t.replies)).to.not.include('answer.cancelReturn.yes');
    expect(t.step).to.equal('verify');
    t = await s.say(proof);
    const keys = keysOf(t.replies);
    expect(keys).to.include('answer.cancelReturn.yes');
    expect(keys.indexOf('answer.cancelReturn.yes')).to.be.greaterThan(keys.indexOf('verified'));
    expect(JSON.stringify(t.replies)).to.include('impress-us/addition/cancel-return');
    s.stop();
  });
});
