/**
 * The phrase lists of one language (locales/nlu/<lang>.json), loaded once and compiled into regexes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCALES_DIR } from '../paths.js';
import { BOOLEAN_CONDITION_FIELDS, type BooleanConditionField } from '../policy/case.js';
import { REMEDIES, type Remedy } from '../policy/pack.js';
import { parseDictionary } from '../i18n/dictionary.js';
import { compileList, fold, normalize, type NegationLexicon, type NormalizeMaps, type PhraseList } from './text.js';

export const LANGS = ['en', 'es'] as const;
export type Lang = (typeof LANGS)[number];

type Phrases = string[];
interface CommandPhrases {
  whole: Phrases;
  anywhere: Phrases;
}

/** The shape of locales/nlu/<lang>.json. */
export interface LexiconData {
  normalize: NormalizeMaps;
  fillers: Phrases;
  negators: string[];
  clauseBreaks: string[];
  dontKnow: Phrases;
  dispute: Phrases;
  commands: Record<'human' | 'cancel' | 'restart' | 'help', CommandPhrases>;
  yesNo: {
    yesWhole: Phrases;
    noWhole: Phrases;
    yesLeading: Phrases;
    noLeading: Phrases;
    noLeadingBreak: Phrases;
    /** A yes or a no that ends a sentence ("I tore it off so no", "le pasé mis fotos, sí"). */
    yesTrailing: Phrases;
    noTrailing: Phrases;
    /** Words before a final yes or no that make it no answer ("it works or no"). */
    /** A no that ends a message only after a clause break ("espérame tantito, no"): Spanish "no" inside a sentence is no answer. */
    noTrailingBreak: Phrases;
    trailingBlockers: Phrases;
    /** Words that play a fact down without doubting the answer ("yes, I used it for a bit"): no hedge after a yes or a no. */
    degrees: Phrases;
    leadingBlockers: Phrases;
    noStart: Phrases;
    hedges: Phrases;
    /** Phrases that make a yes or a no unsure without unsaying it ("not that I know of" is still a no, a hedged one). */
    unsure: Phrases;
  };
  conditions: Record<BooleanConditionField, { true: Phrases; false: Phrases }>;
  faultCauses: Record<'defect' | 'symptoms' | 'wear-and-tear' | 'accident' | 'misuse' | 'software', Phrases>;
  preauth: { none: Phrases };
  reasons: Record<'change-of-mind' | 'change-of-mind-weak' | 'faulty' | 'misdescribed' | 'transit-damage' | 'damageWords' | 'timeGap' | 'transitContext', Phrases>;
  items: {
    ordinals: string[][];
    last: Phrases;
    fillers: Phrases;
    stopwords: string[];
    categories: Record<string, Phrases>;
    nameSynonyms: string[][];
  };
  remedies: Record<Remedy, Phrases>;
  dates: {
    months: string[][];
    numbers: string[][];
    dayOrdinals: string[][];
    agoBefore: string[];
    agoAfter: string[];
    units: { day: string[]; week: string[]; month: string[] };
    relative: Record<string, Phrases>;
    pastMarkers: string[];
    dayPrefixes: string[];
    daySuffixes: string[];
    /** Words after "the 2nd" that make it an ordinal of something else ("the 2nd one"). */
    notDayBefore: string[];
    /** Greetings that hold a date word and never a date ("buenos días", "good morning"): no reason to look for one. */
    greetings: string[];
  };
  corrections: {
    strong: Phrases;
    weak: Phrases;
    leadIns: Phrases;
    deliveryVerbs: Phrases;
    /** Words that start a clause naming what it is not ("…, not the headphones", "not today"). */
    notThis: Phrases;
  };
  orderNumbers: { prefixStopwords: string[] };
}

/**
 * Cues for one condition field. A negated `true`/`false` cue says the opposite ("never opened");
 * a negated `trueOnly`/`falseOnly` cue (written "+ phrase" in the JSON) says nothing.
 */
