/**
 * The returns conversation as one XState statechart (see docs/machine.md for the chart).
 *
 * - `flow` holds the steps of a return: what the bot waits for (tag `waiting`, the contract's step
 *   in each state's `meta.step`, read with `stepOf`). Its history state `hist` is where a hand-over
 *   or an offer of a person returns to: the question the customer was at is asked again.
 * - Every customer message is one `MESSAGE` event carrying the commands the understanding layer read
 *   (machines/commands.ts). A state handles what only it understands (a yes at the confirmation, a
 *   fact at a condition question); everything else is handled once, by `flow` or the root: a
 *   person, cancel, start again, frustration, goodbye, help, a question mid-way, a clarification,
 *   and not being understood (the ladder: a second miss offers the choices and a person, a third
 *   offers the hand-over with the summary so far). Slots given in any message are kept and the
 *   transient `route` state asks only what is still missing.
 * - Deciding is pure (`decide`); I/O is done by actors the composition root provides with
 *   `.provide()`: `verifyOrder`, `issueRma`, `requestHandoff`. Replies are message keys with
 *   parameters, never text: `dialogs/` renders them in the customer's language.
 */
import { and, assertEvent, assign, emit, enqueueActions, fromPromise, not, or, raise, setup, type SnapshotFrom } from 'xstate';
import { BOOLEAN_CONDITION_FIELDS, CONDITION_FIELDS, FAULT_CAUSES, type Case, type ConditionField, type ReturnReason } from '../src/policy/case.js';
import type { Decision } from '../src/policy/decision.js';
import { openAlternatives, type CompiledPack } from '../src/policy/engine.js';
import { loadPack, packIdForOrderNumber } from '../src/policy/packs.js';
import type { Remedy } from '../src/policy/pack.js';
import type { Order, OrderItem } from '../src/orders.js';
import { buildCase, selectedItem, todayFor } from './case.js';
import { explainDecision, nextSteps, remedyPart, type Said } from './explain.js';
import { askAnswerParts } from './answers.js';
import { absorb, changesAnything, clearedItem, settle, slotCommands, unsureSlots, withFact, type SlotCommand } from './slots.js';
import { CONFIDENT, UNSURE, type Command, type SlotValue, type VerifyRequest, type VerifyResult } from './commands.js';
import type { Choice, MessageEvent, Part, Reply, ReturnsContext, ReturnsData, ReturnsEvent, ReturnsInput, Step, TurnChannel, UserEvent } from './types.js';

/** What the `verifyOrder` actor is given (the port of machines/commands.ts). */
export type VerifyInput = VerifyRequest;
/** What it answers. */
export type VerifyOutput = VerifyResult<Order>;
export interface IssueRmaInput {
  conversationId: string;
  order: Order;
  item: OrderItem;
  reason: ReturnReason;
  remedy: Remedy | null;
  decision: Decision;
  /** The case decided: every fact with its value and source, recorded with the RMA. */
  case: Case | null;
}
/**
 * What issuing gave: the RMA, the remedy recorded now (what the customer is told), and, when the
 * line had an RMA already with another remedy, what asking for this one gave (src/rmas.ts).
 */
export interface IssueRmaOutput {
  rma: string;
  remedy?: Remedy | null;
  remedyChange?: 'changed' | 'unchanged' | 'being-processed' | 'not-offered' | 'retailer-chooses' | 'not-found' | null;
}
export interface HandoffInput {
  conversationId: string;
  /** The channel the customer is on (from the turn's CLOCK event), to reach them later. */
  channel: TurnChannel | null;
  reason: ReturnsContext['handoffReason'];
  /** What the support person sees first: the order, the item, the reason, the facts, the decision. */
  summary: HandoffSummary;
}

export interface HandoffSummary {
  orderNumber: string | null;
  verified: boolean;
  item: { sku: string; name: string; category: string } | null;
  reason: ReturnReason | null;
  facts: ReturnsContext['facts'];
  deliveredOn: string | null;
  decision: Decision | null;
  rma: string | null;
}

/** What the support team's queue answers when a hand-over is requested. */
export interface HandoffTicket {
  /** Place in the queue (1 = next), when known. */
  position: number | null;
  /** Expected wait in minutes, when known. */
  waitMinutes: number | null;
  /** False outside the team's opening hours. */
  open: boolean;
  /** The team's opening hours, as configured (shown to the customer). */
  hours: string | null;
}

/** The hand-over summary of a conversation. Pure. */
export function handoffSummary(ctx: ReturnsContext): HandoffSummary {
  const item = selectedItem(ctx);
  return {
    orderNumber: ctx.order?.orderNumber ?? ctx.orderNumber,
    verified: ctx.order !== null,
    item: item ? { sku: item.sku, name: item.name, category: item.category } : null,
    reason: ctx.reason,
    facts: ctx.facts,
    deliveredOn: ctx.deliveredOn ?? ctx.order?.deliveredOn ?? null,
    decision: ctx.decision,
    rma: ctx.rma,
  };
}

/** What asking for another remedy on an RMA already issued gave, in words (empty when nothing to say). */
function remedyChangeParts(out: IssueRmaOutput, recorded: Remedy | null): Part[] {
  if (!recorded) return [];
  const params = { rma: out.rma, remedy: remedyPart(recorded) };
  switch (out.remedyChange) {
    case 'changed':
      return [part('rma.remedy.changed', params)];
    case 'being-processed':
      return [part('rma.remedy.processing', params)];
    case 'not-offered':
    case 'retailer-chooses':
      return [part('rma.remedy.retailer', params)];
    default:
      return [];
  }
}

function queuedParts(t: HandoffTicket): Part[] {
  if (!t.open) return [part('handoff.queued.closed', { hours: t.hours ?? '' })];
  if (t.position && t.waitMinutes) return [part('handoff.queued.wait', { position: t.position, wait: t.waitMinutes })];
  if (t.position) return [part('handoff.queued.position', { position: t.position })];
  return [part('handoff.queued')];
}

const REASON_ORDER: readonly ReturnReason[] = ['faulty', 'change-of-mind', 'misdescribed', 'transit-damage'];
const MAX_VERIFY_ATTEMPTS = 3;
/** A question is asked at most this many times in a row without being understood (then a person is offered). */
export const MAX_ASKS = 3;

const notProvided = (name: string) => () => Promise.reject(new Error(`actor ${name} is not provided`));

function part(key: string, params?: Part['params']): Part {
  return params ? { key, params } : { key };
}

function reply(parts: Part[], extra: Partial<Omit<Reply, 'type' | 'parts'>> = {}): Reply {
  return { type: 'reply', parts, ...extra };
}

const sure = { confidence: 1 } as const;
const set = (v: SlotValue): Command => ({ type: 'SetSlot', ...sure, ...v }) as Command;
const AFFIRM: Command = { type: 'Affirm', ...sure };
const DENY: Command = { type: 'Deny', ...sure };
const choice = (label: Part, ...commands: Command[]): Choice => ({ label, commands });
const yesNo = (yes: Part = part('choice.yes'), no: Part = part('choice.no')): Choice[] => [choice(yes, AFFIRM), choice(no, DENY)];
const personChoice: Choice = choice(part('choice.person'), { type: 'HumanHandoff', ...sure });
const restartChoice: Choice = choice(part('choice.restart'), { type: 'Restart', ...sure });

/** The question for a condition field; some read better per product category. */
function factQuestion(field: ConditionField, item: OrderItem | null): Part {
  const params = { item: item?.name ?? '' };
  if (field === 'sealBroken' && item?.category === 'headphones') return part('ask.sealBroken.headphones', params);
  return part(`ask.${field}`, params);
}

/** The plain check of a fact ("Just to check: …?"); the hygiene seal of headphones is no shrink-wrap. */
function checkQuestion(field: ConditionField, item: OrderItem | null, params: Part['params']): Part {
  if (field === 'sealBroken' && item?.category === 'headphones') return part('check.sealBroken.headphones', params);
  return part(`check.${field}`, params);
}

