/**
 * A decision in words — as message keys with parameters (the renderer does the words). Pure.
 */
import type { Decision, ParamValue } from '../src/policy/decision.js';
import type { Order, OrderItem } from '../src/orders.js';
import type { Param, Params, Part } from './types.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MONEY = /(charge|price|amount|fee)/i;

/** A decision's reason parameter, typed for the renderer (dates, money, enum labels). */
function param(name: string, value: ParamValue, currency: string): Param {
  if (typeof value === 'string' && DATE.test(value)) return { date: value };
  if (typeof value === 'number' && MONEY.test(name)) return { money: value, currency };
  if (name === 'cause' && typeof value === 'string') return { key: `faultCauseName.${value}` };
  if (name === 'category' && typeof value === 'string') return { key: `category.${value}` };
  if (name === 'reason' && typeof value === 'string') return { key: `reasonName.${value}` };
  // The facts a referral could not get, named ("whether the seal has been broken and …").
  if (name === 'fields' && typeof value === 'string')
    return {
      list: value
        .split(',')
        .filter(Boolean)
        .map((f) => ({ key: `fact.${f}` })),
      style: 'and',
    };
  return value;
}

function params(raw: Record<string, ParamValue>, currency: string, extra: Params = {}): Params {
  const out: Params = { ...extra };
  for (const [k, v] of Object.entries(raw)) out[k] = param(k, v, currency);
  return out;
}

export function remedyPart(remedy: string): Part {
  return { key: `remedy.${remedy}` };
}

/** Headline, why, what the customer gets, what may be deducted, what they must do, by when. */
/** What the customer said about the packaging: sealed or unopened rules out "opened packaging" as an example. */
export interface Said {
  sealed?: boolean;
}

export function explainDecision(decision: Decision, order: Order, item: OrderItem, said: Said = {}): Part[] {
  const currency = order.currency;
  const base: Params = { item: item.name };
  const parts: Part[] = [{ key: `decision.${decision.outcome}`, params: base }];
  const deciding = decision.outcome === 'approved' ? decision.reasons.slice(0, 1) : decision.reasons;
  for (const r of deciding) parts.push({ key: `reason.${r.code}`, params: params(r.params, currency, base) });

  if (decision.outcome === 'approved') {
    const list: Param = { list: decision.remedies.map(remedyPart), style: 'or' };
    if (decision.remedies.length === 1) parts.push({ key: 'decision.remedies.single', params: { remedy: remedyPart(decision.remedies[0]!) } });
    else parts.push({ key: decision.remedyChosenBy === 'retailer' ? 'decision.remedies.retailer' : 'decision.remedies.customer', params: { remedies: list } });
    for (const d of decision.deductions) parts.push(deductionPart(decision, d.kind, d.certainty, currency, said));
  }
  if (decision.statutoryNote) parts.push({ key: `statutory.${decision.statutoryNote}` });
  return parts;
}

export function deductionPart(decision: Decision, kind: string, certainty: string, currency: string, said: Said = {}): Part {
  const reason = decision.reasons.find((r) => 'charge' in r.params && kind === 'delivery-upgrade');
  const sealed = said.sealed && kind === 'diminished-value' && certainty === 'may';
  return { key: sealed ? 'deduction.diminished-value.may.sealed' : `deduction.${kind}.${certainty}`, params: reason ? params(reason.params, currency) : {} };
}

/** What to do next once the RMA is issued: the deadline, the conditions, deductions, refund timing. */
export function nextSteps(decision: Decision, order: Order, remedy: string | null, said: Said = {}): Part[] {
  const parts: Part[] = [];
  if (decision.deadlines.returnBy) parts.push({ key: 'rma.next.returnBy', params: { date: { date: decision.deadlines.returnBy } } });
  else parts.push({ key: 'rma.next.send' });
  parts.push({ key: 'rma.next.label' });
  if (decision.conditions.length) {
    parts.push({ key: 'rma.next.conditions', params: { conditions: { list: decision.conditions.map((c) => ({ key: `condition.${c}` })), style: 'lines' } } });
  }
  for (const d of decision.deductions) parts.push(deductionPart(decision, d.kind, d.certainty, order.currency, said));
  if (remedy === 'refund' || (remedy === null && decision.remedies.includes('refund') && decision.remedies.length === 1)) {
    parts.push(decision.deadlines.refundWithinDays !== null ? { key: 'rma.next.refundWithin', params: { days: decision.deadlines.refundWithinDays } } : { key: 'rma.next.refund' });
  }
  return parts;
}
