/**
 * Answers to what a customer may ask mid-conversation ("how long does the refund take?", "who pays
 * the postage?"), from the pack's own data, so a merchant's pack answers too. Pure.
 *
 * An answer is data: values and the ids of the clauses they come from, never text (the conversation
 * renders it from `locales/`). A topic the pack does not answer is `{ known: false }`: the honest
 * "I don't know that, a person can help".
 */
import type { ConditionField, ReturnReason } from './case.js';
import type { Decision, Deduction } from './decision.js';
import type { CompiledPack } from './engine.js';
import { type CANCEL_METHODS, type Pack, type PackAnswers, type RefundFrom, type Remedy, type RETURN_ARRANGEMENTS, type RETURN_OPTIONS, type Rule } from './pack.js';

/** The topics a customer can ask about: the same as `ASK_TOPICS` in machines/commands.ts. */
export const ANSWER_TOPICS = ['refundTime', 'returnPostage', 'restockingFee', 'nextSteps', 'rmaNumber', 'otherRemedy', 'whereToSend', 'cancelReturn', 'other'] as const;
export type AnswerTopic = (typeof ANSWER_TOPICS)[number];

/** What the answer may depend on: the return's reason, the decision made so far, the remedy asked about. */
export interface AnswerContext {
  /** The return's reason (defaults to the decision's). */
  reason?: ReturnReason | null;
  /** The decision so far, if any: answers then fit it (the remedies it allows, its deductions). */
  decision?: Decision | null;
  /** For `otherRemedy`: the remedy the customer asks for ("can I get a refund instead?"). */
  remedy?: Remedy | null;
}

type Payer = 'customer' | 'retailer';
type Arrangement = (typeof RETURN_ARRANGEMENTS)[number];
type ReturnOption = (typeof RETURN_OPTIONS)[number];
type CancelMethod = (typeof CANCEL_METHODS)[number];

/** The pack cannot answer this (or not for this return): a person can. */
export interface UnknownAnswer {
  topic: AnswerTopic;
  known: false;
  clauses: [];
}

export interface RefundTimeAnswer {
  topic: 'refundTime';
  known: true;
  /** Days within which the refund is paid; null when the policy gives no number. */
  withinDays: number | null;
  /** What the days count from; null when the policy does not say. */
  from: RefundFrom | null;
  /** How the refund is paid (`original-payment`: the method used to pay), when the policy says. */
  method: 'original-payment' | null;
  /** Whether the decision allows a refund at all (null: no decision yet). */
  refundPossible: boolean | null;
  clauses: string[];
}

export interface ReturnPostageAnswer {
  topic: 'returnPostage';
  known: true;
  /** Who pays to send the item back; null when the policy does not say (a person can tell). */
  payer: Payer | null;
  /** Who pays to send it back to the customer when testing finds no fault; null when not stated. */
  ifNotFaulty: Payer | null;
  clauses: string[];
}

export interface RestockingFeeAnswer {
  topic: 'restockingFee';
  known: true;
  /** `no`: no restocking fee on this return; `may` / `will`: one may / will be deducted. */
  applies: 'no' | 'may' | 'will';
  /** The fee as the pack states it: a percentage of the price, or an amount in `currency`; both null: staff will tell. */
  percent: number | null;
  amount: number | null;
  currency: string | null;
  /** Other deductions that may reduce the refund (diminished value, delivery upgrade, …). */
  otherDeductions: Deduction[];
  clauses: string[];
}

/** One step of what happens next. */
export type NextStep =
  | { step: 'check-return' }
  | { step: 'answer-questions'; next: ConditionField }
  | { step: 'person-decides' }
  | { step: 'not-returnable' }
  | { step: 'choose-remedy'; remedies: Remedy[] }
  | { step: 'rma' }
  | { step: 'send-item'; by: string | null; arrangement: Arrangement | null; options: ReturnOption[] }
  | { step: 'inspection' }
  | { step: 'remedy'; remedies: Remedy[]; chosenBy: 'customer' | 'retailer' | null }
  | { step: 'refund'; withinDays: number | null; from: RefundFrom | null };

