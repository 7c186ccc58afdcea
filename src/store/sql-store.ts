/**
 * The store, once, over Kysely for both engines (the embedded SQLite file, and PostgreSQL for several
 * instances): the same SQL, rows and mappers; what differs per engine is a small {@link Engine} hook
 * (./sqlite.ts, ./postgres.ts): how a write transaction starts and stays durable, how a row is locked
 * for a change, where sequence numbers come from (log numbers, the hand-over change order), the
 * conversation lock, JSON as the driver takes and gives it, and which errors mean a lost race.
 *
 * How the guarantees of store.ts hold:
 * - Turns: `commitTurn` is one transaction. The snapshot is written with compare-and-swap
 *   (`UPDATE … WHERE id AND version`, or an insert with `ON CONFLICT DO NOTHING` for a new
 *   conversation); no row written means another turn got there first: ROLLBACK and ConflictError.
 *   An activity already recorded as processed is a conflict too (the caller reloads and finds its
 *   stored replies). The dedupe entry refers to the turn's replies in the log (first_seq,
 *   reply_count); it does not copy them.
 * - RMAs: one per (order, sku, reason), by a unique constraint (`ON CONFLICT DO NOTHING`: the line
 *   was issued meanwhile, or the number is taken and another is drawn), in one durable transaction.
 * - A change (an RMA's remedy or status, taking or ending a hand-over) is one transaction that reads
 *   the row locked for the change (`FOR UPDATE` on PostgreSQL; SQLite's write lock), decides with the
 *   rules in store.ts and writes with a compare-and-swap.
 * - Within one instance, the operations on one conversation take effect in the order they were
 *   called (`#inOrder`): a read called before a commit is never answered after it.
 * - Migrations run at start, each in its own transaction under the engine's migration lock,
 *   recorded in `schema_migrations` (./migrations.ts).
 *
 * Values read back are parsed at this edge (orders with their zod schema, JSON objects checked),
 * never cast. Times are the caller's, or come from the injected clock.
 */
import { isDeepStrictEqual } from 'node:util';
import { CompiledQuery, sql, type Kysely, type QueryResult, type RawBuilder } from 'kysely';
import { z } from 'zod';
import type { ReturnReason } from '../policy/case.js';
import type { Decision } from '../policy/decision.js';
import { REMEDIES, type Remedy } from '../policy/pack.js';
import { normalizeOrderNumber, orderSchema, type Order } from '../orders.js';
import { KeyedMutex } from './keyed-mutex.js';
import type { Migration } from './migrations.js';
import { newRmaNumber, normalizeRmaNumber } from './rma-id.js';
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
  checkRmaChange,
  checkSecretName,
  checkSecretValue,
  checkStaffReference,
  checkTimestamp,
  ConflictError,
  decideEnd,
  decideTake,
  DuplicateAgentError,
  DuplicateAttachmentError,
  HANDOFF_STATUSES,
  rmaChangeStep,
  RMA_STATUSES,
  storableText,
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
  type RmaRecord,
  type RmaRequest,
  type RmaStatus,
  type StaffReference,
  type Store,
  type TakeHandoffResult,
  type TurnCommit,
} from './store.js';

/** The database as the store queries it: SQL templates only (the schema is ./migrations.ts). */
export type Db = Kysely<Record<string, never>>;

/** Runs a query whose SQL text is compiled once per call site (its template) and reused; values are bound on each call. */
type Query = <R = Record<string, unknown>>(strings: TemplateStringsArray, ...values: unknown[]) => Promise<QueryResult<R>>;

/** What differs between SQLite and PostgreSQL; everything else is {@link SqlStore}. */
export interface Engine {
  readonly name: 'sqlite' | 'postgres';
  readonly db: Db;
  /** How a write transaction starts (SQLite takes the write lock at once: `BEGIN IMMEDIATE`). */
  readonly begin: string;
  /** The placeholder of the `n`th value (from 1) in SQL text: `?` or `$n`. */
  placeholder(n: number): string;
  /** Appended to a read of a row that the transaction changes: `FOR UPDATE`, or nothing under SQLite's write lock. */
  readonly forUpdate: RawBuilder<unknown>;
  /** The next value of a hand-over's change order (`change_seq`), in SQL. */
  readonly nextHandoffChange: RawBuilder<unknown>;
  /** JSON text the engine stores for `value` (undefined as null), and whether a string had to change to be stored. */
  jsonText(value: unknown): { text: string; cleaned: boolean };
  /** A JSON column as the driver returns it (text on SQLite, parsed on PostgreSQL), decoded. */
  fromJson(value: unknown): unknown;
  /** Reserve `n` log numbers of the conversation inside a transaction; the first of them. */
  reserveLog(conn: Db, conversationId: string, n: number): Promise<number>;
  /** Serialise opens of hand-overs until the transaction ends (the positions opens report are of one order). */
  lockQueue(conn: Db): Promise<void>;
  /** Serialise migrations (across instances) until the transaction ends. */
  lockMigrations(conn: Db): Promise<void>;
  /** Run a script of several statements (a migration). */
  exec(conn: Db, script: string): Promise<void>;
  /**
   * Run `fn`, a write (a transaction or one statement), with no other write of this process on the
   * same database meanwhile (SQLite: connections of one process on one file would otherwise wait for
   * each other's write lock with the thread blocked).
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  /** Run a transaction (`run`) so that its commit survives a power cut, not only a crash of the process. */
  durably<T>(conn: Db, run: () => Promise<T>): Promise<T>;
  withConversationLock<T>(conversationId: string, fn: () => Promise<T>): Promise<T>;
  /** True when a failed turn lost a race (run it again), not when something is broken. */
  isTurnConflict(error: unknown): boolean;
  /** What a unique violation names (constraint or columns), or undefined for any other error. */
  uniqueViolation(error: unknown): string | undefined;
  close(): Promise<void>;
}

