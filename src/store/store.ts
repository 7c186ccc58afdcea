/**
 * The storage ports: everything the bot keeps, split by what callers need (conversations and their
 * log, orders, RMAs, the hand-over queue, staff, attachments, secrets, proof failures; `Store` is
 * all of them), implemented once (./sql-store.ts) over two engines (the embedded SQLite store, and
 * PostgreSQL for several instances). Both pass the same contract test suite (test/store/contract.ts).
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
 * - A change of an RMA (its remedy, its status) is one atomic step that checks the status it
 *   changes, with its audit entry (who, when, from what to what) in the same transaction: a remedy
 *   changes only while the RMA is `issued`, a status only moves forward. Racing changes, in one
 *   instance or several, are applied one after the other (each audit entry's `from` is the previous
 *   one's `to`).
 * - `withConversationLock` serialises work on one conversation: in-process on SQLite, across
 *   instances on PostgreSQL.
 * - An attachment is written once, whole (one row: its details and its bytes): a second save with
 *   the same id is refused with DuplicateAttachmentError and changes nothing.
 * - A named secret has one value per database, whichever instance asks first: `secret` inserts its
 *   `create()` only if the name is absent, then reads what is stored, so every instance (and every
 *   concurrent call) gets the same value and a loser's `create()` is never kept.
 * - A conversation has at most one hand-over record (its latest hand-over to a person), kept in the
 *   store so the queue survives restarts and is shared by every instance. Every change of one is a
 *   single atomic step that checks the state it changes (queued → active only while queued; ended
 *   only by whoever may end it): two agents racing to take one conversation, in one instance or
 *   several, get exactly one winner and the other is told who holds it. Its `version` increases by
 *   one on every change.
 * - Staff access keys are stored as the caller's hash only; a name is unique among active agents.
 * - Failed proofs of ownership are counted per key (an order, a conversation) in the store, so every
 *   instance, every conversation and every restart sees the same count: adding failures is atomic
 *   (concurrent calls, in one instance or several, never lose one).
 */
import type { Decision } from '../policy/decision.js';
import type { FactSource, ReturnReason, SourcedFact } from '../policy/case.js';
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

/** One fact a decision used, with its value and where it came from (the order, the customer, staff). */
export interface RmaFact {
  /** The value the decision used (a date, a yes/no, a category …; JSON). */
  value: unknown;
  source: FactSource;
}

/** The facts an RMA's decision used, by fact (CONTRACT section 7: every fact records its source). */
export type RmaFacts = Partial<Record<SourcedFact, RmaFact>>;

/**
 * Where an RMA stands: `issued` (nothing received yet: the customer may still change the remedy),
 * `received` (staff have the item: it is being processed, the remedy is fixed), `completed` (the
 * remedy was given). It only moves forward.
 */
export type RmaStatus = 'issued' | 'received' | 'completed';
export const RMA_STATUSES: readonly RmaStatus[] = ['issued', 'received', 'completed'];

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
  /** The facts the decision used, with their sources ({} when not given). */
  facts?: RmaFacts;
  /**
   * More for the first audit entry (`rma.issued`), e.g. `{ vouched: true, vouchedBy: "alex" }`
   * when a member of staff vouched for the customer instead of the bot verifying the order.
   */
  auditData?: Record<string, unknown>;
}

export interface RmaRecord {
  rma: string;
  orderNumber: string;
  sku: string;
  reason: ReturnReason;
  /** The remedy recorded now (changed by {@link Store.changeRmaRemedy}; the audit trail has its history). */
  remedy: Remedy | null;
  /** The decision it was issued under. */
  decision: Decision;
  conversationId: string | null;
  issuedBy: string;
  note: string | null;
  createdAt: string;
  status: RmaStatus;
  facts: RmaFacts;
  audit: AuditEntry[];
}

/** A change of an RMA's remedy or status: who (`actor`: "customer", "agent:<name>" …), when, and more for the audit entry. */
export interface RmaChange<T> {
  rma: string;
  to: T;
  actor: string;
  at: string;
  /** More for the audit entry (a note, the display name of who changed it …). */
  data?: Record<string, unknown>;
}

