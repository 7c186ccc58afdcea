/**
 * The policy engine: `decide(case, pack)` → Decision.
 *
 * Pure and total: no clock, no I/O, and it never throws for a case that passed its schema.
 *
 * How a decision is reached (CONTRACT section 5):
 * 1. The pack's rules that apply to the case's reason are tested against the facts. A test is
 *    three-valued: a fact that is missing is unknown, and so is any test that depends on it.
 * 2. Any rejecting rule that holds → `rejected`. Otherwise, if a rejecting rule is still unknown,
 *    the missing facts could change the outcome → `incomplete`.
 * 3. Any referring rule that holds → `referred`; one still unknown → `incomplete`.
 * 4. The first approving rule, in pack order, that does not fail is the remedy table row: when it
 *    holds → `approved` with its remedies; when unknown → `incomplete`, unless a later rule holds
 *    with the same remedies (then the missing fact changes only which clauses allow the return).
 * 5. No approving rule → `referred` under the pack's fallback clause.
 * Deductions and conditions are added to an approval when their rule holds, or when it depends on
 * a fact the customer has not given (then a deduction is only one that "may" apply).
 *
 * A rule that counts the guarantee cites the clause that set the period (the pack's default, the
 * category's, or the one that lets the invoice's period apply). A fact a product cannot have (the
 * pack's `features`: no serial label on a memory card) is never asked. Every fact the decision read
 * is recorded with its source (`sources`). A customer's delivery date later than the order's record
 * that changes the outcome is referred (DELIVERY_DATE_DISPUTED) rather than taken on their word.
 *
 * Legal safety for GB packs: a rule that would reject a faulty, misdescribed or transit-damage claim
 * on a time limit alone refers it instead, with a statutory note, because the Consumer Rights Act
 * 2015 rights outlast a retailer's own guarantee (s.30(4)(b)); the bot must never give a flat no.
 */
import { addDays, addMonths, addWorkingDays, compareDates, type HolidayTest, type LocalDate } from './calendar.js';
import { unionHolidays } from './holidays.js';
import { CONDITION_FIELDS, defaultSource, NO_PREAUTH, REASONS, SOURCED_FACTS, type Case, type ConditionField, type FactSource, type ReturnReason, type SourcedFact } from './case.js';
import { countsGuarantee, FACT_PATHS, type DateSpec, type FactPath, type GuaranteeSource, type Pack, type ParamRef, type Rule, type When } from './pack.js';
import { ENGINE_CODES, UK_STATUTORY_NOTE, type Deadlines, type Decision, type Deduction, type Outcome, type ParamValue, type ReasonEntry, type Sources } from './decision.js';

const F = 0,
  T = 1,
  U = 2;
type Tri = typeof F | typeof T | typeof U;

/** The guarantee period that applies to a case, what set it, and the clauses that say so. */
export interface GuaranteeInfo {
  months: number;
  source: GuaranteeSource;
  clauses: readonly string[];
}

/** Everything a test needs while one case is decided. */
interface Ctx {
  c: Case;
  dates: Map<string, LocalDate | undefined>;
  pack: CompiledPack;
  /** Bit i set: the fact SOURCED_FACTS[i] was read with a known value. */
  read: number;
  /** The guarantee, once computed (null: the pack has none). */
  guarantee: GuaranteeInfo | null | undefined;
}

type Test = (ctx: Ctx, unknown: ConditionField[]) => Tri;

interface CompiledRule {
  rule: Rule;
  test: Test;
  /** Effect after legal safety: a GB time-limit rejection of a statutory claim becomes a referral. */
  effect: Rule['effect'];
  statutoryNote: string | null;
  code: string;
  /** The rule counts the guarantee: it cites the clause that set the period. */
  countsGuarantee: boolean;
}

export interface CompiledPack {
  pack: Pack;
  byReason: Record<ReturnReason, CompiledRule[]>;
  questionRank: Map<ConditionField, number>;
  /** Facts asked only for some products; for the others they take `otherwise`. */
  questions: Map<ConditionField, { askWhen: Test; otherwise: boolean }>;
  /** The pack's features, by name: the categories that have each. */
  features: Map<string, ReadonlySet<string>>;
  /** The shape of a pre-authorisation number, when the pack states one. */
  preauthNumber: RegExp | null;
}

