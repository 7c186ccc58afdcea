/**
 * The PostgreSQL store, for several instances of the bot on one database (`DATABASE_URL`), under
 * Kysely's `PostgresDialect` over a `pg` pool. This file is PostgreSQL's {@link Engine} hook; the
 * store itself (the same one SQLite runs: test/store/contract.ts) is ./sql-store.ts. What differs:
 *
 * - A change reads its row `FOR UPDATE`: a change from another instance waits until this one
 *   commits, then reads what it wrote. Unique constraints decide races of inserts (a concurrent
 *   insert of the same key waits for the first to commit, then inserts nothing); a lost race of a
 *   turn (a unique violation on its rows, a serialization failure, a deadlock) is a ConflictError.
 * - Log numbers come from `conversation_log_heads`: the upsert of a log's head row-locks it until the
 *   transaction ends, so concurrent appends to one log queue up and the numbers stay 1, 2, 3 …
 *   without gaps. The hand-over change order is the sequence `handoff_changes`. Opens of hand-overs
 *   are serialised (across instances) by a transaction-level advisory lock on the queue, so each
 *   position counts every hand-over queued before it.
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
 *   on it: the compare-and-swap rejects a stale turn even if two ran at once.
 *   Keys are `hashtextextended(<schema>/<conversation id>, 0)`: installations in different schemas
 *   of one database do not contend, and the migration lock (a two-int key) is in another key space.
 * - Migrations run each in its own transaction under `pg_advisory_xact_lock`.
 * - Attachments are kept in a bytea column (sent and received as binary).
 *
 * JSON goes in as JSONB. PostgreSQL refuses two things JavaScript strings may hold, the NUL character
 * and unpaired surrogates; both become U+FFFD on the way in, so a customer's odd message can never
 * make a turn fail.
 */
import { createRequire } from 'node:module';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type pgTypes from 'pg';
import { KeyedMutex } from './keyed-mutex.js';
import { POSTGRES_MIGRATIONS } from './migrations.js';
import { SqlStore, type Db, type Engine, type SqlStoreOptions } from './sql-store.js';

type Pg = typeof pgTypes;
let pgModule: Pg | null = null;
/** pg, loaded when a PostgreSQL store is first made (~50 ms that an SQLite-only start never pays). */
function pgLib(): Pg {
  pgModule ??= createRequire(import.meta.url)('pg') as Pg;
  return pgModule;
}

export interface PostgresStoreOptions extends SqlStoreOptions {
  /** `postgres://user:password@host:5432/database` (query parameters such as `options` allowed). */
  connectionString: string;
  /**
   * Extra connection settings for both pools, e.g. `{ options: '-c search_path=tenant_a' }`.
   * Settings in the connection string take precedence (that is how `pg` merges them).
   */
  connection?: Omit<pgTypes.PoolConfig, 'connectionString' | 'max' | 'onConnect'>;
  /** Connections for queries. Default 10. */
  poolSize?: number;
  /** Connections that hold conversation locks: at most this many conversations run at once per instance. Default 10. */
  lockPoolSize?: number;
  /** How long a turn waits for a conversation's lock (for a lock connection, then for the lock) before failing. Default 30 s. */
  lockWaitMs?: number;
  /** How long a query waits for a connection. Default 10 s. */
  connectTimeoutMs?: number;
  /** Told about errors of idle connections (the pool drops such a connection and opens another). */
  onConnectionError?: (error: Error) => void;
}

/** The first key of the migration lock (`pg_advisory_xact_lock(int, int)`): "RBOT"; the queue lock's is the next. */
const MIGRATION_LOCK_CLASS = 0x52424f54;
const QUEUE_LOCK_CLASS = 0x52424f55;
const SCHEMA_KEY = sql.raw("hashtext(coalesce(current_schema(), ''))");

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

const UNSTORABLE = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');
const storable = (s: string): string => (UNSTORABLE.test(s) ? s.replace(UNSTORABLE_ALL, '\ufffd') : s);

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

const sqlState = (error: unknown): string | undefined => (error instanceof pgLib().DatabaseError ? error.code : undefined);