export interface NextStepsAnswer {
  topic: 'nextSteps';
  known: true;
  steps: NextStep[];
  clauses: string[];
}

export interface RmaNumberAnswer {
  topic: 'rmaNumber';
  known: true;
  /** Every accepted return has an RMA number (the number itself is the conversation's). */
  required: boolean;
  clauses: string[];
}

export interface OtherRemedyAnswer {
  topic: 'otherRemedy';
  known: true;
  /** The remedies the decision allows (empty: none, e.g. not approved). */
  remedies: Remedy[];
  chosenBy: 'customer' | 'retailer' | null;
  /** The remedy asked about, and whether the customer can have it by choosing it. */
  requested: Remedy | null;
  requestedAllowed: boolean | null;
  clauses: string[];
}

export interface WhereToSendAnswer {
  topic: 'whereToSend';
  known: true;
  arrangement: Arrangement;
  options: ReturnOption[];
  address: string | null;
  clauses: string[];
}

export interface CancelReturnAnswer {
  topic: 'cancelReturn';
  known: true;
  allowed: boolean;
  how: CancelMethod[];
  clauses: string[];
}

export type KnownAnswer = RefundTimeAnswer | ReturnPostageAnswer | RestockingFeeAnswer | NextStepsAnswer | RmaNumberAnswer | OtherRemedyAnswer | WhereToSendAnswer | CancelReturnAnswer;
export type Answer = KnownAnswer | UnknownAnswer;

function unknown(topic: AnswerTopic): UnknownAnswer {
  return { topic, known: false, clauses: [] };
}