export interface DecideOptions {
  /**
   * Condition fields the customer has said they cannot tell. When only these stand between the
   * case and a decision, the case is `referred` (a person looks at it) instead of `incomplete`.
   */
  unavailable?: readonly ConditionField[];
}

/** Bit of each sourced fact in `Ctx.read`. */
const SOURCE_BIT = new Map<SourcedFact, number>(SOURCED_FACTS.map((f, i) => [f, 1 << i]));

/** The sourced fact a fact path reads (the product's fields and the guarantee are the product's). */
function sourcedFact(path: FactPath): SourcedFact {
  if (path.startsWith('product.') || path.startsWith('guarantee.')) return 'product';
  if (path.startsWith('delivery.')) return 'delivery';
  if (path.startsWith('condition.')) return path.slice('condition.'.length) as ConditionField;
  return path as SourcedFact;
}

function bitOf(path: FactPath): number {
  return SOURCE_BIT.get(sourcedFact(path)) ?? 0;
}

/**
 * The pre-authorisation the case gives: "none" (any letter case), a number of the pack's shape, or
 * unknown (a value that is neither: the conversation asks again).
 */
function preauthValue(v: string | null | undefined, shape: RegExp | null): string | undefined {
  if (v === null || v === undefined) return undefined;
  const t = v.trim();
  if (t.toLowerCase() === NO_PREAUTH) return NO_PREAUTH;
  if (!t || (shape && !shape.test(t))) return undefined;
  return t;
}

type Getter = (ctx: Ctx) => unknown;

/** How to read each fact, made once (a hot path: no string work per read). */
function getterFor(path: FactPath): Getter {
  switch (path) {
    case 'purchasedFromUs':
      return (ctx) => ctx.c.purchasedFromUs;
    case 'customerRegion':
      return (ctx) => ctx.c.customerRegion ?? undefined;
    case 'product.category':
      return (ctx) => ctx.c.product.category;
    case 'product.price':
      return (ctx) => ctx.c.product.price;
    case 'product.specialOrder':
      return (ctx) => ctx.c.product.specialOrder;
    case 'product.guaranteeMonths':
      return (ctx) => ctx.c.product.guaranteeMonths ?? undefined;
    case 'product.requiresManufacturerPreauth':
      return (ctx) => ctx.c.product.requiresManufacturerPreauth;
    case 'delivery.charge':
      return (ctx) => ctx.c.delivery?.charge;
    case 'delivery.cheapestCharge':
      return (ctx) => ctx.c.delivery?.cheapestCharge;
    case 'guarantee.months':
      return (ctx) => guaranteeOf(ctx)?.months;
    case 'guarantee.source':
      return (ctx) => guaranteeOf(ctx)?.source;
    case 'condition.manufacturerPreauth':
      return (ctx) => preauthValue(ctx.c.condition.manufacturerPreauth, ctx.pack.preauthNumber);
    default: {
      const field = path.slice('condition.'.length) as ConditionField;
      return (ctx) => {
        const v = ctx.c.condition[field];
        return v === null ? undefined : v;
      };
    }
  }
}

const GETTERS = new Map<FactPath, Getter>(FACT_PATHS.map((p) => [p, getterFor(p)]));

function getter(path: FactPath): Getter {
  return GETTERS.get(path) ?? (() => undefined);
}

/**
 * The guarantee period for the case: the invoice's (`product.guaranteeMonths`), else the pack's for
 * the category, else the pack's default; with the clauses the pack names for that source.
 */
