/**
 * Drive a whole return conversation over HTTP the way a channel client would: answer each question
 * (by its `channelData.returns.step`) from a scenario, collect the outcome, the RMA and the handoff.
 * The same rules as ../shared/tools/converse.mjs, so the public checks and these tests agree.
 */
import { randomUUID } from 'node:crypto';
import { say, type BotActivity } from './server.js';

export interface Scenario {
  name: string;
  locale?: string;
  opening: string;
  orderNumber: string;
  verify: string;
  item: string;
  reasonText: string;
  answers?: Record<string, string>;
  facts?: Record<string, boolean | string>;
  remedy?: string;
  yes?: string;
  no?: string;
  dontKnow?: string;
  channelId?: string;
}

export interface ConversationResult {
  outcome?: string;
  decision?: Record<string, unknown>;
  rma?: string;
  handoff?: string;
  firstStep: string | null;
  steps: string[];
  transcript: { user: string; bot: BotActivity[] }[];
  conversationId: string;
  lastUser?: { text: string; id: string };
}

/** The customer's answer to the question `step` (`last`: the reply that asked it, for its suggested actions). */
export function answerFor(s: Scenario, step: string, last: { suggestedActions?: { actions?: { value?: unknown }[] } } | undefined): string {
  if (s.answers?.[step] !== undefined) return s.answers[step]!;
  switch (step) {
    case 'orderNumber':
      return s.orderNumber;
    case 'verify':
      return s.verify;
    case 'item':
      return s.item;
    case 'reason':
      return s.reasonText;
    case 'remedy':
      return s.remedy ?? String(last?.suggestedActions?.actions?.[0]?.value ?? 'refund');
    case 'confirm':
      return s.yes ?? 'yes';
  }
  if (s.facts && step in s.facts) {
    const v = s.facts[step]!;
    return typeof v === 'boolean' ? (v ? (s.yes ?? 'yes') : (s.no ?? 'no')) : String(v);
  }
  return s.dontKnow ?? "I don't know";
}

export async function converse(url: string, s: Scenario, options: { stopAtDecision?: boolean; maxTurns?: number } = {}): Promise<ConversationResult> {
  const conversationId = `conv-${randomUUID()}`;
  const result: ConversationResult = { firstStep: null, steps: [], transcript: [], conversationId };
  let text = s.opening;
  let id: string = randomUUID();
  let replies = await say(url, conversationId, text, { locale: s.locale, id, channelId: s.channelId });
  result.transcript.push({ user: text, bot: replies });
  for (let turn = 0; turn < (options.maxTurns ?? 40); turn++) {
    for (const a of replies) {
      const r = a.channelData?.returns ?? {};
      if (r.outcome) result.outcome = r.outcome;
      if (r.decision) result.decision = r.decision;
      if (r.rma) result.rma = r.rma;
      if (r.handoff) result.handoff = r.handoff;
    }
    const asking = [...replies].reverse().find((a) => a.inputHint === 'expectingInput' && a.channelData?.returns?.step);
    const step = asking?.channelData?.returns?.step ?? null;
    if (turn === 0) result.firstStep = step;
    if (result.rma || !step || result.handoff || (options.stopAtDecision && result.outcome)) break;
    result.steps.push(step);
    text = answerFor(s, step, asking);
    id = randomUUID();
    result.lastUser = { text, id };
    replies = await say(url, conversationId, text, { locale: s.locale, id, channelId: s.channelId });
    result.transcript.push({ user: text, bot: replies });
  }
  return result;
}

/** A readable transcript for assertion messages. */
export function show(r: ConversationResult): string {
  return r.transcript
    .map((t) => `you> ${t.user}\n${t.bot.map((b) => `bot> ${(b.text ?? '').replace(/\n/g, ' ')} ${JSON.stringify(b.channelData?.returns ?? {}).slice(0, 120)}`).join('\n')}`)
    .join('\n');
}
