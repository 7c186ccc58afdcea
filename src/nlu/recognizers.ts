/**
 * Yes/no answers and ordinals read by Microsoft's Recognizers-Text (choice and number models),
 * for English and Spanish: "yeah sure", "👍", "sí", "nop"; "the second one", "el segundo".
 *
 * Used where the phrase lists read nothing, on short messages only: a recognizer reads a whole
 * message, and a long one costs more than one turn's budget (its date-time model costs ~7 ms a
 * message, so dates stay with chrono-node in dates.ts).
 */
import { createRequire } from 'node:module';
import type { Lang } from './lexicon.js';

interface Found {
  start: number;
  end: number;
  text: string;
  resolution: { value?: unknown; score?: number };
}

const require = createRequire(import.meta.url);
const { recognizeBoolean } = require('@microsoft/recognizers-text-choice') as { recognizeBoolean(q: string, culture: string): Found[] };
const { recognizeOrdinal } = require('@microsoft/recognizers-text-number') as { recognizeOrdinal(q: string, culture: string): Found[] };

const CULTURE: Record<Lang, string> = { en: 'en-us', es: 'es-es' };
/** Longer messages are not answers of one word or two. */
const SHORT = 40;
/** A yes/no below this score is a guess ("no" inside "no, no lo abrí" is 0.55: kept). */
const MIN_SCORE = 0.5;

/** true / false when the whole short message is a yes or a no; null otherwise. */
export function recognizedYesNo(text: string, lang: Lang): boolean | null {
  const t = text.trim();
  if (!t || t.length > SHORT) return null;
  const found = recognizeBoolean(t, CULTURE[lang]);
  if (found.length !== 1) return null;
  const [f] = found;
  if (!f || typeof f.resolution.value !== 'boolean' || (f.resolution.score ?? 0) < MIN_SCORE) return null;
  // The yes/no must be most of the message ("yes" in "yes and the box is crushed" is not an answer).
  const rest = (t.slice(0, f.start) + t.slice(f.end + 1)).replace(/[\s\p{P}\p{S}]+/gu, '');
  return rest.length <= 6 ? f.resolution.value : null;
}

/** The ordinal a short message names ("the second one" → 2, "el tercero" → 3), or null. */
export function recognizedOrdinal(text: string, lang: Lang): number | null {
  const t = text.trim();
  if (!t || t.length > SHORT) return null;
  const found = recognizeOrdinal(t, CULTURE[lang]);
  if (found.length !== 1) return null;
  const v = Number(found[0]?.resolution.value);
  return Number.isInteger(v) && v >= 1 && v <= 99 ? v : null;
}
