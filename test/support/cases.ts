/**
 * Test cases as data: a fully-known "good" case per shipped pack (every condition field set, the
 * product, the delivery and the dates all known and inside every window), overridable per test,
 * with a way to leave condition fields unknown.
 *
 * Dates here are computed independently of the implementation (plain UTC arithmetic), so tests
 * can state expected deadlines without borrowing the engine's own calendar code.
 */
import { CONDITION_FIELDS, type CaseInput, type ConditionField } from '../../src/policy/case.js';

export type PackId = 'uk-online' | 'impress-us';
export const PACK_IDS: readonly PackId[] = ['uk-online', 'impress-us'];

export type Reason = CaseInput['reason'];
export const REASON_LIST: readonly Reason[] = ['change-of-mind', 'faulty', 'misdescribed', 'transit-damage'];

export type ProductInput = CaseInput['product'];
export type Category = ProductInput['category'];
export type ConditionInput = NonNullable<CaseInput['condition']>;
export type DeliveryInput = CaseInput['delivery'];

/** Monday 2 March 2026: no public holiday in England, Wales, Scotland, NI or the US for two weeks. */
export const DELIVERED = '2026-03-02';

/** Every condition field set to the value that lets a return through (a fully-known good item). */
export const GOOD_CONDITION: Readonly<Required<{ [K in keyof ConditionInput]: NonNullable<ConditionInput[K]> }>> = {
  packagingOpened: false,
  sealBroken: false,
  activationStripDamaged: false,
  used: false,
  allAccessories: true,
  originalPackaging: true,
  serialLabelIntact: true,
  upcPresent: true,
  physicalDamage: false,
  tampered: false,
  rebateClaimed: false,
  softwareClaimed: false,
  originalOsIntact: true,
  faultCause: 'defect',
  manufacturerPreauth: 'MFR-PA-123456',
};

/** The good value of one condition field (what a customer with a returnable item answers). */
export function goodValue(field: ConditionField): boolean | string {
  return GOOD_CONDITION[field];
}

/** What a test may change: top-level fields replace, `product` and `condition` merge field by field. */
export interface CasePatch {
  policy?: string;
  /** The day the customer tells us; wins over `day`. */
  today?: string;
  /** `today` as a number of calendar days after `deliveredOn` (default 2). */
  day?: number;
  reason?: Reason;
  deliveredOn?: string;
  purchasedOn?: string;
  purchasedFromUs?: boolean;
  customerRegion?: string | null;
  product?: Partial<ProductInput>;
  delivery?: DeliveryInput;
  condition?: Partial<ConditionInput>;
}

const GOOD_PRODUCT: ProductInput = {
  category: 'peripheral',
  price: 100,
  specialOrder: false,
  guaranteeMonths: null,
  requiresManufacturerPreauth: false,
};

const REGION: Record<PackId, string> = { 'uk-online': 'GB-ENG', 'impress-us': 'US-NY' };

/**
 * A fully-known case for `pack` that the pack approves (change of mind, delivered {@link DELIVERED},
 * told on day 2, nothing wrong with the item), with `patch` applied and the condition fields in
 * `unknown` (or all of them) removed.
 */
export function goodCase(pack: PackId | string, patch: CasePatch = {}, unknown: readonly ConditionField[] | 'all' = []): CaseInput {
  const deliveredOn = patch.deliveredOn ?? DELIVERED;
  const today = patch.today ?? plusDays(deliveredOn, patch.day ?? 2);
  const base: CaseInput = {
    policy: patch.policy ?? pack,
    today,
    reason: patch.reason ?? 'change-of-mind',
    deliveredOn,
    purchasedOn: patch.purchasedOn ?? plusDays(deliveredOn, -2),
    purchasedFromUs: patch.purchasedFromUs ?? true,
    customerRegion: patch.customerRegion === undefined ? (REGION[pack as PackId] ?? null) : patch.customerRegion,
    product: { ...GOOD_PRODUCT, ...patch.product },
    delivery: patch.delivery === undefined ? { charge: 4.99, cheapestCharge: 4.99 } : patch.delivery,
    condition: { ...GOOD_CONDITION, ...patch.condition },
  };
  return withUnknown(base, unknown);
}

/** A copy of `c` with the given condition fields (or all of them) unknown, i.e. absent. */
export function withUnknown(c: CaseInput, fields: readonly ConditionField[] | 'all'): CaseInput {
  const copy = structuredClone(c);
  const condition: Record<string, unknown> = { ...(copy.condition ?? {}) };
  for (const f of fields === 'all' ? CONDITION_FIELDS : fields) delete condition[f];
  copy.condition = condition as ConditionInput;
  return copy;
}

/** A copy of `c` with the given condition facts set. */
export function withFacts(c: CaseInput, facts: Partial<ConditionInput>): CaseInput {
  const copy = structuredClone(c);
  copy.condition = { ...(copy.condition ?? {}), ...facts };
  return copy;
}

// --- Independent date arithmetic (the expected values of tests) ---------------------------------

function parts(date: string): [number, number, number] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new Error(`not a date: ${date}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

function format(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The calendar date `n` days after `date` (negative goes back). */
export function plusDays(date: string, n: number): string {
  const [y, m, d] = parts(date);
  return format(Date.UTC(y, m - 1, d + n));
}

/** The corresponding date `n` calendar months after `date`, clamped to the end of the month. */
export function plusMonths(date: string, n: number): string {
  const [y, m, d] = parts(date);
  const lastDay = new Date(Date.UTC(y, m - 1 + n + 1, 0)).getUTCDate();
  return format(Date.UTC(y, m - 1 + n, Math.min(d, lastDay)));
}
