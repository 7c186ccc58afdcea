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
  // The guarantee period that applies (months) and what set it (GUARANTEE_SOURCES): derived from
  // the invoice (`product.guaranteeMonths`), the category and the pack's default.
  'guarantee.months',
  'guarantee.source',
  ...CONDITION_FIELDS.map((f) => `condition.${f}` as const),
] as const;
export type FactPath = (typeof FACT_PATHS)[number];

/** What set a guarantee period: the pack's default, its entry for the category, or the invoice. */
export const GUARANTEE_SOURCES = ['default', 'category', 'invoice'] as const;
export type GuaranteeSource = (typeof GUARANTEE_SOURCES)[number];

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
  | { todayOnOrBefore: string }
  /** The product's category has this feature of the pack (`features`), e.g. a serial label. */
  | { productHas: string };

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
    z.strictObject({ productHas: z.string().regex(ID, { error: 'expected the name of a feature defined under `features`' }) }),
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
  // Empty only for a rule that counts the guarantee: it then cites the clause that set the period.
  clauses: z.array(z.string().min(1)),
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

/**
 * Where a clause's text comes from: quoted from the retailer's written policy, or a rule the
 * retailer (the product) adds beyond it, in its own words, never presented as the policy's.
 */
export const CLAUSE_ORIGINS = ['written-policy', 'retailer-addition'] as const;
export type ClauseOrigin = (typeof CLAUSE_ORIGINS)[number];

export const clauseSchema = z.strictObject({
  id: z.string().min(1),
  title: z.string().optional(),
  text: z.string().min(1),
  decides: z.string().min(1),
  origin: z.enum(CLAUSE_ORIGINS).default('written-policy'),
});
export type Clause = z.output<typeof clauseSchema>;

const clauseRefs = z.array(z.string().min(1)).min(1);

/**
 * A feature some products have and others cannot (an activation key card, a serial label): the
 * categories that have it, and the value each condition fact about it takes for the others, so
 * the bot never asks about something the product cannot have. A value the case gives still counts.
 */
export const featureSchema = z.strictObject({
  categories: z.array(z.enum(CATEGORIES)),
  otherwise: z.partialRecord(z.enum(BOOLEAN_CONDITION_FIELDS), z.boolean()).default({}),
});
export type Feature = z.output<typeof featureSchema>;

const months = z.number().int().min(0).max(240);
export const guaranteeSchema = z.strictObject({
  default: months,
  /** The clauses that set the default period. */
  clauses: clauseRefs.optional(),
  /** The clauses that let a period stated on the invoice (`product.guaranteeMonths`) replace it. */
  invoiceClauses: clauseRefs.optional(),
  byCategory: z.partialRecord(z.enum(CATEGORIES), z.union([months, z.strictObject({ months, clauses: clauseRefs.optional(), invoiceClauses: clauseRefs.optional() })])).optional(),
});

function isRegExp(source: string): boolean {
  try {
    new RegExp(source, 'u');
    return true;
  } catch {
    return false;
  }
}

/** The shape of a manufacturer's pre-authorisation number, as the pack states it. */
export const preauthNumberSchema = z.strictObject({
  pattern: z.string().min(1).refine(isRegExp, { error: 'expected a regular expression' }),
  example: z.string().min(1),
  clauses: clauseRefs.optional(),
});

/**
 * The shape of the retailer's order numbers: a question asked before the order is verified is
 * answered from the pack its number's shape belongs to (policy text is public).
 */
export const orderNumbersSchema = z.strictObject({
  pattern: z.string().min(1).refine(isRegExp, { error: 'expected a regular expression' }),
  example: z.string().min(1),
});

/** When the refund is counted from (`received`: the goods back; `inspected`: after inspection and testing). */
export const REFUND_FROM = ['received', 'received-or-proof-of-posting', 'agreed', 'cancelled', 'inspected'] as const;
export type RefundFrom = (typeof REFUND_FROM)[number];
export const RETURN_ARRANGEMENTS = ['send-to-address', 'arranged-with-retailer'] as const;
export const RETURN_OPTIONS = ['post', 'bring-in', 'collection', 'courier'] as const;
export const CANCEL_METHODS = ['do-not-send', 'ask-staff'] as const;
const PAYERS = ['customer', 'retailer'] as const;

/** Per return reason, with `any` for the reasons not named. */
const perReason = <T extends z.ZodType>(schema: T) => z.partialRecord(z.enum([...REASONS, 'any']), schema);

/**
 * What the pack's own data answers when a customer asks mid-conversation (see answers.ts). Each
 * answer names the clauses it comes from; a topic the pack leaves out is answered "unknown".
 */