export function guaranteeFor(c: Case, pack: Pack): GuaranteeInfo | null {
  const g = pack.guaranteeMonths;
  if (!g) return null;
  const entry = g.byCategory?.[c.product.category];
  const category = typeof entry === 'number' ? { months: entry, clauses: undefined, invoiceClauses: undefined } : entry;
  const invoice = c.product.guaranteeMonths;
  if (invoice !== null && invoice !== undefined) return { months: invoice, source: 'invoice', clauses: category?.invoiceClauses ?? g.invoiceClauses ?? [] };
  if (category) return { months: category.months, source: 'category', clauses: category.clauses ?? [] };
  return { months: g.default, source: 'default', clauses: g.clauses ?? [] };
}

function guaranteeOf(ctx: Ctx): GuaranteeInfo | undefined {
  if (ctx.guarantee === undefined) ctx.guarantee = guaranteeFor(ctx.c, ctx.pack.pack);
  return ctx.guarantee ?? undefined;
}

function askable(path: FactPath): ConditionField | null {
  return path.startsWith('condition.') ? (path.slice('condition.'.length) as ConditionField) : null;
}

/** The value a pack gives a fact it does not ask about for this product, if any. */
function assumed(ctx: Ctx, field: ConditionField): boolean | undefined {
  const q = ctx.pack.questions.get(field);
  if (!q) return undefined;
  return q.askWhen(ctx, []) === F ? q.otherwise : undefined;
}

function leaf(path: FactPath, check: (v: unknown) => boolean): Test {
  const field = askable(path);
  const bit = bitOf(path);
  const get = getter(path);
  return (ctx, unknown) => {
    let v = get(ctx);
    if (v !== undefined) ctx.read |= bit;
    else if (field) v = assumed(ctx, field);
    if (v === undefined) {
      if (field) unknown.push(field);
      return U;
    }
    return check(v) ? T : F;
  };
}

function compare(path: FactPath, rhs: number | { fact: FactPath }, sign: 1 | -1): Test {
  const field = askable(path);
  const rhsField = typeof rhs === 'object' ? askable(rhs.fact) : null;
  const bits = bitOf(path) | (typeof rhs === 'object' ? bitOf(rhs.fact) : 0);
  const getA = getter(path);
  const getB = typeof rhs === 'number' ? () => rhs : getter(rhs.fact);
  return (ctx, unknown) => {
    const a = getA(ctx);
    const b = getB(ctx);
    if (a !== undefined && b !== undefined) ctx.read |= bits;
    if (a === undefined || b === undefined) {
      if (a === undefined && field) unknown.push(field);
      if (b === undefined && rhsField) unknown.push(rhsField);
      return U;
    }
    if (typeof a !== 'number' || typeof b !== 'number') return F;
    return (sign === 1 ? a > b : a < b) ? T : F;
  };
}

function compileWhen(w: When | undefined): Test {
  if (!w) return () => T;
  if ('all' in w) {
    const parts = w.all.map(compileWhen);
    return (ctx, unknown) => {
      const start = unknown.length;
      let result: Tri = T;
      for (const p of parts) {
        const r = p(ctx, unknown);
        if (r === F) {
          unknown.length = start;
          return F;
        }
        if (r === U) result = U;
      }
      return result;
    };
  }
  if ('any' in w) {
    const parts = w.any.map(compileWhen);
    return (ctx, unknown) => {
      const start = unknown.length;
      let result: Tri = F;
      for (const p of parts) {
        const r = p(ctx, unknown);
        if (r === T) {
          unknown.length = start;
          return T;
        }
        if (r === U) result = U;
      }
      return result;
    };
  }
  if ('not' in w) {
    const inner = compileWhen(w.not);
    return (ctx, unknown) => {
      const r = inner(ctx, unknown);
      return r === U ? U : r === T ? F : T;
    };
  }
  if ('todayAfter' in w || 'todayOnOrBefore' in w) {
    const after = 'todayAfter' in w;
    const name = after ? (w as { todayAfter: string }).todayAfter : (w as { todayOnOrBefore: string }).todayOnOrBefore;
    return (ctx) => {
      const date = dateOf(ctx, name);
      if (date === undefined) return U;
      const cmp = compareDates(ctx.c.today, date);
      return (after ? cmp > 0 : cmp <= 0) ? T : F;
    };
  }
  if ('productHas' in w) {
    const name = w.productHas;
    const bit = bitOf('product.category');
    return (ctx) => {
      ctx.read |= bit;
      return ctx.pack.features.get(name)?.has(ctx.c.product.category) ? T : F;
    };
  }
  if ('is' in w) return leaf(w.fact, (v) => v === w.is);
  if ('in' in w) {
    const set = new Set<unknown>(w.in);
    return leaf(w.fact, (v) => set.has(v));
  }
  if ('equals' in w) return leaf(w.fact, (v) => v === w.equals);
  if ('greaterThan' in w) return compare(w.fact, w.greaterThan, 1);
  return compare(w.fact, w.lessThan, -1);
}