function factChoices(field: ConditionField): Choice[] {
  if (field === 'faultCause') return FAULT_CAUSES.map((cause) => choice(part(`faultCause.${cause}`), set({ slot: 'faultCause', value: cause })));
  if (field === 'manufacturerPreauth') return [choice(part('choice.preauth.have'), AFFIRM), choice(part('choice.preauth.none'), set({ slot: 'manufacturerPreauth', value: 'none' }))];
  return [choice(part('choice.yes'), AFFIRM), choice(part('choice.no'), DENY), choice(part('choice.dontKnow'), { type: 'DontKnow', ...sure })];
}

/** The step a clarifying question about `slot` is asked at. */
function stepOfSlot(slot: SlotValue['slot'], fallback: Step | null): Step | null {
  switch (slot) {
    case 'orderNumber':
      return 'orderNumber';
    case 'proof':
      return 'verify';
    case 'item':
      return 'item';
    case 'reason':
      return 'reason';
    case 'remedy':
      return 'remedy';
    case 'deliveredOn':
      return fallback;
    default:
      return slot;
  }
}

// ---- reading a message ------------------------------------------------------------------------

type Kind = 'person' | 'cancel' | 'restart' | 'frustrated' | 'goodbye' | 'slots' | 'ask' | 'help' | 'clarify' | 'start' | 'answer' | 'none';

const has = (cmds: readonly Command[], type: Command['type'], min = UNSURE) => cmds.some((c) => c.type === type && (!('confidence' in c) || c.confidence >= min));

/** What a message is mainly about, most important first (a person wins over everything). */
export function kindOf(cmds: readonly Command[]): Kind {
  // A person is asked for surely, or as the only thing in the message (an unsure reading beside an
  // answer is the answer: "a refund please" at the remedy question).
  if (has(cmds, 'HumanHandoff', CONFIDENT) || (has(cmds, 'HumanHandoff') && slotCommands(cmds).length === 0)) return 'person';
  if (has(cmds, 'Restart')) return 'restart';
  if (has(cmds, 'Cancel') && slotCommands(cmds).length === 0) return 'cancel';
  // Angry, an unsure ask for a person is still heard: a person is offered at once.
  if (has(cmds, 'Frustrated') || cmds.some((c) => c.type === 'HumanHandoff' && c.frustrated)) return 'frustrated';
  if (slotCommands(cmds).length) return 'slots';
  if (has(cmds, 'Affirm', 0) || has(cmds, 'Deny', 0) || has(cmds, 'DontKnow', 0)) return 'answer';
  if (has(cmds, 'Goodbye')) return 'goodbye';
  if (has(cmds, 'Ask')) return 'ask';
  if (has(cmds, 'Help')) return 'help';
  if (cmds.some((c) => c.type === 'Clarify') || unsureSlots(cmds).length) return 'clarify';
  if (has(cmds, 'StartReturn')) return 'start';
  return 'none';
}

const commandsOf = (event: ReturnsEvent): Command[] => (event.type === 'MESSAGE' ? event.commands : []);
const kind = (event: ReturnsEvent): Kind => kindOf(commandsOf(event));
/** A plain yes or no (or "I don't know") to the pending question, sure enough to act on. */
const yesNoOf = (event: ReturnsEvent): 'yes' | 'no' | 'dontKnow' | 'hedged' | null => {
  const k = kind(event);
  if (k !== 'answer' && k !== 'slots') return null;
  const cmds = commandsOf(event);
  const yn = cmds.find((c): c is Extract<Command, { type: 'Affirm' | 'Deny' }> => c.type === 'Affirm' || c.type === 'Deny');
  if (yn) {
    // Below CONFIDENT a yes or no is mixed ("yes, it came like that"): an answer to weigh, never a confirmation.
    if (yn.hedged || yn.confidence < CONFIDENT) return 'hedged';
    return yn.type === 'Affirm' ? 'yes' : 'no';
  }
  return cmds.some((c) => c.type === 'DontKnow') ? 'dontKnow' : null;
};
const slotOf = <S extends SlotValue['slot']>(event: ReturnsEvent, slot: S) => slotCommands(commandsOf(event)).find((c) => c.slot === slot) as (SlotCommand & { slot: S }) | undefined;

/** The step the snapshot waits at (from its state's `meta.step`), or null. */
export function stepOf(snapshot: SnapshotFrom<typeof returnsMachine>): Step | null {
  const metas = Object.values(snapshot.getMeta()) as { step?: Step | 'fact' | 'check' | 'followUp' }[];
  const step = metas.map((m) => m.step).find((s) => s !== undefined);
  if (step === 'fact') return snapshot.context.decision?.needs[0] ?? null;
  if (step === 'check') return snapshot.context.check?.field ?? null;
  if (step === 'followUp') return snapshot.context.asking;
  return step ?? null;
}

/** The name of the state the conversation is in: the step under `flow`, else the top-level state. */
export function stateName(snapshot: { value: unknown }): string {
  const v = snapshot.value;
  if (typeof v === 'string') return v;
  const [top, sub] = Object.entries(v as Record<string, unknown>)[0] ?? ['start', null];
  return top === 'flow' && typeof sub === 'string' ? sub : top;
}

const isConditionSlot = (slot: string) => (CONDITION_FIELDS as readonly string[]).includes(slot);
const packOf = (ctx: ReturnsContext): CompiledPack => loadPack(ctx.order?.policy ?? ctx.defaultPolicy);
/**
 * The pack a question mid-way is answered from: the order's; before it is verified, the pack its
 * number's shape belongs to (policy text is public; nothing about the order is read), the default
 * pack while no number is given; null when the number's shape names none (it depends on the order).
 */
function answeringPack(ctx: ReturnsContext): CompiledPack | null {
  if (ctx.order || !ctx.orderNumber) return packOf(ctx);
  const id = packIdForOrderNumber(ctx.orderNumber);
  if (id) return loadPack(id);
  return packOf(ctx).pack.orderNumbers ? null : packOf(ctx);
}
/** The item index the verifier resolved the pending mention to, if it is one of the order's items. */
const validIndex = (index: number | null, items: readonly OrderItem[]) => (index !== null && Number.isInteger(index) && index >= 0 && index < items.length ? index : null);

/** A question: remembers its step and choices; after the second miss also offers a person. */
function ask(ctx: ReturnsContext, step: Step, parts: Part[], choices: Choice[]) {
  const same = ctx.misunderstood.step === step;
  const lost = same && ctx.misunderstood.count >= 2;
  const offered = lost && !choices.includes(personChoice) ? [...choices, personChoice] : choices;
  const all = lost ? [...parts, part(choices.length ? 'ask.offerPerson' : 'ask.offerPersonOnly')] : parts;
  // Misunderstandings are counted per question: a new question starts again from none.
  const misunderstood = same ? ctx.misunderstood : { step: null, count: 0 };
  return { patch: { choices: offered, asking: step, misunderstood }, reply: reply(all, { step, choices: offered }) };
}

/** What the conversation knows so far, in words (the offer of a person after the third miss). */
function summaryParts(ctx: ReturnsContext): Part[] {
  const item = selectedItem(ctx);
  const known: Part[] = [];
  if (ctx.orderNumber) known.push(part('summary.order', { orderNumber: ctx.orderNumber }));
  if (item) known.push(part('summary.item', { item: item.name }));
  if (ctx.reason) known.push(part('summary.reason', { reason: { key: `reasonName.${ctx.reason}` } }));
  return known.length ? [part('summary.sofar', { known: { list: known, style: 'and' } })] : [];
}

/** What the customer said that changes how a decision is put (sealed: no "opened packaging" example). */
function saidOf(ctx: ReturnsContext): Said {
  return { sealed: ctx.facts.packagingOpened === false || ctx.facts.sealBroken === false };
}

function greeting(ctx: ReturnsContext): Part[] {
  const parts = [part('greeting')];
  if (ctx.reason) parts.push(part(`greeting.ack.${ctx.reason}`));
  return parts;
}

export function initialContext(input: ReturnsInput): ReturnsContext {
  return {
    now: input.now,
    todayOverride: input.todayOverride ?? null,
    defaultPolicy: input.defaultPolicy,
    conversationId: input.conversationId,
    orderNumber: null,
    order: null,
    verifyAttempts: 0,
    proof: null,
    itemIndex: null,
    itemMention: null,
    reason: null,
    reasonGuess: null,
    mentionsFault: false,
    facts: {},
    tentative: {},
    check: null,
    recheck: null,
    unavailable: [],
    deliveredOn: null,
    decision: null,
    wantedRemedy: null,
    remedy: null,
    rma: null,
    asking: null,
    misunderstood: { step: null, count: 0 },
    choices: [],
    handoffReason: 'asked',
    offer: null,
    handoff: null,
  };
}

