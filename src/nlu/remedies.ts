/**
 * Which of the offered remedies the customer chooses.
 */
import { REMEDIES, type Remedy } from '../policy/pack.js';
import { cues } from './cues.js';
import { lexicon, type Lang } from './lexicon.js';
import { normalize, trimFillers } from './text.js';
import { parseYesNo } from './yesno.js';

/**
 * One of the offered remedies ("my money back" → refund, "a new one" → replacement, "fix it" →
 * repair, "reembolso"), the remedy ids in any language, "the second one" for the second offered;
 * "yes" when only one is offered. Null when none or several fit.
 */
const SPACED_DASH = /\s[-–—]+(?=\s)/g;

export function matchRemedy(text: string, remedies: readonly Remedy[], lang: Lang): Remedy | null {
  if (remedies.length === 0) return null;
  const lex = lexicon(lang);
  // A dash between spaces ends a clause: "no - refund please" chooses a refund, it refuses none.
  const n = normalize(text.replace(SPACED_DASH, ', '), lex.maps);
  if (n.tokens.length === 0) return null;
  const trimmed = trimFillers(n, lex.fillers).tokens.join(' ');
  // The ids themselves, in any language ("refund", "partial-refund").
  for (const r of REMEDIES) if (remedies.includes(r) && trimmed === r.replace('-', ' ')) return r;
  const lists = REMEDIES.map((r) => lex.remedies[r]);
  const cs = cues(n, lex, lists);
  const chosen = new Set<Remedy>();
  for (const c of cs) {
    if (c.negated) continue;
    const r = REMEDIES.find((x) => lex.remedies[x].name === c.list);
    if (r && remedies.includes(r)) chosen.add(r);
  }
  if (chosen.size === 1) return [...chosen][0] ?? null;
  if (chosen.size > 1) return null;
  // "the first one", "2": by position among the offered remedies.
  const tokens = trimFillers(n, lex.items.fillers).tokens;
  const pos = lex.items.ordinals.get(tokens.join(' ')) ?? (tokens.length === 2 ? lex.items.ordinals.get(tokens[0] ?? '') : undefined);
  if (pos !== undefined && pos >= 1 && pos <= remedies.length) return remedies[pos - 1] ?? null;
  if (remedies.length === 1 && parseYesNo(text, lang) === true) return remedies[0] ?? null;
  return null;
}
