/**
 * A case: the facts of one return, as CONTRACT section 3 defines them, with its zod schema.
 *
 * Every condition field is optional; a missing (or null) one is unknown, and the policy asks for it
 * only when it could change the outcome.
 */
import { z } from 'zod';
import { isLocalDate, type LocalDate } from './calendar.js';

export const REASONS = ['change-of-mind', 'faulty', 'misdescribed', 'transit-damage'] as const;
export type ReturnReason = (typeof REASONS)[number];

export const CATEGORIES = ['desktop-pc', 'notebook', 'tablet', 'motherboard-bundle', 'component', 'peripheral', 'software', 'media', 'memory-card', 'headphones', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];

export const FAULT_CAUSES = ['defect', 'wear-and-tear', 'accident', 'misuse', 'software', 'unknown'] as const;
export type FaultCause = (typeof FAULT_CAUSES)[number];

/** Yes/no facts about the item's condition, in the order the contract lists them. */
export const BOOLEAN_CONDITION_FIELDS = [
  'packagingOpened',
  'sealBroken',
  'activationStripDamaged',
  'used',
  'allAccessories',
  'originalPackaging',
  'serialLabelIntact',
  'upcPresent',
  'physicalDamage',
  'tampered',
  'rebateClaimed',
  'softwareClaimed',
  'originalOsIntact',
] as const;
export type BooleanConditionField = (typeof BOOLEAN_CONDITION_FIELDS)[number];

/** Every condition field: the facts the conversation may ask for (`needs`). */
export const CONDITION_FIELDS = [...BOOLEAN_CONDITION_FIELDS, 'faultCause', 'manufacturerPreauth'] as const;
export type ConditionField = (typeof CONDITION_FIELDS)[number];

/** Regions a case may name: a UK nation, or a US state. */
export const CUSTOMER_REGION_RE = /^(GB-(ENG|WLS|SCT|NIR)|US-[A-Z]{2})$/;

export const localDate = z.string().refine(isLocalDate, { error: 'expected a date YYYY-MM-DD' });

const bool = z.boolean().nullable().optional();

/** The sentinel a customer gives for "I have no pre-authorisation number" (any letter case). */
export const NO_PREAUTH = 'none';

export const conditionSchema = z.strictObject({
  packagingOpened: bool,
  sealBroken: bool,
  activationStripDamaged: bool,
  used: bool,
  allAccessories: bool,
  originalPackaging: bool,
  serialLabelIntact: bool,
  upcPresent: bool,
  physicalDamage: bool,
  tampered: bool,
  rebateClaimed: bool,
  softwareClaimed: bool,
  originalOsIntact: bool,
  faultCause: z.enum(FAULT_CAUSES).nullable().optional(),
  // "NONE", "None" and " none " are the sentinel too; a number is checked against the pack's shape
  // (`preauthNumber` in the pack) where the pack is known.
  manufacturerPreauth: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .transform((v) => (v.toLowerCase() === NO_PREAUTH ? NO_PREAUTH : v))
    .nullable()
    .optional(),
});

export const productSchema = z.strictObject({
  category: z.enum(CATEGORIES),
  price: z.number().nonnegative().optional(),
  specialOrder: z.boolean().default(false),
  guaranteeMonths: z.number().int().min(0).max(240).nullable().optional(),
  requiresManufacturerPreauth: z.boolean().default(false),
  name: z.string().max(200).optional(),
  sku: z.string().max(100).optional(),
});

export const deliverySchema = z.strictObject({
  charge: z.number().nonnegative(),
  cheapestCharge: z.number().nonnegative(),
});

/** Where a fact came from: the order record, the customer's own words, or a member of staff. */
export const FACT_SOURCES = ['order', 'customer', 'staff'] as const;
export type FactSource = (typeof FACT_SOURCES)[number];

/**
 * The facts whose source a case may give and a decision records: the order's facts (the product's
 * fields together as `product`, the delivery charges as `delivery`) and every condition field.
 */
