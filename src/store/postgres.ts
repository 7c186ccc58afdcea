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
 * - Secrets: `INSERT … ON CONFLICT (name) DO NOTHING RETURNING value`, and when it returns nothing
 *   (another call, in any instance, stored the name first; a concurrent insert is waited for until
 *   it commits or rolls back) a second statement reads the stored value. It must be a second
 *   statement: in READ COMMITTED a statement's snapshot predates the commit it waited for.
 * - Attachments: one row each, the file in a bytea column (sent and received as binary); a taken id
 *   inserts nothing (`ON CONFLICT DO NOTHING`) and is reported as DuplicateAttachmentError.
 * - Hand-overs: a change (take, end) is one transaction that reads the row `FOR UPDATE` (a change
 *   from another instance waits until this one commits, then reads what it wrote), decides with the
 *   rules shared with SQLite (store.ts) and writes with a compare-and-swap on the version. Opening
 *   is an upsert that re-opens only an ended hand-over, under a transaction-level advisory lock on
 *   the queue so that the positions opens report are those of one order of the opens. Staff names
 *   and key hashes are unique among active agents by partial unique indexes.
 * - Within one instance, the operations on one conversation (load, commit, log, audit, saving and
 *   listing attachments, hand-over reads and changes) take effect
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
import { REMEDIES, type Remedy } from '../policy/pack.js';
import { normalizeOrderNumber, type Order } from '../orders.js';
import { KeyedMutex } from './keyed-mutex.js';
import { POSTGRES_MIGRATIONS, type Migration } from './migrations/postgres.js';
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
  checkRmaChange,
  rmaChangeStep,
  RMA_STATUSES,
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
  status: string;
  facts: RmaFacts;
}

type HandoffRow = StoredHandoffRow<Record<string, unknown>>;
const handoffOf = (row: HandoffRow) => handoffFrom(row, (json) => json);

/** A queued hand-over's 1-based place in the queue, for the row `me` (meaningful only when it is queued). */
const QUEUE_POSITION = `(SELECT count(*)::int FROM handoffs q WHERE ${AHEAD_IN_QUEUE})`;

/** The second key of the queue lock (`pg_advisory_xact_lock(int, int)` with MIGRATION_LOCK_CLASS + 1), per schema. */
const QUEUE_LOCK = "SELECT pg_advisory_xact_lock($1, hashtext(coalesce(current_schema(), '')))";
const QUEUE_LOCK_CLASS = 0x52424f55;

