/**
 * The property case set: arbitrary valid cases for both shipped packs (fast-check), shared by the
 * property tests and the citation check. Dates are computed here, independently of src/.
 */
import fc from 'fast-check';
import { CATEGORIES, CONDITION_FIELDS, FAULT_CAUSES, REASONS, caseSchema, type Case, type CaseInput, type ConditionField } from '../../src/policy/case.js';
import type { CompiledPack } from '../../src/policy/engine.js';
import { loadPack } from '../../src/policy/packs.js';
import { GOOD_CONDITION } from '../support/cases.js';

export const PACK_IDS = ['uk-online', 'impress-us'] as const;
export type PackId = (typeof PACK_IDS)[number];
export const packOf = (id: string): CompiledPack => loadPack(id);

export const RUNS = { numRuns: 600 };

// ---------------------------------------------------------------- dates, independent of src/

export const FIRST = Date.UTC(2025, 0, 1);
export const LAST_INDEX = (Date.UTC(2029, 11, 31) - FIRST) / 86_400_000; // 2025-01-01 … 2029-12-31
export const dateAt = (i: number): string => new Date(FIRST + i * 86_400_000).toISOString().slice(0, 10);
export const indexOf = (date: string): number => (Date.parse(`${date}T00:00:00Z`) - FIRST) / 86_400_000;
export const dayBefore = (date: string): string => dateAt(indexOf(date) - 1);

// ---------------------------------------------------------------- the case shape

/** The value that lets a return through, and the ones that count against it, per condition field. */
export const GOOD: Record<ConditionField, boolean | string> = GOOD_CONDITION;
export const BAD: Record<ConditionField, readonly (boolean | string)[]> = {
  ...(Object.fromEntries(
    Object.entries(GOOD)
      .filter(([, v]) => typeof v === 'boolean')
      .map(([k, v]) => [k, [!v]]),
  ) as Record<ConditionField, boolean[]>),
  faultCause: ['wear-and-tear', 'accident', 'misuse', 'software'],
  manufacturerPreauth: ['none'],
};
/** Every value a condition field can take. */
export const VALUES: Record<ConditionField, readonly (boolean | string)[]> = {
  ...(Object.fromEntries(CONDITION_FIELDS.map((f) => [f, [true, false]])) as Record<ConditionField, boolean[]>),
  faultCause: FAULT_CAUSES,
  manufacturerPreauth: ['none', 'PA-2026-0042'],
};

/** A condition field's value: left out, null (unknown), or any value, leaning towards the good one. */
function fieldArb(field: ConditionField): fc.Arbitrary<boolean | string | null> {
  return fc.oneof({ weight: 2, arbitrary: fc.constant(null) }, { weight: 3, arbitrary: fc.constant(GOOD[field]) }, { weight: 2, arbitrary: fc.constantFrom(...VALUES[field]) });
}

/** Any subset of fields set, each to any value or left unknown. */
const anyConditionArb = fc.record(Object.fromEntries(CONDITION_FIELDS.map((f) => [f, fieldArb(f)])) as Record<ConditionField, fc.Arbitrary<boolean | string | null>>, { requiredKeys: [] });

/**
 * Every field good except up to three, each changed to any value, null or left out: so that packs
 * needing many facts (impress-us) still reach approvals often enough for the properties to bite.
 */
const mostlyGoodConditionArb = fc.uniqueArray(fc.constantFrom(...CONDITION_FIELDS), { maxLength: 3 }).chain((fields) =>
  fc.tuple(...fields.map((f) => fc.constantFrom<boolean | string | null | undefined>(undefined, null, ...VALUES[f]))).map((values) => {
    const condition: Record<string, boolean | string | null> = { ...GOOD };
    fields.forEach((f, i) => {
      const v = values[i];
      if (v === undefined) delete condition[f];
      else condition[f] = v;
    });
    return condition;
  }),
);

export const conditionArb = fc.oneof(anyConditionArb, mostlyGoodConditionArb);

export const regionArb = fc.constantFrom(undefined, null, 'GB-ENG', 'GB-WLS', 'GB-SCT', 'GB-NIR', 'US-NY', 'US-CA');
export const moneyArb = fc.integer({ min: 0, max: 3000 }).map((c) => c / 100);

export interface Options {
  /** Only cases with deliveredOn strictly before today. */
  deliveredBeforeToday?: boolean;
}

export function caseInputArb(opts: Options = {}): fc.Arbitrary<CaseInput> {
  // Mostly near delivery (where the windows are), sometimes years later. A delivery after today is
  // not a valid case (caseSchema refuses it); the totality property below decides such cases anyway.
  const gapArb = fc.oneof({ weight: 5, arbitrary: fc.integer({ min: opts.deliveredBeforeToday ? 1 : 0, max: 40 }) }, { weight: 3, arbitrary: fc.integer({ min: 1, max: 1200 }) });
  return fc
    .record({
      policy: fc.constantFrom<PackId>(...PACK_IDS),
      deliveredIndex: fc.integer({ min: 0, max: LAST_INDEX }),
      gap: gapArb,
      purchaseLead: fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }),
      reason: fc.constantFrom(...REASONS),
      purchasedFromUs: fc.option(fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }), { nil: undefined }),
      customerRegion: regionArb,
      product: fc.record(
        {
          category: fc.constantFrom(...CATEGORIES),
          price: moneyArb,
          specialOrder: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
          guaranteeMonths: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 60 })),
          requiresManufacturerPreauth: fc.boolean(),
        },
        { requiredKeys: ['category'] },
      ),
      delivery: fc.option(fc.record({ charge: moneyArb, cheapestCharge: moneyArb }), { nil: undefined }),
      condition: conditionArb,
    })
    .filter((r) => r.deliveredIndex + r.gap >= 0 && r.deliveredIndex + r.gap <= LAST_INDEX)
    .filter((r) => !opts.deliveredBeforeToday || r.gap >= 1)
    .map((r) => {
      const input: CaseInput = {
        policy: r.policy,
        today: dateAt(r.deliveredIndex + r.gap),
        reason: r.reason,
        deliveredOn: dateAt(r.deliveredIndex),
        product: r.product,
        condition: r.condition as CaseInput['condition'],
      };
      if (r.purchaseLead !== undefined && r.deliveredIndex - r.purchaseLead >= 0) input.purchasedOn = dateAt(r.deliveredIndex - r.purchaseLead);
      if (r.purchasedFromUs !== undefined) input.purchasedFromUs = r.purchasedFromUs;
      if (r.customerRegion !== undefined) input.customerRegion = r.customerRegion;
      if (r.delivery !== undefined) input.delivery = r.delivery;
      return input;
    });
}

export const caseArb = (opts: Options = {}): fc.Arbitrary<Case> => caseInputArb(opts).map((i) => caseSchema.parse(i));
