/**
 * A policy pack: a retailer's written returns policy as data (JSON or YAML), and its schema.
 *
 * A pack quotes its policy clause by clause and says what each rule decides. Rules are read in
 * order; the engine ({@link ./engine.ts}) applies the precedence reject > refer > approve, takes the
 * first approving rule that matches as the remedy table row, and adds every matching deduction and
 * condition. A merchant writes a new pack without code; `returnsbot policy validate FILE` checks it.
 */
import { z } from 'zod';
import { BOOLEAN_CONDITION_FIELDS, CATEGORIES, CONDITION_FIELDS, FAULT_CAUSES, REASONS } from './case.js';
import { isTimeZone } from './calendar.js';
import { isHolidayCalendar } from './holidays.js';

/** Facts a rule can test. `condition.*` facts are the ones the conversation can ask the customer. */
export const FACT_PATHS = [
  'purchasedFromUs',
  'customerRegion',
  'product.category',
  'product.price',
  'product.specialOrder',
  'product.guaranteeMonths',
  'product.requiresManufacturerPreauth',
  'delivery.charge',
  'delivery.cheapestCharge',
  ...CONDITION_FIELDS.map((f) => `condition.${f}` as const),
] as const;
export type FactPath = (typeof FACT_PATHS)[number];

export const REMEDIES = ['refund', 'replacement', 'repair', 'partial-refund'] as const;
export type Remedy = (typeof REMEDIES)[number];
export const DEDUCTION_KINDS = ['restocking-fee', 'diminished-value', 'claimed-software', 'delivery-upgrade'] as const;
export type DeductionKind = (typeof DEDUCTION_KINDS)[number];

const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const CODE = /^[A-Z][A-Z0-9_]*$/;
const NAME = /^[A-Za-z][A-Za-z0-9]*$/;

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const fact = z.enum(FACT_PATHS);
const dateName = z.string().regex(NAME, { error: 'expected the name of a date defined under `dates`' });

/** A test over the facts; three-valued when a fact is unknown. */
export type When =
  | { all: When[] }
  | { any: When[] }
  | { not: When }
  | { fact: FactPath; is: boolean }
  | { fact: FactPath; in: (string | number | boolean)[] }
  | { fact: FactPath; equals: string | number | boolean }
  | { fact: FactPath; greaterThan: number | { fact: FactPath } }
  | { fact: FactPath; lessThan: number | { fact: FactPath } }
  | { todayAfter: string }
  | { todayOnOrBefore: string };

const numberOrFact = z.union([z.number(), z.strictObject({ fact })]);

export const whenSchema: z.ZodType<When> = z.lazy(() =>
  z.union([
    z.strictObject({ all: z.array(whenSchema).min(1) }),
    z.strictObject({ any: z.array(whenSchema).min(1) }),
    z.strictObject({ not: whenSchema }),
    z.strictObject({ fact, is: z.boolean() }),
    z.strictObject({ fact, in: z.array(scalar).min(1) }),
    z.strictObject({ fact, equals: scalar }),
    z.strictObject({ fact, greaterThan: numberOrFact }),
    z.strictObject({ fact, lessThan: numberOrFact }),
    z.strictObject({ todayAfter: dateName }),
    z.strictObject({ todayOnOrBefore: dateName }),
  ]),
);

export const dateSpecSchema = z
  .strictObject({
    from: z.enum(['deliveredOn', 'today', 'purchasedOn']),
    days: z.number().int().min(-3660).max(3660).optional(),
    months: z.union([z.number().int().min(0).max(240), z.literal('guarantee')]).optional(),
    workingDays: z.number().int().min(1).max(60).optional(),
  })
  .refine((d) => [d.days, d.months, d.workingDays].filter((x) => x !== undefined).length === 1, {
    error: 'expected exactly one of days, months or workingDays',
  });
export type DateSpec = z.output<typeof dateSpecSchema>;

const paramRef = z.union([scalar, z.strictObject({ date: dateName }), z.strictObject({ fact })]);
export type ParamRef = z.output<typeof paramRef>;

const ruleBase = {
  id: z.string().regex(ID, { error: 'expected a lower-case id like "seal-broken"' }),
  clauses: z.array(z.string().min(1)).min(1),
  reasons: z.array(z.enum(REASONS)).min(1).optional(),
  when: whenSchema.optional(),
  code: z.string().regex(CODE, { error: 'expected an UPPER_SNAKE reason code' }),
  params: z.record(z.string().regex(NAME), paramRef).optional(),
  note: z.string().optional(),
};

