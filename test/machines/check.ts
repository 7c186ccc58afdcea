/**
 * Replaying model paths on real actors (with the fake actors provided, promises really resolving)
 * and checking the promises of each turn. A turn is what `dialogs/conversation.ts` does: a CLOCK
 * event, one customer (or staff) event, then run until a state tagged `waiting`.
 */
import { isDeepStrictEqual } from 'node:util';
import { createActor, waitFor, type Actor, type Snapshot } from 'xstate';
import { z } from 'zod';
import { selectedItem } from '../../machines/case.js';
import type { Reply, ReturnsEvent } from '../../machines/types.js';
import { CONDITION_FIELDS, REASONS } from '../../src/policy/case.js';
import { OUTCOMES, type Decision } from '../../src/policy/decision.js';
import { DEDUCTION_KINDS, REMEDIES } from '../../src/policy/pack.js';
import { loadPack } from '../../src/policy/packs.js';
import {
  INPUT, NOT_ASKING, NOW, STAFF_RMA, baseMachine, pureStep, createFakes, doneEventFor, isDoneEvent, keyOf, machineWith, rmaFor, rmaKey, stepOf, top, valueName,
  type Fakes, type IssueCall, type Machine, type ModelEvent, type Snap,
} from './model.js';

export const PROMISES = {
  model: 'the real actor reaches the state the model predicts at every step',
  steps: 'every reply with a step asks a known step',
  question: 'every question state asks its own question whenever the bot speaks in it',
  decision: 'every decision matches CONTRACT §4, cites clauses of its pack, and a rejection is explained',
  rma: 'an RMA only for an approved decision the customer confirmed (or staff issued); one per line and reason; shown with returns.rma',
  persist: 'the persisted snapshot round-trips through JSON into the same state and context, under 8 KB',
  choices: 'every choice offered is an event the state accepts (it changes state or answers)',
  handoff: 'a handoff that starts says so: returns.handoff "queued" with the position',
  silent: 'outside a handoff the customer always gets an answer (with the turn layer re-asking when an event does not apply)',
  errors: 'with actors that never fail, the bot never reports a temporary error (it never decides without a case)',
} as const;
export type PromiseName = keyof typeof PROMISES;

export const VALID_STEPS: ReadonlySet<string> = new Set(['orderNumber', 'verify', 'item', 'reason', ...CONDITION_FIELDS, 'remedy', 'confirm']);

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
/** CONTRACT section 4, field by field. */
export const decisionSchema = z.strictObject({
  policy: z.string().min(1),
  policyVersion: z.string().min(1),
  reason: z.enum(REASONS),
  outcome: z.enum(OUTCOMES),
  needs: z.array(z.enum(CONDITION_FIELDS)),
  remedies: z.array(z.enum(REMEDIES)),
  remedyChosenBy: z.enum(['customer', 'retailer']).nullable(),
  deductions: z.array(z.strictObject({ kind: z.enum(DEDUCTION_KINDS), certainty: z.enum(['may', 'will']) })),
  conditions: z.array(z.string().min(1)),
  deadlines: z.strictObject({ notifyBy: date.nullable(), returnBy: date.nullable(), reportBy: date.nullable(), refundWithinDays: z.number().int().nonnegative().nullable() }),
  reasons: z.array(z.strictObject({ code: z.string().regex(/^[A-Z][A-Z0-9_]*$/), params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])) })).min(1),
  clauses: z.array(z.string().min(1)).min(1),
  rmaRequired: z.boolean(),
  statutoryNote: z.string().nullable(),
  // Additive: the source of each fact the decision used (src/policy/decision.ts).
  sources: z.record(z.string(), z.enum(['order', 'customer', 'staff'])).optional(),
});

