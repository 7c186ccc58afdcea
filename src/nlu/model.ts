/**
 * The trained classifiers of the understanding layer: what a message asks for (`act`), why the item
 * goes back (`reason`) and what caused a fault (`cause`), per language.
 *
 * Each is a one-layer neural network from NLP.js (`@nlpjs/neural`, the network NLP.js's own NLU
 * uses) over bag-of-words features: word stems (NLP.js's Snowball stemmers for English and
 * Spanish, `@nlpjs/lang-en-min`, `@nlpjs/lang-es`), negated stems ("I haven't dropped it" gives
 * `¬drop`, never `drop`), the first letters of long words and stem pairs. Trained from the examples in locales/nlu/train/<lang>.yaml
 * (a non-programmer may extend them); training starts from zero weights and runs a fixed number of
 * passes in order, so the same data always gives the same model. The build (`npm run build`)
 * trains and writes dist/nlu/<lang>.json; a process finding that file missing or out of date
 * (running from `src/` in tests) trains the same model in memory once.
 *
 * The act, reason and anger models also have a second reader, naive Bayes over character n-grams
 * (charngram.ts), trained from the same examples when the models load; its scores are weighed in
 * with the network's (NGRAM_SHARE, chosen on the development sets A and B of `npm run nlu:eval`).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parse } from 'yaml';
import { LOCALES_DIR, ROOT } from '../paths.js';
import { lexicon, LANGS, type Lang } from './lexicon.js';
import { bestFirst, densify, idsOf, indexGrams, markedWord, ngramsOf, runDense, trainNgrams, type DenseNgrams, type GramIds, type GramIndex, type NgramModel } from './charngram.js';
import { BREAK, normalize, withoutShapes } from './text.js';

interface Stemmer {
  stemWord(word: string): string;
}
interface NetJson {
  settings: Record<string, unknown>;
  features?: string[];
  intents?: string[];
  perceptrons?: number[][];
}
interface Net {
  train(corpus: { input: Record<string, number>; output: Record<string, number> }[]): unknown;
  toJSON(): NetJson;
}

const require = createRequire(import.meta.url);
const { NeuralNetwork } = require('@nlpjs/neural') as { NeuralNetwork: new (settings?: Record<string, unknown>) => Net };
const { StemmerEn } = require('@nlpjs/lang-en-min') as { StemmerEn: new () => Stemmer };
const { StemmerEs } = require('@nlpjs/lang-es') as { StemmerEs: new () => Stemmer };

export const MODELS = ['act', 'reason', 'cause', 'anger'] as const;
export type ModelName = (typeof MODELS)[number];

/** Training settings: fixed, so training is reproducible (NLP.js starts from zero weights). */
const SETTINGS = { iterations: 300, errorThresh: 0.00005, deltaErrorThresh: 0.000001, learningRate: 0.6, momentum: 0.5, alpha: 0.07 };

/** One training example: the text and its label within one model. */
export interface Example {
  model: ModelName;
  label: string;
  text: string;
  /** Further intents of a multi-intent block (Rasa's `intent: human+frustrated`): here only `frustrated`. */
  also?: string[];
}

export function trainingPath(lang: Lang): string {
  return join(LOCALES_DIR, 'nlu', 'train', `${lang}.yaml`);
}

interface RasaFile {
  nlu: { intent: string; examples: string }[];
}

/**
 * The examples of a training file (Rasa nlu.yml format): `reason/x` → model reason, `cause/x` →
 * cause, the rest → act. A multi-intent block (`human+frustrated`, Rasa's `+` split symbol) is an
 * act example of its first intent that also says the others.
 */
export function parseTraining(source: string): Example[] {
  const doc = parse(source) as RasaFile;
  const out: Example[] = [];
  for (const block of doc.nlu) {
    const [first = '', ...also] = block.intent.split('+');
    const [head = '', tail] = first.split('/');
    const model: ModelName = head === 'reason' ? 'reason' : head === 'cause' ? 'cause' : 'act';
    const label = model === 'act' ? first : (tail ?? '');
    for (const line of block.examples.split('\n')) {
      const text = line.replace(/^\s*-\s?/, '').trim();
      if (text) out.push(also.length > 0 ? { model, label, text, also } : { model, label, text });
    }
  }
  return out;
}

