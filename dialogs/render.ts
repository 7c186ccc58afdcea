/**
 * From the machine's replies (keys and parameters) to Bot Framework message activities in the
 * customer's language: text, choices as suggested actions where the channel shows them, as a card
 * where it shows cards (Teams: Adaptive Card `Action.Submit` with an `msteams` messageBack whose
 * value maps to the same machine event), else as numbered text; `channelData.returns` as in the
 * contract. Pure.
 */
import { renderParts, t } from '../src/i18n/index.js';
import type { Choice, Reply } from '../machines/types.js';

/** What a reply activity carries. Structural subset of botbuilder's `Partial<Activity>`. */
export interface ReplyActivity {
  type: 'message';
  text: string;
  textFormat: 'plain' | 'markdown';
  locale: string;
  inputHint: 'expectingInput' | 'acceptingInput';
  suggestedActions?: { to?: string[]; actions: { type: 'imBack'; title: string; value: string }[] };
  attachments?: { contentType: string; content: unknown }[];
  channelData: { returns: Record<string, unknown> };
}

type ChoiceStyle = 'suggested' | 'adaptiveCard' | 'heroCard' | 'text';

/** How a channel shows choices (after botbuilder-dialogs' channel capability table). */
export function choiceStyle(channelId: string | undefined): ChoiceStyle {
  switch ((channelId ?? '').toLowerCase()) {
    case 'msteams':
      return 'adaptiveCard';
    case 'slack':
      return 'heroCard';
    case 'sms':
    case 'email':
    case 'cli':
      return 'text';
    default:
      return 'suggested';
  }
}

function label(locale: string, choice: Choice): string {
  return t(locale, choice.label.key, choice.label.params ?? {});
}

/** An Adaptive Card (schema 1.4) attachment holding `content` (its body, its actions, …). */
function adaptive(content: Record<string, unknown>) {
  return {
    contentType: 'application/vnd.microsoft.card.adaptive',
    content: { type: 'AdaptiveCard', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', version: '1.4', ...content },
  };
}

function adaptiveCard(locale: string, choices: readonly Choice[]) {
  // The question is the message text; the card carries only the buttons.
  return adaptive({
    body: [],
    actions: choices.map((c, i) => {
      const title = label(locale, c);
      // The payload names the choice; the conversation maps it back to the choice's commands.
      const value = { returns: { choice: i } };
      return {
        type: 'Action.Submit',
        title,
        data: { ...value, msteams: { type: 'messageBack', displayText: title, text: title, value } },
      };
    }),
  });
}

function heroCard(locale: string, choices: readonly Choice[]) {
  return {
    contentType: 'application/vnd.microsoft.card.hero',
    content: { buttons: choices.map((c) => ({ type: 'imBack', title: label(locale, c), value: label(locale, c) })) },
  };
}

/** Channels that show Adaptive Cards (the widget's Direct Line, Web Chat, the Emulator, Teams). */
const CARD_CHANNELS = new Set(['directline', 'webchat', 'emulator', 'msteams']);

/**
 * The card under a booking message: the RMA number, large, where the transcript ends, so it stays
 * in view however long the message above it is (the message still says it too).
 */
function rmaCard(locale: string, rma: string) {
  return adaptive({
    speak: t(locale, 'rma.issued', { rma }),
    body: [
      { type: 'TextBlock', text: t(locale, 'console.summary.rma'), size: 'Small', isSubtle: true, wrap: true },
      { type: 'TextBlock', text: rma, size: 'ExtraLarge', weight: 'Bolder', fontType: 'Monospace', wrap: true },
      { type: 'TextBlock', text: t(locale, 'rma.next.label'), wrap: true },
    ],
  });
}

/** One reply as one message activity for `channelId`, addressed (suggested actions) to `userId`. */
export function renderReply(reply: Reply, locale: string, channelId: string | undefined, userId?: string): ReplyActivity {
  let text = renderParts(locale, reply.parts);
  const returns: Record<string, unknown> = {};
  if (reply.step) returns.step = reply.step;
  if (reply.returns) Object.assign(returns, reply.returns);
  const activity: ReplyActivity = {
    type: 'message',
    text,
    textFormat: 'plain',
    locale,
    inputHint: reply.step ? 'expectingInput' : 'acceptingInput',
    channelData: { returns },
  };
  const choices = reply.choices ?? [];
  if (choices.length) {
    const style = choiceStyle(channelId);
    if (style === 'suggested') {
      activity.suggestedActions = {
        ...(userId ? { to: [userId] } : {}),
        actions: choices.map((c) => ({ type: 'imBack', title: label(locale, c), value: label(locale, c) })),
      };
    } else if (style === 'adaptiveCard') {
      activity.attachments = [adaptiveCard(locale, choices)];
    } else if (style === 'heroCard') {
      activity.attachments = [heroCard(locale, choices)];
    } else if (!reply.listed) {
      text += `\n${choices.map((c, i) => `${i + 1}. ${label(locale, c)}`).join('\n')}`;
      activity.text = text;
    }
  }
  if (typeof returns.rma === 'string' && CARD_CHANNELS.has((channelId ?? '').toLowerCase())) {
    activity.attachments = [...(activity.attachments ?? []), rmaCard(locale, returns.rma)];
  }
  return activity;
}
