/**
 * From what the customer sent (text, or a card's value) to one machine event, given where the
 * conversation is. Pure: the language, today's date and the pending choices are passed in.
 *
 * Order of reading: a card payload; a command said at any step (a person, cancel, start again,
 * help); the label of a choice just offered; a correction of something said before; then the answer
 * to the question being asked.
 */
import { z } from 'zod';
import type { LocalDate } from '../src/policy/case.js';
import { CONDITION_FIELDS, FAULT_CAUSES, REASONS } from '../src/policy/case.js';
import { REMEDIES } from '../src/policy/pack.js';
import {
  classifyReason,
  detectCommand,
  detectCorrection,
  extractOrderNumber,
  isDispute,
  isDontKnow,
  matchItem,
  matchRemedy,
  normalizeText,
  parseConditionAnswer,
  parseFaultCause,
  parsePreauth,
  parseYesNo,
  type Lang,
} from '../src/nlu/index.js';
import { proofCandidates } from '../src/nlu/identity.js';
import { lexicon, personWords } from '../src/nlu/lexicon.js';
import { findAll, normalize } from '../src/nlu/text.js';
import { t } from '../src/i18n/index.js';
import type { Choice, ReturnsContext, Step, UserEvent } from '../machines/types.js';

/** Where the conversation is, as the interpreter needs it. */
export interface View {
  /** Top-level state name (`askFact`, `handoff`, …). */
  state: string;
  step: Step | null;
  context: ReturnsContext;
  locale: string;
  lang: Lang;
  today: LocalDate;
  dateOrder: 'DMY' | 'MDY';
}

/** A card button's payload: `{ returns: <event> }` (Teams messageBack, Web Chat postBack). */
const cardEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ITEM'), index: z.number().int().min(0).max(99) }),
  z.object({ type: z.literal('REASON'), reason: z.enum(REASONS) }),
  z.object({ type: z.literal('ANSWER'), field: z.enum(CONDITION_FIELDS), value: z.union([z.boolean(), z.enum(FAULT_CAUSES), z.string().min(1).max(64)]) }),
  z.object({ type: z.literal('REMEDY'), remedy: z.enum(REMEDIES) }),
  z.object({ type: z.enum(['YES', 'NO', 'HUMAN', 'CANCEL', 'RESTART', 'HELP', 'DONT_KNOW', 'HAS_PREAUTH', 'ANOTHER_ITEM']) }),
]);
const cardPayload = z.object({ returns: cardEvent });

/** The event a card payload stands for, or null when it is not one of ours. */
export function eventFromValue(value: unknown): UserEvent | null {
  const parsed = cardPayload.safeParse(value);
  return parsed.success ? (parsed.data.returns as UserEvent) : null;
}

/** The choice whose label the customer typed or clicked (imBack posts the label), or the nth for "2". */
function chosen(text: string, choices: readonly Choice[], locale: string, step: Step | null): UserEvent | null {
  if (!choices.length) return null;
  const said = normalizeText(text);
  for (const c of choices) {
    if (normalizeText(t(locale, c.label.key, c.label.params ?? {})) === said) return c.event;
  }
  if (step !== 'orderNumber' && step !== 'verify') {
    const n = /^#?(\d{1,2})\.?$/.exec(said);
    if (n) {
      const c = choices[Number(n[1]) - 1];
      if (c) return c.event;
    }
  }
  return null;
}