/** An example said in anger: the `frustrated` block, or a block that also says `frustrated`. */
const angry = (e: Example) => (e.model === 'act' && e.label === 'frustrated') || (e.also?.includes('frustrated') ?? false);

const stemmers: Record<Lang, Stemmer> = { en: new StemmerEn(), es: new StemmerEs() };
const stemCache: Record<Lang, Map<string, string>> = { en: new Map(), es: new Map() };
const NEGATION_SPAN = 4;
/** The feature of any number (its digits say nothing; no prefix feature either). */
const NUMBER = '#n';
const PREFIX = 4;
const PREFIX_FROM = 6;

function stem(word: string, lang: Lang): string {
  const cache = stemCache[lang];
  let s = cache.get(word);
  if (s === undefined) {
    s = /^\d+$/.test(word) ? NUMBER : stemmers[lang].stemWord(word);
    if (cache.size < 50_000) cache.set(word, s);
  }
  return s;
}

/**
 * The features of a message: stems, negated stems (within a few words after "not", "never",
 * "no", "sin", up to a clause break), pairs of neighbouring stems, and how it is typed: shouting
 * in capitals (`#caps`), runs of "!" or "?" (`#bang`) and a question mark (`#q`).
 */
export function featuresOf(text: string, lang: Lang): Record<string, number> {
  const out: Record<string, number> = {};
  eachFeature(text, lang, (f) => (out[f] = 1));
  return out;
}

/** Every feature of a message ({@link featuresOf}), a feature maybe more than once. */
function eachFeature(text: string, lang: Lang, emit: (feature: string) => void): void {
  const lex = lexicon(lang);
  const n = normalize(text, lex.maps);
  typing(text, emit);
  let negLeft = 0;
  let prev = '^';
  for (const tok of n.tokens) {
    if (tok === BREAK || lex.neg.breaks.has(tok)) {
      negLeft = 0;
      prev = '|';
      continue;
    }
    if (lex.neg.negators.has(tok)) {
      negLeft = NEGATION_SPAN;
      emit('¬');
      emit(`${prev}_¬`);
      prev = '¬';
      continue;
    }
    const s = stem(tok, lang);
    if (negLeft > 0) {
      emit(`¬${s}`);
      negLeft--;
    } else {
      emit(s);
      // The first letters of a long word carry it through typos and endings the stemmer misses ("stripey").
      if (tok.length >= PREFIX_FROM && s !== NUMBER) emit(`~${tok.slice(0, PREFIX)}`);
    }
    emit(`${prev}_${s}`);
    prev = s;
  }
  emit(`${prev}_$`);
}

/** The character n-grams of a message (charngram.ts), words in a negation's scope marked as featuresOf marks them. */
export function gramsOf(text: string, lang: Lang): string[] {
  return ngramsOf(markedWords(text, lang));
}

/** A message's words as its n-grams see them ({@link markedWord}): clause breaks and negators left out, the words in a negation's scope marked. */
function markedWords(text: string, lang: Lang): string[] {
  const lex = lexicon(lang);
  const words: string[] = [];
  let negLeft = 0;
  for (const tok of normalize(text, lex.maps).tokens) {
    if (tok === BREAK || lex.neg.breaks.has(tok)) {
      negLeft = 0;
      continue;
    }
    if (lex.neg.negators.has(tok)) {
      negLeft = NEGATION_SPAN;
      continue;
    }
    words.push(markedWord(tok, negLeft > 0));
    if (negLeft > 0) negLeft--;
  }
  return words;
}

/** Letters in capitals at least this share of a message's letters (and this many) read as shouting. */
const CAPS_SHARE = 0.6;
const CAPS_LETTERS = 6;

/**
 * Shouting and exclamation runs, read off the raw text in one pass (no allocation). Words with a
 * digit (order numbers, "RTX4090") do not count; short acronyms ("USB") are too few letters alone.
 */
