/**
 * What caused a fault, from the customer's own description, with negation ("I didn't drop it").
 */
import type { FaultCause } from '../policy/case.js';
import { cues, negative, positive, type Cue } from './cues.js';
import { lexicon, type Lang, type Lexicon } from './lexicon.js';
import { normalize, type Norm, type PhraseList } from './text.js';

/** Causes other than a defect, most decisive first (a drop beats a later update). */
const CAUSES = ['accident', 'misuse', 'software', 'wear-and-tear'] as const;

export function faultLists(lex: Lexicon): PhraseList[] {
  const f = lex.faultCauses;
  return [f.defect, f.symptoms, f.accident, f.misuse, f.software, f['wear-and-tear']];
}

export interface FaultReading {
  /** A cause the message states: an accident, misuse, software, wear, or an explicit defect. */
  stated: FaultCause | null;
  /** Something is wrong with the item (a symptom, a defect or a cause of damage). */
  mentionsFault: boolean;
  /** Only symptoms: something is wrong, the cause is not said. */
  symptomOnly: boolean;
}

/** Reads fault cues already found in a message. */
export function readFault(cs: readonly Cue[], lex: Lexicon): FaultReading {
  const f = lex.faultCauses;
  for (const cause of CAUSES) {
    if (positive(cs, f[cause])) return { stated: cause, mentionsFault: true, symptomOnly: false };
  }
  const symptom = positive(cs, f.symptoms);
  if (positive(cs, f.defect)) return { stated: 'defect', mentionsFault: true, symptomOnly: false };
  // The customer rules a cause out ("I didn't drop it", "no se me cayó"): a defect.
  if (CAUSES.some((c) => negative(cs, f[c]))) return { stated: 'defect', mentionsFault: true, symptomOnly: false };
  return { stated: null, mentionsFault: symptom, symptomOnly: symptom };
}

export function faultCauseOf(n: Norm, lex: Lexicon): FaultCause | null {
  const cs = cues(n, lex, faultLists(lex));
  const r = readFault(cs, lex);
  if (r.stated) return r.stated;
  if (r.symptomOnly) return 'defect';
  if (cs.some((c) => c.list === lex.dontKnow.name && !c.negated)) return 'unknown';
  return null;
}

/**
 * The fault cause in the customer's words: "I dropped it" → accident, "it just stopped working, I
 * didn't drop it" → defect, "after a Windows update it crashes" → software, "I don't know" →
 * unknown; null when the message says nothing about it.
 */
export function parseFaultCause(text: string, lang: Lang): FaultCause | null {
  const lex = lexicon(lang);
  return faultCauseOf(normalize(text, lex.maps), lex);
}