/** A fresh conversation that keeps who and when it is. */
function fresh(ctx: ReturnsContext): ReturnsContext {
  return { ...initialContext({ conversationId: ctx.conversationId, defaultPolicy: ctx.defaultPolicy, todayOverride: ctx.todayOverride, now: ctx.now }), channel: ctx.channel ?? null };
}

/** A waiting state of `flow` that asks a question: its step, and the entry action that asks it. */
function asking<A extends string>(step: Step | 'fact' | 'check', entry: A) {
  return { tags: ['waiting' as const], meta: { step }, entry };
}

export const returnsMachine = setup({
  types: {
    context: {} as ReturnsContext,
    events: {} as ReturnsEvent,
    input: {} as ReturnsInput,
    emitted: {} as Reply,
    tags: {} as 'waiting' | 'handoff',
  },
  actors: {
    verifyOrder: fromPromise<VerifyOutput, VerifyInput>(notProvided('verifyOrder')),
    issueRma: fromPromise<IssueRmaOutput, IssueRmaInput>(notProvided('issueRma')),
    requestHandoff: fromPromise<HandoffTicket, HandoffInput>(notProvided('requestHandoff')),
  },
  guards: {
    wantsPerson: ({ event }) => kind(event) === 'person',
    cancels: ({ event }) => kind(event) === 'cancel',
    restarts: ({ event }) => kind(event) === 'restart',
    frustrated: ({ event }) => kind(event) === 'frustrated',
    saysGoodbye: ({ event }) => kind(event) === 'goodbye',
    /** Not a person, cancel or start again (those are the root's, whatever the state). */
    ordinary: ({ event }) => !['person', 'cancel', 'restart'].includes(kind(event)),
    /** Nothing this state could use: not understood. */
    misses: ({ event }) => kind(event) === 'none' || kind(event) === 'answer',
    /** Only what the conversation already has, said again ("as I said, I changed my mind"): understood, nothing new. */
    repeatsKnown: ({ context, event }) => kind(event) === 'slots' && !changesAnything(context, slotCommands(commandsOf(event))),
    hasReasonGuess: ({ context }) => context.reasonGuess !== null,
    faultRouteOffered: ({ context }) => context.mentionsFault && context.reason !== 'faulty' && context.choices.some((c) => c.label.key === 'choice.route.faulty'),
    /** Refused for want of the manufacturer's pre-authorisation (the number is asked for). */
    refusedForPreauth: ({ context }) => Boolean(context.decision?.reasons.some((r) => r.code === 'MANUFACTURER_PREAUTH_REQUIRED')),
    /** What the pre-authorisation needs was said, and a person offered. */
    preauthHelpOffered: ({ context }) => context.choices.some((c) => c.label.key === 'choice.preauth.person'),
    /** Slots that change something (a slot said again, unchanged, is no answer). */
    givesSlots: ({ context, event }) => kind(event) === 'slots' && changesAnything(context, slotCommands(commandsOf(event))),
    givesProof: ({ event }) => slotOf(event, 'proof') !== undefined,
    /** A message that tells facts of the item ("yes all there"): a yes in it answers them, it books nothing. */
    tellsFacts: ({ event }) => slotCommands(commandsOf(event)).some((c) => isConditionSlot(c.slot)),
    asksQuestion: ({ event }) => kind(event) === 'ask',
    asksRmaNumber: ({ event }) => kind(event) === 'ask' && commandsOf(event).some((c) => c.type === 'Ask' && c.topic === 'rmaNumber'),
    asksHelp: ({ event }) => kind(event) === 'help',
    needsClarifying: ({ event }) => kind(event) === 'clarify',
    startsReturn: ({ event }) => kind(event) === 'start',
    onlyAttachments: ({ event }) => event.type === 'MESSAGE' && (event.attachments ?? 0) > 0 && kind(event) === 'none',
    saysYes: ({ event }) => yesNoOf(event) === 'yes',
    saysNo: ({ event }) => yesNoOf(event) === 'no',
    saysDontKnow: ({ event }) => yesNoOf(event) === 'dontKnow',
    /** A hedged or unsure yes or no ("erm, yes, a bit"). */
    saysHedged: ({ event }) => yesNoOf(event) === 'hedged',
    thirdMiss: ({ context }) => context.misunderstood.step === context.asking && context.misunderstood.count + 1 >= MAX_ASKS,
    rmaIssued: ({ context }) => context.rma !== null,

    severalItems: ({ context }) => (context.order?.items.length ?? 0) > 1,
    offeredForFrustration: ({ context }) => context.offer === 'frustrated',
    // route: what is still missing
    noOrderNumber: ({ context }) => context.orderNumber === null,
    proofToCheck: ({ context }) => context.order === null && context.proof !== null,
    notVerified: ({ context }) => context.order === null,
    noItem: ({ context }) => context.itemIndex === null,
    noReason: ({ context }) => context.reason === null,
    // deciding
    noDecision: ({ context }) => context.decision === null,
    hasCheck: ({ context }) => context.check !== null,
    isIncomplete: ({ context }) => context.decision?.outcome === 'incomplete',
    isApproved: ({ context }) => context.decision?.outcome === 'approved',
    customerChoosesRemedy: ({ context }) =>
      context.decision?.outcome === 'approved' &&
      context.decision.remedyChosenBy === 'customer' &&
      context.decision.remedies.length > 1 &&
      !(context.wantedRemedy && context.decision.remedies.includes(context.wantedRemedy)),
    isRejected: ({ context }) => context.decision?.outcome === 'rejected',
    // state-specific answers
    changesRemedy: ({ context, event }) => {
      const r = slotOf(event, 'remedy');
      const d = context.decision;
      return Boolean(r && d?.remedies.includes(r.value) && (d.remedyChosenBy === 'customer' || d.remedies.length === 1) && slotCommands(commandsOf(event)).length === 1);
    },
    /** A remedy named that the customer cannot have: not offered, or one of several the retailer chooses between. */
    namesUnofferedRemedy: ({ context, event }) => {
      const r = slotOf(event, 'remedy');
      const d = context.decision;
      if (!r || !d || d.remedies.length === 0) return false;
      return !d.remedies.includes(r.value) || (d.remedyChosenBy === 'retailer' && d.remedies.length > 1);
    },
    givesPreauthNumber: ({ event }) => {
      const p = slotOf(event, 'manufacturerPreauth');
      return Boolean(p && p.value !== 'none');
    },
    isPreauthStep: ({ context }) => context.decision?.needs[0] === 'manufacturerPreauth',
    isFaultCauseStep: ({ context }) => context.decision?.needs[0] === 'faultCause',
    /** Facts given, but not the one asked. */
    missesAskedField: ({ context, event }) => {
      const field = context.decision?.needs[0];
      const facts = slotCommands(commandsOf(event)).filter((c) => isConditionSlot(c.slot));
      return Boolean(field) && facts.length > 0 && !facts.some((c) => c.slot === field);
    },
  },
  actions: {
    absorb: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'MESSAGE');
      const { ctx, notes } = absorb(context, slotCommands(event.commands));
      enqueue.assign(ctx);
      if (notes.length) enqueue.emit(reply(notes));
    }),
    /** Yes / no / "I don't know" to a condition question: that field true / false / unknown. */
    answerFact: assign(({ context, event }) => {
      const field = context.decision?.needs[0];
      const said = yesNoOf(event);
      if (!field || said === null) return {};
      if (said === 'dontKnow') return { unavailable: context.unavailable.includes(field) ? context.unavailable : [...context.unavailable, field], decision: null };
      const cmds = commandsOf(event);
      const yn = cmds.find((c) => c.type === 'Affirm' || c.type === 'Deny')!;
      const value = yn.type === 'Affirm';
      const confident = yn.type === 'Affirm' || yn.type === 'Deny' ? !yn.hedged && yn.confidence >= CONFIDENT : false;
      return withFact(context, field, value, confident);
    }),
    /** The answer to "Just to check: …?" — yes: the field is true. */
    answerCheck: assign(({ context, event }) => {
      const check = context.check;
      const said = yesNoOf(event);
      if (!check || (said !== 'yes' && said !== 'no' && said !== 'dontKnow')) return {};
      const tentative = { ...context.tentative };
      delete tentative[check.field];
      if (said === 'dontKnow') return { tentative, check: null, unavailable: [...context.unavailable, check.field], decision: null };
      // Yes: the field is true (for a fault cause: the cause read). No to a cause: it is asked plainly.
      if (typeof check.value === 'string') return { tentative, check: null, facts: said === 'yes' ? { ...context.facts, [check.field]: check.value } : context.facts, decision: null };
      return { tentative, check: null, facts: { ...context.facts, [check.field]: said === 'yes' }, decision: null };
    }),
    noPreauth: assign(({ context }) => ({ facts: { ...context.facts, manufacturerPreauth: 'none' }, decision: null })),
    /** The greeting (acknowledging a reason given), then what the first message gave. */
    greetAndAbsorb: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'MESSAGE');
      const { ctx, notes } = absorb(context, slotCommands(event.commands));
      enqueue.assign(ctx);
      enqueue.emit(reply(greeting(ctx)));
      if (notes.length) enqueue.emit(reply(notes));
    }),
    notUnderstood: enqueueActions(({ context, enqueue }) => {
      const step = context.asking;
      const count = context.misunderstood.step === step ? context.misunderstood.count + 1 : 1;
      enqueue.assign({ misunderstood: { step, count } });
      enqueue.emit(reply([part(count >= 2 ? 'sorry.stillNotUnderstood' : 'sorry.notUnderstood')]));
    }),
    /** A message that moves nothing forward, counted like a miss without saying sorry. */
    countMiss: assign(({ context }) => {
      const step = context.asking;
      return { misunderstood: { step, count: context.misunderstood.step === step ? context.misunderstood.count + 1 : 1 } };
    }),
    clarify: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'MESSAGE');
      const asked = event.commands.find((c) => c.type === 'Clarify');
      const unsure = unsureSlots(event.commands);
      const slot = asked?.slot ?? unsure[0]!.slot;
      const candidates: SlotValue[] = asked ? asked.candidates.slice(0, 3) : unsure.filter((c) => c.slot === slot);
      const step = stepOfSlot(slot, context.asking) ?? context.asking ?? 'reason';
      const count = context.misunderstood.step === step ? context.misunderstood.count + 1 : 1;
      const item = selectedItem(context)?.name ?? '';
      // A yes/no fact is clarified with its plain check question (yes = the field is true).
      const yesNoFact = (BOOLEAN_CONDITION_FIELDS as readonly string[]).includes(slot);
      // "Actually I changed my mind" at a condition question: stop the return, or is that the reason?
      const orCancel = asked?.orCancel === true;
      const choices = orCancel
        ? [choice(part('choice.stopReturn'), { type: 'Cancel', ...sure }), ...candidates.map((c) => choice(part('choice.reason.isChangeOfMind'), set(c)))]
        : yesNoFact
          ? [choice(part('choice.yes'), set({ slot, value: true } as SlotValue)), choice(part('choice.no'), set({ slot, value: false } as SlotValue))]
          : candidates.map((c) => choice(labelOf(c, context), set(c)));
      const question = orCancel
        ? part('clarify.stopOrReason', { item })
        : yesNoFact
          ? checkQuestion(slot as ConditionField, selectedItem(context), { item })
          : part('clarify', { options: { list: choices.map((c) => c.label), style: 'or' } });
      const q = ask({ ...context, misunderstood: { step, count } }, step, [question], choices);
      enqueue.assign({ ...q.patch, misunderstood: { step, count } });
      enqueue.emit(q.reply);
    }),
    answerQuestions: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'MESSAGE');
      for (const c of event.commands) {
        // Beside an answer, only a sure reading of a question is one ("refund this time" answers).
        const sure = c.type === 'Ask' && (c.confidence >= CONFIDENT || (c.confidence >= UNSURE && slotCommands(event.commands).length === 0));
        if (!sure) continue;
        const pack = answeringPack(context);
        if (!pack) {
          // Before the order is verified, an order number of no known shape: answered once it is.
          enqueue.emit(reply([part('answer.afterVerification')]));
          const deferred = context.deferredAsks ?? [];
          if (!deferred.includes(c.topic)) enqueue.assign({ deferredAsks: [...deferred, c.topic] });
          continue;
        }
        const parts = askAnswerParts(pack, c.topic, context, event.commands);
        // A question the pack cannot answer: a person can, one click away.
        enqueue.emit(reply(parts, parts[0]?.key === 'answer.unknown' ? { choices: [personChoice] } : {}));
      }
    }),
    /** The questions kept until the order was verified, answered from its pack now. */
    answerDeferred: enqueueActions(({ context, enqueue }) => {
      const deferred = context.deferredAsks ?? [];
      if (!deferred.length || !context.order) return;
      enqueue.assign({ deferredAsks: [] });
      for (const topic of deferred) enqueue.emit(reply(askAnswerParts(packOf(context), topic, context, [])));
    }),
    sayOfferedRemedies: emit(({ context, event }) => reply(askAnswerParts(packOf(context), 'otherRemedy', context, commandsOf(event)))),
    reask: raise({ type: 'REASK' }),
    askOrderNumber: enqueueActions(({ context, enqueue }) => {
      const q = ask(context, 'orderNumber', [part('ask.orderNumber')], []);
      enqueue.assign(q.patch);
      enqueue.emit(q.reply);
    }),
    askVerify: enqueueActions(({ context, enqueue }) => {
      const q = ask(context, 'verify', [part('ask.verify', { orderNumber: context.orderNumber ?? '' })], []);
      enqueue.assign(q.patch);
      enqueue.emit(q.reply);
    }),
    askItem: enqueueActions(({ context, enqueue }) => {
      const items = context.order?.items ?? [];
      const choices = items.map((item, index) => choice(part('choice.item', { name: item.name }), set({ slot: 'item', value: { index } })));
      const list = { list: items.map((item) => part('list.item', { name: item.name })), style: 'numbered' as const };
      const q = ask(context, 'item', [part('ask.item', { items: list })], choices);
      enqueue.assign(q.patch);
      enqueue.emit({ ...q.reply, listed: true });
    }),
    askReason: enqueueActions(({ context, enqueue }) => {
      const guess = context.reasonGuess;
      const item = selectedItem(context)?.name ?? '';
      // A reason read in passing but not surely: confirmed with a yes, or another one chosen.
      const reasons = guess ? [guess, ...REASON_ORDER.filter((r) => r !== guess)] : REASON_ORDER;
      const choices = reasons.map((reason) => choice(part(`choice.reason.${reason}`), set({ slot: 'reason', value: reason })));
      const question = guess ? part('ask.reason.check', { item, reason: { key: `choice.reason.${guess}` } }) : part('ask.reason', { item });
      const q = ask(context, 'reason', [question], choices);
      enqueue.assign(q.patch);
      enqueue.emit(q.reply);
    }),
    askFact: enqueueActions(({ context, enqueue }) => {
      const field = context.decision?.needs[0];
      if (!field) return;
      const q = ask(context, field, [factQuestion(field, selectedItem(context))], factChoices(field));
      enqueue.assign(q.patch);
      enqueue.emit(q.reply);
    }),
    askCheck: enqueueActions(({ context, enqueue }) => {
      const field = context.check?.field;
      if (!field) return;
      const value = context.check?.value;
      const params: Part['params'] = { item: selectedItem(context)?.name ?? '' };
      if (typeof value === 'string') params.cause = { key: `faultCauseName.${value}` };
      const q = ask(context, field, [checkQuestion(field, selectedItem(context), params)], yesNo());
      enqueue.assign(q.patch);
      enqueue.emit(q.reply);
    }),
    askPreauthNumber: enqueueActions(({ context, enqueue }) => {
      const q = ask(context, 'manufacturerPreauth', [part('ask.manufacturerPreauth.number')], [choice(part('choice.preauth.none'), set({ slot: 'manufacturerPreauth', value: 'none' }))]);
      enqueue.assign(q.patch);
      enqueue.emit(q.reply);
    }),
    askRemedy: enqueueActions(({ context, enqueue }) => {
      const remedies = context.decision?.remedies ?? [];
      const choices = remedies.map((remedy) => choice(part(`choice.remedy.${remedy}`), set({ slot: 'remedy', value: remedy })));
      const q = ask(context, 'remedy', [part('ask.remedy', { remedies: { list: remedies.map(remedyPart), style: 'or' } })], choices);
      enqueue.assign(q.patch);
      enqueue.emit(q.reply);
    }),
    askConfirm: enqueueActions(({ context, enqueue }) => {
      const remedy = context.remedy;
      const item = selectedItem(context)?.name ?? '';
      const parts = [remedy ? part('ask.confirm.remedy', { remedy: remedyPart(remedy), item }) : part('ask.confirm', { item })];
      const q = ask(context, 'confirm', parts, yesNo(part('choice.confirm.yes'), part('choice.confirm.no')));
      enqueue.assign(q.patch);
      enqueue.emit(q.reply);
    }),
    settle: enqueueActions(({ context: ctx, enqueue }) => {
      const pack = packOf(ctx);
      let context = ctx;
      // A stated delivery date that cannot be (before the order, or in the future) is not used.
      if (context.deliveredOn && context.order) {
        const latest = todayFor(context, pack.pack.timeZone);
        if (context.deliveredOn < context.order.placedOn || context.deliveredOn > latest) {
          context = { ...context, deliveredOn: null };
          enqueue.emit(reply([part('corrected.deliveredOnRefused')]));
        }
      }
      const settled = settle(context, pack);
      // The question answered with other facts only is asked again as a plain check.
      const again = context.recheck;
      const recheck = again && !settled.check && settled.decision?.needs[0] === again && (BOOLEAN_CONDITION_FIELDS as readonly string[]).includes(again);
      const check = recheck ? { field: again, value: true } : settled.check;
      // The question just asked, answered unsurely, is asked again as a plain check: one of the three asks it may have.
      const askedAgain = check !== null && check.field === context.asking;
      const misunderstood = askedAgain ? { step: context.asking, count: context.misunderstood.step === context.asking ? context.misunderstood.count + 1 : 1 } : context.misunderstood;
      enqueue.assign({ ...settled, deliveredOn: context.deliveredOn, recheck: null, check, misunderstood });
    }),
    /** A delivery date said before the order was known: acknowledged now, or refused when it cannot be. */
    checkStatedDate: enqueueActions(({ context, enqueue }) => {
      const date = context.deliveredOn;
      if (!date || !context.order) return;
      if (date < context.order.placedOn || date > todayFor(context, packOf(context).pack.timeZone)) {
        enqueue.assign({ deliveredOn: null });
        enqueue.emit(reply([part('corrected.deliveredOnRefused')]));
      } else enqueue.emit(reply([part('corrected.deliveredOn', { date: { date } })]));
    }),
    markRecheck: assign(({ context }) => ({ recheck: context.decision?.needs[0] ?? null })),
    sayDecision: emit(({ context }) => {
      const d = context.decision!;
      const item = selectedItem(context)!;
      return reply(explainDecision(d, context.order!, item, saidOf(context)), { returns: { outcome: d.outcome, decision: d } });
    }),
    takeRemedy: assign(({ context }) => {
      const d = context.decision!;
      if (d.remedies.length === 1) return { remedy: d.remedies[0]! };
      if (context.wantedRemedy && d.remedies.includes(context.wantedRemedy) && d.remedyChosenBy === 'customer') return { remedy: context.wantedRemedy };
      return { remedy: null };
    }),
    offerAfterRejection: enqueueActions(({ context, enqueue }) => {
      const pack = packOf(context);
      const d = context.decision;
      // Rejected for want of the manufacturer's pre-authorisation: the number is asked for, here or later.
      if (d?.reasons.some((r) => r.code === 'MANUFACTURER_PREAUTH_REQUIRED')) {
        const choices = [personChoice, restartChoice];
        enqueue.assign({ choices, asking: 'manufacturerPreauth' });
        enqueue.emit(reply([part('rejected.preauth')], { step: 'manufacturerPreauth', choices }));
        return;
      }
      // A fault claim refused: what is still open fits that decision (the statutory route in the UK).
      if (context.reason === 'faulty') {
        const choices = [personChoice, restartChoice];
        enqueue.assign({ choices, asking: null });
        enqueue.emit(reply([part(pack.pack.jurisdiction === 'GB' ? 'rejected.fault.statutory' : 'rejected.fault.person')], { choices }));
        return;
      }
      const c = buildCase(context, pack);
      const open = c ? openAlternatives(c, pack) : [];
      const routes = (['faulty', 'misdescribed'] as const).filter((r) => open.includes(r));
      const choices: Choice[] = routes.map((r) => choice(part(`choice.route.${r}`), set({ slot: 'reason', value: r })));
      choices.push(personChoice, restartChoice);
      const faultRoute = context.mentionsFault && open.includes('faulty');
      const parts = [part(faultRoute ? 'rejected.faultRoute' : routes.length ? 'rejected.alternatives' : 'rejected.next')];
      enqueue.assign({ choices, asking: null });
      enqueue.emit(reply(parts, { choices }));
    }),
    offerPreauthHelp: enqueueActions(({ context, enqueue }) => {
      const choices = [choice(part('choice.preauth.person'), { type: 'HumanHandoff', ...sure }), restartChoice];
      enqueue.assign({ choices, asking: 'manufacturerPreauth' });
      enqueue.emit(reply([part('rejected.preauth.missing', { item: selectedItem(context)?.name ?? '' })], { step: 'manufacturerPreauth', choices }));
    }),
    askReferral: enqueueActions(({ context, enqueue }) => {
      const q = ask(context, 'confirm', [part('referred.offer')], yesNo(part('choice.referral.yes'), part('choice.referral.no')));
      enqueue.assign(q.patch);
      enqueue.emit(q.reply);
    }),
    remindRma: emit(({ context }) => reply([part('done.again', { rma: context.rma ?? '' })], { choices: context.choices })),
    sayGoodbye: emit(({ context }) => reply([context.rma ? part('goodbye.rma', { rma: context.rma }) : part('goodbye')])),
    reset: assign(({ context }) => fresh(context)),
    /** Yes to "shall I check it as a fault instead?" after a change-of-mind refusal that mentioned one. */
    takeFaultRoute: assign(({ context }) => (context.mentionsFault && context.reason !== 'faulty' ? { reason: 'faulty' as const, decision: null, remedy: null } : {})),
    anotherItem: assign({ ...clearedItem, itemIndex: null, reason: null, reasonGuess: null, mentionsFault: false, deliveredOn: null, wantedRemedy: null }),
    /** "Yes, but a refund": the remedy said with the yes, when the customer may choose it. */
    takeWantedRemedy: assign(({ context, event }) => {
      const r = slotOf(event, 'remedy');
      const d = context.decision;
      return r && d && d.remedyChosenBy === 'customer' && d.remedies.includes(r.value) ? { remedy: r.value, wantedRemedy: r.value } : {};
    }),
    released: enqueueActions(({ enqueue }) => {
      enqueue.assign({ handoff: null, verifyAttempts: 0, misunderstood: { step: null, count: 0 }, offer: null });
      enqueue.emit(reply([part('handoff.released')], { returns: { handoff: 'released' } }));
    }),
    handoffBecause: assign((_, params: { why: ReturnsContext['handoffReason'] }) => ({ handoffReason: params.why })),
  },
}).createMachine({
  id: 'returns',
  initial: 'flow',
  context: ({ input }) => initialContext(input),
  on: {
    CLOCK: { actions: assign(({ context, event }) => ({ now: event.now, channel: event.channel ?? context.channel ?? null })) },
    MESSAGE: [
      {
        guard: 'wantsPerson',
        target: '.handoff',
        actions: assign(({ context, event }) => ({
          handoffReason:
            context.misunderstood.count >= 2
              ? ('not-understood' as const)
              : commandsOf(event).some((c) => c.type === 'HumanHandoff' && c.frustrated)
                ? ('frustrated' as const)
                : context.handoffReason === 'referred' || context.handoffReason === 'disputed'
                  ? context.handoffReason
                  : ('asked' as const),
        })),
      },
      {
        guard: 'cancels',
        target: '.ended',
        // An RMA already issued stays booked: say so rather than "nothing has been booked".
        actions: emit(({ context }) => reply([context.rma ? part('cancelled.rmaKept', { rma: context.rma }) : part('cancelled')])),
      },
      { guard: 'restarts', target: '.flow.askOrderNumber', actions: ['reset', emit(reply([part('restart')]))] },
    ],
  },
  states: {
    flow: {
      initial: 'start',
      on: {
        // Asked again (`reask`): the step the customer is at is re-entered through the history state,
        // so its entry asks its question again. Re-entering `flow` records `hist` first (XState records
        // history on exit), so it is the current step. Steps that answer otherwise say so themselves.
        REASK: { target: '.hist', reenter: true },
        MESSAGE: [
          { guard: 'frustrated', target: '#returns.offer', actions: assign({ offer: 'frustrated' as const, handoffReason: 'frustrated' as const }) },
          { guard: 'saysGoodbye', target: '#returns.ended', actions: 'sayGoodbye' },
          { guard: 'givesSlots', target: '.route', actions: ['answerQuestions', 'absorb'] },
          { guard: 'asksQuestion', actions: ['answerQuestions', 'reask'] },
          // "I don't understand the question", and the same thing said again, move nothing forward: they
          // count like a miss, so the question is never asked a fourth time without a person offered.
          { guard: and(['asksHelp', 'thirdMiss']), target: '#returns.offer', actions: [emit(reply([part('help')])), assign({ offer: 'lost' as const, handoffReason: 'not-understood' as const })] },
          { guard: 'asksHelp', actions: [emit(reply([part('help')])), 'countMiss', 'reask'] },
          { guard: 'onlyAttachments', actions: [emit(({ event }) => reply([part('attachment.received', { count: event.type === 'MESSAGE' ? (event.attachments ?? 0) : 0 })])), 'reask'] },
          { guard: 'needsClarifying', actions: 'clarify' },
          { guard: 'startsReturn', actions: 'reask' },
          { guard: and(['repeatsKnown', 'thirdMiss']), target: '#returns.offer', actions: [assign({ offer: 'lost' as const, handoffReason: 'not-understood' as const })] },
          { guard: 'repeatsKnown', actions: [emit(reply([part('noted.known')])), 'countMiss', 'reask'] },
          { guard: and(['misses', 'thirdMiss']), target: '#returns.offer', actions: [assign({ offer: 'lost' as const, handoffReason: 'not-understood' as const })] },
          { guard: 'misses', actions: ['notUnderstood', 'reask'] },
        ],
      },
      states: {
        hist: { type: 'history' },
        start: {
          tags: ['waiting'],
          meta: { step: null },
          on: {
            // The first message, whatever it says, is greeted; what it gave is kept.
            MESSAGE: { guard: not('wantsPerson'), target: 'route', actions: ['greetAndAbsorb', 'answerQuestions'] },
            REASK: { target: 'askOrderNumber' },
          },
        },
        route: {
          always: [
            { guard: 'rmaIssued', target: 'done', actions: 'remindRma' },
            { guard: 'noOrderNumber', target: 'askOrderNumber' },
            { guard: 'proofToCheck', target: 'verifying' },
            { guard: 'notVerified', target: 'askVerify' },
            { guard: and(['noItem', not('severalItems')]), target: 'route', reenter: true, actions: assign({ itemIndex: 0 }) },
            { guard: 'noItem', target: 'askItem' },
            // No reason yet, or another one read unsurely that the customer confirms first.
            { guard: 'noReason', target: 'askReason' },
            { guard: 'hasReasonGuess', target: 'askReason' },
            { target: 'deciding' },
          ],
        },
        askOrderNumber: { ...asking('orderNumber', 'askOrderNumber') },
        askVerify: {
          ...asking('verify', 'askVerify'),
          on: {
            // "I don't remember which email I used": no failed proof; the other proof, or a person, is offered.
            MESSAGE: [
              { guard: and(['saysDontKnow', 'thirdMiss']), target: '#returns.offer', actions: assign({ offer: 'lost' as const, handoffReason: 'verification' as const }) },
              { guard: 'saysDontKnow', actions: [emit(reply([part('verify.dontKnow')], { choices: [personChoice] })), 'countMiss', 'reask'] },
            ],
          },
        },
        verifying: {
          // Waiting for `verifyOrder`, not for the customer: nothing to ask again (re-entering would call it again).
          on: { REASK: {} },
          invoke: {
            id: 'verifyOrder',
            src: 'verifyOrder',
            input: ({ context }) => ({ conversationId: context.conversationId, orderNumber: context.orderNumber ?? '', candidates: context.proof ?? [], itemMention: context.itemMention }),
            onDone: [
              {
                guard: function verified({ event }) {
                  return event.output.status === 'verified';
                },
                target: 'route',
                actions: [
                  assign(({ context, event }) => {
                    const out = event.output.status === 'verified' ? event.output : null;
                    const order = out?.order ?? null;
                    const mentioned = order && context.itemMention ? validIndex(out?.itemIndex ?? null, order.items) : null;
                    return { order, orderNumber: order?.orderNumber ?? null, verifyAttempts: 0, proof: null, itemIndex: mentioned, itemMention: null };
                  }),
                  emit(reply([part('verified')])),
                  'answerDeferred',
                  'checkStatedDate',
                ],
              },
              {
                // Too many failed proofs (of this order, anywhere, or in this conversation): said kindly, with a person offered.
                guard: function locked({ event }) {
                  return event.output.status === 'locked';
                },
                target: 'verifyFailed',
                actions: [
                  assign({ verifyAttempts: ({ context }) => context.verifyAttempts + 1, proof: null }),
                  emit(({ context, event }) => {
                    const until = event.output.status === 'locked' ? Date.parse(event.output.until) : context.now;
                    return reply([part('verify.locked', { minutes: Math.max(1, Math.ceil((until - context.now) / 60_000)) })]);
                  }),
                ],
              },
              {
                // The third failure here, or none left for the order: a person can help.
                guard: function noAttemptsLeft({ context, event }) {
                  return context.verifyAttempts + 1 >= MAX_VERIFY_ATTEMPTS || ('attemptsLeft' in event.output && event.output.attemptsLeft <= 0);
                },
                target: 'verifyFailed',
                actions: assign({ verifyAttempts: ({ context }) => context.verifyAttempts + 1, proof: null }),
              },
              {
                // No candidate, or several in one message: ask for exactly one.
                guard: function ambiguousProof({ event }) {
                  return event.output.status === 'ambiguous';
                },
                target: 'askVerify',
                actions: [assign({ verifyAttempts: ({ context }) => context.verifyAttempts + 1, proof: null }), emit(reply([part('verify.oneProof')]))],
              },
              {
                target: 'askVerify',
                actions: [assign({ verifyAttempts: ({ context }) => context.verifyAttempts + 1, proof: null }), emit(reply([part('verify.noMatch')]))],
              },
            ],
            onError: { target: 'askVerify', actions: [assign({ proof: null }), emit(reply([part('error.temporary')]))] },
          },
        },
        verifyFailed: {
          tags: ['waiting'],
          meta: { step: null },
          entry: enqueueActions(({ enqueue }) => {
            const choices = [personChoice, restartChoice];
            enqueue.assign({ choices, asking: null });
            enqueue.emit(reply([part('verify.failed')], { choices }));
          }),
          on: {
            MESSAGE: [
              { guard: 'saysYes', target: '#returns.handoff', actions: { type: 'handoffBecause', params: { why: 'verification' } } },
              { guard: 'saysNo', target: '#returns.ended', actions: 'sayGoodbye' },
              { guard: 'wantsPerson', target: '#returns.handoff', actions: { type: 'handoffBecause', params: { why: 'verification' } } },
              // After the last failed proof no further guess is checked here: a person can help (or "start again").
              { guard: 'givesProof', target: 'verifyFailed', reenter: true },
            ],
          },
        },
        askItem: { ...asking('item', 'askItem') },
        askReason: {
          ...asking('reason', 'askReason'),
          on: {
            MESSAGE: [
              {
                guard: and(['hasReasonGuess', 'saysYes']),
                target: 'route',
                actions: [
                  assign(({ context }) => ({ reason: context.reasonGuess, reasonGuess: null, mentionsFault: context.mentionsFault || context.reasonGuess === 'faulty', remedy: null })),
                  'absorb',
                ],
              },
              // "No, I changed my mind": the reason said with the no is the one.
              { guard: and(['hasReasonGuess', 'givesSlots']), target: 'route', actions: [assign({ reasonGuess: null }), 'absorb'] },
              // No to a reason read in passing: the reason there was stands; with none, it is asked plainly.
              { guard: and(['hasReasonGuess', 'saysNo', not('noReason')]), target: 'route', actions: assign({ reasonGuess: null }) },
              { guard: and(['hasReasonGuess', 'saysNo']), target: 'askReason', reenter: true, actions: assign({ reasonGuess: null }) },
            ],
          },
        },
        deciding: {
          entry: 'settle',
          always: [
            { guard: 'noDecision', target: '#returns.ended', actions: emit(reply([part('error.temporary')])) },
            { guard: 'hasCheck', target: 'checkFact' },
            { guard: 'isIncomplete', target: 'askFact' },
            { guard: 'customerChoosesRemedy', target: 'askRemedy', actions: 'sayDecision' },
            { guard: 'isApproved', target: 'askConfirm', actions: ['sayDecision', 'takeRemedy'] },
            { guard: 'isRejected', target: 'rejected', actions: 'sayDecision' },
            { target: 'referred', actions: 'sayDecision' },
          ],
        },
        askFact: {
          ...asking('fact', 'askFact'),
          on: {
            MESSAGE: [
              // The pre-authorisation: "yes" means "I have a number" (then asked for it); "no": none.
              { guard: and(['isPreauthStep', 'givesPreauthNumber']), target: 'route', actions: 'absorb' },
              { guard: and(['isPreauthStep', 'saysYes']), target: 'askPreauthNumber' },
              { guard: and(['isPreauthStep', 'saysNo']), target: 'route', actions: ['noPreauth', 'absorb'] },
              { guard: and(['isPreauthStep', 'saysDontKnow']), target: 'route', actions: ['noPreauth', 'absorb'] },
              // "I don't know" what happened is an answer too.
              {
                guard: and(['isFaultCauseStep', 'saysDontKnow']),
                target: 'route',
                actions: [assign(({ context }) => ({ facts: { ...context.facts, faultCause: 'unknown' }, decision: null })), 'absorb'],
              },
              { guard: and([not('isFaultCauseStep'), 'saysYes']), target: 'route', actions: ['answerFact', 'answerQuestions', 'absorb'] },
              { guard: and([not('isFaultCauseStep'), 'saysNo']), target: 'route', actions: ['answerFact', 'answerQuestions', 'absorb'] },
              { guard: and([not('isFaultCauseStep'), 'saysHedged']), target: 'route', actions: ['answerFact', 'answerQuestions', 'absorb'] },
              { guard: and([not('isFaultCauseStep'), 'saysDontKnow']), target: 'route', actions: ['answerFact', 'answerQuestions', 'absorb'] },
              { guard: and(['givesSlots', 'missesAskedField']), target: 'route', actions: ['markRecheck', 'absorb'] },
            ],
          },
        },
        checkFact: {
          ...asking('check', 'askCheck'),
          on: {
            MESSAGE: [
              { guard: 'saysYes', target: 'route', actions: ['answerCheck', 'answerQuestions', 'absorb'] },
              { guard: 'saysNo', target: 'route', actions: ['answerCheck', 'answerQuestions', 'absorb'] },
              { guard: 'saysDontKnow', target: 'route', actions: ['answerCheck', 'answerQuestions', 'absorb'] },
            ],
          },
        },
        askPreauthNumber: {
          ...asking('manufacturerPreauth', 'askPreauthNumber'),
          on: {
            MESSAGE: [
              { guard: 'saysNo', target: 'route', actions: ['noPreauth', 'absorb'] },
              { guard: 'saysDontKnow', target: 'route', actions: ['noPreauth', 'absorb'] },
            ],
          },
        },
        askRemedy: {
          ...asking('remedy', 'askRemedy'),
          on: {
            MESSAGE: { guard: 'changesRemedy', target: 'askConfirm', actions: assign(({ event }) => ({ remedy: slotOf(event, 'remedy')!.value, wantedRemedy: slotOf(event, 'remedy')!.value })) },
          },
        },
        askConfirm: {
          ...asking('confirm', 'askConfirm'),
          on: {
            MESSAGE: [
              // "Yes, but a replacement instead" where it is not offered: nothing is booked; what is possible is said.
              { guard: 'namesUnofferedRemedy', target: 'askConfirm', reenter: true, actions: 'sayOfferedRemedies' },
              { guard: 'saysYes', target: 'issuing', actions: ['answerQuestions', 'takeWantedRemedy'] },
              // "No - refund please": a no that names another remedy changes the remedy and asks again.
              {
                guard: 'changesRemedy',
                target: 'askConfirm',
                reenter: true,
                actions: assign(({ event }) => ({ remedy: slotOf(event, 'remedy')!.value, wantedRemedy: slotOf(event, 'remedy')!.value })),
              },
              { guard: 'saysNo', target: 'declined' },
            ],
          },
        },
        issuing: {
          // Waiting for `issueRma`, not for the customer: nothing to ask again (re-entering would call it again).
          on: { REASK: {} },
          invoke: {
            id: 'issueRma',
            src: 'issueRma',
            input: ({ context }) => ({
              conversationId: context.conversationId,
              order: context.order!,
              item: selectedItem(context)!,
              reason: context.reason!,
              remedy: context.remedy,
              decision: context.decision!,
              case: buildCase(context, packOf(context)),
            }),
            onDone: {
              target: 'done',
              actions: enqueueActions(({ context, event, enqueue }) => {
                // What is said is what is recorded: the RMA's remedy as it stands after this request.
                const remedy = event.output.remedy !== undefined ? event.output.remedy : context.remedy;
                enqueue.assign({ rma: event.output.rma, remedy });
                enqueue.emit(rmaReply({ ...context, rma: event.output.rma, remedy }));
                const change = remedyChangeParts(event.output, remedy);
                if (change.length) enqueue.emit(reply(change));
              }),
            },
            onError: { target: 'askConfirm', actions: emit(reply([part('error.temporary')])) },
          },
        },
        done: {
          tags: ['waiting'],
          meta: { step: null },
          entry: assign(({ context }) => ({ choices: (context.order?.items.length ?? 0) > 1 ? doneChoices : [], asking: null })),
          on: {
            REASK: { actions: 'remindRma' },
            MESSAGE: [
              // "What was my RMA number?": the answer says it; it is not said a second time.
              { guard: 'asksRmaNumber', actions: 'answerQuestions' },
              { guard: and(['severalItems', 'saysYes']), target: 'askItem', actions: 'anotherItem' },
              { guard: and(['severalItems', 'startsReturn']), target: 'askItem', actions: 'anotherItem' },
              { guard: 'startsReturn', target: 'done', actions: emit(reply([part('done.onlyItem')])) },
              { guard: 'saysNo', target: '#returns.ended', actions: 'sayGoodbye' },
              { guard: 'saysYes', actions: 'remindRma' },
            ],
          },
        },
        declined: {
          tags: ['waiting'],
          meta: { step: null },
          entry: enqueueActions(({ enqueue }) => {
            const choices: Choice[] = [choice(part('choice.bookAfterAll'), AFFIRM), personChoice, restartChoice];
            enqueue.assign({ choices, asking: null });
            enqueue.emit(reply([part('declined')], { choices }));
          }),
          on: {
            MESSAGE: [
              { guard: and(['saysYes', not('tellsFacts')]), target: 'issuing' },
              { guard: 'saysNo', target: '#returns.ended', actions: 'sayGoodbye' },
            ],
          },
        },
        rejected: {
          tags: ['waiting'],
          // The follow-up may ask for something (the pre-authorisation number): its step is the question's.
          meta: { step: 'followUp' },
          entry: 'offerAfterRejection',
          on: {
            MESSAGE: [
              { guard: 'wantsPerson', target: '#returns.handoff', actions: { type: 'handoffBecause', params: { why: 'disputed' } } },
              // "No, but it's faulty": another route, or the pre-authorisation number, is decided again.
              { guard: 'givesSlots', target: 'route', actions: ['answerQuestions', 'absorb'] },
              { guard: and(['faultRouteOffered', 'saysYes']), target: 'route', actions: ['takeFaultRoute', 'absorb'] },
              // "I don't have that number": what is needed is said, and a person offered (a yes hands over).
              { guard: and(['preauthHelpOffered', 'saysYes']), target: '#returns.handoff', actions: { type: 'handoffBecause', params: { why: 'asked' } } },
              { guard: and(['refusedForPreauth', not('preauthHelpOffered'), or(['saysNo', 'saysDontKnow'])]), actions: 'offerPreauthHelp' },
              { guard: 'saysNo', target: '#returns.ended', actions: 'sayGoodbye' },
            ],
          },
        },
        referred: {
          ...asking('confirm', 'askReferral'),
          on: {
            MESSAGE: [
              // "No thanks, can I send it back as a change of mind instead?": the order and item are kept.
              { guard: 'givesSlots', target: 'route', actions: ['answerQuestions', 'absorb'] },
              { guard: 'saysYes', target: '#returns.handoff', actions: { type: 'handoffBecause', params: { why: 'referred' } } },
              { guard: 'wantsPerson', target: '#returns.handoff', actions: { type: 'handoffBecause', params: { why: 'referred' } } },
              { guard: 'saysNo', target: '#returns.ended', actions: emit(reply([part('referred.declined')])) },
            ],
          },
        },
      },
    },
    /** A person offered: at once to a frustrated customer, or after the third misunderstanding with the summary so far. */
    offer: {
      tags: ['waiting'],
      meta: { step: 'confirm' },
      entry: enqueueActions(({ context, enqueue }) => {
        const lost = context.offer === 'lost';
        const choices = lost ? [personChoice, restartChoice] : [personChoice, choice(part('choice.carryOn'), DENY)];
        enqueue.assign({ choices, asking: 'confirm' });
        enqueue.emit(reply(lost ? [part('offer.lost'), ...summaryParts(context), part('offer.person')] : [part('offer.frustrated')], { step: 'confirm', choices }));
      }),
      on: {
        REASK: { target: 'offer', reenter: true },
        MESSAGE: [
          { guard: 'givesSlots', target: 'flow.route', actions: [assign({ offer: null }), 'answerQuestions', 'absorb'] },
          { guard: 'saysYes', target: 'handoff' },
          { guard: and(['offeredForFrustration', 'saysNo']), target: 'flow.hist', actions: assign({ offer: null, misunderstood: { step: null, count: 0 } }) },
          { guard: 'saysNo', target: 'ended', actions: [assign({ offer: null }), emit(reply([part('offer.declined')]))] },
          { guard: 'saysGoodbye', target: 'ended', actions: 'sayGoodbye' },
          // "When do I get my money back?": answered, then the offer is made again.
          { guard: 'asksQuestion', target: 'offer', reenter: true, actions: 'answerQuestions' },
          { guard: 'ordinary', target: 'offer', reenter: true },
        ],
      },
    },
    handoff: {
      initial: 'requesting',
      tags: ['handoff'],
      on: {
        REASK: {},
        // While a person has (or will have) the conversation, the customer's messages are theirs.
        MESSAGE: {},
      },
      states: {
        requesting: {
          invoke: {
            id: 'requestHandoff',
            src: 'requestHandoff',
            input: ({ context }) => ({ conversationId: context.conversationId, channel: context.channel ?? null, reason: context.handoffReason, summary: handoffSummary(context) }),
            onDone: {
              target: 'queued',
              actions: [
                assign(({ event }) => ({ handoff: { status: 'queued' as const, agent: null, position: event.output.position } })),
                emit(({ event }) => reply(queuedParts(event.output), { returns: { handoff: 'queued', position: event.output.position } })),
              ],
            },
            onError: { target: '#returns.ended', actions: emit(reply([part('handoff.unavailable')])) },
          },
        },
        queued: {
          tags: ['waiting'],
          on: {
            AGENT_TOOK: {
              target: 'active',
              actions: [
                assign(({ event }) => ({ handoff: { status: 'active' as const, agent: event.agent, position: null } })),
                emit(({ event }) => reply([part('handoff.taken', { agent: event.agent })], { returns: { handoff: 'active' } })),
              ],
            },
            // Leaving the queue is no goodbye: back to the question the customer was at (asked again).
            MESSAGE: [
              { guard: and(['cancels', 'rmaIssued']), target: '#returns.flow.done', actions: [assign({ handoff: null }), emit(reply([part('handoff.left')]))] },
              { guard: 'cancels', target: '#returns.flow.hist', actions: [assign({ handoff: null }), emit(reply([part('handoff.left')]))] },
            ],
          },
        },
        active: {
          tags: ['waiting'],
          on: {
            STAFF_RMA: {
              actions: [
                assign(({ event }) => ({ rma: event.rma, remedy: event.remedy })),
                emit(({ event }) => reply([part('rma.issuedByStaff', { rma: event.rma, agent: event.agent })], { returns: { rma: event.rma } })),
              ],
            },
            AGENT_RELEASED: [
              { guard: 'rmaIssued', target: '#returns.flow.done', actions: 'released' },
              // Back to the question the customer was at when the person took over (asked again).
              { target: '#returns.flow.hist', actions: 'released' },
            ],
            AGENT_CLOSED: { target: '#returns.ended', actions: [assign({ handoff: null }), emit(reply([part('handoff.closed')], { returns: { handoff: 'closed' } }))] },
          },
        },
      },
    },
    ended: {
      tags: ['waiting'],
      on: {
        // A new message after the end starts a new conversation, keeping what it says.
        MESSAGE: [
          { guard: 'saysGoodbye', actions: 'sayGoodbye' },
          // A person after the end sees what the conversation had (the order, the RMA).
          { guard: 'wantsPerson', target: 'handoff' },
          // "What was my RMA number again?" after goodbye: answered from the conversation that ended.
          { guard: 'asksQuestion', actions: 'answerQuestions' },
          { target: 'flow.route', actions: ['reset', 'greetAndAbsorb'] },
        ],
        REASK: {},
      },
    },
  },
});

