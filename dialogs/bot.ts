/**
 * The Bot Framework turn layer: one incoming activity → the conversation service → reply activities.
 * Kept thin so a move from botbuilder to the Microsoft 365 Agents SDK touches only this file, the
 * staff desk and the server.
 *
 * - Messages and conversation starts go to the conversation service (the returns machine).
 * - Support staff listed in RETURNS_STAFF are served by the staff desk instead (dialogs/staff.ts).
 * - With HANDOFF_MODE=event, a hand-over also sends the standard `handoff.initiate` event (with the
 *   transcript and a summary) so a contact-centre hub can take the chat, and `handoff.status`
 *   events from the hub drive the conversation (accepted → a person has it; completed → closed;
 *   failed → back to the bot). Only from the hub: such an event is followed only in `event` mode,
 *   only when the request was authenticated as coming from the channel (an app id is configured, so
 *   every request carries a valid channel token), and never on a channel where the customer writes
 *   the activities themselves (Direct Line, Web Chat) — a customer cannot drive the hand-over.
 */
import { EventFactory, TurnContext, type Activity, type ConversationReference } from 'botbuilder';
import { negotiateLocale, t } from '../src/i18n/index.js';
import type { Logger } from '../src/log.js';
import { activitySchema } from './activity.js';
import type { ConversationService, TurnResult } from './conversation.js';
import type { StaffDesk } from './staff.js';

/** What the turn layer needs from the hand-over service. */
export interface HandoffPort {
  readonly mode: 'console' | 'event';
  external(conversationId: string, channelId: string, state: string, message: string | null): Promise<void>;
  get(conversationId: string): Promise<{ summary: unknown; transcript: unknown[] } | null>;
}

export interface BotDeps {
  service: ConversationService;
  logger: Logger;
  handoff?: HandoffPort;
  staff?: StaffDesk;
  /**
   * True when every request was authenticated as coming from a Bot Framework channel (an app id is
   * configured); false when anyone may post activities (no app id). Hub events need it.
   */
  channelAuthenticated?: boolean;
}

/** Channels whose activities the customer composes (any event name, any value): never a hub. */
const CUSTOMER_COMPOSED_CHANNELS = new Set(['directline', 'webchat', 'directlinespeech', 'emulator']);

export class ReturnsBot {
  private readonly service: ConversationService;
  private readonly logger: Logger;

  constructor(private readonly deps: BotDeps) {
    this.service = deps.service;
    this.logger = deps.logger;
  }

  /** Handle one activity; returns what the conversation service answered (null when nothing to do). */
  async run(context: TurnContext, correlationId?: string): Promise<TurnResult | null> {
    const parsed = activitySchema.safeParse(context.activity);
    if (!parsed.success) {
      this.logger.warn({ correlationId, issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), code: i.code })) }, 'activity rejected');
      return null;
    }
    const a = parsed.data;
    if (this.deps.staff?.isStaff(a.channelId, a.from?.id)) {
      await this.deps.staff.handle(context, correlationId);
      return null;
    }
    const reference = TurnContext.getConversationReference(context.activity) as unknown as Record<string, unknown>;
    if (a.type === 'message') {
      const text = a.text === undefined ? null : stripMentions(a.text, a.recipient?.id);
      const result = await this.service.handle({
        conversationId: a.conversation.id,
        activityId: a.id ?? null,
        channelId: a.channelId,
        userId: a.from?.id,
        text,
        value: a.value,
        locale: a.locale ?? null,
        logActivity: { type: 'message', id: a.id, from: a.from ?? { id: 'user' }, text: text ?? '', locale: a.locale, ...(a.value !== undefined ? { value: a.value } : {}), timestamp: (context.activity as Partial<Activity>).timestamp },
        correlationId,
        reference,
      });
      await this.send(context, result);
      return result;
    }
    if (a.type === 'conversationUpdate') {
      const joined = (a.membersAdded ?? []).some((m) => m.id !== a.recipient?.id);
      if (!joined) return null;
      const result = await this.service.welcome({
        conversationId: a.conversation.id,
        activityId: a.id ?? null,
        channelId: a.channelId,
        userId: (a.membersAdded ?? []).find((m) => m.id !== a.recipient?.id)?.id,
        text: null,
        locale: a.locale ?? null,
        correlationId,
        reference,
      });
      if (result) await this.send(context, result);
      return result;
    }
    if (a.type === 'event' && (context.activity as Partial<Activity>).name === 'handoff.status' && this.deps.handoff) {
      if (!this.fromHub(a.channelId)) {
        this.logger.warn({ correlationId, conversationId: a.conversation.id, channelId: a.channelId, mode: this.deps.handoff.mode }, 'handoff.status ignored: not from a contact-centre hub');
        return null;
      }
      const value = (a.value ?? {}) as { state?: unknown; message?: unknown };
      if (typeof value.state === 'string') {
        await this.deps.handoff.external(a.conversation.id, a.channelId, value.state, typeof value.message === 'string' ? value.message : null);
      }
      return null;
    }
    // Other activity types (typing, invoke …) need no answer from the returns bot.
    return null;
  }

  /** May a `handoff.status` event on this channel be from the hub (see the module comment)? */
  private fromHub(channelId: string): boolean {
    return this.deps.handoff?.mode === 'event' && this.deps.channelAuthenticated === true && !CUSTOMER_COMPOSED_CHANNELS.has(channelId.toLowerCase());
  }

  /** Send a turn's replies; in event mode a new hand-over also gets its `handoff.initiate` event. */
  private async send(context: TurnContext, result: TurnResult): Promise<void> {
    const out: Partial<Activity>[] = result.activities.map((x) => ({ ...x }) as Partial<Activity>);
    const queued = !result.duplicate && result.activities.some((x) => x.channelData.returns.handoff === 'queued');
    if (queued && this.deps.handoff?.mode === 'event') {
      const view = await this.deps.handoff.get(context.activity.conversation.id);
      const initiation = EventFactory.createHandoffInitiation(
        context,
        { skill: 'returns', summary: view?.summary ?? null, locale: result.locale },
        { activities: (view?.transcript ?? []) as Activity[] },
      );
      out.push(initiation);
    }
    if (out.length) await context.sendActivities(out);
  }

  /** The apology sent when a turn fails, in the customer's language, with a reference for support. */
  apology(locale: string | undefined, correlationId: string): Partial<Activity> {
    const l = negotiateLocale(locale ?? null, 'en-GB');
    return { type: 'message', text: `${t(l, 'error.turn')} (ref ${correlationId.slice(0, 8)})`, locale: l, inputHint: 'acceptingInput' };
  }
}

/** Teams puts `<at>Bot</at>` mentions in group-chat messages. */
function stripMentions(text: string, botId: string | undefined): string {
  return botId ? text.replace(/<at>[^<]*<\/at>/g, '').trim() : text.trim();
}

export type { ConversationReference };
