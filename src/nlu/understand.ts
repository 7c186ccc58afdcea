/**
 * One customer message → the commands it carries (machines/commands.ts; anchor: Rasa CALM's
 * dialogue understanding). Pure: no clock, no I/O; everything it needs is in the view.
 *
 * Every slot found is given, whatever the step (an all-in-one opening gives the order number, the
 * proof, the item, the reason, the delivery date and the remedy at once); a slot already known and
 * given again is a `CorrectSlot`. A fact that would reject or refer the return read from a negated,
 * hedged, mixed or indirect phrasing is given below `CONFIDENT`, so the machine checks it first.
 */
import { CONFIDENT, UNSURE, type Command, type ProofCandidate, type Slot, type SlotValue } from '../../machines/commands.js';
import type { Step } from '../../machines/types.js';
import { BOOLEAN_CONDITION_FIELDS, FAULT_CAUSES, REASONS, type BooleanConditionField, type FaultCause, type LocalDate, type ReturnReason } from '../policy/case.js';
import { REMEDIES, type Remedy } from '../policy/pack.js';
import { detectCommand } from './commands.js';
import { detectCorrection, notThisTokens } from './corrections.js';
import { parseDate } from './dates.js';
import { parseFaultCause } from './fault.js';
import { extractOrderNumber, extractReference, proofCandidates } from './identity.js';
import { readActs, type ActReading } from './intents.js';
import { recognizedOrdinal, recognizedYesNo } from './recognizers.js';
import { classify, knowsContent, type Scores } from './model.js';
import { matchItem } from './items.js';
import { languageOf, lexicon, personWords, type Lang, type Lexicon } from './lexicon.js';
import { parsePreauth } from './preauth.js';
import { classifyReason, type ReasonReading } from './reasons.js';
import { matchRemedy } from './remedies.js';
import {
  BREAK,
  coverage,
  findAll,
  fold,
  fromTokens,
  isNegated,
  MAY_HOLD_CODE,
  normalize,
  resolveOverlaps,
  slice,
  trimFillers,
  withoutCodes,
  withoutShapes,
  type Match,
  type Norm,
  type PhraseList,
} from './text.js';
import { isDontKnow, parseYesNo, readYesNo } from './yesno.js';

export interface UnderstandView {
  /** 'en-US' | 'en-GB' | 'es-US' */
  locale: string;
  /** The pending question's step; null before the first question / after an end. */
  step: Step | null;
  today: LocalDate;
  dateOrder: 'DMY' | 'MDY';
  /** The verified order's items ([] before one is verified); the category lets "the laptop" name a notebook called "ProBook 14". */
  items: readonly { sku: string; name: string; category?: string }[];
  /** The remedies the current decision allows ([] before a decision). */
  remedies: readonly Remedy[];
  /** Slots already known (a new value for one of them is a CorrectSlot). */
  filled: readonly Slot[];
}

/** Confidence of a plain, direct reading by a rule. */
const DIRECT = 0.95;
/** Confidence of a reading from a negated, mixed or indirect phrasing (checked before it rejects). */
const INDIRECT = 0.7;
/** Confidence of a hedged answer ("erm yes, a bit"). */
const HEDGED = 0.6;

/** The value of each yes/no fact that may reject or refer the return (CONTRACT section 4). */
const ADVERSE: Record<BooleanConditionField, boolean> = {
  packagingOpened: true,
  sealBroken: true,
  activationStripDamaged: true,
  used: true,
  allAccessories: false,
  originalPackaging: false,
  serialLabelIntact: false,
  upcPresent: false,
  physicalDamage: true,
  tampered: true,
  rebateClaimed: true,
  softwareClaimed: true,
  originalOsIntact: false,
};
const ADVERSE_CAUSES: ReadonlySet<FaultCause> = new Set(['accident', 'misuse', 'software', 'wear-and-tear']);

const isBooleanField = (s: Step | null): s is BooleanConditionField => s !== null && (BOOLEAN_CONDITION_FIELDS as readonly string[]).includes(s);
/** A question about the item's condition (a yes/no fact, what happened, the pre-authorisation). */
const isConditionStep = (s: Step | null): boolean => isBooleanField(s) || s === 'faultCause' || s === 'manufacturerPreauth';

/** True when a reading of this slot value would reject or refer the return. */
export function isAdverse(v: SlotValue): boolean {
  if (v.slot === 'faultCause') return ADVERSE_CAUSES.has(v.value);
  if ((BOOLEAN_CONDITION_FIELDS as readonly string[]).includes(v.slot)) return ADVERSE[v.slot as BooleanConditionField] === v.value;
  return false;
}

/** What the message says about its own certainty: negations, hedges. */
interface Tone {
  negated: boolean;
  hedged: boolean;
  /** Hedged only by words that play the fact down ("for a bit", "un poco"): no hedge after a yes or a no. */
  degreeOnly: boolean;
}

