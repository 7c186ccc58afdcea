/**
 * Human hand-over, the staff side: a support person's actions on a queued or held conversation,
 * and delivery of what they say to the customer's channel.
 *
 * While a person holds a conversation the bot's machine is paused (its `handoff` state): every
 * customer message is logged for that person and the bot stays silent. Staff actions run on the
 * conversation as system events through the {@link SystemEvents} port (the conversation service,
 * serialised with the customer's turns) and every one goes into the audit trail. The queue itself
 * (the customer's side, what staff read) is ./queue.ts. Built by the composition root (src/app.ts)
 * after the conversation service, with everything it uses given to its constructor.
 */
import type { HandoffSummary } from '../../machines/returns.machine.js';
import type { SystemEvent } from '../../machines/types.js';
import type { Decision } from '../policy/decision.js';
import { REMEDIES, type Remedy } from '../policy/pack.js';
import { SOURCED_FACTS, type ReturnReason, type SourcedFact, type Sources } from '../policy/case.js';
import { tryLoadPack } from '../policy/packs.js';
import type { Logger } from '../log.js';
import { normalizeOrderNumber, type Order, type OrderItem } from '../orders.js';
import { changeRmaRemedy, factsFromOrder, setRmaStatus } from '../rmas.js';
import { RMA_STATUSES, type HandoffRecord, type RmaFacts, type RmaRecord, type RmaStatus, type Store } from '../store/store.js';
import type { ConversationView, HandoffQueue } from './queue.js';

export { LOCKED_REASON, type ConversationView, type ProofLock, type TranscriptLine } from './queue.js';

/** Where a conversation lives, to send it something outside a turn of its own. */
export interface Target {
  conversationId: string;
  channelId: string;
  reference: Record<string, unknown> | null;
}

/** Sends activities already written to the conversation's log to the customer's channel (the channel gateways). */
export type Deliver = (target: Target, activities: Record<string, unknown>[]) => Promise<void>;

/** Runs a system event on a conversation as a turn of its own (the conversation service's `dispatch`). */
export interface SystemEvents {
  dispatch(conversationId: string, channelId: string, event: SystemEvent): Promise<{ activities: readonly object[] }>;
}

/** A member of staff: the name in the audit trail, and the one the customer sees. */
export interface StaffMember {
  name: string;
  displayName: string;
}

export interface HandoffOptions {
  queue: HandoffQueue;
  store: Store;
  conversations: SystemEvents;
  /** The channel gateways: sending happens in the background (see the constructor). */
  deliver: Deliver;
  now: () => number;
  logger: Logger;
}

/**
 * Why a staff action was refused, as a code (the HTTP layer maps codes to statuses; nothing here
 * knows HTTP): no such hand-over, RMA or order (`not-found`, `unknown-order`, `unknown-sku`); the
 * conversation's state (`held` by someone else, `ended`, `not-taken` yet); what the request lacks
 * or gets wrong (`incomplete`, `bad-remedy`, naming the `field`); a conflict with what is recorded
 * (`order-mismatch`: not the order the bot verified; `being-processed`: the RMA's remedy is fixed;
 * `backwards`: an RMA's status only moves forward).
 */
export type StaffCode = 'not-found' | 'unknown-order' | 'unknown-sku' | 'held' | 'ended' | 'not-taken' | 'incomplete' | 'bad-remedy' | 'order-mismatch' | 'being-processed' | 'backwards';

export type StaffResult<T> = { ok: true; value: T } | { ok: false; code: StaffCode; message: string; holder?: string; field?: string };

/** What a member of staff gives to issue an RMA (CONTRACT section 8). */
export interface StaffRmaRequest {
  remedy: string;
  note?: string | null;
  /** Only when the bot has no verified order: staff vouch for the customer (audited). */
  orderNumber?: string;
  /** The order line; may be left out when the order has one line (or the bot knows the item). */
  sku?: string;
  reason?: ReturnReason;
}

