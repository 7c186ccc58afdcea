/**
 * Which order line the customer means: by name, category, ordinal ("the second one") or SKU.
 */
import type { Category } from '../policy/case.js';
import { lexicon, type Lang, type Lexicon } from './lexicon.js';
import { BREAK, findAll, fold, fromTokens, normalize, test, trimFillers, type Norm } from './text.js';
import { parseYesNo } from './yesno.js';

export interface ItemRef {
  name: string;
  category: Category | string;
  sku: string;
}

const stem = (w: string) => (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w);
const compactSku = (s: string) => fold(s).replace(/[^a-z0-9]/g, '');

/** "the second one", "2", "#2", "el segundo", "last" → 0-based index (or -1 for last). */
function ordinalOf(n: Norm, lex: Lexicon): number | null {
  const trimmed = trimFillers(n, lex.items.fillers);
  const key = trimmed.tokens.join(' ');
  const direct = lex.items.ordinals.get(key);
  if (direct !== undefined) return direct - 1;
  if (trimmed.tokens.length > 0 && findAll(trimmed, lex.items.last).some((m) => m.start === 0 && m.end === trimmed.tokens.length)) return -1;
  // "the second one", "the 2nd item": an ordinal followed by a filler word.
  if (trimmed.tokens.length === 2) {
    const first = trimmed.tokens[0] ?? '';
    const v = lex.items.ordinals.get(first);
    if (v !== undefined && lex.items.stopwords.has(trimmed.tokens[1] ?? '')) return v - 1;
  }
  return null;
}

function synonymGroups(n: Norm, lex: Lexicon): Set<number> {
  const out = new Set<number>();
  lex.items.nameSynonyms.forEach((g, i) => {
    if (test(n, g)) out.add(i);
  });
  return out;
}

function categoriesIn(n: Norm, lex: Lexicon): Set<string> {
  const out = new Set<string>();
  for (const { category, list } of lex.items.categories) if (test(n, list)) out.add(category);
  return out;
}

interface Scored {
  index: number;
  score: number;
}

function scoreItems(n: Norm, items: readonly ItemRef[], lex: Lexicon): Scored[] {
  const text = n.tokens.filter((t) => t !== ',');
  const content = new Set(text.filter((t) => !lex.items.stopwords.has(t)).map(stem));
  const joined = ` ${text.join(' ')} `;
  const compactText = compactSku(text.join(''));
  const textGroups = synonymGroups(n, lex);
  const textCats = categoriesIn(n, lex);
  const vocabulary = itemVocabulary(lex);
  return items.map((item, index) => {
    let score = 0;
    const sku = compactSku(item.sku ?? '');
    if (sku.length >= 3 && compactText.includes(sku)) score += 20;
    const nameNorm = normalize(item.name ?? '', lex.maps);
    const nameTokens = nameNorm.tokens.filter((t) => t !== ',');
    const phrase = nameTokens.join(' ');
    if (phrase && joined.includes(` ${phrase} `)) score += 10;
    // A word of the name that is no common word ("probook", "aero") says more than a kind of thing ("screen").
    for (const t of new Set(nameTokens.filter((t) => !lex.items.stopwords.has(t)).map(stem))) if (content.has(t)) score += vocabulary.has(t) || /^\d+$/.test(t) ? 3 : 6;
    const nameGroups = synonymGroups(nameNorm, lex);
    for (const g of textGroups) if (nameGroups.has(g)) score += 3;
    // "the monitor" never means an item whose name says it is a keyboard.
    if (textGroups.size > 0 && nameGroups.size > 0 && ![...textGroups].some((g) => nameGroups.has(g))) return { index, score: -1 };
    if (textCats.has(item.category)) score += 2;
    return { index, score };
  });
}

/**
 * The index of the item the customer means, or null when none or more than one fits: "the
 * headphones", "Aero 15", "laptop" (notebook), "the second one", "#2", "last", "el segundo", a SKU.
 */
export function matchItem(text: string, items: readonly ItemRef[], lang: Lang): number | null {
  if (items.length === 0) return null;
  const lex = lexicon(lang);
  const n = normalize(text, lex.maps);
  if (n.tokens.length === 0) return null;
  const ord = ordinalOf(n, lex);
  if (ord !== null) {
    const i = ord === -1 ? items.length - 1 : ord;
    if (i >= 0 && i < items.length) return i;
  }
  const scored = scoreItems(fromTokens(n.tokens), items, lex).sort((a, b) => b.score - a.score);
  const [best, second] = scored;
  if (best && best.score > 0 && (!second || second.score < best.score)) return best.index;
  if (items.length === 1 && parseYesNo(text, lang) === true) return 0;
  return null;
}

const vocabularies = new Map<Lang, ReadonlySet<string>>();

/** Every word the item phrase lists use (ordinals, fillers, categories, synonyms). */
function itemVocabulary(lex: Lexicon): ReadonlySet<string> {
  let v = vocabularies.get(lex.lang);
  if (!v) {
    const words = new Set<string>();
    const d = lex.data.items;
    const phrases = [...d.ordinals.flat(), ...d.last, ...d.fillers, ...d.stopwords, ...Object.values(d.categories).flat(), ...d.nameSynonyms.flat()];
    for (const p of phrases) for (const t of normalize(p.replace(/[()|?~*^$+]/g, ' '), lex.maps).tokens) if (t !== BREAK) words.add(t);
    v = words;
    vocabularies.set(lex.lang, v);
  }
  return v;
}

/**
 * True when the message only names an item ("the headphones", "the second one", "Aero 15"): every
 * word is part of an item's name or SKU, or of the item vocabulary (categories, ordinals, fillers).
 */
export function isItemReference(text: string, items: readonly ItemRef[], lang: Lang): boolean {
  const lex = lexicon(lang);
  const n = normalize(text, lex.maps);
  const vocabulary = itemVocabulary(lex);
  const names = new Set<string>();
  for (const item of items) {
    for (const t of normalize(`${item.name ?? ''} ${item.sku ?? ''}`, lex.maps).tokens) names.add(stem(t));
  }
  const words = n.tokens.filter((t) => t !== BREAK);
  return words.length > 0 && words.every((t) => vocabulary.has(t) || names.has(stem(t)) || vocabulary.has(stem(t)));
}

/**
 * The index of the order item a mention said before the order was known names ("the headphones"),
 * in either language (the mention was read before the conversation's language was sure), or null.
 */
export function resolveMention(mention: string, items: readonly ItemRef[]): number | null {
  return matchItem(mention, items, 'en') ?? matchItem(mention, items, 'es');
}
