/**
 * The hand-over queue: the customer's side of a hand-over and what staff read.
 *
 * `request` is the machine's `requestHandoff` actor: it queues the conversation with the channel
 * the customer is on (given in the actor's input, from the turn) and says what happens next.
 * `afterTurn` subscribes to "turn committed": it keeps the summary staff see current and notes a
 * customer who left the queue. State lives in the store (queued → taken by a member of staff →
 * released to the bot, or closed; or left by the customer), so it survives restarts and works across
 * instances. Staff actions are in ./service.ts; this module knows neither the turn layer nor HTTP.
 */
import { EventEmitter } from 'node:events';
import { handoffSummary, type HandoffInput, type HandoffSummary, type HandoffTicket } from '../../machines/returns.machine.js';
import type { ReturnsContext } from '../../machines/types.js';
import type { Logger } from '../log.js';
import type { HandoffRecord, HandoffStatus, LogEntry, Store } from '../store/store.js';
import type { OpeningHours } from './hours.js';

/** What the queue uses of the store. */
export type QueueStore = Pick<Store, 'openHandoff' | 'getHandoff' | 'updateHandoffSummary' | 'endHandoff' | 'addAudit' | 'listHandoffs' | 'readLog' | 'queuePosition' | 'listAttachments'>;

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

export interface QueueOptions {
  store: QueueStore;
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

/** What the queue reads of a committed turn (the turn layer's "turn committed" event). */
export interface CommittedTurn {
  conversationId: string;
  from: string;
  to: string;
  context: ReturnsContext;
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
    name: fromAgent ? (a.from?.name ?? null) : null,
    text: a.text ?? '',
    attachments: (a.attachments ?? []).map((x) => ({ name: x.name, contentType: x.contentType, contentUrl: x.contentUrl })),
    step: a.channelData?.returns?.step ?? null,
  };
}

export class HandoffQueue {
  /** `changed` (conversationId): something a console should show happened. */
  readonly events = new EventEmitter();

  constructor(private readonly o: QueueOptions) {
    this.events.setMaxListeners(1000);
  }

  get mode(): 'console' | 'event' {
    return this.o.mode;
  }

  /** The `requestHandoff` actor: put the conversation in the queue and say what happens next. */
  async request(input: HandoffInput): Promise<HandoffTicket> {
    // Staff see a proof-of-ownership lock first: as the reason, and in the summary (`verification`).
    const lock = await this.lockOf(input.conversationId, input.summary.orderNumber);
    const { position } = await this.o.store.openHandoff({
      conversationId: input.conversationId,
      reason: lock ? LOCKED_REASON : input.reason,
      channelId: input.channel?.channelId ?? 'unknown',
      summary: { ...(input.summary as unknown as Record<string, unknown>), ...(lock ? { verification: lock } : {}) },
      reference: input.channel?.reference ?? null,
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

  /** After every committed turn: a customer who left the queue, the summary staff see, live consoles. */
  async afterTurn(done: CommittedTurn): Promise<HandoffRecord | null> {
    // A hand-over is queued or taken only while the conversation is in (or leaves) its hand-over
    // state: a turn that neither started nor ended there has none to keep current (no read per turn).
    if (done.from !== 'handoff' && done.to !== 'handoff' && !done.context.handoff) {
      this.events.emit('changed', done.conversationId);
      return null;
    }
    let record = await this.o.store.getHandoff(done.conversationId);
    // Keep the summary staff see current (a staff RMA, a reason given after the hand-over …).
    if (record && (record.status === 'queued' || record.status === 'active')) {
      const kept = record.summary.verification;
      const summary = { ...(handoffSummary(done.context) as unknown as Record<string, unknown>), ...(kept !== undefined ? { verification: kept } : {}) };
      if (JSON.stringify(summary) !== JSON.stringify(record.summary)) record = (await this.o.store.updateHandoffSummary(done.conversationId, summary)) ?? record;
    }
    if (record && done.from === 'handoff' && done.to !== 'handoff' && record.status === 'queued') {
      await this.o.store.endHandoff(done.conversationId, { customer: true }, 'left', new Date(this.o.now()).toISOString());
      await this.o.store.addAudit(done.conversationId, { at: new Date(this.o.now()).toISOString(), actor: 'customer', action: 'handoff.left', data: {} });
    }
    this.events.emit('changed', done.conversationId);
    return record;
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

  async list(status: 'queued' | 'active' | 'closed' | 'all' = 'queued'): Promise<ConversationView[]> {
    const statuses: HandoffStatus[] | undefined = status === 'queued' ? ['queued'] : status === 'active' ? ['active'] : status === 'closed' ? ['closed', 'released', 'left'] : undefined;
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

  /** The page of attachments of a conversation (the console shows them). */
  attachments(conversationId: string) {
    return this.o.store.listAttachments(conversationId);
  }
}
