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

export const CATEGORIES = [
  'desktop-pc', 'notebook', 'tablet', 'motherboard-bundle', 'component', 'peripheral',
  'software', 'media', 'memory-card', 'headphones', 'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const FAULT_CAUSES = ['defect', 'wear-and-tear', 'accident', 'misuse', 'software', 'unknown'] as const;
export type FaultCause = (typeof FAULT_CAUSES)[number];

/** Yes/no facts about the item's condition, in the order the contract lists them. */
export const BOOLEAN_CONDITION_FIELDS = [
  'packagingOpened', 'sealBroken', 'activationStripDamaged', 'used', 'allAccessories',
  'originalPackaging', 'serialLabelIntact', 'upcPresent', 'physicalDamage', 'tampered',
  'rebateClaimed', 'softwareClaimed', 'originalOsIntact',
] as const;
export type BooleanConditionField = (typeof BOOLEAN_CONDITION_FIELDS)[number];

/** Every condition field: the facts the conversation may ask for (`needs`). */
export const CONDITION_FIELDS = [...BOOLEAN_CONDITION_FIELDS, 'faultCause', 'manufacturerPreauth'] as const;
export type ConditionField = (typeof CONDITION_FIELDS)[number];

/** Regions a case may name: a UK nation, or a US state. */
export const CUSTOMER_REGION_RE = /^(GB-(ENG|WLS|SCT|NIR)|US-[A-Z]{2})$/;

export const localDate = z.string().refine(isLocalDate, { error: 'expected a date YYYY-MM-DD' });

const bool = z.boolean().nullable().optional();

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
  manufacturerPreauth: z.string().trim().min(1).max(64).nullable().optional(),
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

export const caseSchema = z.strictObject({
  policy: z.string().min(1, { error: 'expected a pack id or a path to a pack file' }),
  today: localDate,
  reason: z.enum(REASONS),
  deliveredOn: localDate,
  purchasedOn: localDate.optional(),
  purchasedFromUs: z.boolean().default(true),
  customerRegion: z
    .string()
    .regex(CUSTOMER_REGION_RE, { error: 'expected GB-ENG, GB-WLS, GB-SCT, GB-NIR or a US state like US-NY' })
    .nullable()
    .optional(),
  product: productSchema,
  delivery: deliverySchema.nullable().optional(),
  condition: conditionSchema.default({}),
});

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
