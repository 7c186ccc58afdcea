/**
 * A decision: what the policy says about one case (CONTRACT section 4). Data only, with the reason
 * codes, their parameters and the ids of the clauses that decided it.
 */
import type { ConditionField, FactSource, LocalDate, ReturnReason, SourcedFact } from './case.js';
import type { DeductionKind, Remedy } from './pack.js';

export const OUTCOMES = ['approved', 'rejected', 'referred', 'incomplete'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export type ParamValue = string | number | boolean | null;

export interface ReasonEntry {
  code: string;
  params: Record<string, ParamValue>;
}

export interface Deduction {
  kind: DeductionKind;
  certainty: 'may' | 'will';
}

export interface Deadlines {
  notifyBy: LocalDate | null;
  returnBy: LocalDate | null;
  reportBy: LocalDate | null;
  refundWithinDays: number | null;
}

/** Where each fact the decision used came from (facts it did not use, or that were unknown, are absent). */
export type Sources = Partial<Record<SourcedFact, FactSource>>;

export interface Decision {
  policy: string;
  policyVersion: string;
  reason: ReturnReason;
  outcome: Outcome;
  /** Incomplete only: condition fields to ask next, most decisive first. */
  needs: ConditionField[];
  /** Approved only. */
  remedies: Remedy[];
  remedyChosenBy: 'customer' | 'retailer' | null;
  deductions: Deduction[];
  conditions: string[];
  deadlines: Deadlines;
  reasons: ReasonEntry[];
  clauses: string[];
  rmaRequired: boolean;
  statutoryNote: string | null;
  /**
   * Additive to CONTRACT section 4: the source of every fact the decision read (`order`, `customer`
   * or `staff`), e.g. `{ "deliveredOn": "customer", "product": "order", "sealBroken": "customer" }`.
   * `decide` always sets it; optional only so that decisions made elsewhere (a staff RMA, stored
   * decisions from before) still type-check.
   */
  sources?: Sources;
}

/** Reason codes the engine itself produces (the rest come from the pack's rules). */
export const ENGINE_CODES = {
  moreFactsNeeded: 'MORE_FACTS_NEEDED',
  factsUnavailable: 'FACTS_UNAVAILABLE',
  statutoryRights: 'STATUTORY_RIGHTS_MAY_APPLY',
  deliveryDateDisputed: 'DELIVERY_DATE_DISPUTED',
} as const;

/** The statutory note a GB decision carries when a time limit alone would have refused a claim. */
export const UK_STATUTORY_NOTE = 'uk-consumer-rights-beyond-guarantee';