/**
 * What changing an RMA gave: the record after it (`changed` false when it already had that value:
 * nothing written), or why not: no such RMA, or its status forbids the change (`not-open`: the
 * remedy of an RMA that is no longer `issued`; `backwards`: a status that would move back), with
 * the record as it is.
 */
export type RmaChangeResult = { ok: true; record: RmaRecord; changed: boolean } | { ok: false; reason: 'not-found' } | { ok: false; reason: 'not-open' | 'backwards'; record: RmaRecord };

/** What a remedy change does to `current` (read under the write lock or a row lock); the same rules for every engine. */
export function decideRemedyChange(current: { remedy: Remedy | null; status: RmaStatus }, to: Remedy): 'unchanged' | 'not-open' | 'change' {
  if (current.remedy === to) return 'unchanged';
  return current.status === 'issued' ? 'change' : 'not-open';
}

/** What a status change does to `current` (see {@link decideRemedyChange}). */
export function decideStatusChange(current: { status: RmaStatus }, to: RmaStatus): 'unchanged' | 'backwards' | 'change' {
  if (current.status === to) return 'unchanged';
  return RMA_STATUSES.indexOf(to) > RMA_STATUSES.indexOf(current.status) ? 'change' : 'backwards';
}

/** What changing an RMA's `column` to `to` does to `current`: nothing, refused, or a change from the value it has. */
export function rmaChangeStep(column: 'remedy' | 'status', current: { remedy: string | null; status: string }, to: string): 'unchanged' | 'not-open' | 'backwards' | { from: string | null } {
  const step =
    column === 'remedy'
      ? decideRemedyChange({ remedy: current.remedy as Remedy | null, status: current.status as RmaStatus }, to as Remedy)
      : decideStatusChange({ status: current.status as RmaStatus }, to as RmaStatus);
  return step === 'change' ? { from: current[column] } : step;
}

/** TypeError/RangeError unless the change can be applied (engines call it first). */
export function checkRmaChange(change: RmaChange<unknown>, allowed: readonly string[]): void {
  checkString('rma', change.rma);
  checkString('actor', change.actor, true);
  checkTimestamp(change.at);
  if (typeof change.to !== 'string' || !allowed.includes(change.to)) throw new RangeError(`expected one of ${allowed.join(', ')}, got ${JSON.stringify(change.to)}`);
  if (change.data !== undefined && !isPlainObject(change.data)) throw new TypeError('change data must be an object');
}

/** RangeError unless `turn.replyCount` is a whole number from 0 to `turn.log.length` (engines call it first). */
export function checkReplyCount(turn: TurnCommit): void {
  const { replyCount, log } = turn;
  if (!Number.isInteger(replyCount) || replyCount < 0 || replyCount > log.length) {
    throw new RangeError(`replyCount must be a whole number from 0 to the ${log.length} log entries of the turn, got ${replyCount}`);
  }
}

/** A file a customer sent (a photo of a fault or damage), to store. */
export interface NewAttachment {
  /** Unique across the store (the caller's choice, e.g. a random UUID). */
  id: string;
  conversationId: string;
  /** The file's name as the customer gave it. */
  name: string;
  contentType: string;
  bytes: Buffer;
  at: string;
  /** Who sent it: "customer", "agent:<name>" … */
  uploadedBy: string;
}

/** A stored attachment without its bytes (what listings return). */
export interface AttachmentInfo {
  id: string;
  conversationId: string;
  name: string;
  contentType: string;
  /** Bytes in the file. */
  size: number;
  at: string;
  uploadedBy: string;
}

/** A stored attachment with its bytes. */
export interface Attachment extends AttachmentInfo {
  bytes: Buffer;
}

const UNSTORABLE_TEXT = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Text as every engine stores it: a NUL character and unpaired surrogates (which PostgreSQL refuses
 * and SQLite would keep as broken UTF-8) become U+FFFD. Used for the text of an attachment that the
 * customer chose (its name and content type), so an odd file name can never make an upload fail.
 */
export function storableText(s: string): string {
  return s.replace(UNSTORABLE_TEXT, '\ufffd');
}