const PREFIXED_ORDER = /[a-z]{2,4}[\s#-]*\d{4,8}/i;

/**
 * A phrase or a word asking for a person, even where the command reader set it aside ("I need help
 * from a human, not a bot"). At the proof step a message without any proof in it that mentions a
 * person is a request for one, never a failed proof.
 */
function mentionsPerson(said: string, lang: Lang): boolean {
  const lex = lexicon(lang);
  const n = normalize(said, lex.maps);
  const words = personWords(lang);
  return findAll(n, lex.commands.human.anywhere).length > 0 || n.tokens.some((t) => words.has(t));
}

function answerFact(field: Step, text: string, lang: Lang): UserEvent | null {
  if (field === 'faultCause') {
    const cause = parseFaultCause(text, lang);
    return cause ? { type: 'ANSWER', field, value: cause } : isDontKnow(text, lang) ? { type: 'ANSWER', field, value: 'unknown' } : null;
  }
  if (field === 'manufacturerPreauth') {
    const answer = parsePreauth(text, lang);
    if (answer) return { type: 'ANSWER', field, value: answer };
    if (parseYesNo(text, lang) === true) return { type: 'HAS_PREAUTH' };
    return isDontKnow(text, lang) ? { type: 'DONT_KNOW' } : null;
  }
  if ((CONDITION_FIELDS as readonly string[]).includes(field)) {
    const value = parseConditionAnswer(field as (typeof CONDITION_FIELDS)[number], text, lang);
    if (value !== null) return { type: 'ANSWER', field: field as (typeof CONDITION_FIELDS)[number], value };
    return isDontKnow(text, lang) ? { type: 'DONT_KNOW' } : null;
  }
  return null;
}

export function interpret(text: string | null | undefined, value: unknown, view: View, attachments = 0): UserEvent {
  const fromCard = eventFromValue(value);
  if (fromCard) return fromCard;
  const said = (text ?? '').trim();
  const { lang, context: ctx, state, step } = view;
  const notUnderstood: UserEvent = { type: 'NOT_UNDERSTOOD' };
  if (attachments > 0 && !said && state !== 'handoff') return { type: 'ATTACHMENT', count: attachments };

  if (state === 'handoff') {
    if (detectCommand(said, lang) === 'cancel' && ctx.handoff?.status === 'queued') return { type: 'CANCEL' };
    return { type: 'CUSTOMER_MESSAGE', text: said };
  }
  if (!said) return notUnderstood;

  const command = detectCommand(said, lang);
  if (command === 'human') return { type: 'HUMAN' };
  if (command === 'cancel') return { type: 'CANCEL' };
  if (command === 'restart') return { type: 'RESTART' };
  if (command === 'help') return { type: 'HELP' };

  if (state === 'start' || state === 'ended') {
    const r = classifyReason(said, lang);
    return { type: 'OPENING', orderNumber: extractOrderNumber(said), reason: r?.reason ?? null, mentionsFault: r?.mentionsFault ?? false, faultCause: r?.faultCause ?? null };
  }

  const picked = chosen(said, ctx.choices, view.locale, step);
  if (picked) return picked;

  if (ctx.order && ctx.rma === null && state !== 'askVerify') {
    const correction = detectCorrection(said, lang, { today: view.today, order: view.dateOrder, items: ctx.order.items });
    if (correction?.kind === 'deliveredOn') return { type: 'CORRECT_DELIVERY', date: correction.date };
    if (correction?.kind === 'item') return { type: 'CORRECT_ITEM', index: correction.index };
    if (correction?.kind === 'reason') return { type: 'CORRECT_REASON', reason: correction.reason };
  }

  const event = answer(said, view);
  if (event.type !== 'NOT_UNDERSTOOD') return event;
  // Once the reason is known, a message that states a different one ("it's faulty") corrects it.
  if (ctx.reason && ctx.rma === null && ['askFact', 'askPreauthNumber', 'askRemedy', 'askConfirm'].includes(state)) {
    const r = classifyReason(said, lang);
    if (r && r.reason !== ctx.reason) return { type: 'CORRECT_REASON', reason: r.reason };
  }
  return event;
}

/** The answer to the question being asked in `view.state`, or NOT_UNDERSTOOD. */
function answer(said: string, view: View): UserEvent {
  const { lang, context: ctx, state, step } = view;
  const notUnderstood: UserEvent = { type: 'NOT_UNDERSTOOD' };
  switch (state) {
    case 'askOrderNumber': {
      const orderNumber = extractOrderNumber(said);
      if (orderNumber) return { type: 'ORDER_NUMBER', orderNumber };
      const r = classifyReason(said, lang);
      return r ? { type: 'OPENING', reason: r.reason, mentionsFault: r.mentionsFault, faultCause: r.faultCause ?? null } : notUnderstood;
    }
    case 'askVerify': {
      // A ZIP code is all digits, so only a prefixed number ("UK-100234") is read as a new order number.
      if (!said.includes('@') && PREFIXED_ORDER.test(said)) {
        const orderNumber = extractOrderNumber(said);
        if (orderNumber) return { type: 'ORDER_NUMBER', orderNumber };
      }
      // Every candidate proof in the message goes to the verifier, which accepts exactly one.
      const candidates = proofCandidates(said);
      if (candidates.length === 0 && mentionsPerson(said, lang)) return { type: 'HUMAN' };
      return { type: 'VERIFY', candidates };
    }
    case 'askItem': {
      const index = matchItem(said, ctx.order?.items ?? [], lang);
      return index === null ? notUnderstood : { type: 'ITEM', index };
    }
    case 'askReason': {
      if (isDontKnow(said, lang)) return notUnderstood;
      const r = classifyReason(said, lang);
      return r ? { type: 'REASON', reason: r.reason, mentionsFault: r.mentionsFault, faultCause: r.faultCause ?? null } : notUnderstood;
    }
    case 'askFact':
    case 'askPreauthNumber':
      return (step && answerFact(step, said, lang)) ?? notUnderstood;
    case 'askRemedy': {
      const remedy = matchRemedy(said, ctx.decision?.remedies ?? [], lang);
      return remedy ? { type: 'REMEDY', remedy } : notUnderstood;
    }
    case 'askConfirm':
    case 'referred':
    case 'declined':
    case 'verifyFailed': {
      const yes = parseYesNo(said, lang);
      if (yes !== null) return { type: yes ? 'YES' : 'NO' };
      if (state === 'askConfirm') {
        const remedy = matchRemedy(said, ctx.decision?.remedies ?? [], lang);
        if (remedy) return { type: 'REMEDY', remedy };
      }
      return notUnderstood;
    }
    case 'rejected': {
      if (isDispute(said, lang)) return { type: 'HUMAN' };
      const r = classifyReason(said, lang);
      if (r && r.reason !== ctx.reason) return { type: 'REASON', reason: r.reason, mentionsFault: r.mentionsFault, faultCause: r.faultCause ?? null };
      if (parseYesNo(said, lang) === false) return { type: 'NO' };
      return notUnderstood;
    }
    case 'done': {
      const yes = parseYesNo(said, lang);
      if (yes !== null) return { type: yes ? 'YES' : 'NO' };
      return notUnderstood;
    }
    default:
      return notUnderstood;
  }
}
