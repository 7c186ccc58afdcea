/**
 * What may happen to an issued RMA, as domain results with codes (no HTTP here): the customer or a
 * member of staff changes its remedy, staff move its status on, and the facts its decision used are
 * recorded with their sources (CONTRACT section 7: "every fact used in a decision records its
 * source"). The conversation, the staff API and the command line all go through these.
 *
 * The time is always passed in (`at`, ISO 8601): nothing here reads the clock.
 */
import { CONDITION_FIELDS, SOURCED_FACTS, defaultSource, type Case, type ConditionField, type SourcedFact } from './policy/case.js';
import type { Decision } from './policy/decision.js';
import { REMEDIES, type Remedy } from './policy/pack.js';
import type { Order, OrderItem } from './orders.js';
import type { RmaFacts, RmaRecord, RmaRequest, RmaStatus, Store } from './store/store.js';

/** Who changes a remedy: the customer (in the conversation) or a member of staff (by name). */
export type RemedyChanger = 'customer' | { agent: string; displayName?: string };

export interface RemedyChangeRequest {
  /** The RMA number, as typed. */
  rma: string;
  remedy: Remedy;
  by: RemedyChanger;
  /** When (ISO 8601), the caller's clock. */
  at: string;
  note?: string | null;
  /**
   * The decision in force now (the conversation's fresh decision of the same return), when the
   * caller has one; else the decision the RMA was issued under. For the customer, the remedy must
   * be one it allows, and one the customer chooses.
   */
  decision?: Decision;
}

/**
 * What a change of remedy gave. `remedy` is always the remedy recorded after the call: what the
 * bot must tell the customer (never the one asked for, unless it was recorded).
 *
 * - `changed`: recorded, with an audit entry `rma.remedy-changed` ({ from, to, by, note }).
 * - `unchanged`: the RMA records that remedy already (nothing written).
 * - `not-found`: no RMA with that number.
 * - `being-processed`: the RMA is no longer `issued` (staff have the item: `status`); the remedy is fixed.
 * - `not-offered`: the decision does not allow that remedy (`remedies`: the ones it allows; empty
 *   when it approved nothing).
 * - `retailer-chooses`: the decision allows it, but the retailer chooses the remedy (`remedies`
 *   are the ones the retailer chooses between); only staff can change it.
 */
export type RemedyChangeResult =
  | { ok: true; code: 'changed' | 'unchanged'; rma: string; from: Remedy | null; remedy: Remedy; record: RmaRecord }
  | { ok: false; code: 'not-found'; rma: string }
  | { ok: false; code: 'being-processed'; rma: string; remedy: Remedy | null; status: RmaStatus; record: RmaRecord }
  | { ok: false; code: 'not-offered' | 'retailer-chooses'; rma: string; remedy: Remedy | null; remedies: Remedy[]; clauses: string[]; record: RmaRecord };

export type RemedyChangeCode = RemedyChangeResult['code'];

const actorOf = (by: RemedyChanger): string => (by === 'customer' ? 'customer' : `agent:${by.agent}`);

/**
 * Change the remedy of an open RMA (see {@link RemedyChangeResult} for every outcome). Checks, in
 * order: the RMA exists; the remedy is not the one recorded already; its status is `issued`; for
 * the customer, the decision allows the remedy and lets the customer choose it (a decision with one
 * remedy needs no choosing). Staff may record any remedy while the RMA is issued (they are the
 * retailer). The store re-checks the status atomically, so a change racing staff marking the item
 * received is refused, never half applied.
 */
