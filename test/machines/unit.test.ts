/**
 * Focused tests of the returns conversation on real actors with the fake actors of model.ts:
 * corrections, a person / cancel / start again from every waiting state, misunderstandings,
 * "I don't know", the fault route after a change-of-mind refusal, and resuming after a handoff.
 *
 * "Every waiting state" means every waiting state of the main-line model graph (every order,
 * item, reason, answer, remedy and confirmation; see model.ts), about 900 snapshots.
 */
import { expect } from 'chai';
import { fromPromise } from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import type { IssueRmaInput, VerifyInput, VerifyOutput } from '../../machines/returns.machine.js';
import type { Reply, ReturnsEvent } from '../../machines/types.js';
import { Session, createEnv, fmt, persistedOf, type Turn } from './check.js';
import { FAULT_CAUSES } from '../../src/policy/case.js';
import { INPUT, PROOF_OK, PREAUTH_NUMBER, STAFF_RMA, baseMachine, keyOf, stepOf, top, traversalOptions, valueName, type ModelEvent, type Snap } from './model.js';

const keysOf = (replies: readonly Reply[]) => replies.flatMap((r) => r.parts.map((p) => p.key));
const asked = (t: Turn) => t.replies.filter((r) => r.step !== undefined).at(-1);

/** A conversation on a fresh actor; `say` runs one turn. */
async function conversation(events: ReturnsEvent[] = []) {
  const session = new Session(createEnv());
  const turns: Turn[] = [];
  for (const e of events) turns.push(await session.turn(e));
  return { session, turns, say: (e: ReturnsEvent) => session.turn(e), last: () => turns.at(-1)! };
}

const verified = (orderNumber: string): ReturnsEvent[] => [{ type: 'ORDER_NUMBER', orderNumber }, { type: 'VERIFY', candidates: PROOF_OK }];
const reason = (r: 'change-of-mind' | 'faulty' | 'misdescribed' | 'transit-damage', mentionsFault = false): ReturnsEvent => ({ type: 'REASON', reason: r, mentionsFault, faultCause: null });
const answer = (field: string, value: boolean | string): ReturnsEvent => ({ type: 'ANSWER', field, value } as ReturnsEvent);

/** Every waiting snapshot of the main-line graph, with the way to it. */
function mainLine(): { state: Snap; how: string }[] {
  const o = traversalOptions(0);
  return getShortestPaths(baseMachine, { input: INPUT, serializeState: o.serializeState, events: (s) => o.events(s) as ReturnsEvent[] })
    .map((p) => ({ state: p.state as Snap, how: p.steps.slice(1).map((s) => fmt(s.event as ModelEvent)).join(' → ') || '(start)' }))
    .filter((p) => p.state.hasTag('waiting'));
}

/** Run `check` from every snapshot; collect failures by kind, with one example each. */
async function fromEvery(states: { state: Snap; how: string }[], check: (s: Snap, session: Session) => Promise<string | null>): Promise<string> {
  const kinds = new Map<string, { n: number; example: string }>();
  const env = createEnv();
  for (const { state, how } of states) {
    const session = new Session(env, persistedOf(state));
    try {
      const problem = await check(state, session);
      if (problem) {
        const k = kinds.get(problem) ?? { n: 0, example: how };
        k.n++;
        kinds.set(problem, k);
      }
    } finally {
      session.stop();
    }
  }
  return [...kinds].map(([problem, { n, example }]) => `${n} × ${problem}\n      e.g. after ${example}`).join('\n    ');
}

