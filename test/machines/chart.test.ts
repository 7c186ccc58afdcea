/**
 * Model-based tests of the returns chart (xstate/graph): `getShortestPaths` walks the machine with
 * the commands a customer sends at each step (and the completions of the invoked actors, computed
 * by the same fakes), reaching every waiting state of the fixtures' conversations. Each path is
 * replayed on a real actor; then, from its end, each way out is tried and must end where CONTRACT
 * section 7 says:
 * - a request for a person → a hand-over (never a failed proof, wherever it is said);
 * - cancel → ended ("nothing booked", or the booked RMA kept); start again → the order number, afresh;
 * - a correction (the delivery date) → kept, and the return decided again with it;
 * - three misunderstandings in a row → the hand-over offered with the summary so far;
 * and no question is ever asked more than three times in a row.
 */
import { expect } from 'chai';
import { getShortestPaths } from 'xstate/graph';
import type { AnyActorRef } from 'xstate';
import { stateName } from '../../machines/returns.machine.js';
import type { Command } from '../../machines/commands.js';
import type { ReturnsEvent } from '../../machines/types.js';
import { CANCEL, HUMAN, INPUT, NO, NOT_UNDERSTOOD, ORDERS, PROOF_OK, PROOF_WRONG, RESTART, Session, YES, correct, keysOf, msg, questionOf, set, verifyAnswer, type Snap } from './model.js';
import { returnsMachine } from '../../machines/returns.machine.js';

type DoneEvent = { type: string; output: unknown };
type ModelEvent = ReturnsEvent | DoneEvent;
const isDone = (e: { type: string }) => e.type.startsWith('xstate.done.actor.');

function childInput(s: Snap, id: string): unknown {
  const child = (s.children as Record<string, AnyActorRef | undefined>)[id];
  return (child?.getSnapshot() as { input?: unknown } | undefined)?.input;
}

/** What a customer (or the support team, or an invoked actor) sends in each state of the walk. */
function events(s: Snap): ModelEvent[] {
  const c = s.context;
  switch (stateName(s)) {
    case 'start':
      return [msg(NOT_UNDERSTOOD), ...ORDERS.map((o) => msg(set({ slot: 'orderNumber', value: o.orderNumber })))];
    case 'askOrderNumber':
      return ORDERS.map((o) => msg(set({ slot: 'orderNumber', value: o.orderNumber })));
    case 'askVerify':
      return [msg(set({ slot: 'proof', value: PROOF_OK })), msg(set({ slot: 'proof', value: PROOF_WRONG })), msg(set({ slot: 'proof', value: [...PROOF_OK, ...PROOF_WRONG] }))];
    case 'verifyFailed':
      return [msg(YES)];
    case 'verifying':
      return [{ type: 'xstate.done.actor.verifyOrder', output: verifyAnswer(childInput(s, 'verifyOrder') as never) }];
    case 'askItem':
      return (c.order?.items ?? []).map((_, index) => msg(set({ slot: 'item', value: { index } })));
    case 'askReason':
      return (['faulty', 'change-of-mind'] as const).map((r) => msg(set({ slot: 'reason', value: r })));
    case 'askFact': {
      const field = c.decision?.needs[0];
      if (field === 'faultCause') return (['defect', 'accident'] as const).map((v) => msg(set({ slot: 'faultCause', value: v })));
      if (field === 'manufacturerPreauth') return [msg(YES), msg(NO)];
      return [msg(YES), msg(NO), msg({ type: 'Affirm', confidence: 0.6, hedged: true })];
    }
    case 'checkFact':
      return [msg(YES), msg(NO)];
    case 'askPreauthNumber':
      return [msg(set({ slot: 'manufacturerPreauth', value: 'PA-12345' }))];
    case 'askRemedy':
      return (c.decision?.remedies ?? []).map((r) => msg(set({ slot: 'remedy', value: r })));
    case 'askConfirm':
      return [msg(YES), msg(NO)];
    case 'issuing':
      return [{ type: 'xstate.done.actor.issueRma', output: { rma: 'RMA-TEST-0001' } }];
    case 'declined':
    case 'referred':
      return [msg(YES)];
    case 'handoff':
      if (s.matches({ handoff: 'requesting' })) return [{ type: 'xstate.done.actor.requestHandoff', output: { position: 1, waitMinutes: null, open: true, hours: null } }];
      if (s.matches({ handoff: 'queued' })) return [{ type: 'AGENT_TOOK', agent: 'alex' }];
      return [{ type: 'AGENT_RELEASED', agent: 'alex' }];
    default:
      return [];
  }
}

