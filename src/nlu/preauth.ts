/**
 * The manufacturer's pre-authorisation number, or "none".
 */
import { cues } from './cues.js';
import { extractReference } from './identity.js';
import { lexicon, type Lang } from './lexicon.js';
import { normalize } from './text.js';
import { readYesNo } from './yesno.js';

/**
 * The pre-authorisation number the customer gives ("MP-123456", "it's 778812"), 'none' when they
 * have none ("no", "I don't have one", "no tengo"), null otherwise ("yes" alone: ask for the number).
 */
export function parsePreauth(text: string, lang: Lang): 'none' | string | null {
  const ref = extractReference(text);
  if (ref) return ref;
  const lex = lexicon(lang);
  const n = normalize(text, lex.maps);
  if (n.tokens.length === 0) return null;
  const r = readYesNo(n, lex);
  if (r.whole === false || r.particle === false) return 'none';
  if (r.dontKnow) return null;
  const cs = cues(n, lex, [lex.preauthNone]);
  if (cs.some((c) => c.list === lex.preauthNone.name && !c.negated)) return 'none';
  if (r.negativeStart) return 'none';
  return null;
}