export interface ConditionCues {
  true: PhraseList;
  false: PhraseList;
  trueOnly: PhraseList;
  falseOnly: PhraseList;
}

/** A compiled language pack. */
export interface Lexicon {
  lang: Lang;
  data: LexiconData;
  maps: NormalizeMaps;
  neg: NegationLexicon;
  fillers: PhraseList;
  dontKnow: PhraseList;
  dispute: PhraseList;
  commands: Record<'human' | 'cancel' | 'restart' | 'help', { whole: PhraseList; anywhere: PhraseList }>;
  yesNo: Record<keyof LexiconData['yesNo'], PhraseList>;
  conditions: Record<BooleanConditionField, ConditionCues>;
  faultCauses: Record<keyof LexiconData['faultCauses'], PhraseList>;
  preauthNone: PhraseList;
  reasons: Record<keyof LexiconData['reasons'], PhraseList>;
  items: {
    ordinals: Map<string, number>;
    last: PhraseList;
    fillers: PhraseList;
    stopwords: ReadonlySet<string>;
    categories: { category: string; list: PhraseList }[];
    nameSynonyms: PhraseList[];
  };
  remedies: Record<Remedy, PhraseList>;
  relativeDays: { days: number; list: PhraseList }[];
  corrections: Record<keyof LexiconData['corrections'], PhraseList>;
}

function words(maps: NormalizeMaps, list: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const w of list) for (const t of normalize(w, maps).tokens) out.add(t);
  return out;
}

function compile(lang: Lang, data: LexiconData): Lexicon {
  const maps = data.normalize;
  const list = (name: string, phrases: readonly string[]) => compileList(`${lang}:${name}`, phrases, maps);
  const cmd = (k: keyof LexiconData['commands']) => ({
    whole: list(`commands.${k}.whole`, data.commands[k].whole),
    anywhere: list(`commands.${k}.anywhere`, data.commands[k].anywhere),
  });
  const record = <K extends string>(prefix: string, src: Record<K, Phrases>): Record<K, PhraseList> => {
    const out = {} as Record<K, PhraseList>;
    for (const k of Object.keys(src) as K[]) out[k] = list(`${prefix}.${k}`, src[k]);
    return out;
  };
  const conditions = {} as Lexicon['conditions'];
  const oneWay = (p: string) => p.trimStart().startsWith('+');
  const strip = (p: string) => p.trimStart().slice(1);
  for (const f of BOOLEAN_CONDITION_FIELDS) {
    const { true: t, false: fl } = data.conditions[f];
    conditions[f] = {
      true: list(
        `conditions.${f}.true`,
        t.filter((p) => !oneWay(p)),
      ),
      false: list(
        `conditions.${f}.false`,
        fl.filter((p) => !oneWay(p)),
      ),
      trueOnly: list(`conditions.${f}.true+`, t.filter(oneWay).map(strip)),
      falseOnly: list(`conditions.${f}.false+`, fl.filter(oneWay).map(strip)),
    };
  }
  const ordinals = new Map<string, number>();
  data.items.ordinals.forEach((forms, i) => {
    for (const f of forms) ordinals.set(normalize(f, maps).tokens.join(' '), i + 1);
  });
  const remedies = {} as Record<Remedy, PhraseList>;
  for (const r of REMEDIES) remedies[r] = list(`remedies.${r}`, data.remedies[r]);
  return {
    lang,
    data,
    maps,
    neg: { negators: words(maps, data.negators), breaks: words(maps, data.clauseBreaks) },
    fillers: list('fillers', data.fillers),
    dontKnow: list('dontKnow', data.dontKnow),
    dispute: list('dispute', data.dispute),
    commands: { human: cmd('human'), cancel: cmd('cancel'), restart: cmd('restart'), help: cmd('help') },
    yesNo: record('yesNo', data.yesNo),
    conditions,
    faultCauses: record('faultCauses', data.faultCauses),
    preauthNone: list('preauth.none', data.preauth.none),
    reasons: record('reasons', data.reasons),
    items: {
      ordinals,
      last: list('items.last', data.items.last),
      fillers: list('items.fillers', data.items.fillers),
      stopwords: words(maps, data.items.stopwords),
      categories: Object.entries(data.items.categories).map(([category, phrases]) => ({
        category,
        list: list(`items.categories.${category}`, phrases),
      })),
      nameSynonyms: data.items.nameSynonyms.map((g, i) => list(`items.nameSynonyms.${i}`, g)),
    },
    remedies,
    relativeDays: Object.entries(data.dates.relative)
      .map(([days, phrases]) => ({ days: Number(days), list: list(`dates.relative.${days}`, phrases) }))
      .sort((a, b) => a.days - b.days),
    corrections: record('corrections', data.corrections),
  };
}

