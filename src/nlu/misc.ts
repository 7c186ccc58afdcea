/**
 * Small helpers for the conversation layer: disputes of a decision, and text normalised for
 * comparing with a button label.
 */
import { cues } from './cues.js';
import { lexicon, type Lang } from './lexicon.js';
import { foldCase, normalize } from './text.js';

/** True when the customer disputes a decision ("that's not fair", "I want to appeal", "no es justo"). */
export function isDispute(text: string, lang: Lang): boolean {
  const lex = lexicon(lang);
  const n = normalize(text, lex.maps);
  return cues(n, lex, [lex.dispute]).some((c) => c.list === lex.dispute.name && !c.negated);
}

/**
 * Text folded for exact comparison with a label: lower case, no accents, punctuation and emoji
 * removed, spaces collapsed ("  Refund! " → "refund", "#2" → "2", "Sí" → "si").
 */
export function normalizeText(text: string): string {
  return foldCase(text)
    .replace(/'/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}
