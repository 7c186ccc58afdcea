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
 *    holds → `approved` with its remedies; when unknown → `incomplete`.
 * 5. No approving rule → `referred` under the pack's fallback clause.
 * Deductions and conditions are added to an approval when their rule holds, or when it depends on
 * a fact the customer has not given (then a deduction is only one that "may" apply).
 *
 * Legal safety for GB packs: a rule that would reject a faulty, misdescribed or transit-damage claim
 * on a time limit alone refers it instead, with a statutory note, because the Consumer Rights Act
 * 2015 rights outlast a retailer's own guarantee (s.30(4)(b)); the bot must never give a flat no.
 */
import { addDays, addMonths, addWorkingDays, compareDates, type HolidayTest, type LocalDate } from './calendar.js';
import { unionHolidays } from './holidays.js';
import { CONDITION_FIELDS, REASONS, type Case, type ConditionField, type ReturnReason } from './case.js';
import type { DateSpec, FactPath, Pack, ParamRef, Rule, When } from './pack.js';
import {
  ENGINE_CODES,
  UK_STATUTORY_NOTE,
  type Deadlines,
  type Decision,
  type Deduction,
  type Outcome,
  type ParamValue,
  type ReasonEntry,
} from './decision.js';

const F = 0, T = 1, U = 2;
type Tri = typeof F | typeof T | typeof U;

/** Everything a test needs while one case is decided. */
interface Ctx {
  c: Case;
  dates: Map<string, LocalDate | undefined>;
  pack: CompiledPack;
}

type Test = (ctx: Ctx, unknown: ConditionField[]) => Tri;

interface CompiledRule {
  rule: Rule;
  test: Test;
  /** Effect after legal safety: a GB time-limit rejection of a statutory claim becomes a referral. */
  effect: Rule['effect'];
  statutoryNote: string | null;
  code: string;
}

export interface CompiledPack {
  pack: Pack;
  byReason: Record<ReturnReason, CompiledRule[]>;
  questionRank: Map<ConditionField, number>;
  /** Facts asked only for some products; for the others they take `otherwise`. */
  questions: Map<ConditionField, { askWhen: Test; otherwise: boolean }>;
}

export interface DecideOptions {
  /**
   * Condition fields the customer has said they cannot tell. When only these stand between the
   * case and a decision, the case is `referred` (a person looks at it) instead of `incomplete`.
   */
  unavailable?: readonly ConditionField[];
}

function factValue(c: Case, path: FactPath): unknown {
  switch (path) {
    case 'purchasedFromUs': return c.purchasedFromUs;
    case 'customerRegion': return c.customerRegion ?? undefined;
    case 'product.category': return c.product.category;
    case 'product.price': return c.product.price;
    case 'product.specialOrder': return c.product.specialOrder;
    case 'product.guaranteeMonths': return c.product.guaranteeMonths ?? undefined;
    case 'product.requiresManufacturerPreauth': return c.product.requiresManufacturerPreauth;
    case 'delivery.charge': return c.delivery?.charge;
    case 'delivery.cheapestCharge': return c.delivery?.cheapestCharge;
    default: {
      const v = c.condition[path.slice('condition.'.length) as ConditionField];
      return v === null ? undefined : v;
    }
  }
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
  return (ctx, unknown) => {
    let v = factValue(ctx.c, path);
    if (v === undefined && field) v = assumed(ctx, field);
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
  return (ctx, unknown) => {
    const a = factValue(ctx.c, path);
    const b = typeof rhs === 'number' ? rhs : factValue(ctx.c, rhs.fact);
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
          statutoryNote: safety ? UK_STATUTORY_NOTE : 'statutoryNote' in rule ? rule.statutoryNote ?? null : null,
          code: safety ? ENGINE_CODES.statutoryRights : rule.code,
        };
      });
  }
  const order = pack.questionOrder ?? [];
  const questionRank = new Map<ConditionField, number>(order.map((f, i) => [f, i]));
  const questions = new Map<ConditionField, { askWhen: Test; otherwise: boolean }>();
  for (const [field, q] of Object.entries(pack.questions ?? {})) {
    questions.set(field as ConditionField, { askWhen: compileWhen(q.askWhen), otherwise: q.otherwise });
  }
  return { pack, byReason, questionRank, questions };
}

function guaranteeMonths(c: Case, pack: Pack): number {
  const g = pack.guaranteeMonths;
  return c.product.guaranteeMonths ?? g?.byCategory?.[c.product.category] ?? g?.default ?? 0;
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

function computeDate(c: Case, pack: Pack, spec: DateSpec): LocalDate | undefined {
  const base = spec.from === 'today' ? c.today : spec.from === 'deliveredOn' ? c.deliveredOn : c.purchasedOn;
  if (!base) return undefined;
  if (spec.days !== undefined) return addDays(base, spec.days);
  if (spec.months !== undefined) return addMonths(base, spec.months === 'guarantee' ? guaranteeMonths(c, pack) : spec.months);
  const { test, key } = holidayTest(c, pack);
  return addWorkingDays(base, spec.workingDays ?? 0, test, key);
}

function dateOf(ctx: Ctx, name: string): LocalDate | undefined {
  if (ctx.dates.has(name)) return ctx.dates.get(name);
  const spec = ctx.pack.pack.dates[name];
  const value = spec ? computeDate(ctx.c, ctx.pack.pack, spec) : undefined;
  ctx.dates.set(name, value);
  return value;
}

function deadlineOf(ctx: Ctx, name: string | undefined): LocalDate | null {
  return name ? dateOf(ctx, name) ?? null : null;
}

function resolveParams(ctx: Ctx, params: Record<string, ParamRef> | undefined): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  if (!params) return out;
  for (const [name, ref] of Object.entries(params)) {
    if (typeof ref !== 'object') out[name] = ref;
    else if ('date' in ref) out[name] = dateOf(ctx, ref.date) ?? null;
    else {
      const v = factValue(ctx.c, ref.fact);
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

function pushUnique<T>(into: T[], items: readonly T[]): void {
  for (const x of items) if (!into.includes(x)) into.push(x);
}

/**
 * Decide a validated case under a compiled pack. Pure; total for any case that passed `caseSchema`.
 * The case's `policy` field is not consulted: the caller chose the pack.
 */
export function decide(c: Case, compiled: CompiledPack, options: DecideOptions = {}): Decision {
  const { pack } = compiled;
  const ctx: Ctx = { c, dates: new Map(), pack: compiled };
  const rules = compiled.byReason[c.reason];

  const rejects: Evaluated[] = [], refers: Evaluated[] = [], approves: Evaluated[] = [], extras: Evaluated[] = [];
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
  const approval = approves[0];

  let outcome: Outcome;
  let deciding: Evaluated[] = [];
  let waiting: Evaluated[] = [];
  if (rejected.length) {
    outcome = 'rejected';
    deciding = rejected;
  } else if (pending(rejects).length) {
    outcome = 'incomplete';
    waiting = referred.length
      ? pending(rejects)
      : [...pending(rejects), ...pending(refers), ...(approval?.result === U ? [approval] : [])];
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
    for (const e of waiting) pushUnique(clauses, e.rule.rule.clauses);
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
      pushUnique(clauses, e.rule.rule.clauses);
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
      reasons.push({ code: e.rule.code, params: resolveParams(ctx, rule.params) });
      pushUnique(clauses, rule.clauses);
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
