/**
 * Types of the returns conversation: what the machine remembers, the events it understands and the
 * replies it emits. Replies are message keys with parameters, never text: `dialogs/` renders them
 * in the customer's language (`locales/`).
 */
import type { ConditionField, FaultCause, LocalDate, ReturnReason } from '../src/policy/case.js';
import type { Decision } from '../src/policy/decision.js';
import type { Remedy } from '../src/policy/pack.js';
import type { Order } from '../src/orders.js';
import type { ProofCandidate } from './commands.js';

/** What a question waits for (CONTRACT section 7, `channelData.returns.step`). */
export type Step = 'orderNumber' | 'verify' | 'item' | 'reason' | ConditionField | 'remedy' | 'confirm';

/** A parameter of a message: plain values, or values the renderer formats for the locale. */
export type Param =
  | string
  | number
  | boolean
  | null
  | { date: LocalDate }
  | { money: number; currency: string }
  | { key: string; params?: Params }
  | { list: Part[]; style?: 'and' | 'or' | 'lines' | 'numbered' };
export type Params = Record<string, Param>;

/** One piece of a message: a locale key and its parameters. */
export interface Part {
  key: string;
  params?: Params;
}

/** A choice offered with a question: shown as a button, also accepted as typed text. */
export interface Choice {
  label: Part;
  event: UserEvent;
}

/** What `channelData.returns` carries besides the step. */
export interface ReturnsData {
  outcome?: Decision['outcome'];
  decision?: Decision;
  rma?: string;
  handoff?: 'queued' | 'active' | 'released' | 'closed';
  position?: number | null;
}

/** One bot message. `step` is set when it asks something (inputHint expectingInput). */
export interface Reply {
  type: 'reply';
  parts: Part[];
  step?: Step;
  choices?: Choice[];
  returns?: ReturnsData;
}

export type Emitted = Reply;

/** Events a customer's message (or a card button) turns into. */
export type UserEvent =
  | { type: 'OPENING'; orderNumber?: string | null; reason?: ReturnReason | null; mentionsFault?: boolean; faultCause?: FaultCause | null }
  | { type: 'ORDER_NUMBER'; orderNumber: string }
  /** A proof of ownership: every candidate found in the message (one is needed, see VerifyRequest). */
  | { type: 'VERIFY'; candidates: ProofCandidate[] }
  | { type: 'ITEM'; index: number }
  | { type: 'REASON'; reason: ReturnReason; mentionsFault?: boolean; faultCause?: FaultCause | null }
  | { type: 'ANSWER'; field: ConditionField; value: boolean | string }
  | { type: 'HAS_PREAUTH' }
  | { type: 'DONT_KNOW' }
  | { type: 'REMEDY'; remedy: Remedy }
  | { type: 'YES' }
  | { type: 'NO' }
  | { type: 'ANOTHER_ITEM' }
  | { type: 'HUMAN' }
  | { type: 'CANCEL' }
  | { type: 'RESTART' }
  | { type: 'HELP' }
  | { type: 'CORRECT_DELIVERY'; date: LocalDate }
  | { type: 'CORRECT_ITEM'; index: number }
  | { type: 'CORRECT_REASON'; reason: ReturnReason }
  | { type: 'NOT_UNDERSTOOD' }
  | { type: 'CUSTOMER_MESSAGE'; text: string }
  /** Photos the customer attached (stored with the conversation for the support team). */
  | { type: 'ATTACHMENT'; count: number };

/** Events from the composition root: the clock, and the support team (handoff). */
export type SystemEvent =
  | { type: 'CLOCK'; now: number }
  /** Internal: ask the current question again (after help, or a correction that could not apply). */
  | { type: 'REASK' }
  | { type: 'AGENT_TOOK'; agent: string }
  | { type: 'AGENT_RELEASED'; agent: string }
  | { type: 'AGENT_CLOSED'; agent: string }
  | { type: 'STAFF_RMA'; rma: string; remedy: Remedy | null; agent: string };

export type ReturnsEvent = UserEvent | SystemEvent;

export interface ReturnsContext {
  /** The last time the composition root told us (epoch ms); today's date is derived from it. */
  now: number;
  /** RETURNS_TODAY: decide as if today were this date. */
  todayOverride: LocalDate | null;
  /** The policy used before an order is known (its time zone for dates). */
  defaultPolicy: string;
  conversationId: string;
  orderNumber: string | null;
  /** Set only once the customer proved the order is theirs. */
  order: Order | null;
  verifyAttempts: number;
  itemIndex: number | null;
  reason: ReturnReason | null;
  mentionsFault: boolean;
  facts: Partial<Record<ConditionField, boolean | string>>;
  unavailable: ConditionField[];
  /** A delivery date the customer corrected ("actually it arrived on the 3rd"). */
  deliveredOn: LocalDate | null;
  decision: Decision | null;
  remedy: Remedy | null;
  rma: string | null;
  /** How many times in a row the question at `step` was not understood. */
  misunderstood: { step: Step | null; count: number };
  /** The choices offered with the last question (so a typed label maps back to its event). */
  choices: Choice[];
  /** The last state that waited for the customer (where a hand-over returns to). */
  at: ResumableState | null;
  /** Handoff: position in the queue and the agent, when a person has the conversation. */
  handoff: { status: 'queued' | 'active'; agent: string | null; position: number | null } | null;
}

export interface ReturnsInput {
  conversationId: string;
  defaultPolicy: string;
  todayOverride?: LocalDate | null;
  now: number;
}

/** States a conversation can be in when a person takes it, and returns to when they hand it back. */
export const RESUMABLE_STATES = [
  'askOrderNumber', 'askVerify', 'verifyFailed', 'askItem', 'askReason', 'askFact', 'askPreauthNumber',
  'askRemedy', 'askConfirm', 'done', 'declined', 'rejected', 'referred',
] as const;
export type ResumableState = (typeof RESUMABLE_STATES)[number];

/** Bump when a stored snapshot of an older machine can no longer be restored as is. */
export const MACHINE_VERSION = 2;