export const ruleSchema = z.discriminatedUnion('effect', [
  z.strictObject({
    ...ruleBase,
    effect: z.literal('reject'),
    statutoryNote: z.string().optional(),
    alternatives: z.array(z.enum(REASONS)).optional(),
  }),
  z.strictObject({ ...ruleBase, effect: z.literal('refer'), statutoryNote: z.string().optional() }),
  z.strictObject({
    ...ruleBase,
    effect: z.literal('approve'),
    remedies: z.array(z.enum(REMEDIES)).min(1),
    chosenBy: z.enum(['customer', 'retailer']),
  }),
  z.strictObject({
    ...ruleBase,
    effect: z.literal('deduct'),
    deduction: z.strictObject({ kind: z.enum(DEDUCTION_KINDS), certainty: z.enum(['may', 'will']) }),
  }),
  z.strictObject({ ...ruleBase, effect: z.literal('require'), conditions: z.array(z.string().regex(ID)).min(1) }),
]);
export type Rule = z.output<typeof ruleSchema>;

export const reasonSpecSchema = z.strictObject({
  deadlines: z
    .strictObject({
      notifyBy: dateName.optional(),
      returnBy: dateName.optional(),
      reportBy: dateName.optional(),
      refundWithinDays: z.number().int().min(0).max(365).optional(),
    })
    .default({}),
});

export const fallbackSchema = z.strictObject({ clauses: z.array(z.string().min(1)).min(1), code: z.string().regex(CODE) });
export const questionSchema = z.strictObject({ askWhen: whenSchema, otherwise: z.boolean() });

export const clauseSchema = z.strictObject({
  id: z.string().min(1),
  title: z.string().optional(),
  text: z.string().min(1),
  decides: z.string().min(1),
});
export type Clause = z.output<typeof clauseSchema>;

export const packSchema = z.strictObject({
  id: z.string().regex(ID, { error: 'expected a lower-case pack id like "uk-online"' }),
  version: z.string().min(1),
  name: z.string().min(1),
  timeZone: z.string().refine(isTimeZone, { error: 'expected an IANA time zone like "Europe/London"' }),
  locale: z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, { error: 'expected a locale like "en-GB"' }),
  currency: z.string().regex(/^[A-Z]{3}$/, { error: 'expected an ISO 4217 currency code like "GBP"' }),
  jurisdiction: z.string().regex(/^[A-Z]{2}$/, { error: 'expected a two-letter country code like "GB"' }),
  source: z.string().optional(),
  rmaRequired: z.boolean().default(true),
  refund: z
    .strictObject({
      withinDays: z.number().int().min(0).max(365),
      from: z.enum(['received', 'received-or-proof-of-posting', 'agreed', 'cancelled']),
    })
    .optional(),
  guaranteeMonths: z
    .strictObject({
      default: z.number().int().min(0).max(240),
      byCategory: z.partialRecord(z.enum(CATEGORIES), z.number().int().min(0).max(240)).optional(),
    })
    .optional(),
  workingDays: z
    .strictObject({
      holidays: z.array(z.string().refine(isHolidayCalendar, { error: 'expected a holiday calendar like "GB-ENG" or "US"' })).min(1),
      addCustomerRegion: z.boolean().default(false),
    })
    .optional(),
  clauses: z.array(clauseSchema).min(1),
  dates: z.record(z.string().regex(NAME), dateSpecSchema).default({}),
  reasons: z.partialRecord(z.enum(REASONS), reasonSpecSchema).default({}),
  rules: z.array(ruleSchema).min(1),
  fallback: fallbackSchema,
  questionOrder: z.array(z.enum(CONDITION_FIELDS)).optional(),
  questions: z.partialRecord(z.enum(BOOLEAN_CONDITION_FIELDS), questionSchema).optional(),
  messages: z.record(z.string(), z.record(z.string(), z.string())).optional(),
});
export type Pack = z.output<typeof packSchema>;
export type PackInput = z.input<typeof packSchema>;

/** A problem found by cross-checking a pack that passed its schema. */
export interface PackProblem {
  path: (string | number)[];
  message: string;
}

function* walkWhen(w: When, path: (string | number)[]): Generator<[When, (string | number)[]]> {
  yield [w, path];
  if ('all' in w) for (const [i, x] of w.all.entries()) yield* walkWhen(x, [...path, 'all', i]);
  if ('any' in w) for (const [i, x] of w.any.entries()) yield* walkWhen(x, [...path, 'any', i]);
  if ('not' in w) yield* walkWhen(w.not, [...path, 'not']);
}

const ENUM_VALUES: Partial<Record<FactPath, readonly string[]>> = {
  'product.category': CATEGORIES,
  'condition.faultCause': FAULT_CAUSES,
};

/** A pack whose parts may each be invalid (null): what cross-checking can still look at. */
export interface PartialPack {
  id: string;
  clauses: (Clause | null)[];
  dates: Record<string, DateSpec | null>;
  reasons: Record<string, z.output<typeof reasonSpecSchema> | null | undefined>;
  rules: (Rule | null)[];
  fallback: z.output<typeof fallbackSchema> | null;
  questions: Record<string, z.output<typeof questionSchema> | null | undefined>;
  workingDays: boolean;
  guaranteeMonths: boolean;
}

