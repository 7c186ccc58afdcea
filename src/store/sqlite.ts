/**
 * The embedded store: one SQLite file under RETURNS_DATA_DIR, through the binding `sqlite-binding.ts`
 * chooses (better-sqlite3 on Node ≥ 22, libsql on Node 20; the same API).
 *
 * The binding is synchronous, so every method does its work in one go inside an async function:
 * errors become rejections and no other JavaScript runs in the middle of a transaction. Every write
 * is a `BEGIN IMMEDIATE` transaction (it takes the write lock at once, so two processes sharing the
 * file wait for each other for up to `busy_timeout` instead of failing on a lock upgrade).
 *
 * `withConversationLock` is in-process only; a second process on the same file is still kept safe by
 * the compare-and-swap on the conversation's version, but turns would then retry instead of queue.
 *
 * Durability (WAL mode): the connection runs with `synchronous = NORMAL`, so a commit is durable
 * across a crash of the process (it is in the WAL file) but not across a power cut or an OS crash,
 * which may lose the last commits before the next WAL sync: a turn lost that way is answered again
 * when the channel retries it. `issueRma` runs its transaction with `synchronous = FULL` (set before
 * it and restored after it, outside it): that commit syncs the WAL, and with it every earlier commit,
 * so an RMA number shown to a customer survives a power cut.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ReturnReason } from '../policy/case.js';
import type { Decision } from '../policy/decision.js';
import { REMEDIES, type Remedy } from '../policy/pack.js';
import { normalizeOrderNumber, type Order } from '../orders.js';
import { KeyedMutex } from './keyed-mutex.js';
import { SQLITE_MIGRATIONS, type Migration } from './migrations/sqlite.js';
import { openSqlite, type SqliteBindingChoice, type SqliteBindingName, type SqliteDatabase, type SqliteStatement } from './sqlite-binding.js';
import { newRmaNumber, normalizeRmaNumber } from './rma-id.js';
import {
  AHEAD_IN_QUEUE,
  ATTACHMENT_INFO_COLUMNS,
  HANDOFF_COLUMNS,
  attachmentInfoFrom,
  handoffFrom,
  type AgentRow,
  type AttachmentInfoRow,
  type AttachmentRow,
  type HandoffRow as StoredHandoffRow,
} from './rows.js';
import {
  checkAgentName,
  checkAttachment,
  checkHandoffEnd,
  checkHandoffFilter,
  checkHandoffSummary,
  checkNewAgent,
  checkNewHandoff,
  checkProofKeys,
  checkReplyCount,
  checkSecretName,
  checkSecretValue,
  checkStaffReference,
  checkTimestamp,
  ConflictError,
  decideEnd,
  decideTake,
  DuplicateAgentError,
  DuplicateAttachmentError,
  storableText,
  checkRmaChange,
  rmaChangeStep,
  RMA_STATUSES,
  type AgentAccount,
  type AgentRecord,
  type Attachment,
  type AttachmentInfo,
  type AuditEntry,
  type ConversationRecord,
  type EndHandoffResult,
  type HandoffChange,
  type HandoffEnd,
  type HandoffEndedBy,
  type HandoffFilter,
  type HandoffRecord,
  type LogEntry,
  type NewAgent,
  type NewAttachment,
  type NewHandoff,
  type ProofFailures,
  type RmaChange,
  type RmaChangeResult,
  type RmaFacts,
  type RmaRecord,
  type RmaRequest,
  type RmaStatus,
  type StaffReference,
  type Store,
  type TakeHandoffResult,
  type TurnCommit,
} from './store.js';

export interface SqliteStoreOptions {
  /** The database file (its folder is created if missing), or `:memory:`. */
  file: string;
  /** Milliseconds to wait for another process's write lock (SQLite busy_timeout). Default 5000. */
  busyTimeoutMs?: number;
  /** Where RMA numbers come from (tests force collisions with it). Default {@link newRmaNumber}. */
  newRmaNumber?: () => string;
  /** The schema; default {@link SQLITE_MIGRATIONS}. */
  migrations?: readonly Migration[];
  /** The SQLite binding (RETURNS_SQLITE_BINDING); default `auto`, by the Node version. */
  binding?: SqliteBindingChoice;
}

/** How many fresh numbers to try when a new RMA number is already taken (1 in 34 billion each). */
const RMA_NUMBER_ATTEMPTS = 8;

/** PRAGMA synchronous levels (see the header): NORMAL for the connection, FULL for issueRma. */
const SYNCHRONOUS_NORMAL = 1;
const SYNCHRONOUS_FULL = 2;

