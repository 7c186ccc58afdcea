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
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parse } from 'yaml';
import { LOCALES_DIR, ROOT } from '../paths.js';
import { lexicon, LANGS, type Lang } from './lexicon.js';
import { BREAK, normalize } from './text.js';

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

export const MODELS = ['act', 'reason', 'cause'] as const;
export type ModelName = (typeof MODELS)[number];

/** Training settings: fixed, so training is reproducible (NLP.js starts from zero weights). */
const SETTINGS = { iterations: 300, errorThresh: 0.00005, deltaErrorThresh: 0.000001, learningRate: 0.6, momentum: 0.5, alpha: 0.07 };

/** One training example: the text and its label within one model. */
export interface Example {
  model: ModelName;
  label: string;
  text: string;
}

export function trainingPath(lang: Lang): string {
  return join(LOCALES_DIR, 'nlu', 'train', `${lang}.yaml`);
}

interface RasaFile {
  nlu: { intent: string; examples: string }[];
}

/** The examples of a training file (Rasa nlu.yml format): `reason/x` → model reason, `cause/x` → cause, the rest → act. */
export function parseTraining(source: string): Example[] {
  const doc = parse(source) as RasaFile;
  const out: Example[] = [];
  for (const block of doc.nlu) {
    const [head = '', tail] = block.intent.split('/');
    const model: ModelName = head === 'reason' ? 'reason' : head === 'cause' ? 'cause' : 'act';
    const label = model === 'act' ? block.intent : (tail ?? '');
    for (const line of block.examples.split('\n')) {
      const text = line.replace(/^\s*-\s?/, '').trim();
      if (text) out.push({ model, label, text });
    }
  }
  return out;
}

const stemmers: Record<Lang, Stemmer> = { en: new StemmerEn(), es: new StemmerEs() };
const stemCache: Record<Lang, Map<string, string>> = { en: new Map(), es: new Map() };
const NEGATION_SPAN = 4;
const PREFIX = 4;
const PREFIX_FROM = 6;

function stem(word: string, lang: Lang): string {
  const cache = stemCache[lang];
  let s = cache.get(word);
  if (s === undefined) {
    s = /^\d+$/.test(word) ? '#n' : stemmers[lang].stemWord(word);
    if (cache.size < 50_000) cache.set(word, s);
  }
  return s;
}

/**
 * The features of a message: stems, negated stems (within a few words after "not", "never",
 * "no", "sin", up to a clause break), and pairs of neighbouring stems.
 */
export function featuresOf(text: string, lang: Lang): Record<string, number> {
  const lex = lexicon(lang);
  const n = normalize(text, lex.maps);
  const out: Record<string, number> = {};
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
      out[`¬`] = 1;
      out[`${prev}_¬`] = 1;
      prev = '¬';
      continue;
    }
    const s = stem(tok, lang);
    if (negLeft > 0) {
      out[`¬${s}`] = 1;
      negLeft--;
    } else {
      out[s] = 1;
      // The first letters of a long word carry it through typos and endings the stemmer misses ("stripey").
      if (tok.length >= PREFIX_FROM) out[`~${tok.slice(0, PREFIX)}`] = 1;
    }
    out[`${prev}_${s}`] = 1;
    prev = s;
  }
  out[`${prev}_$`] = 1;
  return out;
}

/** A trained model per language: one network per model name, and the hash of its training data. */
export interface TrainedModels {
  source: string;
  nets: Record<ModelName, NetJson>;
}

export function hashOf(source: string): string {
  return createHash('sha256').update(source).update(JSON.stringify(SETTINGS)).digest('hex').slice(0, 16);
}

/**
 * The examples each model learns from. Besides its own blocks, the act model learns every reason
 * and cause example as `inform` (a message that gives details is no request), and the cause model
 * learns the other reasons' examples as `none` (a wrong colour states no cause).
 */
export function corpusOf(examples: readonly Example[], model: ModelName): { label: string; text: string }[] {
  const own = examples.filter((e) => e.model === model).map(({ label, text }) => ({ label, text }));
  const seen = new Set(own.map((e) => e.text));
  const extra = (e: Example) => {
    if (model === 'act') return e.model !== 'act' && e.label !== 'none' ? 'inform' : null;
    // A request, a question or a yes/no states no reason and no cause.
    if (e.model === 'act' && e.label !== 'inform' && e.label !== 'start_return') return 'none';
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
  return own;
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
  return { source: hashOf(source), nets };
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
  return { labels, rows: new Map(features.map((f, i) => [f, i])), weights, bias };
}

function load(lang: Lang): Record<ModelName, Compiled> {
  const source = readFileSync(trainingPath(lang), 'utf8');
  const path = builtModelPath(lang);
  let models: TrainedModels | null = null;
  if (existsSync(path)) {
    const built = JSON.parse(readFileSync(path, 'utf8')) as TrainedModels;
    if (built.source === hashOf(source)) models = built;
  }
  models ??= train(source, lang);
  const nets = {} as Record<ModelName, Compiled>;
  for (const m of MODELS) nets[m] = compile(models.nets[m]);
  return nets;
}

const loaded = new Map<Lang, Record<ModelName, Compiled>>();

function netsOf(lang: Lang): Record<ModelName, Compiled> {
  let nets = loaded.get(lang);
  if (!nets) {
    nets = load(lang);
    loaded.set(lang, nets);
  }
  return nets;
}

/** Loads (or trains) both languages' models now, so the first message does not wait. */
export function warmModels(): void {
  for (const lang of LANGS) netsOf(lang);
}

/**
 * Scores of one model for a message. The network's outputs are squared and normalised (as NLP.js's
 * NLU does), so a clear winner stands out; a message with no known word gives [] (nothing known).
 */
export function classify(lang: Lang, model: ModelName, text: string): Scores {
  // The readers of one message ask for the same classification more than once: the last one per model is kept.
  const key = `${lang}\u0000${text}`;
  const hit = last[model];
  if (hit.key === key) return hit.scores;
  const scores = run(netsOf(lang)[model], featuresCached(text, lang));
  last[model] = { key, scores };
  return scores;
}

const last: Record<ModelName, { key: string; scores: Scores }> = {
  act: { key: '', scores: [] },
  reason: { key: '', scores: [] },
  cause: { key: '', scores: [] },
};
let lastFeatures: { key: string; features: Record<string, number> } = { key: '', features: {} };

function featuresCached(text: string, lang: Lang): Record<string, number> {
  const key = `${lang}\u0000${text}`;
  if (lastFeatures.key !== key) lastFeatures = { key, features: featuresOf(text, lang) };
  return lastFeatures.features;
}

function run(net: Compiled, features: Record<string, number>): Scores {
  const k = net.labels.length;
  const sums = Float64Array.from(net.bias);
  let known = false;
  for (const f in features) {
    const row = net.rows.get(f);
    if (row === undefined) continue;
    known = true;
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
  return scores.sort((a, b) => b.score - a.score);
}
