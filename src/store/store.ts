/**
 * The storage port: everything the bot keeps, behind one interface with two engines (the embedded
 * SQLite store, and PostgreSQL for several instances). Both pass the same contract test suite
 * (test/store/contract.ts).
 *
 * Guarantees every engine gives:
 * - Conversation snapshots are written with compare-and-swap on a version number: a stale writer
 *   gets ConflictError and nothing of its turn is written (never last-writer-wins).
 * - A turn's results (snapshot, the activity id it answered, log entries, audit entries) are
 *   committed in one transaction: all or nothing.
 * - A processed activity's replies are kept once, in the conversation's log: the dedupe entry refers
 *   to the turn's last `replyCount` log entries (it does not copy them), and `findProcessedActivity`
 *   returns those entries' activities, as the log stores them.
 * - An RMA is issued at most once per order line and reason: asking again returns the same record.
 *   The RMA row, its decision and its first audit entry are written in one transaction.
 * - `withConversationLock` serialises work on one conversation: in-process on SQLite, across
 *   instances on PostgreSQL.
 */
import type { Decision } from '../policy/decision.js';
import type { ReturnReason } from '../policy/case.js';
import type { Remedy } from '../policy/pack.js';
import type { Order } from '../orders.js';

/** A conversation's persisted state. `version` increases by one on every committed turn. */
export interface ConversationRecord {
  id: string;
  version: number;
  /** Version of the machine that wrote the snapshot; an older one is migrated or restarted. */
  machineVersion: number;
  snapshot: unknown;
  locale: string | null;
  createdAt: string;
  updatedAt: string;
}

/** One entry of the audit trail of a conversation or an RMA. */
export interface AuditEntry {
  at: string;
  /** "bot", "customer", "agent:<name>" or "system". */
  actor: string;
  action: string;
  data: Record<string, unknown>;
}

/** An activity in a conversation's log (what the customer and the bot said), in order. */
export interface LogEntry {
  conversationId: string;
  /** 1, 2, 3 … per conversation: the Direct Line watermark. */
  seq: number;
  at: string;
  activity: Record<string, unknown>;
}

export interface TurnCommit {
  conversationId: string;
  /** The version read before the turn; null when the conversation did not exist. */
  expectedVersion: number | null;
  snapshot: unknown;
  machineVersion: number;
  locale: string | null;
  /** The activity this turn answered (for deduplication of channel retries), if it had an id. */
  activityId: string | null;
  /**
   * How many of the last entries of `log` are the bot's replies (a whole number from 0 to
   * `log.length`; RangeError otherwise): a retry of `activityId` gets those log entries' activities.
   */
  replyCount: number;
  /** Activities to append to the conversation's log (the customer's message, then the replies). */
  log: Record<string, unknown>[];
  audit: AuditEntry[];
  at: string;
}

export interface RmaRequest {
  orderNumber: string;
  sku: string;
  reason: ReturnReason;
  remedy: Remedy | null;
  decision: Decision;
  conversationId: string | null;
  /** "bot" or "agent:<name>". */
  actor: string;
  note?: string | null;
  at: string;
}

export interface RmaRecord {
  rma: string;
  orderNumber: string;
  sku: string;
  reason: ReturnReason;
  remedy: Remedy | null;
  decision: Decision;
  conversationId: string | null;
  issuedBy: string;
  note: string | null;
  createdAt: string;
  audit: AuditEntry[];
}

/** RangeError unless `turn.replyCount` is a whole number from 0 to `turn.log.length` (engines call it first). */
export function checkReplyCount(turn: TurnCommit): void {
  const { replyCount, log } = turn;
  if (!Number.isInteger(replyCount) || replyCount < 0 || replyCount > log.length) {
    throw new RangeError(`replyCount must be a whole number from 0 to the ${log.length} log entries of the turn, got ${replyCount}`);
  }
}

/** The stored conversation moved on since it was read: reload and run the turn again. */
export class ConflictError extends Error {
  constructor(readonly conversationId: string) {
    super(`conversation ${conversationId} changed since it was read`);
    this.name = 'ConflictError';
  }
}

export interface Store {
  readonly engine: 'sqlite' | 'postgres';
  /** Create or upgrade the schema (idempotent; run at start). */
  migrate(): Promise<void>;
  /** True when the store answers a trivial query. */
  ping(): Promise<boolean>;
  close(): Promise<void>;

  /** Insert or replace orders by order number (idempotent). */
  importOrders(orders: readonly Order[]): Promise<{ added: number; updated: number; unchanged: number }>;
  /** An order by number, case-insensitively; null when unknown. */
  getOrder(orderNumber: string): Promise<Order | null>;
  countOrders(): Promise<number>;

  /** Run `fn` while holding the conversation's lock: no other turn of it runs meanwhile. */
  withConversationLock<T>(conversationId: string, fn: () => Promise<T>): Promise<T>;
  loadConversation(conversationId: string): Promise<ConversationRecord | null>;
  /**
   * The replies already given to an activity of this conversation (the activities of the log entries
   * its turn wrote as replies, oldest first; [] when it had none), or null if it is new.
   */
  findProcessedActivity(conversationId: string, activityId: string): Promise<unknown[] | null>;
  /**
   * Commit a turn atomically; ConflictError when the stored version is not `expectedVersion`.
   * Returns the log entries written. Their activities are the objects given, not copies (an engine
   * that had to change one to store it returns what it stored instead); `readLog` returns them in
   * their stored JSON form.
   */
  commitTurn(turn: TurnCommit): Promise<{ version: number; log: LogEntry[] }>;

  /** Append activities to a conversation's log outside a turn (agent messages, proactive sends); returns the entries as commitTurn does. */
  appendLog(conversationId: string, activities: readonly Record<string, unknown>[], at: string): Promise<LogEntry[]>;
  /** Log entries with seq > afterSeq, oldest first. */
  readLog(conversationId: string, afterSeq?: number, limit?: number): Promise<LogEntry[]>;
  /** Add an entry to a conversation's audit trail. */
  addAudit(conversationId: string, entry: AuditEntry): Promise<void>;
  conversationAudit(conversationId: string): Promise<AuditEntry[]>;

  /** Issue the RMA for an order line and reason, or return the one already issued. */
  issueRma(request: RmaRequest): Promise<{ record: RmaRecord; created: boolean }>;
  getRma(rma: string): Promise<RmaRecord | null>;
  findRma(orderNumber: string, sku: string, reason: ReturnReason): Promise<RmaRecord | null>;
}
