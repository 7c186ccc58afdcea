/**
 * The model behind the machine tests: fixture orders for both shipped packs, deterministic fake
 * actors, the events a customer (or the support team, or an invoked actor) can send in each state,
 * and a serialisation of snapshots for graph traversal.
 *
 * Fixtures (today is RETURNS_TODAY = 2026-12-30, via the machine input `todayOverride`):
 * - UK-100001 (uk-online, 1 item, a notebook delivered 2026-10-15, 76 days ago): change of mind is
 *   rejected (window passed) with the fault and misdescription routes still open; a fault is
 *   approved with repair or replacement chosen by the retailer (after 30 days, within the
 *   guarantee); misdescribed goods get a single remedy (replacement); transit damage is referred.
 * - UK-100002 (uk-online, 2 items delivered 2026-12-22, 8 days ago): headphones and a memory card.
 *   Change of mind asks the seal, use and serial questions and is approved with one remedy (refund);
 *   a fault within 30 days, misdescription and transit damage are approved with the customer's
 *   choice of remedy; a broken seal, use or a removed serial label is rejected.
 * - US-200001 (impress-us, 1 item, a notebook that needs the manufacturer's pre-authorisation,
 *   delivered 2026-12-10): faulty asks the pre-authorisation ("none" is rejected), then the
 *   condition questions; transit damage is referred (carrier claim) once nothing rejects it.
 * - US-200002 (impress-us, 2 items delivered 2026-11-20, 40 days ago: window passed): every reason
 *   is rejected at once (RETURN_WINDOW_PASSED), until the delivery date is corrected.
 * Together: approved, rejected, referred and incomplete (→ a question) are all reachable, with one
 * and two items, one remedy, the customer's choice and the retailer's choice.
 */
import { createEmptyActor, fromPromise, type AnyActorScope, type SnapshotFrom } from 'xstate';
import { createReturnsMachine, type HandoffInput, type HandoffTicket, type IssueRmaInput, type VerifyInput, type VerifyOutput } from '../../machines/returns.machine.js';
import type { ProofCandidate } from '../../machines/commands.js';
import type { ReturnsContext, ReturnsEvent, ReturnsInput, UserEvent } from '../../machines/types.js';
import { REASONS, type ConditionField, type FaultCause, type ReturnReason } from '../../src/policy/case.js';
import { loadPack } from '../../src/policy/packs.js';
import { orderSchema, type Order, type OrderInput } from '../../src/orders.js';

export const TODAY = '2026-12-30';
export const NOW = Date.parse('2026-12-30T12:00:00Z');
export const PROOF_OK: ProofCandidate[] = [{ kind: 'email', value: 'ok' }];
export const PROOF_WRONG: ProofCandidate[] = [{ kind: 'email', value: 'wrong' }];
export const UNKNOWN_ORDER = 'XX-999999';
export const PREAUTH_NUMBER = 'PA-12345';
const MAX_VERIFY_ATTEMPTS = 3;

const orderInputs: OrderInput[] = [
  {
    orderNumber: 'UK-100001', policy: 'uk-online', currency: 'GBP',
    customer: { email: 'ann@example.com', postcode: 'LS1 4AP', region: 'GB-ENG' },
    placedOn: '2026-10-10', deliveredOn: '2026-10-15', delivery: { charge: 4.99, cheapestCharge: 4.99 },
    items: [{ sku: 'NB-14', name: 'Voyager 14 notebook', category: 'notebook', price: 749 }],
  },
  {
    orderNumber: 'UK-100002', policy: 'uk-online', currency: 'GBP',
    customer: { email: 'bob@example.com', postcode: 'M1 1AE', region: 'GB-ENG' },
    placedOn: '2026-11-20', deliveredOn: '2026-12-22', delivery: { charge: 9.99, cheapestCharge: 4.99 },
    items: [
      { sku: 'HP-310', name: 'Aria headphones', category: 'headphones', price: 79.99 },
      { sku: 'SD-128', name: '128 GB memory card', category: 'memory-card', price: 19.99 },
    ],
  },
  {
    orderNumber: 'US-200001', policy: 'impress-us', currency: 'USD',
    customer: { email: 'cy@example.com', postcode: '10001', region: 'US-NY' },
    placedOn: '2026-11-01', deliveredOn: '2026-12-10', delivery: { charge: 0, cheapestCharge: 0 },
    items: [{ sku: 'NB-16', name: 'Stratos 16 notebook', category: 'notebook', price: 1299, requiresManufacturerPreauth: true }],
  },
  {
    orderNumber: 'US-200002', policy: 'impress-us', currency: 'USD',
    customer: { email: 'di@example.com', postcode: '94105', region: 'US-CA' },
    placedOn: '2026-11-15', deliveredOn: '2026-11-20', delivery: { charge: 0, cheapestCharge: 0 },
    items: [
      { sku: 'MS-220', name: 'Precision mouse', category: 'peripheral', price: 24.99 },
      { sku: 'CAM-1080', name: 'StreamCam webcam', category: 'peripheral', price: 69.99 },
    ],
  },
];

