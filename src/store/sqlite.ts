/**
 * The embedded store: one SQLite file under RETURNS_DATA_DIR, through the binding `sqlite-binding.ts`
 * chooses (better-sqlite3 on Node ≥ 22, libsql on Node 20; the same API), under Kysely's
 * `SqliteDialect`. This file is SQLite's {@link Engine} hook; the store itself is ./sql-store.ts.
 *
 * The binding is synchronous and Kysely runs one query at a time on the one connection, so a
 * transaction's statements run with no other statement of this process in between. Every write
 * transaction is `BEGIN IMMEDIATE` (it takes the write lock at once, so two processes sharing the
 * file wait for each other for up to `busy_timeout` instead of failing on a lock upgrade); that lock
 * is also what makes a change's read-decide-write atomic, and what orders max + 1 sequence numbers.
 * Statements are prepared once per connection (a cache under Kysely's driver). Connections of one
 * process on one file take turns to write (a wait for the write lock would block the thread).
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
import { Kysely, SqliteDialect, sql } from 'kysely';
import { KeyedMutex } from './keyed-mutex.js';
import { SQLITE_MIGRATIONS } from './migrations.js';
import { startCheckpointer, type Checkpointer } from './checkpointer.js';
import { openSqlite, sqliteBindingModule, type SqliteBindingChoice, type SqliteBindingName, type SqliteDatabase, type SqliteStatement } from './sqlite-binding.js';
import { SqlStore, type Db, type Engine, type SqlStoreOptions } from './sql-store.js';

export interface SqliteStoreOptions extends SqlStoreOptions {
  /** The database file (its folder is created if missing), or `:memory:`. */
  file: string;
  /** Milliseconds to wait for another process's write lock (SQLite busy_timeout). Default 5000. */
  busyTimeoutMs?: number;
  /** The SQLite binding (RETURNS_SQLITE_BINDING); default `auto`, by the Node version. */
  binding?: SqliteBindingChoice;
  /**
   * Checkpoint the WAL from a worker thread instead of inside commits (./checkpointer.ts): for a
   * long-running server. Off by default (a command that runs and exits keeps SQLite's own).
   */
  backgroundCheckpoints?: boolean;
}

/** SQLite's default automatic checkpoint (pages of WAL), restored if the background one fails. */
const AUTO_CHECKPOINT_PAGES = 1000;
/**
 * With background checkpoints, the automatic one stays as a backstop, for a WAL the worker did not
 * get to restart (another process writing to the file, say): 10,000 pages (40 MB).
 */
const BACKSTOP_CHECKPOINT_PAGES = 10_000;

/** PRAGMA synchronous levels (see the header): NORMAL for the connection, FULL for issueRma. */
const SYNCHRONOUS_NORMAL = 1;
const SYNCHRONOUS_FULL = 2;

/** `:memory:` and `''` (a private temporary database) have no file of their own. */
const isMemory = (file: string): boolean => file === '' || file === ':memory:';

/** The connection as Kysely's driver asks for it, each statement prepared once. */
function preparedOnce(db: SqliteDatabase): { prepare(sql: string): SqliteStatement<[readonly unknown[]]>; close(): void } {
  const statements = new Map<string, SqliteStatement<[readonly unknown[]]>>();
  const prepared = (text: string) => statements.get(text) ?? statements.set(text, db.prepare(text)).get(text)!;
  return {
    prepare: prepared,
    close() {
      statements.clear();
      if (db.open) db.close();
    },
  };
}

/**
 * Writes of this process, per database file: a connection waiting for another's write lock blocks
 * the thread (the binding is synchronous), so the holder could never finish; they take turns here.
 */
const processWrites = new KeyedMutex();
let memoryDatabases = 0;

/** The key of a file's writes in {@link processWrites} (each memory database is its own). */
const writesKey = (file: string): string => (isMemory(file) ? `:memory:${++memoryDatabases}` : file);