function typing(text: string, emit: (feature: string) => void): void {
  let upper = 0;
  let letters = 0;
  let bangs = 0;
  let asks = false;
  let run = 0;
  let wordUpper = 0;
  let wordLetters = 0;
  let wordDigit = false;
  const endWord = () => {
    if (!wordDigit) {
      upper += wordUpper;
      letters += wordLetters;
    }
    wordUpper = 0;
    wordLetters = 0;
    wordDigit = false;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 63 || ch === 0xbf) asks = true;
    if (ch === 33 || ch === 63 || ch === 0xa1 || ch === 0xbf) {
      run++;
      if (run >= 2) bangs++;
    } else run = 0;
    if (ch >= 65 && ch <= 90) {
      wordLetters++;
      wordUpper++;
    } else if (ch >= 97 && ch <= 122) wordLetters++;
    else if (ch >= 48 && ch <= 57) wordDigit = true;
    else if (ch >= 0xc0) {
      const c = text[i]!;
      const lower = c.toLowerCase();
      if (lower !== c.toUpperCase()) {
        wordLetters++;
        if (c !== lower) wordUpper++;
      }
    } else if (ch === 32 || ch === 44 || ch === 46) endWord();
  }
  endWord();
  if (letters >= CAPS_LETTERS && upper >= CAPS_SHARE * letters) emit('#caps');
  if (bangs > 0) emit('#bang');
  if (asks) emit('#q');
}

/** Whether a message is typed in anger: shouted in capitals, or with runs of "!" / "?". */
export function shouted(text: string): boolean {
  let angry = false;
  typing(text, (f) => (angry ||= f === '#caps' || f === '#bang'));
  return angry;
}

/** A trained model per language: one network per model name, and the hash of its training data. */
export interface TrainedModels {
  source: string;
  nets: Record<ModelName, NetJson>;
}

/**
 * The hash a built model is checked against: its examples, the training settings and, with a
 * language, the phrase-list data its features depend on (normalisation, negators, clause breaks):
 * a change to any of them trains the model again.
 */
export function hashOf(source: string, lang?: Lang): string {
  const h = createHash('sha256').update(source).update(JSON.stringify(SETTINGS));
  if (lang) {
    const d = lexicon(lang).data;
    h.update(JSON.stringify([d.normalize, d.negators, d.clauseBreaks]));
  }
  return h.digest('hex').slice(0, 16);
}

/**
 * The examples each model learns from. Besides its own blocks, the act model learns every reason
 * and cause example as `inform` (a message that gives details is no request), and the cause model
 * learns the other reasons' examples as `none` (a wrong colour states no cause).
 */
export function corpusOf(examples: readonly Example[], model: ModelName): { label: string; text: string }[] {
  // The anger model: every example, said in anger or calmly (a request for a person may be either).
  if (model === 'anger') {
    const seen = new Set<string>();
    const out: { label: string; text: string }[] = [];
    for (const e of examples) {
      if (seen.has(e.text)) continue;
      seen.add(e.text);
      out.push({ label: angry(e) ? 'angry' : 'calm', text: e.text });
    }
    return out;
  }
  const own = examples.filter((e) => e.model === model).map(({ label, text }) => ({ label, text }));
  const seen = new Set(own.map((e) => e.text));
  const extra = (e: Example) => {
    if (model === 'act') return e.model !== 'act' && e.label !== 'none' ? 'inform' : null;
    // A request, a question or a yes/no states no reason and no cause.
    if (e.model === 'act' && e.label !== 'inform') return 'none';
    if (model === 'cause') return e.model === 'reason' && e.label !== 'faulty' && e.label !== 'none' ? 'none' : null;
    return null;
  };
  for (const e of examples) {
    const label = extra(e);
    if (label && !seen.has(e.text)) {
      seen.add(e.text);
      own.push({ label, text: e.text });
    }
  }
  // The reason and cause models read messages without their order numbers and e-mails (understand.ts): so do their examples.
  return model === 'reason' || model === 'cause' ? own.map((e) => ({ label: e.label, text: withoutShapes(e.text) })) : own;
}