/** True when a test looks only at dates: a rule that refuses on a time limit alone. */
function onlyTime(w: When | undefined): boolean {
  if (!w) return false;
  if ('all' in w) return w.all.every(onlyTime);
  if ('any' in w) return w.any.every(onlyTime);
  if ('not' in w) return onlyTime(w.not);
  return 'todayAfter' in w || 'todayOnOrBefore' in w;
}

function sameRemedyRow(a: Rule, b: Rule): boolean {
  return a.effect === 'approve' && b.effect === 'approve' && a.chosenBy === b.chosenBy && a.remedies.length === b.remedies.length && a.remedies.every((r, i) => b.remedies[i] === r);
}

/** Statutory claims under the CRA 2015 that a retailer's time limit cannot simply refuse in GB. */
const GB_STATUTORY_REASONS: ReadonlySet<ReturnReason> = new Set(['faulty', 'misdescribed', 'transit-damage']);

/** Compile a validated pack once; decide with it many times. */
export function compilePack(pack: Pack): CompiledPack {
  const byReason = {} as Record<ReturnReason, CompiledRule[]>;
  for (const reason of REASONS) {
    byReason[reason] = pack.rules
      .filter((rule) => !rule.reasons || rule.reasons.includes(reason))
      .map((rule) => {
        const safety = pack.jurisdiction === 'GB' && rule.effect === 'reject' && GB_STATUTORY_REASONS.has(reason) && onlyTime(rule.when);
        return {
          rule,
          test: compileWhen(rule.when),
          effect: safety ? 'refer' : rule.effect,
          statutoryNote: safety ? UK_STATUTORY_NOTE : 'statutoryNote' in rule ? (rule.statutoryNote ?? null) : null,
          code: safety ? ENGINE_CODES.statutoryRights : rule.code,
          countsGuarantee: countsGuarantee(rule, pack.dates),
        };
      });
  }
  const order = pack.questionOrder ?? [];
  const questionRank = new Map<ConditionField, number>(order.map((f, i) => [f, i]));
  const questions = new Map<ConditionField, { askWhen: Test; otherwise: boolean }>();
  for (const [field, q] of Object.entries(pack.questions ?? {})) {
    questions.set(field as ConditionField, { askWhen: compileWhen(q.askWhen), otherwise: q.otherwise });
  }
  const features = new Map<string, ReadonlySet<string>>();
  for (const [name, feature] of Object.entries(pack.features ?? {})) {
    const has = new Set<string>(feature.categories);
    features.set(name, has);
    // A product without the feature cannot have the facts about it: they take `otherwise`.
    for (const [field, otherwise] of Object.entries(feature.otherwise)) {
      const bit = bitOf('product.category');
      questions.set(field as ConditionField, {
        askWhen: (ctx) => {
          ctx.read |= bit;
          return has.has(ctx.c.product.category) ? T : F;
        },
        otherwise,
      });
    }
  }
  const preauthNumber = pack.preauthNumber ? new RegExp(pack.preauthNumber.pattern, 'u') : null;
  return { pack, byReason, questionRank, questions, features, preauthNumber };
}

/** Does the product's category have the pack's feature (e.g. "serial-label")? False for an unknown feature. */
export function productHas(compiled: CompiledPack, category: string, feature: string): boolean {
  return compiled.features.get(feature)?.has(category) ?? false;
}