function asPartial(pack: Pack | PartialPack): PartialPack {
  if (typeof pack.workingDays === 'boolean') return pack as PartialPack;
  const p = pack as Pack;
  return { ...p, questions: p.questions ?? {}, workingDays: p.workingDays !== undefined, guaranteeMonths: p.guaranteeMonths !== undefined };
}

/**
 * Checks what a schema cannot: references between parts of the pack (clauses, dates), unique ids,
 * clause ids under the pack's own id, and enum values used in tests. Returns every problem found;
 * parts that are null (invalid on their own) are skipped.
 */
export function crossCheck(input: Pack | PartialPack): PackProblem[] {
  const pack = asPartial(input);
  const problems: PackProblem[] = [];
  const clauseIds = new Set<string>();
  pack.clauses.forEach((c, i) => {
    if (!c) return;
    if (clauseIds.has(c.id)) problems.push({ path: ['clauses', i, 'id'], message: `duplicate clause id "${c.id}"` });
    clauseIds.add(c.id);
    if (pack.id && !c.id.startsWith(`${pack.id}/`)) {
      problems.push({ path: ['clauses', i, 'id'], message: `expected the clause id to start with "${pack.id}/", got "${c.id}"` });
    }
  });
  const dates = new Set(Object.keys(pack.dates));
  const checkDate = (name: string, path: (string | number)[]) => {
    if (!dates.has(name)) problems.push({ path, message: `expected a date defined under \`dates\`, got "${name}"` });
  };
  const checkClause = (id: string, path: (string | number)[]) => {
    if (!clauseIds.has(id)) problems.push({ path, message: `expected a clause id defined under \`clauses\`, got "${id}"` });
  };
  for (const [name, spec] of Object.entries(pack.dates)) {
    if (!spec) continue;
    if (spec.workingDays !== undefined && !pack.workingDays) {
      problems.push({ path: ['dates', name, 'workingDays'], message: 'expected `workingDays.holidays` to be set when a date counts working days' });
    }
    if (spec.months === 'guarantee' && !pack.guaranteeMonths) {
      problems.push({ path: ['dates', name, 'months'], message: 'expected `guaranteeMonths` to be set when a date counts the guarantee' });
    }
  }
  for (const [reason, spec] of Object.entries(pack.reasons)) {
    for (const key of ['notifyBy', 'returnBy', 'reportBy'] as const) {
      const ref = spec?.deadlines[key];
      if (ref !== undefined) checkDate(ref, ['reasons', reason, 'deadlines', key]);
    }
  }
  const ruleIds = new Set<string>();
  pack.rules.forEach((rule, i) => {
    if (!rule) return;
    if (ruleIds.has(rule.id)) problems.push({ path: ['rules', i, 'id'], message: `duplicate rule id "${rule.id}"` });
    ruleIds.add(rule.id);
    rule.clauses.forEach((c, j) => checkClause(c, ['rules', i, 'clauses', j]));
    for (const [name, ref] of Object.entries(rule.params ?? {})) {
      if (typeof ref === 'object' && 'date' in ref) checkDate(ref.date, ['rules', i, 'params', name, 'date']);
    }
    if (rule.when) {
      for (const [w, path] of walkWhen(rule.when, ['rules', i, 'when'])) {
        if ('todayAfter' in w) checkDate(w.todayAfter, [...path, 'todayAfter']);
        if ('todayOnOrBefore' in w) checkDate(w.todayOnOrBefore, [...path, 'todayOnOrBefore']);
        if ('in' in w || 'equals' in w) {
          const allowed = ENUM_VALUES[w.fact];
          const values = 'in' in w ? w.in : [w.equals];
          if (allowed) {
            values.forEach((v) => {
              if (typeof v !== 'string' || !allowed.includes(v)) {
                problems.push({ path: [...path, 'in' in w ? 'in' : 'equals'], message: `expected one of ${allowed.join(', ')}, got ${JSON.stringify(v)}` });
              }
            });
          }
        }
      }
    }
  });
  for (const [field, q] of Object.entries(pack.questions)) {
    if (!q) continue;
    for (const [w, path] of walkWhen(q.askWhen, ['questions', field, 'askWhen'])) {
      if ('fact' in w && w.fact.startsWith('condition.')) {
        problems.push({ path: [...path, 'fact'], message: `expected a fact known from the order (product.*, purchasedFromUs, customerRegion, delivery.*), got "${w.fact}"` });
      }
      if ('todayAfter' in w || 'todayOnOrBefore' in w) {
        problems.push({ path, message: 'expected a test on facts known from the order, not a date' });
      }
    }
  }
  pack.fallback?.clauses.forEach((c, j) => checkClause(c, ['fallback', 'clauses', j]));
  return problems;
}