/** Trains every model of a language from its training file's text. Deterministic. */
export function train(source: string, lang: Lang): TrainedModels {
  const examples = parseTraining(source);
  const nets = {} as Record<ModelName, NetJson>;
  for (const model of MODELS) {
    const corpus = corpusOf(examples, model).map((e) => ({ input: featuresOf(e.text, lang), output: { [e.label]: 1 } }));
    const net = new NeuralNetwork({ ...SETTINGS });
    net.train(corpus);
    nets[model] = net.toJSON();
  }
  return { source: hashOf(source, lang), nets };
}

export function builtModelPath(lang: Lang): string {
  return join(ROOT, 'dist', 'nlu', `${lang}.json`);
}

/** Build step: trains both languages and writes dist/nlu/<lang>.json. */
export function buildModels(): string[] {
  const written: string[] = [];
  for (const lang of LANGS) {
    const models = train(readFileSync(trainingPath(lang), 'utf8'), lang);
    const path = builtModelPath(lang);
    mkdirSync(join(ROOT, 'dist', 'nlu'), { recursive: true });
    writeFileSync(path, `${JSON.stringify(models)}\n`);
    written.push(path);
  }
  return written;
}

/** A classification: labels with scores in [0, 1] that add up to 1, best first. */
export type Scores = { label: string; score: number }[];

export interface Classifier {
  classify(model: ModelName, text: string): Scores;
}

/**
 * A trained network ready to run: NLP.js's perceptrons (one per label, a weight per feature and a
 * bias) laid out feature by feature, with a Map from feature to row. Running it is what NLP.js's
 * `run` does (a ReLU of bias plus the weights of the features present), without its per-call
 * lookup objects: a message costs a few hundredths of a millisecond and little garbage.
 */
interface Compiled {
  labels: string[];
  rows: Map<string, number>;
  /** weights[row * labels.length + label] */
  weights: Float32Array;
  bias: Float32Array;
  /** Scratch space for one run (reused: a message allocates no typed array). */
  sums: Float64Array;
  /** The row of each feature of the language's vocabulary ({@link Loaded.vocab}), -1 when this network has none. */
  rowOf: Int32Array;
}

function compile(json: NetJson): Compiled {
  const labels = json.intents ?? [];
  const features = json.features ?? [];
  const perceptrons = json.perceptrons ?? [];
  const k = labels.length;
  const weights = new Float32Array(features.length * k);
  const bias = new Float32Array(k);
  for (let l = 0; l < k; l++) {
    const p = perceptrons[l] ?? [];
    for (let f = 0; f < features.length; f++) weights[f * k + l] = p[f] ?? 0;
    bias[l] = p[p.length - 1] ?? 0;
  }
  return { labels, rows: new Map(features.map((f, i) => [f, i])), weights, bias, sums: new Float64Array(k), rowOf: new Int32Array(0) };
}

/** The models that the n-gram reader joins, and its share of the joint score. */
const NGRAM_SHARE: Partial<Record<ModelName, number>> = { reason: 0.7, anger: 0.5, act: 0.5 };
/** The n-gram reader joins only for a message of at least this many words besides the little ones. */
const NGRAM_MIN_WORDS = 2;
/** The act model's n-gram reader reads messages of at most this many content words. */
const ACT_NGRAM_MAX_WORDS = 12;

/** How many words of a message are not among the little words every message has (`items.stopwords`). */
function contentWords(lang: Lang, text: string): number {
  const lex = lexicon(lang);
  let n = 0;
  for (const tok of normalize(text, lex.maps).tokens) if (tok !== BREAK && !lex.items.stopwords.has(tok) && !lex.neg.negators.has(tok)) n++;
  return n;
}

interface Loaded {
  nets: Record<ModelName, Compiled>;
  /**
   * Every feature any of the language's networks knows, numbered: a message's features are looked up
   * once, then each network reads its rows by number.
   */
  vocab: Map<string, number>;
  /** 1 for a feature that is a word (not how the message is typed, "#…", or a word's first letters, "~…"). */
  content: Uint8Array;
  /** Scratch: seen[id] is the stamp of the last message that had the feature (each feature counts once). */
  seen: Int32Array;
  stamp: number;
  ngrams: Partial<Record<ModelName, DenseNgrams>>;
  grams: GramIndex;
}

