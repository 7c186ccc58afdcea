/**
 * Opening the store the configuration asks for, and the demo data of a first start.
 *
 * Today: the embedded SQLite store (a file under RETURNS_DATA_DIR). PostgreSQL, for several
 * instances, will be `{ databaseUrl }` here (see the `StoreOptions` union and `openStore`).
 */
import { join } from 'node:path';
import type { LocalDate } from '../policy/calendar.js';
import { demoOrders } from './demo-orders.js';
import { SqliteStore } from './sqlite.js';
import type { Store } from './store.js';

export { ConflictError } from './store.js';
export type { AuditEntry, ConversationRecord, LogEntry, RmaRecord, RmaRequest, Store, TurnCommit } from './store.js';

/** The database file's name inside RETURNS_DATA_DIR. */
export const SQLITE_FILE_NAME = 'returns.db';

/**
 * Where the data lives: a data folder (the file is `<dataDir>/returns.db`) or an explicit SQLite
 * file (`:memory:` allowed).
 * TODO(postgres): add `| { databaseUrl: string }` and open a PostgresStore for it in `openStore`.
 */
export type StoreOptions = { dataDir: string } | { file: string };

/** The SQLite file a data folder holds. */
export function sqliteFileIn(dataDir: string): string {
  return join(dataDir, SQLITE_FILE_NAME);
}

/** Open the store and bring its schema up to date (the folder is created if missing). */
export async function openStore(options: StoreOptions): Promise<Store> {
  const file = 'file' in options ? options.file : sqliteFileIn(options.dataDir);
  const store = new SqliteStore({ file });
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

/** Load the demo orders (dated relative to `today`) into a store that has no orders; how many were loaded. */
export async function loadDemoOrdersIfEmpty(store: Store, today: LocalDate): Promise<number> {
  if ((await store.countOrders()) > 0) return 0;
  const orders = demoOrders(today);
  const { added } = await store.importOrders(orders);
  return added;
}
