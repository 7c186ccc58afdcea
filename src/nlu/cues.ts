/**
 * Cue phrases found in a message, with overlaps resolved (longest wins) and negation marked.
 */
import type { Lexicon } from './lexicon.js';
import { coverage, findAll, isNegated, resolveOverlaps, type Match, type Norm, type PhraseList } from './text.js';

export interface Cue extends Match {
  negated: boolean;
}

/**
 * Every phrase of the lists found in the message. "I don't know" phrases take part too, so their
 * "not" negates nothing after them.
 */
export function cues(n: Norm, lex: Lexicon, lists: readonly PhraseList[]): Cue[] {
  const found: Match[] = [...findAll(n, lex.dontKnow)];
  for (const l of lists) found.push(...findAll(n, l));
  const kept = resolveOverlaps(found);
  const covered = coverage(n, kept);
  return kept.map((m) => ({ ...m, negated: isNegated(n, m, covered, lex.neg) }));
}

export const positive = (cs: readonly Cue[], list: PhraseList): boolean => cs.some((c) => c.list === list.name && !c.negated);
export const negative = (cs: readonly Cue[], list: PhraseList): boolean => cs.some((c) => c.list === list.name && c.negated);