interface ConversationRow {
  id: string;
  version: number;
  machine_version: number;
  snapshot: string;
  locale: string | null;
  created_at: string;
  updated_at: string;
}

interface LogRow {
  conversation_id: string;
  seq: number;
  at: string;
  activity: string;
}

/** A processed activity with the activities of its reply log entries (`activity` null when there are none). */
interface ProcessedReplyRow {
  reply_count: number;
  activity: string | null;
}

interface AuditRow {
  at: string;
  actor: string;
  action: string;
  data: string;
}

interface RmaRow {
  rma: string;
  order_number: string;
  sku: string;
  reason: string;
  remedy: string | null;
  decision: string;
  conversation_id: string | null;
  issued_by: string;
  note: string | null;
  created_at: string;
  status: string;
  facts: string;
}

/** The next change_seq of a hand-over (inside a write transaction: writes are serialised). */
const NEXT_HANDOFF_CHANGE = '(SELECT coalesce(max(change_seq), 0) + 1 FROM handoffs)';

type HandoffRow = StoredHandoffRow<string>;
const handoffOf = (row: HandoffRow) => handoffFrom(row, (json) => JSON.parse(json) as Record<string, unknown>);

/** A queued hand-over's 1-based place in the queue (NULL unless `me` is queued). */
const QUEUE_POSITION = `(SELECT count(*) FROM handoffs q WHERE ${AHEAD_IN_QUEUE})`;

const json = (value: unknown): string => JSON.stringify(value ?? null);

function auditFrom(row: AuditRow): AuditEntry {
  return { at: row.at, actor: row.actor, action: row.action, data: JSON.parse(row.data) as Record<string, unknown> };
}

function logFrom(row: LogRow): LogEntry {
  return { conversationId: row.conversation_id, seq: row.seq, at: row.at, activity: JSON.parse(row.activity) as Record<string, unknown> };
}

/** `:memory:` and `''` (a private temporary database) have no file of their own. */
function isMemory(file: string): boolean {
  return file === '' || file === ':memory:';
}

export class SqliteStore implements Store {
  readonly engine = 'sqlite' as const;
  /** The database file (absolute), or `:memory:`. */
  readonly file: string;
  /** The SQLite binding this connection runs on. */
  readonly binding: SqliteBindingName;
  readonly #db: SqliteDatabase;
  readonly #locks = new KeyedMutex();
  readonly #statements = new Map<string, SqliteStatement>();
  readonly #newRmaNumber: () => string;
  readonly #migrations: readonly Migration[];

  constructor(options: SqliteStoreOptions) {
    this.file = isMemory(options.file) ? options.file : resolve(options.file);
    if (!isMemory(this.file)) mkdirSync(dirname(this.file), { recursive: true });
    const connection = openSqlite(this.file, { timeoutMs: options.busyTimeoutMs ?? 5000, binding: options.binding });
    this.#db = connection.db;
    this.binding = connection.binding;
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('foreign_keys = ON');
    // Turns are durable across process crashes; issueRma syncs (see the header).
    this.#db.pragma(`synchronous = ${SYNCHRONOUS_NORMAL}`);
    this.#newRmaNumber = options.newRmaNumber ?? (() => newRmaNumber());
    this.#migrations = options.migrations ?? SQLITE_MIGRATIONS;
  }