/** The partial unique index that keeps an active agent's name unique. */
const AGENT_NAME_CONSTRAINT = 'agents_active_name';
const AGENT_KEY_CONSTRAINT = 'agents_active_key';

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
      status: row.status as RmaStatus,
      facts: row.facts,
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
          `INSERT INTO rmas (rma, order_number, sku, reason, remedy, decision, conversation_id, issued_by, note, created_at, facts)
           VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $11::jsonb) ON CONFLICT DO NOTHING RETURNING *`,
          [rma, orderNumber, request.sku, request.reason, request.remedy, decision, request.conversationId, request.actor, note, request.at, jsonText(request.facts ?? {})],
        );
        const row = rows[0];
        if (row) {
          await client.query('INSERT INTO rma_audit (rma, at, actor, action, data) VALUES ($1, $2, $3, $4, $5::jsonb)', [
            rma, request.at, request.actor, 'rma.issued',
            jsonText({ ...request.auditData, remedy: request.remedy, note, conversationId: request.conversationId, outcome: request.decision.outcome }),
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

  async changeRmaRemedy(change: RmaChange<Remedy>): Promise<RmaChangeResult> {
    return this.#changeRma(change, 'remedy');
  }

  async setRmaStatus(change: RmaChange<RmaStatus>): Promise<RmaChangeResult> {
    return this.#changeRma(change, 'status');
  }

  /** One change of an RMA's column, decided on the row read `FOR UPDATE` (a racing change, on any instance, waits). */
  async #changeRma(
    change: RmaChange<string>,
    column: 'remedy' | 'status',
  ): Promise<RmaChangeResult> {
    checkRmaChange(change, column === 'remedy' ? REMEDIES : RMA_STATUSES);
    const number = normalizeRmaNumber(change.rma);
    if (number === null) return { ok: false, reason: 'not-found' };
    return this.#transaction(async (client): Promise<RmaChangeResult> => {
      const { rows } = await client.query<RmaRow>('SELECT * FROM rmas WHERE rma = $1 FOR UPDATE', [number]);
      const row = rows[0];
      if (!row) return { ok: false, reason: 'not-found' };
      const d = rmaChangeStep(column, row, change.to);
      if (d === 'unchanged') return { ok: true, record: await this.#rmaRecord(client, row), changed: false };
      if (typeof d === 'string') return { ok: false, reason: d, record: await this.#rmaRecord(client, row) };
      const updated = await client.query<RmaRow>(`UPDATE rmas SET ${column} = $1 WHERE rma = $2 RETURNING *`, [change.to, number]);
      await client.query('INSERT INTO rma_audit (rma, at, actor, action, data) VALUES ($1, $2, $3, $4, $5::jsonb)', [
        number, change.at, change.actor, `rma.${column}-changed`, jsonText({ ...change.data, from: d.from, to: change.to }),
      ]);
      return { ok: true, record: await this.#rmaRecord(client, updated.rows[0]!), changed: true };
    });
  }

  // ---- attachments ------------------------------------------------------------------------------

  async saveAttachment(a: NewAttachment): Promise<void> {
    checkAttachment(a);
    await this.#inOrder(a.conversationId, async () => {
      // One statement: atomic without an explicit transaction. A concurrent insert of the same id
      // waits for the first to commit, then inserts nothing.
      const inserted = await this.#pool.query(
        `INSERT INTO attachments (id, conversation_id, name, content_type, size, bytes, at, uploaded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING`,
        [a.id, a.conversationId, storableText(a.name), storableText(a.contentType), a.bytes.length, a.bytes, a.at, a.uploadedBy],
      );
      if (inserted.rowCount === 0) throw new DuplicateAttachmentError(a.id);
    });
  }

  async getAttachment(id: string): Promise<Attachment | null> {
    const { rows } = await this.#pool.query<AttachmentRow>(`SELECT ${ATTACHMENT_INFO_COLUMNS}, bytes FROM attachments WHERE id = $1`, [id]);
    const row = rows[0];
    return row ? { ...attachmentInfoFrom(row), bytes: row.bytes } : null;
  }

  listAttachments(conversationId: string): Promise<AttachmentInfo[]> {
    return this.#inOrder(conversationId, async () => {
      const { rows } = await this.#pool.query<AttachmentInfoRow>(
        `SELECT ${ATTACHMENT_INFO_COLUMNS} FROM attachments WHERE conversation_id = $1 ORDER BY at, seq`,
        [conversationId],
      );
      return rows.map(attachmentInfoFrom);
    });
  }

  async attachmentBytes(): Promise<number> {
    const { rows } = await this.#pool.query<{ total: string }>('SELECT coalesce(sum(size), 0)::text AS total FROM attachments');
    return Number(rows[0]?.total ?? 0);
  }

  // ---- proofs of ownership ----------------------------------------------------------------------
  // One statement adds to every key (an upsert of each, in key order so that two calls never wait
  // for each other's rows in opposite orders): atomic without an explicit transaction, and a
  // concurrent call on the same key waits for this one's row, then adds to what it wrote.

  async addProofFailures(keys: readonly string[], at: string, windowStart: string): Promise<ProofFailures[]> {
    checkProofKeys(keys, at, windowStart);
    const unique = [...new Set(keys)];
    if (unique.length === 0) return [];
    const { rows } = await this.#pool.query<{ key: string; failures: number; window_start: string }>(
      `INSERT INTO proof_failures AS p (key, failures, window_start, last_at)
       SELECT k, 1, $2, $2 FROM unnest($1::text[]) AS k ORDER BY k COLLATE "C"
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN p.window_start < $3 THEN 1 ELSE p.failures + 1 END,
         window_start = CASE WHEN p.window_start < $3 THEN EXCLUDED.window_start ELSE p.window_start END,
         last_at = EXCLUDED.last_at
       RETURNING key, failures, window_start`,
      [unique, at, windowStart],
    );
    // Windows that have ended are forgotten, so the table holds only what still counts.
    await this.#pool.query('DELETE FROM proof_failures WHERE window_start < $1', [windowStart]);
    const byKey = new Map(rows.map((r) => [r.key, r]));
    return unique.map((key) => {
      const row = byKey.get(key)!;
      return { key, failures: row.failures, since: row.window_start };
    });
  }

  async proofFailures(keys: readonly string[], windowStart: string): Promise<ProofFailures[]> {
    checkProofKeys(keys, windowStart);
    const unique = [...new Set(keys)];
    const { rows } = await this.#pool.query<{ key: string; failures: number; window_start: string }>(
      'SELECT key, failures, window_start FROM proof_failures WHERE key = ANY($1::text[]) AND window_start >= $2',
      [unique, windowStart],
    );
    const byKey = new Map(rows.map((r) => [r.key, r]));
    return unique.map((key) => {
      const row = byKey.get(key);
      return row ? { key, failures: row.failures, since: row.window_start } : { key, failures: 0, since: null };
    });
  }

  async releaseProofFailures(keys: readonly string[]): Promise<void> {
    checkProofKeys(keys);
    // One statement: a count of 1 goes, a larger one loses 1 (a concurrent change waits, then is re-checked).
    await this.#pool.query(
      `WITH gone AS (DELETE FROM proof_failures WHERE key = ANY($1::text[]) AND failures <= 1 RETURNING key)
       UPDATE proof_failures SET failures = failures - 1 WHERE key = ANY($1::text[]) AND failures > 1`,
      [[...new Set(keys)]],
    );
  }

  // ---- hand-over to people ---------------------------------------------------------------------
  // A change of a hand-over is one transaction: the row is read with SELECT … FOR UPDATE (a
  // concurrent change, from any instance, waits until this one commits, then reads what it wrote),
  // decided on with the rules shared with SQLite (store.ts), and written with a compare-and-swap
  // on its version. Within one instance the operations on one conversation also run in the order
  // they were called (#inOrder).

  async #handoffRow(db: Queryable, conversationId: string, lock = false): Promise<HandoffRecord | null> {
    const { rows } = await db.query<HandoffRow>(
      `SELECT ${HANDOFF_COLUMNS} FROM handoffs WHERE conversation_id = $1${lock ? ' FOR UPDATE' : ''}`,
      [conversationId],
    );
    const row = rows[0];
    return row ? handoffOf(row) : null;
  }

  async #queuePosition(db: Queryable, conversationId: string): Promise<number | null> {
    const { rows } = await db.query<{ position: number }>(
      `SELECT ${QUEUE_POSITION} AS position FROM handoffs me WHERE me.conversation_id = $1 AND me.status = 'queued'`,
      [conversationId],
    );
    return rows[0]?.position ?? null;
  }

  /** Write a change decided on `current` (read FOR UPDATE in this transaction; version + 1) and return the record as stored. */
  async #changeHandoff(client: PgPoolClient, current: HandoffRecord, change: HandoffChange): Promise<HandoffRecord> {
    const { rows } = await client.query<HandoffRow>(
      `UPDATE handoffs SET status = $1, agent = $2, taken_at = $3, ended_at = $4, version = version + 1, change_seq = nextval('handoff_changes')
       WHERE conversation_id = $5 AND version = $6 RETURNING ${HANDOFF_COLUMNS}`,
      [change.status, change.agent, change.takenAt, change.endedAt, current.conversationId, current.version],
    );
    const row = rows[0];
    if (!row) throw new Error(`hand-over of ${current.conversationId} changed while locked`);
    return handoffOf(row);
  }

  async openHandoff(h: NewHandoff): Promise<{ record: HandoffRecord; position: number | null; created: boolean }> {
    checkNewHandoff(h);
    const summary = jsonText(h.summary);
    const reference = h.reference === null ? null : jsonText(h.reference);
    return this.#inOrder(h.conversationId, () => this.#transaction(async (client) => {
      // Opens are serialised (across instances) so each position counts every hand-over queued
      // before it; the lock is held until commit, briefly.
      await client.query(QUEUE_LOCK, [QUEUE_LOCK_CLASS]);
      // Inserts a new one, or re-opens one that ended; a queued or active one is left as it is (and
      // row-locked by the conflict, so the read below sees it as it stands).
      const written = await client.query(
        `INSERT INTO handoffs AS h (conversation_id, status, reason, channel_id, queued_at, taken_at, agent, ended_at, summary, reference, version)
         VALUES ($1, 'queued', $2, $3, $4, NULL, NULL, NULL, $5::jsonb, $6::jsonb, 1)
         ON CONFLICT (conversation_id) DO UPDATE SET
           status = 'queued', reason = EXCLUDED.reason, channel_id = EXCLUDED.channel_id, queued_at = EXCLUDED.queued_at,
           taken_at = NULL, agent = NULL, ended_at = NULL, summary = EXCLUDED.summary, reference = EXCLUDED.reference,
           version = h.version + 1, change_seq = nextval('handoff_changes')
         WHERE h.status NOT IN ('queued', 'active')`,
        [h.conversationId, storableText(h.reason), h.channelId, h.at, summary, reference],
      );
      const { rows } = await client.query<HandoffRow & { position: number | null }>(
        `SELECT ${HANDOFF_COLUMNS}, CASE WHEN me.status = 'queued' THEN ${QUEUE_POSITION} END AS position
         FROM handoffs me WHERE me.conversation_id = $1`,
        [h.conversationId],
      );
      const row = rows[0];
      if (!row) throw new Error(`hand-over of ${h.conversationId} vanished inside its own transaction`);
      return { record: handoffOf(row), position: row.position, created: (written.rowCount ?? 0) > 0 };
    }));
  }

  getHandoff(conversationId: string): Promise<HandoffRecord | null> {
    return this.#inOrder(conversationId, () => this.#handoffRow(this.#pool, conversationId));
  }

  async listHandoffs(filter: HandoffFilter = {}): Promise<HandoffRecord[]> {
    checkHandoffFilter(filter);
    const { rows } = await this.#pool.query<HandoffRow>(
      `SELECT ${HANDOFF_COLUMNS} FROM handoffs
       WHERE ($1::text[] IS NULL OR status = ANY ($1::text[])) AND ($2::text IS NULL OR agent = $2::text)
       ORDER BY status = 'queued' DESC,
         CASE WHEN status = 'queued' THEN queued_at END, CASE WHEN status = 'queued' THEN conversation_id END,
         change_seq DESC
       LIMIT $3`,
      [filter.status ?? null, filter.agent ?? null, filter.limit ?? null],
    );
    return rows.map(handoffOf);
  }

  queuePosition(conversationId: string): Promise<number | null> {
    return this.#inOrder(conversationId, () => this.#queuePosition(this.#pool, conversationId));
  }

  async takeHandoff(conversationId: string, agent: string, at: string): Promise<TakeHandoffResult> {
    checkAgentName(agent);
    checkTimestamp(at);
    return this.#inOrder(conversationId, () => this.#transaction(async (client): Promise<TakeHandoffResult> => {
      const decided = decideTake(await this.#handoffRow(client, conversationId, true), agent, at);
      if ('result' in decided) return decided.result;
      return { ok: true, record: await this.#changeHandoff(client, decided.current, decided.change) };
    }));
  }

  async endHandoff(conversationId: string, by: HandoffEndedBy, status: HandoffEnd, at: string): Promise<EndHandoffResult> {
    checkHandoffEnd(by, status);
    checkTimestamp(at);
    return this.#inOrder(conversationId, () => this.#transaction(async (client): Promise<EndHandoffResult> => {
      const decided = decideEnd(await this.#handoffRow(client, conversationId, true), by, status, at);
      if ('result' in decided) return decided.result;
      return { ok: true, record: await this.#changeHandoff(client, decided.current, decided.change) };
    }));
  }

  async updateHandoffSummary(conversationId: string, summary: Record<string, unknown>): Promise<HandoffRecord | null> {
    checkHandoffSummary(summary);
    const text = jsonText(summary);
    return this.#inOrder(conversationId, async () => {
      // One statement: atomic, and a concurrent change of the row waits for it (or it for that one).
      const { rows } = await this.#pool.query<HandoffRow>(
        `UPDATE handoffs SET summary = $1::jsonb, version = version + 1, change_seq = nextval('handoff_changes')
         WHERE conversation_id = $2 RETURNING ${HANDOFF_COLUMNS}`,
        [text, conversationId],
      );
      const row = rows[0];
      return row ? handoffOf(row) : null;
    });
  }

  // ---- support staff ----------------------------------------------------------------------------

  async addAgent(agent: NewAgent): Promise<void> {
    checkNewAgent(agent);
    try {
      // One statement; the partial unique indexes on active agents' names and key hashes decide,
      // also between instances adding at once (the second waits for the first to commit).
      await this.#pool.query(
        'INSERT INTO agents (name, display_name, key_hash, created_at) VALUES ($1, $2, $3, $4)',
        [agent.name, storableText(agent.displayName), agent.keyHash, agent.at],
      );
    } catch (error) {
      if (error instanceof pgLib().DatabaseError && error.code === UNIQUE_VIOLATION) {
        if (error.constraint === AGENT_NAME_CONSTRAINT) throw new DuplicateAgentError(agent.name);
        if (error.constraint === AGENT_KEY_CONSTRAINT) throw new Error('an active agent already has this access key');
      }
      throw error;
    }
  }

  async removeAgent(name: string, at: string): Promise<boolean> {
    checkAgentName(name);
    checkTimestamp(at);
    const removed = await this.#pool.query('UPDATE agents SET removed_at = $1 WHERE name = $2 AND removed_at IS NULL', [at, name]);
    return (removed.rowCount ?? 0) > 0;
  }

  async agentByKeyHash(keyHash: string): Promise<AgentAccount | null> {
    const { rows } = await this.#pool.query<AgentRow>(
      'SELECT name, display_name, created_at FROM agents WHERE key_hash = $1 AND removed_at IS NULL',
      [keyHash],
    );
    const row = rows[0];
    return row ? { name: row.name, displayName: row.display_name, createdAt: row.created_at } : null;
  }

  async listAgents(): Promise<AgentRecord[]> {
    const { rows } = await this.#pool.query<AgentRow>('SELECT name, display_name, created_at, removed_at FROM agents ORDER BY id');
    return rows.map((r) => ({ name: r.name, displayName: r.display_name, createdAt: r.created_at, removedAt: r.removed_at }));
  }

  async saveStaffReference(staffId: string, reference: Record<string, unknown>, at: string): Promise<void> {
    checkStaffReference(staffId, reference, at);
    await this.#pool.query(
      `INSERT INTO staff_references (staff_id, reference, at) VALUES ($1, $2::jsonb, $3)
       ON CONFLICT (staff_id) DO UPDATE SET reference = EXCLUDED.reference, at = EXCLUDED.at`,
      [staffId, jsonText(reference), at],
    );
  }

  async staffReferences(): Promise<StaffReference[]> {
    const { rows } = await this.#pool.query<{ staff_id: string; reference: Record<string, unknown>; at: string }>(
      'SELECT staff_id, reference, at FROM staff_references ORDER BY staff_id COLLATE "C"',
    );
    return rows.map((r) => ({ staffId: r.staff_id, reference: r.reference, at: r.at }));
  }

  // ---- secrets ----------------------------------------------------------------------------------

  async #storedSecret(name: string): Promise<string | undefined> {
    const { rows } = await this.#pool.query<{ value: string }>('SELECT value FROM secrets WHERE name = $1', [name]);
    return rows[0]?.value;
  }

  async secret(name: string, create: () => string): Promise<string> {
    checkSecretName(name);
    const stored = await this.#storedSecret(name);
    if (stored !== undefined) return stored;
    const value = create();
    checkSecretValue(name, value);
    const { rows } = await this.#pool.query<{ value: string }>(
      'INSERT INTO secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING RETURNING value',
      [name, value, new Date().toISOString()],
    );
    const inserted = rows[0];
    if (inserted) return inserted.value;
    // Stored by another call meanwhile: read it with a new statement, whose snapshot sees that commit.
    const winner = await this.#storedSecret(name);
    if (winner === undefined) throw new Error(`secret ${name} was stored by another call but cannot be read`);
    return winner;
  }
}
