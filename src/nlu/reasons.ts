/**
 * The reason for a return, from the customer's own words.
 */
import type { FaultCause, ReturnReason } from '../policy/case.js';
import { cues, positive, type Cue } from './cues.js';
import { faultLists, readFault } from './fault.js';
import { lexicon, type Lang, type Lexicon } from './lexicon.js';
import { BREAK, coverage, findAll, isNegated, normalize, type Norm } from './text.js';

export interface ReasonReading {
  reason: ReturnReason;
  /** The message mentions a fault (for change of mind: "…and it's also a bit faulty"). */
  mentionsFault: boolean;
  /** Only when the message states the cause ("I dropped it and now it's broken" → accident). */
  faultCause?: FaultCause;
}

const TRANSIT_DISTANCE = 6;

/** Physical damage tied to the delivery ("it was broken when it arrived", "the box was crushed"). */
function damageOnArrival(n: Norm, lex: Lexicon, cs: readonly Cue[]): boolean {
  const R = lex.reasons;
  const covered = coverage(n, cs);
  const live = (list: typeof R.damageWords) => findAll(n, list).filter((m) => !isNegated(n, m, covered, lex.neg));
  const damage = live(R.damageWords);
  if (damage.length === 0) return false;
  const context = live(R.transitContext);
  const gaps = new Set(findAll(n, R.timeGap).map((m) => m.start));
  for (const d of damage) {
    for (const c of context) {
      const [a, b] = d.start < c.start ? [d, c] : [c, d];
      if (b.start - a.end > TRANSIT_DISTANCE) continue;
      let ok = true;
      for (let i = a.end; i < b.start; i++) if (n.tokens[i] === BREAK || gaps.has(i)) ok = false;
      if (ok) return true;
    }
  }
  return false;
}

export function reasonOf(n: Norm, lex: Lexicon): ReasonReading | null {
  const R = lex.reasons;
  const cs = cues(n, lex, [R['change-of-mind'], R['change-of-mind-weak'], R.faulty, R.misdescribed, R['transit-damage'], ...faultLists(lex)]);
  const fault = readFault(cs, lex);
  const mentionsFault = fault.mentionsFault || positive(cs, R.faulty);
  const withCause = (reading: ReasonReading): ReasonReading => (mentionsFault && fault.stated ? { ...reading, faultCause: fault.stated } : reading);
  if (positive(cs, R['transit-damage']) || damageOnArrival(n, lex, cs)) return { reason: 'transit-damage', mentionsFault };
  if (positive(cs, R.misdescribed)) return { reason: 'misdescribed', mentionsFault };
  if (positive(cs, R['change-of-mind'])) return withCause({ reason: 'change-of-mind', mentionsFault });
  if (mentionsFault) return withCause({ reason: 'faulty', mentionsFault });
  if (positive(cs, R['change-of-mind-weak'])) return { reason: 'change-of-mind', mentionsFault: false };
  return null;
}

/**
 * The reason in the customer's words: "it won't turn on" → faulty, "the box was crushed" →
 * transit-damage, "you sent the wrong model" → misdescribed, "I changed my mind" → change-of-mind.
 * Null when the message gives no reason.
 */
export function classifyReason(text: string, lang: Lang): ReasonReading | null {
  const lex = lexicon(lang);
  return reasonOf(normalize(text, lex.maps), lex);
}