/** The RMA a person issues: the bot's decision, overruled or confirmed by staff. */
function staffDecision(base: Decision | null, policy: string, policyVersion: string, reason: ReturnReason, remedy: Remedy, staffName: string, note: string | null, facts: RmaFacts): Decision {
  const clauses = base?.clauses.length ? base.clauses : [];
  return {
    policy: base?.policy ?? policy,
    policyVersion: base?.policyVersion ?? policyVersion,
    reason,
    outcome: 'approved',
    needs: [],
    remedies: [remedy],
    remedyChosenBy: 'retailer',
    deductions: base?.deductions ?? [],
    conditions: base?.conditions ?? [],
    deadlines: base?.deadlines ?? { notifyBy: null, returnBy: null, reportBy: null, refundWithinDays: null },
    reasons: [...(base?.reasons ?? []), { code: 'STAFF_DECISION', params: { agent: staffName, note, botOutcome: base?.outcome ?? null } }],
    clauses,
    rmaRequired: true,
    statutoryNote: base?.statutoryNote ?? null,
    sources: Object.fromEntries(Object.entries(facts).map(([fact, f]) => [fact, f.source])),
  };
}

/** The facts behind a staff RMA: the order's own, and those the customer gave the bot (with the bot decision's sources). */
function staffFacts(order: Order | null, item: OrderItem | null, reason: ReturnReason, summary: HandoffSummary, base: Decision | null): RmaFacts {
  if (!order || !item) return {};
  const sources: Sources = { deliveredOn: 'order', product: 'order', ...(base?.sources ?? {}) };
  const facts = factsFromOrder(order, item, { reason, sources });
  for (const [fact, value] of Object.entries(summary.facts ?? {})) {
    if (value === undefined || !(SOURCED_FACTS as readonly string[]).includes(fact)) continue;
    facts[fact as SourcedFact] = { value, source: base?.sources?.[fact as SourcedFact] ?? 'customer' };
  }
  if (summary.deliveredOn && summary.deliveredOn !== order.deliveredOn) {
    facts.deliveredOn = { value: summary.deliveredOn, source: base?.sources?.deliveredOn ?? 'customer' };
  }
  return facts;
}

export class HandoffService {
  /** `changed` (conversationId): something a console should show happened (the queue's emitter). */
  readonly events: HandoffQueue['events'];
  private readonly deliver: Deliver;

  constructor(private readonly o: HandoffOptions) {
    this.events = o.queue.events;
    // The message is already in the conversation's log: a slow or unreachable channel must not hold up the person's action.
    this.deliver = async (target, activities) => {
      void o
        .deliver(target, activities)
        .catch((e: unknown) => o.logger.warn({ conversationId: target.conversationId, err: e instanceof Error ? e.message : String(e) }, 'delivery to the customer failed'));
    };
  }

  get mode(): 'console' | 'event' {
    return this.o.queue.mode;
  }

  // ---- the support person's side ------------------------------------------------------------

  private async audit(conversationId: string, actor: string, action: string, data: Record<string, unknown>): Promise<void> {
    await this.o.store.addAudit(conversationId, { at: new Date(this.o.now()).toISOString(), actor, action, data });
  }

  private target(record: HandoffRecord): Target {
    return { conversationId: record.conversationId, channelId: record.channelId, reference: record.reference };
  }

  /** Run a system event on the conversation and send the customer what the bot said about it. */
  private async run(record: HandoffRecord, event: SystemEvent): Promise<void> {
    const result = await this.o.conversations.dispatch(record.conversationId, record.channelId, event);
    if (result.activities.length) await this.deliver(this.target(record), result.activities as unknown as Record<string, unknown>[]);
    this.events.emit('changed', record.conversationId);
  }

  list(status: 'queued' | 'active' | 'closed' | 'all' = 'queued'): Promise<ConversationView[]> {
    return this.o.queue.list(status);
  }

  get(conversationId: string): Promise<ConversationView | null> {
    return this.o.queue.get(conversationId);
  }