function load(lang: Lang): Loaded {
  const source = readFileSync(trainingPath(lang), 'utf8');
  const path = builtModelPath(lang);
  let models: TrainedModels | null = null;
  if (existsSync(path)) {
    const built = JSON.parse(readFileSync(path, 'utf8')) as TrainedModels;
    if (built.source === hashOf(source, lang)) models = built;
  }
  models ??= train(source, lang);
  const nets = {} as Record<ModelName, Compiled>;
  for (const m of MODELS) nets[m] = compile(models.nets[m]);
  const examples = parseTraining(source);
  const counted: Partial<Record<ModelName, NgramModel>> = {};
  // The models' corpora share most examples: each example's n-grams are read once.
  const grams = new Map<string, string[]>();
  const gramsOnce = (text: string) => grams.get(text) ?? grams.set(text, gramsOf(text, lang)).get(text)!;
  for (const m of MODELS) {
    if (NGRAM_SHARE[m] === undefined) continue;
    counted[m] = trainNgrams(corpusOf(examples, m).map((e) => ({ label: e.label, grams: gramsOnce(e.text) })));
  }
  const index = indexGrams(Object.values(counted));
  const ngrams: Partial<Record<ModelName, DenseNgrams>> = {};
  for (const m of MODELS) {
    const c = counted[m];
    if (c) ngrams[m] = densify(c, index);
  }
  const vocab = new Map<string, number>();
  for (const m of MODELS) for (const f of nets[m].rows.keys()) if (!vocab.has(f)) vocab.set(f, vocab.size);
  const content = new Uint8Array(vocab.size);
  for (const [f, id] of vocab) content[id] = f.charCodeAt(0) !== 35 && f.charCodeAt(0) !== 126 ? 1 : 0;
  for (const m of MODELS) {
    const net = nets[m];
    net.rowOf = new Int32Array(vocab.size).fill(-1);
    for (const [f, row] of net.rows) net.rowOf[vocab.get(f)!] = row;
  }
  return { nets, ngrams, grams: index, vocab, content, seen: new Int32Array(vocab.size), stamp: 0 };
}

const loaded = new Map<Lang, Loaded>();

function loadedOf(lang: Lang): Loaded {
  let l = loaded.get(lang);
  if (!l) {
    l = load(lang);
    loaded.set(lang, l);
  }
  return l;
}

const netsOf = (lang: Lang): Record<ModelName, Compiled> => loadedOf(lang).nets;

/** Loads (or trains) both languages' models now, so the first message does not wait. */
export function warmModels(): void {
  for (const lang of LANGS) netsOf(lang);
}

/**
 * Scores of one model for a message. The network's outputs are squared and normalised (as NLP.js's
 * NLU does), so a clear winner stands out; a message with no known word gives [] (nothing known).
 */
/**
 * Does the message hold a word the model learnt, other than the little words every message has
 * (`items.stopwords` of the phrase lists)? Without one, the model's scores come from "the", "el" and
 * the message's edges alone, and say nothing ("el xyzzy", "it's constructor").
 */
export function knowsContent(lang: Lang, model: ModelName, text: string): boolean {
  const lex = lexicon(lang);
  const rows = netsOf(lang)[model].rows;
  for (const tok of normalize(text, lex.maps).tokens) {
    if (tok === BREAK || lex.items.stopwords.has(tok) || lex.neg.negators.has(tok)) continue;
    const s = stem(tok, lang);
    if (rows.has(s) || rows.has(`¬${s}`)) return true;
  }
  return false;
}

export function classify(lang: Lang, model: ModelName, text: string): Scores {
  // The readers of one message ask for the same classification more than once: the last one per model is kept.
  const hit = last[model];
  if (hit.text === text && hit.lang === lang) return hit.scores;
  const l = loadedOf(lang);
  let scores = run(l.nets[model], featureIdsCached(text, lang, l), l.content);
  const ngrams = l.ngrams[model];
  const share = NGRAM_SHARE[model] ?? 0;
  // A word or two is too little for letters to say anything ("hi" begins many a fault story): the network alone reads it.
  const words = ngrams && share > 0 ? contentWords(lang, text) : 0;
  // The act model's letters help with short requests and questions; a long story is read by the network alone.
  if (ngrams && share > 0 && words >= NGRAM_MIN_WORDS && (model !== 'act' || words <= ACT_NGRAM_MAX_WORDS)) {
    const grams = runDense(ngrams, gramIdsCached(text, lang, l.grams));
    // The network may give nothing for words it learnt (every output at or below zero): the letters are then read against an even spread.
    scores = scores.length > 0 ? joined(scores, grams, share) : knowsContent(lang, model, text) ? joined(even(grams), grams, share) : scores;
  }
  hit.lang = lang;
  hit.text = text;
  hit.scores = scores;
  return scores;
}