describe('returns machine: focused tests', function () {
  this.timeout(120_000);
  let states: { state: Snap; how: string }[] = [];
  before(() => {
    states = mainLine();
  });

  it('the main-line graph has hundreds of waiting states of every kind', () => {
    expect(states.length).to.be.greaterThan(800);
    expect(new Set(states.map((s) => valueName(s.state))).size).to.be.greaterThanOrEqual(16);
  });

  describe('corrections', () => {
    it('a delivery date corrected at a condition question re-decides (UK-100002, change of mind → window passed)', async () => {
      const c = await conversation([...verified('UK-100002'), { type: 'ITEM', index: 0 }, reason('change-of-mind')]);
      expect(top(c.session.snapshot)).to.equal('askFact');
      const t = await c.say({ type: 'CORRECT_DELIVERY', date: '2026-11-25' });
      expect(keysOf(t.replies)[0]).to.equal('corrected.deliveredOn');
      const d = t.replies.find((r) => r.returns?.decision)?.returns?.decision;
      expect(d?.outcome).to.equal('rejected');
      expect(d?.reasons.map((r) => r.code)).to.include('CHANGE_OF_MIND_WINDOW_PASSED');
      expect(top(t.after)).to.equal('rejected');
      expect(t.after.context.deliveredOn).to.equal('2026-11-25');
    });

    it('a delivery date corrected at the confirmation re-decides (UK-100001 misdescribed: replacement → refund or replacement)', async () => {
      const c = await conversation([...verified('UK-100001'), reason('misdescribed'), answer('serialLabelIntact', true)]);
      expect(top(c.session.snapshot)).to.equal('askConfirm');
      expect(c.session.snapshot.context.decision?.remedies).to.deep.equal(['replacement']);
      const t = await c.say({ type: 'CORRECT_DELIVERY', date: '2026-12-21' });
      expect(top(t.after)).to.equal('askRemedy');
      expect(t.after.context.decision?.remedies).to.deep.equal(['refund', 'replacement']);
      expect(asked(t)?.step).to.equal('remedy');
    });

    it('a delivery date corrected after a refusal re-decides (UK-100001 change of mind, now in time: asks the conditions)', async () => {
      const c = await conversation([...verified('UK-100001'), reason('change-of-mind')]);
      expect(top(c.session.snapshot)).to.equal('rejected');
      const t = await c.say({ type: 'CORRECT_DELIVERY', date: '2026-12-21' });
      expect(top(t.after)).to.equal('askFact');
      expect(t.after.context.decision?.reason).to.equal('change-of-mind');
      expect(asked(t)?.step).to.equal(t.after.context.decision?.needs[0]);
    });

    it('the item corrected at a question starts that item afresh (facts cleared, reason kept)', async () => {
      const c = await conversation([...verified('UK-100002'), { type: 'ITEM', index: 0 }, reason('change-of-mind'), answer('sealBroken', false)]);
      const t = await c.say({ type: 'CORRECT_ITEM', index: 1 });
      expect(t.replies[0]?.parts[0]).to.deep.equal({ key: 'corrected.item', params: { item: '128 GB memory card' } });
      expect(t.after.context.itemIndex).to.equal(1);
      expect(t.after.context.reason).to.equal('change-of-mind');
      expect(t.after.context.facts).to.deep.equal({});
      expect(asked(t)?.step).to.equal('sealBroken');
    });

    it('the reason corrected at the confirmation re-decides with the facts already given', async () => {
      const c = await conversation([...verified('UK-100002'), { type: 'ITEM', index: 0 }, reason('change-of-mind'), answer('sealBroken', false), answer('used', false), answer('serialLabelIntact', true)]);
      expect(top(c.session.snapshot)).to.equal('askConfirm');
      const t = await c.say({ type: 'CORRECT_REASON', reason: 'faulty' });
      expect(keysOf(t.replies)[0]).to.equal('corrected.reason');
      expect(t.after.context.reason).to.equal('faulty');
      expect(asked(t)?.step).to.equal('faultCause');
      const rest = await c.say(answer('faultCause', 'defect'));
      const next = await c.say(answer('tampered', false));
      expect(keysOf(rest.replies)).to.not.include('ask.serialLabelIntact');
      expect(top(next.after)).to.equal('askRemedy');
    });

    it('the reason corrected at the remedy question re-decides', async () => {
      const c = await conversation([...verified('UK-100002'), { type: 'ITEM', index: 1 }, reason('transit-damage'), answer('serialLabelIntact', true)]);
      expect(top(c.session.snapshot)).to.equal('askRemedy');
      const t = await c.say({ type: 'CORRECT_REASON', reason: 'faulty' });
      expect(t.after.context.reason).to.equal('faulty');
      expect(asked(t)?.step).to.equal('faultCause');
    });

    it('a delivery date in the future, or before the order, is refused and changes nothing', async () => {
      const c = await conversation([...verified('UK-100002'), { type: 'ITEM', index: 0 }, reason('change-of-mind')]);
      for (const date of ['2027-01-05', '2026-11-01']) {
        const before = c.session.snapshot;
        const t = await c.say({ type: 'CORRECT_DELIVERY', date });
        expect(keysOf(t.replies)).to.include('corrected.deliveredOnRefused');
        expect(keyOf(t.after)).to.equal(keyOf(before));
      }
    });

    it('after the RMA is issued, a corrected date or reason no longer changes the case', async () => {
      const c = await conversation([...verified('UK-100001'), reason('misdescribed'), answer('serialLabelIntact', true), { type: 'YES' }]);
      expect(top(c.session.snapshot)).to.equal('done');
      const rma = c.session.snapshot.context.rma;
      for (const e of [{ type: 'CORRECT_DELIVERY', date: '2026-12-21' }, { type: 'CORRECT_REASON', reason: 'faulty' }] as ReturnsEvent[]) {
        const t = await c.say(e);
        expect(top(t.after), fmt(e)).to.equal('done');
        expect(t.after.context.rma, fmt(e)).to.equal(rma);
        expect(t.issued, fmt(e)).to.deep.equal([]);
      }
    });
  });

  describe('from every waiting state', () => {
    it('HUMAN goes to the handoff queue (and is ignored once in a handoff)', async () => {
      const problems = await fromEvery(states, async (s, session) => {
        const t = await session.turn({ type: 'HUMAN' });
        if (top(s) === 'handoff') return keyOf(t.after) === keyOf(s) && t.replies.length === 0 ? null : `${valueName(s)}: HUMAN changed the handoff`;
        if (valueName(t.after) !== 'handoff.queued') return `${valueName(s)}: HUMAN → ${valueName(t.after)}`;
        if (!t.replies.some((r) => r.returns?.handoff === 'queued' && r.returns.position === 1)) return `${valueName(s)}: no returns.handoff "queued" with position`;
        const handoffs = session.env.fakes.handoffs;
        // Why: where the customer asked from (a failed verification, a referral, a refusal they dispute,
        // two misunderstandings in a row), else simply "asked".
        const at = s.context.at;
        const expected = at === 'verifyFailed' ? 'verification' : at === 'referred' ? 'referred' : at === 'rejected' ? 'disputed' : s.context.misunderstood.count >= 2 ? 'not-understood' : 'asked';
        if (handoffs.length !== 1 || handoffs[0]!.reason !== expected) return `${valueName(s)}: requestHandoff ${JSON.stringify(handoffs)}`;
        return null;
      });
      expect(problems === '', problems).to.equal(true);
    });

    it('CANCEL ends the conversation (leaves the queue; ignored while a person has it)', async () => {
      const problems = await fromEvery(states, async (s, session) => {
        const t = await session.turn({ type: 'CANCEL' });
        if (valueName(s) === 'handoff.active') return keyOf(t.after) === keyOf(s) && t.replies.length === 0 ? null : 'handoff.active: CANCEL was not passed to the person';
        if (top(t.after) !== 'ended') return `${valueName(s)}: CANCEL → ${valueName(t.after)}`;
        // Once an RMA is issued it stays booked, and the bot says so instead of "nothing booked".
        const expected = valueName(s) === 'handoff.queued' ? 'handoff.left' : s.context.rma ? 'cancelled.rmaKept' : 'cancelled';
        if (!keysOf(t.replies).includes(expected)) return `${valueName(s)}: CANCEL said ${keysOf(t.replies).join('+')}`;
        if (t.after.context.handoff !== null) return `${valueName(s)}: still in a handoff after CANCEL`;
        if (t.issued.length) return `${valueName(s)}: CANCEL issued an RMA`;
        return null;
      });
      expect(problems === '', problems).to.equal(true);
    });

    it('RESTART starts again from the order number with nothing remembered (ignored in a handoff)', async () => {
      const handoffFree = states.filter((s) => top(s.state) !== 'handoff');
      const problems = await fromEvery(handoffFree, async (s, session) => {
        const t = await session.turn({ type: 'RESTART' });
        if (top(t.after) !== 'askOrderNumber') return `${valueName(s)}: RESTART → ${valueName(t.after)}`;
        const c = t.after.context;
        if (c.orderNumber !== null || c.order !== null || c.itemIndex !== null || c.reason !== null || c.decision !== null || c.rma !== null || Object.keys(c.facts).length || c.verifyAttempts !== 0 || c.deliveredOn !== null) {
          return `${valueName(s)}: RESTART kept ${JSON.stringify({ orderNumber: c.orderNumber, reason: c.reason, facts: c.facts, rma: c.rma })}`;
        }
        if (keysOf(t.replies)[0] !== 'restart' || asked(t)?.step !== 'orderNumber') return `${valueName(s)}: RESTART said ${keysOf(t.replies).join('+')}`;
        return null;
      });
      expect(problems === '', problems).to.equal(true);
      const active = states.filter((s) => valueName(s.state) === 'handoff.active');
      expect(active.length).to.be.greaterThan(0);
      const inHandoff = await fromEvery(active, async (s, session) => {
        const t = await session.turn({ type: 'RESTART' });
        return keyOf(t.after) === keyOf(s) && t.replies.length === 0 ? null : `handoff.active: RESTART → ${valueName(t.after)}`;
      });
      expect(inHandoff === '', inHandoff).to.equal(true);
    });

    it('AGENT_RELEASED resumes where the conversation was: the same question, refusal, referral or RMA', async () => {
      // Every question state, and the states after a decision, of the main line; not the start,
      // the end, a failed verification (a person dealt with it) or a declined booking.
      const resumable = states.filter((s) => !['start', 'ended', 'verifyFailed', 'declined', 'handoff'].includes(top(s.state)));
      const problems = await fromEvery(resumable, async (s, session) => {
        await session.turn({ type: 'HUMAN' });
        await session.turn({ type: 'AGENT_TOOK', agent: 'sam' });
        const t = await session.turn({ type: 'AGENT_RELEASED', agent: 'sam' });
        if (!t.replies.some((r) => r.returns?.handoff === 'released')) return `${valueName(s)}: no returns.handoff "released"`;
        // A question resumes as the same question (the pre-authorisation number may be asked as the fact again).
        const same = stepOf(s) !== null ? stepOf(t.after) === stepOf(s) && asked(t)?.step === stepOf(s) : top(t.after) === top(s);
        if (!same) return `${valueName(s)} (step ${stepOf(s) ?? '-'}) resumes in ${valueName(t.after)} (step ${stepOf(t.after) ?? '-'}, asked ${asked(t)?.step ?? 'nothing'})`;
        if (t.after.context.rma !== s.context.rma) return `${valueName(s)}: the RMA changed`;
        return null;
      });
      expect(problems === '', problems).to.equal(true);
    });

    it('a staff RMA during the handoff is shown, and releasing goes to done with it', async () => {
      const c = await conversation([...verified('US-200001'), reason('transit-damage')]);
      for (const f of ['physicalDamage', 'tampered']) await c.say(answer(f, false));
      for (const f of ['serialLabelIntact', 'upcPresent']) await c.say(answer(f, true));
      await c.say(answer('rebateClaimed', false));
      expect(top(c.session.snapshot)).to.equal('referred');
      await c.say({ type: 'YES' });
      await c.say({ type: 'AGENT_TOOK', agent: 'sam' });
      const staff = await c.say({ type: 'STAFF_RMA', rma: STAFF_RMA, remedy: 'repair', agent: 'sam' });
      expect(staff.replies.map((r) => r.returns?.rma)).to.deep.equal([STAFF_RMA]);
      const released = await c.say({ type: 'AGENT_RELEASED', agent: 'sam' });
      expect(top(released.after)).to.equal('done');
      expect(released.after.context.rma).to.equal(STAFF_RMA);
      expect(c.session.env.fakes.issued).to.deep.equal([]);
    });
  });

  describe('misunderstandings', () => {
    it('not understood twice at any question offers a person, and choosing it hands over', async () => {
      const questions = states.filter((s) => stepOf(s.state) !== null && s.state.context.misunderstood.count === 0);
      const steps = new Set(questions.map((s) => stepOf(s.state)));
      for (const step of ['orderNumber', 'verify', 'item', 'reason', 'faultCause', 'manufacturerPreauth', 'sealBroken', 'serialLabelIntact', 'remedy', 'confirm']) expect(steps, step).to.include(step);
      const problems = await fromEvery(questions, async (s, session) => {
        const step = stepOf(s);
        const once = await session.turn({ type: 'NOT_UNDERSTOOD' });
        if (!keysOf(once.replies).includes('sorry.notUnderstood')) return `${valueName(s)}: first NOT_UNDERSTOOD said ${keysOf(once.replies).join('+')}`;
        if (asked(once)?.choices?.some((c) => c.event.type === 'HUMAN')) return `${valueName(s)}: a person offered after one misunderstanding`;
        const twice = await session.turn({ type: 'NOT_UNDERSTOOD' });
        const q = asked(twice);
        if (!keysOf(twice.replies).includes('sorry.stillNotUnderstood')) return `${valueName(s)}: second NOT_UNDERSTOOD said ${keysOf(twice.replies).join('+')}`;
        if (q?.step !== step) return `${valueName(s)}: second NOT_UNDERSTOOD asks ${q?.step}`;
        if (!q.parts.some((p) => p.key === 'ask.offerPerson')) return `${valueName(s)}: no ask.offerPerson`;
        const person = q.choices?.find((c) => c.event.type === 'HUMAN');
        if (!person) return `${valueName(s)}: no person among the choices`;
        const t = await session.turn(person.event);
        return valueName(t.after) === 'handoff.queued' ? null : `${valueName(s)}: the person choice → ${valueName(t.after)}`;
      });
      expect(problems === '', problems).to.equal(true);
    });
  });

  describe("I don't know", () => {
    it('for a fact nothing else can decide refers the case (FACTS_UNAVAILABLE) and offers a person', async () => {
      // A notebook: headphones and memory cards have no serial label to ask about (pack features).
      const c = await conversation([...verified('UK-100001'), reason('transit-damage')]);
      expect(stepOf(c.session.snapshot)).to.equal('serialLabelIntact');
      const t = await c.say({ type: 'DONT_KNOW' });
      const d = t.replies.find((r) => r.returns?.decision)?.returns?.decision;
      expect(d?.outcome).to.equal('referred');
      expect(d?.reasons[0]).to.deep.equal({ code: 'FACTS_UNAVAILABLE', params: { fields: 'serialLabelIntact' } });
      expect(d?.clauses.length).to.be.greaterThan(0);
      expect(top(t.after)).to.equal('referred');
      expect(asked(t)?.step).to.equal('confirm');
      const yes = await c.say({ type: 'YES' });
      expect(valueName(yes.after)).to.equal('handoff.queued');
      expect(c.session.env.fakes.handoffs.map((h) => h.reason)).to.deep.equal(['referred']);
    });

    it('for a fact other answers can still decide asks the next question instead', async () => {
      const c = await conversation([...verified('US-200001'), reason('change-of-mind')]);
      const first = stepOf(c.session.snapshot);
      const t = await c.say({ type: 'DONT_KNOW' });
      expect(top(t.after)).to.equal('askFact');
      expect(stepOf(t.after)).to.not.equal(first);
      expect(t.after.context.unavailable).to.deep.equal([first]);
    });

    it('"none" for the pre-authorisation refuses the notebook (MANUFACTURER_PREAUTH_REQUIRED); a number goes on', async () => {
      const none = await conversation([...verified('US-200001'), reason('faulty')]);
      expect(stepOf(none.session.snapshot)).to.equal('manufacturerPreauth');
      const refused = await none.say(answer('manufacturerPreauth', 'none'));
      expect(refused.after.context.decision?.reasons.map((r) => r.code)).to.deep.equal(['MANUFACTURER_PREAUTH_REQUIRED']);
      const withNumber = await conversation([...verified('US-200001'), reason('faulty'), { type: 'HAS_PREAUTH' }]);
      expect(asked(withNumber.last())?.step).to.equal('manufacturerPreauth');
      const next = await withNumber.say(answer('manufacturerPreauth', PREAUTH_NUMBER));
      expect(top(next.after)).to.equal('askFact');
      expect(stepOf(next.after)).to.equal('originalOsIntact');
    });

    it('each fault cause decides as the UK pack says', async () => {
      for (const cause of FAULT_CAUSES) {
        const c = await conversation([...verified('UK-100002'), { type: 'ITEM', index: 0 }, reason('faulty'), answer('faultCause', cause)]);
        const s = c.session.snapshot;
        const covered = cause === 'defect' || cause === 'unknown';
        expect(top(s), cause).to.equal(covered ? 'askFact' : 'rejected');
        if (!covered) expect(s.context.decision?.reasons[0]?.code, cause).to.equal(cause === 'software' ? 'SOFTWARE_FAULT_NOT_COVERED' : 'FAULT_NOT_COVERED');
      }
    });
  });

  describe('a change-of-mind refusal after a fault was mentioned', () => {
    it('offers the fault route first, and choosing it re-decides the case as faulty', async () => {
      const c = await conversation([...verified('UK-100001'), reason('change-of-mind', true)]);
      const t = c.last();
      expect(top(t.after)).to.equal('rejected');
      const decision = t.replies.find((r) => r.returns?.decision)?.returns?.decision;
      expect(decision?.reasons.map((r) => r.code)).to.deep.equal(['CHANGE_OF_MIND_WINDOW_PASSED']);
      const offer = t.replies.at(-1)!;
      expect(offer.parts[0]?.key).to.equal('rejected.faultRoute');
      expect(offer.choices?.[0]?.event).to.deep.equal({ type: 'REASON', reason: 'faulty' });
      expect(offer.choices?.map((ch) => ch.event.type)).to.include.members(['HUMAN', 'RESTART']);
      const faulty = await c.say(offer.choices![0]!.event);
      expect(faulty.after.context.reason).to.equal('faulty');
      expect(faulty.after.context.decision?.reason).to.equal('faulty');
      expect(asked(faulty)?.step).to.equal('faultCause');
      await c.say(answer('faultCause', 'defect'));
      await c.say(answer('tampered', false));
      const approved = await c.say(answer('serialLabelIntact', true));
      const d = approved.replies.find((r) => r.returns?.decision)?.returns?.decision;
      expect(d?.outcome).to.equal('approved');
      expect(d?.reasons[0]?.code).to.equal('WITHIN_GUARANTEE');
      expect(d?.remedyChosenBy).to.equal('retailer');
      expect(top(approved.after)).to.equal('askConfirm');
    });

    it('without a fault mentioned the routes are offered as alternatives (fault first)', async () => {
      const c = await conversation([...verified('UK-100001'), reason('change-of-mind')]);
      const offer = c.last().replies.at(-1)!;
      expect(offer.parts[0]?.key).to.equal('rejected.alternatives');
      expect(offer.choices?.map((ch) => ch.event)).to.deep.include.members([{ type: 'REASON', reason: 'faulty' }, { type: 'REASON', reason: 'misdescribed' }]);
    });
  });

  describe('invoked actors that fail', () => {
    const down = <T, I>() => fromPromise<T, I>(async () => {
      throw new Error('service down');
    });

    it('a failing order lookup says so and asks for the proof again', async () => {
      const env = createEnv();
      const session = new Session({ ...env, machine: env.machine.provide({ actors: { verifyOrder: down<VerifyOutput, VerifyInput>() } }) });
      await session.turn({ type: 'ORDER_NUMBER', orderNumber: 'UK-100001' });
      const t = await session.turn({ type: 'VERIFY', candidates: PROOF_OK });
      expect(keysOf(t.replies)).to.include('error.temporary');
      expect(top(t.after)).to.equal('askVerify');
      expect(asked(t)?.step).to.equal('verify');
      session.stop();
    });

    it('a failing RMA service says so and asks to confirm again, with no RMA', async () => {
      const env = createEnv();
      const session = new Session({ ...env, machine: env.machine.provide({ actors: { issueRma: down<{ rma: string }, IssueRmaInput>() } }) });
      for (const e of [...verified('UK-100001'), reason('misdescribed'), answer('serialLabelIntact', true)]) await session.turn(e);
      const t = await session.turn({ type: 'YES' });
      expect(keysOf(t.replies)).to.include('error.temporary');
      expect(top(t.after)).to.equal('askConfirm');
      expect(asked(t)?.step).to.equal('confirm');
      expect(t.after.context.rma).to.equal(null);
      session.stop();
    });
  });
});