  private refused(r: { ok: false; reason: string; holder?: string }): StaffResult<never> {
    if (r.reason === 'held') return { ok: false, code: 'held', message: `${r.holder ?? 'another agent'} has this conversation`, holder: r.holder };
    if (r.reason === 'ended') return { ok: false, code: 'ended', message: 'this hand-over has ended' };
    if (r.reason === 'queued') return { ok: false, code: 'not-taken', message: 'take the conversation first' };
    return { ok: false, code: 'not-found', message: 'no hand-over for this conversation' };
  }

  /** The hand-over, when `staff` holds it; else why not. */
  private async held(conversationId: string, staff: StaffMember): Promise<StaffResult<HandoffRecord>> {
    const record = await this.o.store.getHandoff(conversationId);
    if (!record) return { ok: false, code: 'not-found', message: 'no hand-over for this conversation' };
    if (record.status === 'queued') return { ok: false, code: 'not-taken', message: 'take the conversation first' };
    if (record.status !== 'active') return { ok: false, code: 'ended', message: 'this hand-over has ended' };
    if (record.agent !== staff.name) return { ok: false, code: 'held', message: `${record.agent} has this conversation`, holder: record.agent ?? undefined };
    return { ok: true, value: record };
  }

  async take(conversationId: string, staff: StaffMember): Promise<StaffResult<ConversationView>> {
    const before = await this.o.store.getHandoff(conversationId);
    const r = await this.o.store.takeHandoff(conversationId, staff.name, new Date(this.o.now()).toISOString());
    if (!r.ok) return this.refused(r);
    // Taking a conversation one already holds changes nothing (and tells the customer nothing).
    if (before?.status === 'queued') {
      await this.audit(conversationId, `agent:${staff.name}`, 'handoff.taken', {});
      await this.run(r.record, { type: 'AGENT_TOOK', agent: staff.displayName });
    }
    return { ok: true, value: (await this.get(conversationId))! };
  }

  async message(conversationId: string, staff: StaffMember, text: string): Promise<StaffResult<{ seq: number }>> {
    const held = await this.held(conversationId, staff);
    if (!held.ok) return held;
    const activity = {
      type: 'message',
      from: { id: `agent:${staff.name}`, name: staff.displayName, role: 'bot' },
      text: `${staff.displayName}: ${text}`,
      textFormat: 'plain',
      channelData: { returns: { agent: staff.displayName } },
    };
    const [entry] = await this.o.store.appendLog(conversationId, [activity], new Date(this.o.now()).toISOString());
    await this.audit(conversationId, `agent:${staff.name}`, 'handoff.message', { seq: entry?.seq ?? null });
    await this.deliver(this.target(held.value), [activity]);
    this.events.emit('changed', conversationId);
    return { ok: true, value: { seq: entry?.seq ?? 0 } };
  }