function key(s: Snap): string {
  const c = s.context;
  return JSON.stringify({
    v: s.value,
    on: c.orderNumber,
    o: c.order?.orderNumber ?? null,
    i: c.itemIndex,
    r: c.reason,
    f: c.facts,
    t: c.tentative,
    ch: c.check,
    d: c.decision ? [c.decision.outcome, c.decision.needs] : null,
    rem: c.remedy,
    rma: c.rma,
    h: c.handoff,
    m: c.misunderstood,
    u: c.unavailable,
    va: c.verifyAttempts,
    p: c.proof,
  });
}

interface Walked {
  events: ReturnsEvent[];
  end: Snap;
  how: string;
}

function walk(): Walked[] {
  const paths = getShortestPaths(returnsMachine, { input: INPUT, serializeState: key, events: (s) => events(s as Snap) as never });
  return paths
    .map((p) => ({
      events: p.steps
        .slice(1)
        .map((x) => x.event as ModelEvent)
        .filter((e) => !isDone(e)) as ReturnsEvent[],
      end: p.state as Snap,
      how:
        p.steps
          .slice(1)
          .map((x) => describeEvent(x.event as ModelEvent))
          .join(' → ') || '(start)',
    }))
    .filter((p) => p.end.hasTag('waiting') && stateName(p.end) !== 'start');
}

function describeEvent(e: ModelEvent): string {
  if (e.type !== 'MESSAGE') return e.type.replace('xstate.done.actor.', '');
  return (e as { commands: Command[] }).commands.map((c) => ('slot' in c && 'value' in c ? `${c.slot}=${JSON.stringify(c.value)}` : c.type + ('hedged' in c && c.hedged ? '?' : ''))).join('+');
}

async function replay(path: Walked): Promise<Session> {
  const s = new Session();
  for (const e of path.events) await s.send(e);
  return s;
}

/** Run `check` after each walked path; group failures by message, with one example path each. */
async function fromEvery(paths: Walked[], check: (s: Session, p: Walked) => Promise<string | null>): Promise<string> {
  const kinds = new Map<string, { n: number; how: string }>();
  for (const p of paths) {
    const s = await replay(p);
    try {
      const problem = await check(s, p);
      if (problem) {
        const k = kinds.get(problem) ?? { n: 0, how: p.how };
        k.n++;
        kinds.set(problem, k);
      }
    } finally {
      s.stop();
    }
  }
  return [...kinds].map(([m, { n, how }]) => `${n} × ${m}\n      e.g. after ${how}`).join('\n    ');
}