/**
 * Is this condition fact one the pack would ever ask about this category? False when the product
 * cannot have what it is about (no activation card on headphones), so the conversation never asks it.
 */
export function appliesTo(compiled: CompiledPack, category: string, field: ConditionField): boolean {
  const q = compiled.questions.get(field);
  if (!q) return true;
  const probe: Ctx = { c: { product: { category } } as Case, dates: new Map(), pack: compiled, read: 0, guarantee: null };
  return q.askWhen(probe, []) !== F;
}

const holidayTests = new Map<string, HolidayTest>();

function holidayTest(c: Case, pack: Pack): { test: HolidayTest; key: string } {
  const base = pack.workingDays?.holidays ?? [];
  const region = c.customerRegion ?? null;
  const ids = [...base];
  if (pack.workingDays?.addCustomerRegion && region && base.some((b) => b.slice(0, 2) === region.slice(0, 2))) {
    ids.push(region);
  }
  const key = ids.join('+');
  let test = holidayTests.get(key);
  if (!test) {
    test = unionHolidays(ids);
    holidayTests.set(key, test);
  }
  return { test, key };
}

const DELIVERED_BIT = SOURCE_BIT.get('deliveredOn')!;
const PURCHASED_BIT = SOURCE_BIT.get('purchasedOn')!;
const PRODUCT_BIT = SOURCE_BIT.get('product')!;
const REGION_BIT = SOURCE_BIT.get('customerRegion')!;

function computeDate(ctx: Ctx, spec: DateSpec): LocalDate | undefined {
  const { c } = ctx;
  const pack = ctx.pack.pack;
  const base = spec.from === 'today' ? c.today : spec.from === 'deliveredOn' ? c.deliveredOn : c.purchasedOn;
  if (!base) return undefined;
  if (spec.from === 'deliveredOn') ctx.read |= DELIVERED_BIT;
  else if (spec.from === 'purchasedOn') ctx.read |= PURCHASED_BIT;
  if (spec.days !== undefined) return addDays(base, spec.days);
  if (spec.months !== undefined) {
    if (spec.months !== 'guarantee') return addMonths(base, spec.months);
    ctx.read |= PRODUCT_BIT;
    return addMonths(base, guaranteeOf(ctx)?.months ?? 0);
  }
  const { test, key } = holidayTest(c, pack);
  if (c.customerRegion && pack.workingDays?.addCustomerRegion) ctx.read |= REGION_BIT;
  return addWorkingDays(base, spec.workingDays ?? 0, test, key);
}

function dateOf(ctx: Ctx, name: string): LocalDate | undefined {
  if (ctx.dates.has(name)) return ctx.dates.get(name);
  const spec = ctx.pack.pack.dates[name];
  const value = spec ? computeDate(ctx, spec) : undefined;
  ctx.dates.set(name, value);
  return value;
}

function deadlineOf(ctx: Ctx, name: string | undefined): LocalDate | null {
  return name ? (dateOf(ctx, name) ?? null) : null;
}

function resolveParams(ctx: Ctx, params: Record<string, ParamRef> | undefined): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  if (!params) return out;
  for (const [name, ref] of Object.entries(params)) {
    if (typeof ref !== 'object') out[name] = ref;
    else if ('date' in ref) out[name] = dateOf(ctx, ref.date) ?? null;
    else {
      const v = getter(ref.fact)(ctx);
      out[name] = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : null;
    }
  }
  return out;
}

interface Evaluated {
  rule: CompiledRule;
  result: Tri;
  unknown: ConditionField[];
}

function byQuestionOrder(needs: ConditionField[], rank: Map<ConditionField, number>): ConditionField[] {
  const at = (f: ConditionField) => rank.get(f) ?? rank.size + needs.indexOf(f);
  return [...needs].sort((a, b) => at(a) - at(b));
}

function holds(list: Evaluated[]): Evaluated[] {
  return list.filter(isTrue);
}
function pending(list: Evaluated[]): Evaluated[] {
  return list.filter(isUnknown);
}
function isTrue(e: Evaluated): boolean {
  return e.result === T;
}
function isUnknown(e: Evaluated): boolean {
  return e.result === U;
}