/** The entry for the reason, else the one for `any`. */
function forReason<T>(map: Partial<Record<ReturnReason | 'any', T>> | undefined, reason: ReturnReason | null): T | undefined {
  if (!map) return undefined;
  return (reason ? map[reason] : undefined) ?? map.any;
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

function appliesToReason(rule: Rule, reason: ReturnReason | null): boolean {
  return !reason || !rule.reasons || rule.reasons.includes(reason);
}

function refundTime(pack: Pack, answers: PackAnswers, reason: ReturnReason | null, decision: Decision | null): RefundTimeAnswer | UnknownAnswer {
  const entry = forReason(answers.refundTime, reason);
  const days = reason ? pack.reasons[reason]?.deadlines.refundWithinDays : undefined;
  if (!entry && days === undefined) return unknown('refundTime');
  const refundPossible = decision && decision.outcome !== 'incomplete' ? decision.outcome === 'approved' && decision.remedies.includes('refund') : null;
  return {
    topic: 'refundTime',
    known: true,
    withinDays: entry?.withinDays ?? days ?? null,
    from: entry?.from ?? null,
    method: entry?.method ?? null,
    refundPossible,
    clauses: [...(entry?.clauses ?? [])],
  };
}

function returnPostage(answers: PackAnswers, reason: ReturnReason | null): ReturnPostageAnswer | UnknownAnswer {
  const entry = forReason(answers.returnPostage, reason);
  if (!entry) return unknown('returnPostage');
  return { topic: 'returnPostage', known: true, payer: entry.payer ?? null, ifNotFaulty: entry.ifNotFaulty ?? null, clauses: [...entry.clauses] };
}

function restockingFee(pack: Pack, answers: PackAnswers, reason: ReturnReason | null, decision: Decision | null): RestockingFeeAnswer {
  const deductRules = pack.rules.filter((r): r is Extract<Rule, { effect: 'deduct' }> => r.effect === 'deduct' && appliesToReason(r, reason));
  const feeRules = deductRules.filter((r) => r.deduction.kind === 'restocking-fee');
  let applies: RestockingFeeAnswer['applies'];
  let others: Deduction[];
  if (decision && decision.outcome !== 'incomplete') {
    const fee = decision.deductions.find((d) => d.kind === 'restocking-fee');
    applies = fee ? fee.certainty : 'no';
    others = decision.deductions.filter((d) => d.kind !== 'restocking-fee');
  } else {
    applies = feeRules.length ? 'may' : 'no';
    others = [];
    for (const r of deductRules) if (r.deduction.kind !== 'restocking-fee' && !others.some((d) => d.kind === r.deduction.kind)) others.push({ kind: r.deduction.kind, certainty: 'may' });
  }
  const fee = answers.restockingFee;
  const stated = applies !== 'no';
  const clauses = stated ? [...feeRules.flatMap((r) => r.clauses), ...(fee?.clauses ?? [])] : deductRules.filter((r) => others.some((d) => d.kind === r.deduction.kind)).flatMap((r) => r.clauses);
  return {
    topic: 'restockingFee',
    known: true,
    applies,
    percent: stated ? (fee?.percent ?? null) : null,
    amount: stated ? (fee?.amount ?? null) : null,
    currency: stated && fee?.amount !== undefined ? pack.currency : null,
    otherDeductions: others,
    clauses: unique(clauses),
  };
}

/** The clauses of the approving rule a decision was made under (its remedy table row). */
function remedyClauses(pack: Pack, decision: Decision): string[] {
  const cited = new Set(decision.clauses);
  const codes = new Set(decision.reasons.map((r) => r.code));
  const row = pack.rules.find(
    (r) =>
      r.effect === 'approve' &&
      appliesToReason(r, decision.reason) &&
      codes.has(r.code) &&
      r.chosenBy === decision.remedyChosenBy &&
      r.remedies.length === decision.remedies.length &&
      r.remedies.every((x) => decision.remedies.includes(x)) &&
      r.clauses.every((c) => cited.has(c)),
  );
  if (!row) return [];
  if (row.clauses.length) return [...row.clauses];
  // A row that counts the guarantee cites the clause that set the period.
  const g = pack.guaranteeMonths;
  const periodClauses = new Set([
    ...(g?.clauses ?? []),
    ...(g?.invoiceClauses ?? []),
    ...Object.values(g?.byCategory ?? {}).flatMap((e) => (typeof e === 'object' ? [...(e.clauses ?? []), ...(e.invoiceClauses ?? [])] : [])),
  ]);
  return decision.clauses.filter((c) => periodClauses.has(c));
}

function otherRemedy(pack: Pack, decision: Decision | null, requested: Remedy | null): OtherRemedyAnswer | UnknownAnswer {
  if (!decision || decision.outcome === 'incomplete') return unknown('otherRemedy');
  const approved = decision.outcome === 'approved';
  const remedies = approved ? [...decision.remedies] : [];
  const chosenBy = approved ? decision.remedyChosenBy : null;
  return {
    topic: 'otherRemedy',
    known: true,
    remedies,
    chosenBy,
    requested,
    // The customer can have the remedy they ask for when the decision allows it and they choose.
    requestedAllowed: requested ? remedies.includes(requested) && (chosenBy === 'customer' || remedies.length === 1) : null,
    clauses: approved ? remedyClauses(pack, decision) : [...decision.clauses],
  };
}

function rmaNumber(pack: Pack, answers: PackAnswers): RmaNumberAnswer {
  return { topic: 'rmaNumber', known: true, required: pack.rmaRequired, clauses: [...(answers.rmaNumber?.clauses ?? [])] };
}

function whereToSend(answers: PackAnswers): WhereToSendAnswer | UnknownAnswer {
  const w = answers.whereToSend;
  if (!w) return unknown('whereToSend');
  return { topic: 'whereToSend', known: true, arrangement: w.arrangement, options: [...(w.options ?? [])], address: w.address ?? null, clauses: [...w.clauses] };
}

function cancelReturn(answers: PackAnswers): CancelReturnAnswer | UnknownAnswer {
  const c = answers.cancelReturn;
  if (!c) return unknown('cancelReturn');
  return { topic: 'cancelReturn', known: true, allowed: c.allowed, how: [...(c.how ?? [])], clauses: [...c.clauses] };
}

function nextSteps(pack: Pack, answers: PackAnswers, reason: ReturnReason | null, decision: Decision | null): NextStepsAnswer {
  if (!decision) return { topic: 'nextSteps', known: true, steps: [{ step: 'check-return' }], clauses: [] };
  switch (decision.outcome) {
    case 'incomplete':
      return { topic: 'nextSteps', known: true, steps: [{ step: 'answer-questions', next: decision.needs[0]! }], clauses: [...decision.clauses] };
    case 'referred':
      return { topic: 'nextSteps', known: true, steps: [{ step: 'person-decides' }], clauses: [...decision.clauses] };
    case 'rejected':
      return { topic: 'nextSteps', known: true, steps: [{ step: 'not-returnable' }], clauses: [...decision.clauses] };
    default:
      break;
  }
  const steps: NextStep[] = [];
  const clauses: string[] = [];
  const customerChooses = decision.remedyChosenBy === 'customer' && decision.remedies.length > 1;
  if (customerChooses) steps.push({ step: 'choose-remedy', remedies: [...decision.remedies] });
  if (decision.rmaRequired) {
    steps.push({ step: 'rma' });
    clauses.push(...(answers.rmaNumber?.clauses ?? []));
  }
  const where = answers.whereToSend;
  steps.push({ step: 'send-item', by: decision.deadlines.returnBy, arrangement: where?.arrangement ?? null, options: [...(where?.options ?? [])] });
  clauses.push(...(where?.clauses ?? []));
  if (decision.conditions.includes('inspection')) steps.push({ step: 'inspection' });
  steps.push({ step: 'remedy', remedies: [...decision.remedies], chosenBy: decision.remedyChosenBy });
  clauses.push(...remedyClauses(pack, decision));
  if (decision.remedies.includes('refund')) {
    const refund = refundTime(pack, answers, reason, decision);
    if (refund.known) {
      steps.push({ step: 'refund', withinDays: refund.withinDays, from: refund.from });
      clauses.push(...refund.clauses);
    }
  }
  return { topic: 'nextSteps', known: true, steps, clauses: unique(clauses) };
}

/**
 * The answer to `topic` from the pack's own data, fitted to the return's reason and the decision so
 * far when given. Pure and total: an unknown topic, or one the pack does not answer, gives
 * `{ known: false }`. Every clause id it names is one of the pack's (`policy show`).
 */
export function answerFor(pack: CompiledPack | Pack, topic: AnswerTopic | string, context: AnswerContext = {}): Answer {
  const p = 'pack' in pack && 'byReason' in pack ? pack.pack : (pack as Pack);
  const answers: PackAnswers = p.answers ?? {};
  const decision = context.decision ?? null;
  const reason = context.reason ?? decision?.reason ?? null;
  switch (topic) {
    case 'refundTime':
      return refundTime(p, answers, reason, decision);
    case 'returnPostage':
      return returnPostage(answers, reason);
    case 'restockingFee':
      return restockingFee(p, answers, reason, decision);
    case 'nextSteps':
      return nextSteps(p, answers, reason, decision);
    case 'rmaNumber':
      return rmaNumber(p, answers);
    case 'otherRemedy':
      return otherRemedy(p, decision, context.remedy ?? null);
    case 'whereToSend':
      return whereToSend(answers);
    case 'cancelReturn':
      return cancelReturn(answers);
    default:
      return unknown(ANSWER_TOPICS.includes(topic as AnswerTopic) ? (topic as AnswerTopic) : 'other');
  }
}
