/**
 * What a message's commands do to what the conversation knows (pure). Every slot given is kept,
 * even ahead of the step that needs it: a proof before the order number, an item named before the
 * order is verified, a reason, a date, facts and a remedy all wait for the step that uses them, so
 * the bot asks only what is still missing (CONTRACT section 7).
 *
 * A fact that would reject or refer the return is never taken from a hedged or low-confidence
 * reading: such readings are `tentative` until `settle` finds they would not change the outcome for
 * the worse, or a plain yes/no question (`check`) confirms them.
 */
import { BOOLEAN_CONDITION_FIELDS, FAULT_CAUSES, type ConditionField } from '../src/policy/case.js';
import type { Decision } from '../src/policy/decision.js';
import { decide, type CompiledPack } from '../src/policy/engine.js';
import { buildCase } from './case.js';
import { CONFIDENT, UNSURE, type Command, type SlotValue } from './commands.js';
import type { Part, ReturnsContext } from './types.js';

export type SlotCommand = Extract<Command, { type: 'SetSlot' | 'CorrectSlot' }>;

/** The facts, reason and decision about one item, cleared when the item changes. */
export const clearedItem = {
  facts: {},
  tentative: {},
  check: null,
  recheck: null,
  unavailable: [],
  decision: null,
  remedy: null,
  rma: null,
} satisfies Partial<ReturnsContext>;

/** The slot commands of a message that are sure enough to act on (the rest are clarified). */
export function slotCommands(commands: readonly Command[]): SlotCommand[] {
  // "How long does the refund take?" asks about a remedy; it does not choose one ("refund this time"
  // does, and so does "could I get a replacement instead?": asking for another remedy is asking for it).
  const asking = commands.some((c) => c.type === 'Ask' && c.confidence >= CONFIDENT && c.topic !== 'otherRemedy');
  return commands.filter((c): c is SlotCommand => (c.type === 'SetSlot' || c.type === 'CorrectSlot') && c.confidence >= UNSURE && !(asking && c.slot === 'remedy'));
}

/** Slot readings too unsure to act on: asked about with a clarifying question. */
export function unsureSlots(commands: readonly Command[]): SlotCommand[] {
  return commands.filter((c): c is SlotCommand => (c.type === 'SetSlot' || c.type === 'CorrectSlot') && c.confidence < UNSURE);
}

const isCondition = (slot: string): slot is ConditionField => (BOOLEAN_CONDITION_FIELDS as readonly string[]).includes(slot) || slot === 'faultCause' || slot === 'manufacturerPreauth';

function validFact(field: ConditionField, value: unknown): boolean {
  if ((BOOLEAN_CONDITION_FIELDS as readonly string[]).includes(field)) return typeof value === 'boolean';
  if (field === 'faultCause') return typeof value === 'string' && (FAULT_CAUSES as readonly string[]).includes(value);
  return typeof value === 'string' && value.trim().length > 0 && value.length <= 64;
}

/** A condition fact as read: sure readings are facts, the others wait to be settled (see module). */
export function withFact(ctx: ReturnsContext, field: ConditionField, value: boolean | string, sure: boolean): Pick<ReturnsContext, 'facts' | 'tentative' | 'check' | 'decision'> {
  const facts = { ...ctx.facts };
  const tentative = { ...ctx.tentative };
  delete facts[field];
  delete tentative[field];
  if (sure) facts[field] = value;
  else tentative[field] = value;
  return { facts, tentative, check: ctx.check?.field === field ? null : ctx.check, decision: null };
}

/**
 * Keep every slot of a message. Returns the new context and acknowledgements of corrections.
 * Once an RMA is issued only a new order or another item starts something new; other slots are kept
 * out of the booked return.
 */
