/**
 * The language between understanding and the conversation (anchor: Rasa CALM's commands).
 *
 * The understanding layer (`src/nlu`) turns one customer message into a short list of commands;
 * the conversation machine executes them and keeps all business logic. The understanding layer
 * decides nothing about the return: it says what the customer said, how sure it is, and nothing else.
 *
 * - One message may give many commands (an all-in-one opening gives the order number, the proof,
 *   the item, the reason, a date and the remedy at once). Every slot given is kept, even ahead of
 *   the step that needs it.
 * - Every command that reads a value carries `confidence` in [0, 1]. A reading from a negated,
 *   hedged ("erm, a bit"), mixed or indirect answer is below `CONFIDENT`; the machine never takes a
 *   fact that would reject or refer the return from such a reading without first checking the
 *   exact fact with a plain yes/no question at that field (CONTRACT section 7).
 * - Pure data: JSON-serialisable, no functions, no class instances (commands are logged by type
 *   and kept in the turn's audit, never with the customer's words).
 */
import type { ConditionField, FaultCause, LocalDate, ReturnReason } from '../src/policy/case.js';
import type { Remedy } from '../src/policy/pack.js';

/** At or above this a reading may be acted on without a check (for facts that reject or refer). */
export const CONFIDENT = 0.9;
/** Below this a classification is not acted on at all: the bot asks a clarifying question. */
export const UNSURE = 0.55;

/** One candidate proof of ownership found in a message (CONTRACT section 6 and 7). */
export interface ProofCandidate {
  kind: 'email' | 'postcode' | 'zip';
  /** Normalised: an email lower-cased; a postcode upper-case with one space; a ZIP as 5 digits. */
  value: string;
}

/** Which item: an index into the verified order's items, or what the customer called it. */
export type ItemRef = { index: number } | { mention: string };

/** A slot and its value. `proof` holds every candidate found (a proof message must hold exactly one). */
export type SlotValue =
  | { slot: 'orderNumber'; value: string }
  | { slot: 'proof'; value: ProofCandidate[] }
  | { slot: 'item'; value: ItemRef }
  | { slot: 'reason'; value: ReturnReason; mentionsFault?: boolean }
  | { slot: 'deliveredOn'; value: LocalDate }
  | { slot: 'remedy'; value: Remedy }
  | { slot: 'faultCause'; value: FaultCause }
  | { slot: 'manufacturerPreauth'; value: string }
  | { slot: Exclude<ConditionField, 'faultCause' | 'manufacturerPreauth'>; value: boolean };

export type Slot = SlotValue['slot'];

/** What a customer may ask mid-way (answered from the pack's own data; see the next issue). */
export const ASK_TOPICS = ['refundTime', 'returnPostage', 'restockingFee', 'nextSteps', 'rmaNumber', 'otherRemedy', 'whereToSend', 'cancelReturn', 'other'] as const;
export type AskTopic = (typeof ASK_TOPICS)[number];

/** A candidate of a clarifying question: a slot value the customer may have meant. */
export type ClarifyCandidate = SlotValue & { confidence: number };

export type Command =
  /** The customer wants to return something (an opening, or "another item" after an RMA). */
  | { type: 'StartReturn'; confidence: number }
  /** A value for a slot, said now (maybe ahead of the step that needs it). */
  | ({ type: 'SetSlot'; confidence: number; hedged?: boolean } & SlotValue)
  /** A value that replaces one given before ("actually it arrived on the 3rd", "no, the mouse"). */
  | ({ type: 'CorrectSlot'; confidence: number; hedged?: boolean } & SlotValue)
  /** Yes to the pending yes/no question (or a choice phrased as one). */
  | { type: 'Affirm'; confidence: number; hedged?: boolean }
  /** No to the pending yes/no question. */
  | { type: 'Deny'; confidence: number; hedged?: boolean }
  /** "I don't know" / "not sure" to the pending question. */
  | { type: 'DontKnow'; confidence: number }
  /**
   * The reading is ambiguous between candidates: ask one short question with them as choices.
   * `orCancel`: stopping the return is a choice too ("actually I changed my mind" at a condition
   * question: stop, or is that the reason?).
   */
  | { type: 'Clarify'; slot: Slot; candidates: ClarifyCandidate[]; orCancel?: boolean }
  /** Wants a person. `frustrated` when said in anger ("useless", "human. now.", "ya me harté"). */
  | { type: 'HumanHandoff'; confidence: number; frustrated?: boolean }
  /** Frustration without asking for a person: the bot hears it and offers one at once. */
  | { type: 'Frustrated'; confidence: number }
  | { type: 'Cancel'; confidence: number }
  | { type: 'Restart'; confidence: number }
  | { type: 'Help'; confidence: number }
  /** A question asked mid-way; the bot answers it and asks its pending question again. */
  | { type: 'Ask'; topic: AskTopic; confidence: number }
  | { type: 'Goodbye'; confidence: number }
  /** Nothing in the message could be read. */
  | { type: 'NotUnderstood' };

export type CommandType = Command['type'];

/**
 * The outcome of a proof of ownership (the `verifyOrder` actor, provided by the composition root).
 * - `verified`: exactly one candidate, and it matches the order; `itemIndex` is the order item the
 *   request's `itemMention` names (resolved by the provider, which knows the words), else null;
 * - `noMatch`: one candidate that does not match (a failed attempt);
 * - `ambiguous`: no candidate or more than one in the message (a failed attempt: ask for one);
 * - `locked`: too many failed attempts on this order (in the store, across conversations and
 *   instances) or in this conversation; `until` is when it may be tried again (ISO time).
 */
export type VerifyResult<O> =
  { status: 'verified'; order: O; itemIndex: number | null } | { status: 'noMatch'; attemptsLeft: number } | { status: 'ambiguous'; attemptsLeft: number } | { status: 'locked'; until: string };

/** What the `verifyOrder` actor is given: the order number and every candidate proof in the message. */
export interface VerifyRequest {
  conversationId: string;
  orderNumber: string;
  candidates: ProofCandidate[];
  /** An item the customer named before the order was known ("the headphones"), or null. */
  itemMention: string | null;
}
