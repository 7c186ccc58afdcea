/**
 * Dates in the customer's words ("last Tuesday", "3 days ago", "on the 3rd", "12/11", "hace 3
 * días"), read with chrono-node against a given `today` (no clock), never after today.
 */
// Only the two languages we read: the package index loads every chrono locale (~0.1 s at start).
import type { Chrono } from 'chrono-node';
import * as chronoEn from 'chrono-node/en';
import * as chronoEs from 'chrono-node/es';
import { lexicon, type Lang, type Lexicon } from './lexicon.js';
import { findAll, fold, normalize, resolveOverlaps } from './text.js';

export type DateOrder = 'DMY' | 'MDY';

interface Ymd {
  y: number;
  m: number;
  d: number;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const iso = ({ y, m, d }: Ymd) => `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
const cmp = (a: Ymd, b: Ymd) => a.y - b.y || a.m - b.m || a.d - b.d;
const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

function parseIso(s: string): Ymd | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return null;
  const v = { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) };
  return v.m >= 1 && v.m <= 12 && v.d >= 1 && v.d <= daysIn(v.y, v.m) ? v : null;
}

function addDays(t: Ymd, days: number): Ymd {
  const dt = new Date(Date.UTC(t.y, t.m - 1, t.d + days));
  return { y: dt.getUTCFullYear(), m: dt.getUTCMonth() + 1, d: dt.getUTCDate() };
}

function addMonths(t: Ymd, months: number): Ymd {
  const total = t.y * 12 + (t.m - 1) + months;
  const y = Math.floor(total / 12);
  const m = (total % 12) + 1;
  return { y, m, d: Math.min(t.d, daysIn(y, m)) };
}

// ---------------------------------------------------------------------------------------------
// Per-language patterns built from the phrase lists (once).

interface DatePatterns {
  /** number word or digits → value */
  numbers: Map<string, number>;
  numberRe: string;
  monthRe: string;
  months: Map<string, number>;
  ago: RegExp[];
  units: Map<string, 'day' | 'week' | 'month'>;
  dayOnly: RegExp[];
  dayWords: Map<string, number>;
  monthDay: RegExp;
  dayMonth: RegExp;
  pastMarker: RegExp;
}

const alt = (xs: Iterable<string>) =>
  [...xs]
    .sort((a, b) => b.length - a.length)
    .map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s+'))
    .join('|');

const patternCache = new Map<Lang, DatePatterns>();

function patterns(lex: Lexicon): DatePatterns {
  const cached = patternCache.get(lex.lang);
  if (cached) return cached;
  const d = lex.data.dates;
  const f = (s: string) => fold(s);
  const numbers = new Map<string, number>();
  d.numbers.forEach((forms, i) => forms.forEach((w) => numbers.set(f(w), i)));
  const dayWords = new Map<string, number>();
  d.dayOrdinals.forEach((forms, i) => forms.forEach((w) => dayWords.set(f(w), i + 1)));
  const months = new Map<string, number>();
  d.months.forEach((forms, i) => forms.forEach((w) => months.set(f(w), i + 1)));
  const units = new Map<string, 'day' | 'week' | 'month'>();
  for (const k of ['day', 'week', 'month'] as const) for (const w of d.units[k]) units.set(f(w), k);
  const numberRe = `\\d{1,3}|${alt(numbers.keys())}`;
  const unitRe = alt(units.keys());
  const monthRe = alt(months.keys());
  const B = '(?<![a-z0-9])';
  const E = '(?![a-z0-9])';
  const ago: RegExp[] = [];
  if (d.agoAfter.length) ago.push(new RegExp(`${B}(${numberRe})\\s+(${unitRe})\\s+(?:${alt(d.agoAfter.map(f))})${E}`, 'i'));
  if (d.agoBefore.length) ago.push(new RegExp(`${B}(?:${alt(d.agoBefore.map(f))})\\s+(${numberRe})\\s+(${unitRe})${E}`, 'i'));
  const prefixes = alt(d.dayPrefixes.map(f));
  const suffixes = alt(d.daySuffixes.map(f));
  const dayWordRe = alt(dayWords.keys());
  const notNoun = `(?!\\s+(?:${alt(d.notDayBefore.map(f))})${E})`;
  const dayOnly = [
    new RegExp(`${B}(?:(?:${prefixes})\\s+)?(\\d{1,2})(?:${suffixes})${E}${notNoun}`, 'i'),
    new RegExp(`${B}(?:${prefixes})\\s+(\\d{1,2})${E}(?!\\s*(?:[/.:-]\\d|${unitRe}))${notNoun}`, 'i'),
    new RegExp(`${B}(?:${prefixes})\\s+(${dayWordRe})${E}${notNoun}`, 'i'),
  ];
  const p: DatePatterns = {
    numbers,
    numberRe,
    monthRe,
    months,
    ago,
    units,
    dayOnly,
    dayWords,
    monthDay: new RegExp(`${B}(${monthRe})\\.?\\s+(?:the\\s+)?(\\d{1,2}|${alt(numbers.keys())}|${dayWordRe})(?:${suffixes})?${E}`, 'i'),
    dayMonth: new RegExp(`${B}(\\d{1,2}|${alt(numbers.keys())}|${dayWordRe})(?:${suffixes})?\\s+(?:(?:of|de|del)\\s+)?(${monthRe})${E}`, 'i'),
    pastMarker: new RegExp(`${B}(?:${alt(d.pastMarkers.map(f))})${E}`, 'i'),
  };
  patternCache.set(lex.lang, p);
  return p;
}

const NUMERIC_DATE = /(?<![0-9])\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?(?![0-9])/;
const ISO_DATE = /(?<![0-9])(\d{4})-(\d{1,2})-(\d{1,2})(?![0-9])/;

// ---------------------------------------------------------------------------------------------

/** The most recent date with this day of the month, on or before today. */
function latestDay(today: Ymd, day: number): Ymd | null {
  if (day < 1 || day > 31) return null;
  let y = today.y;
  let m = today.m;
  for (let i = 0; i < 13; i++) {
    if (day <= daysIn(y, m)) {
      const c = { y, m, d: day };
      if (cmp(c, today) <= 0) return c;
    }
    m -= 1;
    if (m === 0) {
      m = 12;
      y -= 1;
    }
  }
  return null;
}

function numberValue(p: DatePatterns, s: string): number | null {
  const t = fold(s).replace(/\s+/g, ' ');
  if (/^\d+$/.test(t)) return Number(t);
  return p.numbers.get(t) ?? p.dayWords.get(t) ?? null;
}

/** "the 3rd", "on the 3rd", "el día 3": the latest such day. */
function dayOfMonth(text: string, p: DatePatterns, today: Ymd): Ymd | null {
  if (new RegExp(`(?<![a-z])(?:${p.monthRe})(?![a-z])`, 'i').test(text) && (p.monthDay.test(text) || p.dayMonth.test(text))) return null;
  for (const re of p.dayOnly) {
    const m = re.exec(text);
    if (!m) continue;
    const v = numberValue(p, m[1] ?? '');
    if (v !== null) return latestDay(today, v);
  }
  return null;
}

/** "3 days ago", "a week ago", "hace 3 días", "hace dos semanas". */
function ago(text: string, p: DatePatterns, today: Ymd): Ymd | null {
  for (const re of p.ago) {
    const m = re.exec(text);
    if (!m) continue;
    const count = numberValue(p, m[1] ?? '');
    const unit = p.units.get(fold(m[2] ?? '').replace(/\s+/g, ' '));
    if (count === null || !unit || count > 400) continue;
    if (unit === 'day') return addDays(today, -count);
    if (unit === 'week') return addDays(today, -7 * count);
    return addMonths(today, -count);
  }
  return null;
}

/** "yesterday", "the day before yesterday", "anteayer", "la semana pasada". */
function relative(text: string, lex: Lexicon, today: Ymd): Ymd | null {
  const n = normalize(text, lex.maps);
  const found = lex.relativeDays.flatMap(({ days, list }) => findAll(n, list).map((m) => ({ ...m, days })));
  const [first] = resolveOverlaps(found);
  if (!first) return null;
  const hit = found.find((f) => f.start === first.start && f.end === first.end);
  return hit ? addDays(today, -hit.days) : null;
}

/** Rewrites month-name dates chrono reads badly: "diciembre 3" → "3 de diciembre", number words → digits. */
function rewriteForChrono(text: string, lex: Lexicon, p: DatePatterns): string {
  let t = text;
  const monthName = (s: string) => {
    const m = p.months.get(fold(s));
    return m === undefined ? s : (lex.data.dates.months[m - 1]?.[0] ?? s);
  };
  if (lex.lang === 'es') {
    t = t.replace(new RegExp(p.monthDay.source, 'gi'), (_all, mon: string, day: string) => `${numberValue(p, day) ?? day} de ${monthName(mon)}`);
    t = t.replace(new RegExp(p.dayMonth.source, 'gi'), (_all, day: string, mon: string) => `${numberValue(p, day) ?? day} de ${monthName(mon)}`);
  } else {
    t = t.replace(new RegExp(p.monthDay.source, 'gi'), (_all, mon: string, day: string) => `${numberValue(p, day) ?? day} ${monthName(mon)}`);
    t = t.replace(new RegExp(p.dayMonth.source, 'gi'), (_all, day: string, mon: string) => `${numberValue(p, day) ?? day} ${monthName(mon)}`);
  }
  return t;
}

function chronoParser(lang: Lang, order: DateOrder, numeric: boolean): Chrono {
  if (numeric) return order === 'MDY' ? chronoEn.casual : chronoEn.GB;
  return lang === 'es' ? chronoEs.casual : chronoEn.casual;
}

function viaChrono(text: string, lex: Lexicon, p: DatePatterns, today: Ymd, order: DateOrder): Ymd | null {
  const numeric = NUMERIC_DATE.test(text);
  const input = numeric ? text : rewriteForChrono(text, lex, p);
  const ref = new Date(today.y, today.m - 1, today.d, 12, 0, 0);
  const results = chronoParser(lex.lang, order, numeric).parse(input, ref);
  for (const r of results) {
    const s = r.start;
    const dayKnown = s.isCertain('day');
    const weekdayOnly = !dayKnown && s.isCertain('weekday');
    const relativeDay = !dayKnown && !weekdayOnly && s.isCertain('year') && s.isCertain('month') && s.get('day') !== null;
    if (!dayKnown && !weekdayOnly && !relativeDay) continue;
    let v: Ymd = { y: s.get('year') ?? today.y, m: s.get('month') ?? today.m, d: s.get('day') ?? today.d };
    if (v.m < 1 || v.m > 12 || v.d < 1 || v.d > daysIn(v.y, v.m)) continue;
    if (weekdayOnly) {
      while (cmp(v, today) > 0) v = addDays(v, -7);
      if (cmp(v, today) === 0 && p.pastMarker.test(text)) v = addDays(v, -7);
      return v;
    }
    if (cmp(v, today) > 0) {
      if (s.isCertain('year')) return null;
      // An ambiguous year: the latest such date on or before today.
      v = { ...v, y: v.y - 1 };
      if (v.d > daysIn(v.y, v.m)) return null;
      while (cmp(v, today) > 0) v = { ...v, y: v.y - 1 };
    }
    return v;
  }
  return null;
}

const dateWordSets = new Map<Lang, ReadonlySet<string>>();

/**
 * The words a date is said with: months, day ordinals, weekdays (from Intl), units ("weeks",
 * "semana": "two weeks ago" and "hace un mes" hold one), and the relative words ("yesterday", the
 * "now" of "just now"); not the little words around them ("the", "last", "back", "por", "como"),
 * which nearly every message holds.
 */
function dateWords(lex: Lexicon): ReadonlySet<string> {
  let set = dateWordSets.get(lex.lang);
  if (!set) {
    const d = lex.data.dates;
    const phrases: string[] = [...d.months.flat(), ...d.dayOrdinals.flat(), ...Object.values(d.units).flat()];
    const weekday = new Intl.DateTimeFormat(lex.lang, { weekday: 'long', timeZone: 'UTC' });
    for (let i = 0; i < 7; i++) phrases.push(weekday.format(new Date(Date.UTC(2026, 0, 4 + i))));
    const words = new Set<string>();
    for (const p of phrases) for (const t of normalize(p, lex.maps).tokens) if (t !== ',' && t.length > 2) words.add(t);
    // A relative phrase holding none of those is known by its last word ("yesterday", "just now", "an hour ago", "hace rato").
    for (const p of Object.values(d.relative).flat()) {
      const tokens = normalize(p, lex.maps).tokens.filter((t) => t !== ',');
      const last = tokens.at(-1);
      if (last && last.length > 2 && !tokens.some((t) => words.has(t))) words.add(last);
    }
    set = words;
    dateWordSets.set(lex.lang, set);
  }
  return set;
}

/** A token that may be (part of) a date: a number, or one with an ordinal's ending ("17th", "3ro"); not a postcode's "cb2" or "1tn". */
const DATE_NUMBER = /^\d+(?:st|nd|rd|th|o|a|ro|do|to|vo|no|er)?$/;

/** Whether a text may hold a date at all (a number or a date word): the date parsers are costly, and most messages hold none. */
function mayHoldDate(text: string, lex: Lexicon): boolean {
  const words = dateWords(lex);
  const greeting = greetingsOf(lex);
  const tokens = normalize(text, lex.maps).tokens;
  return tokens.some((t, i) => DATE_NUMBER.test(t) || (words.has(t) && !(i > 0 && greeting.has(`${tokens[i - 1]} ${t}`))));
}

const greetingSets = new Map<Lang, ReadonlySet<string>>();
/** The last two words of each greeting ({@link LexiconData.dates.greetings}). */
function greetingsOf(lex: Lexicon): ReadonlySet<string> {
  let set = greetingSets.get(lex.lang);
  if (!set) {
    set = new Set(lex.data.dates.greetings.map((g) => normalize(g, lex.maps).tokens.slice(-2).join(' ')));
    greetingSets.set(lex.lang, set);
  }
  return set;
}

/**
 * A date in the customer's words as YYYY-MM-DD, or null. `today` is the reference day; `order`
 * says how "12/11" reads (DMY: 12 November, MDY: December 11). Never a date after today: a date
 * without a year is the latest such date on or before today; one with a later year is null.
 */
export function parseDate(text: string, lang: Lang, today: string, order: DateOrder): string | null {
  const t0 = parseIso(today);
  if (!t0) throw new RangeError(`today: expected a date YYYY-MM-DD, got ${JSON.stringify(today)}`);
  const lex = lexicon(lang);
  const p = patterns(lex);
  const text0 = fold(text).replace(/\s+/g, ' ').trim();
  if (!text0) return null;
  const isoHit = ISO_DATE.exec(text0);
  if (isoHit) {
    const v = parseIso(`${isoHit[1]}-${pad(Number(isoHit[2]))}-${pad(Number(isoHit[3]))}`);
    return v && cmp(v, t0) <= 0 ? iso(v) : null;
  }
  if (!mayHoldDate(text0, lex)) return null;
  const found = relative(text0, lex, t0) ?? ago(text0, p, t0) ?? viaChrono(text0, lex, p, t0, order) ?? dayOfMonth(text0, p, t0);
  if (!found || cmp(found, t0) > 0) return null;
  return iso(found);
}
