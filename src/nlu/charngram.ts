/**
 * A second reader of the act, reason and anger models: multinomial naive Bayes over character n-grams (3 to 5
 * letters of each word, with its edges), trained from the same examples as the network
 * (locales/nlu/train/<lang>.yaml, via `corpusOf`). Where the network sees whole stems, the n-grams
 * carry a word through typos ("recieved", "brokn") and through Spanish endings the stemmer does not
 * join ("rayada", "rayones", "rayó"). Words within a negation's scope get their n-grams marked
 * (`¬`), as the network's stems do, so "no llegó roto" does not read as "llegó roto".
 *
 * Training is counting (deterministic, a few milliseconds), so it runs when the models load and
 * needs no file of its own. Scores are the posterior with the log-likelihood averaged over the
 * message's n-grams (a long message is not more certain than a short one), normalised to add up to 1.
 */
const MIN_N = 3;
const MAX_N = 5;
/** Laplace smoothing of the n-gram counts. */
const ALPHA = 0.5;
/** How sharp the averaged log-likelihoods are turned into a posterior. */
const SHARPNESS = 6;

export interface NgramModel {
  labels: string[];
  /** log P(n-gram | label), per n-gram: one entry per label. */
  logp: Map<string, Float64Array>;
  /** log P(unseen n-gram | label). */
  unseen: Float64Array;
  prior: Float64Array;
  scratch: Float64Array;
}

/** A word as its n-grams see it: with its edges, marked "¬" when in a negation's scope. */
export const markedWord = (tok: string, negated: boolean): string => `${negated ? '¬' : ' '}${tok} `;

/** The n-grams of one marked word ({@link markedWord}), appended to `out`. */
function wordGrams(w: string, out: string[]): string[] {
  for (let n = MIN_N; n <= MAX_N; n++) for (let s = 0; s + n <= w.length; s++) out.push(w.slice(s, s + n));
  return out;
}

/** The n-grams of a message's marked words, in order. */
export function ngramsOf(words: readonly string[]): string[] {
  const out: string[] = [];
  for (const w of words) wordGrams(w, out);
  return out;
}

export function trainNgrams(corpus: readonly { label: string; grams: readonly string[] }[]): NgramModel {
  const labels = [...new Set(corpus.map((e) => e.label))].sort();
  const k = labels.length;
  const index = new Map(labels.map((l, i) => [l, i]));
  const counts = new Map<string, Float64Array>();
  const totals = new Float64Array(k);
  const docs = new Float64Array(k);
  for (const e of corpus) {
    const l = index.get(e.label)!;
    docs[l]!++;
    for (const g of new Set(e.grams)) {
      let c = counts.get(g);
      if (!c) counts.set(g, (c = new Float64Array(k)));
      c[l]!++;
      totals[l]!++;
    }
  }
  const vocab = counts.size;
  const denom = totals.map((t) => Math.log(t + ALPHA * (vocab + 1)));
  const logp = new Map<string, Float64Array>();
  for (const [g, c] of counts)
    logp.set(
      g,
      c.map((x, l) => Math.log(x + ALPHA) - denom[l]!),
    );
  const unseen = denom.map((d) => Math.log(ALPHA) - d);
  const prior = docs.map((d) => Math.log(d / corpus.length));
  return { labels, logp, unseen, prior, scratch: new Float64Array(k) };
}

/** Posterior per label (adds up to 1), best first; [] when no n-gram of the message was seen in training. */
export function runNgrams(model: NgramModel, grams: readonly string[]): { label: string; score: number }[] {
  const k = model.labels.length;
  const s = model.scratch;
  s.fill(0);
  let seen = 0;
  let n = 0;
  for (const g of new Set(grams)) {
    n++;
    const row = model.logp.get(g);
    if (row) seen++;
    const r = row ?? model.unseen;
    for (let l = 0; l < k; l++) s[l]! += r[l]!;
  }
  if (seen === 0) return [];
  return posterior(model, s, n);
}

/**
 * The n-gram models of one language laid out for speed: one index over every n-gram any of them
 * learnt (a message's n-grams are looked up once, whichever models read it), and per model a dense
 * table of log-probabilities by that index. Same arithmetic as {@link runNgrams}.
 */
export interface GramIndex {
  ids: Map<string, number>;
  /** Per marked word seen in messages: its n-grams' ids and the n-grams no model learnt (bounded: {@link WORDS_KEPT}). */
  words: Map<string, { ids: Int32Array; unknown: readonly string[] }>;
  /** Scratch: stamp[id] === stampNow when the id is already in the message being read. */
  stamp: Uint32Array;
  stampNow: number;
}

/** How many distinct marked words an index keeps the n-gram ids of (a vocabulary; a new word past it is just read anew). */
const WORDS_KEPT = 50_000;

export interface DenseNgrams {
  labels: string[];
  /** logp[id * k + label]; an n-gram this model never saw holds its `unseen` values. */
  logp: Float64Array;
  /** 1 where this model saw the n-gram. */
  seen: Uint8Array;
  unseen: Float64Array;
  prior: Float64Array;
  scratch: Float64Array;
}