export const ORDERS: readonly Order[] = orderInputs.map((o) => orderSchema.parse(o));
export const ORDER_NUMBERS = ORDERS.map((o) => o.orderNumber);

export function orderByNumber(orderNumber: string): Order | null {
  return ORDERS.find((o) => o.orderNumber === orderNumber.trim().toUpperCase()) ?? null;
}

/** What the fake verifyOrder answers: the fixture when the proof is right, else no match (the machine's own limit of attempts applies). */
export function verifyAnswer(input: VerifyInput): VerifyOutput {
  const order = input.candidates.length === 1 && input.candidates[0]!.value === PROOF_OK[0]!.value ? orderByNumber(input.orderNumber) : null;
  return order ? { status: 'verified', order } : { status: 'noMatch', attemptsLeft: 99 };
}

/** The key an RMA is issued once for: the order line and the reason. */
export function rmaKey(orderNumber: string, sku: string, reason: ReturnReason): string {
  return `${orderNumber}/${sku}/${reason}`;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** A deterministic RMA number per key, in the contract's format (the check character is not computed). */
export function rmaFor(key: string): string {
  let s = '';
  for (let i = 0; i < 8; i++) {
    let h = 2166136261;
    for (const ch of `${i}:${key}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
    s += CROCKFORD[h % 32];
  }
  return `RMA-${s.slice(0, 4)}-${s.slice(4)}`;
}

export interface IssueCall {
  key: string;
  input: IssueRmaInput;
  rma: string;
}

/** Deterministic fake actors that record their calls. */
export function createFakes() {
  const issued: IssueCall[] = [];
  const verified: VerifyInput[] = [];
  const handoffs: HandoffInput[] = [];
  const actors = {
    verifyOrder: fromPromise<VerifyOutput, VerifyInput>(async ({ input }) => {
      verified.push(input);
      return verifyAnswer(input);
    }),
    issueRma: fromPromise<{ rma: string }, IssueRmaInput>(async ({ input }) => {
      const key = rmaKey(input.order.orderNumber, input.item.sku, input.reason);
      const rma = rmaFor(key);
      issued.push({ key, input, rma });
      return { rma };
    }),
    requestHandoff: fromPromise<HandoffTicket, HandoffInput>(async ({ input }) => {
      handoffs.push(input);
      return { position: 1, waitMinutes: null, open: true, hours: null };
    }),
  };
  const reset = () => {
    issued.length = 0;
    verified.length = 0;
    handoffs.length = 0;
  };
  return { actors, issued, verified, handoffs, reset };
}

export const baseMachine = createReturnsMachine({ pack: loadPack });
export type Machine = typeof baseMachine;
export type Snap = SnapshotFrom<Machine>;

export type Fakes = ReturnType<typeof createFakes>;

export function machineWith(fakes: Fakes): Machine {
  return baseMachine.provide({ actors: fakes.actors });
}

/** An actor scope that runs nothing, as `xstate/graph` uses: invoked actors are created, never started. */
const emptyActor = createEmptyActor();
const inertScope = {
  self: emptyActor, id: '', sessionId: 'model', logger: () => {}, defer: () => {}, emit: () => {},
  system: emptyActor.system, stopChild: () => {}, actionExecutor: () => {},
} as unknown as AnyActorScope;

/** The machine's pure transition, as the traversal takes it. */
export function pureStep(s: Snap, e: ModelEvent): Snap {
  return baseMachine.transition(s, e as ReturnsEvent, inertScope) as Snap;
}

export const INPUT: ReturnsInput = { conversationId: 'conv-model', defaultPolicy: 'uk-online', todayOverride: TODAY, now: NOW };

/** Completion events of invoked actors: pure traversal runs no promises, so they are events here. */
export type DoneEvent =
  | { type: 'xstate.done.actor.verifyOrder'; output: VerifyOutput }
  | { type: 'xstate.done.actor.issueRma'; output: { rma: string } }
  | { type: 'xstate.done.actor.requestHandoff'; output: HandoffTicket };
export type ModelEvent = ReturnsEvent | DoneEvent;

export function isDoneEvent(e: { type: string }): e is DoneEvent {
  return e.type.startsWith('xstate.done.actor.');
}

/** The top-level state name. */
export function top(s: Snap): string {
  return typeof s.value === 'string' ? s.value : Object.keys(s.value)[0]!;
}

/** The state value as one string (`handoff.queued`). */
export function valueName(s: Snap): string {
  return typeof s.value === 'string' ? s.value : Object.entries(s.value).map(([k, v]) => `${k}.${String(v)}`)[0]!;
}

function childInput<T>(s: Snap, id: string): T {
  const child = (s.children as Record<string, { getSnapshot(): { input?: unknown } } | undefined>)[id];
  if (!child) throw new Error(`no child actor ${id} in ${valueName(s)}`);
  return child.getSnapshot().input as T;
}

/** The output the fake actor gives in an invoking state, as the completion event. */
export function doneEventFor(s: Snap): DoneEvent | null {
  switch (valueName(s)) {
    case 'verifying':
      return { type: 'xstate.done.actor.verifyOrder', output: verifyAnswer(childInput<VerifyInput>(s, 'verifyOrder')) };
    case 'issuing': {
      const input = childInput<IssueRmaInput>(s, 'issueRma');
      return { type: 'xstate.done.actor.issueRma', output: { rma: rmaFor(rmaKey(input.order.orderNumber, input.item.sku, input.reason)) } };
    }
    case 'handoff.requesting':
      return { type: 'xstate.done.actor.requestHandoff', output: { position: 1, waitMinutes: null, open: true, hours: null } };
    default:
      return null;
  }
}

/** The question step a waiting state stands for (what `dialogs/conversation.ts` calls the current step). */
export function stepOf(s: Snap): string | null {
  switch (top(s)) {
    case 'askOrderNumber': return 'orderNumber';
    case 'askVerify': return 'verify';
    case 'askItem': return 'item';
    case 'askReason': return 'reason';
    case 'askFact': return s.context.decision?.needs[0] ?? null;
    case 'askPreauthNumber': return 'manufacturerPreauth';
    case 'askRemedy': return 'remedy';
    case 'askConfirm':
    case 'referred': return 'confirm';
    default: return null;
  }
}

/** Waiting states that need not ask a question on arrival. */
export const NOT_ASKING = new Set(['start', 'ended', 'done', 'rejected', 'declined', 'verifyFailed', 'handoff']);

/**
 * A snapshot as a graph vertex. Everything in the context that can change what happens next is
 * kept, so two snapshots with the same key behave the same for every event (the traversal records
 * paths through one representative per key, and a replay on a real actor must reach the same keys).
 * The proof being checked is kept while verifying. Left out: `now` (fixed), `choices` (set on entry to each state from the rest), the
 * misunderstanding count above 2 (the machine only tests `>= 2`) and failed verification attempts
 * above 3 (it only tests `+ 1 >= 3`; the count keeps growing when a conversation comes back from a
 * handoff after too many attempts).
 */
export function stateKey(s: Snap): string {
  const c = s.context;
  const facts = Object.fromEntries(Object.entries(c.facts).sort(([a], [b]) => a.localeCompare(b)));
  return JSON.stringify({
    v: s.value,
    on: c.orderNumber,
    o: c.order?.orderNumber ?? null,
    va: Math.min(c.verifyAttempts, MAX_VERIFY_ATTEMPTS),
    i: c.itemIndex,
    r: c.reason,
    mf: c.mentionsFault,
    f: facts,
    u: c.unavailable,
    dd: c.deliveredOn,
    d: c.decision ? [c.decision.outcome, c.decision.needs, c.decision.remedies, c.decision.reasons.map((x) => x.code)] : null,
    rem: c.remedy,
    rma: c.rma,
    mu: [c.misunderstood.step, Math.min(c.misunderstood.count, 2)],
    h: c.handoff,
    // While verifying, the proof given (the only thing the outcome depends on that is not in the context).
    p: valueName(s) === 'verifying' ? childInput<VerifyInput>(s, 'verifyOrder').candidates : undefined,
  });
}

/**
 * The fault causes the traversal answers with: one per rule of the packs (a covered defect, an
 * unknown cause, damage the guarantee excludes, a software fault). Wear and tear and misuse take the
 * same rule as an accident; unit.test.ts checks each of them.
 */
export const MODEL_FAULT_CAUSES: readonly FaultCause[] = ['defect', 'unknown', 'accident', 'software'];

const GLOBAL: UserEvent[] = [{ type: 'HUMAN' }, { type: 'CANCEL' }, { type: 'RESTART' }, { type: 'HELP' }];

/** The values of a condition field that matter, as ANSWER events. */
function answersFor(field: ConditionField): UserEvent[] {
  if (field === 'faultCause') return MODEL_FAULT_CAUSES.map((value) => ({ type: 'ANSWER', field, value }));
  if (field === 'manufacturerPreauth') {
    return [{ type: 'ANSWER', field, value: 'none' }, { type: 'ANSWER', field, value: PREAUTH_NUMBER }, { type: 'HAS_PREAUTH' }];
  }
  return [{ type: 'ANSWER', field, value: true }, { type: 'ANSWER', field, value: false }];
}

/**
 * A delivery-date correction for each fixture that is valid (on or after the order was placed, not
 * in the future) and changes the decision (into or out of a window), and one in the future.
 */
const CORRECTED_DELIVERY: Record<string, string> = {
  'UK-100001': '2026-12-21',
  'UK-100002': '2026-11-25',
  'US-200001': '2026-11-25',
  'US-200002': '2026-12-20',
};
export const FUTURE_DATE = '2027-01-05';

/**
 * The concrete events a customer could send in each state, as `dialogs/interpret.ts` would produce
 * them (an answer, a choice, a command, a correction), the support team's events during a handoff,
 * and the completion of an invoked actor (the only event offered while it runs, with the output the
 * fake actor gives). Each event says whether it is a detour from the conversation's main line: a
 * command (a person, cancel, start again, help), a correction, "I don't know", a changed order
 * number, an opening that already says the reason, the second "not understood" in a row, the fault
 * cause `unknown` (it decides as `defect`), a new route after a refusal, a change of remedy at the
 * confirmation. The traversal bounds how many detours a path takes (`traversalOptions`).
 * Further bounds: corrections only early in a case (at most one fact known, none unavailable), and
 * after a misunderstanding only the answers, "not understood" again and a person.
 */
export function modelEvents(s: Snap): { event: ModelEvent; detour: boolean }[] {
  const done = doneEventFor(s);
  if (done) return [{ event: done, detour: false }];
  const c: ReturnsContext = s.context;
  const name = top(s);
  const main: ModelEvent[] = [];
  const detours: ModelEvent[] = [];
  const confused = c.misunderstood.count > 0;
  // The first "not understood" is part of the main line, the second a detour (it offers a person).
  if (name !== 'handoff' && c.misunderstood.count < 2) (confused ? detours : main).push({ type: 'NOT_UNDERSTOOD' });
  if (name !== 'handoff') detours.push(...(confused ? GLOBAL.filter((e) => e.type === 'HUMAN') : GLOBAL));
  // `interpret` reads corrections only with a verified order, before an RMA, and not at askVerify.
  // The traversal corrects only early in a case (at most one fact known, none unavailable).
  if (c.order && c.rma === null && !['start', 'ended', 'askVerify', 'handoff'].includes(name) && !confused && Object.keys(c.facts).length <= 1 && c.unavailable.length === 0) {
    detours.push({ type: 'CORRECT_DELIVERY', date: CORRECTED_DELIVERY[c.order.orderNumber]! }, { type: 'CORRECT_DELIVERY', date: FUTURE_DATE });
    if (c.order.items.length > 1 && c.itemIndex !== null) detours.push({ type: 'CORRECT_ITEM', index: 1 - c.itemIndex });
    if (c.reason) detours.push({ type: 'CORRECT_REASON', reason: c.reason === 'faulty' ? 'misdescribed' : 'faulty' });
  }
  const reasons = (mentionsFault: boolean) => REASONS.map((reason) => ({ type: 'REASON' as const, reason, mentionsFault, faultCause: null }));
  switch (name) {
    case 'start':
    case 'ended':
      main.push({ type: 'OPENING', orderNumber: null, reason: null, mentionsFault: false, faultCause: null });
      detours.push({ type: 'OPENING', orderNumber: 'UK-100002', reason: 'faulty', mentionsFault: true, faultCause: 'defect' });
      if (name === 'start') main.push(...ORDER_NUMBERS.map((orderNumber) => ({ type: 'ORDER_NUMBER' as const, orderNumber })));
      break;
    case 'askOrderNumber':
      main.push(...ORDER_NUMBERS.map((orderNumber) => ({ type: 'ORDER_NUMBER' as const, orderNumber })), { type: 'ORDER_NUMBER', orderNumber: UNKNOWN_ORDER });
      detours.push({ type: 'OPENING', reason: 'change-of-mind', mentionsFault: true, faultCause: null });
      break;
    case 'askVerify':
      main.push({ type: 'VERIFY', candidates: PROOF_OK }, { type: 'VERIFY', candidates: PROOF_WRONG });
      detours.push({ type: 'ORDER_NUMBER', orderNumber: c.orderNumber === UNKNOWN_ORDER ? 'UK-100001' : UNKNOWN_ORDER });
      break;
    case 'askItem':
      main.push({ type: 'ITEM', index: 0 }, { type: 'ITEM', index: 1 });
      break;
    case 'askReason':
      main.push(...reasons(false), { type: 'REASON', reason: 'change-of-mind', mentionsFault: true, faultCause: null });
      break;
    case 'askFact': {
      const field = c.decision!.needs[0]!;
      for (const e of answersFor(field)) {
        // The cause `unknown` decides as a defect does: a detour, so its subtree is not walked twice.
        (e.type === 'ANSWER' && e.value === 'unknown' ? detours : main).push(e);
      }
      // At faultCause, "I don't know" is read as the cause `unknown` (an answer above).
      if (field !== 'faultCause') detours.push({ type: 'DONT_KNOW' });
      break;
    }
    case 'askPreauthNumber':
      main.push({ type: 'ANSWER', field: 'manufacturerPreauth', value: PREAUTH_NUMBER }, { type: 'ANSWER', field: 'manufacturerPreauth', value: 'none' });
      if (!confused) detours.push({ type: 'DONT_KNOW' });
      break;
    case 'askRemedy':
      main.push(...c.decision!.remedies.map((remedy) => ({ type: 'REMEDY' as const, remedy })));
      break;
    case 'askConfirm':
      main.push({ type: 'YES' }, { type: 'NO' });
      if (c.decision!.remedyChosenBy === 'customer' && c.decision!.remedies.length > 1) {
        detours.push(...c.decision!.remedies.filter((r) => r !== c.remedy).map((remedy) => ({ type: 'REMEDY' as const, remedy })));
      }
      break;
    case 'done':
      main.push({ type: 'ANOTHER_ITEM' }, { type: 'YES' }, { type: 'NO' });
      break;
    case 'declined':
    case 'referred':
    case 'verifyFailed':
      main.push({ type: 'YES' }, { type: 'NO' });
      break;
    case 'rejected':
      main.push({ type: 'NO' });
      detours.push(...reasons(false));
      break;
    case 'handoff': {
      const sub = (s.value as { handoff: string }).handoff;
      main.push({ type: 'CUSTOMER_MESSAGE', text: 'hello?' });
      if (sub === 'queued') main.push({ type: 'AGENT_TOOK', agent: 'sam' }, { type: 'CANCEL' });
      if (sub === 'active') {
        main.push({ type: 'AGENT_RELEASED', agent: 'sam' }, { type: 'AGENT_CLOSED', agent: 'sam' });
        if (c.order && c.itemIndex !== null && c.rma === null) main.push({ type: 'STAFF_RMA', rma: STAFF_RMA, remedy: 'repair', agent: 'sam' });
      }
      break;
    }
    default:
      throw new Error(`no events modelled for state ${valueName(s)}`);
  }
  return [...main.map((event) => ({ event, detour: false })), ...detours.map((event) => ({ event, detour: true }))];
}

export const STAFF_RMA = 'RMA-5TAF-F001';

const keyCache = new WeakMap<object, string>();
/** {@link stateKey}, memoised per snapshot object. */
export function keyOf(s: Snap): string {
  let k = keyCache.get(s);
  if (k === undefined) {
    k = stateKey(s);
    keyCache.set(s, k);
  }
  return k;
}

/**
 * Traversal options for `xstate/graph` with at most `budget` detours per path. The budget of a
 * vertex is that of the snapshot the traversal first expands for its key (the adjacency map keeps
 * that one), plus one when the event into it was a detour; it only bounds which events the test
 * offers, never what the machine does.
 */
export function traversalOptions(budget: number) {
  const detoursOf = new Map<string, number>();
  const detourEvents = new WeakSet<object>();
  const serializeState = (s: Snap, event: ModelEvent | undefined, prev?: Snap): string => {
    const k = keyOf(s);
    if (!detoursOf.has(k)) detoursOf.set(k, prev && event ? (detoursOf.get(keyOf(prev)) ?? 0) + (detourEvents.has(event) ? 1 : 0) : 0);
    return k;
  };
  const events = (s: Snap): ModelEvent[] => {
    const used = detoursOf.get(keyOf(s)) ?? 0;
    const out: ModelEvent[] = [];
    for (const { event, detour } of modelEvents(s)) {
      if (detour && used >= budget) continue;
      if (detour) detourEvents.add(event);
      out.push(event);
    }
    return out;
  };
  return { serializeState, events, detoursOf };
}