  /** A prepared statement, prepared once per connection. */
  #stmt<P extends unknown[] = unknown[], R = unknown>(sql: string): SqliteStatement<P, R> {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement as unknown as SqliteStatement<P, R>;
  }

  /** Run `fn` in one `BEGIN IMMEDIATE` transaction: committed when it returns, rolled back when it throws. */
  #write<T>(fn: () => T): T {
    return this.#db.transaction(fn).immediate();
  }

  // ---- schema -----------------------------------------------------------------------------------

  async migrate(): Promise<void> {
    this.#db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL) STRICT');
    const applied = this.#stmt<[string], 1>('SELECT 1 FROM schema_migrations WHERE id = ?').pluck();
    const record = this.#stmt<[string, string]>('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)');
    for (const migration of this.#migrations) {
      // Checked again inside the transaction: another process may have applied it meanwhile.
      this.#write(() => {
        if (applied.get(migration.id)) return;
        this.#db.exec(migration.sql);
        record.run(migration.id, new Date().toISOString());
      });
    }
    // The schema changed: statements prepared against the old one are dropped.
    this.#statements.clear();
  }

  /** The migrations recorded in this database, in the order they were applied. */
  async appliedMigrations(): Promise<{ id: string; appliedAt: string }[]> {
    const rows = this.#stmt<[], { id: string; applied_at: string }>('SELECT id, applied_at FROM schema_migrations ORDER BY rowid').all();
    return rows.map((r) => ({ id: r.id, appliedAt: r.applied_at }));
  }

  /**
   * The connection's settings that matter for safety (for diagnostics and tests): `synchronous` is
   * the level in effect now (1 = NORMAL, what turns commit with; 2 = FULL while issueRma runs), and
   * `rmaSynchronous` the level issueRma's transactions run with.
   */
  settings(): { journalMode: string; foreignKeys: boolean; busyTimeoutMs: number; synchronous: number; rmaSynchronous: number } {
    return {
      journalMode: String(this.#db.pragma('journal_mode', { simple: true })),
      foreignKeys: Number(this.#db.pragma('foreign_keys', { simple: true })) === 1,
      busyTimeoutMs: Number(this.#db.pragma('busy_timeout', { simple: true })),
      synchronous: Number(this.#db.pragma('synchronous', { simple: true })),
      rmaSynchronous: SYNCHRONOUS_FULL,
    };
  }

  async ping(): Promise<boolean> {
    try {
      return this.#stmt<[], number>('SELECT 1').pluck().get() === 1;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.#statements.clear();
    if (this.#db.open) this.#db.close();
  }

  // ---- orders -----------------------------------------------------------------------------------

  async importOrders(orders: readonly Order[]): Promise<{ added: number; updated: number; unchanged: number }> {
    const at = new Date().toISOString();
    const current = this.#stmt<[string], string>('SELECT data FROM orders WHERE order_number = ?').pluck();
    const insert = this.#stmt<[string, string, string, string]>(
      'INSERT INTO orders (order_number, policy, data, imported_at) VALUES (?, ?, ?, ?)',
    );
    const update = this.#stmt<[string, string, string, string]>(
      'UPDATE orders SET policy = ?, data = ?, imported_at = ? WHERE order_number = ?',
    );
    return this.#write(() => {
      const counts = { added: 0, updated: 0, unchanged: 0 };
      for (const order of orders) {
        const key = normalizeOrderNumber(order.orderNumber);
        const data = JSON.stringify(order);
        const stored = current.get(key);
        if (stored === undefined) {
          insert.run(key, order.policy, data, at);
          counts.added++;
        } else if (stored === data) {
          counts.unchanged++;
        } else {
          update.run(order.policy, data, at, key);
          counts.updated++;
        }
      }
      return counts;
    });
  }

  async getOrder(orderNumber: string): Promise<Order | null> {
    const data = this.#stmt<[string], string>('SELECT data FROM orders WHERE order_number = ?').pluck().get(normalizeOrderNumber(orderNumber));
    return data === undefined ? null : (JSON.parse(data) as Order);
  }

  async countOrders(): Promise<number> {
    return this.#stmt<[], number>('SELECT count(*) FROM orders').pluck().get() ?? 0;
  }

  // ---- conversations ----------------------------------------------------------------------------

  withConversationLock<T>(conversationId: string, fn: () => Promise<T>): Promise<T> {
    return this.#locks.run(conversationId, fn);
  }

  async loadConversation(conversationId: string): Promise<ConversationRecord | null> {
    const row = this.#stmt<[string], ConversationRow>('SELECT * FROM conversations WHERE id = ?').get(conversationId);
    if (!row) return null;
    return {
      id: row.id,
      version: row.version,
      machineVersion: row.machine_version,
      snapshot: JSON.parse(row.snapshot) as unknown,
      locale: row.locale,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  async findProcessedActivity(conversationId: string, activityId: string): Promise<unknown[] | null> {
    // One statement: the entry and its replies from one snapshot of the database. No row: unknown;
    // one row with a null activity: no replies.
    const rows = this.#stmt<[string, string], ProcessedReplyRow>(
      `SELECT p.reply_count, l.activity FROM processed_activities p
       LEFT JOIN conversation_log l ON l.conversation_id = p.conversation_id AND l.seq >= p.first_seq AND l.seq < p.first_seq + p.reply_count
       WHERE p.conversation_id = ? AND p.activity_id = ? ORDER BY l.seq`,
    ).all(conversationId, activityId);
    const first = rows[0];
    if (first === undefined) return null;
    if (first.reply_count === 0) return [];
    const replies = rows.flatMap((r) => (r.activity === null ? [] : [JSON.parse(r.activity) as unknown]));
    if (replies.length !== first.reply_count) {
      throw new Error(`conversation ${conversationId}: the log lacks replies of processed activity ${activityId} (${replies.length} of ${first.reply_count})`);
    }
    return replies;
  }

  async commitTurn(turn: TurnCommit): Promise<{ version: number; log: LogEntry[] }> {
    checkReplyCount(turn);
    const snapshot = json(turn.snapshot);
    return this.#write(() => {
      let version: number;
      if (turn.expectedVersion === null) {
        const inserted = this.#stmt(
          `INSERT INTO conversations (id, version, machine_version, snapshot, locale, created_at, updated_at)
           VALUES (?, 1, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
        ).run(turn.conversationId, turn.machineVersion, snapshot, turn.locale, turn.at, turn.at);
        if (inserted.changes === 0) throw new ConflictError(turn.conversationId);
        version = 1;
      } else {
        const updated = this.#stmt(
          `UPDATE conversations SET version = version + 1, machine_version = ?, snapshot = ?, locale = ?, updated_at = ?
           WHERE id = ? AND version = ?`,
        ).run(turn.machineVersion, snapshot, turn.locale, turn.at, turn.conversationId, turn.expectedVersion);
        if (updated.changes === 0) throw new ConflictError(turn.conversationId);
        version = turn.expectedVersion + 1;
      }
      const log = this.#appendLog(turn.conversationId, turn.log, turn.at);
      if (turn.activityId !== null) {
        // The replies are the turn's last replyCount log entries: referred to, not copied.
        const firstReply = log[log.length - turn.replyCount];
        const recorded = this.#stmt(
          `INSERT INTO processed_activities (conversation_id, activity_id, first_seq, reply_count, at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (conversation_id, activity_id) DO NOTHING`,
        ).run(turn.conversationId, turn.activityId, turn.replyCount === 0 ? null : (firstReply?.seq ?? null), turn.replyCount, turn.at);
        // Already answered by a turn committed since this one read the conversation: the caller
        // reloads and finds the stored replies (this turn's log entries are rolled back).
        if (recorded.changes === 0) throw new ConflictError(turn.conversationId);
      }
      for (const entry of turn.audit) this.#addAudit(turn.conversationId, entry);
      return { version, log };
    });
  }

  // ---- log and audit ----------------------------------------------------------------------------

  /**
   * Append to the log with the next sequence numbers; call inside a write transaction. The entries
   * returned hold the activities given (their JSON is what is stored; it is not parsed back).
   */
  #appendLog(conversationId: string, activities: readonly Record<string, unknown>[], at: string): LogEntry[] {
    if (activities.length === 0) return [];
    const last = this.#stmt<[string], number>(
      'SELECT coalesce(max(seq), 0) FROM conversation_log WHERE conversation_id = ?',
    ).pluck().get(conversationId) ?? 0;
    const insert = this.#stmt('INSERT INTO conversation_log (conversation_id, seq, at, activity) VALUES (?, ?, ?, ?)');
    return activities.map((activity, i) => {
      const seq = last + 1 + i;
      insert.run(conversationId, seq, at, json(activity));
      return { conversationId, seq, at, activity };
    });
  }

  #addAudit(conversationId: string, entry: AuditEntry): void {
    this.#stmt('INSERT INTO conversation_audit (conversation_id, at, actor, action, data) VALUES (?, ?, ?, ?, ?)')
      .run(conversationId, entry.at, entry.actor, entry.action, json(entry.data));
  }

  async appendLog(conversationId: string, activities: readonly Record<string, unknown>[], at: string): Promise<LogEntry[]> {
    return this.#write(() => this.#appendLog(conversationId, activities, at));
  }

  async readLog(conversationId: string, afterSeq = 0, limit?: number): Promise<LogEntry[]> {
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw new RangeError(`limit must be a whole number ≥ 0, got ${limit}`);
    const rows = this.#stmt<[string, number, number], LogRow>(
      'SELECT * FROM conversation_log WHERE conversation_id = ? AND seq > ? ORDER BY seq LIMIT ?',
    ).all(conversationId, afterSeq, limit ?? -1);
    return rows.map(logFrom);
  }

  async addAudit(conversationId: string, entry: AuditEntry): Promise<void> {
    this.#write(() => this.#addAudit(conversationId, entry));
  }

  async conversationAudit(conversationId: string): Promise<AuditEntry[]> {
    return this.#stmt<[string], AuditRow>(
      'SELECT at, actor, action, data FROM conversation_audit WHERE conversation_id = ? ORDER BY id',
    ).all(conversationId).map(auditFrom);
  }

  // ---- RMAs -------------------------------------------------------------------------------------

  #rmaRecord(row: RmaRow): RmaRecord {
    const audit = this.#stmt<[string], AuditRow>('SELECT at, actor, action, data FROM rma_audit WHERE rma = ? ORDER BY id')
      .all(row.rma)
      .map(auditFrom);
    return {
      rma: row.rma,
      orderNumber: row.order_number,
      sku: row.sku,
      reason: row.reason as ReturnReason,
      remedy: row.remedy as Remedy | null,
      decision: JSON.parse(row.decision) as Decision,
      conversationId: row.conversation_id,
      issuedBy: row.issued_by,
      note: row.note,
      createdAt: row.created_at,
      status: row.status as RmaStatus,
      facts: JSON.parse(row.facts) as RmaFacts,
      audit,
    };
  }

  #rmaByLine(orderNumber: string, sku: string, reason: ReturnReason): RmaRow | undefined {
    return this.#stmt<[string, string, string], RmaRow>('SELECT * FROM rmas WHERE order_number = ? AND sku = ? AND reason = ?')
      .get(normalizeOrderNumber(orderNumber), sku, reason);
  }

  async issueRma(request: RmaRequest): Promise<{ record: RmaRecord; created: boolean }> {
    // Synced, unlike turns (see the header): the pragma cannot change inside a transaction, so it is
    // set before this one and restored after it, whatever happens in between.
    this.#stmt(`PRAGMA synchronous = ${SYNCHRONOUS_FULL}`).run();
    try {
      return this.#issueRma(request);
    } finally {
      this.#stmt(`PRAGMA synchronous = ${SYNCHRONOUS_NORMAL}`).run();
    }
  }

  #issueRma(request: RmaRequest): { record: RmaRecord; created: boolean } {
    const orderNumber = normalizeOrderNumber(request.orderNumber);
    const note = request.note ?? null;
    const decision = json(request.decision);
    const insert = this.#stmt(
      `INSERT INTO rmas (rma, order_number, sku, reason, remedy, decision, conversation_id, issued_by, note, created_at, facts)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (rma) DO NOTHING`,
    );
    return this.#write(() => {
      const existing = this.#rmaByLine(orderNumber, request.sku, request.reason);
      if (existing) return { record: this.#rmaRecord(existing), created: false };
      for (let attempt = 0; attempt < RMA_NUMBER_ATTEMPTS; attempt++) {
        const rma = this.#newRmaNumber();
        const inserted = insert.run(
          rma, orderNumber, request.sku, request.reason, request.remedy, decision,
          request.conversationId, request.actor, note, request.at, json(request.facts ?? {}),
        );
        if (inserted.changes === 0) continue; // the number is taken: draw another
        this.#stmt('INSERT INTO rma_audit (rma, at, actor, action, data) VALUES (?, ?, ?, ?, ?)').run(
          rma, request.at, request.actor, 'rma.issued',
          json({ ...request.auditData, remedy: request.remedy, note, conversationId: request.conversationId, outcome: request.decision.outcome }),
        );
        const row = this.#stmt<[string], RmaRow>('SELECT * FROM rmas WHERE rma = ?').get(rma);
        if (!row) throw new Error(`RMA ${rma} vanished inside its own transaction`);
        return { record: this.#rmaRecord(row), created: true };
      }
      throw new Error(`could not draw an unused RMA number in ${RMA_NUMBER_ATTEMPTS} attempts`);
    });
  }

  async getRma(rma: string): Promise<RmaRecord | null> {
    const normalized = normalizeRmaNumber(rma);
    if (normalized === null) return null;
    const row = this.#stmt<[string], RmaRow>('SELECT * FROM rmas WHERE rma = ?').get(normalized);
    return row ? this.#rmaRecord(row) : null;
  }

  async findRma(orderNumber: string, sku: string, reason: ReturnReason): Promise<RmaRecord | null> {
    const row = this.#rmaByLine(orderNumber, sku, reason);
    return row ? this.#rmaRecord(row) : null;
  }

  async changeRmaRemedy(change: RmaChange<Remedy>): Promise<RmaChangeResult> {
    return this.#changeRma(change, 'remedy');
  }

  async setRmaStatus(change: RmaChange<RmaStatus>): Promise<RmaChangeResult> {
    return this.#changeRma(change, 'status');
  }

  /** One change of an RMA's column, decided on the row read inside the write transaction. */
  #changeRma(
    change: RmaChange<string>,
    column: 'remedy' | 'status',
  ): RmaChangeResult {
    checkRmaChange(change, column === 'remedy' ? REMEDIES : RMA_STATUSES);
    const number = normalizeRmaNumber(change.rma);
    if (number === null) return { ok: false, reason: 'not-found' };
    return this.#write((): RmaChangeResult => {
      const row = this.#stmt<[string], RmaRow>('SELECT * FROM rmas WHERE rma = ?').get(number);
      if (!row) return { ok: false, reason: 'not-found' };
      const d = rmaChangeStep(column, row, change.to);
      if (d === 'unchanged') return { ok: true, record: this.#rmaRecord(row), changed: false };
      if (typeof d === 'string') return { ok: false, reason: d, record: this.#rmaRecord(row) };
      this.#stmt(`UPDATE rmas SET ${column} = ? WHERE rma = ?`).run(change.to, number);
      this.#stmt('INSERT INTO rma_audit (rma, at, actor, action, data) VALUES (?, ?, ?, ?, ?)').run(
        number, change.at, change.actor, `rma.${column}-changed`, json({ ...change.data, from: d.from, to: change.to }),
      );
      const after = this.#stmt<[string], RmaRow>('SELECT * FROM rmas WHERE rma = ?').get(number)!;
      return { ok: true, record: this.#rmaRecord(after), changed: true };
    });
  }

  // ---- attachments ------------------------------------------------------------------------------

  async saveAttachment(a: NewAttachment): Promise<void> {
    checkAttachment(a);
    const inserted = this.#write(() => this.#stmt(
      `INSERT INTO attachments (id, conversation_id, name, content_type, size, bytes, at, uploaded_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    ).run(a.id, a.conversationId, storableText(a.name), storableText(a.contentType), a.bytes.length, a.bytes, a.at, a.uploadedBy));
    if (inserted.changes === 0) throw new DuplicateAttachmentError(a.id);
  }

  async getAttachment(id: string): Promise<Attachment | null> {
    const row = this.#stmt<[string], AttachmentRow>(`SELECT ${ATTACHMENT_INFO_COLUMNS}, bytes FROM attachments WHERE id = ?`).get(id);
    return row ? { ...attachmentInfoFrom(row), bytes: row.bytes } : null;
  }

  async listAttachments(conversationId: string): Promise<AttachmentInfo[]> {
    return this.#stmt<[string], AttachmentInfoRow>(
      `SELECT ${ATTACHMENT_INFO_COLUMNS} FROM attachments WHERE conversation_id = ? ORDER BY at, rowid`,
    ).all(conversationId).map(attachmentInfoFrom);
  }

  async attachmentBytes(): Promise<number> {
    return this.#stmt<[], number>('SELECT coalesce(sum(size), 0) FROM attachments').pluck().get() ?? 0;
  }

  // ---- proofs of ownership ----------------------------------------------------------------------

  async addProofFailures(keys: readonly string[], at: string, windowStart: string): Promise<ProofFailures[]> {
    checkProofKeys(keys, at, windowStart);
    const unique = [...new Set(keys)];
    const upsert = this.#stmt<[{ key: string; at: string; windowStart: string }], { failures: number; window_start: string }>(
      `INSERT INTO proof_failures (key, failures, window_start, last_at) VALUES (@key, 1, @at, @at)
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN window_start < @windowStart THEN 1 ELSE failures + 1 END,
         window_start = CASE WHEN window_start < @windowStart THEN excluded.window_start ELSE window_start END,
         last_at = excluded.last_at
       RETURNING failures, window_start`,
    );
    return this.#write(() => {
      // Windows that have ended are forgotten, so the table holds only what still counts.
      this.#stmt('DELETE FROM proof_failures WHERE window_start < ?').run(windowStart);
      return unique.map((key) => {
        const row = upsert.get({ key, at, windowStart })!;
        return { key, failures: row.failures, since: row.window_start };
      });
    });
  }

  async proofFailures(keys: readonly string[], windowStart: string): Promise<ProofFailures[]> {
    checkProofKeys(keys, windowStart);
    const read = this.#stmt<[string], { failures: number; window_start: string }>('SELECT failures, window_start FROM proof_failures WHERE key = ?');
    return [...new Set(keys)].map((key) => {
      const row = read.get(key);
      return row && row.window_start >= windowStart ? { key, failures: row.failures, since: row.window_start } : { key, failures: 0, since: null };
    });
  }

  async releaseProofFailures(keys: readonly string[]): Promise<void> {
    checkProofKeys(keys);
    const lower = this.#stmt<[string]>('UPDATE proof_failures SET failures = failures - 1 WHERE key = ? AND failures > 1');
    const remove = this.#stmt<[string]>('DELETE FROM proof_failures WHERE key = ?');
    this.#write(() => {
      for (const key of new Set(keys)) if (lower.run(key).changes === 0) remove.run(key);
    });
  }

  // ---- hand-over to people ---------------------------------------------------------------------
  // Every change runs in one BEGIN IMMEDIATE transaction: it reads the row, decides (the rules are
  // shared with PostgreSQL, in store.ts) and writes, with no other writer (process) in between.

  #handoffRow(conversationId: string): HandoffRecord | null {
    const row = this.#stmt<[string], HandoffRow>(`SELECT ${HANDOFF_COLUMNS} FROM handoffs WHERE conversation_id = ?`).get(conversationId);
    return row ? handoffOf(row) : null;
  }

  #queuePosition(conversationId: string): number | null {
    const position = this.#stmt<[string], number>(
      `SELECT ${QUEUE_POSITION} FROM handoffs me WHERE me.conversation_id = ? AND me.status = 'queued'`,
    ).pluck().get(conversationId);
    return position ?? null;
  }

  /** Write a change decided on `current` (version + 1) and return the record as stored. */
  #changeHandoff(current: HandoffRecord, change: HandoffChange): HandoffRecord {
    const updated = this.#stmt(
      `UPDATE handoffs SET status = ?, agent = ?, taken_at = ?, ended_at = ?, version = version + 1, change_seq = ${NEXT_HANDOFF_CHANGE}
       WHERE conversation_id = ? AND version = ?`,
    ).run(change.status, change.agent, change.takenAt, change.endedAt, current.conversationId, current.version);
    if (updated.changes !== 1) throw new Error(`hand-over of ${current.conversationId} changed inside its own transaction`);
    return { ...current, ...change, version: current.version + 1 };
  }

  async openHandoff(h: NewHandoff): Promise<{ record: HandoffRecord; position: number | null; created: boolean }> {
    checkNewHandoff(h);
    const summary = json(h.summary);
    const reference = h.reference === null ? null : json(h.reference);
    return this.#write(() => {
      // Inserts a new one, or re-opens one that ended; a queued or active one is left as it is.
      const written = this.#stmt(
        `INSERT INTO handoffs AS h (conversation_id, status, reason, channel_id, queued_at, taken_at, agent, ended_at, summary, reference, version, change_seq)
         VALUES (?, 'queued', ?, ?, ?, NULL, NULL, NULL, ?, ?, 1, ${NEXT_HANDOFF_CHANGE})
         ON CONFLICT (conversation_id) DO UPDATE SET
           status = 'queued', reason = excluded.reason, channel_id = excluded.channel_id, queued_at = excluded.queued_at,
           taken_at = NULL, agent = NULL, ended_at = NULL, summary = excluded.summary, reference = excluded.reference,
           version = h.version + 1, change_seq = excluded.change_seq
         WHERE h.status NOT IN ('queued', 'active')`,
      ).run(h.conversationId, storableText(h.reason), h.channelId, h.at, summary, reference);
      const record = this.#handoffRow(h.conversationId);
      if (!record) throw new Error(`hand-over of ${h.conversationId} vanished inside its own transaction`);
      return { record, position: this.#queuePosition(h.conversationId), created: written.changes > 0 };
    });
  }

  async getHandoff(conversationId: string): Promise<HandoffRecord | null> {
    return this.#handoffRow(conversationId);
  }

  async listHandoffs(filter: HandoffFilter = {}): Promise<HandoffRecord[]> {
    checkHandoffFilter(filter);
    const statuses = filter.status === undefined ? null : JSON.stringify(filter.status);
    const rows = this.#stmt<[{ statuses: string | null; agent: string | null; limit: number }], HandoffRow>(
      `SELECT ${HANDOFF_COLUMNS} FROM handoffs
       WHERE (@statuses IS NULL OR status IN (SELECT value FROM json_each(@statuses))) AND (@agent IS NULL OR agent = @agent)
       ORDER BY status = 'queued' DESC,
         CASE WHEN status = 'queued' THEN queued_at END, CASE WHEN status = 'queued' THEN conversation_id END,
         change_seq DESC
       LIMIT @limit`,
    ).all({ statuses, agent: filter.agent ?? null, limit: filter.limit ?? -1 });
    return rows.map(handoffOf);
  }

  async queuePosition(conversationId: string): Promise<number | null> {
    return this.#queuePosition(conversationId);
  }

  async takeHandoff(conversationId: string, agent: string, at: string): Promise<TakeHandoffResult> {
    checkAgentName(agent);
    checkTimestamp(at);
    return this.#write(() => {
      const decided = decideTake(this.#handoffRow(conversationId), agent, at);
      if ('result' in decided) return decided.result;
      return { ok: true, record: this.#changeHandoff(decided.current, decided.change) };
    });
  }

  async endHandoff(conversationId: string, by: HandoffEndedBy, status: HandoffEnd, at: string): Promise<EndHandoffResult> {
    checkHandoffEnd(by, status);
    checkTimestamp(at);
    return this.#write(() => {
      const decided = decideEnd(this.#handoffRow(conversationId), by, status, at);
      if ('result' in decided) return decided.result;
      return { ok: true, record: this.#changeHandoff(decided.current, decided.change) };
    });
  }

  async updateHandoffSummary(conversationId: string, summary: Record<string, unknown>): Promise<HandoffRecord | null> {
    checkHandoffSummary(summary);
    const text = json(summary);
    return this.#write(() => {
      const updated = this.#stmt(
        `UPDATE handoffs SET summary = ?, version = version + 1, change_seq = ${NEXT_HANDOFF_CHANGE} WHERE conversation_id = ?`,
      ).run(text, conversationId);
      return updated.changes === 0 ? null : this.#handoffRow(conversationId);
    });
  }

  // ---- support staff ----------------------------------------------------------------------------

  async addAgent(agent: NewAgent): Promise<void> {
    checkNewAgent(agent);
    this.#write(() => {
      const taken = this.#stmt<[string], 1>('SELECT 1 FROM agents WHERE name = ? AND removed_at IS NULL').pluck().get(agent.name);
      if (taken) throw new DuplicateAgentError(agent.name);
      const keyTaken = this.#stmt<[string], 1>('SELECT 1 FROM agents WHERE key_hash = ? AND removed_at IS NULL').pluck().get(agent.keyHash);
      if (keyTaken) throw new Error('an active agent already has this access key');
      this.#stmt('INSERT INTO agents (name, display_name, key_hash, created_at, removed_at) VALUES (?, ?, ?, ?, NULL)')
        .run(agent.name, storableText(agent.displayName), agent.keyHash, agent.at);
    });
  }

  async removeAgent(name: string, at: string): Promise<boolean> {
    checkAgentName(name);
    checkTimestamp(at);
    const removed = this.#write(() => this.#stmt('UPDATE agents SET removed_at = ? WHERE name = ? AND removed_at IS NULL').run(at, name));
    return removed.changes > 0;
  }

  async agentByKeyHash(keyHash: string): Promise<AgentAccount | null> {
    const row = this.#stmt<[string], AgentRow>(
      'SELECT name, display_name, created_at FROM agents WHERE key_hash = ? AND removed_at IS NULL',
    ).get(keyHash);
    return row ? { name: row.name, displayName: row.display_name, createdAt: row.created_at } : null;
  }

  async listAgents(): Promise<AgentRecord[]> {
    return this.#stmt<[], AgentRow>('SELECT name, display_name, created_at, removed_at FROM agents ORDER BY id').all()
      .map((r) => ({ name: r.name, displayName: r.display_name, createdAt: r.created_at, removedAt: r.removed_at }));
  }

  async saveStaffReference(staffId: string, reference: Record<string, unknown>, at: string): Promise<void> {
    checkStaffReference(staffId, reference, at);
    this.#write(() => this.#stmt(
      `INSERT INTO staff_references (staff_id, reference, at) VALUES (?, ?, ?)
       ON CONFLICT (staff_id) DO UPDATE SET reference = excluded.reference, at = excluded.at`,
    ).run(staffId, json(reference), at));
  }

  async staffReferences(): Promise<StaffReference[]> {
    return this.#stmt<[], { staff_id: string; reference: string; at: string }>('SELECT staff_id, reference, at FROM staff_references ORDER BY staff_id')
      .all()
      .map((r) => ({ staffId: r.staff_id, reference: JSON.parse(r.reference) as Record<string, unknown>, at: r.at }));
  }

  // ---- secrets ----------------------------------------------------------------------------------

  async secret(name: string, create: () => string): Promise<string> {
    checkSecretName(name);
    const read = this.#stmt<[string], string>('SELECT value FROM secrets WHERE name = ?').pluck();
    const stored = read.get(name);
    if (stored !== undefined) return stored;
    const value = create();
    checkSecretValue(name, value);
    // Insert if absent, then read, in one write transaction: another process that stored the name
    // since the read above wins, and its value is returned.
    return this.#write(() => {
      this.#stmt('INSERT INTO secrets (name, value, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING')
        .run(name, value, new Date().toISOString());
      const winner = read.get(name);
      if (winner === undefined) throw new Error(`secret ${name} vanished inside its own transaction`);
      return winner;
    });
  }
}