interface Memo<T> {
  lang: Lang | '';
  text: string;
  value: T;
}
const last = Object.fromEntries(MODELS.map((m) => [m, { lang: '', text: '', scores: [] }])) as unknown as Record<ModelName, { lang: Lang | ''; text: string; scores: Scores }>;
/** The feature ids of the last few texts (a message, its text without codes, its clauses). */
const recentFeatures: Memo<Int32Array>[] = Array.from({ length: 8 }, () => ({ lang: '', text: '', value: new Int32Array(0) }));
let nextFeatures = 0;

/** The n-gram ids of the last few texts: the act, reason and anger models read the same message. */
const recentGrams: Memo<GramIds>[] = Array.from({ length: 8 }, () => ({ lang: '', text: '', value: { ids: new Int32Array(0), unknown: 0 } }));
let nextGrams = 0;

function gramIdsCached(text: string, lang: Lang, index: GramIndex): GramIds {
  for (const m of recentGrams) if (m.text === text && m.lang === lang) return m.value;
  const m = recentGrams[nextGrams]!;
  nextGrams = (nextGrams + 1) % recentGrams.length;
  m.value = idsOf(index, markedWords(text, lang));
  m.lang = lang;
  m.text = text;
  return m.value;
}

/** The ids ({@link Loaded.vocab}) of a message's features that some network knows. */
function featureIdsCached(text: string, lang: Lang, l: Loaded): Int32Array {
  for (const m of recentFeatures) if (m.text === text && m.lang === lang) return m.value;
  const m = recentFeatures[nextFeatures]!;
  nextFeatures = (nextFeatures + 1) % recentFeatures.length;
  const ids: number[] = [];
  const stamp = ++l.stamp;
  eachFeature(text, lang, (f) => {
    const id = l.vocab.get(f);
    if (id !== undefined && l.seen[id] !== stamp) {
      l.seen[id] = stamp;
      ids.push(id);
    }
  });
  m.value = Int32Array.from(ids);
  m.lang = lang;
  m.text = text;
  return m.value;
}

/** Every label of a classification at the same score. */
const even = (scores: Scores): Scores => scores.map((s) => ({ label: s.label, score: 1 / scores.length }));

/** The network's scores and the n-gram reader's, weighed together (both add up to 1, so does the result). */
function joined(net: Scores, ngrams: Scores, share: number): Scores {
  if (ngrams.length === 0) return net;
  const out: Scores = [];
  for (const s of net) {
    let g = 0;
    for (const x of ngrams) if (x.label === s.label) g = x.score;
    out.push({ label: s.label, score: (1 - share) * s.score + share * g });
  }
  return bestFirst(out);
}

function run(net: Compiled, ids: Int32Array, content: Uint8Array): Scores {
  const k = net.labels.length;
  const sums = net.sums;
  sums.set(net.bias);
  let known = false;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    const row = net.rowOf[id]!;
    if (row < 0) continue;
    // How a message is typed, or the first letters of a word it never saw, say nothing alone ("¿__proto__?", "__lookupSetter__?").
    if (content[id] === 1) known = true;
    const at = row * k;
    for (let l = 0; l < k; l++) sums[l]! += net.weights[at + l]!;
  }
  if (!known) return [];
  let total = 0;
  for (let l = 0; l < k; l++) {
    const v = sums[l]! > 0 ? sums[l]! : 0;
    sums[l] = v * v;
    total += sums[l]!;
  }
  if (total <= 0) return [];
  const scores: Scores = [];
  for (let l = 0; l < k; l++) scores.push({ label: net.labels[l]!, score: sums[l]! / total });
  return bestFirst(scores);
}
