/**
 * Yes/no answers and "I don't know".
 */
import { LANGS, lexicon, type ConditionCues, type Lang, type Lexicon } from './lexicon.js';
import { BREAK, coverage, findAll, fromTokens, isNegated, isWhole, normalize, resolveOverlaps, slice, trimFillers, type Norm, type PhraseList } from './text.js';

/** True when the message says the customer does not know ("I don't know", "not sure", "no sé"). */
export function isDontKnow(text: string, lang: Lang): boolean {
  const lex = lexicon(lang);
  return dontKnowIn(normalize(text, lex.maps), lex);
}

export function dontKnowIn(n: Norm, lex: Lexicon): boolean {
  const matches = findAll(n, lex.dontKnow);
  if (matches.length === 0) return false;
  const covered = coverage(n, matches);
  return matches.some((m) => !isNegated(n, m, covered, lex.neg));
}

/** How a message answers a yes/no question, before any field-specific reading. */
export interface YesNoReading {
  dontKnow: boolean;
  hedge: boolean;
  /** The whole message is a yes or a no ("yes", "nope", "it was", "no, it isn't"). */
  whole: boolean | null;
  /** The message starts with a yes/no particle ("yes, …", "no I never…", "no, …"). */
  particle: boolean | null;
  /** The message ends with a yes or a no after something else ("I tore it off so no", "ya lo envié, sí"). */
  trailing: boolean | null;
  /** The rest of the message after the particle (the whole message when there is none). */
  rest: Norm;
  /** The message starts like a negative sentence ("never…", "I didn't…", Spanish "no lo…"). */
  negativeStart: boolean;
  /** The message, fillers trimmed. */
  trimmed: Norm;
}

function wholeValue(n: Norm, lex: Lexicon): boolean | null {
  const yes = isWhole(n, lex.yesNo.yesWhole);
  const no = isWhole(n, lex.yesNo.noWhole);
  if (yes === no) return null;
  return yes;
}

function particleAt(n: Norm, lex: Lexicon): { value: boolean; end: number } | null {
  const candidates = [
    ...findAll(n, lex.yesNo.yesLeading).map((m) => ({ ...m, value: true, needsBreak: false })),
    ...findAll(n, lex.yesNo.noLeading).map((m) => ({ ...m, value: false, needsBreak: false })),
    ...findAll(n, lex.yesNo.noLeadingBreak).map((m) => ({ ...m, value: false, needsBreak: true })),
  ]
    .filter((m) => m.start === 0)
    .sort((a, b) => b.end - a.end);
  for (const c of candidates) {
    const next = n.tokens[c.end];
    if (next === undefined || next === BREAK) return { value: c.value, end: c.end };
    if (c.needsBreak) continue;
    const after = slice(n, c.end);
    if (findAll(after, lex.yesNo.leadingBlockers).some((m) => m.start === 0)) continue;
    return { value: c.value, end: c.end };
  }
  return null;
}

/** Reads a message as an answer to a yes/no question. */
export function readYesNo(n: Norm, lex: Lexicon): YesNoReading {
  const trimmed = trimFillers(n, lex.fillers);
  const dontKnow = dontKnowIn(n, lex);
  const hedge = isWhole(trimmed, lex.yesNo.hedges);
  // "please do, thanks": a filler that is part of the answer stays when trimming both ends leaves none.
  // So does one at the end ("mejor déjelo así por ahora", where "ahora" alone would be a filler).
  const whole = wholeValue(trimmed, lex) ?? wholeValue(trimFillers(n, lex.fillers, false, true), lex) ?? wholeValue(withoutBreaks(n), lex) ?? piecesValue(trimmed, lex);
  // Fillers may precede the particle ("well, no, …"): skip leading fillers only.
  const fillers = findAll(n, lex.fillers);
  let start = 0;
  while (n.tokens[start] === BREAK) start++;
  for (let f = fillers.find((m) => m.start === start && m.end < n.tokens.length); f; f = fillers.find((m) => m.start === start && m.end < n.tokens.length)) {
    start = f.end;
    while (n.tokens[start] === BREAK) start++;
  }
  const from = start === 0 ? n : slice(n, start);
  const p = particleAt(from, lex);
  // "no, it's sealed": read what follows the particle; "no scratches or dents": the "no" is part of it.
  const rest = p && (from.tokens[p.end] === undefined || from.tokens[p.end] === BREAK) ? slice(from, p.end) : from;
  const negativeStart = findAll(from, lex.yesNo.noStart).some((m) => m.start === 0);
  return { dontKnow, hedge, whole, particle: p ? p.value : null, trailing: trailingValue(trimmed, lex) ?? noAfterBreak(trimFillers(n, lex.fillers, true), lex), rest, negativeStart, trimmed };
}

