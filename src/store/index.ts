/**
 * Opening the store the configuration asks for, and the demo data of a first start.
 *
 * The embedded SQLite store (a file under RETURNS_DATA_DIR), or PostgreSQL (`DATABASE_URL`) for
 * several instances of the bot sharing one database.
 */
import { join, resolve } from 'node:path';
import type { LocalDate } from '../policy/calendar.js';
import { demoOrders } from './demo-orders.js';
import { PostgresStore } from './postgres.js';
import { SqliteStore } from './sqlite.js';
import type { SqliteBindingChoice } from './sqlite-binding.js';
import type { Store } from './store.js';

export { ConflictError, DuplicateAgentError, DuplicateAttachmentError, HANDOFF_STATUSES } from './store.js';
export type {
  AgentAccount,
  AttachmentStore,
  ConversationStore,
  HandoffQueue,
  OrderStore,
  ProofFailureStore,
  RmaStore,
  SecretStore,
  StaffStore,
  StoreLifecycle,
  AgentRecord,
  Attachment,
  AttachmentInfo,
  AuditEntry,
  ConversationRecord,
  EndHandoffResult,
  HandoffEnd,
  HandoffEndedBy,
  HandoffFilter,
  HandoffRecord,
  HandoffStatus,
  LogEntry,
  NewAgent,
  NewAttachment,
  NewHandoff,
  RmaRecord,
  RmaRequest,
  StaffReference,
  Store,
  TakeHandoffResult,
  TurnCommit,
} from './store.js';

/** The database file's name inside RETURNS_DATA_DIR. */
export const SQLITE_FILE_NAME = 'returns.db';

/**
 * Where the data lives: a data folder (the file is `<dataDir>/returns.db`), an explicit SQLite
 * file (`:memory:` allowed), or a PostgreSQL database (`postgres://…`); for SQLite, the binding
 * (RETURNS_SQLITE_BINDING, default `auto`: see `sqlite-binding.ts`).
 */
export type StoreOptions = ({ dataDir: string } | { file: string } | { databaseUrl: string }) & {
  sqliteBinding?: SqliteBindingChoice;
  /** The time of what the store stamps itself (imports, migrations, secrets); default the system clock. */
  clock?: () => Date;
  /** SQLite: checkpoint the WAL from a worker thread, off the event loop (a server; see ./checkpointer.ts). */
  backgroundCheckpoints?: boolean;
};

/**
 * The store the configuration asks for: PostgreSQL when DATABASE_URL is set, else SQLite under
 * RETURNS_DATA_DIR (resolved against `cwd` when given).
 */
export function storeOptionsFrom(config: { DATABASE_URL?: string | undefined; RETURNS_DATA_DIR: string; RETURNS_SQLITE_BINDING?: SqliteBindingChoice }, cwd?: string): StoreOptions {
  if (config.DATABASE_URL) return { databaseUrl: config.DATABASE_URL };
  const dataDir = cwd === undefined ? config.RETURNS_DATA_DIR : resolve(cwd, config.RETURNS_DATA_DIR);
  const binding = config.RETURNS_SQLITE_BINDING;
  return binding && binding !== 'auto' ? { dataDir, sqliteBinding: binding } : { dataDir };
}

/** The SQLite file a data folder holds. */
export function sqliteFileIn(dataDir: string): string {
  return join(dataDir, SQLITE_FILE_NAME);
}

/** Open the store and bring its schema up to date (an SQLite file's folder is created if missing). */
export async function openStore(options: StoreOptions): Promise<Store> {
  const store: Store =
    'databaseUrl' in options
      ? new PostgresStore({ connectionString: options.databaseUrl, clock: options.clock })
      : new SqliteStore({
          file: 'file' in options ? options.file : sqliteFileIn(options.dataDir),
          binding: options.sqliteBinding ?? 'auto',
          clock: options.clock,
          backgroundCheckpoints: options.backgroundCheckpoints,
        });
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
