/**
 * The PostgreSQL store, for several instances of the bot on one database (`DATABASE_URL`).
 *
 * Same behaviour as the SQLite store (both pass test/store/contract.ts); what differs is how the
 * guarantees hold across processes:
 *
 * - Turns: `commitTurn` is one transaction. The snapshot is written with compare-and-swap
 *   (`UPDATE … WHERE id = $1 AND version = $2`, or an insert with `ON CONFLICT DO NOTHING` for a new
 *   conversation); no row written means another turn got there first: ROLLBACK and ConflictError.
 *   An activity already recorded as processed is a conflict too (the caller reloads and finds its
 *   stored replies). The dedupe entry refers to the turn's replies in the log (first_seq,
 *   reply_count); it does not copy them.
 * - RMAs: one per (order, sku, reason), enforced by a unique constraint: the insert is
 *   `ON CONFLICT DO NOTHING`, and when it inserts nothing either the line was issued meanwhile (by
 *   this or another instance: that record is returned) or the random number was taken (another is
 *   drawn). The RMA row and its first audit entry are written in one transaction.
 * - `withConversationLock`: a session-level advisory lock on the conversation, held on a connection
 *   of a separate, small lock pool for the duration of `fn`, behind an in-process KeyedMutex:
 *     - the KeyedMutex queues this instance's turns of one conversation (FIFO), so one instance holds
 *       at most one lock connection per conversation and never waits on itself;
 *     - lock connections come from their own pool, so waiting for or holding locks can never use up
 *       the connections `fn` needs for its own queries (no self-deadlock at any pool size);
 *     - `pg_advisory_lock` waits in PostgreSQL's own FIFO lock queue, bounded by `lock_timeout`;
 *     - the lock lives in the session: if the holder crashes or its connection is cut, PostgreSQL
 *       releases it when the session ends (TCP keepalives on lock sessions notice a vanished host).
 *   The lock is an optimisation of order (turns queue instead of retrying); correctness never rests
 *   on it: the compare-and-swap above rejects a stale turn even if two ran at once.
 *   Keys are `hashtextextended(<schema>/<conversation id>, 0)`: installations in different schemas
 *   of one database do not contend, and the migration lock (a two-int key) is in another key space.
 * - Within one instance, the operations on one conversation (load, commit, log, audit) take effect
 *   in the order they were called, as they do on the synchronous SQLite store: a read called before
 *   a commit is never answered after it by another connection of the pool.
 * - Migrations run at start, each in its own transaction under `pg_advisory_xact_lock`, recorded in
 *   `schema_migrations` (see ./migrations/postgres.ts).
 * - Timestamps are kept as the ISO 8601 text the caller gives, returned exactly as given (like SQLite).
 *
 * JSON goes in as JSONB. PostgreSQL refuses two things JavaScript strings may hold, the NUL character
 * and unpaired surrogates; both become U+FFFD on the way in, so a customer's odd message can never
 * make a turn fail.
 */
import { createRequire } from 'node:module';
import type pgTypes from 'pg';