function sqliteEngine(raw: SqliteDatabase, file: string): Engine {
  const writes = writesKey(file);
  const db: Db = new Kysely({ dialect: new SqliteDialect({ database: preparedOnce(raw) }) });
  const locks = new KeyedMutex();
  const pragma = (text: string) => sql.raw(`PRAGMA ${text}`);
  return {
    name: 'sqlite',
    db,
    begin: 'BEGIN IMMEDIATE',
    placeholder: () => '?',
    forUpdate: sql``,
    nextHandoffChange: sql`(SELECT coalesce(max(change_seq), 0) + 1 FROM handoffs)`,
    jsonText: (value) => ({ text: JSON.stringify(value ?? null), cleaned: false }),
    fromJson: (value) => (typeof value === 'string' ? (JSON.parse(value) as unknown) : value),
    async reserveLog(conn, conversationId) {
      const { rows } = await sql<{ first: number }>`SELECT coalesce(max(seq), 0) + 1 AS first FROM conversation_log WHERE conversation_id = ${conversationId}`.execute(conn);
      return rows[0]?.first ?? 1;
    },
    lockQueue: async () => {},
    lockMigrations: async () => {},
    async exec(_conn, script) {
      // Inside the transaction the caller holds on the one connection.
      raw.exec(script);
    },
    async durably(conn, run) {
      // The pragma cannot change inside a transaction: set before it, restored after it, whatever happens.
      await pragma(`synchronous = ${SYNCHRONOUS_FULL}`).execute(conn);
      try {
        return await run();
      } finally {
        await pragma(`synchronous = ${SYNCHRONOUS_NORMAL}`).execute(conn);
      }
    },
    exclusive: (fn) => processWrites.run(writes, fn),
    withConversationLock: (conversationId, fn) => locks.run(conversationId, fn),
    isTurnConflict: () => false,
    uniqueViolation: (error) => (error instanceof Error && /^UNIQUE constraint failed/.test(error.message) ? error.message : undefined),
    close: () => db.destroy(),
  };
}

export class SqliteStore extends SqlStore {
  /** The database file (absolute), or `:memory:`. */
  readonly file: string;
  /** The SQLite binding this connection runs on. */
  readonly binding: SqliteBindingName;
  readonly #raw: SqliteDatabase;

  constructor(options: SqliteStoreOptions) {
    const file = isMemory(options.file) ? options.file : resolve(options.file);
    if (!isMemory(file)) mkdirSync(dirname(file), { recursive: true });
    const connection = openSqlite(file, { timeoutMs: options.busyTimeoutMs ?? 5000, binding: options.binding });
    connection.db.pragma('journal_mode = WAL');
    connection.db.pragma('foreign_keys = ON');
    // Turns are durable across process crashes; issueRma syncs (see the header).
    connection.db.pragma(`synchronous = ${SYNCHRONOUS_NORMAL}`);
    super(sqliteEngine(connection.db, file), SQLITE_MIGRATIONS, options);
    this.file = file;
    this.binding = connection.binding;
    this.#raw = connection.db;
    if (options.backgroundCheckpoints && !isMemory(file)) this.#checkpointInBackground();
  }

  readonly #checkpoints: { current: Checkpointer | null } = { current: null };

  #checkpointInBackground(): void {
    const raw = this.#raw;
    raw.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
    this.#checkpoints.current = startCheckpointer({
      file: this.file,
      modulePath: sqliteBindingModule(this.binding),
      quiet: (fn) => processWrites.run(writesKey(this.file), fn),
      onFailure: () => {
        this.#checkpoints.current = null;
        if (raw.open) raw.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
      },
    });
  }

  /** Whether the WAL is checkpointed by the background worker now (else inside commits, by SQLite). */
  get checkpointsInBackground(): boolean {
    return this.#checkpoints.current !== null;
  }

  override async close(): Promise<void> {
    const checkpointer = this.#checkpoints.current;
    this.#checkpoints.current = null;
    await checkpointer?.stop();
    await super.close();
  }

  /**
   * The connection's settings that matter for safety (for diagnostics and tests): `synchronous` is
   * the level in effect now (1 = NORMAL, what turns commit with; 2 = FULL while issueRma runs), and
   * `rmaSynchronous` the level issueRma's transactions run with.
   */
  settings(): { journalMode: string; foreignKeys: boolean; busyTimeoutMs: number; synchronous: number; rmaSynchronous: number } {
    const read = (name: string): unknown => this.#raw.pragma(name, { simple: true });
    return {
      journalMode: String(read('journal_mode')),
      foreignKeys: Number(read('foreign_keys')) === 1,
      busyTimeoutMs: Number(read('busy_timeout')),
      synchronous: Number(read('synchronous')),
      rmaSynchronous: SYNCHRONOUS_FULL,
    };
  }
}