export interface SqlStoreOptions {
  /** Where RMA numbers come from (tests force collisions with it). Default {@link newRmaNumber}. */
  newRmaNumber?: () => string;
  /** The schema as this engine runs it; default every migration of ./migrations.ts. */
  migrations?: readonly Migration[];
  /** The time of what the store stamps itself (imports, migrations, secrets). Default the system clock. */
  clock?: () => Date;
}

/** How many fresh numbers to try when a new RMA number is already taken (1 in 34 billion each). */
const RMA_NUMBER_ATTEMPTS = 8;

/** A JSON object as read back (checked, not copied: log entries and snapshots can be large). */
const jsonObject = z.custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'expected a JSON object');
const auditRow = z.object({ at: z.string(), actor: z.string(), action: z.string(), data: z.unknown() });
const decisionSchema = z.custom<Decision>((v) => jsonObject.safeParse(v).success && typeof (v as { outcome?: unknown }).outcome === 'string', 'expected a decision');

interface ConversationRow {
  id: string;
  version: number;
  machine_version: number;
  snapshot: unknown;
  locale: string | null;
  created_at: string;
  updated_at: string;
}
interface LogRow {
  conversation_id: string;
  seq: number;
  at: string;
  activity: unknown;
}
interface RmaRow {
  rma: string;
  order_number: string;
  sku: string;
  reason: string;
  remedy: string | null;
  decision: unknown;
  conversation_id: string | null;
  issued_by: string;
  note: string | null;
  created_at: string;
  status: string;
  facts: unknown;
}
interface AttachmentRow {
  id: string;
  conversation_id: string;
  name: string;
  content_type: string;
  size: number;
  at: string;
  uploaded_by: string;
  bytes?: Buffer;
}
interface HandoffRow {
  conversation_id: string;
  status: string;
  reason: string;
  channel_id: string;
  queued_at: string;
  taken_at: string | null;
  agent: string | null;
  ended_at: string | null;
  summary: unknown;
  reference: unknown;
  version: number;
}
interface AgentRow {
  name: string;
  display_name: string;
  created_at: string;
  removed_at: string | null;
}

const HANDOFF_COLUMNS = sql.raw('conversation_id, status, reason, channel_id, queued_at, taken_at, agent, ended_at, summary, reference, version');
const ATTACHMENT_INFO_COLUMNS = sql.raw('id, conversation_id, name, content_type, size, at, uploaded_by');
/** A queued hand-over's 1-based place in the queue, for the row `me` (meaningful only when it is queued). */
const QUEUE_POSITION = sql.raw(
  `(SELECT CAST(count(*) AS integer) FROM handoffs q WHERE q.status = 'queued'
    AND (q.queued_at < me.queued_at OR (q.queued_at = me.queued_at AND q.conversation_id <= me.conversation_id)))`,
);
/** One of `values` (a status, a remedy …), as read back. */
const oneOf = <T extends string>(values: readonly T[]) => z.custom<T>((v) => typeof v === 'string' && (values as readonly string[]).includes(v));
const handoffStatus = oneOf(HANDOFF_STATUSES);
const remedy = oneOf(REMEDIES);
const rmaStatus = oneOf(RMA_STATUSES);

const COMMIT = CompiledQuery.raw('COMMIT');
const ROLLBACK = CompiledQuery.raw('ROLLBACK');

const attachmentInfo = (r: AttachmentRow): AttachmentInfo => ({
  id: r.id,
  conversationId: r.conversation_id,
  name: r.name,
  contentType: r.content_type,
  size: Number(r.size),
  at: r.at,
  uploadedBy: r.uploaded_by,
});

export class SqlStore implements Store {
  readonly engine: 'sqlite' | 'postgres';
  readonly #e: Engine;
  readonly #db: Db;
  /** In-process order of operations per conversation (see the header). */
  readonly #ops = new KeyedMutex();
  readonly #newRmaNumber: () => string;
  readonly #migrations: readonly Migration[];
  readonly #clock: () => Date;
  #closed = false;
  readonly #texts = new WeakMap<TemplateStringsArray, string>();

  constructor(engine: Engine, migrations: readonly Migration[], options: SqlStoreOptions) {
    this.#e = engine;
    this.#db = engine.db;
    this.engine = engine.name;
    this.#newRmaNumber = options.newRmaNumber ?? (() => newRmaNumber());
    this.#migrations = options.migrations ?? migrations;
    this.#clock = options.clock ?? (() => new Date());
  }

