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
import type { ReturnReason } from '../policy/case.js';
import type { Logger } from '../log.js';
import type { HandoffRecord, HandoffStatus, LogEntry, Store } from '../store/store.js';
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

export type StaffResult<T> =
  | { ok: true; value: T }
  | { ok: false; status: 404 | 409 | 400; code: string; message: string; holder?: string };

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
function staffDecision(base: Decision | null, policy: string, policyVersion: string, reason: ReturnReason, remedy: Remedy, agent: string, note: string | null): Decision {
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
  };
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
    if (r.reason === 'held') return { ok: false, status: 409, code: 'held', message: `${r.holder ?? 'another agent'} has this conversation`, holder: r.holder };
    if (r.reason === 'ended') return { ok: false, status: 409, code: 'ended', message: 'this hand-over has ended' };
    if (r.reason === 'queued') return { ok: false, status: 409, code: 'not-taken', message: 'take the conversation first' };
    return { ok: false, status: 404, code: 'not-found', message: 'no hand-over for this conversation' };
  }

  /** The hand-over, when `agent` holds it; else why not. */
  private async held(conversationId: string, agent: Agent): Promise<StaffResult<HandoffRecord>> {
    const record = await this.o.store.getHandoff(conversationId);
    if (!record) return { ok: false, status: 404, code: 'not-found', message: 'no hand-over for this conversation' };
    if (record.status !== 'active') return { ok: false, status: 409, code: record.status === 'queued' ? 'not-taken' : 'ended', message: record.status === 'queued' ? 'take the conversation first' : 'this hand-over has ended' };
    if (record.agent !== agent.name) return { ok: false, status: 409, code: 'held', message: `${record.agent} has this conversation`, holder: record.agent ?? undefined };
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

  async issueRma(conversationId: string, agent: Agent, body: { remedy: string; note?: string | null; sku?: string; reason?: ReturnReason }): Promise<StaffResult<{ rma: string; created: boolean }>> {
    const held = await this.held(conversationId, agent);
    if (!held.ok) return held;
    if (!(REMEDIES as readonly string[]).includes(body.remedy)) {
      return { ok: false, status: 400, code: 'bad-remedy', message: `expected remedy to be one of ${REMEDIES.join(', ')}` };
    }
    const summary = held.value.summary as unknown as HandoffSummary;
    const sku = body.sku ?? summary.item?.sku;
    const reason = body.reason ?? summary.reason;
    const orderNumber = summary.orderNumber;
    if (!orderNumber || !summary.verified || !sku || !reason) {
      return { ok: false, status: 400, code: 'incomplete', message: 'the conversation has no verified order, item and reason yet (give sku and reason)' };
    }
    const note = body.note?.trim() || null;
    const decision = staffDecision(summary.decision, summary.decision?.policy ?? 'unknown', summary.decision?.policyVersion ?? 'unknown', reason, body.remedy as Remedy, agent.name, note);
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
    });
    await this.audit(conversationId, `agent:${agent.name}`, 'rma.issued', { rma: record.rma, remedy: body.remedy, note, created });
    await this.run(held.value, { type: 'STAFF_RMA', rma: record.rma, remedy: body.remedy as Remedy, agent: agent.displayName });
    return { ok: true, value: { rma: record.rma, created } };
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