export const SOURCED_FACTS = ['deliveredOn', 'purchasedOn', 'purchasedFromUs', 'customerRegion', 'product', 'delivery', ...CONDITION_FIELDS] as const;
export type SourcedFact = (typeof SOURCED_FACTS)[number];

/** The source of a fact the case does not name: `order` for the order's facts, `customer` for the item's condition. */
export function defaultSource(fact: SourcedFact): FactSource {
  return (CONDITION_FIELDS as readonly string[]).includes(fact) ? 'customer' : 'order';
}

export const sourcesSchema = z.partialRecord(z.enum(SOURCED_FACTS), z.enum(FACT_SOURCES));
export type Sources = z.output<typeof sourcesSchema>;

/** The dates a case gives, as far as they are valid on their own (for the checks between them). */
interface CaseDates {
  today?: unknown;
  deliveredOn?: unknown;
  recordedDeliveredOn?: unknown;
  purchasedOn?: unknown;
}

/**
 * Problems between the case's dates: a delivery after today, or before the purchase, cannot have
 * happened. Each date is checked only when it is itself a valid date; `today` null skips the check
 * against today (the caller does not know it yet). Paths are relative to the case.
 */
export function caseDateProblems(c: CaseDates, today: unknown = c.today): { path: string[]; message: string; input: string }[] {
  const problems: { path: string[]; message: string; input: string }[] = [];
  const purchasedOn = isLocalDate(c.purchasedOn) ? c.purchasedOn : null;
  const now = isLocalDate(today) ? today : null;
  for (const key of ['deliveredOn', 'recordedDeliveredOn'] as const) {
    const d = c[key];
    if (!isLocalDate(d)) continue;
    if (now && d > now) problems.push({ path: [key], message: `expected a date on or before today (${now}): a delivery cannot be in the future`, input: d });
    else if (purchasedOn && d < purchasedOn) problems.push({ path: [key], message: `expected a date on or after purchasedOn (${purchasedOn}): goods cannot arrive before they are bought`, input: d });
  }
  return problems;
}

const caseShape = z.strictObject({
  policy: z.string({ error: 'expected a pack id or a path to a pack file' }).min(1, { error: 'expected a pack id or a path to a pack file' }),
  today: localDate,
  reason: z.enum(REASONS),
  deliveredOn: localDate,
  /**
   * The order's recorded delivery date, when `deliveredOn` is one someone else stated (the
   * customer): a later stated date that changes the outcome is referred (DELIVERY_DATE_DISPUTED).
   */
  recordedDeliveredOn: localDate.optional(),
  purchasedOn: localDate.optional(),
  purchasedFromUs: z.boolean().default(true),
  customerRegion: z.string().regex(CUSTOMER_REGION_RE, { error: 'expected GB-ENG, GB-WLS, GB-SCT, GB-NIR or a US state like US-NY' }).nullable().optional(),
  product: productSchema,
  delivery: deliverySchema.nullable().optional(),
  condition: conditionSchema.default({}),
  /** Where each fact came from; a fact not named has its {@link defaultSource}. */
  sources: sourcesSchema.optional(),
});

/**
 * A case (CONTRACT section 3). Its dates are checked against each other too, even when other fields
 * are wrong, so every problem of a case is reported at once.
 */
export const caseSchema = caseShape.check(
  z.superRefine(
    (c, ctx) => {
      for (const p of caseDateProblems(c)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message, input: p.input });
    },
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  ),
);

/** A case as accepted from outside (defaults not yet applied). */
export type CaseInput = z.input<typeof caseSchema>;
/** A validated case: defaults applied, dates checked. */
export type Case = z.output<typeof caseSchema>;
export type Condition = z.output<typeof conditionSchema>;

/** Value of a condition field, or undefined when it is unknown. */
export function conditionValue(c: Condition, field: ConditionField): boolean | string | undefined {
  const v = c[field];
  return v === null || v === undefined ? undefined : v;
}

export type { LocalDate };