export function absorb(ctx: ReturnsContext, commands: readonly SlotCommand[]): { ctx: ReturnsContext; notes: Part[] } {
  let c: ReturnsContext = { ...ctx };
  const notes: Part[] = [];
  // Answering why, a customer names parts of the item ("the screen flickers"): at the reason step an
  // item named beside the reason is not a change of item.
  const answeringWhy = ctx.asking === 'reason' && ctx.itemIndex !== null && commands.some((c) => c.slot === 'reason');
  const answeringWhich = ctx.asking === 'item' && commands.some((c) => c.slot === 'item');
  const ordered = [...commands].filter((c) => !(answeringWhy && c.slot === 'item')).sort((a, b) => rank(a) - rank(b));
  let itemChanged = false;
  // The reason said beside an item the order does not have is about that item: not kept.
  let notInOrder = false;
  for (const cmd of ordered) {
    const v = cmd as SlotValue & SlotCommand;
    const correcting = cmd.type === 'CorrectSlot';
    switch (v.slot) {
      case 'orderNumber': {
        if (v.value === c.orderNumber) break;
        if (c.order && c.order.orderNumber === v.value) break;
        // Another order: what was verified and decided about the last one no longer applies.
        c = { ...c, ...clearedItem, orderNumber: v.value, order: null, itemIndex: null, deliveredOn: null, wantedRemedy: c.rma ? null : c.wantedRemedy };
        break;
      }
      case 'proof':
        if (!c.order) c = { ...c, proof: v.value };
        break;
      case 'item': {
        // Before the order is known an item can only be a mention: kept for the `verifyOrder` actor to
        // resolve with the order (machines/commands.ts). With the order the understanding layer names the index.
        if (!c.order) {
          if ('mention' in v.value) c = { ...c, itemMention: v.value.mention };
          break;
        }
        if (!('index' in v.value)) {
          // Asked which item, the customer names one the order does not have: said, then asked again.
          if (ctx.asking === 'item' && c.itemIndex === null) {
            notes.push({ key: 'item.notInOrder', params: { mention: v.value.mention, orderNumber: c.order.orderNumber } });
            notInOrder = true;
          }
          break;
        }
        const index = v.value.index;
        if (!Number.isInteger(index) || index < 0 || index >= c.order.items.length) break;
        if (index === c.itemIndex) break;
        const another = c.rma !== null;
        const had = c.itemIndex !== null;
        c = { ...c, ...clearedItem, itemIndex: index, itemMention: null, ...(another ? { reason: null, mentionsFault: false, deliveredOn: null, wantedRemedy: null } : {}) };
        itemChanged = true;
        if (had && !another) notes.push({ key: 'corrected.item', params: { item: c.order!.items[index]!.name } });
        break;
      }
      default:
        if (c.rma || (notInOrder && v.slot === 'reason')) break;
        c = { ...c, ...absorbReturnSlot(c, v, correcting, notes, answeringWhich, itemChanged) };
    }
  }
  return { ctx: c, notes };
}

/** A reason volunteered ahead of its question below this is only a guess, confirmed when the reason is asked. */
const VOLUNTEERED = 0.7;

