/**
 * Types of the returns conversation: what the machine remembers, the events it understands and the
 * replies it emits. Replies are message keys with parameters, never text: `dialogs/` renders them
 * in the customer's language (`locales/`).
 */
import type { ConditionField, LocalDate, ReturnReason } from '../src/policy/case.js';
import type { Decision } from '../src/policy/decision.js';
import type { Remedy } from '../src/policy/pack.js';
import type { Order } from '../src/orders.js';
import type { AskTopic, Command, ProofCandidate } from './commands.js';

/** What a question waits for (CONTRACT section 7, `channelData.returns.step`). */
export type Step = 'orderNumber' | 'verify' | 'item' | 'reason' | ConditionField | 'remedy' | 'confirm';

/** A parameter of a message: plain values, or values the renderer formats for the locale. */
export type Param =
  string | number | boolean | null | { date: LocalDate } | { money: number; currency: string } | { key: string; params?: Params } | { list: Part[]; style?: 'and' | 'or' | 'lines' | 'numbered' };
export type Params = Record<string, Param>;

/** One piece of a message: a locale key and its parameters. */
export interface Part {
  key: string;
  params?: Params;
}

/** A choice offered with a question: shown as a button, also accepted as typed text; choosing it sends `commands`. */
export interface Choice {
  label: Part;
  commands: Command[];
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
  /** The text already lists the choices (numbered): text-only channels do not list them again. */
  listed?: boolean;
  returns?: ReturnsData;
}

export type Emitted = Reply;

/**
 * A customer's message as the turn layer hands it to the machine: what the understanding layer read
 * in it (or the commands of the choice or card button picked), and how many photos came with it.
 */
export interface MessageEvent {
  type: 'MESSAGE';
  commands: Command[];
  attachments?: number;
}

export type UserEvent = MessageEvent;

/** Events from the composition root: the clock, and the support team (handoff). */
export type SystemEvent =
  /** Every turn starts with it: the time, and (on a customer's turn) the channel the customer is on. */
  | { type: 'CLOCK'; now: number; channel?: TurnChannel }
  /** Internal: ask the current question again (after help, or a correction that could not apply). */
  | { type: 'REASK' }
  | { type: 'AGENT_TOOK'; agent: string }
  | { type: 'AGENT_RELEASED'; agent: string }
  | { type: 'AGENT_CLOSED'; agent: string }
  | { type: 'STAFF_RMA'; rma: string; remedy: Remedy | null; agent: string };

export type ReturnsEvent = UserEvent | SystemEvent;

/** Where the customer is (passed in with each of their turns; the hand-over keeps it to reach them later). */
export interface TurnChannel {
  channelId: string;
  /** The Bot Framework conversation reference of the customer's last activity, when the channel has one. */
  reference: Record<string, unknown> | null;
}

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
  /** Proof of ownership given and not yet checked (kept until the order number is known). */
  proof: ProofCandidate[] | null;
  itemIndex: number | null;
  /** What the customer called the item before the order was verified ("the kettle"). */
  itemMention: string | null;
  reason: ReturnReason | null;
  /** A reason read in passing but not surely ("my laptop…"): confirmed at the reason question. */
  reasonGuess: ReturnReason | null;
  mentionsFault: boolean;
  facts: Partial<Record<ConditionField, boolean | string>>;
  /**
   * Facts read from a hedged, negated or low-confidence reading: taken only if they would not
   * reject or refer the return; otherwise checked first with a plain yes/no question.
   */
  tentative: Partial<Record<ConditionField, boolean | string>>;
  /** The fact being checked ("Just to check: …"), with the value that was read. */
  check: { field: ConditionField; value: boolean | string } | null;
  /**
   * The yes/no question just answered with other facts only ("I opened the case to put the disc
   * in, that's it" at `tampered`): asked next as a plain check, in words that set the others apart.
   */
  recheck: ConditionField | null;
  unavailable: ConditionField[];
  /** A delivery date the customer stated ("actually it arrived on the 3rd"). */
  deliveredOn: LocalDate | null;
  decision: Decision | null;
  /** The remedy the customer asked for (maybe before the decision allowed any). */
  wantedRemedy: Remedy | null;
  remedy: Remedy | null;
  rma: string | null;
  /** The step of the last question asked (misunderstandings are counted per step). */
  asking: Step | null;
  /** How many times in a row the question at `step` was not understood. */
  misunderstood: { step: Step | null; count: number };
  /** The choices offered with the last question (so a typed label maps back to its commands). */
  choices: Choice[];
  /** Why the conversation was handed over (what support staff see first). */
  handoffReason: 'asked' | 'referred' | 'not-understood' | 'disputed' | 'verification' | 'frustrated';
  /** Why a person was offered: frustration (declining returns to the question) or being lost. */
  offer: 'frustrated' | 'lost' | null;
  /**
   * Questions asked before the order was verified whose answer depends on the order's policy (its
   * number's shape names no pack): answered once it is verified. Absent in snapshots from before it was kept.
   */
  deferredAsks?: AskTopic[];
  /** The channel of the customer's last turn (see {@link TurnChannel}); absent in snapshots from before it was kept. */
  channel?: TurnChannel | null;
  /** Handoff: position in the queue and the agent, when a person has the conversation. */
  handoff: { status: 'queued' | 'active'; agent: string | null; position: number | null } | null;
}

export interface ReturnsInput {
  conversationId: string;
  defaultPolicy: string;
  todayOverride?: LocalDate | null;
  now: number;
}

/** Bump when a stored snapshot of an older machine can no longer be restored as is. */
export const MACHINE_VERSION = 3;