/** TypeError unless the attachment's fields have their types (engines call it first). */
export function checkAttachment(a: NewAttachment): void {
  for (const key of ['id', 'conversationId', 'name', 'contentType', 'at', 'uploadedBy'] as const) {
    if (typeof a[key] !== 'string') throw new TypeError(`attachment ${key} must be a string, got ${typeof a[key]}`);
  }
  if (!Buffer.isBuffer(a.bytes)) throw new TypeError('attachment bytes must be a Buffer');
}

/**
 * TypeError unless `value` can be a secret's value: a non-empty string without a NUL character or an
 * unpaired surrogate (it is stored and returned exactly, by every engine). Engines call it on what
 * `create()` returns, before storing it.
 */
export function checkSecretValue(name: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`secret ${name}: create() must return a non-empty string`);
  if (storableText(value) !== value) throw new TypeError(`secret ${name}: the value holds a NUL character or an unpaired surrogate`);
}

/** TypeError unless `name` can name a secret: a non-empty string. */
export function checkSecretName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name === '') throw new TypeError('a secret name must be a non-empty string');
}

/** An attachment with this id is stored already: nothing was written. */
export class DuplicateAttachmentError extends Error {
  constructor(readonly attachmentId: string) {
    super(`attachment ${attachmentId} is already stored`);
    this.name = 'DuplicateAttachmentError';
  }
}

// ---- hand-over to people ------------------------------------------------------------------------

/**
 * Where a conversation's hand-over stands: waiting in the queue, held by an agent, or ended (handed
 * back to the bot by the agent, closed by the agent, or left by the customer while still queued).
 */
export type HandoffStatus = 'queued' | 'active' | 'released' | 'closed' | 'left';

export const HANDOFF_STATUSES: readonly HandoffStatus[] = ['queued', 'active', 'released', 'closed', 'left'];

/** How a hand-over can end. */
export type HandoffEnd = 'released' | 'closed' | 'left';

/** A conversation's (latest) hand-over to a person. */
export interface HandoffRecord {
  conversationId: string;
  status: HandoffStatus;
  /** Why it was handed over (the caller's code or words). */
  reason: string;
  /** The channel the customer is on ("directline", "msteams" …). */
  channelId: string;
  queuedAt: string;
  /** When the agent who holds (or held) it took it; null while queued and when it ended unheld. */
  takenAt: string | null;
  /** The agent who holds (or, once released or closed, held) it; null while queued and when left. */
  agent: string | null;
  endedAt: string | null;
  /** What the agent needs to know: order, item, reason, facts, decision (JSON). */
  summary: Record<string, unknown>;
  /** The Bot Framework conversation reference for proactive sends (JSON), if any. */
  reference: Record<string, unknown> | null;
  /** 1 when first opened, +1 on every change (re-opening continues the count). */
  version: number;
}

/** A hand-over to open. */
export interface NewHandoff {
  conversationId: string;
  reason: string;
  channelId: string;
  summary: Record<string, unknown>;
  reference: Record<string, unknown> | null;
  at: string;
}

/** Which hand-overs `listHandoffs` returns; every field narrows (all of them when empty). */
export interface HandoffFilter {
  /** Only these statuses ([] matches none). */
  status?: readonly HandoffStatus[];
  /** Only those this agent holds or held. */
  agent?: string;
  /** At most this many (a whole number ≥ 0). */
  limit?: number;
}

/** Who ends a hand-over: the agent who holds it, or the customer (who may only leave the queue). */
export type HandoffEndedBy = { agent: string } | { customer: true };

/**
 * What taking a hand-over gave: the record (taken now, or held already by the same agent), or why
 * not: there is none, it has ended, or another agent holds it (`holder`).
 */
export type TakeHandoffResult = { ok: true; record: HandoffRecord } | { ok: false; reason: 'not-found' | 'ended' } | { ok: false; reason: 'held'; holder: string };

/**
 * What ending a hand-over gave: as {@link TakeHandoffResult}, and `queued` when an agent tries to end
 * one that nobody has taken yet (take it first). `held` names the agent holding it (for an agent
 * who does not hold it, and for a customer leaving a hand-over an agent has taken).
 */