export async function changeRmaRemedy(store: Store, request: RemedyChangeRequest): Promise<RemedyChangeResult> {
  const record = await store.getRma(request.rma);
  if (!record) return { ok: false, code: 'not-found', rma: request.rma };
  const rma = record.rma;
  if (record.remedy === request.remedy) return { ok: true, code: 'unchanged', rma, from: record.remedy, remedy: request.remedy, record };
  if (record.status !== 'issued') return { ok: false, code: 'being-processed', rma, remedy: record.remedy, status: record.status, record };
  if (request.by === 'customer') {
    const decision = request.decision ?? record.decision;
    const remedies = decision.outcome === 'approved' ? [...decision.remedies] : [];
    const clauses = [...decision.clauses];
    if (!remedies.includes(request.remedy)) return { ok: false, code: 'not-offered', rma, remedy: record.remedy, remedies, clauses, record };
    if (decision.remedyChosenBy !== 'customer' && remedies.length > 1) {
      return { ok: false, code: 'retailer-chooses', rma, remedy: record.remedy, remedies, clauses, record };
    }
  } else if (!(REMEDIES as readonly string[]).includes(request.remedy)) {
    return { ok: false, code: 'not-offered', rma, remedy: record.remedy, remedies: [...REMEDIES], clauses: [], record };
  }
  const by = request.by === 'customer' ? 'customer' : (request.by.displayName ?? request.by.agent);
  const result = await store.changeRmaRemedy({
    rma,
    to: request.remedy,
    actor: actorOf(request.by),
    at: request.at,
    data: { by, note: request.note?.trim() || null },
  });
  if (!result.ok) {
    if (result.reason === 'not-found') return { ok: false, code: 'not-found', rma };
    return { ok: false, code: 'being-processed', rma, remedy: result.record.remedy, status: result.record.status, record: result.record };
  }
  return { ok: true, code: result.changed ? 'changed' : 'unchanged', rma, from: record.remedy, remedy: request.remedy, record: result.record };
}

/**
 * What moving an RMA's status gave: `changed` / `unchanged` (the record after it), or
 * `not-found`, or `backwards` (a status only moves forward: `status` is the one it has).
 */
export type RmaStatusResult =
  { ok: true; code: 'changed' | 'unchanged'; record: RmaRecord } | { ok: false; code: 'not-found'; rma: string } | { ok: false; code: 'backwards'; status: RmaStatus; record: RmaRecord };

/** Staff move an RMA on (the item arrived: `received`; the remedy was given: `completed`), audited with their name and note. */
export async function setRmaStatus(store: Store, request: { rma: string; status: RmaStatus; agent: string; displayName?: string; at: string; note?: string | null }): Promise<RmaStatusResult> {
  const result = await store.setRmaStatus({
    rma: request.rma,
    to: request.status,
    actor: `agent:${request.agent}`,
    at: request.at,
    data: { by: request.displayName ?? request.agent, note: request.note?.trim() || null },
  });
  if (result.ok) return { ok: true, code: result.changed ? 'changed' : 'unchanged', record: result.record };
  if (result.reason === 'not-found') return { ok: false, code: 'not-found', rma: request.rma };
  return { ok: false, code: 'backwards', status: result.record.status, record: result.record };
}

/** The value of a fact in a case (the product as its category, SKU and name). */
function factValue(c: Case, fact: SourcedFact): unknown {
  if ((CONDITION_FIELDS as readonly string[]).includes(fact)) return c.condition[fact as ConditionField] ?? null;
  switch (fact) {
    case 'product': {
      const { category, sku, name } = c.product;
      return { category, ...(sku !== undefined ? { sku } : {}), ...(name !== undefined ? { name } : {}) };
    }
    case 'delivery':
      return c.delivery ?? null;
    default:
      return (c as Record<string, unknown>)[fact] ?? null;
  }
}

/**
 * The facts a decision used, each with its value in the case and its source: the decision's
 * `sources` (what it read), else every fact the case gives, with the case's sources or the
 * defaults (`order` for the order's facts, `customer` for the item's condition).
 */
export function usedFacts(c: Case, decision: Pick<Decision, 'sources'>): RmaFacts {
  const out: RmaFacts = {};
  const sources = decision.sources;
  const facts = sources
    ? SOURCED_FACTS.filter((f) => sources[f] !== undefined)
    : SOURCED_FACTS.filter((f) => !(CONDITION_FIELDS as readonly string[]).includes(f) || c.condition[f as ConditionField] !== undefined);
  for (const fact of facts) {
    out[fact] = { value: factValue(c, fact), source: sources?.[fact] ?? c.sources?.[fact] ?? defaultSource(fact) };
  }
  return out;
}