/** The booking message: the RMA, what to do next (for the remedy recorded), another item when there is one. */
function rmaReply(context: ReturnsContext): Reply {
  const d = context.decision!;
  const item = selectedItem(context)!;
  const parts = [part('rma.issued', { rma: context.rma!, item: item.name }), ...nextSteps(d, context.order!, context.remedy, saidOf(context))];
  const choices = (context.order?.items.length ?? 0) > 1 ? doneChoices : [];
  return reply(parts, { returns: { rma: context.rma!, outcome: d.outcome, decision: d }, ...(choices.length ? { choices } : {}) });
}

const doneChoices: Choice[] = [choice(part('choice.anotherItem'), { type: 'StartReturn', ...sure }), choice(part('choice.done'), DENY)];

/** The label of a clarifying question's candidate. */
function labelOf(v: SlotValue, ctx: ReturnsContext): Part {
  switch (v.slot) {
    case 'reason':
      return part(`choice.reason.${v.value}`);
    case 'remedy':
      return part(`choice.remedy.${v.value}`);
    case 'faultCause':
      return part(`faultCause.${v.value}`);
    case 'item': {
      const items = ctx.order?.items ?? [];
      const name = 'index' in v.value ? (items[v.value.index]?.name ?? '') : v.value.mention;
      return part('choice.item', { name });
    }
    case 'orderNumber':
      return part('choice.item', { name: v.value });
    case 'deliveredOn':
      return part('choice.date', { date: { date: v.value } });
    case 'proof':
      return part('choice.item', { name: v.value.map((p) => p.value).join(', ') });
    case 'manufacturerPreauth':
      return part('choice.item', { name: v.value });
    default:
      return part(v.value ? 'choice.yes' : 'choice.no');
  }
}

export type ReturnsMachine = typeof returnsMachine;
export type { ReturnsData, UserEvent, MessageEvent };
