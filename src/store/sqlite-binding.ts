/**
 * The SQLite binding under the embedded store, chosen by the Node.js that runs it:
 *
 * - **better-sqlite3 13** on Node ≥ 22 (the default there). Node-API, with prebuilt binaries inside
 *   its npm package: nothing is compiled at install, and one binary serves every Node version (no
 *   rebuild after a Node upgrade). better-sqlite3 12 and older are built against one Node's own
 *   headers and abort on Node 24 (`Assertion failed: (env) != nullptr` when a garbage-collected
 *   statement is destroyed); 13 does not, but it crashes on Node 20.
 * - **libsql 0.5** on Node 20 (the default there): better-sqlite3's API over Node-API binaries
 *   prebuilt in per-platform npm packages. Its few gaps are filled here: `pluck().get()`, the
 *   `_metadata` it adds to rows, `pragma(…, { simple: true })`, read-only connections and `backup`
 *   (done with `VACUUM INTO`).
 *
 * `RETURNS_SQLITE_BINDING` picks one explicitly. Both speak the subset below, which is also what
 * Kysely's `SqliteDialect` asks of a database (`prepare`, `reader`, `all`, `run`, `iterate`, `close`).
 * Both are synchronous: a statement runs to completion before any other JavaScript.
 */
import { createRequire } from 'node:module';

export const SQLITE_BINDINGS = ['better-sqlite3', 'libsql'] as const;
export type SqliteBindingName = (typeof SQLITE_BINDINGS)[number];
/** What RETURNS_SQLITE_BINDING may say: a binding, or `auto` (by the Node version). */
export type SqliteBindingChoice = SqliteBindingName | 'auto';

export interface SqliteRunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

/** A prepared statement (better-sqlite3's API). `pluck()` makes `get`/`all` return the first column. */
export interface SqliteStatement<P extends unknown[] = unknown[], R = unknown> {
  readonly reader: boolean;
  run(...params: P): SqliteRunResult;
  get(...params: P): R | undefined;
  all(...params: P): R[];
  iterate(...params: P): IterableIterator<R>;
  pluck(toggle?: boolean): this;
}

export interface SqliteTransaction<A extends unknown[], T> {
  (...args: A): T;
  /** In a `BEGIN IMMEDIATE` transaction: the write lock is taken at once. */
  immediate(...args: A): T;
}

export interface SqliteDatabase {
  readonly open: boolean;
  prepare<P extends unknown[] = unknown[], R = unknown>(sql: string): SqliteStatement<P, R>;
  exec(sql: string): void;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  /** `fn` in one transaction: committed when it returns, rolled back when it throws. */
  transaction<A extends unknown[], T>(fn: (...args: A) => T): SqliteTransaction<A, T>;
  close(): void;
}

/** An open connection, with the binding it runs on and a consistent online copy to a new file. */
export interface SqliteConnection {
  readonly db: SqliteDatabase;
  readonly binding: SqliteBindingName;
  /**
   * Copy the whole database, as of one moment, to `file` (which must not exist) while other
   * connections and processes keep reading and writing: SQLite's online backup API with
   * better-sqlite3, `VACUUM INTO` with libsql.
   */
  backupTo(file: string): Promise<void>;
}

export interface OpenSqliteOptions {
  /** Milliseconds to wait for another connection's lock (busy_timeout). Default 5000. */
  timeoutMs?: number;
  /** Open for reading only. */
  readonly?: boolean;
  /** Default `auto`: {@link defaultSqliteBinding}. */
  binding?: SqliteBindingChoice;
  /** The Node.js version to choose for (tests); default the running one. */
  nodeVersion?: string;
}

/** A binding that cannot run here, or failed to load: the message says why and what to do. */
export class SqliteBindingError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SqliteBindingError';
  }
}

const nodeMajor = (version: string): number => Number(version.replace(/^v/, '').split('.')[0]);

/** The bindings that run on this Node version (better-sqlite3 13 needs Node ≥ 22). */
export function usableSqliteBindings(nodeVersion = process.versions.node): SqliteBindingName[] {
  return nodeMajor(nodeVersion) >= 22 ? ['better-sqlite3', 'libsql'] : ['libsql'];
}

/** better-sqlite3 on Node ≥ 22, libsql before. */
export function defaultSqliteBinding(nodeVersion = process.versions.node): SqliteBindingName {
  return usableSqliteBindings(nodeVersion)[0]!;
}

/** `auto` resolved; a binding that cannot run on this Node is refused with what to do instead. */
export function resolveSqliteBinding(choice: SqliteBindingChoice = 'auto', nodeVersion = process.versions.node): SqliteBindingName {
  if (choice === 'auto') return defaultSqliteBinding(nodeVersion);
  if (!usableSqliteBindings(nodeVersion).includes(choice)) {
    throw new SqliteBindingError(
      `RETURNS_SQLITE_BINDING=${choice} needs Node.js 22 or later (better-sqlite3 13 crashes on Node ${nodeVersion}); ` +
        'use RETURNS_SQLITE_BINDING=libsql (or leave it unset) on this Node, or run Node 22 or 24',
    );
  }
  return choice;
}