type Pg = typeof pgTypes;
let pgModule: Pg | null = null;
/** pg, loaded when a PostgreSQL store is first made (~50 ms that an SQLite-only start never pays). */
function pgLib(): Pg {
  pgModule ??= createRequire(import.meta.url)('pg') as Pg;
  return pgModule;
}
// Types only; values come from pgLib().
type PgPoolConfig = pgTypes.PoolConfig;
type PgPool = pgTypes.Pool;
type PgPoolClient = pgTypes.PoolClient;
import type { ReturnReason } from '../policy/case.js';
import type { Decision } from '../policy/decision.js';
import type { Remedy } from '../policy/pack.js';
import { normalizeOrderNumber, type Order } from '../orders.js';
import { KeyedMutex } from './keyed-mutex.js';
import { POSTGRES_MIGRATIONS, type Migration } from './migrations/postgres.js';
import { newRmaNumber, normalizeRmaNumber } from './rma-id.js';
import {
  checkReplyCount,
  ConflictError,
  type AuditEntry,
  type ConversationRecord,
  type LogEntry,
  type RmaRecord,
  type RmaRequest,
  type Store,
  type TurnCommit,
} from './store.js';

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:5432/database` (query parameters such as `options` allowed). */
  connectionString: string;
  /**
   * Extra connection settings for both pools, e.g. `{ options: '-c search_path=tenant_a' }`.
   * Settings in the connection string take precedence (that is how `pg` merges them).
   */
  connection?: Omit<PgPoolConfig, 'connectionString' | 'max' | 'onConnect'>;
  /** Connections for queries. Default 10. */
  poolSize?: number;
  /** Connections that hold conversation locks: at most this many conversations run at once per instance. Default 10. */
  lockPoolSize?: number;
  /** How long a turn waits for a conversation's lock (for a lock connection, then for the lock) before failing. Default 30 s. */
  lockWaitMs?: number;
  /** How long a query waits for a connection. Default 10 s. */
  connectTimeoutMs?: number;
  /** Where RMA numbers come from (tests force collisions with it). Default {@link newRmaNumber}. */
  newRmaNumber?: () => string;
  /** The schema; default {@link POSTGRES_MIGRATIONS}. */
  migrations?: readonly Migration[];
  /** Told about errors of idle connections (the pool drops such a connection and opens another). */
  onConnectionError?: (error: Error) => void;
}

/** How many fresh numbers to try when a new RMA number is already taken (1 in 34 billion each). */
const RMA_NUMBER_ATTEMPTS = 8;

/** The first key of the migration lock (`pg_advisory_xact_lock(int, int)`): "RBOT". */
const MIGRATION_LOCK_CLASS = 0x52424f54;

/** The lock key of a conversation, in SQL: the current schema and the id, hashed to a bigint. */
const CONVERSATION_LOCK_KEY = "hashtextextended(coalesce(current_schema(), '') || '/' || $1::text, 0)";

/** Settings of every lock session: fail a lock wait after `lock_timeout`; notice a dead client host within a minute. */
const lockSessionSettings = (lockWaitMs: number): string =>
  `SET lock_timeout = ${Math.max(1, Math.round(lockWaitMs))}; SET tcp_keepalives_idle = 30; SET tcp_keepalives_interval = 10; SET tcp_keepalives_count = 3`;

/** SQLSTATEs that mean "someone else changed this meanwhile: run the turn again". */
const UNIQUE_VIOLATION = '23505';
const SERIALIZATION_FAILURE = '40001';
const DEADLOCK_DETECTED = '40P01';
const LOCK_NOT_AVAILABLE = '55P03';

/** The unique constraints whose violation during a turn is a conflict, not a bug. */
const TURN_CONFLICT_CONSTRAINTS = new Set(['conversations_pkey', 'processed_activities_pkey']);

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
  activity: Record<string, unknown>;
}

/** A processed activity with the activity of one of its reply log entries (null when it has none). */
interface ProcessedReplyRow {
  reply_count: number;
  activity: unknown;
}

interface AuditRow {
  at: string;
  actor: string;
  action: string;
  data: Record<string, unknown>;
}

interface RmaRow {
  rma: string;
  order_number: string;
  sku: string;
  reason: string;
  remedy: string | null;
  decision: Decision;
  conversation_id: string | null;
  issued_by: string;
  note: string | null;
  created_at: string;
}

/** What runs queries: the pool (one statement, autocommit) or a client inside a transaction. */
type Queryable = Pick<PgPool, 'query'> | PgPoolClient;

const NUL = /\0/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const UNSTORABLE = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function storable(s: string): string {
  return UNSTORABLE.test(s) ? s.replace(NUL, '\ufffd').replace(LONE_SURROGATE, '\ufffd') : s;
}

/**
 * The escapes JSON.stringify writes for a NUL character and for unpaired surrogates (paired ones it
 * writes as they are): JSON text without any is storable as it is. (A string holding a backslash
 * followed by "u0000" matches too; it only takes the slow path for nothing.)
 */
const MAYBE_UNSTORABLE_JSON = /\\u(?:0000|d[89a-f])/i;

/**
 * JSON text PostgreSQL accepts as JSONB (`undefined` is stored as null, like the SQLite store), and
 * whether it had to change a string to get it. The common case is one plain JSON.stringify; only
 * text that may hold a NUL or an unpaired surrogate is serialised again with the cleaning replacer.
 */
function toJsonText(value: unknown): { text: string; cleaned: boolean } {
  const plain = JSON.stringify(value ?? null);
  if (!MAYBE_UNSTORABLE_JSON.test(plain)) return { text: plain, cleaned: false };
  const text = JSON.stringify(value ?? null, (_key, v: unknown) => {
    if (typeof v === 'string') return storable(v);
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).some((k) => UNSTORABLE.test(k))) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [storable(k), x]));
    }
    return v;
  });
  return { text, cleaned: text !== plain };
}

const jsonText = (value: unknown): string => toJsonText(value).text;

function auditFrom(row: AuditRow): AuditEntry {
  return { at: row.at, actor: row.actor, action: row.action, data: row.data };
}

function logFrom(row: LogRow): LogEntry {
  return { conversationId: row.conversation_id, seq: row.seq, at: row.at, activity: row.activity };
}

function sqlState(error: unknown): string | undefined {
  return error instanceof pgLib().DatabaseError ? error.code : undefined;
}

/** True when a failed turn lost a race (run it again), not when something is broken. */
function isTurnConflict(error: unknown): boolean {
  if (!(error instanceof pgLib().DatabaseError)) return false;
  if (error.code === UNIQUE_VIOLATION) return TURN_CONFLICT_CONSTRAINTS.has(error.constraint ?? '');
  return error.code === SERIALIZATION_FAILURE || error.code === DEADLOCK_DETECTED;
}

/** A held conversation lock. */
interface HeldLock {
  release(): Promise<void>;
}

export class PostgresStore implements Store {
  readonly engine = 'postgres' as const;
  readonly #pool: PgPool;
  readonly #lockPool: PgPool;
  /** In-process queue of turns per conversation (in front of the advisory lock). */
  readonly #locks = new KeyedMutex();
  /** In-process order of operations per conversation (see #inOrder). */
  readonly #ops = new KeyedMutex();
  readonly #newRmaNumber: () => string;
  readonly #migrations: readonly Migration[];
  #closed = false;

  constructor(options: PostgresStoreOptions) {
    const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    const lockWaitMs = options.lockWaitMs ?? 30_000;
    const onError = options.onConnectionError ?? (() => {});
    this.#pool = new (pgLib().Pool)({
      ...options.connection,
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: connectTimeoutMs,
      application_name: options.connection?.application_name ?? 'returnsbot',
    });
    this.#lockPool = new (pgLib().Pool)({
      ...options.connection,
      connectionString: options.connectionString,
      max: options.lockPoolSize ?? 10,
      // Waiting for a lock connection is part of waiting for the lock.
      connectionTimeoutMillis: lockWaitMs,
      keepAlive: true,
      application_name: options.connection?.application_name ?? 'returnsbot-locks',
      onConnect: async (client) => {
        await client.query(lockSessionSettings(lockWaitMs));
      },
    });
    // An idle connection that fails (the server restarted, a proxy cut it) is dropped by its pool;
    // without a listener the error would end the process.
    this.#pool.on('error', onError);
    this.#lockPool.on('error', onError);
    this.#newRmaNumber = options.newRmaNumber ?? (() => newRmaNumber());
    this.#migrations = options.migrations ?? POSTGRES_MIGRATIONS;
  }

  /**
   * Run `fn` in one transaction on one connection: committed when it returns, rolled back when it
   * throws. A connection that failed on the way is destroyed, not returned to the pool.
   */
  async #transaction<T>(fn: (client: PgPoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    let broken: Error | undefined;
    const onError = (error: Error): void => {
      broken = error;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        broken ??= rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
      throw error;
    } finally {
      client.removeListener('error', onError);
      client.release(broken ?? false);
    }
  }

  // ---- schema -----------------------------------------------------------------------------------

  async migrate(): Promise<void> {
    for (const migration of this.#migrations) {
      // One transaction per migration, under a lock every instance takes: a second instance starting
      // at the same moment waits, then finds the migration recorded and skips it.
      await this.#transaction(async (client) => {
        await client.query("SELECT pg_advisory_xact_lock($1, hashtext(coalesce(current_schema(), '')))", [MIGRATION_LOCK_CLASS]);
        await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (id text PRIMARY KEY, applied_at text NOT NULL)');
        const applied = await client.query('SELECT 1 FROM schema_migrations WHERE id = $1', [migration.id]);
        if (applied.rowCount) return;
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (id, applied_at) VALUES ($1, $2)', [migration.id, new Date().toISOString()]);
      });
    }
  }

  /** The migrations recorded in this database, in the order they were applied (by id). */
  async appliedMigrations(): Promise<{ id: string; appliedAt: string }[]> {
    const { rows } = await this.#pool.query<{ id: string; applied_at: string }>('SELECT id, applied_at FROM schema_migrations ORDER BY id');
    return rows.map((r) => ({ id: r.id, appliedAt: r.applied_at }));
  }

  async ping(): Promise<boolean> {
    if (this.#closed) return false;
    try {
      const { rows } = await this.#pool.query<{ ok: number }>('SELECT 1 AS ok');
      return rows[0]?.ok === 1;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([this.#pool.end(), this.#lockPool.end()]);
  }

  // ---- orders -----------------------------------------------------------------------------------

  async importOrders(orders: readonly Order[]): Promise<{ added: number; updated: number; unchanged: number }> {
    if (orders.length === 0) return { added: 0, updated: 0, unchanged: 0 };
    const at = new Date().toISOString();
    return this.#transaction(async (client) => {
      const counts = { added: 0, updated: 0, unchanged: 0 };
      for (const order of orders) {
        // An upsert that updates only when the data differs (JSONB equality ignores key order);
        // `xmax = 0` tells a fresh insert from an update. Safe when two instances import at once.
        const { rows } = await client.query<{ inserted: boolean }>(
          `INSERT INTO orders AS o (order_number, policy, data, imported_at) VALUES ($1, $2, $3::jsonb, $4)
           ON CONFLICT (order_number) DO UPDATE SET policy = EXCLUDED.policy, data = EXCLUDED.data, imported_at = EXCLUDED.imported_at
           WHERE o.data IS DISTINCT FROM EXCLUDED.data OR o.policy IS DISTINCT FROM EXCLUDED.policy
           RETURNING (xmax = 0) AS inserted`,
          [normalizeOrderNumber(order.orderNumber), order.policy, jsonText(order), at],
        );
        const row = rows[0];
        if (!row) counts.unchanged++;
        else if (row.inserted) counts.added++;
        else counts.updated++;
      }
      return counts;
    });
  }

  async getOrder(orderNumber: string): Promise<Order | null> {
    const { rows } = await this.#pool.query<{ data: Order }>('SELECT data FROM orders WHERE order_number = $1', [normalizeOrderNumber(orderNumber)]);
    return rows[0]?.data ?? null;
  }

  async countOrders(): Promise<number> {
    const { rows } = await this.#pool.query<{ n: number }>('SELECT count(*)::int AS n FROM orders');
    return rows[0]?.n ?? 0;
  }

  // ---- conversations ----------------------------------------------------------------------------

  withConversationLock<T>(conversationId: string, fn: () => Promise<T>): Promise<T> {
    return this.#locks.run(conversationId, async () => {
      const lock = await this.#lockConversation(conversationId);
      try {
        return await fn();
      } finally {
        await lock.release();
      }
    });
  }

  /** Take the conversation's advisory lock on a connection of the lock pool (waiting for it if held elsewhere). */
  async #lockConversation(conversationId: string): Promise<HeldLock> {
    if (this.#closed) throw new Error('the store is closed');
    const client = await this.#lockPool.connect();
    // A lock connection that fails while `fn` runs (cut, or terminated by an administrator) has lost
    // its lock with its session; it must not go back to the pool, and its error must not end the process.
    let lost = false;
    const onError = (): void => {
      lost = true;
    };
    client.on('error', onError);
    const done = (): void => {
      client.removeListener('error', onError);
      client.release(lost);
    };
    try {
      await client.query(`SELECT pg_advisory_lock(${CONVERSATION_LOCK_KEY})`, [conversationId]);
    } catch (error) {
      // A lock wait that timed out leaves a healthy session; anything else may not have.
      if (sqlState(error) !== LOCK_NOT_AVAILABLE) lost = true;
      done();
      if (sqlState(error) === LOCK_NOT_AVAILABLE) {
        throw new Error(`timed out waiting for the lock of conversation ${conversationId}`, { cause: error });
      }
      throw error;
    }
    return {
      release: async () => {
        if (!lost) {
          try {
            const { rows } = await client.query<{ released: boolean }>(
              `SELECT pg_advisory_unlock(${CONVERSATION_LOCK_KEY}) AS released`,
              [conversationId],
            );
            // Not held any more means the session is not what we think: do not reuse it.
            if (rows[0]?.released !== true) lost = true;
          } catch {
            // The connection failed: its session, and with it the lock, is gone.
            lost = true;
          }
        }
        done();
      },
    };
  }

  /**
   * Run one operation on a conversation after every earlier one on it (in this instance) has
   * finished: they take effect in the order they were called, as with the (synchronous) SQLite
   * store. Without it, a read issued before a commit could be answered after it, on another
   * connection of the pool.
   */
  #inOrder<T>(conversationId: string, fn: () => Promise<T>): Promise<T> {
    return this.#ops.run(conversationId, fn);
  }

  loadConversation(conversationId: string): Promise<ConversationRecord | null> {
    return this.#inOrder(conversationId, () => this.#loadConversation(conversationId));
  }

  async #loadConversation(conversationId: string): Promise<ConversationRecord | null> {
    const { rows } = await this.#pool.query<ConversationRow>('SELECT * FROM conversations WHERE id = $1', [conversationId]);
    const row = rows[0];
    if (!row) return null;
    return {
      id: row.id,
      version: row.version,
      machineVersion: row.machine_version,
      snapshot: row.snapshot,
      locale: row.locale,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  findProcessedActivity(conversationId: string, activityId: string): Promise<unknown[] | null> {
    return this.#inOrder(conversationId, async () => {
      // One statement (one snapshot): no row means unknown; one row with a null activity, no replies.
      const { rows } = await this.#pool.query<ProcessedReplyRow>(
        `SELECT p.reply_count, l.activity FROM processed_activities p
         LEFT JOIN conversation_log l ON l.conversation_id = p.conversation_id AND l.seq >= p.first_seq AND l.seq < p.first_seq + p.reply_count
         WHERE p.conversation_id = $1 AND p.activity_id = $2 ORDER BY l.seq`,
        [conversationId, activityId],
      );
      const first = rows[0];
      if (first === undefined) return null;
      if (first.reply_count === 0) return [];
      const replies = rows.flatMap((r) => (r.activity === null ? [] : [r.activity]));
      if (replies.length !== first.reply_count) {
        throw new Error(`conversation ${conversationId}: the log lacks replies of processed activity ${activityId} (${replies.length} of ${first.reply_count})`);
      }
      return replies;
    });
  }

  async commitTurn(turn: TurnCommit): Promise<{ version: number; log: LogEntry[] }> {
    checkReplyCount(turn);
    return this.#inOrder(turn.conversationId, () => this.#commitTurn(turn));
  }

  async #commitTurn(turn: TurnCommit): Promise<{ version: number; log: LogEntry[] }> {
    const snapshot = jsonText(turn.snapshot);
    const conflict = (): ConflictError => new ConflictError(turn.conversationId);
    try {
      return await this.#transaction(async (client) => {
        let version: number;
        if (turn.expectedVersion === null) {
          // A concurrent insert of the same id waits for the first to commit, then inserts nothing.
          const inserted = await client.query(
            `INSERT INTO conversations (id, version, machine_version, snapshot, locale, created_at, updated_at)
             VALUES ($1, 1, $2, $3::jsonb, $4, $5, $5) ON CONFLICT (id) DO NOTHING`,
            [turn.conversationId, turn.machineVersion, snapshot, turn.locale, turn.at],
          );
          if (inserted.rowCount === 0) throw conflict();
          version = 1;
        } else {
          // Compare-and-swap: a concurrent update of the row waits for the first to commit, then
          // sees the new version and matches nothing.
          const updated = await client.query(
            `UPDATE conversations SET version = version + 1, machine_version = $1, snapshot = $2::jsonb, locale = $3, updated_at = $4
             WHERE id = $5 AND version = $6`,
            [turn.machineVersion, snapshot, turn.locale, turn.at, turn.conversationId, turn.expectedVersion],
          );
          if (updated.rowCount === 0) throw conflict();
          version = turn.expectedVersion + 1;
        }
        const log = await this.#appendLog(client, turn.conversationId, turn.log, turn.at);
        if (turn.activityId !== null) {
          // The replies are the turn's last replyCount log entries: referred to, not copied.
          const firstReply = log[log.length - turn.replyCount];
          const recorded = await client.query(
            `INSERT INTO processed_activities (conversation_id, activity_id, first_seq, reply_count, at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (conversation_id, activity_id) DO NOTHING`,
            [turn.conversationId, turn.activityId, turn.replyCount === 0 ? null : (firstReply?.seq ?? null), turn.replyCount, turn.at],
          );
          // Already answered by a turn committed since this one read the conversation: the caller
          // reloads and finds the stored replies (this turn's log entries are rolled back).
          if (recorded.rowCount === 0) throw conflict();
        }
        await this.#addAudit(client, turn.conversationId, turn.audit);
        return { version, log };
      });
    } catch (error) {
      if (isTurnConflict(error)) throw conflict();
      throw error;
    }
  }

  // ---- log and audit ----------------------------------------------------------------------------

  /**
   * Append to the log with the next sequence numbers, in one statement: the upsert of the log's head
   * row-locks it until the transaction ends, so concurrent appends to one log queue up and the
   * numbers stay 1, 2, 3 … without gaps (a rolled-back append gives its numbers back). The entries
   * returned hold the activities given, not parsed back from their JSON, unless one had to be
   * cleaned to be stored (then what was stored is returned, as readLog will).
   */
  async #appendLog(db: Queryable, conversationId: string, activities: readonly Record<string, unknown>[], at: string): Promise<LogEntry[]> {
    if (activities.length === 0) return [];
    const json = activities.map(toJsonText);
    const texts = json.map((j) => j.text);
    const { rows } = await db.query<{ first: number }>(
      `WITH head AS (
         INSERT INTO conversation_log_heads AS h (conversation_id, last_seq) VALUES ($1, $2)
         ON CONFLICT (conversation_id) DO UPDATE SET last_seq = h.last_seq + EXCLUDED.last_seq
         RETURNING last_seq - $2::int + 1 AS first
       ), written AS (
         INSERT INTO conversation_log (conversation_id, seq, at, activity)
         SELECT $1, head.first + t.ord - 1, $3, t.activity::jsonb
         FROM head, unnest($4::text[]) WITH ORDINALITY AS t(activity, ord)
       )
       SELECT first FROM head`,
      [conversationId, texts.length, at, texts],
    );
    const first = rows[0]?.first;
    if (first === undefined) throw new Error(`no log head for conversation ${conversationId}`);
    return activities.map((activity, i) => ({
      conversationId,
      seq: first + i,
      at,
      activity: json[i]?.cleaned ? (JSON.parse(texts[i] ?? 'null') as Record<string, unknown>) : activity,
    }));
  }

  async #addAudit(db: Queryable, conversationId: string, entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await db.query(
      `INSERT INTO conversation_audit (conversation_id, at, actor, action, data)
       SELECT $1, t.at, t.actor, t.action, t.data::jsonb
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS t(at, actor, action, data, ord)
       ORDER BY t.ord`,
      [conversationId, entries.map((e) => e.at), entries.map((e) => e.actor), entries.map((e) => e.action), entries.map((e) => jsonText(e.data))],
    );
  }

  appendLog(conversationId: string, activities: readonly Record<string, unknown>[], at: string): Promise<LogEntry[]> {
    // One statement: atomic without an explicit transaction.
    return this.#inOrder(conversationId, () => this.#appendLog(this.#pool, conversationId, activities, at));
  }

  async readLog(conversationId: string, afterSeq = 0, limit?: number): Promise<LogEntry[]> {
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw new RangeError(`limit must be a whole number ≥ 0, got ${limit}`);
    return this.#inOrder(conversationId, async () => {
      const { rows } = await this.#pool.query<LogRow>(
        'SELECT conversation_id, seq, at, activity FROM conversation_log WHERE conversation_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
        [conversationId, afterSeq, limit ?? null],
      );
      return rows.map(logFrom);
    });
  }

  addAudit(conversationId: string, entry: AuditEntry): Promise<void> {
    return this.#inOrder(conversationId, () => this.#addAudit(this.#pool, conversationId, [entry]));
  }

  conversationAudit(conversationId: string): Promise<AuditEntry[]> {
    return this.#inOrder(conversationId, async () => {
      const { rows } = await this.#pool.query<AuditRow>(
        'SELECT at, actor, action, data FROM conversation_audit WHERE conversation_id = $1 ORDER BY id',
        [conversationId],
      );
      return rows.map(auditFrom);
    });
  }

  // ---- RMAs -------------------------------------------------------------------------------------

  async #rmaRecord(db: Queryable, row: RmaRow): Promise<RmaRecord> {
    const { rows } = await db.query<AuditRow>('SELECT at, actor, action, data FROM rma_audit WHERE rma = $1 ORDER BY id', [row.rma]);
    return {
      rma: row.rma,
      orderNumber: row.order_number,
      sku: row.sku,
      reason: row.reason as ReturnReason,
      remedy: row.remedy as Remedy | null,
      decision: row.decision,
      conversationId: row.conversation_id,
      issuedBy: row.issued_by,
      note: row.note,
      createdAt: row.created_at,
      audit: rows.map(auditFrom),
    };
  }

  async #rmaByLine(db: Queryable, orderNumber: string, sku: string, reason: ReturnReason): Promise<RmaRow | undefined> {
    const { rows } = await db.query<RmaRow>(
      'SELECT * FROM rmas WHERE order_number = $1 AND sku = $2 AND reason = $3',
      [normalizeOrderNumber(orderNumber), sku, reason],
    );
    return rows[0];
  }

  async issueRma(request: RmaRequest): Promise<{ record: RmaRecord; created: boolean }> {
    const orderNumber = normalizeOrderNumber(request.orderNumber);
    const note = request.note ?? null;
    const decision = jsonText(request.decision);
    // The common repeat (a retried turn, the same line asked again) needs no transaction.
    const existing = await this.#rmaByLine(this.#pool, orderNumber, request.sku, request.reason);
    if (existing) return { record: await this.#rmaRecord(this.#pool, existing), created: false };
    return this.#transaction(async (client) => {
      for (let attempt = 0; attempt < RMA_NUMBER_ATTEMPTS; attempt++) {
        const rma = this.#newRmaNumber();
        // No conflict target: a taken line and a taken number both insert nothing (instead of
        // aborting the transaction). A concurrent insert of the same line, by any instance, makes
        // this wait until it commits or rolls back.
        const { rows } = await client.query<RmaRow>(
          `INSERT INTO rmas (rma, order_number, sku, reason, remedy, decision, conversation_id, issued_by, note, created_at)
           VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10) ON CONFLICT DO NOTHING RETURNING *`,
          [rma, orderNumber, request.sku, request.reason, request.remedy, decision, request.conversationId, request.actor, note, request.at],
        );
        const row = rows[0];
        if (row) {
          await client.query('INSERT INTO rma_audit (rma, at, actor, action, data) VALUES ($1, $2, $3, $4, $5::jsonb)', [
            rma, request.at, request.actor, 'rma.issued',
            jsonText({ remedy: request.remedy, note, conversationId: request.conversationId, outcome: request.decision.outcome }),
          ]);
          return { record: await this.#rmaRecord(client, row), created: true };
        }
        // Nothing inserted: issued meanwhile (return that one), or the number is taken (draw another).
        const issued = await this.#rmaByLine(client, orderNumber, request.sku, request.reason);
        if (issued) return { record: await this.#rmaRecord(client, issued), created: false };
      }
      throw new Error(`could not draw an unused RMA number in ${RMA_NUMBER_ATTEMPTS} attempts`);
    });
  }

  async getRma(rma: string): Promise<RmaRecord | null> {
    const normalized = normalizeRmaNumber(rma);
    if (normalized === null) return null;
    const { rows } = await this.#pool.query<RmaRow>('SELECT * FROM rmas WHERE rma = $1', [normalized]);
    const row = rows[0];
    return row ? this.#rmaRecord(this.#pool, row) : null;
  }

  async findRma(orderNumber: string, sku: string, reason: ReturnReason): Promise<RmaRecord | null> {
    const row = await this.#rmaByLine(this.#pool, orderNumber, sku, reason);
    return row ? this.#rmaRecord(this.#pool, row) : null;
  }
}
