/**
 * Corrections of something already said: "actually it arrived on the 3rd", "no, it's the
 * headphones", "wait, it's actually faulty".
 */
import type { ReturnReason } from '../policy/case.js';
import { parseDate, type DateOrder } from './dates.js';
import { isItemReference, matchItem, type ItemRef } from './items.js';
import { lexicon, type Lang, type Lexicon } from './lexicon.js';
import { BREAK, findAll, fromTokens, normalize, test, trimFillers, type Norm } from './text.js';
import { reasonOf } from './reasons.js';

export type Correction = { kind: 'deliveredOn'; date: string } | { kind: 'item'; index: number } | { kind: 'reason'; reason: ReturnReason };

export interface CorrectionContext {
  today: string;
  order: DateOrder;
  items: readonly ItemRef[];
}

/** Whether the words carry a reason, fault or condition cue ("fine", "broken", "sealed"). */
function hasCue(n: Norm, lex: Lexicon): boolean {
  const lists = [
    ...Object.values(lex.reasons).filter((l) => l !== lex.reasons.transitContext && l !== lex.reasons.timeGap),
    ...Object.values(lex.faultCauses),
    ...Object.values(lex.conditions).flatMap((c) => [c.true, c.false, c.trueOnly, c.falseOnly]),
  ];
  return lists.some((l) => test(n, l));
}

/** At most this many words may remain after a weak marker ("no, it's the headphones"). */
const SHORT = 5;

/** Removes lead-ins ("it's", "I meant", "son") from the start, repeatedly. */
function stripLeadIns(n: Norm, lex: Lexicon): Norm {
  let tokens = [...n.tokens];
  for (;;) {
    while (tokens[0] === BREAK) tokens.shift();
    const cur = fromTokens(tokens);
    const m = [...findAll(cur, lex.corrections.leadIns), ...findAll(cur, lex.corrections.strong)].filter((x) => x.start === 0 && x.end < tokens.length).sort((a, b) => b.end - a.end)[0];
    if (!m) break;
    tokens = tokens.slice(m.end);
  }
  return trimFillers(fromTokens(tokens), lex.fillers, true);
}

/**
 * The correction a message makes, or null when it is not one. A correction needs a marker
 * ("actually", "I meant", "wait", "en realidad", "quise decir"; or a leading "no,"/"sorry," with a
 * short remainder, or a delivery verb for a date).
 */
/** A clause saying what it is not is dropped when this short. */
const NOT_THIS_WORDS = 4;

/**
 * The tokens of short clauses that say what it is not ("I meant the laptop, not the headphones",
 * "the 22nd, not today", "no los audífonos, la laptop"): they name nothing the customer means.
 */
export function notThisTokens(n: Norm, lex: Lexicon): number[] {
  const out: number[] = [];
  for (const m of findAll(n, lex.corrections.notThis)) {
    if (m.start > 0 && n.tokens[m.start - 1] !== BREAK) continue;
    let end = m.end;
    while (end < n.tokens.length && n.tokens[end] !== BREAK) end++;
    if (end - m.start <= NOT_THIS_WORDS + 1) for (let i = m.start; i < end; i++) out.push(i);
  }
  return out;
}

export function detectCorrection(text: string, lang: Lang, ctx: CorrectionContext): Correction | null {
  const lex = lexicon(lang);
  const n = normalize(text, lex.maps);
  if (n.tokens.length === 0) return null;
  const strongMarks = findAll(n, lex.corrections.strong);
  const weak = findAll(n, lex.corrections.weak).find((m) => m.start === 0);
  if (strongMarks.length === 0 && !weak) return null;
  // Drop every marker from the message; what remains is the corrected value.
  const drop = new Set<number>();
  for (const m of [...strongMarks, ...(weak ? [weak] : [])]) for (let i = m.start; i < m.end; i++) drop.add(i);
  for (const i of notThisTokens(n, lex)) drop.add(i);
  const kept = n.tokens.filter((_, i) => !drop.has(i));
  while (kept[0] === BREAK) kept.shift();
  const rest = stripLeadIns(fromTokens(kept), lex);
  const content = rest.tokens.filter((t) => t !== BREAK);
  if (content.length === 0) return null;
  const strong = strongMarks.length > 0;
  const restText = content.join(' ');
  const delivery = test(n, lex.corrections.deliveryVerbs);
  const short = content.length <= SHORT;

  const parsed = parseDate(restText, lang, ctx.today, ctx.order);
  const date = parsed && (delivery || (short && (strong || /\d/.test(restText)))) ? parsed : null;
  // After "no,"/"sorry," only a bare item reference counts ("no, the headphones"), so "no, the
  // screen is fine" stays an answer; after "actually"/"I meant" the item may come with other words.
  const itemLike = strong ? !hasCue(rest, lex) : short && isItemReference(restText, ctx.items, lang);
  const index = ctx.items.length > 0 && itemLike ? matchItem(restText, ctx.items, lang) : null;
  // "I meant the second one" is an item; "actually, the 3rd" (digits) or a delivery verb is a date.
  if (date && (index === null || delivery || /\d/.test(restText))) return { kind: 'deliveredOn', date };
  if (index !== null) return { kind: 'item', index };

  if (strong) {
    const r = reasonOf(rest, lex);
    if (r) return { kind: 'reason', reason: r.reason };
  }
  return null;
}