/** Slots about the return itself (reason, dates, facts, remedy). */
function absorbReturnSlot(c: ReturnsContext, v: SlotValue & SlotCommand, correcting: boolean, notes: Part[], answeringWhich: boolean, itemChanged: boolean): Partial<ReturnsContext> {
  switch (v.slot) {
    case 'reason': {
      if (v.value === c.reason) return v.mentionsFault ? { mentionsFault: true } : {};
      // Another reason read unsurely in an answer to a condition or remedy question ("didn't lose
      // anything" read as a fault), or after a refusal ("I broke the seal myself" read as damage in
      // delivery): never switched silently, it is confirmed at the reason question (a no keeps the
      // reason there was).
      if (c.reason !== null && v.confidence < CONFIDENT && !itemChanged && (answersFactOrRemedy(c.asking) || c.decision?.outcome === 'rejected')) {
        return { reasonGuess: v.value, decision: null, check: null };
      }
      // Naming the item, a customer gives no reason ("the laptop"): a reason read beside the answer
      // to "which item?" is taken only when sure; otherwise it is confirmed at the reason question.
      if (answeringWhich && v.confidence < CONFIDENT && c.reason === null) return { reasonGuess: v.value, mentionsFault: c.mentionsFault || Boolean(v.mentionsFault) };
      // Volunteered before the reason question, a weak reading ("IMP-500017 lee@example.com the
      // laptop" read as a fault from the word "laptop") is confirmed there too.
      if (c.reason === null && v.confidence < VOLUNTEERED && c.asking !== 'reason' && !correcting) return { reasonGuess: v.value, mentionsFault: c.mentionsFault || Boolean(v.mentionsFault) };
      if (c.reason !== null && (correcting || c.decision)) notes.push({ key: 'corrected.reason', params: { reason: { key: `reasonName.${v.value}` } } });
      return { reason: v.value, reasonGuess: null, mentionsFault: Boolean(v.mentionsFault), decision: null, remedy: null, check: null };
    }
    case 'deliveredOn':
      if (v.value === c.deliveredOn) return {};
      // Before the order is known the date cannot be checked: it is acknowledged (or refused) once it is.
      if (c.order) notes.push({ key: 'corrected.deliveredOn', params: { date: { date: v.value } } });
      return { deliveredOn: v.value, decision: null, remedy: null };
    case 'remedy':
      return { wantedRemedy: v.value };
    default: {
      const field = v.slot;
      if (!isCondition(field) || !validFact(field, v.value)) return {};
      if (c.facts[field] === v.value) return {};
      return withFact(c, field, v.value as boolean | string, v.confidence >= CONFIDENT && !v.hedged);
    }
  }
}

/** The step asks about a fact of the return or the remedy (not the order, the item or the reason). */
function answersFactOrRemedy(step: ReturnsContext['asking']): boolean {
  return step !== null && (isCondition(step) || step === 'remedy');
}

/** Whether keeping these slots changes anything the conversation knows. */
export function changesAnything(ctx: ReturnsContext, commands: readonly SlotCommand[]): boolean {
  const { ctx: after, notes } = absorb(ctx, commands);
  if (notes.length) return true;
  const relevant = (c: ReturnsContext) =>
    JSON.stringify([c.orderNumber, c.proof, c.itemIndex, c.itemMention, c.reason, c.reasonGuess, c.mentionsFault, c.facts, c.tentative, c.deliveredOn, c.wantedRemedy]);
  return relevant(after) !== relevant(ctx);
}

/** The order number first (it clears the rest), then the proof, the item, and the return's slots. */
function rank(c: SlotCommand): number {
  switch (c.slot) {
    case 'orderNumber':
      return 0;
    case 'proof':
      return 1;
    case 'item':
      return 2;
    case 'reason':
      return 3;
    default:
      return 4;
  }
}

export interface Settled {
  facts: ReturnsContext['facts'];
  tentative: ReturnsContext['tentative'];
  check: ReturnsContext['check'];
  decision: Decision | null;
}

/**
 * Decide with what is known. A tentative fact the decision needs next is taken when it would not
 * reject or refer the return; otherwise it becomes the `check` to ask. Pure.
 */
export function settle(ctx: ReturnsContext, pack: CompiledPack): Settled {
  let facts = { ...ctx.facts };
  const tentative = { ...ctx.tentative };
  const run = (f: ReturnsContext['facts']) => {
    const c = buildCase({ ...ctx, facts: f }, pack);
    return c ? decide(c, pack, { unavailable: ctx.unavailable }) : null;
  };
  for (let guard = 0; guard < 32; guard++) {
    const decision = run(facts);
    if (!decision) return { facts, tentative, check: null, decision: null };
    const next = decision.outcome === 'incomplete' ? decision.needs[0] : undefined;
    if (next === undefined || !(next in tentative)) return { facts, tentative, check: null, decision };
    const value = tentative[next]!;
    const trial = run({ ...facts, [next]: value });
    if (trial && (trial.outcome === 'rejected' || trial.outcome === 'referred')) {
      return { facts, tentative, check: { field: next, value }, decision };
    }
    delete tentative[next];
    facts = { ...facts, [next]: value };
  }
  return { facts, tentative, check: null, decision: run(facts) };
}
