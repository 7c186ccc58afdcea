/**
 * Human hand-over: the queue, the support person's actions, and delivery of what they say.
 *
 * State lives in the store (queued → taken by an agent → released to the bot, or closed; or left
 * by the customer), so it survives restarts and works across instances. While a person holds a
 * conversation the bot's machine is paused (its `handoff` state): every customer message is logged
 * for that person and the bot stays silent. Staff actions run on the conversation as system events
 * (serialised with the customer's turns) and every one goes into the audit trail.
 */
import { EventEmitter } from 'node:events';
import type { ConversationService, TurnDone } from '../../dialogs/conversation.js';
import { turnScope } from '../../dialogs/conversation.js';
import { handoffSummary, type HandoffInput, type HandoffSummary, type HandoffTicket } from '../../machines/returns.machine.js';
import type { Decision } from '../policy/decision.js';
import { REMEDIES, type Remedy } from '../policy/pack.js';
import { SOURCED_FACTS, type ReturnReason, type SourcedFact, type Sources } from '../policy/case.js';
import { tryLoadPack } from '../policy/packs.js';
import type { Logger } from '../log.js';
import { normalizeOrderNumber, type Order, type OrderItem } from '../orders.js';
import { changeRmaRemedy, factsFromOrder, setRmaStatus } from '../rmas.js';
import { RMA_STATUSES, type HandoffRecord, type HandoffStatus, type LogEntry, type RmaFacts, type RmaRecord, type RmaStatus, type Store } from '../store/store.js';
import type { OpeningHours } from './hours.js';

/** Where a conversation lives, to send it something outside a turn of its own. */
export interface Target {
  conversationId: string;
  channelId: string;
  reference: Record<string, unknown> | null;
}

/** Sends activities already written to the conversation's log to the customer's channel. */
export type Deliver = (target: Target, activities: Record<string, unknown>[]) => Promise<void>;

export interface Agent {
  name: string;
  displayName: string;
}

/**
 * Why a staff action was refused, as a code (the HTTP layer maps codes to statuses; nothing here
 * knows HTTP): no such hand-over, RMA or order (`not-found`, `unknown-order`, `unknown-sku`); the
 * conversation's state (`held` by someone else, `ended`, `not-taken` yet); what the request lacks
 * or gets wrong (`incomplete`, `bad-remedy`, naming the `field`); a conflict with what is recorded
 * (`order-mismatch`: not the order the bot verified; `being-processed`: the RMA's remedy is fixed;
 * `backwards`: an RMA's status only moves forward).
 */
export type StaffCode =
  | 'not-found' | 'unknown-order' | 'unknown-sku'
  | 'held' | 'ended' | 'not-taken'
  | 'incomplete' | 'bad-remedy'
  | 'order-mismatch' | 'being-processed' | 'backwards';

export type StaffResult<T> =
  | { ok: true; value: T }
  | { ok: false; code: StaffCode; message: string; holder?: string; field?: string };

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

export interface TranscriptLine {
  seq: number;
  at: string;
  role: 'customer' | 'bot' | 'agent';
  name: string | null;
  text: string;
  attachments: { name?: string; contentType?: string; contentUrl?: string }[];
  step: string | null;
}

export interface ConversationView {
  id: string;
  status: HandoffStatus;
  reason: string;
  channelId: string;
  queuedAt: string;
  takenAt: string | null;
  endedAt: string | null;
  agent: string | null;
  position: number | null;
  summary: HandoffSummary | Record<string, unknown>;
  transcript: TranscriptLine[];
}

/** A proof-of-ownership lock on a conversation or its order, as staff see it in the hand-over summary (`verification`). */
export interface ProofLock {
  locked: true;
  /** When it ends (ISO time). */
  until: string;
  /** Too many failed proofs of this order (from any conversation). */
  orderLocked: boolean;
  /** Too many failed proofs in this conversation. */
  conversationLocked: boolean;
  failedAttempts: { order: number; conversation: number };
}

export interface HandoffOptions {
  store: Store;
  now: () => number;
  logger: Logger;
  hours: OpeningHours | null;
  minutesPerChat: number;
  mode: 'console' | 'event';
  /** The proof-of-ownership lock of a conversation and its order, if any (shown to staff). */
  proofLock?: (conversationId: string, orderNumber: string | null) => Promise<ProofLock | null>;
}