export type EndHandoffResult = TakeHandoffResult | { ok: false; reason: 'queued' };

/** A staff account (never its key). */
export interface AgentAccount {
  name: string;
  displayName: string;
  createdAt: string;
}

/** A staff account as listed, with when it was removed (null while active). */
export interface AgentRecord extends AgentAccount {
  removedAt: string | null;
}

/** A staff account to add: the caller hashes the access key. */
export interface NewAgent {
  name: string;
  displayName: string;
  keyHash: string;
  at: string;
}

/** Where a support person on another channel (e.g. Teams) can be reached: their conversation reference. */
export interface StaffReference {
  staffId: string;
  reference: Record<string, unknown>;
  at: string;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function checkString(what: string, value: unknown, nonEmpty = false): void {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string, got ${value === null ? 'null' : typeof value}`);
  if (nonEmpty && value === '') throw new TypeError(`${what} must not be empty`);
}

/** TypeError unless the hand-over's fields have their types (engines call it first). */
export function checkNewHandoff(h: NewHandoff): void {
  checkString('hand-over conversationId', h.conversationId, true);
  for (const key of ['reason', 'channelId', 'at'] as const) checkString(`hand-over ${key}`, h[key]);
  checkHandoffSummary(h.summary);
  if (h.reference !== null && !isPlainObject(h.reference)) throw new TypeError('hand-over reference must be an object or null');
}

/** TypeError unless `summary` is a JSON object (not null, not an array). */
export function checkHandoffSummary(summary: unknown): asserts summary is Record<string, unknown> {
  if (!isPlainObject(summary)) throw new TypeError('hand-over summary must be an object');
}

/** TypeError unless `at` is a string (timestamps are the caller's ISO 8601 text). */
export function checkTimestamp(at: unknown): asserts at is string {
  checkString('at', at);
}

/** TypeError unless `agent` can name an agent: a non-empty string. */
export function checkAgentName(agent: unknown): asserts agent is string {
  checkString('agent name', agent, true);
}

/** RangeError unless `filter` is a valid {@link HandoffFilter} (engines call it first). */
export function checkHandoffFilter(filter: HandoffFilter): void {
  for (const status of filter.status ?? []) {
    if (!HANDOFF_STATUSES.includes(status)) throw new RangeError(`unknown hand-over status ${JSON.stringify(status)}`);
  }
  if (filter.agent !== undefined) checkString('agent filter', filter.agent);
  const { limit } = filter;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw new RangeError(`limit must be a whole number ≥ 0, got ${limit}`);
}

/** TypeError/RangeError unless the account's fields are non-empty strings (engines call it first). */
export function checkNewAgent(a: NewAgent): void {
  checkAgentName(a.name);
  checkString('agent displayName', a.displayName);
  checkString('agent keyHash', a.keyHash, true);
  checkString('agent at', a.at);
}

/** TypeError unless a staff reference can be stored (engines call it first). */
export function checkStaffReference(staffId: unknown, reference: unknown, at: unknown): void {
  checkString('staffId', staffId, true);
  if (!isPlainObject(reference)) throw new TypeError('a staff reference must be an object');
  checkString('staff reference at', at);
}

/** A hand-over's columns that a change sets. */
export interface HandoffChange {
  status: HandoffStatus;
  agent: string | null;
  takenAt: string | null;
  endedAt: string | null;
}

/**
 * What taking a hand-over does, given what is stored (read under the write lock or a row lock):
 * `change`, the columns to write over `current` (version + 1), or else `result` to return as it is. The same rules
 * for every engine.
 */
export function decideTake(current: HandoffRecord | null, agent: string, at: string): { current: HandoffRecord; change: HandoffChange } | { result: TakeHandoffResult } {
  if (current === null) return { result: { ok: false, reason: 'not-found' } };
  switch (current.status) {
    case 'queued':
      return { current, change: { status: 'active', agent, takenAt: at, endedAt: null } };
    case 'active':
      if (current.agent === agent) return { result: { ok: true, record: current } };
      return { result: { ok: false, reason: 'held', holder: current.agent ?? '' } };
    default:
      return { result: { ok: false, reason: 'ended' } };
  }
}

/**
 * RangeError unless `by` may end a hand-over with `status`: an agent releases or closes, the
 * customer leaves. TypeError when `by` is neither.
 */
export function checkHandoffEnd(by: HandoffEndedBy, status: HandoffEnd): void {
  if (isPlainObject(by) && 'agent' in by) {
    checkAgentName(by.agent);
    if (status !== 'released' && status !== 'closed') throw new RangeError(`an agent releases or closes a hand-over, not ${JSON.stringify(status)}`);
  } else if (isPlainObject(by) && by.customer === true) {
    if (status !== 'left') throw new RangeError(`the customer can only leave a hand-over, not ${JSON.stringify(status)}`);
  } else {
    throw new TypeError('a hand-over is ended by { agent } or { customer: true }');
  }
}

/** What ending a hand-over does, given what is stored (see {@link decideTake}); call {@link checkHandoffEnd} first. */
export function decideEnd(current: HandoffRecord | null, by: HandoffEndedBy, status: HandoffEnd, at: string): { current: HandoffRecord; change: HandoffChange } | { result: EndHandoffResult } {
  if (current === null) return { result: { ok: false, reason: 'not-found' } };
  if (current.status !== 'queued' && current.status !== 'active') return { result: { ok: false, reason: 'ended' } };
  const holder = current.agent ?? '';
  if ('agent' in by) {
    if (current.status === 'queued') return { result: { ok: false, reason: 'queued' } };
    if (current.agent !== by.agent) return { result: { ok: false, reason: 'held', holder } };
    return { current, change: { status, agent: current.agent, takenAt: current.takenAt, endedAt: at } };
  }
  if (current.status === 'active') return { result: { ok: false, reason: 'held', holder } };
  return { current, change: { status, agent: null, takenAt: null, endedAt: at } };
}

/** An active agent already has this name: nothing was written. */
export class DuplicateAgentError extends Error {
  constructor(readonly agentName: string) {
    super(`an active agent is already named ${agentName}`);
    this.name = 'DuplicateAgentError';
  }
}

// ---- proofs of ownership --------------------------------------------------------------------------

/**
 * The failed proofs of ownership counted against one key (the caller's: `order:UK-100234`,
 * `conversation:c1` …) in its current window. A window starts at a key's first failure and lasts
 * as long as the caller says (`windowStart`: failures of a window that started before it no
 * longer count).
 */
export interface ProofFailures {
  key: string;
  /** Failures in the current window (0 when there is none). */
  failures: number;
  /** When the current window started (its first failure); null when there is none. */
  since: string | null;
}

/** TypeError unless `keys` are non-empty strings of at most 600 characters, and the times are strings. */
export function checkProofKeys(keys: readonly unknown[], ...times: unknown[]): asserts keys is readonly string[] {
  if (!Array.isArray(keys)) throw new TypeError('proof keys must be a list of strings');
  for (const k of keys) {
    checkString('a proof key', k, true);
    if ((k as string).length > 600) throw new TypeError('a proof key must be at most 600 characters');
  }
  for (const t of times) checkTimestamp(t);
}

/** The stored conversation moved on since it was read: reload and run the turn again. */
export class ConflictError extends Error {
  constructor(readonly conversationId: string) {
    super(`conversation ${conversationId} changed since it was read`);
    this.name = 'ConflictError';
  }
}

/** Opening, checking and closing the store (the composition root uses it). */
export interface StoreLifecycle {
  readonly engine: 'sqlite' | 'postgres';
  /** Create or upgrade the schema (idempotent; run at start). */
  migrate(): Promise<void>;
  /** True when the store answers a trivial query. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** Orders imported from the retailer (CONTRACT section 6). */
export interface OrderStore {
  /** Insert or replace orders by order number (idempotent). */
  importOrders(orders: readonly Order[]): Promise<{ added: number; updated: number; unchanged: number }>;
  /** An order by number, case-insensitively; null when unknown. */
  getOrder(orderNumber: string): Promise<Order | null>;
  countOrders(): Promise<number>;
}

/** Conversations: their snapshots, turns, log and audit trail. */
export interface ConversationStore {
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
}

/** RMAs: issued once per order line and reason, changed with an audit trail. */
export interface RmaStore {
  /** Issue the RMA for an order line and reason, or return the one already issued. */
  issueRma(request: RmaRequest): Promise<{ record: RmaRecord; created: boolean }>;
  getRma(rma: string): Promise<RmaRecord | null>;
  findRma(orderNumber: string, sku: string, reason: ReturnReason): Promise<RmaRecord | null>;
  /**
   * Change the RMA's recorded remedy, atomically, with an audit entry `rma.remedy-changed`
   * (`{ from, to, ...data }`, by `actor` at `at`): only while its status is `issued` (`not-open`
   * otherwise). The same remedy again changes nothing (`changed: false`, no audit entry).
   * RangeError for a value that is not a remedy.
   */
  changeRmaRemedy(change: RmaChange<Remedy>): Promise<RmaChangeResult>;
  /**
   * Move the RMA's status forward (`issued` → `received` → `completed`; a step may be skipped),
   * atomically, with an audit entry `rma.status-changed` (`{ from, to, ...data }`). Backwards is
   * refused (`backwards`); the same status again changes nothing.
   */
  setRmaStatus(change: RmaChange<RmaStatus>): Promise<RmaChangeResult>;
}

/** Files customers send. */
export interface AttachmentStore {
  /**
   * Store a file a customer sent, whole, with its size. DuplicateAttachmentError (and nothing
   * written) when the id is taken; TypeError when a field has the wrong type. Its name and content
   * type are stored as {@link storableText} makes them. A conversation's attachments need no
   * snapshot of it (like its log).
   */
  saveAttachment(a: NewAttachment): Promise<void>;
  /** An attachment with its bytes (a Buffer); null when unknown. */
  getAttachment(id: string): Promise<Attachment | null>;
  /** A conversation's attachments, without their bytes, oldest first (by `at`, then in the order they were saved). */
  listAttachments(conversationId: string): Promise<AttachmentInfo[]>;
  /** The size of every attachment stored, added up (bytes; 0 when there are none). */
  attachmentBytes(): Promise<number>;
}

/** Named secrets every instance shares. */
export interface SecretStore {
  /**
   * The value of the secret `name` shared by every instance on this store: the stored one, or else
   * `create()`'s, stored if no other call stored one meanwhile (insert if absent, then read). Racing
   * calls, in one instance or several, all get the one value that was stored; `create` is called only
   * when the secret was absent at the first read, and a loser's value is dropped. TypeError (nothing
   * stored) unless `create()` returns a non-empty string without a NUL character or an unpaired
   * surrogate; an error thrown by `create` rejects the call, nothing stored. Values are kept in clear
   * in the database.
   */
  secret(name: string, create: () => string): Promise<string>;
}

/** The hand-over queue: conversations handed to people. */
export interface HandoffQueue {
  /**
   * Open a queued hand-over for the conversation. One that is queued or active already is returned
   * unchanged (`created: false`); one that ended (released, closed, left) is re-opened as a new
   * queued hand-over (`created: true`: status queued, queuedAt = `at`, the new reason, channel,
   * summary and reference, no agent, takenAt and endedAt null, version + 1). `position` is its
   * 1-based place in the queue (queued hand-overs ordered by queuedAt, then conversationId), null
   * when it is not queued. TypeError when a field has the wrong type. The reason is stored as
   * {@link storableText} makes it (it may hold the customer's words).
   */
  openHandoff(h: NewHandoff): Promise<{ record: HandoffRecord; position: number | null; created: boolean }>;
  /** The conversation's hand-over (its latest), or null when it never had one. */
  getHandoff(conversationId: string): Promise<HandoffRecord | null>;
  /**
   * Hand-overs matching `filter`: the queued ones first, oldest first (by queuedAt, then
   * conversationId, as `position` counts), then the others, most recently changed first.
   * RangeError for an unknown status or a bad limit.
   */
  listHandoffs(filter?: HandoffFilter): Promise<HandoffRecord[]>;
  /** The conversation's 1-based place in the queue; null when its hand-over is not queued (or none). */
  queuePosition(conversationId: string): Promise<number | null>;
  /**
   * Take a hand-over, atomically: a queued one becomes active, held by `agent`, taken at `at`; one
   * already held by the same agent is returned unchanged (idempotent). Otherwise `held` (another agent
   * holds it, named in `holder`), `ended` or `not-found`, and nothing changes. Of agents racing for
   * one conversation, in one instance or several, exactly one wins.
   */
  takeHandoff(conversationId: string, agent: string, at: string): Promise<TakeHandoffResult>;
  /**
   * End a hand-over, atomically, setting its status and endedAt = `at`. An agent releases (back to
   * the bot) or closes only a hand-over it holds (`held` when another agent does, `queued` when
   * nobody has taken it); the agent stays on the record. The customer only leaves (`left`) a queued
   * one (`held` once an agent has taken it). `ended` when it has ended already, `not-found` when
   * there is none; nothing changes then. RangeError when `by` may not end it with `status` (an agent
   * leaving, a customer releasing or closing).
   */
  endHandoff(conversationId: string, by: HandoffEndedBy, status: HandoffEnd, at: string): Promise<EndHandoffResult>;
  /** Replace the hand-over's summary (whatever its status; version + 1); the record, or null when there is none. */
  updateHandoffSummary(conversationId: string, summary: Record<string, unknown>): Promise<HandoffRecord | null>;
}

/** Staff accounts and where staff on other channels can be reached. */
export interface StaffStore {
  /**
   * Add a staff account. DuplicateAgentError (nothing written) when an active agent has the name
   * (names are compared exactly; a removed agent's name can be used again). The key is stored as
   * the hash given; an Error when an active agent already has that hash. The display name is
   * stored as {@link storableText} makes it.
   */
  addAgent(agent: NewAgent): Promise<void>;
  /** Revoke the active agent of that name (removedAt = `at`); false when there is none. */
  removeAgent(name: string, at: string): Promise<boolean>;
  /** The active agent whose key has this hash, or null. */
  agentByKeyHash(keyHash: string): Promise<AgentAccount | null>;
  /** Every staff account, removed ones too, in the order they were added. */
  listAgents(): Promise<AgentRecord[]>;

  /** Store (or replace) where a support person on another channel can be reached. */
  saveStaffReference(staffId: string, reference: Record<string, unknown>, at: string): Promise<void>;
  /** Every stored staff reference, by staffId. */
  staffReferences(): Promise<StaffReference[]>;
}

/** Failed proofs of ownership, counted per key. */
export interface ProofFailureStore {
  /**
   * Count one failed proof against each key (duplicates count once), atomically: all keys in one
   * step, and concurrent calls, in one instance or several, never lose a count. A key with no window,
   * or whose window started before `windowStart`, starts a new window at `at` with 1 failure.
   * Returns each key's count after it, in the order given (duplicates once, first place). Windows
   * that started before `windowStart` may be forgotten meanwhile. TypeError for a key that is not
   * a non-empty string of at most 600 characters.
   */
  addProofFailures(keys: readonly string[], at: string, windowStart: string): Promise<ProofFailures[]>;
  /** The keys' counts, in the order given: 0 (since null) for a key with no window, or one that started before `windowStart`. */
  proofFailures(keys: readonly string[], windowStart: string): Promise<ProofFailures[]>;
  /**
   * Take one failure back from each key (duplicates once): an attempt counted ahead of its check
   * that turned out to match. A count of 1 is forgotten; a key with none is ignored. Atomic like
   * {@link addProofFailures}.
   */
  releaseProofFailures(keys: readonly string[]): Promise<void>;
}

/** The whole store: every port above (callers that need one part take that part). */
export type Store = StoreLifecycle & OrderStore & ConversationStore & RmaStore & AttachmentStore & SecretStore & HandoffQueue & StaffStore & ProofFailureStore;
