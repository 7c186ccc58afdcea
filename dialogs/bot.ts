/**
 * The Bot Framework turn layer: one incoming activity (a botbuilder `TurnContext`) → the turn
 * pipeline (dialogs/pipeline.ts, the same for every channel) → reply activities sent on the
 * context. Kept thin so a move from botbuilder to the Microsoft 365 Agents SDK touches only this
 * file, the staff desk's cards and the server.
 *
 * In event mode a new hand-over also sends the standard `handoff.initiate` event (with the
 * transcript and a summary) that the pipeline asks for, so a contact-centre hub can take the chat.
 */
import { EventFactory, TurnContext, type Activity, type ConversationReference } from 'botbuilder';
import { negotiateLocale, t } from '../src/i18n/index.js';
import type { Logger } from '../src/log.js';
import { activitySchema } from './activity.js';
import type { TurnOutcome, TurnPipeline } from './pipeline.js';

export type { HandoffPort } from './pipeline.js';

export interface BotDeps {
  turns: TurnPipeline;
  logger: Logger;
}

export class ReturnsBot {
  constructor(private readonly deps: BotDeps) {}

  /** Handle one activity; returns the pipeline's outcome (null when the activity does not fit). */
  async run(context: TurnContext, correlationId?: string): Promise<TurnOutcome | null> {
    const parsed = activitySchema.safeParse(context.activity);
    if (!parsed.success) {
      this.deps.logger.warn({ correlationId, issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), code: i.code })) }, 'activity rejected');
      return null;
    }
    const raw = context.activity as Partial<Activity>;
    const outcome = await this.deps.turns.handle({
      via: 'bot-framework',
      activity: { ...parsed.data, name: raw.name, timestamp: raw.timestamp },
      reference: TurnContext.getConversationReference(context.activity) as unknown as Record<string, unknown>,
      correlationId,
    });
    await this.send(context, outcome);
    return outcome;
  }

  /** Send a turn's replies (the customer's, or the staff desk's), and a hand-over's `handoff.initiate` event. */
  private async send(context: TurnContext, outcome: TurnOutcome): Promise<void> {
    const out: Partial<Activity>[] = [...(outcome.result?.activities ?? []).map((x) => ({ ...x }) as Partial<Activity>), ...outcome.staffReplies];
    if (outcome.initiation) {
      const { summary, transcript, locale } = outcome.initiation;
      out.push(EventFactory.createHandoffInitiation(context, { skill: 'returns', summary, locale }, { activities: transcript as Activity[] }));
    }
    if (out.length) await context.sendActivities(out);
  }

  /** The apology sent when a turn fails, in the customer's language, with a reference for support. */
  apology(locale: string | undefined, correlationId: string): Partial<Activity> {
    const l = negotiateLocale(locale ?? null, 'en-GB');
    return { type: 'message', text: `${t(l, 'error.turn')} (ref ${correlationId.slice(0, 8)})`, locale: l, inputHint: 'acceptingInput' };
  }
}

export type { ConversationReference };