  /** Queries on `conn` compiled once (see {@link Query}): for templates of values only, no SQL fragments. */
  #q(conn: Db): Query {
    return (strings, ...values) => {
      let text = this.#texts.get(strings);
      if (text === undefined) {
        text = strings.reduce((all, part, i) => `${all}${this.#e.placeholder(i)}${part}`);
        this.#texts.set(strings, text);
      }
      return conn.executeQuery(CompiledQuery.raw(text, values));
    };
  }

  #now(): string {
    return this.#clock().toISOString();
  }

  #json(value: unknown): string {
    return this.#e.jsonText(value).text;
  }

  #object(value: unknown): Record<string, unknown> {
    return jsonObject.parse(this.#e.fromJson(value));
  }

  /** `fn` in one transaction on one connection: committed when it returns, rolled back when it throws. */
  #tx<T>(fn: (conn: Db) => Promise<T>, durable = false): Promise<T> {
    return this.#e.exclusive(() =>
      this.#db.connection().execute(async (conn) => {
        const run = async (): Promise<T> => {
          await conn.executeQuery(CompiledQuery.raw(this.#e.begin));
          try {
            const result = await fn(conn);
            await conn.executeQuery(COMMIT);
            return result;
          } catch (error) {
            await conn.executeQuery(ROLLBACK).catch(() => undefined);
            throw error;
          }
        };
        return durable ? this.#e.durably(conn, run) : run();
      }),
    );
  }

  /** One write statement outside a transaction (see {@link Engine.exclusive}). */
  #write<R>(query: { execute(db: Db): Promise<R> }): Promise<R> {
    return this.#e.exclusive(() => query.execute(this.#db));
  }

  #inOrder<T>(conversationId: string, fn: () => Promise<T>): Promise<T> {
    return this.#ops.run(conversationId, fn);
  }

  // ---- schema -----------------------------------------------------------------------------------

  async migrate(): Promise<void> {
    for (const migration of this.#migrations) {
      // One transaction per migration, under a lock every instance takes: a second instance starting
      // at the same moment waits, then finds the migration recorded and skips it.
      await this.#tx(async (conn) => {
        await this.#e.lockMigrations(conn);
        await this.#e.exec(conn, `CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)${this.engine === 'sqlite' ? ' STRICT' : ''}`);
        const applied = await sql`SELECT 1 AS one FROM schema_migrations WHERE id = ${migration.id}`.execute(conn);
        if (applied.rows.length > 0) return;
        await this.#e.exec(conn, migration.sql);
        await sql`INSERT INTO schema_migrations (id, applied_at) VALUES (${migration.id}, ${this.#now()})`.execute(conn);
      });
    }
  }

  /** The migrations recorded in this database, in the order they were applied (by id). */
  async appliedMigrations(): Promise<{ id: string; appliedAt: string }[]> {
    const { rows } = await sql<{ id: string; applied_at: string }>`SELECT id, applied_at FROM schema_migrations ORDER BY id`.execute(this.#db);
    return rows.map((r) => ({ id: r.id, appliedAt: r.applied_at }));
  }

  async ping(): Promise<boolean> {
    if (this.#closed) return false;
    try {
      const { rows } = await sql<{ ok: number }>`SELECT 1 AS ok`.execute(this.#db);
      return Number(rows[0]?.ok) === 1;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#e.close();
  }

  // ---- orders -----------------------------------------------------------------------------------

  async importOrders(orders: readonly Order[]): Promise<{ added: number; updated: number; unchanged: number }> {
    const counts = { added: 0, updated: 0, unchanged: 0 };
    if (orders.length === 0) return counts;
    const at = this.#now();
    return this.#tx(async (conn) => {
      const stored = async (key: string) => (await sql<{ policy: string; data: unknown }>`SELECT policy, data FROM orders WHERE order_number = ${key} ${this.#e.forUpdate}`.execute(conn)).rows[0];
      for (const order of orders) {
        const key = normalizeOrderNumber(order.orderNumber);
        const data = this.#json(order);
        let current = await stored(key);
        if (current === undefined) {
          // A concurrent insert of the same order (another instance) is waited for, then inserts nothing.
          const inserted = await sql`INSERT INTO orders (order_number, policy, data, imported_at) VALUES (${key}, ${order.policy}, ${data}, ${at}) ON CONFLICT (order_number) DO NOTHING`.execute(conn);
          if (Number(inserted.numAffectedRows ?? 0) > 0) {
            counts.added++;
            continue;
          }
          current = await stored(key);
        }
        if (current && current.policy === order.policy && isDeepStrictEqual(this.#e.fromJson(current.data), JSON.parse(data))) {
          counts.unchanged++;
        } else {
          await sql`UPDATE orders SET policy = ${order.policy}, data = ${data}, imported_at = ${at} WHERE order_number = ${key}`.execute(conn);
          counts.updated++;
        }
      }
      return counts;
    });
  }

  async getOrder(orderNumber: string): Promise<Order | null> {
    const { rows } = await this.#q(this.#db)<{ data: unknown }>`SELECT data FROM orders WHERE order_number = ${normalizeOrderNumber(orderNumber)}`;
    const row = rows[0];
    return row ? orderSchema.parse(this.#e.fromJson(row.data)) : null;
  }

  async countOrders(): Promise<number> {
    const { rows } = await sql<{ n: number }>`SELECT CAST(count(*) AS integer) AS n FROM orders`.execute(this.#db);
    return Number(rows[0]?.n ?? 0);
  }

  // ---- conversations ----------------------------------------------------------------------------

  async withConversationLock<T>(conversationId: string, fn: () => Promise<T>): Promise<T> {
    return this.#e.withConversationLock(conversationId, fn);
  }

  async loadConversation(conversationId: string): Promise<ConversationRecord | null> {
    return this.#inOrder(conversationId, async () => {
      const row = (await this.#q(this.#db)<ConversationRow>`SELECT * FROM conversations WHERE id = ${conversationId}`).rows[0];
      if (!row) return null;
      return {
        id: row.id,
        version: row.version,
        machineVersion: row.machine_version,
        snapshot: this.#e.fromJson(row.snapshot),
        locale: row.locale,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
      };
    });
  }

  async findProcessedActivity(conversationId: string, activityId: string): Promise<unknown[] | null> {
    return this.#inOrder(conversationId, async () => {
      // One statement (one snapshot): no row means unknown; one row with a null activity, no replies.
      const { rows } = await this.#q(this.#db)<{ reply_count: number; activity: unknown }>`SELECT p.reply_count, l.activity FROM processed_activities p
        LEFT JOIN conversation_log l ON l.conversation_id = p.conversation_id AND l.seq >= p.first_seq AND l.seq < p.first_seq + p.reply_count
        WHERE p.conversation_id = ${conversationId} AND p.activity_id = ${activityId} ORDER BY l.seq`;
      const first = rows[0];
      if (first === undefined) return null;
      if (first.reply_count === 0) return [];
      const replies = rows.flatMap((r) => (r.activity === null ? [] : [this.#e.fromJson(r.activity)]));
      if (replies.length !== first.reply_count) {
        throw new Error(`conversation ${conversationId}: the log lacks replies of processed activity ${activityId} (${replies.length} of ${first.reply_count})`);
      }
      return replies;
    });
  }

  async commitTurn(turn: TurnCommit): Promise<{ version: number; log: LogEntry[] }> {
    checkReplyCount(turn);
    const conflict = (): ConflictError => new ConflictError(turn.conversationId);
    return this.#inOrder(turn.conversationId, () =>
      this.#tx(async (conn) => {
        const snapshot = this.#json(turn.snapshot);
        let version: number;
        if (turn.expectedVersion === null) {
          // A concurrent insert of the same id waits for the first to commit, then inserts nothing.
          const inserted = await this.#q(conn)`INSERT INTO conversations (id, version, machine_version, snapshot, locale, created_at, updated_at)
          VALUES (${turn.conversationId}, 1, ${turn.machineVersion}, ${snapshot}, ${turn.locale}, ${turn.at}, ${turn.at}) ON CONFLICT (id) DO NOTHING`;
          if (Number(inserted.numAffectedRows ?? 0) === 0) throw conflict();
          version = 1;
        } else {
          // Compare-and-swap: a concurrent update waits for the first to commit, then matches nothing.
          const updated = await this.#q(conn)`UPDATE conversations SET version = version + 1, machine_version = ${turn.machineVersion}, snapshot = ${snapshot},
          locale = ${turn.locale}, updated_at = ${turn.at} WHERE id = ${turn.conversationId} AND version = ${turn.expectedVersion}`;
          if (Number(updated.numAffectedRows ?? 0) === 0) throw conflict();
          version = turn.expectedVersion + 1;
        }
        const log = await this.#appendLog(conn, turn.conversationId, turn.log, turn.at);
        if (turn.activityId !== null) {
          // The replies are the turn's last replyCount log entries: referred to, not copied.
          const firstSeq = turn.replyCount === 0 ? null : (log[log.length - turn.replyCount]?.seq ?? null);
          const recorded = await this.#q(conn)`INSERT INTO processed_activities (conversation_id, activity_id, first_seq, reply_count, at)
          VALUES (${turn.conversationId}, ${turn.activityId}, ${firstSeq}, ${turn.replyCount}, ${turn.at}) ON CONFLICT (conversation_id, activity_id) DO NOTHING`;
          // Already answered by a turn committed since this one read the conversation: the caller
          // reloads and finds the stored replies (this turn's log entries are rolled back).
          if (Number(recorded.numAffectedRows ?? 0) === 0) throw conflict();
        }
        await this.#addAudit(conn, turn.conversationId, turn.audit);
        return { version, log };
      }).catch((error: unknown) => {
        throw this.#e.isTurnConflict(error) ? conflict() : error;
      }),
    );
  }

  // ---- log and audit ----------------------------------------------------------------------------

  /**
   * Append to the log with the next sequence numbers (inside a transaction). The entries returned
   * hold the activities given, not parsed back from their JSON, unless one had to be cleaned to be
   * stored (then what was stored is returned, as readLog will).
   */
  async #appendLog(conn: Db, conversationId: string, activities: readonly Record<string, unknown>[], at: string): Promise<LogEntry[]> {
    if (activities.length === 0) return [];
    const json = activities.map((a) => this.#e.jsonText(a));
    const first = await this.#e.reserveLog(conn, conversationId, activities.length);
    await sql`INSERT INTO conversation_log (conversation_id, seq, at, activity) VALUES ${sql.join(json.map((j, i) => sql`(${conversationId}, ${first + i}, ${at}, ${j.text})`))}`.execute(conn);
    return activities.map((activity, i) => ({
      conversationId,
      seq: first + i,
      at,
      activity: json[i]?.cleaned ? jsonObject.parse(JSON.parse(json[i]!.text)) : activity,
    }));
  }

  async #addAudit(conn: Db, conversationId: string, entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await sql`INSERT INTO conversation_audit (conversation_id, at, actor, action, data)
      VALUES ${sql.join(entries.map((e) => sql`(${conversationId}, ${e.at}, ${e.actor}, ${e.action}, ${this.#json(e.data)})`))}`.execute(conn);
  }

  #audit(rows: readonly unknown[]): AuditEntry[] {
    return rows.map((r) => {
      const row = auditRow.parse(r);
      return { at: row.at, actor: row.actor, action: row.action, data: this.#object(row.data) };
    });
  }

  async appendLog(conversationId: string, activities: readonly Record<string, unknown>[], at: string): Promise<LogEntry[]> {
    return this.#inOrder(conversationId, () => this.#tx((conn) => this.#appendLog(conn, conversationId, activities, at)));
  }

  async readLog(conversationId: string, afterSeq = 0, limit?: number): Promise<LogEntry[]> {
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw new RangeError(`limit must be a whole number ≥ 0, got ${limit}`);
    return this.#inOrder(conversationId, async () => {
      const q = this.#q(this.#db);
      const { rows } =
        limit === undefined
          ? await q<LogRow>`SELECT conversation_id, seq, at, activity FROM conversation_log WHERE conversation_id = ${conversationId} AND seq > ${afterSeq} ORDER BY seq`
          : await q<LogRow>`SELECT conversation_id, seq, at, activity FROM conversation_log WHERE conversation_id = ${conversationId} AND seq > ${afterSeq} ORDER BY seq LIMIT ${limit}`;
      return rows.map((r) => ({ conversationId: r.conversation_id, seq: r.seq, at: r.at, activity: this.#object(r.activity) }));
    });
  }

  async addAudit(conversationId: string, entry: AuditEntry): Promise<void> {
    return this.#inOrder(conversationId, () => this.#tx((conn) => this.#addAudit(conn, conversationId, [entry])));
  }

  async conversationAudit(conversationId: string): Promise<AuditEntry[]> {
    return this.#inOrder(conversationId, async () =>
      this.#audit((await this.#q(this.#db)`SELECT at, actor, action, data FROM conversation_audit WHERE conversation_id = ${conversationId} ORDER BY id`).rows),
    );
  }

  // ---- RMAs -------------------------------------------------------------------------------------

  async #rmaRecord(conn: Db, row: RmaRow): Promise<RmaRecord> {
    const audit = (await this.#q(conn)`SELECT at, actor, action, data FROM rma_audit WHERE rma = ${row.rma} ORDER BY id`).rows;
    return {
      rma: row.rma,
      orderNumber: row.order_number,
      sku: row.sku,
      reason: row.reason as ReturnReason,
      remedy: row.remedy === null ? null : remedy.parse(row.remedy),
      decision: decisionSchema.parse(this.#e.fromJson(row.decision)),
      conversationId: row.conversation_id,
      issuedBy: row.issued_by,
      note: row.note,
      createdAt: row.created_at,
      status: rmaStatus.parse(row.status),
      facts: this.#object(row.facts),
      audit: this.#audit(audit),
    };
  }

  async #rmaRow(conn: Db, rma: string, lock = false): Promise<RmaRow | undefined> {
    return (await sql<RmaRow>`SELECT * FROM rmas WHERE rma = ${rma} ${lock ? this.#e.forUpdate : sql``}`.execute(conn)).rows[0];
  }

  async #rmaByLine(conn: Db, orderNumber: string, sku: string, reason: ReturnReason): Promise<RmaRow | undefined> {
    return (await this.#q(conn)<RmaRow>`SELECT * FROM rmas WHERE order_number = ${normalizeOrderNumber(orderNumber)} AND sku = ${sku} AND reason = ${reason}`).rows[0];
  }

  async issueRma(request: RmaRequest): Promise<{ record: RmaRecord; created: boolean }> {
    const orderNumber = normalizeOrderNumber(request.orderNumber);
    const note = request.note ?? null;
    return this.#tx(async (conn) => {
      const existing = await this.#rmaByLine(conn, orderNumber, request.sku, request.reason);
      if (existing) return { record: await this.#rmaRecord(conn, existing), created: false };
      for (let attempt = 0; attempt < RMA_NUMBER_ATTEMPTS; attempt++) {
        const rma = this.#newRmaNumber();
        // No conflict target: a taken line and a taken number both insert nothing. A concurrent insert
        // of the same line, by any instance, makes this wait until it commits or rolls back.
        const inserted = await sql`INSERT INTO rmas (rma, order_number, sku, reason, remedy, decision, conversation_id, issued_by, note, created_at, facts)
          VALUES (${rma}, ${orderNumber}, ${request.sku}, ${request.reason}, ${request.remedy}, ${this.#json(request.decision)}, ${request.conversationId},
            ${request.actor}, ${note}, ${request.at}, ${this.#json(request.facts ?? {})}) ON CONFLICT DO NOTHING`.execute(conn);
        if (Number(inserted.numAffectedRows ?? 0) > 0) {
          const data = { ...request.auditData, remedy: request.remedy, note, conversationId: request.conversationId, outcome: request.decision.outcome };
          await sql`INSERT INTO rma_audit (rma, at, actor, action, data) VALUES (${rma}, ${request.at}, ${request.actor}, 'rma.issued', ${this.#json(data)})`.execute(conn);
          const row = await this.#rmaRow(conn, rma);
          if (!row) throw new Error(`RMA ${rma} vanished inside its own transaction`);
          return { record: await this.#rmaRecord(conn, row), created: true };
        }
        // Nothing inserted: issued meanwhile (return that one), or the number is taken (draw another).
        const issued = await this.#rmaByLine(conn, orderNumber, request.sku, request.reason);
        if (issued) return { record: await this.#rmaRecord(conn, issued), created: false };
      }
      throw new Error(`could not draw an unused RMA number in ${RMA_NUMBER_ATTEMPTS} attempts`);
    }, true);
  }

  async getRma(rma: string): Promise<RmaRecord | null> {
    const number = normalizeRmaNumber(rma);
    const row = number === null ? undefined : await this.#rmaRow(this.#db, number);
    return row ? this.#rmaRecord(this.#db, row) : null;
  }

  async findRma(orderNumber: string, sku: string, reason: ReturnReason): Promise<RmaRecord | null> {
    const row = await this.#rmaByLine(this.#db, orderNumber, sku, reason);
    return row ? this.#rmaRecord(this.#db, row) : null;
  }

  async changeRmaRemedy(change: RmaChange<Remedy>): Promise<RmaChangeResult> {
    return this.#changeRma(change, 'remedy');
  }

  async setRmaStatus(change: RmaChange<RmaStatus>): Promise<RmaChangeResult> {
    return this.#changeRma(change, 'status');
  }

  /** One change of an RMA's column, decided on the row read locked for the change. */
  async #changeRma(change: RmaChange<string>, column: 'remedy' | 'status'): Promise<RmaChangeResult> {
    checkRmaChange(change, column === 'remedy' ? REMEDIES : RMA_STATUSES);
    const number = normalizeRmaNumber(change.rma);
    if (number === null) return { ok: false, reason: 'not-found' };
    return this.#tx(async (conn): Promise<RmaChangeResult> => {
      const row = await this.#rmaRow(conn, number, true);
      if (!row) return { ok: false, reason: 'not-found' };
      const d = rmaChangeStep(column, row, change.to);
      if (d === 'unchanged') return { ok: true, record: await this.#rmaRecord(conn, row), changed: false };
      if (typeof d === 'string') return { ok: false, reason: d, record: await this.#rmaRecord(conn, row) };
      await sql`UPDATE rmas SET ${sql.ref(column)} = ${change.to} WHERE rma = ${number}`.execute(conn);
      await sql`INSERT INTO rma_audit (rma, at, actor, action, data)
        VALUES (${number}, ${change.at}, ${change.actor}, ${`rma.${column}-changed`}, ${this.#json({ ...change.data, from: d.from, to: change.to })})`.execute(conn);
      return { ok: true, record: await this.#rmaRecord(conn, (await this.#rmaRow(conn, number))!), changed: true };
    });
  }

  // ---- attachments ------------------------------------------------------------------------------

  async saveAttachment(a: NewAttachment): Promise<void> {
    checkAttachment(a);
    return this.#inOrder(a.conversationId, async () => {
      // One statement. A concurrent insert of the same id waits for the first to commit, then inserts nothing.
      const inserted = await this.#write(sql`INSERT INTO attachments (id, conversation_id, name, content_type, size, bytes, at, uploaded_by)
        VALUES (${a.id}, ${a.conversationId}, ${storableText(a.name)}, ${storableText(a.contentType)}, ${a.bytes.length}, ${a.bytes}, ${a.at}, ${a.uploadedBy})
        ON CONFLICT (id) DO NOTHING`);
      if (Number(inserted.numAffectedRows ?? 0) === 0) throw new DuplicateAttachmentError(a.id);
    });
  }

  async getAttachment(id: string): Promise<Attachment | null> {
    const row = (await sql<AttachmentRow>`SELECT ${ATTACHMENT_INFO_COLUMNS}, bytes FROM attachments WHERE id = ${id}`.execute(this.#db)).rows[0];
    return row?.bytes ? { ...attachmentInfo(row), bytes: Buffer.isBuffer(row.bytes) ? row.bytes : Buffer.from(row.bytes) } : null;
  }

  async listAttachments(conversationId: string): Promise<AttachmentInfo[]> {
    const order = this.engine === 'sqlite' ? sql.raw('rowid') : sql.raw('seq');
    return this.#inOrder(conversationId, async () =>
      (
        await sql<AttachmentRow>`SELECT ${ATTACHMENT_INFO_COLUMNS} FROM attachments
      WHERE conversation_id = ${conversationId} ORDER BY at, ${order}`.execute(this.#db)
      ).rows.map(attachmentInfo),
    );
  }

  async attachmentBytes(): Promise<number> {
    const { rows } = await sql<{ total: unknown }>`SELECT coalesce(sum(size), 0) AS total FROM attachments`.execute(this.#db);
    return Number(rows[0]?.total ?? 0);
  }

  // ---- proofs of ownership ----------------------------------------------------------------------

  async addProofFailures(keys: readonly string[], at: string, windowStart: string): Promise<ProofFailures[]> {
    checkProofKeys(keys, at, windowStart);
    const unique = [...new Set(keys)];
    if (unique.length === 0) return [];
    const counted = await this.#tx(async (conn) => {
      const byKey = new Map<string, ProofFailures>();
      // In key order: two calls never wait for each other's rows in opposite orders.
      for (const key of [...unique].sort()) {
        const { rows } = await sql<{ failures: number; window_start: string }>`INSERT INTO proof_failures AS p (key, failures, window_start, last_at)
          VALUES (${key}, 1, ${at}, ${at})
          ON CONFLICT (key) DO UPDATE SET
            failures = CASE WHEN p.window_start < ${windowStart} THEN 1 ELSE p.failures + 1 END,
            window_start = CASE WHEN p.window_start < ${windowStart} THEN excluded.window_start ELSE p.window_start END,
            last_at = excluded.last_at
          RETURNING failures, window_start`.execute(conn);
        byKey.set(key, { key, failures: rows[0]!.failures, since: rows[0]!.window_start });
      }
      return byKey;
    });
    // Windows that have ended are forgotten, so the table holds only what still counts.
    await this.#write(sql`DELETE FROM proof_failures WHERE window_start < ${windowStart}`);
    return unique.map((key) => counted.get(key)!);
  }

  async proofFailures(keys: readonly string[], windowStart: string): Promise<ProofFailures[]> {
    checkProofKeys(keys, windowStart);
    const unique = [...new Set(keys)];
    const rows =
      unique.length === 0
        ? []
        : (
            await sql<{ key: string; failures: number; window_start: string }>`SELECT key, failures, window_start
      FROM proof_failures WHERE key IN (${sql.join(unique)}) AND window_start >= ${windowStart}`.execute(this.#db)
          ).rows;
    const byKey = new Map(rows.map((r) => [r.key, r]));
    return unique.map((key) => {
      const row = byKey.get(key);
      return row ? { key, failures: row.failures, since: row.window_start } : { key, failures: 0, since: null };
    });
  }

  async releaseProofFailures(keys: readonly string[]): Promise<void> {
    checkProofKeys(keys);
    const unique = [...new Set(keys)].sort();
    if (unique.length === 0) return;
    await this.#tx(async (conn) => {
      for (const key of unique) {
        const lowered = await sql`UPDATE proof_failures SET failures = failures - 1 WHERE key = ${key} AND failures > 1`.execute(conn);
        if (Number(lowered.numAffectedRows ?? 0) === 0) await sql`DELETE FROM proof_failures WHERE key = ${key} AND failures <= 1`.execute(conn);
      }
    });
  }

  // ---- hand-over to people ---------------------------------------------------------------------

  #handoff(row: HandoffRow): HandoffRecord {
    return {
      conversationId: row.conversation_id,
      status: handoffStatus.parse(row.status),
      reason: row.reason,
      channelId: row.channel_id,
      queuedAt: row.queued_at,
      takenAt: row.taken_at,
      agent: row.agent,
      endedAt: row.ended_at,
      summary: this.#object(row.summary),
      reference: row.reference === null ? null : this.#object(row.reference),
      version: row.version,
    };
  }

  async #handoffRow(conn: Db, conversationId: string, lock = false): Promise<HandoffRecord | null> {
    const row = (await sql<HandoffRow>`SELECT ${HANDOFF_COLUMNS} FROM handoffs WHERE conversation_id = ${conversationId} ${lock ? this.#e.forUpdate : sql``}`.execute(conn)).rows[0];
    return row ? this.#handoff(row) : null;
  }

  /** Write a change decided on `current` (read locked in this transaction; version + 1) and return the record as stored. */
  async #changeHandoff(conn: Db, current: HandoffRecord, change: HandoffChange): Promise<HandoffRecord> {
    const row = (
      await sql<HandoffRow>`UPDATE handoffs SET status = ${change.status}, agent = ${change.agent}, taken_at = ${change.takenAt},
      ended_at = ${change.endedAt}, version = version + 1, change_seq = ${this.#e.nextHandoffChange}
      WHERE conversation_id = ${current.conversationId} AND version = ${current.version} RETURNING ${HANDOFF_COLUMNS}`.execute(conn)
    ).rows[0];
    if (!row) throw new Error(`hand-over of ${current.conversationId} changed while locked`);
    return this.#handoff(row);
  }

  async openHandoff(h: NewHandoff): Promise<{ record: HandoffRecord; position: number | null; created: boolean }> {
    checkNewHandoff(h);
    return this.#inOrder(h.conversationId, () =>
      this.#tx(async (conn) => {
        await this.#e.lockQueue(conn);
        // Inserts a new one, or re-opens one that ended; a queued or active one is left as it is.
        const written = await sql`INSERT INTO handoffs AS h (conversation_id, status, reason, channel_id, queued_at, taken_at, agent, ended_at, summary, reference, version, change_seq)
        VALUES (${h.conversationId}, 'queued', ${storableText(h.reason)}, ${h.channelId}, ${h.at}, NULL, NULL, NULL, ${this.#json(h.summary)},
          ${h.reference === null ? null : this.#json(h.reference)}, 1, ${this.#e.nextHandoffChange})
        ON CONFLICT (conversation_id) DO UPDATE SET
          status = 'queued', reason = excluded.reason, channel_id = excluded.channel_id, queued_at = excluded.queued_at,
          taken_at = NULL, agent = NULL, ended_at = NULL, summary = excluded.summary, reference = excluded.reference,
          version = h.version + 1, change_seq = excluded.change_seq
        WHERE h.status NOT IN ('queued', 'active')`.execute(conn);
        const row = (
          await sql<HandoffRow & { position: number | null }>`SELECT ${HANDOFF_COLUMNS}, CASE WHEN me.status = 'queued' THEN ${QUEUE_POSITION} END AS position
        FROM handoffs me WHERE me.conversation_id = ${h.conversationId}`.execute(conn)
        ).rows[0];
        if (!row) throw new Error(`hand-over of ${h.conversationId} vanished inside its own transaction`);
        return { record: this.#handoff(row), position: row.position, created: Number(written.numAffectedRows ?? 0) > 0 };
      }),
    );
  }

  async getHandoff(conversationId: string): Promise<HandoffRecord | null> {
    return this.#inOrder(conversationId, () => this.#handoffRow(this.#db, conversationId));
  }

  async listHandoffs(filter: HandoffFilter = {}): Promise<HandoffRecord[]> {
    checkHandoffFilter(filter);
    if (filter.status?.length === 0 || filter.limit === 0) return [];
    const { rows } = await sql<HandoffRow>`SELECT ${HANDOFF_COLUMNS} FROM handoffs WHERE 1 = 1
      ${filter.status === undefined ? sql`` : sql`AND status IN (${sql.join([...filter.status])})`}
      ${filter.agent === undefined ? sql`` : sql`AND agent = ${filter.agent}`}
      ORDER BY status = 'queued' DESC,
        CASE WHEN status = 'queued' THEN queued_at END, CASE WHEN status = 'queued' THEN conversation_id END,
        change_seq DESC
      ${filter.limit === undefined ? sql`` : sql`LIMIT ${filter.limit}`}`.execute(this.#db);
    return rows.map((r) => this.#handoff(r));
  }

  async queuePosition(conversationId: string): Promise<number | null> {
    return this.#inOrder(conversationId, async () => {
      const { rows } = await sql<{ position: number }>`SELECT ${QUEUE_POSITION} AS position FROM handoffs me
        WHERE me.conversation_id = ${conversationId} AND me.status = 'queued'`.execute(this.#db);
      return rows[0]?.position ?? null;
    });
  }

  async takeHandoff(conversationId: string, agent: string, at: string): Promise<TakeHandoffResult> {
    checkAgentName(agent);
    checkTimestamp(at);
    return this.#inOrder(conversationId, () =>
      this.#tx(async (conn): Promise<TakeHandoffResult> => {
        const decided = decideTake(await this.#handoffRow(conn, conversationId, true), agent, at);
        if ('result' in decided) return decided.result;
        return { ok: true, record: await this.#changeHandoff(conn, decided.current, decided.change) };
      }),
    );
  }

  async endHandoff(conversationId: string, by: HandoffEndedBy, status: HandoffEnd, at: string): Promise<EndHandoffResult> {
    checkHandoffEnd(by, status);
    checkTimestamp(at);
    return this.#inOrder(conversationId, () =>
      this.#tx(async (conn): Promise<EndHandoffResult> => {
        const decided = decideEnd(await this.#handoffRow(conn, conversationId, true), by, status, at);
        if ('result' in decided) return decided.result;
        return { ok: true, record: await this.#changeHandoff(conn, decided.current, decided.change) };
      }),
    );
  }

  async updateHandoffSummary(conversationId: string, summary: Record<string, unknown>): Promise<HandoffRecord | null> {
    checkHandoffSummary(summary);
    return this.#inOrder(conversationId, () =>
      this.#tx(async (conn) => {
        const row = (
          await sql<HandoffRow>`UPDATE handoffs SET summary = ${this.#json(summary)}, version = version + 1, change_seq = ${this.#e.nextHandoffChange}
        WHERE conversation_id = ${conversationId} RETURNING ${HANDOFF_COLUMNS}`.execute(conn)
        ).rows[0];
        return row ? this.#handoff(row) : null;
      }),
    );
  }

  // ---- support staff ----------------------------------------------------------------------------

  async addAgent(agent: NewAgent): Promise<void> {
    checkNewAgent(agent);
    try {
      // One statement; the partial unique indexes on active agents' names and key hashes decide,
      // also between instances adding at once (the second waits for the first to commit).
      await this.#write(sql`INSERT INTO agents (name, display_name, key_hash, created_at) VALUES (${agent.name}, ${storableText(agent.displayName)}, ${agent.keyHash}, ${agent.at})`);
    } catch (error) {
      const violated = this.#e.uniqueViolation(error);
      if (violated?.includes('key')) throw new Error('an active agent already has this access key');
      if (violated?.includes('name')) throw new DuplicateAgentError(agent.name);
      throw error;
    }
  }

  async removeAgent(name: string, at: string): Promise<boolean> {
    checkAgentName(name);
    checkTimestamp(at);
    const removed = await this.#write(sql`UPDATE agents SET removed_at = ${at} WHERE name = ${name} AND removed_at IS NULL`);
    return Number(removed.numAffectedRows ?? 0) > 0;
  }

  async agentByKeyHash(keyHash: string): Promise<AgentAccount | null> {
    const row = (await this.#q(this.#db)<AgentRow>`SELECT name, display_name, created_at FROM agents WHERE key_hash = ${keyHash} AND removed_at IS NULL`).rows[0];
    return row ? { name: row.name, displayName: row.display_name, createdAt: row.created_at } : null;
  }

  async listAgents(): Promise<AgentRecord[]> {
    const { rows } = await sql<AgentRow>`SELECT name, display_name, created_at, removed_at FROM agents ORDER BY id`.execute(this.#db);
    return rows.map((r) => ({ name: r.name, displayName: r.display_name, createdAt: r.created_at, removedAt: r.removed_at }));
  }

  async saveStaffReference(staffId: string, reference: Record<string, unknown>, at: string): Promise<void> {
    checkStaffReference(staffId, reference, at);
    await this.#write(sql`INSERT INTO staff_references (staff_id, reference, at) VALUES (${staffId}, ${this.#json(reference)}, ${at})
      ON CONFLICT (staff_id) DO UPDATE SET reference = excluded.reference, at = excluded.at`);
  }

  async staffReferences(): Promise<StaffReference[]> {
    const { rows } = await sql<{ staff_id: string; reference: unknown; at: string }>`SELECT staff_id, reference, at FROM staff_references`.execute(this.#db);
    return rows.map((r) => ({ staffId: r.staff_id, reference: this.#object(r.reference), at: r.at })).sort((a, b) => (a.staffId < b.staffId ? -1 : a.staffId > b.staffId ? 1 : 0));
  }

  // ---- secrets ----------------------------------------------------------------------------------

  async #storedSecret(name: string): Promise<string | undefined> {
    return (await this.#q(this.#db)<{ value: string }>`SELECT value FROM secrets WHERE name = ${name}`).rows[0]?.value;
  }

  async secret(name: string, create: () => string): Promise<string> {
    checkSecretName(name);
    const stored = await this.#storedSecret(name);
    if (stored !== undefined) return stored;
    const value = create();
    checkSecretValue(name, value);
    // Insert if absent, then read with a new statement: another call (any instance) that stored the
    // name first wins (a concurrent insert is waited for), and its value is returned.
    await this.#write(sql`INSERT INTO secrets (name, value, created_at) VALUES (${name}, ${value}, ${this.#now()}) ON CONFLICT (name) DO NOTHING`);
    const winner = await this.#storedSecret(name);
    if (winner === undefined) throw new Error(`secret ${name} was stored but cannot be read`);
    return winner;
  }
}