export function indexGrams(models: readonly NgramModel[]): GramIndex {
  const ids = new Map<string, number>();
  for (const m of models) for (const g of m.logp.keys()) if (!ids.has(g)) ids.set(g, ids.size);
  return { ids, words: new Map(), stamp: new Uint32Array(ids.size), stampNow: 0 };
}

export function densify(model: NgramModel, index: GramIndex): DenseNgrams {
  const k = model.labels.length;
  const logp = new Float64Array(index.ids.size * k);
  const seen = new Uint8Array(index.ids.size);
  for (const [g, id] of index.ids) {
    const row = model.logp.get(g);
    if (row) seen[id] = 1;
    logp.set(row ?? model.unseen, id * k);
  }
  return { labels: model.labels, logp, seen, unseen: model.unseen, prior: model.prior, scratch: new Float64Array(k) };
}

/** A message's distinct n-grams as ids of the index, and how many it has that no model learnt. */
export interface GramIds {
  ids: Int32Array;
  unknown: number;
}

/** The ids of one marked word's n-grams (each once, in order) and those not in the index. */
function wordIds(index: GramIndex, w: string): { ids: Int32Array; unknown: readonly string[] } {
  const hit = index.words.get(w);
  if (hit) return hit;
  const ids: number[] = [];
  const unknown: string[] = [];
  for (const g of new Set(wordGrams(w, []))) {
    const id = index.ids.get(g);
    if (id === undefined) unknown.push(g);
    else ids.push(id);
  }
  const out = { ids: Int32Array.from(ids), unknown };
  if (index.words.size < WORDS_KEPT) index.words.set(w, out);
  return out;
}

/**
 * A message's distinct n-grams (of its marked words, {@link markedWord}) as ids of the index, in
 * the order first met, and how many distinct ones no model learnt. Each word's n-grams are looked
 * up once and kept: a message costs a lookup per word, not per n-gram.
 */
export function idsOf(index: GramIndex, words: readonly string[]): GramIds {
  if (++index.stampNow === 0xffffffff) {
    index.stamp.fill(0);
    index.stampNow = 1;
  }
  const now = index.stampNow;
  const ids: number[] = [];
  let unknownSeen: Set<string> | null = null;
  for (const w of words) {
    const r = wordIds(index, w);
    for (let i = 0; i < r.ids.length; i++) {
      const id = r.ids[i]!;
      if (index.stamp[id] === now) continue;
      index.stamp[id] = now;
      ids.push(id);
    }
    for (const g of r.unknown) (unknownSeen ??= new Set()).add(g);
  }
  return { ids: Int32Array.from(ids), unknown: unknownSeen?.size ?? 0 };
}

/** {@link runNgrams} over a message's ids: the same scores. */
export function runDense(model: DenseNgrams, grams: GramIds): { label: string; score: number }[] {
  const k = model.labels.length;
  const s = model.scratch;
  s.fill(0);
  let seen = 0;
  const n = grams.ids.length + grams.unknown;
  for (let i = 0; i < grams.ids.length; i++) {
    const id = grams.ids[i]!;
    seen += model.seen[id]!;
    const at = id * k;
    for (let l = 0; l < k; l++) s[l]! += model.logp[at + l]!;
  }
  if (seen === 0) return [];
  for (let l = 0; l < k; l++) s[l]! += grams.unknown * model.unseen[l]!;
  return posterior(model, s, n);
}

/** The summed log-likelihoods of a message's n grams (in `s`), averaged, sharpened and with the prior, as scores adding up to 1, best first. */
function posterior(model: { labels: string[]; prior: Float64Array }, s: Float64Array, n: number): { label: string; score: number }[] {
  const k = model.labels.length;
  let max = -Infinity;
  for (let l = 0; l < k; l++) {
    s[l] = (s[l]! / n) * SHARPNESS + model.prior[l]! / n;
    if (s[l]! > max) max = s[l]!;
  }
  let total = 0;
  for (let l = 0; l < k; l++) {
    s[l] = Math.exp(s[l]! - max);
    total += s[l]!;
  }
  const out: { label: string; score: number }[] = [];
  for (let l = 0; l < k; l++) out.push({ label: model.labels[l]!, score: s[l]! / total });
  return bestFirst(out);
}

/**
 * Sorts scores best first, in place (stable). An insertion sort: a classification has a few dozen
 * labels at most, and Array.prototype.sort allocates a work array on every call.
 */
export function bestFirst<T extends { score: number }>(xs: T[]): T[] {
  for (let i = 1; i < xs.length; i++) {
    const x = xs[i]!;
    let j = i - 1;
    while (j >= 0 && xs[j]!.score < x.score) {
      xs[j + 1] = xs[j]!;
      j--;
    }
    xs[j + 1] = x;
  }
  return xs;
}
