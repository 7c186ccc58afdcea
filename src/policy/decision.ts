/**
 * A decision: what the policy says about one case (CONTRACT section 4). Data only, with the reason
 * codes, their parameters and the ids of the clauses that decided it.
 */
import type { ConditionField, LocalDate, ReturnReason } from './case.js';
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
}

/** Reason codes the engine itself produces (the rest come from the pack's rules). */
export const ENGINE_CODES = {
  moreFactsNeeded: 'MORE_FACTS_NEEDED',
  factsUnavailable: 'FACTS_UNAVAILABLE',
  statutoryRights: 'STATUTORY_RIGHTS_MAY_APPLY',
} as const;

/** The statutory note a GB decision carries when a time limit alone would have refused a claim. */
export const UK_STATUTORY_NOTE = 'uk-consumer-rights-beyond-guarantee';