/** false when a message ends with a clause break and a no ({@link LexiconData.yesNo.noTrailingBreak}), else null. */
function noAfterBreak(n: Norm, lex: Lexicon): false | null {
  const last = n.tokens.length;
  return findAll(n, lex.yesNo.noTrailingBreak).some((m) => m.end === last && m.start >= 2 && n.tokens[m.start - 1] === BREAK) ? false : null;
}

/** At most this many words are read as a run of yes (or no) phrases. */
const PIECES_MAX = 8;

/**
 * true when a short message is nothing but yes phrases and fillers ("ugh ok, sure go ahead", "go on
 * then, book it"), false when nothing but no phrases, null otherwise.
 */
function piecesValue(n: Norm, lex: Lexicon): boolean | null {
  const t = n.tokens;
  if (t.length < 2 || t.length > PIECES_MAX) return null;
  const all = (list: PhraseList): boolean => {
    // ok[i]: the first i words are whole phrases of the list or fillers, at least one of the list.
    const ok: (0 | 1 | 2)[] = [2, ...t.map(() => 0 as const)];
    for (let i = 0; i < t.length; i++) {
      if (ok[i] === 0) continue;
      for (let j = i + 1; j <= t.length; j++) {
        const piece = fromTokens(t.slice(i, j));
        if (isWhole(piece, list)) ok[j] = 1;
        else if (isWhole(piece, lex.fillers) && ok[j] !== 1) ok[j] = ok[i] === 1 ? 1 : 2;
      }
    }
    return ok[t.length] === 1;
  };
  const yes = all(lex.yesNo.yesWhole);
  const no = all(lex.yesNo.noWhole);
  return yes === no ? null : yes;
}

const withoutBreaks = (n: Norm): Norm => (n.tokens.includes(BREAK) ? fromTokens(n.tokens.filter((t) => t !== BREAK)) : n);

/** The yes or no a message of three words or more ends with, null when none or both. */
function trailingValue(n: Norm, lex: Lexicon): boolean | null {
  const last = n.tokens.length;
  if (last < 3) return null;
  const blocked = (at: number) => findAll(n, lex.yesNo.trailingBlockers).some((b) => b.end === at);
  const ends = (list: PhraseList) => findAll(n, list).some((m) => m.end === last && m.start >= 2 && !blocked(m.start));
  const yes = ends(lex.yesNo.yesTrailing);
  const no = ends(lex.yesNo.noTrailing);
  return yes === no ? null : yes;
}

/** A whole yes or no in another language ("yes" typed in a Spanish conversation). */
export function otherLanguagesWhole(text: string, lang: Lang): boolean | null {
  if (text.length > 40) return null;
  for (const other of LANGS) {
    if (other === lang) continue;
    const lex = lexicon(other);
    const v = wholeValue(trimFillers(normalize(text, lex.maps), lex.fillers), lex);
    if (v !== null) return v;
  }
  return null;
}

/**
 * true for yes, false for no, null when unclear or "I don't know". A message that starts with a
 * yes or a no counts ("no, I never opened it" → false).
 */
export function parseYesNo(text: string, lang: Lang): boolean | null {
  const lex = lexicon(lang);
  const n = normalize(text, lex.maps);
  if (n.tokens.length === 0) return null;
  const r = readYesNo(n, lex);
  if (r.dontKnow || r.hedge) return null;
  if (r.whole !== null) return r.whole;
  if (r.particle !== null) {
    // "yes and no", "yes, no": contradicting particles.
    const again = particleAt(r.rest, lex);
    if (again && again.value !== r.particle) return null;
    return r.particle;
  }
  // A question ("I opened it, no?") asks rather than answers.
  if (r.trailing !== null && !text.trim().endsWith('?')) return r.trailing;
  if (r.negativeStart) return false;
  return otherLanguagesWhole(text, lang);
}

/**
 * Reads the message for the cues of a condition field: true, false, or null when there are none
 * or they contradict each other. A negated cue says the opposite, except a one-way cue.
 */
export function polarity(n: Norm, lex: Lexicon, c: ConditionCues): boolean | null {
  const lists = [c.true, c.false, c.trueOnly, c.falseOnly];
  const all = resolveOverlaps([...lists.flatMap((l) => findAll(n, l)), ...findAll(n, lex.dontKnow)]);
  const covered = coverage(n, all);
  let t = 0;
  let f = 0;
  for (const m of all) {
    const negated = isNegated(n, m, covered, lex.neg);
    if (m.list === c.true.name) {
      if (negated) f++;
      else t++;
    } else if (m.list === c.false.name) {
      if (negated) t++;
      else f++;
    } else if (m.list === c.trueOnly.name && !negated) t++;
    else if (m.list === c.falseOnly.name && !negated) f++;
  }
  if (t > 0 && f === 0) return true;
  if (f > 0 && t === 0) return false;
  return null;
}