/** The clauses a rule cites: the clause that set the guarantee period first, when it counts one. */
function cite(ctx: Ctx, clauses: string[], rule: CompiledRule): void {
  if (rule.countsGuarantee) pushUnique(clauses, guaranteeOf(ctx)?.clauses ?? []);
  pushUnique(clauses, rule.rule.clauses);
}

function sameParams(a: Record<string, ParamValue>, b: Record<string, ParamValue>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

function pushUnique<T>(into: T[], items: readonly T[]): void {
  for (const x of items) if (!into.includes(x)) into.push(x);
}

/**
 * Decide a validated case under a compiled pack. Pure; total for any case that passed `caseSchema`.
 * The case's `policy` field is not consulted: the caller chose the pack.
 *
 * When the case gives the order's `recordedDeliveredOn` beside a later `deliveredOn` someone other
 * than staff stated, the case is decided on both dates: if they agree, the stated date is used; if
 * they differ, the decision is `referred` with DELIVERY_DATE_DISPUTED; while either still needs
 * facts, it is `incomplete` with the facts of both. An earlier stated date is simply used.
 */
export function decide(c: Case, compiled: CompiledPack, options: DecideOptions = {}): Decision {
  const recorded = c.recordedDeliveredOn;
  if (!recorded || recorded === c.deliveredOn) return decideOnce(c, compiled, options);
  const statedBy = c.sources?.deliveredOn ?? 'customer';
  const asStated = decideOnce(c, compiled, options, statedBy);
  if (statedBy === 'staff' || compareDates(c.deliveredOn, recorded) < 0) return asStated;
  const onRecord = decideOnce({ ...c, deliveredOn: recorded }, compiled, options, 'order');
  if (asStated.outcome === 'incomplete' || onRecord.outcome === 'incomplete') {
    // Whether the stated date changes the outcome is not known yet: ask what either decision needs.
    const base = asStated.outcome === 'incomplete' ? asStated : onRecord;
    const needs = [...base.needs];
    const clauses = [...base.clauses];
    for (const d of [asStated, onRecord]) {
      if (d.outcome !== 'incomplete') continue;
      pushUnique(needs, d.needs);
      pushUnique(clauses, d.clauses);
    }
    return { ...base, needs, clauses, reasons: [{ code: ENGINE_CODES.moreFactsNeeded, params: { next: needs[0] ?? null } }], sources: { ...onRecord.sources, ...asStated.sources } };
  }
  if (sameResult(asStated, onRecord)) return asStated;
  const pack = compiled.pack;
  return {
    ...onRecord,
    outcome: 'referred',
    needs: [],
    remedies: [],
    remedyChosenBy: null,
    deductions: [],
    conditions: [],
    reasons: [
      {
        code: ENGINE_CODES.deliveryDateDisputed,
        params: { statedDeliveredOn: c.deliveredOn, recordedDeliveredOn: recorded, outcomeAsStated: asStated.outcome, outcomeOnRecord: onRecord.outcome },
      },
    ],
    clauses: [...(pack.disputedDeliveryDate?.clauses ?? pack.fallback.clauses)],
    rmaRequired: false,
    statutoryNote: null,
    sources: { ...onRecord.sources, ...asStated.sources },
  };
}

/** Same outcome, same remedies, same chooser: the delivery date made no difference that matters. */
function sameResult(a: Decision, b: Decision): boolean {
  return a.outcome === b.outcome && a.remedyChosenBy === b.remedyChosenBy && a.remedies.length === b.remedies.length && a.remedies.every((r) => b.remedies.includes(r));
}

const FACT_KEYS: readonly SourcedFact[] = [...SOURCED_FACTS];
const DEFAULT_SOURCES: readonly FactSource[] = FACT_KEYS.map(defaultSource);
const DELIVERED_INDEX = FACT_KEYS.indexOf('deliveredOn');

/** The sources of a case that names none, by the facts read: the same few sets come up again and again. */
const defaultSourcesByRead = new Map<number, Readonly<Sources>>();

function sourcesOf(c: Case, read: number, deliveredBy: FactSource | undefined): Sources {
  const given = c.sources;
  const plain = given === undefined && deliveredBy === undefined;
  if (plain) {
    const hit = defaultSourcesByRead.get(read);
    if (hit) return hit;
  }
  const out: Sources = {};
  for (let i = 0, bits = read; bits !== 0; i++, bits >>>= 1) {
    if ((bits & 1) === 0) continue;
    const fact = FACT_KEYS[i]!;
    out[fact] = given?.[fact] ?? (i === DELIVERED_INDEX ? deliveredBy : undefined) ?? DEFAULT_SOURCES[i]!;
  }
  if (plain) {
    // Shared between decisions, so frozen: a decision is data, never changed in place.
    if (defaultSourcesByRead.size >= 4096) defaultSourcesByRead.clear();
    defaultSourcesByRead.set(read, Object.freeze(out));
  }
  return out;
}

function decideOnce(c: Case, compiled: CompiledPack, options: DecideOptions, deliveredBy?: FactSource): Decision {
  const { pack } = compiled;
  const ctx: Ctx = { c, dates: new Map(), pack: compiled, read: 0, guarantee: undefined };
  const rules = compiled.byReason[c.reason];

  const rejects: Evaluated[] = [],
    refers: Evaluated[] = [],
    approves: Evaluated[] = [],
    extras: Evaluated[] = [];
  for (const rule of rules) {
    const unknown: ConditionField[] = [];
    const result = rule.test(ctx, unknown);
    if (result === F) continue;
    const e = { rule, result, unknown };
    if (rule.effect === 'reject') rejects.push(e);
    else if (rule.effect === 'refer') refers.push(e);
    else if (rule.effect === 'approve') approves.push(e);
    else extras.push(e);
  }

  const rejected = holds(rejects);
  const referred = holds(refers);
  let approval = approves[0];
  if (approval?.result === U) {
    // A later row that holds settles it when every unknown row before it gives the same remedies.
    const at = approves.findIndex(isTrue);
    const row = at > 0 ? approves[at]! : null;
    if (row && approves.slice(0, at).every((e) => sameRemedyRow(e.rule.rule, row.rule.rule))) approval = row;
  }

  let outcome: Outcome;
  let deciding: Evaluated[] = [];
  let waiting: Evaluated[] = [];
  if (rejected.length) {
    outcome = 'rejected';
    deciding = rejected;
  } else if (pending(rejects).length) {
    outcome = 'incomplete';
    waiting = referred.length ? pending(rejects) : [...pending(rejects), ...pending(refers), ...(approval?.result === U ? [approval] : [])];
  } else if (referred.length) {
    outcome = 'referred';
    deciding = referred;
  } else if (pending(refers).length) {
    outcome = 'incomplete';
    waiting = [...pending(refers), ...(approval?.result === U ? [approval] : [])];
  } else if (approval?.result === U) {
    outcome = 'incomplete';
    waiting = [approval];
  } else if (approval) {
    outcome = 'approved';
    deciding = [approval];
  } else {
    outcome = 'referred';
  }

  const reasons: ReasonEntry[] = [];
  const clauses: string[] = [];
  let needs: ConditionField[] = [];
  let statutoryNote: string | null = null;
  const deductions: Deduction[] = [];
  const conditions: string[] = [];

  if (outcome === 'incomplete') {
    for (const e of waiting) pushUnique(needs, e.unknown);
    if (compiled.questionRank.size) needs = byQuestionOrder(needs, compiled.questionRank);
    const unavailable = new Set(options.unavailable ?? []);
    const askable = needs.filter((f) => !unavailable.has(f));
    for (const e of waiting) cite(ctx, clauses, e.rule);
    if (askable.length) {
      needs = askable;
      reasons.push({ code: ENGINE_CODES.moreFactsNeeded, params: { next: askable[0] ?? null } });
    } else {
      outcome = 'referred';
      reasons.push({ code: ENGINE_CODES.factsUnavailable, params: { fields: needs.join(',') } });
      needs = [];
    }
  } else if (deciding.length) {
    for (const e of deciding) {
      reasons.push({ code: e.rule.code, params: resolveParams(ctx, e.rule.rule.params) });
      cite(ctx, clauses, e.rule);
      statutoryNote ??= e.rule.statutoryNote;
    }
  } else {
    reasons.push({ code: pack.fallback.code, params: { reason: c.reason } });
    pushUnique(clauses, pack.fallback.clauses);
  }

  if (outcome === 'approved') {
    for (const e of extras) {
      const rule = e.rule.rule;
      // A trigger the customer has not told us about (askable, unknown) may still apply; one we can never ask about does not.
      if (e.result === U && e.unknown.length === 0) continue;
      if (rule.effect === 'deduct') {
        const certainty = e.result === T ? rule.deduction.certainty : 'may';
        const existing = deductions.find((d) => d.kind === rule.deduction.kind);
        if (existing) {
          if (certainty === 'will') existing.certainty = 'will';
        } else deductions.push({ kind: rule.deduction.kind, certainty });
      } else if (rule.effect === 'require') {
        pushUnique(conditions, rule.conditions);
      }
      const params = resolveParams(ctx, rule.params);
      // Several rules may add conditions under one code: say it once.
      if (!reasons.some((r) => r.code === e.rule.code && sameParams(r.params, params))) reasons.push({ code: e.rule.code, params });
      cite(ctx, clauses, e.rule);
    }
  }

  const spec = pack.reasons[c.reason]?.deadlines;
  const deadlines: Deadlines = {
    notifyBy: deadlineOf(ctx, spec?.notifyBy),
    returnBy: deadlineOf(ctx, spec?.returnBy),
    reportBy: deadlineOf(ctx, spec?.reportBy),
    refundWithinDays: spec?.refundWithinDays ?? null,
  };

  const approvedRule = outcome === 'approved' && approval ? approval.rule.rule : null;
  return {
    policy: pack.id,
    policyVersion: pack.version,
    reason: c.reason,
    outcome,
    needs: outcome === 'incomplete' ? needs : [],
    remedies: approvedRule?.effect === 'approve' ? [...approvedRule.remedies] : [],
    remedyChosenBy: approvedRule?.effect === 'approve' ? approvedRule.chosenBy : null,
    deductions,
    conditions,
    deadlines,
    reasons,
    clauses,
    rmaRequired: outcome === 'approved' && pack.rmaRequired,
    statutoryNote,
    sources: sourcesOf(c, ctx.read, deliveredBy),
  };
}

/**
 * Reasons other than the case's own under which the same facts are not refused: the routes still
 * open after a rejection (a change-of-mind refusal may still be a fault claim). Pure.
 */
export function openAlternatives(c: Case, compiled: CompiledPack): ReturnReason[] {
  const open: ReturnReason[] = [];
  for (const reason of REASONS) {
    if (reason === c.reason || !compiled.pack.reasons[reason]) continue;
    const d = decide({ ...c, reason }, compiled);
    if (d.outcome !== 'rejected') open.push(reason);
  }
  return open;
}

/** Every condition field a pack's rules can ask about, in the order the questions would come. */
export function askableFields(compiled: CompiledPack): ConditionField[] {
  const seen = new Set<ConditionField>();
  const visit = (w: When | undefined) => {
    if (!w) return;
    if ('all' in w) w.all.forEach(visit);
    else if ('any' in w) w.any.forEach(visit);
    else if ('not' in w) visit(w.not);
    else if ('fact' in w) {
      const f = askable(w.fact);
      if (f) seen.add(f);
      const rhs = 'greaterThan' in w ? w.greaterThan : 'lessThan' in w ? w.lessThan : null;
      if (rhs && typeof rhs === 'object') {
        const g = askable(rhs.fact);
        if (g) seen.add(g);
      }
    }
  };
  compiled.pack.rules.forEach((r) => visit(r.when));
  return CONDITION_FIELDS.filter((f) => seen.has(f));
}
