/**
 * What a message asks for besides slot values — a person, goodbye, a question mid-way, anger, a
 * new return — read by the trained `act` model (model.ts, examples in locales/nlu/train/).
 */
import { ASK_TOPICS, type AskTopic } from '../../machines/commands.js';
import type { Lang } from './lexicon.js';
import { classify, shouted, type Scores } from './model.js';

export type Intent =
  | { kind: 'human' | 'frustrated' | 'cancel' | 'restart' | 'help' | 'goodbye' | 'startReturn' | 'affirm' | 'deny' | 'dontKnow' | 'inform'; confidence: number }
  | { kind: 'ask'; topic: AskTopic; confidence: number };

export interface ActReading {
  /** The most likely act, or null when the model knows none of the words. */
  top: Intent | null;
  /** How much the message sounds like anger ({@link angerOf}), in [0, 1]; read when asked (it costs up to one classification per clause). */
  frustration(): number;
  scores: Scores;
}

const KINDS: Record<string, Intent['kind']> = {
  human: 'human',
  frustrated: 'frustrated',
  cancel: 'cancel',
  restart: 'restart',
  help: 'help',
  goodbye: 'goodbye',
  start_return: 'startReturn',
  affirm: 'affirm',
  deny: 'deny',
  dont_know: 'dontKnow',
  inform: 'inform',
};

function intentOfLabel(label: string, confidence: number): Intent | null {
  if (label.startsWith('ask/')) {
    const topic = ASK_TOPICS.find((t) => t === label.slice(4));
    return topic ? { kind: 'ask', topic, confidence } : null;
  }
  const kind = KINDS[label];
  return kind ? ({ kind, confidence } as Intent) : null;
}

/** The act model's reading of a message. */
export function readActs(text: string, lang: Lang): ActReading {
  const scores = classify(lang, 'act', text);
  const best = scores[0];
  let anger: number | undefined;
  return {
    top: best ? intentOfLabel(best.label, best.score) : null,
    frustration: () => (anger ??= angerOf(text, lang)),
    scores,
  };
}

const angry = (text: string, lang: Lang) => classify(lang, 'anger', text).find((s) => s.label === 'angry')?.score ?? 0;
/** Shouting alone ("I WANT A HUMAN", "agent!!") counts as this much anger. */
const SHOUTING = 0.6;
const CLAUSES = /[,.;!?¡¿]+/;
/** A word said three times running ("agent agent agent", "humano, humano, humano") is insistence: as shouting. */
const REPEATED = /(?<![\p{L}])(\p{L}{3,})(?:[\s,.!]+\1){2}(?![\p{L}])/iu;

/**
 * How angry a message sounds, in [0, 1]: the anger model's score of the whole message or of its
 * angriest clause ("this is useless, I want to talk to someone": the first clause is anger, the
 * second a calm request that would outweigh it), at least SHOUTING when typed in capitals or "!!".
 */
export function angerOf(text: string, lang: Lang): number {
  let score = angry(text, lang);
  if (score < SHOUTING && (shouted(text) || REPEATED.test(text))) score = SHOUTING;
  if (score >= 0.5 || !CLAUSES.test(text)) return score;
  for (const clause of text.split(CLAUSES)) if (clause.trim()) score = Math.max(score, angry(clause, lang));
  return score;
}