const require = createRequire(import.meta.url);
type Constructor = new (file: string, options?: Record<string, unknown>) => unknown;
const loaded = new Map<SqliteBindingName, Constructor>();

/** The binding's Database class, loaded once (a native module failing to load says which and why). */
function load(name: SqliteBindingName): Constructor {
  let ctor = loaded.get(name);
  if (!ctor) {
    try {
      ctor = require(name) as Constructor;
    } catch (error) {
      throw new SqliteBindingError(
        `the SQLite binding ${name} could not be loaded on Node ${process.versions.node} (${process.platform}-${process.arch}): ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    loaded.set(name, ctor);
  }
  return ctor;
}

/** The file Node loads for the binding (a worker thread opening its own connection loads the same). */
export function sqliteBindingModule(name: SqliteBindingName): string {
  return require.resolve(name);
}

/** Open (and create, unless read-only) an SQLite database file, or `:memory:`. */
export function openSqlite(file: string, options: OpenSqliteOptions = {}): SqliteConnection {
  const binding = resolveSqliteBinding(options.binding, options.nodeVersion);
  const timeout = options.timeoutMs ?? 5000;
  const Database = load(binding);
  if (binding === 'better-sqlite3') {
    const db = new Database(file, { timeout, readonly: options.readonly ?? false }) as SqliteDatabase & { backup(file: string): Promise<unknown> };
    return {
      db,
      binding,
      async backupTo(target) {
        await db.backup(target);
      },
    };
  }
  const db = new LibsqlDatabase(new Database(file, { timeout }) as LibsqlNative);
  if (options.readonly) db.exec('PRAGMA query_only = ON');
  return {
    db,
    binding,
    async backupTo(target) {
      // VACUUM INTO writes only the new file, but query_only (a read-only connection) forbids it.
      if (options.readonly) db.exec('PRAGMA query_only = OFF');
      try {
        db.prepare('VACUUM INTO ?').run(target);
      } finally {
        if (options.readonly) db.exec('PRAGMA query_only = ON');
      }
    },
  };
}

// ---- libsql: better-sqlite3's API where libsql 0.5 differs ------------------------------------

interface LibsqlNativeStatement {
  readonly reader: boolean;
  run(...params: unknown[]): SqliteRunResult;
  get(...params: unknown[]): Record<string, unknown> | undefined;
  all(...params: unknown[]): unknown[];
  iterate(...params: unknown[]): IterableIterator<unknown>;
  pluck(toggle?: boolean): unknown;
}

interface LibsqlNative {
  readonly open: boolean;
  prepare(sql: string): LibsqlNativeStatement;
  exec(sql: string): void;
  transaction<A extends unknown[], T>(fn: (...args: A) => T): SqliteTransaction<A, T>;
  close(): void;
}

/** libsql's `get` adds a `_metadata` (timing) property to every row; it is not a column. */
function withoutMetadata(row: Record<string, unknown>): Record<string, unknown> {
  if (!('_metadata' in row)) return row;
  const { _metadata: _ignored, ...columns } = row;
  return columns;
}

class LibsqlStatement<P extends unknown[], R> implements SqliteStatement<P, R> {
  #plucked = false;
  readonly #native: LibsqlNativeStatement;

  constructor(native: LibsqlNativeStatement) {
    this.#native = native;
  }

  get reader(): boolean {
    return this.#native.reader;
  }

  run(...params: P): SqliteRunResult {
    return this.#native.run(...params);
  }

  get(...params: P): R | undefined {
    const row = this.#native.get(...params);
    if (row === undefined) return undefined;
    const columns = withoutMetadata(row);
    // The first column, as better-sqlite3's pluck gives it (libsql's `get` ignores pluck).
    return (this.#plucked ? columns[Object.keys(columns)[0]!] : columns) as R;
  }

  all(...params: P): R[] {
    return this.#native.all(...params) as R[];
  }

  iterate(...params: P): IterableIterator<R> {
    return this.#native.iterate(...params) as IterableIterator<R>;
  }

  pluck(toggle = true): this {
    this.#plucked = toggle;
    this.#native.pluck(toggle);
    return this;
  }
}

class LibsqlDatabase implements SqliteDatabase {
  readonly #native: LibsqlNative;

  constructor(native: LibsqlNative) {
    this.#native = native;
  }

  get open(): boolean {
    return this.#native.open;
  }

  prepare<P extends unknown[] = unknown[], R = unknown>(sql: string): SqliteStatement<P, R> {
    return new LibsqlStatement<P, R>(this.#native.prepare(sql));
  }

  exec(sql: string): void {
    this.#native.exec(sql);
  }

  pragma(source: string, options: { simple?: boolean } = {}): unknown {
    const statement = this.prepare(`PRAGMA ${source}`);
    return options.simple ? statement.pluck().get() : statement.all();
  }

  transaction<A extends unknown[], T>(fn: (...args: A) => T): SqliteTransaction<A, T> {
    return this.#native.transaction(fn);
  }

  close(): void {
    this.#native.close();
  }
}