/** The hand-over reason when the customer came because of a proof-of-ownership lock. */
export const LOCKED_REASON = 'verification-locked';

/** The RMA a person issues: the bot's decision, overruled or confirmed by staff. */
function staffDecision(base: Decision | null, policy: string, policyVersion: string, reason: ReturnReason, remedy: Remedy, agent: string, note: string | null, facts: RmaFacts): Decision {
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
    reasons: [...(base?.reasons ?? []), { code: 'STAFF_DECISION', params: { agent, note, botOutcome: base?.outcome ?? null } }],
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

function transcriptLine(e: LogEntry): TranscriptLine {
  const a = e.activity as {
    text?: string;
    from?: { id?: string; name?: string; role?: string };
    attachments?: { name?: string; contentType?: string; contentUrl?: string }[];
    channelData?: { returns?: { step?: string } };
  };
  const fromAgent = a.from?.id?.startsWith('agent:') ?? false;
  return {
    seq: e.seq,
    at: e.at,
    role: fromAgent ? 'agent' : a.from?.role === 'bot' ? 'bot' : 'customer',
    name: fromAgent ? a.from?.name ?? null : null,
    text: a.text ?? '',
    attachments: (a.attachments ?? []).map((x) => ({ name: x.name, contentType: x.contentType, contentUrl: x.contentUrl })),
    step: a.channelData?.returns?.step ?? null,
  };
}

export class HandoffService {
  /** `changed` (conversationId): something a console should show happened. */
  readonly events = new EventEmitter();
  private deliver: Deliver = async () => {};
  private conversations: ConversationService | null = null;
  private readonly staffListeners: ((done: TurnDone, record: HandoffRecord | null) => Promise<void>)[] = [];

  constructor(private readonly o: HandoffOptions) {
    this.events.setMaxListeners(1000);
  }

  /** Wire the conversation service (it is built after this one). */
  attach(conversations: ConversationService): void {
    this.conversations = conversations;
  }

  /**
   * How to reach customers on their channels (set by the server). Sending happens in the
   * background: the message is already in the conversation's log, and a slow or unreachable channel
   * must not hold up the person's action.
   */
  setDelivery(deliver: Deliver): void {
    this.deliver = async (target, activities) => {
      void deliver(target, activities).catch((e: unknown) =>
        this.o.logger.warn({ conversationId: target.conversationId, err: e instanceof Error ? e.message : String(e) }, 'delivery to the customer failed'),
      );
    };
  }

  /** Someone else to tell after each turn (staff working from Teams). */
  onTurn(listener: (done: TurnDone, record: HandoffRecord | null) => Promise<void>): void {
    this.staffListeners.push(listener);
  }

  get mode(): 'console' | 'event' {
    return this.o.mode;
  }

  // ---- the customer's side ------------------------------------------------------------------

  /** The `requestHandoff` actor: put the conversation in the queue and say what happens next. */
  async request(input: HandoffInput): Promise<HandoffTicket> {
    const scope = turnScope.getStore();
    // Staff see a proof-of-ownership lock first: as the reason, and in the summary (`verification`).
    const lock = await this.lockOf(input.conversationId, input.summary.orderNumber);
    const { position } = await this.o.store.openHandoff({
      conversationId: input.conversationId,
      reason: lock ? LOCKED_REASON : input.reason,
      channelId: scope?.channelId ?? 'unknown',
      summary: { ...(input.summary as unknown as Record<string, unknown>), ...(lock ? { verification: lock } : {}) },
      reference: scope?.reference ?? null,
      at: new Date(this.o.now()).toISOString(),
    });
    const open = this.o.hours ? this.o.hours.isOpen(this.o.now()) : true;
    return {
      position,
      waitMinutes: position && open ? Math.max(1, position * this.o.minutesPerChat) : null,
      open,
      hours: this.o.hours?.text ?? null,
    };
  }

  /** After every turn: a customer who left the queue, new messages for the person, live consoles. */
  async afterTurn(done: TurnDone): Promise<void> {
    let record = await this.o.store.getHandoff(done.conversationId);
    // Keep the summary staff see current (a staff RMA, a reason given after the hand-over …).
    if (record && (record.status === 'queued' || record.status === 'active')) {
      const kept = record.summary.verification;
      const summary = { ...(handoffSummary(done.context) as unknown as Record<string, unknown>), ...(kept !== undefined ? { verification: kept } : {}) };
      if (JSON.stringify(summary) !== JSON.stringify(record.summary)) record = (await this.o.store.updateHandoffSummary(done.conversationId, summary)) ?? record;
    }
    if (record && done.from === 'handoff' && done.to !== 'handoff' && record.status === 'queued') {
      await this.o.store.endHandoff(done.conversationId, { customer: true }, 'left', new Date(this.o.now()).toISOString());
      await this.audit(done.conversationId, 'customer', 'handoff.left', {});
    }
    this.events.emit('changed', done.conversationId);
    for (const l of this.staffListeners) {
      await l(done, record).catch((e: unknown) => this.o.logger.warn({ conversationId: done.conversationId, err: e instanceof Error ? e.message : String(e) }, 'staff relay failed'));
    }
  }

  private async lockOf(conversationId: string, orderNumber: string | null): Promise<ProofLock | null> {
    if (!this.o.proofLock) return null;
    try {
      return await this.o.proofLock(conversationId, orderNumber);
    } catch (e) {
      this.o.logger.warn({ conversationId, err: e instanceof Error ? e.message : String(e) }, 'could not read the proof lock');
      return null;
    }
  }

  // ---- the support person's side ------------------------------------------------------------

  private async audit(conversationId: string, actor: string, action: string, data: Record<string, unknown>): Promise<void> {
    await this.o.store.addAudit(conversationId, { at: new Date(this.o.now()).toISOString(), actor, action, data });
  }

  private target(record: HandoffRecord): Target {
    return { conversationId: record.conversationId, channelId: record.channelId, reference: record.reference };
  }

  /** Run a system event on the conversation and send the customer what the bot said about it. */
  private async run(record: HandoffRecord, event: Parameters<ConversationService['dispatch']>[2]): Promise<void> {
    if (!this.conversations) throw new Error('the hand-over service is not attached to the conversations');
    const result = await this.conversations.dispatch(record.conversationId, record.channelId, event);
    if (result.activities.length) await this.deliver(this.target(record), result.activities as unknown as Record<string, unknown>[]);
    this.events.emit('changed', record.conversationId);
  }

  async list(status: 'queued' | 'active' | 'closed' | 'all' = 'queued'): Promise<ConversationView[]> {
    const statuses: HandoffStatus[] | undefined =
      status === 'queued' ? ['queued'] : status === 'active' ? ['active'] : status === 'closed' ? ['closed', 'released', 'left'] : undefined;
    const records = await this.o.store.listHandoffs({ status: statuses, limit: 200 });
    return Promise.all(records.map((r) => this.view(r)));
  }

  async get(conversationId: string): Promise<ConversationView | null> {
    const record = await this.o.store.getHandoff(conversationId);
    return record ? this.view(record) : null;
  }

  private async view(r: HandoffRecord): Promise<ConversationView> {
    const log = await this.o.store.readLog(r.conversationId);
    return {
      id: r.conversationId,
      status: r.status,
      reason: r.reason,
      channelId: r.channelId,
      queuedAt: r.queuedAt,
      takenAt: r.takenAt,
      endedAt: r.endedAt,
      agent: r.agent,
      position: r.status === 'queued' ? await this.o.store.queuePosition(r.conversationId) : null,
      summary: r.summary,
      transcript: log.map(transcriptLine),
    };
  }

  private refused(r: { ok: false; reason: string; holder?: string }): StaffResult<never> {
    if (r.reason === 'held') return { ok: false, code: 'held', message: `${r.holder ?? 'another agent'} has this conversation`, holder: r.holder };
    if (r.reason === 'ended') return { ok: false, code: 'ended', message: 'this hand-over has ended' };
    if (r.reason === 'queued') return { ok: false, code: 'not-taken', message: 'take the conversation first' };
    return { ok: false, code: 'not-found', message: 'no hand-over for this conversation' };
  }

  /** The hand-over, when `agent` holds it; else why not. */
  private async held(conversationId: string, agent: Agent): Promise<StaffResult<HandoffRecord>> {
    const record = await this.o.store.getHandoff(conversationId);
    if (!record) return { ok: false, code: 'not-found', message: 'no hand-over for this conversation' };
    if (record.status === 'queued') return { ok: false, code: 'not-taken', message: 'take the conversation first' };
    if (record.status !== 'active') return { ok: false, code: 'ended', message: 'this hand-over has ended' };
    if (record.agent !== agent.name) return { ok: false, code: 'held', message: `${record.agent} has this conversation`, holder: record.agent ?? undefined };
    return { ok: true, value: record };
  }

  async take(conversationId: string, agent: Agent): Promise<StaffResult<ConversationView>> {
    const before = await this.o.store.getHandoff(conversationId);
    const r = await this.o.store.takeHandoff(conversationId, agent.name, new Date(this.o.now()).toISOString());
    if (!r.ok) return this.refused(r);
    // Taking a conversation one already holds changes nothing (and tells the customer nothing).
    if (before?.status === 'queued') {
      await this.audit(conversationId, `agent:${agent.name}`, 'handoff.taken', {});
      await this.run(r.record, { type: 'AGENT_TOOK', agent: agent.displayName });
    }
    return { ok: true, value: (await this.get(conversationId))! };
  }

  async message(conversationId: string, agent: Agent, text: string): Promise<StaffResult<{ seq: number }>> {
    const held = await this.held(conversationId, agent);
    if (!held.ok) return held;
    const activity = {
      type: 'message',
      from: { id: `agent:${agent.name}`, name: agent.displayName, role: 'bot' },
      text: `${agent.displayName}: ${text}`,
      textFormat: 'plain',
      channelData: { returns: { agent: agent.displayName } },
    };
    const [entry] = await this.o.store.appendLog(conversationId, [activity], new Date(this.o.now()).toISOString());
    await this.audit(conversationId, `agent:${agent.name}`, 'handoff.message', { seq: entry?.seq ?? null });
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
  async issueRma(conversationId: string, agent: Agent, body: StaffRmaRequest): Promise<StaffResult<{ rma: string; created: boolean; vouched: boolean }>> {
    const held = await this.held(conversationId, agent);
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
      item = sku ? order!.items.find((i) => i.sku.toLowerCase() === sku.toLowerCase()) ?? null : order!.items.length === 1 ? order!.items[0]! : null;
      if (!sku && !item) return { ok: false, code: 'incomplete', field: 'sku', message: `order ${orderNumber} has ${order!.items.length} items: give sku (${order!.items.map((i) => i.sku).join(', ')})` };
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
    const decision = staffDecision(base, policy, base?.policyVersion ?? tryLoadPack(policy)?.pack.version ?? 'unknown', reason, body.remedy as Remedy, agent.name, note, facts);
    const vouching = vouched ? { vouched: true, vouchedBy: agent.name, vouchedByName: agent.displayName } : {};
    const { record, created } = await this.o.store.issueRma({
      orderNumber,
      sku,
      reason,
      remedy: body.remedy as Remedy,
      decision,
      conversationId,
      actor: `agent:${agent.name}`,
      note,
      at: new Date(this.o.now()).toISOString(),
      facts,
      auditData: vouching,
    });
    await this.audit(conversationId, `agent:${agent.name}`, 'rma.issued', { rma: record.rma, remedy: body.remedy, note, created, ...(vouched ? { ...vouching, orderNumber, sku, reason } : {}) });
    await this.run(held.value, { type: 'STAFF_RMA', rma: record.rma, remedy: body.remedy as Remedy, agent: agent.displayName });
    return { ok: true, value: { rma: record.rma, created, vouched } };
  }

  /** An RMA as staff see it (any RMA, whoever issued it). */
  async rma(rma: string): Promise<StaffResult<RmaRecord>> {
    const record = await this.o.store.getRma(rma);
    return record ? { ok: true, value: record } : { ok: false, code: 'not-found', message: `no RMA ${rma}` };
  }

  /** Staff move an RMA on (`received`: the item is being processed, its remedy is fixed; `completed`). */
  async rmaStatus(rma: string, agent: Agent, body: { status: RmaStatus; note?: string | null }): Promise<StaffResult<RmaRecord>> {
    const r = await setRmaStatus(this.o.store, { rma, status: body.status, agent: agent.name, displayName: agent.displayName, at: new Date(this.o.now()).toISOString(), note: body.note });
    if (r.ok) return { ok: true, value: r.record };
    if (r.code === 'not-found') return { ok: false, code: 'not-found', message: `no RMA ${rma}` };
    return { ok: false, code: 'backwards', field: 'status', message: `the RMA is ${r.status}: its status only moves forward (${RMA_STATUSES.join(' → ')})` };
  }

  /** Staff change an RMA's remedy (any remedy, while it is issued), audited with their name and note. */
  async rmaRemedy(rma: string, agent: Agent, body: { remedy: Remedy; note?: string | null }): Promise<StaffResult<RmaRecord>> {
    const r = await changeRmaRemedy(this.o.store, { rma, remedy: body.remedy, by: { agent: agent.name, displayName: agent.displayName }, at: new Date(this.o.now()).toISOString(), note: body.note });
    if (r.ok) return { ok: true, value: r.record };
    if (r.code === 'not-found') return { ok: false, code: 'not-found', message: `no RMA ${rma}` };
    if (r.code === 'being-processed') return { ok: false, code: 'being-processed', field: 'remedy', message: `the RMA is ${r.status}: its remedy (${r.remedy ?? 'none'}) can no longer change` };
    return { ok: false, code: 'bad-remedy', field: 'remedy', message: `expected remedy to be one of ${REMEDIES.join(', ')}` };
  }

  async release(conversationId: string, agent: Agent): Promise<StaffResult<ConversationView>> {
    return this.end(conversationId, agent, 'released');
  }

  async close(conversationId: string, agent: Agent): Promise<StaffResult<ConversationView>> {
    return this.end(conversationId, agent, 'closed');
  }

  private async end(conversationId: string, agent: Agent, status: 'released' | 'closed'): Promise<StaffResult<ConversationView>> {
    const held = await this.held(conversationId, agent);
    if (!held.ok) return held;
    const r = await this.o.store.endHandoff(conversationId, { agent: agent.name }, status, new Date(this.o.now()).toISOString());
    if (!r.ok) return this.refused(r);
    await this.audit(conversationId, `agent:${agent.name}`, `handoff.${status}`, {});
    await this.run(held.value, status === 'released' ? { type: 'AGENT_RELEASED', agent: agent.displayName } : { type: 'AGENT_CLOSED', agent: agent.displayName });
    return { ok: true, value: (await this.get(conversationId))! };
  }

  /** A contact centre's `handoff.status` event (mode `event`): accepted, completed or failed. */
  async external(conversationId: string, channelId: string, state: string, message: string | null): Promise<void> {
    const record = await this.o.store.getHandoff(conversationId);
    if (!record) return;
    const agent = { name: 'contact-centre', displayName: message?.trim() || 'our support team' };
    const at = new Date(this.o.now()).toISOString();
    if (state === 'accepted' && record.status === 'queued') {
      const r = await this.o.store.takeHandoff(conversationId, agent.name, at);
      if (r.ok) await this.conversations?.dispatch(conversationId, channelId, { type: 'AGENT_TOOK', agent: agent.displayName });
    } else if ((state === 'completed' || state === 'failed') && (record.status === 'queued' || record.status === 'active')) {
      if (record.status === 'queued') await this.o.store.takeHandoff(conversationId, agent.name, at);
      await this.o.store.endHandoff(conversationId, { agent: agent.name }, state === 'completed' ? 'closed' : 'released', at);
      await this.conversations?.dispatch(conversationId, channelId, state === 'completed' ? { type: 'AGENT_CLOSED', agent: agent.displayName } : { type: 'AGENT_RELEASED', agent: agent.displayName });
    }
    await this.audit(conversationId, 'contact-centre', `handoff.status.${state}`, { message });
    this.events.emit('changed', conversationId);
  }

  /** The page of attachments of a conversation (the console shows them). */
  attachments(conversationId: string) {
    return this.o.store.listAttachments(conversationId);
  }
}
