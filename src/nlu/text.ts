/**
 * Text normalisation and phrase matching for the NLU layer.
 *
 * Every customer message is normalised once into tokens: lower case, accents stripped, curly
 * apostrophes straightened, contractions expanded ("didn't" → "did not"), emoji mapped to words
 * ("👍" → "yes") and punctuation turned into a clause-break token (",").
 *
 * Phrase lists (locales/nlu/*.json) use a small pattern language, compiled once into regexes:
 *   - words are matched whole, after the same normalisation as the text ("don't" = "do not");
 *   - `(a|b c|d)` is a choice of words or word sequences, `(a|b)?` an optional one;
 *   - `word~` matches the word and any longer word starting with it ("scratch~" = scratched, scratches);
 *   - `*` matches zero to three words (never across a clause break);
 *   - `^` and `$` stand for the start and the end of a clause (message start/end or punctuation).
 */

import { own } from '../i18n/dictionary.js';

/** Maps that normalisation applies to single tokens (looked up with `own`: "constructor" is a word, not a key of Object.prototype). */
export interface NormalizeMaps {
  /** Token (with or without apostrophes) → expansion, e.g. "dont" → "do not". */
  contractions: Record<string, string>;
  /** Token → preferred spelling, e.g. "colour" → "color". */
  spellings: Record<string, string>;
  /** Emoji → word(s), e.g. "👍" → "yes". */
  emoji: Record<string, string>;
}

/** A normalised message. */
export interface Norm {
  /** Tokens; "," is a clause break. */
  tokens: string[];
  /** " " + tokens.join(" ") + " ": the string the phrase regexes run over. */
  text: string;
  /** Offset in `text` where each token starts. */
  starts: number[];
  /** The readers' memo for this message (phrase-list matches, trimmed forms), made when first needed: it lives and dies with the Norm. */
  memo: Map<string, unknown> | undefined;
  /** The numbers of its tokens' keys (for the phrase lists' prefilter), then how many keys were numbered then; made when first needed. */
  keys: number[] | undefined;
}

const memoOf = (n: Norm): Map<string, unknown> => (n.memo ??= new Map());

export const BREAK = ',';

