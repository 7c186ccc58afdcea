/**
 * The Bot Framework turn layer: one incoming activity → the conversation service → reply activities.
 * Kept thin so a move from botbuilder to the Microsoft 365 Agents SDK touches only this file and
 * the server.
 */
import type { Activity, TurnContext } from 'botbuilder';
import { negotiateLocale, t } from '../src/i18n/index.js';
import type { Logger } from '../src/log.js';
import { activitySchema } from './activity.js';
import type { ConversationService, TurnResult } from './conversation.js';

export class ReturnsBot {
  constructor(
    private readonly service: ConversationService,
    private readonly logger: Logger,
  ) {}

  /** Handle one activity; returns what the conversation service answered (null when nothing to do). */
  async run(context: TurnContext, correlationId?: string): Promise<TurnResult | null> {
    const parsed = activitySchema.safeParse(context.activity);
    if (!parsed.success) {
      this.logger.warn({ correlationId, issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), code: i.code })) }, 'activity rejected');
      return null;
    }
    const a = parsed.data;
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
      });
      if (result.activities.length) await context.sendActivities(result.activities.map((x) => ({ ...x }) as Partial<Activity>));
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
      });
      if (result?.activities.length) await context.sendActivities(result.activities.map((x) => ({ ...x }) as Partial<Activity>));
      return result;
    }
    // Other activity types (typing, event, invoke …) need no answer from the returns bot.
    return null;
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
