/**
 * Commands a customer may type at any step: ask for a person, cancel, start again, help.
 */
import { LANGS, lexicon, type Lang, type Lexicon } from './lexicon.js';
import { findAll, isNegated, isWhole, normalize, coverage, trimFillers } from './text.js';

export type Command = 'human' | 'cancel' | 'restart' | 'help';

/** A message longer than this is no single command of another language. */
const OTHER_LANGUAGE_MAX = 40;

/** Most important first: a request for a person wins over anything else in the same message. */
const ORDER: readonly Command[] = ['human', 'restart', 'cancel', 'help'];

function commandIn(text: string, lex: Lexicon, anywhere: boolean): Command | null {
  const n = normalize(text, lex.maps);
  if (n.tokens.length === 0) return null;
  const trimmed = trimFillers(n, lex.fillers);
  for (const c of ORDER) if (isWhole(trimmed, lex.commands[c].whole)) return c;
  if (!anywhere) return null;
  const found = ORDER.flatMap((c) => findAll(n, lex.commands[c].anywhere).map((m) => ({ ...m, command: c })));
  if (found.length === 0) return null;
  const covered = coverage(n, [...found, ...findAll(n, lex.dontKnow)]);
  for (const c of ORDER) {
    if (found.some((m) => m.command === c && !isNegated(n, m, covered, lex.neg))) return c;
  }
  return null;
}

/**
 * 'human' ("talk to a person", "agent!!"), 'cancel' ("cancel", "forget it"), 'restart' ("start
 * again"), 'help', or null for an ordinary answer ("no", "it stopped working", "cancel my order").
 * Single-word commands of the other language are understood too ("cancel" in Spanish).
 */
export function detectCommand(text: string, lang: Lang): Command | null {
  const own = commandIn(text, lexicon(lang), true);
  if (own) return own;
  // Another language's commands count only as the whole message ("cancel", "agente"): a long text is none.
  if (text.length > OTHER_LANGUAGE_MAX) return null;
  for (const other of LANGS) {
    if (other === lang) continue;
    const c = commandIn(text, lexicon(other), false);
    if (c) return c;
  }
  return null;
}