  /**
   * A staff RMA for the conversation's order line (CONTRACT section 8), told to the customer in the
   * conversation. When the bot verified the order, it is that order (an `orderNumber` naming
   * another is `order-mismatch`) and the item and reason the bot knows, unless staff give `sku` and
   * `reason`. When it has none, staff give `orderNumber` (and `sku` unless the order has one line,
   * and `reason` unless the bot knows it): they vouch for the customer, and both audit trails say
   * so (`vouched`, `vouchedBy`). Codes: `bad-remedy`, `incomplete` (with the `field` to give),
   * `unknown-order`, `unknown-sku`, and the hand-over's own (`not-found`, `not-taken`, `held`, `ended`).
   */
  async issueRma(conversationId: string, staff: StaffMember, body: StaffRmaRequest): Promise<StaffResult<{ rma: string; created: boolean; vouched: boolean }>> {
    const held = await this.held(conversationId, staff);
    if (!held.ok) return held;
    if (!(REMEDIES as readonly string[]).includes(body.remedy)) {
      return { ok: false, code: 'bad-remedy', field: 'remedy', message: `expected remedy to be one of ${REMEDIES.join(', ')}` };
    }
    const summary = held.value.summary as unknown as HandoffSummary;
    const verified = summary.verified && summary.orderNumber ? summary.orderNumber : null;
    const given = body.orderNumber?.trim() || null;
    if (verified && given && normalizeOrderNumber(given) !== normalizeOrderNumber(verified)) {
      return { ok: false, code: 'order-mismatch', field: 'orderNumber', message: `the bot verified order ${verified} in this conversation; an RMA here is for that order` };
    }
    const vouched = !verified;
    if (vouched && !given) {
      return { ok: false, code: 'incomplete', field: 'orderNumber', message: 'the conversation has no verified order: give orderNumber, sku and reason (you vouch for the customer)' };
    }
    const order = await this.o.store.getOrder(verified ?? given!);
    if (vouched && !order) return { ok: false, code: 'unknown-order', field: 'orderNumber', message: `no order ${given} in the store` };
    const orderNumber = order?.orderNumber ?? verified!;
    let item = order?.items.find((i) => i.sku === (body.sku ?? summary.item?.sku)) ?? null;
    if (vouched) {
      const sku = body.sku?.trim();
      item = sku ? (order!.items.find((i) => i.sku.toLowerCase() === sku.toLowerCase()) ?? null) : order!.items.length === 1 ? order!.items[0]! : null;
      if (!sku && !item)
        return { ok: false, code: 'incomplete', field: 'sku', message: `order ${orderNumber} has ${order!.items.length} items: give sku (${order!.items.map((i) => i.sku).join(', ')})` };
      if (!item) return { ok: false, code: 'unknown-sku', field: 'sku', message: `order ${orderNumber} has no item ${sku} (it has ${order!.items.map((i) => i.sku).join(', ')})` };
    }
    const sku = item?.sku ?? body.sku ?? summary.item?.sku;
    const reason = body.reason ?? summary.reason;
    if (!sku || !reason) {
      return { ok: false, code: 'incomplete', field: sku ? 'reason' : 'sku', message: 'the conversation has no item and reason yet (give sku and reason)' };
    }
    const note = body.note?.trim() || null;
    // The bot's decision stands behind the staff one only when it is about this order line.
    const base = !vouched && summary.item?.sku === sku ? summary.decision : null;
    const policy = base?.policy ?? order?.policy ?? summary.decision?.policy ?? 'unknown';
    const facts = staffFacts(order, item, reason, vouched ? { ...summary, facts: {}, deliveredOn: null } : summary, base);
    const decision = staffDecision(base, policy, base?.policyVersion ?? tryLoadPack(policy)?.pack.version ?? 'unknown', reason, body.remedy as Remedy, staff.name, note, facts);
    const vouching = vouched ? { vouched: true, vouchedBy: staff.name, vouchedByName: staff.displayName } : {};
    const { record, created } = await this.o.store.issueRma({
      orderNumber,
      sku,
      reason,
      remedy: body.remedy as Remedy,
      decision,
      conversationId,
      actor: `agent:${staff.name}`,
      note,
      at: new Date(this.o.now()).toISOString(),
      facts,
      auditData: vouching,
    });
    await this.audit(conversationId, `agent:${staff.name}`, 'rma.issued', { rma: record.rma, remedy: body.remedy, note, created, ...(vouched ? { ...vouching, orderNumber, sku, reason } : {}) });
    await this.run(held.value, { type: 'STAFF_RMA', rma: record.rma, remedy: body.remedy as Remedy, agent: staff.displayName });
    return { ok: true, value: { rma: record.rma, created, vouched } };
  }

  /** An RMA as staff see it (any RMA, whoever issued it). */
  async rma(rma: string): Promise<StaffResult<RmaRecord>> {
    const record = await this.o.store.getRma(rma);
    return record ? { ok: true, value: record } : { ok: false, code: 'not-found', message: `no RMA ${rma}` };
  }