describe('the returns chart, model-based (xstate/graph)', function () {
  this.timeout(120_000);
  let paths: Walked[] = [];
  before(() => {
    paths = walk();
  });

  it('the walk reaches every kind of waiting state', () => {
    const states = new Set(paths.map((p) => stateName(p.end)));
    for (const s of [
      'askOrderNumber',
      'askVerify',
      'verifyFailed',
      'askItem',
      'askReason',
      'askFact',
      'checkFact',
      'askPreauthNumber',
      'askRemedy',
      'askConfirm',
      'done',
      'declined',
      'rejected',
      'referred',
      'handoff',
    ]) {
      expect([...states], s).to.include(s);
    }
    expect(paths.length).to.be.greaterThan(50);
  });

  it('every replayed path ends where the model says', async () => {
    const report = await fromEvery(paths, async (s, p) =>
      stateName(s.snapshot) === stateName(p.end) && key(s.snapshot) === key(p.end) ? null : `replay ended in ${stateName(s.snapshot)}, the model in ${stateName(p.end)}`,
    );
    expect(report, report).to.equal('');
  });

  it('a request for a person hands over from every state (never a failed proof)', async () => {
    const report = await fromEvery(paths, async (s) => {
      const before = stateName(s.snapshot);
      const checked = s.fakes.verified.length;
      const attempts = s.snapshot.context.verifyAttempts;
      const t = await s.say(HUMAN);
      if (before === 'handoff') return t.state === 'handoff' ? null : 'left the hand-over';
      if (t.state !== 'handoff') return `${before} → ${t.state}`;
      if (!t.replies.some((r) => r.returns?.handoff === 'queued')) return 'no handoff: queued';
      if (s.fakes.verified.length !== checked || t.snapshot.context.verifyAttempts !== attempts) return 'a proof was checked';
      return null;
    });
    expect(report, report).to.equal('');
  });

  it('cancel ends the conversation (an issued RMA stays booked and is named)', async () => {
    const report = await fromEvery(paths, async (s) => {
      const before = stateName(s.snapshot);
      const rma = s.snapshot.context.rma;
      const t = await s.say(CANCEL);
      if (before === 'handoff') return null;
      if (t.state !== 'ended') return `${before} → ${t.state}`;
      const keys = keysOf(t.replies);
      if (rma && !keys.includes('cancelled.rmaKept')) return 'the RMA was not named';
      if (!rma && !keys.includes('cancelled')) return 'no "cancelled"';
      return null;
    });
    expect(report, report).to.equal('');
  });

  it('start again asks for the order number, with nothing kept', async () => {
    const report = await fromEvery(paths, async (s) => {
      const before = stateName(s.snapshot);
      const t = await s.say(RESTART);
      if (before === 'handoff') return null;
      if (t.state !== 'askOrderNumber' || t.step !== 'orderNumber') return `${before} → ${t.state}`;
      const c = t.snapshot.context;
      return c.order || c.orderNumber || c.reason || c.itemIndex !== null || Object.keys(c.facts).length ? 'something was kept' : null;
    });
    expect(report, report).to.equal('');
  });

  it('a corrected delivery date is kept and the return decided again with it', async () => {
    const date = '2026-12-28';
    const report = await fromEvery(paths, async (s) => {
      const before = stateName(s.snapshot);
      const c0 = s.snapshot.context;
      const t = await s.say(correct({ slot: 'deliveredOn', value: date }));
      if (before === 'handoff' || c0.rma) return null;
      if (!t.snapshot.hasTag('waiting')) return 'not waiting';
      if (t.snapshot.context.deliveredOn !== date) return `${before}: the date was not kept`;
      const decided = t.replies.some((r) => r.returns?.decision) || t.step !== null;
      if (c0.order && c0.itemIndex !== null && c0.reason && !decided) return `${before}: not decided again`;
      if (t.snapshot.context.decision && c0.order && t.snapshot.context.decision.outcome !== 'incomplete' && !(t.snapshot.context.decision.sources?.deliveredOn === 'customer'))
        return "the date is not recorded as the customer's";
      return null;
    });
    expect(report, report).to.equal('');
  });

  it('three misunderstandings in a row offer a person with the summary so far; no question is asked more than three times', async () => {
    const report = await fromEvery(paths, async (s) => {
      const before = stateName(s.snapshot);
      if (before === 'handoff') return null;
      const asked = questionOf(s.turns.at(-1)!);
      let times = asked ? 1 : 0;
      let last: Awaited<ReturnType<Session['say']>> | null = null;
      for (let i = 0; i < 3; i++) {
        last = await s.say(NOT_UNDERSTOOD);
        if (asked && questionOf(last) === asked) times++;
      }
      if (times > 3) return `${before}: the same question ${times} times`;
      if (last!.state !== 'offer') return `${before}: after three misses in ${last!.state}`;
      const keys = keysOf(last!.replies);
      if (!keys.includes('offer.person')) return 'no offer of a person';
      if (s.snapshot.context.orderNumber && !keys.includes('summary.sofar')) return 'no summary';
      // Still not understood at the offer: offered again, never the old question a fourth time.
      const more = await s.say(NOT_UNDERSTOOD);
      if (asked && questionOf(more) === asked) return 'the question a fourth time';
      const yes = await s.say(YES);
      return yes.state === 'handoff' ? null : `yes to the offer → ${yes.state}`;
    });
    expect(report, report).to.equal('');
  });

  it('after the second miss the choices come with a person', async () => {
    const report = await fromEvery(paths, async (s) => {
      const asked = s.turns
        .at(-1)!
        .replies.filter((r) => r.step !== undefined)
        .at(-1);
      if (!asked || stateName(s.snapshot) === 'offer') return null;
      await s.say(NOT_UNDERSTOOD);
      const second = await s.say(NOT_UNDERSTOOD);
      const q = second.replies.filter((r) => r.step !== undefined).at(-1);
      if (!q) return `no question after the second miss (${second.state})`;
      return q.choices?.some((c) => c.commands.some((k) => k.type === 'HumanHandoff')) ? null : `${q.step}: no person among the choices`;
    });
    expect(report, report).to.equal('');
  });
});