const EMOJI_MODIFIERS = /[\u{1F3FB}-\u{1F3FF}\u{FE0E}\u{FE0F}\u{200D}]/gu;
const QUOTES = /[\u2018\u2019\u201A\u201B\u02BC\u02B9\u0060\u00B4\u2032]/g;
const BREAK_CHARS = /[.,;:!?¡¿()[\]{}"“”«»…\n\r\t|]+/g;
const JOINERS = /[-_/\\+=~*^]+/g;
const OTHER = /[^a-z0-9' ,]+/g;

const ASCII = /^[\x20-\x7e]*$/;

/** Lower case, straight quotes, accents stripped (ñ → n), emoji modifiers removed. */
export function foldCase(raw: string): string {
  if (ASCII.test(raw)) return raw.replace(/`/g, "'").toLowerCase();
  return raw
    .normalize('NFKC')
    .replace(EMOJI_MODIFIERS, '')
    .replace(QUOTES, "'")
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}+/gu, '');
}

/** Strips accents and case only (for comparing names, SKUs, etc.). */
export function fold(raw: string): string {
  return foldCase(raw).replace(/\s+/g, ' ').trim();
}

function expandToken(tok: string, maps: NormalizeMaps, out: string[]): void {
  let t = tok;
  let exp: string | undefined;
  if (t.includes("'")) {
    t = t.replace(/^'+|'+$/g, '');
    if (!t) return;
    exp = own(maps.contractions, t);
    if (exp === undefined && t.endsWith("n't")) exp = `${t.slice(0, -3)} not`;
    if (exp === undefined) {
      t = t.replace(/'/g, '');
      if (!t) return;
      exp = own(maps.contractions, t);
    }
  } else exp = own(maps.contractions, t);
  const words = exp === undefined ? [t] : exp.split(' ').filter(Boolean);
  for (const w of words) {
    const sp = own(maps.spellings, w);
    if (sp === undefined) out.push(w);
    else for (const x of sp.split(' ')) if (x) out.push(x);
  }
}

/**
 * The last few texts normalised (a message, its text without codes, its clauses): fixed slots
 * overwritten in turn. Not a Map that is cleared when full: a cleared table left in the old
 * generation still points at young Norms, which V8's young-generation collector then keeps alive
 * and promotes (measured: 10 % of every young generation survived, 4–7 ms a scavenge).
 */
const RECENT = 16;
const recent: { maps: NormalizeMaps | null; raw: string; norm: Norm | null }[] = Array.from({ length: RECENT }, () => ({ maps: null, raw: '', norm: null }));
let nextRecent = 0;

/**
 * Normalises a message into tokens (see the module comment). The last few results are kept, so
 * the several readers of one message share the work; treat a Norm as read-only.
 */
export function normalize(raw: string, maps: NormalizeMaps): Norm {
  for (const r of recent) if (r.raw === raw && r.maps === maps && r.norm) return r.norm;
  const n = normalizeUncached(raw, maps);
  const slot = recent[nextRecent]!;
  nextRecent = (nextRecent + 1) % RECENT;
  slot.maps = maps;
  slot.raw = raw;
  slot.norm = n;
  return n;
}

function normalizeUncached(raw: string, maps: NormalizeMaps): Norm {
  let s = raw;
  if (!ASCII.test(s)) {
    s = s.normalize('NFKC').replace(EMOJI_MODIFIERS, '');
    for (const [emoji, word] of Object.entries(maps.emoji)) {
      if (s.includes(emoji)) s = s.split(emoji).join(` ${word} , `);
    }
  }
  s = foldCase(s)
    .replace(/([a-z])\1{2,}/g, '$1')
    .replace(/#/g, ' ')
    .replace(BREAK_CHARS, ' , ')
    .replace(JOINERS, ' ')
    .replace(OTHER, ' ');
  const tokens: string[] = [];
  for (const raw of s.split(' ')) {
    if (!raw) continue;
    if (raw === BREAK) {
      if (tokens.length > 0 && tokens[tokens.length - 1] !== BREAK) tokens.push(BREAK);
      continue;
    }
    expandToken(raw, maps, tokens);
  }
  while (tokens.length > 0 && tokens[tokens.length - 1] === BREAK) tokens.pop();
  return fromTokens(tokens);
}

/** Builds a Norm from tokens. */
export function fromTokens(tokens: string[]): Norm {
  const starts = new Array<number>(tokens.length);
  let pos = 1;
  for (let i = 0; i < tokens.length; i++) {
    starts[i] = pos;
    pos += (tokens[i] ?? '').length + 1;
  }
  return { tokens, text: ` ${tokens.join(' ')} `, starts, memo: undefined, keys: undefined };
}

/** The index of the token a character of `n.text` belongs to (a space: the token before it). */
function tokenIndex(n: Norm, charIndex: number): number {
  let lo = 0;
  let hi = n.starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((n.starts[mid] ?? 0) <= charIndex) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** A slice of a Norm (tokens [from, to)). */
export function slice(n: Norm, from: number, to = n.tokens.length): Norm {
  const t = n.tokens.slice(from, to);
  while (t[0] === BREAK) t.shift();
  while (t.length > 0 && t[t.length - 1] === BREAK) t.pop();
  return fromTokens(t);
}

// ---------------------------------------------------------------------------------------------
// Phrase patterns

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const WORD = '[a-z0-9]+';

const literals = new WeakMap<NormalizeMaps, Map<string, string[]>>();

/** The tokens of a phrase's literal word, normalised like a message (kept: the lists name the same words many times). */
function literalTokens(word: string, maps: NormalizeMaps): string[] {
  let byWord = literals.get(maps);
  if (!byWord) literals.set(maps, (byWord = new Map()));
  let tokens = byWord.get(word);
  if (!tokens) byWord.set(word, (tokens = normalize(word, maps).tokens.filter((t) => t !== BREAK)));
  return tokens;
}

function wordsRegex(words: string, maps: NormalizeMaps): string {
  // Each word may carry a trailing "~" (stem). Normalise the literal parts like the text.
  const parts = words.trim().split(/\s+/).filter(Boolean);
  let out = '';
  for (const p of parts) {
    const stem = p.endsWith('~');
    const literal = stem ? p.slice(0, -1) : p;
    const norm = literalTokens(literal, maps);
    if (norm.length === 0) continue;
    norm.forEach((t, i) => {
      const last = i === norm.length - 1;
      out += `${escape(t)}${stem && last ? '[a-z0-9]*' : ''} `;
    });
  }
  return out;
}

function closingParen(p: string, open: number, phrase: string): number {
  let depth = 0;
  for (let i = open; i < p.length; i++) {
    if (p[i] === '(') depth++;
    else if (p[i] === ')' && --depth === 0) return i;
  }
  throw new Error(`unclosed "(" in phrase "${phrase}"`);
}

function splitTopLevel(p: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of p) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === '|' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** One element of a phrase's sequence: a group of alternatives, a clause edge or wildcard, or words. */
type Element = { group: string[]; optional: boolean } | { special: '^' | '$' | '*' } | { words: string };

/** The elements of a phrase's sequence, in order (groups are not entered: their alternatives are given as written). */
function* elements(p: string, phrase: string): Generator<Element> {
  let i = 0;
  while (i < p.length) {
    const c = p[i];
    if (c === ' ') {
      i++;
      continue;
    }
    if (c === '(') {
      const close = closingParen(p, i, phrase);
      const optional = p[close + 1] === '?';
      yield { group: splitTopLevel(p.slice(i + 1, close)), optional };
      i = close + (optional ? 2 : 1);
      continue;
    }
    const single = p[i + 1] === undefined || p[i + 1] === ' ' || p[i + 1] === ')';
    if ((c === '^' || c === '$' || c === '*') && single) {
      yield { special: c };
      i++;
      continue;
    }
    let j = i;
    while (j < p.length && p[j] !== ' ' && p[j] !== '(' && p[j] !== ')' && p[j] !== '|') j++;
    if (j === i) throw new Error(`unexpected "${c}" in phrase "${phrase}"`);
    yield { words: p.slice(i, j) };
    i = j;
  }
}

const SPECIAL = { '^': '(?<=^ |, )', $: '(?=,|$)', '*': `(?:${WORD} ){0,3}` } as const;

function compileSeq(p: string, maps: NormalizeMaps, phrase: string): string {
  let out = '';
  for (const e of elements(p, phrase)) {
    if ('group' in e) {
      const alts = e.group
        .map((a) => compileSeq(a, maps, phrase))
        .filter(Boolean)
        .sort((a, b) => b.length - a.length);
      if (alts.length) out += `(?:${alts.join('|')})${e.optional ? '?' : ''}`;
    } else if ('special' in e) out += SPECIAL[e.special];
    else out += wordsRegex(e.words, maps);
  }
  return out;
}

/** How many first letters of a word key a phrase list's prefilter (a stem's "scratch~" is keyed by "scr"). */
const KEY_LETTERS = 3;
const keyOf = (word: string): string => word.slice(0, KEY_LETTERS);

/**
 * The keys (first letters, {@link KEY_LETTERS}) of words one of which every match of a sequence
 * must hold, or null when a match may hold none of them (a sequence of wildcards, optional groups,
 * or a short stem). The smallest such set of the sequence's elements is kept.
 */
function requiredKeys(p: string, maps: NormalizeMaps, phrase: string): Set<string> | null {
  let best: Set<string> | null = null;
  const consider = (keys: Set<string> | null) => {
    if (keys && (best === null || keys.size < best.size)) best = keys;
  };
  for (const e of elements(p, phrase)) {
    if ('group' in e) {
      if (e.optional) continue;
      let union: Set<string> | null = new Set<string>();
      for (const alt of e.group) {
        const keys = requiredKeys(alt, maps, phrase);
        if (keys === null) {
          union = null;
          break;
        }
        for (const k of keys) union.add(k);
      }
      consider(union);
    } else if ('words' in e) {
      for (const word of e.words.trim().split(/\s+/)) {
        const stem = word.endsWith('~');
        const tokens = literalTokens(stem ? word.slice(0, -1) : word, maps);
        tokens.forEach((t, k) => {
          // A stem's last word matches longer words: keyed only when it has the key's letters.
          if (stem && k === tokens.length - 1 && t.length < KEY_LETTERS) return;
          consider(new Set([keyOf(t)]));
        });
      }
    }
  }
  return best;
}

/**
 * Compiles one phrase of the pattern language into a regex source matching "w1 w2 ... " (each
 * word followed by a space). Groups may nest: "(not as (described|advertised)|wrong)".
 */
export function compilePhrase(phrase: string, maps: NormalizeMaps): string {
  const out = compileSeq(phrase.trim(), maps, phrase);
  if (!/[a-z0-9]/.test(out)) throw new Error(`empty phrase "${phrase}"`);
  return out;
}

/** A compiled phrase list. */
export interface PhraseList {
  name: string;
  /** Global regex: a space, then every phrase of the list, longest source first. */
  re: RegExp;
  /** Anchored regex: the whole message is one of the phrases. */
  whole: RegExp;
  size: number;
  /**
   * The keys of the words one of which every match holds (null: a match may hold none): a message
   * holding no word with one of these keys matches nothing, and the regex is not run (most lists,
   * for most messages).
   */
  keys: ReadonlySet<string> | null;
  /** The same keys by number ({@link keyIds}): marks[id] is 1 for a key of the list. */
  marks: Uint8Array | null;
}

/** A number for every key of every list compiled: a message's keys are looked up once, then each list checks numbers. */
const keyIds = new Map<string, number>();

export function compileList(name: string, phrases: readonly string[], maps: NormalizeMaps): PhraseList {
  const sources = [...new Set(phrases.map((p) => compilePhrase(p, maps)))].sort((a, b) => b.length - a.length);
  const body = sources.length ? sources.join('|') : '(?!)';
  let keys: Set<string> | null = new Set<string>();
  for (const p of phrases) {
    const k = requiredKeys(p.trim(), maps, p);
    if (k === null) {
      keys = null;
      break;
    }
    for (const x of k) keys.add(x);
  }
  let marks: Uint8Array | null = null;
  if (keys) {
    for (const k of keys) if (!keyIds.has(k)) keyIds.set(k, keyIds.size);
    marks = new Uint8Array(keyIds.size);
    for (const k of keys) marks[keyIds.get(k)!] = 1;
  }
  return {
    name,
    // The space before a phrase is matched, not looked behind for: V8 then skips to the spaces (about 40 % faster).
    re: new RegExp(` (?:${body})`, 'g'),
    whole: new RegExp(`^ (?:${body})$`),
    size: sources.length,
    keys,
    marks,
  };
}

/** Whether a message holds a word with one of the list's keys (or the list has none: it may match anything). */
function mayMatch(n: Norm, list: PhraseList): boolean {
  const marks = list.marks;
  if (marks === null) return true;
  // A key no list had when the message's keys were numbered is -1 (numbered again if lists compiled since);
  // a list compiled before a key was numbered has no mark for it (past its length).
  if (!n.keys || n.keys.length !== n.tokens.length + 1 || n.keys[n.tokens.length] !== keyIds.size) n.keys = [...n.tokens.map((t) => keyIds.get(keyOf(t)) ?? -1), keyIds.size];
  const ids = n.keys;
  for (let i = 0; i < ids.length - 1; i++) {
    const id = ids[i]!;
    if (id >= 0 && marks[id] === 1) return true;
  }
  return false;
}

/** One phrase found in a message: tokens [start, end). */
export interface Match {
  list: string;
  start: number;
  end: number;
}

/**
 * Every (non-overlapping within the list) match of a phrase list in a message. Memoised per
 * message and list (the result is shared: read-only).
 */
export function findAll(n: Norm, list: PhraseList): readonly Match[] {
  // Most lists, for most messages, hold no word of the message: nothing to keep.
  if (list.size === 0 || !mayMatch(n, list)) return NONE;
  const memo = memoOf(n);
  const hit = memo.get(list.name) as Match[] | undefined;
  if (hit) return hit;
  const out = regexMatches(n, list);
  memo.set(list.name, out);
  return out;
}

const NONE: readonly Match[] = Object.freeze([]);

/** Every match of the list's regex, without the prefilter (exported for the test that they agree). */
export function regexMatches(n: Norm, list: PhraseList): Match[] {
  const out: Match[] = [];
  list.re.lastIndex = 0;
  for (let m = list.re.exec(n.text); m; m = list.re.exec(n.text)) {
    // A phrase of optional words only matched the space alone: no words.
    if (m[0].length === 1) continue;
    const start = tokenIndex(n, m.index + 1);
    const end = tokenIndex(n, m.index + m[0].length - 1) + 1;
    out.push({ list: list.name, start, end });
    // Every phrase ends with its last word's space: the next phrase may begin with it.
    if (m[0].endsWith(' ')) list.re.lastIndex = m.index + m[0].length - 1;
  }
  return out;
}

export function test(n: Norm, list: PhraseList): boolean {
  if (!mayMatch(n, list)) return false;
  list.re.lastIndex = 0;
  const hit = list.re.test(n.text);
  list.re.lastIndex = 0;
  return hit;
}

/** True when the whole message is one phrase of the list. */
export function isWhole(n: Norm, list: PhraseList): boolean {
  return list.size > 0 && mayMatch(n, list) && list.whole.test(n.text);
}

/** Keeps the longest of overlapping matches (ties: the earlier one), sorted by position. */
export function resolveOverlaps(matches: readonly Match[]): Match[] {
  const sorted = [...matches].sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
  const kept: Match[] = [];
  for (const m of sorted) {
    if (kept.every((k) => m.end <= k.start || m.start >= k.end)) kept.push(m);
  }
  return kept.sort((a, b) => a.start - b.start);
}

/** Tokens covered by any of the matches. */
export function coverage(n: Norm, matches: readonly Match[]): boolean[] {
  const covered = new Array<boolean>(n.tokens.length).fill(false);
  for (const m of matches) for (let i = m.start; i < m.end; i++) covered[i] = true;
  return covered;
}

/** Words that negate and words that end a clause, for {@link isNegated}. */
export interface NegationLexicon {
  negators: ReadonlySet<string>;
  breaks: ReadonlySet<string>;
}

const NEGATION_WINDOW = 5;

/**
 * True when a negator ("not", "never", "no", "without"; "no", "nunca", "sin") stands shortly
 * before the match in the same clause and is not itself part of another phrase found ("won't turn
 * on" does not negate what follows it).
 */
export function isNegated(n: Norm, m: Match, covered: readonly boolean[], neg: NegationLexicon): boolean {
  // A phrase that carries its own negation ("never opened", "sin abrir", "do not understand") is not
  // negated again by a "no" before it: "no I've never opened it" is a no and a never, not a double negative.
  for (let i = m.start; i < m.end; i++) if (neg.negators.has(n.tokens[i] ?? '')) return false;
  for (let i = m.start - 1; i >= 0 && i >= m.start - NEGATION_WINDOW; i--) {
    const t = n.tokens[i] ?? BREAK;
    if (t === BREAK || neg.breaks.has(t)) return false;
    if (neg.negators.has(t) && !covered[i]) return true;
  }
  return false;
}

/**
 * Removes filler tokens/phrases from both ends of a message ("please", "ok so", "thanks"). Clause
 * breaks are dropped too (for matching a whole message), unless `keepBreaks` (breaks inside stay).
 * `endOnly`: fillers at the end only ("please do, thanks" keeps its "please").
 */
export function trimFillers(n: Norm, fillers: PhraseList, keepBreaks = false, endOnly = false): Norm {
  const key = `trim:${fillers.name}${keepBreaks ? '+' : ''}${endOnly ? '>' : ''}`;
  const memo = memoOf(n);
  const hit = memo.get(key) as Norm | undefined;
  if (hit) return hit;
  const out = trimFillersUncached(n, fillers, keepBreaks, endOnly);
  memo.set(key, out);
  return out;
}

function trimFillersUncached(n: Norm, fillers: PhraseList, keepBreaks: boolean, endOnly: boolean): Norm {
  // The fillers are found once in the whole message; trimming one may bare the next at either end.
  const matches = findAll(n, fillers);
  const t = n.tokens;
  let from = 0;
  let to = t.length;
  const bare = () => {
    while (from < to && t[from] === BREAK) from++;
    while (to > from && t[to - 1] === BREAK) to--;
  };
  bare();
  for (let changed = matches.length > 0; changed;) {
    changed = false;
    for (const m of matches) {
      // A filler that is the whole message stays ("thanks").
      if (m.start < from || m.end > to || m.end - m.start >= to - from) continue;
      if (m.start === from && !endOnly) from = m.end;
      else if (m.end === to) to = m.start;
      else continue;
      bare();
      changed = true;
      break;
    }
  }
  if (from === 0 && to === t.length && (keepBreaks || !t.includes(BREAK))) return n;
  const kept = t.slice(from, to);
  return fromTokens(keepBreaks ? kept : kept.filter((x) => x !== BREAK));
}

/** A text that may hold an order number, a reference or an e-mail. */
export const MAY_HOLD_CODE = /@|\d{4}/;

/** The text with the spans that are order numbers, references and e-mails blanked. */
export function withoutCodes(text: string): string {
  // An e-mail's own punctuation goes with it, the clause break after it stays ("… a@b.com, it arrived broken").
  return text.replace(/[^\s,;()]+@[^\s,;()]*[^\s,;().:!?]/g, ' ').replace(/[a-z]{0,4}[\s#-]*\d{4,}/gi, ' ');
}

/**
 * What the reason and cause models read, in training and in use: the text without order numbers
 * and e-mails, whose letters ("us", "example", "com") say nothing about why the item goes back.
 */
export function withoutShapes(text: string): string {
  return MAY_HOLD_CODE.test(text) ? withoutCodes(text) : text;
}