  /** Staff move an RMA on (`received`: the item is being processed, its remedy is fixed; `completed`). */
  async rmaStatus(rma: string, staff: StaffMember, body: { status: RmaStatus; note?: string | null }): Promise<StaffResult<RmaRecord>> {
    const r = await setRmaStatus(this.o.store, { rma, status: body.status, agent: staff.name, displayName: staff.displayName, at: new Date(this.o.now()).toISOString(), note: body.note });
    if (r.ok) return { ok: true, value: r.record };
    if (r.code === 'not-found') return { ok: false, code: 'not-found', message: `no RMA ${rma}` };
    return { ok: false, code: 'backwards', field: 'status', message: `the RMA is ${r.status}: its status only moves forward (${RMA_STATUSES.join(' → ')})` };
  }

  /** Staff change an RMA's remedy (any remedy, while it is issued), audited with their name and note. */
  async rmaRemedy(rma: string, staff: StaffMember, body: { remedy: Remedy; note?: string | null }): Promise<StaffResult<RmaRecord>> {
    const r = await changeRmaRemedy(this.o.store, { rma, remedy: body.remedy, by: { agent: staff.name, displayName: staff.displayName }, at: new Date(this.o.now()).toISOString(), note: body.note });
    if (r.ok) return { ok: true, value: r.record };
    if (r.code === 'not-found') return { ok: false, code: 'not-found', message: `no RMA ${rma}` };
    if (r.code === 'being-processed') return { ok: false, code: 'being-processed', field: 'remedy', message: `the RMA is ${r.status}: its remedy (${r.remedy ?? 'none'}) can no longer change` };
    return { ok: false, code: 'bad-remedy', field: 'remedy', message: `expected remedy to be one of ${REMEDIES.join(', ')}` };
  }

  async release(conversationId: string, staff: StaffMember): Promise<StaffResult<ConversationView>> {
    return this.end(conversationId, staff, 'released');
  }

  async close(conversationId: string, staff: StaffMember): Promise<StaffResult<ConversationView>> {
    return this.end(conversationId, staff, 'closed');
  }

  private async end(conversationId: string, staff: StaffMember, status: 'released' | 'closed'): Promise<StaffResult<ConversationView>> {
    const held = await this.held(conversationId, staff);
    if (!held.ok) return held;
    const r = await this.o.store.endHandoff(conversationId, { agent: staff.name }, status, new Date(this.o.now()).toISOString());
    if (!r.ok) return this.refused(r);
    await this.audit(conversationId, `agent:${staff.name}`, `handoff.${status}`, {});
    await this.run(held.value, status === 'released' ? { type: 'AGENT_RELEASED', agent: staff.displayName } : { type: 'AGENT_CLOSED', agent: staff.displayName });
    return { ok: true, value: (await this.get(conversationId))! };
  }

  /** A contact centre's `handoff.status` event (mode `event`): accepted, completed or failed. */
  async external(conversationId: string, channelId: string, state: string, message: string | null): Promise<void> {
    const record = await this.o.store.getHandoff(conversationId);
    if (!record) return;
    const staff = { name: 'contact-centre', displayName: message?.trim() || 'our support team' };
    const at = new Date(this.o.now()).toISOString();
    if (state === 'accepted' && record.status === 'queued') {
      const r = await this.o.store.takeHandoff(conversationId, staff.name, at);
      if (r.ok) await this.o.conversations.dispatch(conversationId, channelId, { type: 'AGENT_TOOK', agent: staff.displayName });
    } else if ((state === 'completed' || state === 'failed') && (record.status === 'queued' || record.status === 'active')) {
      if (record.status === 'queued') await this.o.store.takeHandoff(conversationId, staff.name, at);
      await this.o.store.endHandoff(conversationId, { agent: staff.name }, state === 'completed' ? 'closed' : 'released', at);
      await this.o.conversations.dispatch(conversationId, channelId, state === 'completed' ? { type: 'AGENT_CLOSED', agent: staff.displayName } : { type: 'AGENT_RELEASED', agent: staff.displayName });
    }
    await this.audit(conversationId, 'contact-centre', `handoff.status.${state}`, { message });
    this.events.emit('changed', conversationId);
  }

  /** The page of attachments of a conversation (the console shows them). */
  attachments(conversationId: string) {
    return this.o.queue.attachments(conversationId);
  }
}