/**
 * The facts of a decision when the case it decided is not at hand: the values the order holds for
 * the facts that came from the order, null ("not recorded") for the others, each with its source.
 */
export function factsFromOrder(order: Order, item: OrderItem, decision: Pick<Decision, 'reason' | 'sources'>): RmaFacts {
  const c: Case = {
    policy: order.policy,
    today: order.deliveredOn,
    reason: decision.reason,
    deliveredOn: order.deliveredOn,
    purchasedOn: order.placedOn,
    purchasedFromUs: true,
    customerRegion: order.customer.region ?? null,
    product: { category: item.category, specialOrder: item.specialOrder, requiresManufacturerPreauth: item.requiresManufacturerPreauth, sku: item.sku, name: item.name },
    delivery: order.delivery ?? null,
    condition: {},
  };
  const facts = usedFacts(c, decision);
  for (const f of Object.values(facts)) if (f.source !== 'order') f.value = null;
  return facts;
}

const FACT_LABELS: Readonly<Record<string, string>> = {
  deliveredOn: 'delivered on',
  purchasedOn: 'purchased on',
  purchasedFromUs: 'purchased from us',
  customerRegion: 'customer region',
};

/** One fact for people: "delivered on 2026-12-17 (customer)", "sealBroken false (customer)", "product headphones / HP-200 (order)". */
export function factLine(fact: string, f: { value: unknown; source: string }): string {
  const v = f.value;
  const shown = v === null || v === undefined ? 'not recorded' : typeof v === 'object' ? Object.values(v as Record<string, unknown>).join(' / ') : String(v);
  return `${FACT_LABELS[fact] ?? fact} ${shown} (${f.source})`;
}

/** An RMA audit entry for people: a change as "remedy replacement → refund", anything else as its data. */
export function auditLine(a: { at: string; actor: string; action: string; data: Record<string, unknown> }): string {
  const d = a.data;
  const change = /^rma\.(remedy|status)-changed$/.exec(a.action);
  const extra = [d['by'] && d['by'] !== a.actor ? `by ${String(d['by'])}` : null, d['note'] ? `note: ${String(d['note'])}` : null].filter(Boolean).join(', ');
  if (change) return `${a.at}  ${a.actor}  ${change[1]} ${String(d['from'] ?? '-')} → ${String(d['to'])}${extra ? ` (${extra})` : ''}`;
  if (a.action === 'rma.issued' && d['vouched'])
    return `${a.at}  ${a.actor}  ${a.action}  vouched for the customer by ${String(d['vouchedBy'] ?? a.actor)} (no order verified by the bot)  ${JSON.stringify(d)}`;
  return `${a.at}  ${a.actor}  ${a.action}  ${JSON.stringify(d)}`;
}

/** What issuing an RMA for the conversation gave (see {@link issueOrChangeRma}). */
export interface IssuedRma {
  rma: string;
  /** True when this call issued it; false when the order line already had one for this reason. */
  created: boolean;
  /** The remedy recorded now: what the customer must be told. */
  remedy: Remedy | null;
  /** When the line had an RMA with another remedy: what asking for this one gave (`changed`, `being-processed` …); else null. */
  remedyChange: RemedyChangeCode | null;
}

/**
 * Issue the RMA the customer confirmed, or, when the order line already has one for this reason
 * ("refund this time"), change its remedy as the customer asks ({@link changeRmaRemedy}, judged by
 * the decision just made): what is recorded and what the customer is told never differ.
 */
export async function issueOrChangeRma(store: Store, request: RmaRequest): Promise<IssuedRma> {
  const { record, created } = await store.issueRma(request);
  if (created || request.remedy === null || record.remedy === request.remedy) {
    return { rma: record.rma, created, remedy: record.remedy, remedyChange: null };
  }
  const change = await changeRmaRemedy(store, { rma: record.rma, remedy: request.remedy, by: 'customer', at: request.at, decision: request.decision });
  const remedy = change.ok ? change.remedy : change.code === 'not-found' ? record.remedy : change.remedy;
  return { rma: record.rma, created: false, remedy, remedyChange: change.code };
}