export const answersSchema = z.strictObject({
  refundTime: perReason(
    z.strictObject({
      withinDays: z.number().int().min(0).max(365).optional(),
      from: z.enum(REFUND_FROM).optional(),
      method: z.enum(['original-payment']).optional(),
      clauses: clauseRefs,
    }),
  ).optional(),
  returnPostage: perReason(
    z.strictObject({
      payer: z.enum(PAYERS).optional(),
      /** Who pays to send the item back to the customer when testing finds no fault. */
      ifNotFaulty: z.enum(PAYERS).optional(),
      clauses: clauseRefs,
    }),
  ).optional(),
  restockingFee: z
    .strictObject({
      percent: z.number().min(0).max(100).optional(),
      amount: z.number().nonnegative().optional(),
      clauses: clauseRefs,
    })
    .refine((f) => f.percent === undefined || f.amount === undefined, { error: 'expected either percent or amount, not both' })
    .optional(),
  whereToSend: z
    .strictObject({
      arrangement: z.enum(RETURN_ARRANGEMENTS),
      options: z.array(z.enum(RETURN_OPTIONS)).optional(),
      address: z.string().min(1).max(500).optional(),
      clauses: clauseRefs,
    })
    .optional(),
  cancelReturn: z.strictObject({ allowed: z.boolean(), how: z.array(z.enum(CANCEL_METHODS)).optional(), clauses: clauseRefs }).optional(),
  rmaNumber: z.strictObject({ clauses: clauseRefs }).optional(),
});
export type PackAnswers = z.output<typeof answersSchema>;

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
  guaranteeMonths: guaranteeSchema.optional(),
  preauthNumber: preauthNumberSchema.optional(),
  orderNumbers: orderNumbersSchema.optional(),
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
  /** The clauses a DELIVERY_DATE_DISPUTED referral cites (else the fallback's). */
  disputedDeliveryDate: z.strictObject({ clauses: clauseRefs }).optional(),
  questionOrder: z.array(z.enum(CONDITION_FIELDS)).optional(),
  questions: z.partialRecord(z.enum(BOOLEAN_CONDITION_FIELDS), questionSchema).optional(),
  features: z.record(z.string().regex(ID, { error: 'expected a lower-case feature name like "serial-label"' }), featureSchema).optional(),
  answers: answersSchema.optional(),
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
  'guarantee.source': GUARANTEE_SOURCES,
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
  /** The guarantee's settings when valid (their clause references are checked). */
  guarantee?: z.output<typeof guaranteeSchema> | null;
  features?: Record<string, Feature | null>;
  answers?: PackAnswers | null;
  preauthNumber?: z.output<typeof preauthNumberSchema> | null;
  orderNumbers?: z.output<typeof orderNumbersSchema> | null;
  disputedDeliveryDate?: { clauses: string[] } | null;
}

function asPartial(pack: Pack | PartialPack): PartialPack {
  if (typeof pack.workingDays === 'boolean') return pack as PartialPack;
  const p = pack as Pack;
  return {
    ...p,
    questions: p.questions ?? {},
    workingDays: p.workingDays !== undefined,
    guaranteeMonths: p.guaranteeMonths !== undefined,
    guarantee: p.guaranteeMonths ?? null,
    features: p.features ?? {},
    answers: p.answers ?? null,
    preauthNumber: p.preauthNumber ?? null,
    orderNumbers: p.orderNumbers ?? null,
    disputedDeliveryDate: p.disputedDeliveryDate ?? null,
  };
}

/** Date names a test or a rule's parameters refer to. */
function datesOf(rule: Rule): string[] {
  const names: string[] = [];
  if (rule.when) {
    for (const [w] of walkWhen(rule.when, [])) {
      if ('todayAfter' in w) names.push(w.todayAfter);
      if ('todayOnOrBefore' in w) names.push(w.todayOnOrBefore);
    }
  }
  for (const ref of Object.values(rule.params ?? {})) if (typeof ref === 'object' && 'date' in ref) names.push(ref.date);
  return names;
}