/** Path of a language's phrase lists. */
export function lexiconPath(lang: Lang): string {
  return join(LOCALES_DIR, 'nlu', `${lang}.json`);
}

/** Reads a language's phrase lists (uncompiled), every object without a prototype (words are looked up in them). */
export function loadLexiconData(lang: Lang): LexiconData {
  return parseDictionary<LexiconData>(readFileSync(lexiconPath(lang), 'utf8'));
}

/** Both languages' phrase lists, read once when this module loads: no I/O at call time. */
const DATA: Record<Lang, LexiconData> = { en: loadLexiconData('en'), es: loadLexiconData('es') };
const cache = new Map<Lang, Lexicon>();

/** The compiled lexicon of a language (compiled on first use, then kept). */
export function lexicon(lang: Lang): Lexicon {
  let lex = cache.get(lang);
  if (!lex) {
    lex = compile(lang, DATA[lang]);
    cache.set(lang, lex);
  }
  return lex;
}

/** Normalises with a language's maps. */
export function norm(text: string, lang: Lang) {
  return normalize(text, lexicon(lang).maps);
}

/** 'es' for Spanish locales (es, es-US, es-MX…), otherwise 'en'. */
export function languageOf(locale: string | null | undefined): Lang {
  return /^es(?:[-_]|$)/i.test((locale ?? '').trim()) ? 'es' : 'en';
}

/** Month-day-year for US locales (en-US, es-US), otherwise day-month-year. */
export function dateOrderOf(locale: string | null | undefined): 'DMY' | 'MDY' {
  return /[-_]us$/i.test((locale ?? '').trim()) ? 'MDY' : 'DMY';
}

/**
 * Words that on their own ask for a person ("human", "agent", "persona"): the one-word alternatives
 * of the first `commands.human.whole` phrase, normalised. Used where a message that mentions one
 * must never be read as anything else (the proof step).
 */
const personWordsCache = new Map<Lang, ReadonlySet<string>>();
export function personWords(lang: Lang): ReadonlySet<string> {
  let words = personWordsCache.get(lang);
  if (!words) {
    const lex = lexicon(lang);
    const first = lex.data.commands.human.whole[0] ?? '';
    const alternatives = /^\(([^()]*)\)$/.exec(first.trim())?.[1]?.split('|') ?? [];
    words = new Set(
      alternatives
        .map((a) => normalize(a, lex.maps).tokens)
        .filter((t) => t.length === 1)
        .map((t) => t[0]!),
    );
    personWordsCache.set(lang, words);
  }
  return words;
}

/** Set of prefix stop-words (all languages) for order and reference numbers. */
let prefixStops: ReadonlySet<string> | undefined;
export function orderPrefixStopwords(): ReadonlySet<string> {
  if (!prefixStops) {
    const s = new Set<string>();
    for (const l of LANGS) for (const w of lexicon(l).data.orderNumbers.prefixStopwords) s.add(fold(w));
    prefixStops = s;
  }
  return prefixStops;
}
