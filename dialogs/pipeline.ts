/**
 * The one turn path: every channel — Bot Framework over HTTP (`/api/messages`: Teams, the
 * Emulator, a contact-centre hub), our own Direct Line (the website widget) and `returnsbot chat` —
 * hands each activity here, and gets back what to send on it.
 *
 *   activity → staff? → the staff desk (dialogs/staff.ts)
 *            → message / conversation start → the conversation service (the returns machine)
 *            → `handoff.status` from a hub → the hand-over service
 *            → observed (metrics) → what to send back
 *
 * - Support staff listed in RETURNS_STAFF are served by the staff desk instead of the machine.
 * - With HANDOFF_MODE=event, a new hand-over on a Bot Framework channel also asks for the standard
 *   `handoff.initiate` event (with the transcript and a summary) so a contact-centre hub can take
 *   the chat, and `handoff.status` events from the hub drive the conversation (accepted → a person
 *   has it; completed → closed; failed → back to the bot). Only from the hub: such an event is
 *   followed only in `event` mode, only when the request was authenticated as coming from the
 *   channel (an app id is configured, so every request carries a valid channel token), only on Bot
 *   Framework HTTP, and never on a channel where the customer writes the activities themselves
 *   (Direct Line, Web Chat) — a customer cannot drive the hand-over.
 * - The observer (the composition root's metrics) sees every customer turn of every channel.
 */
import type { Activity } from 'botbuilder';
import type { Logger } from '../src/log.js';
import type { InboundActivity } from './activity.js';
import type { ConversationService, TurnResult } from './conversation.js';
import type { StaffDesk } from './staff.js';

/** How the activity came in. */
export type Via = 'bot-framework' | 'direct-line' | 'terminal';

/** What the pipeline needs from the hand-over service. */
export interface HandoffPort {
  readonly mode: 'console' | 'event';
  external(conversationId: string, channelId: string, state: string, message: string | null): Promise<void>;
  get(conversationId: string): Promise<{ summary: unknown; transcript: unknown[] } | null>;
}

/** One activity as a channel hands it over. */
export interface InboundTurn {
  via: Via;
  activity: InboundActivity & { name?: string; timestamp?: unknown };
  /** The Bot Framework conversation reference of the activity, when the channel has one (to reach the customer later). */
  reference: Record<string, unknown> | null;
  correlationId?: string;
  /** The customer's message as it goes into the log; default: built from the activity; null: the service's own. */
  logActivity?: Record<string, unknown> | null;
  /** How many photos came with the message (already stored with the conversation). */
  attachments?: number;
}

/** A new hand-over for a contact-centre hub: what its `handoff.initiate` event carries. */
export interface HandoffInitiation {
  summary: unknown;
  transcript: unknown[];
  locale: string;
}

export interface TurnOutcome {
  /** Who the activity was for: the customer's conversation, the staff desk, the hand-over (a hub's event), or nobody. */
  kind: 'customer' | 'staff' | 'hub' | 'ignored';
  /** The conversation service's answer (customer turns). */
  result: TurnResult | null;
  /** The staff desk's answers to a staff member (not in any conversation's log). */
  staffReplies: Partial<Activity>[];
  /** Event mode, Bot Framework: the hand-over this turn queued, for the hub. */
  initiation: HandoffInitiation | null;
}

/** Sees each turn of every channel (the metrics). */
export interface TurnObserver {
  turn(channelId: string, outcome: TurnOutcome, seconds: number): void;
}

export interface PipelineDeps {
  service: Pick<ConversationService, 'handle' | 'welcome'>;
  logger: Logger;
  handoff?: HandoffPort;
  staff?: StaffDesk;
  observer?: TurnObserver;
  /** A monotonic clock in ms, for the turn's duration (default `performance.now`). */
  clock?: () => number;
  /**
   * True when every Bot Framework request was authenticated as coming from a channel (an app id is
   * configured); false when anyone may post activities (no app id). Hub events need it.
   */
  channelAuthenticated?: boolean;
}

/** Channels whose activities the customer composes (any event name, any value): never a hub. */
const CUSTOMER_COMPOSED_CHANNELS = new Set(['directline', 'webchat', 'directlinespeech', 'emulator']);

const nothing = (kind: TurnOutcome['kind']): TurnOutcome => ({ kind, result: null, staffReplies: [], initiation: null });

export class TurnPipeline {
  private readonly clock: () => number;

  constructor(private readonly deps: PipelineDeps) {
    this.clock = deps.clock ?? (() => performance.now());
  }