/** True when a rule counts the guarantee period (tests or cites a date counted in `months: guarantee`). */
export function countsGuarantee(rule: Rule, dates: Record<string, DateSpec | null>): boolean {
  return datesOf(rule).some((name) => dates[name]?.months === 'guarantee');
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
  const features = pack.features ?? {};
  const checkFeature = (name: string, path: (string | number)[]) => {
    if (!(name in features)) problems.push({ path, message: `expected a feature defined under \`features\`, got "${name}"` });
  };
  pack.rules.forEach((rule, i) => {
    if (!rule) return;
    if (rule.when) for (const [w, path] of walkWhen(rule.when, ['rules', i, 'when'])) if ('productHas' in w) checkFeature(w.productHas, [...path, 'productHas']);
    if (rule.clauses.length === 0) {
      const g = pack.guarantee;
      if (!countsGuarantee(rule, pack.dates)) {
        problems.push({ path: ['rules', i, 'clauses'], message: 'expected at least 1 clause (only a rule that counts the guarantee may leave them to the clause that set its period)' });
      } else if (g !== undefined && (!g?.clauses || !g.invoiceClauses)) {
        problems.push({ path: ['rules', i, 'clauses'], message: 'expected clauses, or `guaranteeMonths.clauses` and `guaranteeMonths.invoiceClauses` to cite the clause that set the period' });
      }
    }
  });
  // A fact a feature's absence settles is settled in one place only.
  const settledBy = new Map<string, string>();
  for (const [name, feature] of Object.entries(features)) {
    for (const field of Object.keys(feature?.otherwise ?? {})) {
      const other = settledBy.get(field) ?? (pack.questions[field] ? 'questions' : undefined);
      if (other)
        problems.push({
          path: ['features', name, 'otherwise', field],
          message: `expected each fact in one feature only; "${field}" is also settled by ${other === 'questions' ? '`questions`' : `feature "${other}"`}`,
        });
      settledBy.set(field, name);
    }
  }
  const g = pack.guarantee;
  if (g) {
    g.clauses?.forEach((c, j) => checkClause(c, ['guaranteeMonths', 'clauses', j]));
    g.invoiceClauses?.forEach((c, j) => checkClause(c, ['guaranteeMonths', 'invoiceClauses', j]));
    for (const [category, entry] of Object.entries(g.byCategory ?? {})) {
      if (typeof entry !== 'object' || entry === null) continue;
      entry.clauses?.forEach((c, j) => checkClause(c, ['guaranteeMonths', 'byCategory', category, 'clauses', j]));
      entry.invoiceClauses?.forEach((c, j) => checkClause(c, ['guaranteeMonths', 'byCategory', category, 'invoiceClauses', j]));
    }
  }
  const answers = pack.answers;
  if (answers) {
    for (const topic of ['refundTime', 'returnPostage'] as const) {
      const entries: [string, { clauses: string[] } | undefined][] = Object.entries(answers[topic] ?? {});
      for (const [reason, entry] of entries) entry?.clauses.forEach((c, j) => checkClause(c, ['answers', topic, reason, 'clauses', j]));
    }
    for (const topic of ['restockingFee', 'whereToSend', 'cancelReturn', 'rmaNumber'] as const) {
      answers[topic]?.clauses.forEach((c, j) => checkClause(c, ['answers', topic, 'clauses', j]));
    }
    for (const [reason, entry] of Object.entries(answers.refundTime ?? {})) {
      const days = reason === 'any' ? undefined : pack.reasons[reason]?.deadlines.refundWithinDays;
      if (entry?.withinDays !== undefined && days !== undefined && entry.withinDays !== days) {
        problems.push({ path: ['answers', 'refundTime', reason, 'withinDays'], message: `expected ${days}, the refundWithinDays of reasons.${reason}.deadlines, got ${entry.withinDays}` });
      }
    }
  }
  const preauth = pack.preauthNumber;
  if (preauth) {
    if (!new RegExp(preauth.pattern, 'u').test(preauth.example)) {
      problems.push({ path: ['preauthNumber', 'example'], message: `expected an example that matches the pattern, got "${preauth.example}"` });
    }
    if (new RegExp(preauth.pattern, 'u').test('none')) {
      problems.push({ path: ['preauthNumber', 'pattern'], message: 'expected a pattern that does not match "none" (the answer of a customer who has no number)' });
    }
    preauth.clauses?.forEach((c, j) => checkClause(c, ['preauthNumber', 'clauses', j]));
  }
  const orderNumbers = pack.orderNumbers;
  if (orderNumbers && !new RegExp(orderNumbers.pattern, 'iu').test(orderNumbers.example)) {
    problems.push({ path: ['orderNumbers', 'example'], message: `expected an example that matches the pattern, got "${orderNumbers.example}"` });
  }
  for (const [field, q] of Object.entries(pack.questions)) {
    if (!q) continue;
    for (const [w, path] of walkWhen(q.askWhen, ['questions', field, 'askWhen'])) {
      if ('productHas' in w) checkFeature(w.productHas, [...path, 'productHas']);
      if ('fact' in w && w.fact.startsWith('condition.')) {
        problems.push({ path: [...path, 'fact'], message: `expected a fact known from the order (product.*, guarantee.*, purchasedFromUs, customerRegion, delivery.*), got "${w.fact}"` });
      }
      if ('todayAfter' in w || 'todayOnOrBefore' in w) {
        problems.push({ path, message: 'expected a test on facts known from the order, not a date' });
      }
    }
  }
  pack.fallback?.clauses.forEach((c, j) => checkClause(c, ['fallback', 'clauses', j]));
  pack.disputedDeliveryDate?.clauses.forEach((c, j) => checkClause(c, ['disputedDeliveryDate', 'clauses', j]));
  return problems;
}