/** Problems with a decision shown to the customer, beyond its shape. */
export function decisionProblems(d: Decision, reply: Reply): string[] {
  const problems: string[] = [];
  const shape = decisionSchema.safeParse(d);
  if (!shape.success) problems.push(`shape: ${shape.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const pack = loadPack(d.policy).pack;
  const clauseIds = new Set(pack.clauses.map((c) => c.id));
  for (const id of d.clauses) if (!clauseIds.has(id)) problems.push(`clause ${id} is not in pack ${pack.id}`);
  const conditionIds = new Set(pack.rules.flatMap((r) => ('conditions' in r ? r.conditions : [])));
  for (const id of d.conditions) if (!conditionIds.has(id)) problems.push(`condition ${id} is not one of the pack's`);
  if (d.outcome === 'incomplete' && d.needs.length === 0) problems.push('incomplete without needs');
  if (d.outcome !== 'incomplete' && d.needs.length > 0) problems.push(`${d.outcome} with needs`);
  if ((d.outcome === 'approved') !== d.remedies.length > 0) problems.push(`${d.outcome} with remedies ${JSON.stringify(d.remedies)}`);
  if ((d.outcome === 'approved') !== (d.remedyChosenBy !== null)) problems.push(`${d.outcome} with remedyChosenBy ${d.remedyChosenBy}`);
  if (d.outcome !== 'approved' && d.rmaRequired) problems.push(`${d.outcome} with rmaRequired`);
  if (reply.returns?.outcome !== d.outcome) problems.push(`returns.outcome ${reply.returns?.outcome} is not the decision's ${d.outcome}`);
  if (d.outcome === 'rejected') {
    const keys = new Set(reply.parts.map((p) => p.key));
    for (const r of d.reasons) if (!keys.has(`reason.${r.code}`)) problems.push(`rejection not explained: no part reason.${r.code}`);
  }
  return problems;
}

/** A short, readable form of an event for failure messages. */
export function fmt(e: ModelEvent | { type: string }): string {
  const ev = e as Record<string, unknown> & { type: string };
  if (isDoneEvent(ev)) return `⟨${ev.type.slice('xstate.done.actor.'.length)} done⟩`;
  switch (ev.type) {
    case 'ANSWER': return `ANSWER(${String(ev.field)}=${String(ev.value)})`;
    case 'ORDER_NUMBER': return `ORDER_NUMBER(${String(ev.orderNumber)})`;
    case 'VERIFY': return `VERIFY(${(ev.candidates as { value: string }[]).map((c) => c.value).join('|')})`;
    case 'ITEM': case 'CORRECT_ITEM': return `${ev.type}(${String(ev.index)})`;
    case 'REASON': return `REASON(${String(ev.reason)}${ev.mentionsFault ? '+fault' : ''})`;
    case 'CORRECT_REASON': return `CORRECT_REASON(${String(ev.reason)})`;
    case 'CORRECT_DELIVERY': return `CORRECT_DELIVERY(${String(ev.date)})`;
    case 'REMEDY': return `REMEDY(${String(ev.remedy)})`;
    case 'OPENING': return `OPENING(${[ev.orderNumber, ev.reason, ev.mentionsFault ? 'fault' : null, ev.faultCause].filter(Boolean).join(',')})`;
    case 'STAFF_RMA': return `STAFF_RMA(${String(ev.rma)})`;
    default: return ev.type;
  }
}

/** The fake actors and the machine they are provided to; one per independent kind of session. */
export interface Env {
  fakes: Fakes;
  machine: Machine;
}
export function createEnv(): Env {
  const fakes = createFakes();
  return { fakes, machine: machineWith(fakes) };
}

export interface Turn {
  before: Snap;
  event: ReturnsEvent;
  /** The state right after the event, before invoked actors resolve. */
  mid: Snap;
  after: Snap;
  replies: Reply[];
  issued: IssueCall[];
}

const settled = (s: Snap) => s.hasTag('waiting') || s.status !== 'active';

/** One real actor, driven turn by turn. */
export class Session {
  readonly actor: Actor<Machine>;
  private readonly replies: Reply[] = [];

  constructor(readonly env: Env, snapshot?: Snapshot<unknown>) {
    env.fakes.reset();
    this.actor = createActor(env.machine, snapshot ? { snapshot, input: INPUT } : { input: INPUT });
    this.actor.on('reply', (r) => this.replies.push(r));
    this.actor.start();
  }

  get snapshot(): Snap {
    return this.actor.getSnapshot();
  }

  /** Send the event as the turn layer does; `mid` is the state before invoked actors resolve. */
  begin(event: ReturnsEvent): { before: Snap; mid: Snap; r0: number; i0: number } {
    const before = this.snapshot;
    const r0 = this.replies.length;
    const i0 = this.env.fakes.issued.length;
    this.actor.send({ type: 'CLOCK', now: NOW });
    this.actor.send(event);
    return { before, mid: this.snapshot, r0, i0 };
  }

  async finish(started: { before: Snap; mid: Snap; r0: number; i0: number }, event: ReturnsEvent): Promise<Turn> {
    if (!settled(this.snapshot)) await waitFor(this.actor, settled, { timeout: 2000 });
    return { ...started, event, after: this.snapshot, replies: this.replies.slice(started.r0), issued: this.env.fakes.issued.slice(started.i0) };
  }

  async turn(event: ReturnsEvent): Promise<Turn> {
    return this.finish(this.begin(event), event);
  }

  stop(): void {
    this.actor.stop();
  }
}

/** The model's own prediction: the pure transition, then the fake actors' completions. */
export function modelResolve(s: Snap, e: ModelEvent): Snap {
  let next = pureStep(s, e);
  for (let d = doneEventFor(next); d; d = doneEventFor(next)) next = pureStep(next, d);
  return next;
}

export function persistedOf(s: Snap): Snapshot<unknown> {
  return baseMachine.getPersistedSnapshot(s) as Snapshot<unknown>;
}

const normal = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;

/** Collects violations of each promise, and counts what was checked. */
export class Checker {
  /** Violations of each promise: how many, grouped by kind (state, event, problem), a few in full. */
  readonly violations = new Map<PromiseName, { count: number; kinds: Map<string, number>; examples: string[] }>();
  readonly counts = { turns: 0, decisions: 0, questions: 0, rmas: 0, persisted: 0, choices: 0, probes: 0, doneReached: 0, maxPersistedBytes: 0 };
  /** Decisions shown, by `policy outcome`; RMAs issued, by order number. */
  readonly outcomes = new Map<string, number>();
  readonly rmaOrders = new Map<string, number>();
  readonly statesSeen = new Set<string>();
  private readonly persistedKeys = new Set<string>();
  private readonly choiceKeys = new Set<string>();
  private readonly silentKeys = new Set<string>();
  private readonly probeEnv = createEnv();

  fail(promise: PromiseName, where: string, message: string, kind: string = message): void {
    const v = this.violations.get(promise) ?? { count: 0, kinds: new Map<string, number>(), examples: [] };
    v.count++;
    v.kinds.set(kind, (v.kinds.get(kind) ?? 0) + 1);
    if (v.examples.length < 6) v.examples.push(`${message}\n      at: ${where}`);
    this.violations.set(promise, v);
  }

  /** A readable report of a promise's violations, or '' when there are none. */
  report(promise: PromiseName): string {
    const v = this.violations.get(promise);
    if (!v) return '';
    const kinds = [...v.kinds].sort((a, b) => b[1] - a[1]).map(([k, n]) => `    ${n} × ${k}`);
    return `${v.count} violation(s) of ${v.kinds.size} kind(s):\n${kinds.join('\n')}\n  for example:\n    ${v.examples.join('\n    ')}`;
  }

  /** Every promise about one turn. `where` describes the path up to and including this turn. */
  async checkTurn(t: Turn, where: () => string, persisted?: () => Snapshot<unknown>): Promise<void> {
    this.counts.turns++;
    const kind = (what: string) => `${what} (${valueName(t.before)} + ${t.event.type} → ${valueName(t.after)})`;
    this.statesSeen.add(valueName(t.mid));
    this.statesSeen.add(valueName(t.after));
    const asked = t.replies.filter((r) => r.step !== undefined);
    for (const r of asked) {
      if (!VALID_STEPS.has(r.step!)) this.fail('steps', where(), `reply ${r.parts.map((p) => p.key).join('+')} has step ${String(r.step)}`);
    }

    // A question state asks its question whenever the bot speaks there (or the state changed).
    const name = top(t.after);
    if (t.after.hasTag('waiting') && !NOT_ASKING.has(name)) {
      const step = stepOf(t.after);
      const changed = keyOf(t.after) !== keyOf(t.before);
      if (step === null) this.fail('question', where(), `${valueName(t.after)} stands for no step`);
      else if (t.replies.length > 0 || changed) {
        this.counts.questions++;
        const last = asked.at(-1);
        if (!last || last.step !== step) {
          const said = t.replies.map((r) => r.parts.map((p) => p.key).join('+') + (r.step ? ` (step ${r.step})` : '')).join(', ');
          this.fail('question', where(), `${valueName(t.after)} waits for ${step}, but the turn's replies [${said}] ${last ? `last asked ${last.step}` : 'ask nothing'}`, kind(`replies [${t.replies.map((r) => r.parts[0]?.key).join(', ')}] do not ask again`));
        }
      }
    }

    // Decisions.
    for (const r of t.replies) {
      const d = r.returns?.decision;
      if (!d) continue;
      this.counts.decisions++;
      this.outcomes.set(`${d.policy} ${d.outcome}`, (this.outcomes.get(`${d.policy} ${d.outcome}`) ?? 0) + 1);
      for (const p of decisionProblems(d, r)) this.fail('decision', where(), `${d.policy} ${d.reason} ${d.outcome}: ${p}`);
      const ctx = t.after.context;
      if (ctx.reason && d.reason !== ctx.reason && top(t.after) !== 'handoff' && top(t.after) !== 'ended') {
        this.fail('decision', where(), `decision for ${d.reason} shown while the case is about ${ctx.reason}`);
      }
    }
    const lastDecision = t.replies.filter((r) => r.returns?.decision).at(-1)?.returns?.decision;
    if (lastDecision && ['askConfirm', 'askRemedy', 'rejected', 'referred', 'done'].includes(top(t.after)) && !isDeepStrictEqual(normal(lastDecision), normal(t.after.context.decision))) {
      this.fail('decision', where(), `the decision shown is not the one the conversation goes on with (${top(t.after)})`);
    }

    // RMAs: issued only on YES to an approved decision; carried by the reply; from staff only as given.
    const b = t.before.context;
    if (t.issued.length > 0) {
      this.counts.rmas += t.issued.length;
      for (const call of t.issued) this.rmaOrders.set(call.input.order.orderNumber, (this.rmaOrders.get(call.input.order.orderNumber) ?? 0) + 1);
      const item = selectedItem(b);
      const expectedKey = b.order && item && b.reason ? rmaKey(b.order.orderNumber, item.sku, b.reason) : null;
      if (t.issued.length !== 1) this.fail('rma', where(), `${t.issued.length} RMAs issued in one turn`);
      if (t.event.type !== 'YES' || !['askConfirm', 'declined'].includes(top(t.before))) this.fail('rma', where(), `RMA issued on ${t.event.type} in ${valueName(t.before)}`);
      if (b.decision?.outcome !== 'approved') this.fail('rma', where(), `RMA issued for a ${b.decision?.outcome ?? 'missing'} decision`);
      for (const call of t.issued) {
        if (call.key !== expectedKey) this.fail('rma', where(), `RMA issued for ${call.key}, the case is ${expectedKey}`);
        if (!t.replies.some((r) => r.returns?.rma === call.rma)) this.fail('rma', where(), `no reply carries returns.rma ${call.rma}`);
        if (t.after.context.rma !== call.rma) this.fail('rma', where(), `context.rma ${t.after.context.rma} is not the issued ${call.rma}`);
      }
    }
    for (const r of t.replies) {
      const rma = r.returns?.rma;
      if (!rma) continue;
      const fromStaff = t.event.type === 'STAFF_RMA' && t.event.rma === rma;
      if (!fromStaff && !t.issued.some((c) => c.rma === rma)) this.fail('rma', where(), `reply carries RMA ${rma} that was not issued in this turn`);
    }
    if (top(t.after) === 'done' && t.after.context.rma === null) this.fail('rma', where(), 'done without an RMA');

    // The fake actors never fail: a temporary error can only come from the machine's own logic.
    if (t.replies.some((r) => r.parts.some((p) => p.key === 'error.temporary'))) {
      this.fail('errors', where(), `error.temporary on ${fmt(t.event)} in ${valueName(t.before)} (item ${t.before.context.itemIndex}, reason ${t.before.context.reason}) → ${valueName(t.after)}`, kind('error.temporary'));
    }

    // A handoff that starts says it is queued, with the position.
    if (valueName(t.after) === 'handoff.queued' && top(t.before) !== 'handoff') {
      if (!t.replies.some((r) => r.returns?.handoff === 'queued' && r.returns.position === 1)) this.fail('handoff', where(), 'no reply with returns.handoff "queued" and position 1');
    }

    // Never silent outside a handoff: an event that does not apply is followed by NOT_UNDERSTOOD.
    if (t.replies.length === 0 && top(t.before) !== 'handoff' && top(t.after) !== 'handoff') {
      if (keyOf(t.after) !== keyOf(t.before)) this.fail('silent', where(), `${valueName(t.before)} → ${valueName(t.after)} on ${fmt(t.event)} without a word`, kind('changes state without a word'));
      else if (!this.silentKeys.has(keyOf(t.after))) {
        this.silentKeys.add(keyOf(t.after));
        const probe = new Session(this.probeEnv, persistedOf(t.after));
        const again = await probe.turn({ type: 'NOT_UNDERSTOOD' });
        probe.stop();
        this.counts.probes++;
        if (again.replies.length === 0) this.fail('silent', where(), `${valueName(t.after)} ignores ${fmt(t.event)} and then NOT_UNDERSTOOD too: the customer gets no answer`, `${valueName(t.after)} answers nothing to NOT_UNDERSTOOD`);
      }
    }

    await this.checkPersisted(t.after, where, persisted);
    await this.checkChoices(t, where);
  }

  /** The persisted snapshot round-trips (once per distinct waiting state). */
  async checkPersisted(s: Snap, where: () => string, persisted: () => Snapshot<unknown> = () => persistedOf(s)): Promise<void> {
    if (!s.hasTag('waiting') || this.persistedKeys.has(keyOf(s))) return;
    this.persistedKeys.add(keyOf(s));
    this.counts.persisted++;
    const json = JSON.stringify(persisted());
    const bytes = Buffer.byteLength(json, 'utf8');
    this.counts.maxPersistedBytes = Math.max(this.counts.maxPersistedBytes, bytes);
    if (bytes >= 8192) this.fail('persist', where(), `persisted snapshot of ${valueName(s)} is ${bytes} bytes`);
    const restored = new Session(this.probeEnv, JSON.parse(json) as Snapshot<unknown>);
    const r = restored.snapshot;
    restored.stop();
    if (!isDeepStrictEqual(r.value, s.value)) this.fail('persist', where(), `restored into ${JSON.stringify(r.value)}, not ${JSON.stringify(s.value)}`);
    if (!isDeepStrictEqual(normal(r.context), normal(s.context))) this.fail('persist', where(), `restored context differs in ${valueName(s)}`);
    if (r.status !== 'active') this.fail('persist', where(), `restored actor is ${r.status}`);
  }

  /** The choices of the turn's last reply with choices: each is accepted in the state the turn ends in. */
  async checkChoices(t: Turn, where: () => string): Promise<void> {
    const offered = t.replies.filter((r) => r.choices && r.choices.length > 0).at(-1)?.choices ?? [];
    if (offered.length === 0 || !t.after.hasTag('waiting')) return;
    for (const choice of offered) {
      const k = `${keyOf(t.after)}|${JSON.stringify(choice.event)}`;
      if (this.choiceKeys.has(k)) continue;
      this.choiceKeys.add(k);
      this.counts.choices++;
      const probe = new Session(this.probeEnv, persistedOf(t.after));
      const r = await probe.turn(choice.event);
      probe.stop();
      if (keyOf(r.after) === keyOf(t.after) && r.replies.length === 0) {
        this.fail('choices', where(), `choice ${choice.label.key} (${fmt(choice.event)}) is silently ignored in ${valueName(t.after)}`);
      }
    }
  }
}

/** One step of a model path: the event and the state the model says it leads to. */
export interface PathStep {
  event: ModelEvent;
  state: Snap;
}

/**
 * Replay a model path on a fresh real actor: customer and staff events are sent as turns; the
 * completion events of invoked actors are not sent, the provided promise actors resolve instead
 * (the model computed their completions from the same fakes). Checks every step against the
 * model and every turn's promises, and the path's RMA bookkeeping.
 */
export async function replayPath(env: Env, start: Snap, steps: readonly PathStep[], checker: Checker): Promise<void> {
  const session = new Session(env);
  const done: string[] = [];
  const where = () => done.join(' → ');
  try {
    if (keyOf(session.snapshot) !== keyOf(start)) {
      checker.fail('model', 'start', `starts in ${valueName(session.snapshot)}, the model in ${valueName(start)}`);
      return;
    }
    const perKey = new Map<string, number>();
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!;
      if (isDoneEvent(step.event)) throw new Error(`a completion event with no turn before it at step ${i}`);
      const event = step.event as ReturnsEvent;
      done.push(fmt(event));
      const started = session.begin(event);
      if (keyOf(started.mid) !== keyOf(step.state)) {
        checker.fail('model', where(), `real actor in ${keyOf(started.mid)}\n      model in ${keyOf(step.state)}`);
        return;
      }
      // The completions the model predicts for this turn: the real promise actors give them.
      let expected = step.state;
      while (i + 1 < steps.length && isDoneEvent(steps[i + 1]!.event)) {
        i++;
        expected = steps[i]!.state;
        done.push(fmt(steps[i]!.event));
      }
      // A path may end in an invoking state: the real actor goes on, so the model does too.
      for (let d = doneEventFor(expected); d; d = doneEventFor(expected)) expected = pureStep(expected, d);
      const t = await session.finish(started, event);
      if (keyOf(t.after) !== keyOf(expected)) {
        checker.fail('model', where(), `real actor in ${keyOf(t.after)}\n      model in ${keyOf(expected)}`);
        return;
      }
      await checker.checkTurn(t, where, () => session.actor.getPersistedSnapshot() as Snapshot<unknown>);
      for (const call of t.issued) {
        const n = (perKey.get(call.key) ?? 0) + 1;
        perKey.set(call.key, n);
        if (n > 1) checker.fail('rma', where(), `issueRma called ${n} times for ${call.key}`);
      }
      if (top(t.after) === 'done' && top(t.before) !== 'done') {
        checker.counts.doneReached++;
        const ctx = t.after.context;
        const item = selectedItem(ctx);
        const key = ctx.order && item && ctx.reason ? rmaKey(ctx.order.orderNumber, item.sku, ctx.reason) : null;
        const staff = ctx.rma === STAFF_RMA;
        if (!staff && (key === null || perKey.get(key) !== 1 || ctx.rma !== rmaFor(key))) {
          checker.fail('rma', where(), `reached done with RMA ${ctx.rma} for ${key}, issued ${key ? perKey.get(key) ?? 0 : 0} time(s)`);
        }
      }
    }
  } finally {
    session.stop();
  }
}