  /** Handle one activity from any channel. */
  async handle(turn: InboundTurn): Promise<TurnOutcome> {
    const started = this.clock();
    const outcome = await this.route(turn);
    this.deps.observer?.turn(turn.activity.channelId, outcome, (this.clock() - started) / 1000);
    return outcome;
  }

  private async route(turn: InboundTurn): Promise<TurnOutcome> {
    const a = turn.activity;
    if (this.deps.staff?.isStaff(a.channelId, a.from?.id)) {
      return { ...nothing('staff'), staffReplies: await this.deps.staff.handle(a, turn.reference ?? {}) };
    }
    if (a.type === 'message') return this.message(turn);
    if (a.type === 'conversationUpdate') return this.conversationStart(turn);
    if (a.type === 'event' && a.name === 'handoff.status' && this.deps.handoff) return this.hubEvent(turn);
    // Other activity types (typing, invoke …) need no answer from the returns bot.
    return nothing('ignored');
  }

  private async message(turn: InboundTurn): Promise<TurnOutcome> {
    const a = turn.activity;
    const text = a.text === undefined ? null : turn.via === 'bot-framework' ? stripMentions(a.text, a.recipient?.id) : a.text;
    const logActivity =
      turn.logActivity === undefined
        ? { type: 'message', id: a.id, from: a.from ?? { id: 'user' }, text: text ?? '', locale: a.locale, ...(a.value !== undefined ? { value: a.value } : {}), timestamp: a.timestamp }
        : (turn.logActivity ?? undefined);
    const result = await this.deps.service.handle({
      conversationId: a.conversation.id,
      activityId: a.id ?? null,
      channelId: a.channelId,
      userId: a.from?.id,
      text,
      value: a.value,
      locale: a.locale ?? null,
      logActivity,
      attachments: turn.attachments,
      correlationId: turn.correlationId,
      ...(turn.reference ? { reference: turn.reference } : {}),
    });
    return { kind: 'customer', result, staffReplies: [], initiation: await this.initiation(turn, result) };
  }

  private async conversationStart(turn: InboundTurn): Promise<TurnOutcome> {
    const a = turn.activity;
    const joined = (a.membersAdded ?? []).find((m) => m.id !== a.recipient?.id);
    if (!joined) return nothing('ignored');
    const result = await this.deps.service.welcome({
      conversationId: a.conversation.id,
      activityId: a.id ?? null,
      channelId: a.channelId,
      userId: joined.id,
      text: null,
      locale: a.locale ?? null,
      correlationId: turn.correlationId,
      ...(turn.reference ? { reference: turn.reference } : {}),
    });
    if (!result) return nothing('customer');
    return { kind: 'customer', result, staffReplies: [], initiation: await this.initiation(turn, result) };
  }

  private async hubEvent(turn: InboundTurn): Promise<TurnOutcome> {
    const a = turn.activity;
    const handoff = this.deps.handoff!;
    if (!this.fromHub(turn)) {
      this.deps.logger.warn(
        { correlationId: turn.correlationId, conversationId: a.conversation.id, channelId: a.channelId, mode: handoff.mode },
        'handoff.status ignored: not from a contact-centre hub',
      );
      return nothing('ignored');
    }
    const value = (a.value ?? {}) as { state?: unknown; message?: unknown };
    if (typeof value.state === 'string') {
      await handoff.external(a.conversation.id, a.channelId, value.state, typeof value.message === 'string' ? value.message : null);
    }
    return nothing('hub');
  }

  /** May a `handoff.status` event be from the hub (see the module comment)? */
  private fromHub(turn: InboundTurn): boolean {
    return turn.via === 'bot-framework' && this.deps.handoff?.mode === 'event' && this.deps.channelAuthenticated === true && !CUSTOMER_COMPOSED_CHANNELS.has(turn.activity.channelId.toLowerCase());
  }

  /** In event mode on Bot Framework, a turn that queued a hand-over asks for its `handoff.initiate`. */
  private async initiation(turn: InboundTurn, result: TurnResult): Promise<HandoffInitiation | null> {
    if (turn.via !== 'bot-framework' || this.deps.handoff?.mode !== 'event' || result.duplicate) return null;
    if (!result.activities.some((x) => x.channelData.returns.handoff === 'queued')) return null;
    const view = await this.deps.handoff.get(turn.activity.conversation.id);
    return { summary: view?.summary ?? null, transcript: view?.transcript ?? [], locale: result.locale };
  }
}

/** Teams puts `<at>Bot</at>` mentions in group-chat messages. */
function stripMentions(text: string, botId: string | undefined): string {
  return botId ? text.replace(/<at>[^<]*<\/at>/g, '').trim() : text.trim();
}