/** Take the conversation's advisory lock on a connection of the lock pool (waiting for it if held elsewhere); its release. */
async function lockConversation(lockPool: pgTypes.Pool, conversationId: string): Promise<() => Promise<void>> {
  const client = await lockPool.connect();
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
    const timedOut = sqlState(error) === LOCK_NOT_AVAILABLE;
    lost = !timedOut;
    done();
    if (timedOut) throw new Error(`timed out waiting for the lock of conversation ${conversationId}`, { cause: error });
    throw error;
  }
  return async () => {
    if (!lost) {
      try {
        const { rows } = await client.query<{ released: boolean }>(`SELECT pg_advisory_unlock(${CONVERSATION_LOCK_KEY}) AS released`, [conversationId]);
        // Not held any more means the session is not what we think: do not reuse it.
        if (rows[0]?.released !== true) lost = true;
      } catch {
        // The connection failed: its session, and with it the lock, is gone.
        lost = true;
      }
    }
    done();
  };
}

function postgresEngine(options: PostgresStoreOptions): Engine {
  const lockWaitMs = options.lockWaitMs ?? 30_000;
  const onError = options.onConnectionError ?? (() => {});
  const pool = new (pgLib().Pool)({
    ...options.connection,
    connectionString: options.connectionString,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    application_name: options.connection?.application_name ?? 'returnsbot',
  });
  const lockPool = new (pgLib().Pool)({
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
  pool.on('error', onError);
  lockPool.on('error', onError);
  const db: Db = new Kysely({ dialect: new PostgresDialect({ pool }) });
  const locks = new KeyedMutex();
  let closed = false;
  return {
    name: 'postgres',
    db,
    begin: 'BEGIN',
    placeholder: (n) => `$${n}`,
    forUpdate: sql`FOR UPDATE`,
    nextHandoffChange: sql`nextval('handoff_changes')`,
    jsonText: toJsonText,
    fromJson: (value) => value,
    async reserveLog(conn, conversationId, n) {
      const { rows } = await sql<{ first: number }>`INSERT INTO conversation_log_heads AS h (conversation_id, last_seq) VALUES (${conversationId}, ${n})
        ON CONFLICT (conversation_id) DO UPDATE SET last_seq = h.last_seq + excluded.last_seq
        RETURNING h.last_seq - ${n}::int + 1 AS first`.execute(conn);
      const first = rows[0]?.first;
      if (first === undefined) throw new Error(`no log head for conversation ${conversationId}`);
      return first;
    },
    async lockQueue(conn) {
      await sql`SELECT pg_advisory_xact_lock(${QUEUE_LOCK_CLASS}, ${SCHEMA_KEY})`.execute(conn);
    },
    async lockMigrations(conn) {
      await sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_CLASS}, ${SCHEMA_KEY})`.execute(conn);
    },
    async exec(conn, script) {
      // Without parameters pg runs the text as a simple query: several statements in one go.
      await sql.raw(script).execute(conn);
    },
    durably: (_conn, run) => run(),
    exclusive: (fn) => fn(),
    withConversationLock: (conversationId, fn) =>
      locks.run(conversationId, async () => {
        if (closed) throw new Error('the store is closed');
        const release = await lockConversation(lockPool, conversationId);
        try {
          return await fn();
        } finally {
          await release();
        }
      }),
    isTurnConflict(error) {
      if (!(error instanceof pgLib().DatabaseError)) return false;
      if (error.code === UNIQUE_VIOLATION) return TURN_CONFLICT_CONSTRAINTS.has(error.constraint ?? '');
      return error.code === SERIALIZATION_FAILURE || error.code === DEADLOCK_DETECTED;
    },
    uniqueViolation: (error) => (error instanceof pgLib().DatabaseError && error.code === UNIQUE_VIOLATION ? (error.constraint ?? '') : undefined),
    async close() {
      closed = true;
      await Promise.all([db.destroy(), lockPool.end()]);
    },
  };
}

export class PostgresStore extends SqlStore {
  constructor(options: PostgresStoreOptions) {
    super(postgresEngine(options), POSTGRES_MIGRATIONS, options);
  }
}