function toneOf(n: Norm, lex: Lexicon): Tone {
  const negated = n.tokens.some((t) => lex.neg.negators.has(t)) || n.tokens.some((t) => /n'?t$/.test(t) && t.length > 3);
  const degrees = findAll(n, lex.yesNo.degrees);
  const byDegree = (m: Match) => degrees.some((d) => d.start <= m.start && m.end <= d.end);
  const hedges = findAll(n, lex.yesNo.hedges);
  const doubt =
    hedges.some((m) => !byDegree(m)) ||
    findAll(n, lex.yesNo.unsure).length > 0 ||
    n.tokens.some((t, i) => HEDGE_WORDS.has(t) && !(t === 'uh' && n.tokens[i + 1] === 'huh')) ||
    MINIMISED.test(n.tokens.join(' '));
  const degreeOnly = !doubt && hedges.length > 0;
  return { negated, hedged: doubt || degreeOnly, degreeOnly };
}
/**
 * "I only switched it on once to check it works", "solo me los probé una vez para ver cómo
 * sonaban": a fact played down, said as trying the item out; checked before it rejects.
 */
const MINIMISED =
  /\b(?:only|just|barely|solo|solamente|apenas|nada mas)\b[^.,;!?]{0,40}\b(?:once|one time|briefly|to (?:check|test|see|try)|una vez|un momento|para (?:ver|probar|comprobar|revisar))\b|\b(?:once|una vez)\b[^.,;!?]{0,25}\b(?:to (?:check|test|see)|para (?:ver|probar|comprobar|revisar))\b/;
const HEDGE_WORDS: ReadonlySet<string> = new Set(['erm', 'might', 'um', 'umm', 'uh', 'hmm', 'er', 'eh', 'bueno', 'creo', 'quizas', 'quiza']);

/** A pre-authorisation is named ("pre-auth", "authorisation number", "autorización"). */
const PREAUTH_WORD = /\b(pre[\s-]?auth\w*|authori[sz]ation|autorizaci\w*|preautorizaci\w*)\b/i;
/** A proof is named before a number ("zip 33101", "my zip code is 33101", "código postal"). */
const PROOF_WORD = /\b(zip|zipcode|post\s?code|postal|c[oó]digo postal|cp)\b/i;
/** "only six weeks old", "solo tiene dos meses": the age rules wear and tear out, it does not state it. */
const YOUNG = /\b(only|just|barely|less than|not even|solo|apenas|solamente)\b[^.,;]{0,20}\b(days?|weeks?|months?|dias?|semanas?|mes|meses)\b/;
const UNDECIDED = /^\W*(maybe|perhaps|possibly|not sure|depends|it depends|unclear|either|both|yes and no|yes or no|quizas?|tal vez|depende|no se)\W*$/;
const SUBJECT = /\b(?:the|my|this|el|la|mi|los|las|mis)\s+([a-z]{3,}(?:\s[a-z]{3,})?)\s+(?:arrived|came|is|was|has|had|stopped|keeps|does|will|broke|llego|esta|estaba|no|dejo|se)\b/;
const CODE = /(?<![A-Za-z0-9@.])[A-Z]{2,4}-\d{4,8}(?![0-9])/;
const PREFIXED_ORDER = /[a-z]{2,4}[\s#-]*\d{4,8}/i;

interface Builder {
  out: Command[];
  filled: ReadonlySet<Slot>;
}

function put(b: Builder, v: SlotValue, confidence: number, opts: { hedged?: boolean; correct?: boolean } = {}): void {
  if (b.out.some((c) => (c.type === 'SetSlot' || c.type === 'CorrectSlot') && c.slot === v.slot)) return;
  const type = opts.correct || b.filled.has(v.slot) ? 'CorrectSlot' : 'SetSlot';
  const cmd = { type, confidence, ...v, ...(opts.hedged ? { hedged: true } : {}) } as Command;
  b.out.push(cmd);
}

let lastShapeless = { text: '', plain: '' };

/**
 * The text the reason and cause models read: without order numbers and e-mails, whose letters
 * ("us", "example", "com") say nothing about why the item goes back. Kept for the message's readers.
 */
function shapeless(said: string): string {
  if (lastShapeless.text !== said) lastShapeless = { text: said, plain: withoutShapes(said) };
  return lastShapeless.plain;
}

/** A product name as typed: a CamelCase word ("ProBook", "UltraView"), with the number after it. */
const PRODUCT_NAME = /\b[A-Z][a-z]+[A-Z][A-Za-z]*(?:\s\d{1,4}\b)?/;

const AND_WORDS: ReadonlySet<string> = new Set(['and', '&', 'plus', 'y', 'e']);

function mentionOf(n: Norm, lex: Lexicon, said: string, trailing = false): string | null {
  // "Both the headphones and the laptop": two items named together, neither is the one (the item question asks).
  // (A phrase two categories share, "memory card" and "memory", is one item; so is "laptop screen".)
  const named = lex.items.categories.flatMap(({ category, list }) => findAll(n, list).map((m) => ({ category, ...m })));
  const joined = (a: Match, b: Match) => b.start > a.end && b.start - a.end <= 3 && n.tokens.slice(a.end, b.start).some((t) => AND_WORDS.has(t));
  if (named.some((a) => named.some((b) => a.category !== b.category && joined(a, b)))) return null;
  // A model's name as typed in lower case ("my probook 14 won't boot, just a black screen"): it goes with
  // what the category words name, so the verifier finds the ProBook, not the monitor "screen" names.
  const model = MODEL_NAME.exec(fold(withoutCodes(said)))?.[1];
  for (const { list } of lex.items.categories) {
    const m = findAll(n, list)[0];
    if (m) return [model, n.tokens.slice(m.start, m.end).join(' ')].filter(Boolean).join(' ');
  }
  for (const g of lex.items.nameSynonyms) {
    const m = findAll(n, g)[0];
    if (m) return n.tokens.slice(m.start, m.end).join(' ');
  }
  // "the kettle arrived broken", "mi tostadora llegó rota": a noun before what happened to it.
  const subject = SUBJECT.exec(n.tokens.join(' '))?.[1];
  if (subject && namesSomething(subject, lex)) return subject;
  // A product's own name ("my ProBook 14 keeps shutting down", "the UltraView"): the verifier
  // matches it against the order's items, or finds nothing.
  const product = PRODUCT_NAME.exec(withoutCodes(said))?.[0];
  if (product) return product;
  // "IMP-500017 lee@example.com the probook": a name the lexicon does not know, ending the message
  // (for the verifier only, which finds it among the order's items or not at all).
  if (!trailing) return null;
  const last = TRAILING_NAME.exec(fold(withoutCodes(said)))?.[1];
  // "my order number is UK-100234" names no item: words every message has are no name.
  return last && namesSomething(last, lex) ? last : null;
}

/** Words that end an opening without naming an item ("my email is", "my postcode"). */
const NOT_NAMES: ReadonlySet<string> = new Set(['number', 'email', 'mail', 'postcode', 'zip', 'code', 'address', 'correo', 'pedido', 'numero', 'codigo', 'postal', 'es']);

/** "my order number is …", "my email is …" name no item: words every message has, or the order's details, are no name. */
const namesSomething = (words: string, lex: Lexicon) => !words.split(' ').some((w) => lex.items.stopwords.has(w) || NOT_NAMES.has(w));

/** A word and a model number ("probook 14", "aero 15"). */
const MODEL_NAME = /\b([a-z][a-z]{3,}\s\d{1,4})\b/;

/** A determiner and up to three words ending the message: the item a customer names last. */
const TRAILING_NAME = /\b(?:the|my|el|la|mi|los|las|mis)\s+([a-z][a-z0-9]{2,}(?:\s[a-z0-9]+){0,2})[\s.!]*$/;

/** An item named outside the item step: matched by words of its name or SKU, never by "yes" or "the second". */
function namedItem(text: string, n: Norm, items: UnderstandView['items'], lang: Lang, lex: Lexicon): number | null {
  if (items.length === 0) return null;
  const refs = items.map((i) => ({ name: i.name, sku: i.sku, category: '' }));
  const index = matchItem(text, refs, lang);
  if (index === null) return null;
  const said = new Set(n.tokens);
  const item = items[index];
  if (!item) return null;
  const own = normalize(`${item.name} ${item.sku}`, lex.maps).tokens.filter((t) => !lex.items.stopwords.has(t) && t.length > 2);
  if (
    own.some((t) => said.has(t)) ||
    fold(text)
      .replace(/[^a-z0-9]/g, '')
      .includes(fold(item.sku).replace(/[^a-z0-9]/g, ''))
  )
    return index;
  // A synonym ("the laptop" for "Aero 15 notebook").
  const groups = lex.items.nameSynonyms.filter((g) => findAll(n, g).length > 0);
  const nameN = normalize(item.name, lex.maps);
  return groups.some((g) => findAll(nameN, g).length > 0) ? index : null;
}

function ordinalOnly(n: Norm, lex: Lexicon): boolean {
  const tokens = trimFillers(n, lex.items.fillers).tokens;
  return lex.items.ordinals.has(tokens.join(' ')) || (tokens.length === 2 && lex.items.ordinals.has(tokens[0] ?? ''));
}

interface FieldReading {
  value: boolean;
  /** Every phrase read for it is also a phrase of an earlier field ("opened the case": packaging, not tampering). */
  shared: boolean;
  /** A phrase of two words or more (a volunteered fact needs one; a bare "fine" does not count). */
  strong: boolean;
  /** A phrase read for it was negated (its value is the phrase's opposite). */
  negated: boolean;
}

/**
 * The yes/no facts a sentence states, per field. A phrase that reads as two fields belongs to the
 * first one in the contract's order ("I opened the case" is packaging opened, never tampering).
 */
function conditionReadings(n: Norm, lex: Lexicon): Map<BooleanConditionField, FieldReading> {
  const out = new Map<BooleanConditionField, FieldReading>();
  const dk = findAll(n, lex.dontKnow);
  const earlier: Match[] = [];
  for (const f of BOOLEAN_CONDITION_FIELDS) {
    const c = lex.conditions[f];
    const found = [...findAll(n, c.true), ...findAll(n, c.false), ...findAll(n, c.trueOnly), ...findAll(n, c.falseOnly)];
    if (found.length === 0) continue;
    const ms = resolveOverlaps([...found, ...dk]).filter((m) => m.list !== lex.dontKnow.name);
    if (ms.length === 0) continue;
    const covered = coverage(n, [...ms, ...dk]);
    const overlaps = (m: Match) => earlier.some((e) => m.start < e.end && e.start < m.end);
    let t = 0;
    let fl = 0;
    let anyNegated = false;
    for (const m of ms) {
      const negated = isNegated(n, m, covered, lex.neg);
      anyNegated ||= negated;
      if (m.list === c.true.name) {
        if (negated) fl++;
        else t++;
      } else if (m.list === c.false.name) {
        if (negated) t++;
        else fl++;
      } else if (m.list === c.trueOnly.name && !negated) t++;
      else if (m.list === c.falseOnly.name && !negated) fl++;
    }
    const shared = ms.every(overlaps);
    earlier.push(...ms);
    if (t > 0 === fl > 0) continue;
    out.set(f, { value: t > 0, shared, strong: ms.some((m) => m.end - m.start >= 2), negated: anyNegated });
  }
  return out;
}

/** Facts volunteered in a sentence ("I haven't opened it", "the seal is broken"). */
function conditionFacts(b: Builder, readings: Map<BooleanConditionField, FieldReading>, tone: Tone, except: BooleanConditionField | null): void {
  for (const [f, r] of readings) {
    // "The seal is intact", "still sealed": a phrase of the packaging that says the seal is unbroken
    // too (a seal cannot be broken in packaging never opened); the other shared phrases stay the first field's.
    const sealToo = f === 'sealBroken' && r.value === false && readings.get('packagingOpened')?.value === false;
    if (f === except || (r.shared && !sealToo) || !r.strong) continue;
    const v = { slot: f, value: r.value } as SlotValue;
    const adverse = isAdverse(v);
    put(b, v, adverse && (tone.negated || tone.hedged) ? INDIRECT : adverse ? 0.85 : DIRECT, tone.hedged && adverse ? { hedged: true } : {});
  }
}

/** An act is taken from the model at or above this score. */
const ACT_MIN = 0.5;
/** Cancel and restart end or reset the conversation: the model alone must be surer, on a short message. */
const ACT_DESTRUCTIVE = 0.8;
const SHORT_MESSAGE = 6;
/** An anger score this high marks a request for a person as said in anger. */
const ANGER = 0.5;
/** A message of any length this angry, that gives nothing else to act on, is `Frustrated`. */
const ANGER_HEARD = 0.7;
/** A short message this angry, with no other act, is `Frustrated` on its own. */
const ANGER_ALONE = 0.8;
/** The act model's yes or no is taken where the rules read none at this score or more. */
const ACT_YES_NO = 0.9;

interface ActInput {
  said: string;
  n: Norm;
  lang: Lang;
  lex: Lexicon;
  step: Step | null;
  acts: ActReading | null;
  /** No order number and no proof in the message. */
  noShapes: boolean;
}

/** "can I cancel the return later?", "¿se puede cancelar después?": a question about cancelling, which ends nothing. */
const CANCEL_QUESTION = /\b(can i|could i|is it possible|am i able|will i be able|what if|if i|later|afterwards|puedo|se puede|podria|despues|luego|si me arrepiento|si cambio)\b/;
function asksAboutCancelling(said: string): boolean {
  const t = fold(said);
  return CANCEL_QUESTION.test(t) || (/[?¿]/.test(said) && !/^\W*(cancel|cancelar)\W*$/.test(t));
}

function actCommands(b: Builder, a: ActInput): void {
  const command = detectCommand(a.said, a.lang);
  const top = a.acts?.top && a.acts.top.confidence >= ACT_MIN ? a.acts.top : null;
  const frustrated = () => (a.acts?.frustration() ?? 0) >= ANGER;
  const person = mentionsPerson(a.n, a.lang, a.lex);
  const words = a.n.tokens.filter((t) => t !== ',').length;
  const handoff = (confidence: number, angry: () => boolean): Command => (angry() ? { type: 'HumanHandoff', confidence, frustrated: true } : { type: 'HumanHandoff', confidence });
  if (top?.kind === 'goodbye' && (command === 'cancel' || command === null)) {
    b.out.push({ type: 'Goodbye', confidence: top.confidence });
  } else if (top?.kind === 'ask' && (command === 'cancel' || command === 'help')) {
    // "can I cancel the return later?" asks; it does not cancel.
    b.out.push({ type: 'Ask', topic: top.topic, confidence: top.confidence });
  } else if (command === 'human') b.out.push(handoff(DIRECT, frustrated));
  else if (command === 'cancel' && asksAboutCancelling(a.said)) b.out.push({ type: 'Ask', topic: 'cancelReturn', confidence: DIRECT });
  else if (command === 'cancel') b.out.push({ type: 'Cancel', confidence: DIRECT });
  else if (command === 'restart') b.out.push({ type: 'Restart', confidence: DIRECT });
  else if (command === 'help') b.out.push({ type: 'Help', confidence: DIRECT });
  else if (top?.kind === 'human') b.out.push(handoff(frustrated() ? Math.min(0.99, top.confidence + scoreOf(a.acts?.scores, 'frustrated')) : top.confidence, frustrated));
  else if (a.step === 'verify' && a.noShapes && person) b.out.push(handoff(CONFIDENT, frustrated));
  // Angry and naming a person ("ugh this is taking ages, just get me someone"): the anger and the
  // request are one ask for a person, as sure as both readings together.
  else if (top?.kind === 'frustrated') b.out.push(person ? handoff(Math.min(0.99, top.confidence + scoreOf(a.acts?.scores, 'human')), () => true) : { type: 'Frustrated', confidence: top.confidence });
  // Asked why, "actually, I've changed my mind" is the reason (a change of mind), not "cancel"; asked
  // what happened, "it just stopped" is what happened. Asked about the item's condition, "actually I
  // changed my mind" may be either: stop the return, or that is the reason (asked).
  else if (
    top?.kind === 'cancel' &&
    top.confidence >= ACT_DESTRUCTIVE &&
    words <= SHORT_MESSAGE &&
    a.noShapes &&
    !(a.step === 'reason' && ruleReason(a.said, a.lang)?.reason === 'change-of-mind') &&
    !(a.step === 'faultCause' && parseFaultCause(a.said, a.lang) !== null)
  ) {
    if (isConditionStep(a.step) && ruleReason(a.said, a.lang)?.reason === 'change-of-mind') {
      b.out.push({ type: 'Clarify', slot: 'reason', candidates: [{ slot: 'reason', value: 'change-of-mind', confidence: top.confidence }], orCancel: true });
    } else b.out.push({ type: 'Cancel', confidence: top.confidence });
  } else if (top?.kind === 'restart' && top.confidence >= ACT_DESTRUCTIVE && words <= SHORT_MESSAGE && a.noShapes) b.out.push({ type: 'Restart', confidence: top.confidence });
  else if (top?.kind === 'help' && words <= SHORT_MESSAGE) b.out.push({ type: 'Help', confidence: top.confidence });
  else if (top?.kind === 'ask') b.out.push({ type: 'Ask', topic: top.topic, confidence: top.confidence });
  else if (top?.kind === 'startReturn') b.out.push({ type: 'StartReturn', confidence: top.confidence });
  else if (words <= SHORT_MESSAGE && a.noShapes && (!top || top.kind === 'inform') && (a.acts?.frustration() ?? 0) >= ANGER_ALONE) {
    b.out.push({ type: 'Frustrated', confidence: a.acts?.frustration() ?? 0 });
  }
}

const scoreOf = (scores: Scores | undefined, label: string) => scores?.find((x) => x.label === label)?.score ?? 0;

const ACT_TYPES: ReadonlySet<Command['type']> = new Set(['HumanHandoff', 'Frustrated', 'Cancel', 'Restart', 'Help', 'Ask', 'Goodbye']);

function renormalised(scores: Scores): Scores {
  const total = scores.reduce((t, x) => t + x.score, 0);
  return total > 0 ? scores.map((x) => ({ label: x.label, score: x.score / total })) : [];
}

/** A reason is taken when its score is at least UNSURE and this far ahead of the next reason. */
const REASON_MARGIN = 0.2;
/** A candidate of a clarifying question scores at least this. */
const CANDIDATE_MIN = 0.1;
/** A question read this surely is one: a remedy it names ("how long does the refund take?") is no choice. */
const ASKING = 0.7;
/** At or above this score for "no reason", the answer to the reason question is not weighed as if it must give one. */
const NO_REASON = 0.3;
/** Confidence of a reason the rules read where the model saw none. */
const RULE_FALLBACK = 0.75;

const asReason = (label: string): ReturnReason | null => REASONS.find((r) => r === label) ?? null;

/** The reason a classification gives clearly: at least UNSURE, REASON_MARGIN ahead of the next reason and of "no reason". */
function clearReason(scores: Scores): { label: string; score: number } | null {
  const [best, second] = scores.filter((s) => s.label !== 'none' && s.score >= CANDIDATE_MIN);
  const noneScore = scores.find((x) => x.label === 'none')?.score ?? 0;
  if (!best || scores[0]?.label !== best.label || best.score < UNSURE || best.score - noneScore < REASON_MARGIN) return null;
  return !second || best.score - second.score >= REASON_MARGIN ? best : null;
}

/** Within this of REASON_MARGIN, a model reading that the rules read otherwise is no clear reading. */
const TIE = 0.05;
/** A whole message's clear reason below this score may give way to a clause's (STRONG_CLAUSE or more). */
const WEAK_WHOLE = 0.8;
const STRONG_CLAUSE = 0.95;
/** A reason read from one clause of a longer message is indirect: below CONFIDENT, so a rejecting one is checked. */
const CLAUSE_CONFIDENCE = 0.85;
/** A message is read clause by clause only when it has at least this many clauses of two words or more. */
const MIN_CLAUSES = 2;

/** At most this many clauses (the last ones) of a long story are read one by one. */
const MAX_CLAUSES = 6;
/** Clause breaks: punctuation, and "and"/"but"/"y"/"pero" between two statements. */
const CLAUSE_BREAK = /[,.;:!?¡¿()]+|\s(?:and|but|y|pero)\s/i;

/**
 * The reasons the clauses of a long message give clearly, one per reason, best first; null when
 * the message has fewer than two clauses. A story whose reason is one clause among greetings,
 * order details and a remedy is read by that clause ("hola, …, no es el tamaño que decía la página, prefiero el dinero").
 */
function clauseReason(text: string, lang: Lang): { label: string; score: number }[] | null {
  const clauses = text
    .split(CLAUSE_BREAK)
    .map((c) => c.trim())
    .filter((c) => c.split(/\s+/).length >= 2);
  if (clauses.length < MIN_CLAUSES) return null;
  // A clause that gives an order number or an e-mail ("y el correo lee@…") gives the order's details, not the reason.
  const told = clauses.filter((c) => !MAY_HOLD_CODE.test(c));
  const found = new Map<string, number>();
  for (const c of told.slice(-MAX_CLAUSES)) {
    if (!knowsContent(lang, 'reason', c)) continue;
    const r = clearReason(classify(lang, 'reason', c));
    // A clause that asks for a remedy ("prefiero el dinero") says what should happen, not why.
    if (r && r.score > (found.get(r.label) ?? 0) && !matchRemedy(c, REMEDIES, lang)) found.set(r.label, r.score);
  }
  return [...found].map(([label, score]) => ({ label, score })).sort((a, b) => b.score - a.score);
}

function reasonCommands(b: Builder, said: string, lang: Lang, step: Step | null, tone: Tone, model: boolean, correcting: boolean): void {
  const rule = ruleReason(said, lang);
  const atAnswer = step === 'reason' || step === null;
  let reason: ReturnReason | null = null;
  let confidence = 0;
  if (!model) {
    if (rule) [reason, confidence] = [rule.reason, atAnswer ? DIRECT : 0.85];
  } else {
    const text = courteous(shapeless(said), lang);
    let scores: Scores = knowsContent(lang, 'reason', text) ? classify(lang, 'reason', text) : [];
    // Asked for the reason, a message that is no request or question gives one: weigh the reasons alone.
    // Not when the model is sure the message names no reason at all ("constructor", "it's xyzzy"):
    // weighing what is left would turn a word it never saw into a confident reason.
    const noReason = (scores.find((x) => x.label === 'none')?.score ?? 0) >= NO_REASON;
    if (step === 'reason' && !noReason && !b.out.some((c) => ACT_TYPES.has(c.type))) scores = renormalised(scores.filter((x) => x.label !== 'none'));
    const candidates = scores.filter((s) => s.label !== 'none' && s.score >= CANDIDATE_MIN);
    const [best] = candidates;
    const top = scores[0];
    // Near the margin, the rules break the tie: "my new laptop is broken" is a fault unless it came so.
    // So does a weak reading the rules read otherwise ("my laptop is broken": 0.64 damage in delivery, a fault to the rules).
    const ruleSecond = rule && candidates[1]?.label === rule.reason && ((candidates[0]?.score ?? 0) - candidates[1].score < REASON_MARGIN + TIE || (candidates[0]?.score ?? 0) < WEAK_WHOLE);
    const clear = ruleSecond ? null : clearReason(scores);
    const weak = clear !== null && clear.score < WEAK_WHOLE;
    const inClause = (clear && !weak) || !atAnswer ? null : clauseReason(said, lang);
    const [onlyClause] = inClause?.length === 1 ? inClause : [];
    if (clear && weak && onlyClause && onlyClause.label !== clear.label && onlyClause.score >= STRONG_CLAUSE) {
      // The whole reads one reason weakly, its only clear clause another strongly ("I took it out of the box and it wouldn't turn on").
      [reason, confidence] = [asReason(onlyClause.label), Math.min(onlyClause.score, CLAUSE_CONFIDENCE)];
    } else if (clear && !(weak && inClause && inClause.length > 1 && !inClause.some((c) => c.label === clear.label))) {
      // A weak whole reading that a clause reads the same ("…, los audífonos, cambié de opinión") is as sure as that clause.
      const agreeing = inClause?.find((c) => c.label === clear.label)?.score ?? 0;
      [reason, confidence] = [asReason(clear.label), Math.min(Math.max(clear.score, Math.min(agreeing, CLAUSE_CONFIDENCE)), 0.99)];
    } else if (inClause && inClause.length === 1 && inClause[0]) {
      // A long message whose one clause gives a reason ("…, it's not the size the page said, …").
      [reason, confidence] = [asReason(inClause[0].label), Math.min(inClause[0].score, CLAUSE_CONFIDENCE)];
    } else if (rule && candidates.some((c) => c.label === rule.reason)) {
      // The model hesitates between reasons and the rules name one of them.
      [reason, confidence] = [rule.reason, RULE_FALLBACK];
    } else if (((best && top?.label !== 'none') || (inClause && inClause.length > 1)) && atAnswer) {
      // Clauses that give different reasons are the choices; else the message's own candidates.
      const choices = inClause && inClause.length > 1 ? inClause : candidates;
      // One candidate said in passing: an unsure reading the conversation confirms with the reason
      // question ("«Damaged in delivery», is that right?"), or, weaker still, none (the reason is asked).
      const [only] = choices;
      if (choices.length === 1 && only && step !== 'reason' && asReason(only.label)) {
        if (only.score >= UNSURE) put(b, { slot: 'reason', value: asReason(only.label)!, mentionsFault: false }, UNSURE);
        return;
      }
      b.out.push({
        type: 'Clarify',
        slot: 'reason',
        candidates: choices.slice(0, 3).flatMap((c) => {
          const r = asReason(c.label);
          return r ? [{ slot: 'reason' as const, value: r, confidence: c.score }] : [];
        }),
      });
      return;
    } else if (rule && (!top || top.label === 'none')) {
      [reason, confidence] = [rule.reason, RULE_FALLBACK];
    }
    // Beside the answer to another question a reason is indirect; beside the item it names ("the
    // laptop. it overheats and shuts down") a clear reading is the customer's answer to what comes next.
    if (!atAnswer && step !== 'item') confidence = Math.min(confidence, 0.85);
  }
  if (!reason) return;
  const cause = causeOf(said, lang, tone, model, false);
  const mentionsFault = Boolean(rule?.mentionsFault) || reason === 'faulty' || (cause !== null && cause.cause !== 'unknown');
  put(b, { slot: 'reason', value: reason, mentionsFault }, confidence, { correct: correcting });
  if (cause && step !== 'faultCause' && mentionsFault && cause.cause !== 'unknown') put(b, { slot: 'faultCause', value: cause.cause }, cause.confidence);
}

/**
 * The text without the courtesies at its ends ("…, thanks", "gracias"): they say nothing about why
 * the item goes back, and "ya no me hace falta, gracias" would read as a goodbye with no reason.
 */
function courteous(text: string, lang: Lang): string {
  const lex = lexicon(lang);
  const n = normalize(text, lex.maps);
  const t = trimFillers(n, lex.fillers, true);
  return t.tokens.length > 0 && t.tokens.length < n.tokens.length ? t.tokens.join(' ') : text;
}

/**
 * The message without the words of the order's item names: naming the item ("the notebook") says
 * nothing about why it goes back, whatever the reason model learnt about notebooks.
 */
/** The customer naming the wrong order number ("sorry, wrong order", "me equivoqué de pedido"). */
const OWN_WRONG_ORDER = /\b(?:(?:wrong|other|different) order(?: number)?|pedido (?:equivocado|incorrecto)|otro pedido|(?:me )?equivoqu[eé] de pedido)\b/giu;

function withoutItemNames(said: string, items: UnderstandView['items']): string {
  // Numbers of a name too ("14" of "ProBook 14"): alone they read as nothing but noise to the reason model.
  const words = new Set(items.flatMap((i) => fold(i.name).split(/[^a-z0-9]+/)).filter((w) => w.length > 2 || /^\d+$/.test(w)));
  if (!words.size) return said;
  return said.replace(/[\p{L}\p{N}]+/gu, (w) => (words.has(fold(w)) ? ' ' : w));
}

/**
 * "It isn't faulty, it's not as described", "no llegó dañado, simplemente ya no lo quiero": a reason
 * denied and another stated is a correction of the reason, whatever was asked; null otherwise.
 */
function contrastedReason(whole: Norm, said: string, lex: Lexicon): ReturnReason | null {
  // A no that answers the question ("no its half ripped", "no, está roto") denies no reason: only a
  // negation inside the sentence does ("it was NOT damaged", "no está defectuosa").
  const first = whole.tokens[0];
  const particle = first !== undefined && lex.neg.negators.has(first) && (whole.tokens[1] === BREAK || lex.lang === 'en');
  const n = particle ? slice(whole, 1) : whole;
  const denied = new Set<string>();
  // Damage words said of the delivery ("it wasn't broken when it arrived") deny damage in delivery.
  const lists: [ReturnReason, PhraseList[]][] = REASONS.map((r) => [r, r === 'transit-damage' ? [lex.reasons[r], lex.reasons.damageWords] : [lex.reasons[r]]]);
  for (const [r, ls] of lists) {
    const ms = ls.flatMap((l) => findAll(n, l));
    if (ms.length === 0) continue;
    const covered = coverage(n, ms);
    const negated = ms.map((m) => isNegated(n, m, covered, lex.neg));
    // Denied only when every phrase of it is ("not broken, it just stopped working" still says a fault).
    if (negated.every(Boolean)) denied.add(r);
  }
  if (denied.size === 0) return null;
  const stated = ruleReason(said, lex.lang);
  return stated && !denied.has(stated.reason) ? stated.reason : null;
}

let lastRule: { key: string; reading: ReasonReading | null } = { key: '', reading: null };

/** The rule reader's reason (asked for twice per message: the reason and a volunteered cause). */
function ruleReason(said: string, lang: Lang): ReasonReading | null {
  const key = `${lang}\u0000${said}`;
  if (lastRule.key !== key) lastRule = { key, reading: classifyReason(said, lang) };
  return lastRule.reading;
}

/** A cause is taken from the model at or above this score. */
const CAUSE_MIN = 0.6;
/** A cause volunteered in a reason, which the rules do not read, is taken at or above this. */
const CAUSE_SURE = 0.9;

/**
 * The fault cause a message states. A cause that would reject ("I dropped it") read from a
 * negated or hedged message, or where the model and the rules disagree, is below CONFIDENT; a
 * volunteered one (not the answer to the cause question) never reaches it either.
 */
function causeOf(said: string, lang: Lang, tone: Tone, model: boolean, asked: boolean): { cause: FaultCause; confidence: number } | null {
  const rule = asked ? parseFaultCause(said, lang) : (ruleReason(said, lang)?.faultCause ?? null);
  let cause: FaultCause | null = null;
  let confidence = 0;
  if (model) {
    const top = classify(lang, 'cause', shapeless(said))[0];
    const label = FAULT_CAUSES.find((c) => c === top?.label);
    // Asked, the model reads the answer; volunteered (in a reason), it must agree with the rules or be sure.
    const min = asked ? CAUSE_MIN : label === rule ? CAUSE_MIN : CAUSE_SURE;
    if (top && label && top.score >= min) [cause, confidence] = [label, Math.min(top.score, 0.99)];
    // Volunteered, a cause the rules read that would not reject ("it started on its own": a defect) is taken too.
    else if (rule && (asked || !ADVERSE_CAUSES.has(rule))) [cause, confidence] = [rule, RULE_FALLBACK];
  } else if (rule) [cause, confidence] = [rule, DIRECT];
  if (!cause) return null;
  if (cause === 'wear-and-tear' && YOUNG.test(fold(said))) return { cause: 'defect', confidence: INDIRECT };
  const adverse = ADVERSE_CAUSES.has(cause);
  if (adverse && (tone.negated || tone.hedged || (model && rule !== cause))) confidence = Math.min(confidence, INDIRECT);
  if (adverse && !asked) confidence = Math.min(confidence, 0.85);
  return { cause, confidence };
}

/**
 * The commands one customer message carries, given the pending question and what is already known.
 * Never empty: a message with nothing readable is `[NotUnderstood]`.
 */
export function understand(text: string, view: UnderstandView): Command[] {
  return understandWith(text, view, { model: true });
}

/** How to read: with the trained models (the product), or with the rule readers only (the baseline of `npm run nlu:eval`). */
export interface ReadOptions {
  model: boolean;
}

/** {@link understand}, with the readers chosen. */
export function understandWith(text: string, view: UnderstandView, opts: ReadOptions): Command[] {
  const said = text.trim();
  if (!said) return [{ type: 'NotUnderstood' }];
  const lang = languageOf(view.locale);
  const lex = lexicon(lang);
  const n = normalize(said, lex.maps);
  const step = view.step;
  const b: Builder = { out: [], filled: new Set(view.filled) };
  const tone = toneOf(n, lex);

  // Shapes first: the proof and the order number (a ZIP is digits; at verify only a prefixed number is an order).
  const preauthNamed = PREAUTH_WORD.test(said);
  const proofNamed = PROOF_WORD.test(said);
  let orderNumber: string | null = null;
  if (step !== 'manufacturerPreauth' && !preauthNamed) {
    // "US-200451" typed as a code is an order number even where "us" is a word.
    const candidate = CODE.exec(said)?.[0].toUpperCase() ?? extractOrderNumber(said);
    const prefixed = candidate !== null && candidate.includes('-') && PREFIXED_ORDER.test(said);
    const bareAllowed = step === null || step === 'orderNumber';
    if (candidate && (prefixed || (bareAllowed && !proofNamed))) orderNumber = candidate;
  }
  const proofText = orderNumber ? said.replace(new RegExp(orderNumber.replace('-', '[\\s#:/.-]*'), 'i'), ' ') : said;
  let proof: ProofCandidate[] = proofCandidates(proofText);
  if (step !== 'verify') {
    // Outside the proof step only unmistakable proofs: e-mails, full postcodes, a named ZIP.
    // A ZIP typed right after the order number ("IMP-500017 10001") is one too.
    const zipAfterOrder = orderNumber !== null && new RegExp(`${orderNumber.replace('-', '[\\s#:/.-]*')}[\\s,;/]+\\d{5}(?:-\\d{4})?\\b`, 'i').test(said);
    proof = proof.filter((p) => p.kind === 'email' || (p.kind === 'postcode' && p.value.includes(' ')) || (p.kind === 'zip' && (proofNamed || zipAfterOrder)));
  }
  if (step === 'manufacturerPreauth' || preauthNamed) proof = proof.filter((p) => p.kind === 'email');

  // Commands said at any step: a person, cancel, start again, help, goodbye, a question, anger.
  const acts: ActReading | null = opts.model ? readActs(said, lang) : null;
  actCommands(b, { said, n, lang, lex, step, acts, noShapes: proof.length === 0 && !orderNumber });
  const handoff = b.out.some((c) => c.type === 'HumanHandoff' || c.type === 'Cancel' || c.type === 'Restart');
  // "My parcel never arrived", "I was charged twice": a matter other than a return names no item and no reason.
  const otherMatter = orderNumber === null && b.out.some((c) => c.type === 'Ask' && c.topic === 'other' && c.confidence >= ASKING);

  if (orderNumber) put(b, { slot: 'orderNumber', value: orderNumber }, DIRECT);
  if (proof.length > 0) put(b, { slot: 'proof', value: proof }, DIRECT);
  if (handoff && b.out.length === 1) return b.out;
  const contrasted = step !== 'verify' && step !== 'orderNumber' && !handoff ? contrastedReason(n, said, lex) : null;
  if (contrasted) {
    put(b, { slot: 'reason', value: contrasted }, DIRECT, { correct: true });
    // The no in it denies the reason, not what was asked: no yes/no, only the reason (and a remedy said
    // with it), unless it also answers the condition asked in words ("no I haven't used it, it's not broken, …").
    const answersAsked = step === 'confirm' || step === 'manufacturerPreauth' || step === 'faultCause' || isBooleanField(step);
    if (answersAsked && !(isBooleanField(step) && conditionReadings(n, lex).has(step))) {
      const remedy = matchRemedy(said, view.remedies.length ? view.remedies : REMEDIES, lang);
      if (remedy) put(b, { slot: 'remedy', value: remedy }, DIRECT);
      return b.out;
    }
  }

  // A yes/no answer, hedged or not, and "I don't know".
  // A yes or no that ends a question ("lo abrí, ¿no?") asks rather than answers.
  const read = readYesNo(n, lex);
  const yn = read.trailing !== null && /\?\s*$/.test(said) ? { ...read, trailing: null } : read;
  // "Yes, I used it for a bit": the answer is sure; only the fact is played down.
  if (tone.degreeOnly && (yn.particle !== null || yn.whole !== null)) tone.hedged = false;
  // The phrase lists first (they read more, see the README's table); Recognizers-Text where they read
  // nothing, never in "I don't know" ("no sé" is no "no"; "no, not sure" is no "yes").
  const dontKnow = isDontKnow(said, lang);
  const yes = parseYesNo(said, lang) ?? (opts.model && !yn.hedge && !dontKnow && expectsYesNo(step) ? recognizedYesNo(said, lang) : null);
  // Neither the phrase lists nor Recognizers-Text read a yes or no: the act model may ("please do", "go for it").
  const modelYes =
    yes === null && !dontKnow && !yn.hedge && expectsYesNo(step) && acts?.top && (acts.top.kind === 'affirm' || acts.top.kind === 'deny') && acts.top.confidence >= ACT_YES_NO
      ? { value: acts.top.kind === 'affirm', confidence: acts.top.confidence }
      : null;
  const hedgedYes = yes === null && !dontKnow && yn.particle !== null && (yn.hedge || tone.hedged);
  // A whole message that is a hedge: "I think so", "kind of" lean yes; "probably not" leans no; "maybe" is not knowing.
  const hedgeWhole = yes === null && !dontKnow && yn.particle === null && yn.hedge;
  const leansNo = hedgeWhole && /\b(not|no)\b/.test(fold(said));
  const undecided = hedgeWhole && !leansNo && UNDECIDED.test(fold(said));
  const hedgeOnly = hedgeWhole && !undecided;
  const answeredYesNo = yes !== null || hedgedYes || hedgeOnly;

  // Condition steps: the answer to THAT question (a sentence naming the field, or yes/no).
  const readings = conditionReadings(yn.rest, lex);
  // "Oh and it arrived damaged" at a condition question: a reason volunteered mid-way (damage on
  // arrival) is read as the reason; its damage words state no fact against the item's condition.
  const volunteered = isConditionStep(step) && ruleReason(withoutItemNames(said, view.items), lang)?.reason === 'transit-damage';
  if (volunteered) for (const [f, r] of readings) if (isAdverse({ slot: f, value: r.value } as SlotValue)) readings.delete(f);
  if (isBooleanField(step)) {
    const reading = readings.get(step);
    // A sentence that only starts like a no ("nothing's missing" to "do you still have all the accessories?")
    // is read for what it says when it says something about the field asked (not when that no is what negates it: "no el sello sigue puesto").
    const startOnlyNo = yes === false && yn.whole === null && yn.particle === null && yn.trailing === null;
    const particle = startOnlyNo && reading && !reading.negated ? null : (yes ?? (hedgedYes ? yn.particle : hedgeOnly ? !leansNo : reading ? null : (modelYes?.value ?? null)));
    if (particle !== null) {
      const hedged = hedgedYes || hedgeOnly || tone.hedged;
      const adverse = ADVERSE[step] === particle;
      const mixed = reading !== undefined && reading.value !== particle;
      // A no read only from how a sentence starts ("I haven't removed anything" to "do you still have
      // all the accessories?") is indirect: a no that would reject or refer is checked first.
      const startOnly = particle === false && yn.whole === null && yn.particle === null;
      // A yes whose sentence tells another fact ("yes I opened them but never used them" to "is the
      // seal broken?") may answer that fact: a yes that would reject or refer is checked first.
      const aside = reading === undefined && readings.size > 0;
      const confidence = hedged ? HEDGED : adverse && (mixed || startOnly || aside || yes === null) ? INDIRECT : DIRECT;
      b.out.push({ type: particle ? 'Affirm' : 'Deny', confidence, ...(hedged ? { hedged: true } : {}) });
    } else if (reading) {
      const v = { slot: step, value: reading.value } as SlotValue;
      const adverse = isAdverse(v);
      if (!(adverse && reading.shared)) {
        put(b, v, adverse && (tone.negated || tone.hedged) ? INDIRECT : DIRECT, adverse && tone.hedged ? { hedged: true } : {});
      } else {
        // "I opened the case to put the disc in" at the tampering question, "there's a small scratch"
        // at the damage question: a phrase another fact shares. The fact asked about is checked in
        // plain words, never taken; the other fact is kept unsurely.
        put(b, v, INDIRECT);
        for (const [f, r] of readings) {
          if (f === step) break;
          if (!r.shared) put(b, { slot: f, value: r.value } as SlotValue, isAdverse({ slot: f, value: r.value } as SlotValue) ? 0.85 : DIRECT);
        }
      }
    } else if (dontKnow || undecided) {
      b.out.push({ type: 'DontKnow', confidence: DIRECT });
    }
    if (particle === null) conditionFacts(b, readings, tone, step);
  } else if (step === 'faultCause') {
    const cause = causeOf(said, lang, tone, opts.model, true);
    if (cause) put(b, { slot: 'faultCause', value: cause.cause }, cause.confidence);
    else if (dontKnow) put(b, { slot: 'faultCause', value: 'unknown' }, DIRECT);
  } else if (step === 'manufacturerPreauth') {
    const p = parsePreauth(said, lang);
    if (p && p !== 'none') put(b, { slot: 'manufacturerPreauth', value: p }, DIRECT);
    else if (p === 'none') b.out.push({ type: 'Deny', confidence: DIRECT });
    else if (yes === true) b.out.push({ type: 'Affirm', confidence: DIRECT });
    else if (dontKnow) b.out.push({ type: 'DontKnow', confidence: DIRECT });
  } else {
    conditionFacts(b, readings, tone, null);
    const direct = yn.whole !== null || yn.particle !== null || yn.trailing !== null;
    if (yes !== null && direct && !orderNumber && proof.length === 0) b.out.push({ type: yes ? 'Affirm' : 'Deny', confidence: DIRECT });
    else if ((hedgedYes || hedgeOnly) && !orderNumber) b.out.push({ type: leansNo ? 'Deny' : 'Affirm', confidence: HEDGED, hedged: true });
    else if (modelYes && !orderNumber && proof.length === 0) b.out.push({ type: modelYes.value ? 'Affirm' : 'Deny', confidence: Math.min(modelYes.confidence, DIRECT) });
    else if (dontKnow || undecided) b.out.push({ type: 'DontKnow', confidence: DIRECT });
  }
  if (preauthNamed && step !== 'manufacturerPreauth') {
    const ref = extractReference(said);
    if (ref) put(b, { slot: 'manufacturerPreauth', value: ref }, DIRECT);
  }

  // Corrections of something said before ("actually it arrived on the 3rd", "no, the mouse").
  const items = view.items.map((i) => ({ name: i.name, sku: i.sku, category: i.category ?? '' }));
  const correction = step === 'verify' ? null : detectCorrection(said, lang, { today: view.today, order: view.dateOrder, items });
  if (correction?.kind === 'deliveredOn') put(b, { slot: 'deliveredOn', value: correction.date }, DIRECT, { correct: true });
  if (correction?.kind === 'item') put(b, { slot: 'item', value: { index: correction.index } }, DIRECT, { correct: true });
  // With the model, the reason of a correction is the model's reading of the message (below).
  if (correction?.kind === 'reason' && !opts.model) put(b, { slot: 'reason', value: correction.reason }, DIRECT, { correct: true });

  // The item.
  if (step === 'item' && items.length > 0 && orderNumber === null) {
    const nth = opts.model ? recognizedOrdinal(said, lang) : null;
    const index = matchItem(said, items, lang) ?? (nth !== null && nth <= items.length ? nth - 1 : null);
    if (index !== null) put(b, { slot: 'item', value: { index } }, DIRECT);
    else {
      // "Neither, it's a keyboard": an item the order does not have, said so the bot can say it.
      const mention = mentionOf(n, lex, said);
      if (mention) put(b, { slot: 'item', value: { mention } }, UNSURE + 0.1);
    }
  } else if (step !== 'verify') {
    // "not the headphones, the laptop": the item a clause says it is not is no item named.
    const notThis = new Set(notThisTokens(n, lex));
    const nItem = notThis.size ? fromTokens(n.tokens.filter((_, i) => !notThis.has(i))) : n;
    const index = namedItem(notThis.size ? nItem.tokens.filter((t) => t !== BREAK).join(' ') : said, nItem, view.items, lang, lex);
    if (index !== null) put(b, { slot: 'item', value: { index } }, DIRECT);
    // Before an order is known, or with another order ("sorry, wrong order, it's UK-310008, the
    // speaker"): what the item is called, for the verifier to find in that order.
    else if ((view.items.length === 0 || orderNumber !== null) && !otherMatter) {
      const mention = mentionOf(n, lex, said, orderNumber !== null);
      if (mention) put(b, { slot: 'item', value: { mention } }, UNSURE + 0.1);
    }
  }

  // The reason (never from a hedged yes/no answer to a condition question).
  const conditionAnswer = (isBooleanField(step) || step === 'faultCause') && (answeredYesNo || b.out.some((c) => c.type === 'SetSlot' && c.slot === step));
  if ((!conditionAnswer || volunteered) && step !== 'verify' && !dontKnow) {
    const atCondition = isBooleanField(step) || step === 'faultCause' || step === 'manufacturerPreauth';
    // At a condition question a different reason counts only when the answer itself is unreadable,
    // or when the item is changed: "sorry, I meant the laptop, it won't charge" says why that one goes back.
    const itemChanged = b.out.some((c) => (c.type === 'SetSlot' || c.type === 'CorrectSlot') && c.slot === 'item');
    // A question asked mid-way ("can I cancel if I change my mind?") states no new reason.
    const askedMidway = step !== null && step !== 'reason' && b.out.some((c) => c.type === 'Ask' && c.topic !== 'otherRemedy' && c.topic !== 'other');
    if ((!atCondition || itemChanged || volunteered || !b.out.some((c) => c.type !== 'Ask')) && !askedMidway && !otherMatter) {
      // "Sorry, wrong order, it's UK-310008": the customer's own slip about the order number, no item sent wrongly.
      const told = orderNumber !== null && view.filled.includes('orderNumber') ? said.replace(OWN_WRONG_ORDER, ' ') : said;
      reasonCommands(b, withoutItemNames(told, view.items), lang, step, tone, opts.model, correction?.kind === 'reason');
    }
  }
  // Choosing a remedy ("I'd rather have a replacement"), a customer gives no new reason: at the
  // remedy and the confirmation a reason beside a remedy counts only when read surely.
  if ((step === 'remedy' || step === 'confirm') && matchRemedy(said, view.remedies.length > 0 ? view.remedies : REMEDIES, lang)) {
    b.out = b.out.filter((c) => !((c.type === 'SetSlot' || c.type === 'CorrectSlot') && c.slot === 'reason' && c.confidence < CONFIDENT));
  }

  // The delivery date ("it arrived on the 17th", "the kettle arrived broken yesterday").
  if (step !== 'verify' && step !== 'orderNumber' && findAll(n, lex.corrections.deliveryVerbs).length > 0) {
    const date = parseDate(shapeless(said), lang, view.today, view.dateOrder);
    if (date) put(b, { slot: 'deliveredOn', value: date }, DIRECT);
  }

  // "By the way, they arrived on Monday": a message that says when the item came gives no reason
  // ("arrived" is no damage) unless read surely or the rules read one ("it arrived broken").
  if (b.out.some((c) => c.type !== 'Clarify' && 'slot' in c && c.slot === 'deliveredOn') && !ruleReason(withoutItemNames(said, view.items), lang)) {
    b.out = b.out.filter((c) => !((c.type === 'SetSlot' || c.type === 'CorrectSlot') && c.slot === 'reason' && c.confidence < CONFIDENT));
  }

  // The remedy. A question that names one ("how long does the refund take?") chooses none; asking
  // for another remedy is read below.
  const asking = b.out.some((c) => c.type === 'Ask' && c.confidence >= ASKING);
  if (asking) {
    // nothing: see above
  } else if (step === 'remedy' || step === 'confirm') {
    // "Yes, but a replacement instead" where only a refund is offered: the remedy named is given, so
    // the machine can say it is not offered rather than take the yes for the one that is.
    const named = step === 'confirm' && view.remedies.length > 0 ? matchRemedy(said, REMEDIES, lang) : null;
    const r = named && !view.remedies.includes(named) ? named : matchRemedy(said, view.remedies, lang);
    if (r) put(b, { slot: 'remedy', value: r }, DIRECT);
  } else if (step !== 'verify' && !ordinalOnly(n, lex) && yes === null) {
    const offered = view.remedies.length > 0 ? view.remedies : REMEDIES;
    // A remedy is asked for in a clause of its own ("they sent another model, I want a refund"):
    // the whole message, else its clauses from the last.
    const clauses = said
      .split(/[,.;!?]+/)
      .map((c) => c.trim())
      .filter(Boolean)
      .reverse();
    let r = matchRemedy(said, offered, lang);
    for (const c of clauses) r ??= matchRemedy(c, offered, lang);
    if (r) put(b, { slot: 'remedy', value: r }, DIRECT);
  }
  const asked = b.out.find((c) => c.type === 'Ask');
  if (asked?.type === 'Ask' && asked.topic === 'otherRemedy') {
    const r = matchRemedy(said, REMEDIES, lang);
    if (r) put(b, { slot: 'remedy', value: r }, UNSURE + 0.2);
    // "yes, but I'd like a replacement instead" books nothing: asking for another remedy is no yes to this one.
    if (step === 'confirm') b.out = b.out.filter((c) => c.type !== 'Affirm');
  }

  // An opening that gives a return's details starts one.
  if (step === null && !b.out.some((c) => c.type === 'StartReturn') && b.out.some((c) => c.type === 'SetSlot') && !handoff) {
    b.out.unshift({ type: 'StartReturn', confidence: INDIRECT + 0.1 });
  }
  // "Sorry, I don't understand the question", "no entiendo": a plea for help, never a no (its
  // "don't" / "no" would deny the serial label or the accessories and reject the return).
  if (b.out.some((c) => c.type === 'Help')) b.out = b.out.filter((c) => c.type !== 'Affirm' && c.type !== 'Deny');
  // Anger in a message that says nothing else ("you're useless, just let me return my stuff") is heard.
  if (!b.out.some((c) => c.type !== 'StartReturn') && (acts?.frustration() ?? 0) >= ANGER_HEARD) b.out.push({ type: 'Frustrated', confidence: acts?.frustration() ?? 0 });
  return b.out.length > 0 ? b.out : [{ type: 'NotUnderstood' }];
}

/** Steps whose question a bare yes or no answers. */
function expectsYesNo(step: Step | null): boolean {
  return step === null || step === 'confirm' || step === 'item' || step === 'remedy' || step === 'manufacturerPreauth' || isBooleanField(step);
}

function mentionsPerson(n: Norm, lang: Lang, lex: Lexicon): boolean {
  const words = personWords(lang);
  return findAll(n, lex.commands.human.anywhere).length > 0 || n.tokens.some((t) => words.has(t));
}

export type { Intent } from './intents.js';
