/**
 * The schema for both engines, as one ordered list of migrations (each with its SQLite and its
 * PostgreSQL text), applied by one runner (./sql-store.ts `migrate`): each once, in its own
 * transaction under the engine's migration lock, recorded in `schema_migrations`. Never edit one
 * that has shipped: append a new one. The same tables on both: SQLite keeps JSON as STRICT TEXT
 * checked with json_valid, PostgreSQL as JSONB in the connection's current schema (one database can
 * hold several installations), ordered text COLLATE "C" (byte order, as SQLite compares).
 * Timestamps are the ISO 8601 TEXT the caller gives; order numbers are stored normalised. Only
 * PostgreSQL has `conversation_log_heads` (log numbers, see ./postgres.ts) and the sequence
 * `handoff_changes` (SQLite takes max + 1 under its write lock).
 */

/** One migration as one engine runs it. */
export interface Migration {
  /** Unique and sortable: applied in order, recorded by id. */
  readonly id: string;
  readonly sql: string;
}

interface EngineMigration {
  readonly id: string;
  readonly sqlite: string;
  readonly postgres: string;
}

export const MIGRATIONS: readonly EngineMigration[] = [
  {
    id: '0001-initial',
    sqlite: `
CREATE TABLE orders (
  order_number TEXT PRIMARY KEY,
  policy TEXT NOT NULL,
  data TEXT NOT NULL CHECK (json_valid(data)),
  imported_at TEXT NOT NULL
) STRICT;

CREATE TABLE conversations (
  id TEXT PRIMARY KEY,
  version INTEGER NOT NULL CHECK (version >= 1),
  machine_version INTEGER NOT NULL,
  snapshot TEXT NOT NULL CHECK (json_valid(snapshot)),
  locale TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE processed_activities (
  conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  activity_id TEXT NOT NULL,
  replies TEXT NOT NULL CHECK (json_valid(replies)),
  at TEXT NOT NULL,
  PRIMARY KEY (conversation_id, activity_id)
) STRICT, WITHOUT ROWID;

-- No foreign key to conversations: agents and proactive sends may log before a first snapshot.
CREATE TABLE conversation_log (
  conversation_id TEXT NOT NULL,
  seq INTEGER NOT NULL CHECK (seq >= 1),
  at TEXT NOT NULL,
  activity TEXT NOT NULL CHECK (json_valid(activity)),
  PRIMARY KEY (conversation_id, seq)
) STRICT, WITHOUT ROWID;

CREATE TABLE conversation_audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  conversation_id TEXT NOT NULL,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  data TEXT NOT NULL CHECK (json_valid(data))
) STRICT;
CREATE INDEX conversation_audit_by_conversation ON conversation_audit (conversation_id, id);

CREATE TABLE rmas (
  rma TEXT PRIMARY KEY,
  order_number TEXT NOT NULL,
  sku TEXT NOT NULL,
  reason TEXT NOT NULL,
  remedy TEXT,
  decision TEXT NOT NULL CHECK (json_valid(decision)),
  conversation_id TEXT,
  issued_by TEXT NOT NULL,
  note TEXT,
  created_at TEXT NOT NULL,
  UNIQUE (order_number, sku, reason)
) STRICT;
CREATE INDEX rmas_by_conversation ON rmas (conversation_id);

CREATE TABLE rma_audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  rma TEXT NOT NULL REFERENCES rmas (rma) ON DELETE CASCADE,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  data TEXT NOT NULL CHECK (json_valid(data))
) STRICT;
CREATE INDEX rma_audit_by_rma ON rma_audit (rma, id);
`,
    postgres: `
CREATE TABLE orders (
  order_number text PRIMARY KEY,
  policy text NOT NULL,
  data jsonb NOT NULL,
  imported_at text NOT NULL
);

CREATE TABLE conversations (
  id text PRIMARY KEY,
  version integer NOT NULL CHECK (version >= 1),
  machine_version integer NOT NULL,
  snapshot jsonb NOT NULL,
  locale text,
  created_at text NOT NULL,
  updated_at text NOT NULL
);

CREATE TABLE processed_activities (
  conversation_id text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  activity_id text NOT NULL,
  replies jsonb NOT NULL,
  at text NOT NULL,
  PRIMARY KEY (conversation_id, activity_id)
);

-- No foreign key to conversations: agents and proactive sends may log before a first snapshot.
CREATE TABLE conversation_log (
  conversation_id text NOT NULL,
  seq integer NOT NULL CHECK (seq >= 1),
  at text NOT NULL,
  activity jsonb NOT NULL,
  PRIMARY KEY (conversation_id, seq)
);

CREATE TABLE conversation_log_heads (
  conversation_id text PRIMARY KEY,
  last_seq integer NOT NULL CHECK (last_seq >= 1)
);

CREATE TABLE conversation_audit (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  conversation_id text NOT NULL,
  at text NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  data jsonb NOT NULL
);
CREATE INDEX conversation_audit_by_conversation ON conversation_audit (conversation_id, id);

CREATE TABLE rmas (
  rma text PRIMARY KEY,
  order_number text NOT NULL,
  sku text NOT NULL,
  reason text NOT NULL,
  remedy text,
  decision jsonb NOT NULL,
  conversation_id text,
  issued_by text NOT NULL,
  note text,
  created_at text NOT NULL,
  CONSTRAINT rmas_one_per_line_and_reason UNIQUE (order_number, sku, reason)
);
CREATE INDEX rmas_by_conversation ON rmas (conversation_id);

CREATE TABLE rma_audit (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  rma text NOT NULL REFERENCES rmas (rma) ON DELETE CASCADE,
  at text NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  data jsonb NOT NULL
);
CREATE INDEX rma_audit_by_rma ON rma_audit (rma, id);
`,
  },
  {
    // Dedupe entries refer to the turn's replies in conversation_log (log entries first_seq …
    // first_seq + reply_count − 1) instead of copying them: the copy was most of a conversation's
    // state. The entries of 0001 are dropped, not converted: they only served channel retries of
    // activities answered before the upgrade (a channel retries within seconds), and a retry of one
    // of those that still comes is answered as a new activity. Processes still running the previous
    // code fail every turn once this is applied (they write the dropped `replies` column): upgrade
    // by stopping them, not by rolling them over one at a time.
    id: '0002-dedupe-by-log-reference',
    sqlite: `
DROP TABLE processed_activities;

-- first_seq is NULL exactly when the turn had no replies (reply_count 0).
CREATE TABLE processed_activities (
  conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  activity_id TEXT NOT NULL,
  first_seq INTEGER CHECK (first_seq >= 1),
  reply_count INTEGER NOT NULL CHECK (reply_count >= 0),
  at TEXT NOT NULL,
  PRIMARY KEY (conversation_id, activity_id),
  CHECK ((reply_count = 0) = (first_seq IS NULL))
) STRICT, WITHOUT ROWID;
`,
    postgres: `
DROP TABLE processed_activities;

-- first_seq is NULL exactly when the turn had no replies (reply_count 0).
CREATE TABLE processed_activities (
  conversation_id text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  activity_id text NOT NULL,
  first_seq integer CHECK (first_seq >= 1),
  reply_count integer NOT NULL CHECK (reply_count >= 0),
  at text NOT NULL,
  PRIMARY KEY (conversation_id, activity_id),
  CHECK ((reply_count = 0) = (first_seq IS NULL))
);
`,
  },
  {
    // Files customers send (photos of a fault or damage), kept whole in the database (bytea), and
    // named secrets every instance shares (the Direct Line token signing key). Only adds tables:
    // instances still running the previous code are unaffected, so they can be rolled over.
    id: '0003-attachments-and-secrets',
    sqlite: `
-- No foreign key to conversations: a file may come before the conversation's first snapshot.
-- Listed oldest first by at, then rowid (the order they were saved).
CREATE TABLE attachments (
  id TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL,
  name TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size INTEGER NOT NULL CHECK (size >= 0),
  bytes BLOB NOT NULL,
  at TEXT NOT NULL,
  uploaded_by TEXT NOT NULL,
  CHECK (length(bytes) = size)
) STRICT;
CREATE INDEX attachments_by_conversation ON attachments (conversation_id, at);

CREATE TABLE secrets (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL CHECK (value <> ''),
  created_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;
`,
    postgres: `
-- No foreign key to conversations: a file may come before the conversation's first snapshot.
-- Listed oldest first by at, then seq (the order they were saved). Files larger than about 2 kB are
-- kept out of line (TOAST), uncompressed (photos are compressed already): listings never read them.
CREATE TABLE attachments (
  id text PRIMARY KEY,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  conversation_id text NOT NULL,
  name text NOT NULL,
  content_type text NOT NULL,
  size integer NOT NULL CHECK (size >= 0),
  bytes bytea NOT NULL,
  at text NOT NULL,
  uploaded_by text NOT NULL,
  CHECK (octet_length(bytes) = size)
);
ALTER TABLE attachments ALTER COLUMN bytes SET STORAGE EXTERNAL;
CREATE INDEX attachments_by_conversation ON attachments (conversation_id, at, seq);

CREATE TABLE secrets (
  name text PRIMARY KEY,
  value text NOT NULL CHECK (value <> ''),
  created_at text NOT NULL
);
`,
  },
  {
    // Hand-over to people (the queue, in the database so it survives restarts and is shared by
    // every instance), staff accounts (their access keys as hashes only) and where staff on other
    // channels can be reached. Only adds tables: instances still running the previous code are
    // unaffected, so they can be rolled over.
    id: '0004-handoffs-and-staff',
    sqlite: `
-- One row per conversation: its latest hand-over (re-opening one that ended overwrites it).
-- change_seq orders "most recently changed": one more than the largest in the table on every change
-- (writes are serialised by the database's write lock).
CREATE TABLE handoffs (
  conversation_id TEXT PRIMARY KEY,
  status TEXT NOT NULL CHECK (status IN ('queued', 'active', 'released', 'closed', 'left')),
  reason TEXT NOT NULL,
  channel_id TEXT NOT NULL,
  queued_at TEXT NOT NULL,
  taken_at TEXT,
  agent TEXT,
  ended_at TEXT,
  summary TEXT NOT NULL CHECK (json_valid(summary) AND json_type(summary) = 'object'),
  reference TEXT CHECK (reference IS NULL OR (json_valid(reference) AND json_type(reference) = 'object')),
  version INTEGER NOT NULL CHECK (version >= 1),
  change_seq INTEGER NOT NULL,
  CHECK (status NOT IN ('queued', 'active') OR ended_at IS NULL),
  CHECK (status <> 'queued' OR (agent IS NULL AND taken_at IS NULL)),
  CHECK (status <> 'active' OR (agent IS NOT NULL AND taken_at IS NOT NULL))
) STRICT;
CREATE INDEX handoffs_queue ON handoffs (status, queued_at, conversation_id);
CREATE UNIQUE INDEX handoffs_by_change ON handoffs (change_seq);
CREATE INDEX handoffs_by_agent ON handoffs (agent, change_seq);

-- A name is unique among active agents (removed_at NULL); a removed agent's name can be added again.
CREATE TABLE agents (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL CHECK (name <> ''),
  display_name TEXT NOT NULL,
  key_hash TEXT NOT NULL CHECK (key_hash <> ''),
  created_at TEXT NOT NULL,
  removed_at TEXT
) STRICT;
CREATE UNIQUE INDEX agents_active_name ON agents (name) WHERE removed_at IS NULL;
CREATE UNIQUE INDEX agents_active_key ON agents (key_hash) WHERE removed_at IS NULL;

CREATE TABLE staff_references (
  staff_id TEXT PRIMARY KEY,
  reference TEXT NOT NULL CHECK (json_valid(reference) AND json_type(reference) = 'object'),
  at TEXT NOT NULL
) STRICT, WITHOUT ROWID;
`,
    postgres: `
-- One row per conversation: its latest hand-over (re-opening one that ended overwrites it). The
-- queue is ordered by queued_at, then conversation_id, compared byte by byte (COLLATE "C", as SQLite
-- does) whatever the database's collation. change_seq orders "most recently changed": a new value
-- from handoff_changes on every change.
CREATE SEQUENCE handoff_changes;
CREATE TABLE handoffs (
  conversation_id text COLLATE "C" PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('queued', 'active', 'released', 'closed', 'left')),
  reason text NOT NULL,
  channel_id text NOT NULL,
  queued_at text COLLATE "C" NOT NULL,
  taken_at text,
  agent text,
  ended_at text,
  summary jsonb NOT NULL CHECK (jsonb_typeof(summary) = 'object'),
  reference jsonb CHECK (reference IS NULL OR jsonb_typeof(reference) = 'object'),
  version integer NOT NULL CHECK (version >= 1),
  change_seq bigint NOT NULL DEFAULT nextval('handoff_changes'),
  CHECK (status NOT IN ('queued', 'active') OR ended_at IS NULL),
  CHECK (status <> 'queued' OR (agent IS NULL AND taken_at IS NULL)),
  CHECK (status <> 'active' OR (agent IS NOT NULL AND taken_at IS NOT NULL))
);
ALTER SEQUENCE handoff_changes OWNED BY handoffs.change_seq;
CREATE INDEX handoffs_queue ON handoffs (status, queued_at, conversation_id);
CREATE INDEX handoffs_by_change ON handoffs (change_seq);
CREATE INDEX handoffs_by_agent ON handoffs (agent, change_seq);

-- A name is unique among active agents (removed_at NULL); a removed agent's name can be added again.
CREATE TABLE agents (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL CHECK (name <> ''),
  display_name text NOT NULL,
  key_hash text NOT NULL CHECK (key_hash <> ''),
  created_at text NOT NULL,
  removed_at text
);
CREATE UNIQUE INDEX agents_active_name ON agents (name) WHERE removed_at IS NULL;
CREATE UNIQUE INDEX agents_active_key ON agents (key_hash) WHERE removed_at IS NULL;

CREATE TABLE staff_references (
  staff_id text PRIMARY KEY,
  reference jsonb NOT NULL CHECK (jsonb_typeof(reference) = 'object'),
  at text NOT NULL
);
`,
  },
  {
    // Failed proofs of ownership per key (an order, a conversation), shared by every instance, so
    // that no restart, new conversation or second instance gives more guesses; and an index that adds
    // up the size of the stored photos without reading them (the storage budget). Times compare byte
    // by byte (COLLATE "C", as SQLite does). Only adds a table and an index: instances still running
    // the previous code are unaffected, so they can be rolled over.
    id: '0005-proof-failures',
    sqlite: `
CREATE TABLE proof_failures (
  key TEXT PRIMARY KEY CHECK (key <> ''),
  failures INTEGER NOT NULL CHECK (failures >= 1),
  window_start TEXT NOT NULL,
  last_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX proof_failures_by_window ON proof_failures (window_start);
CREATE INDEX attachments_by_size ON attachments (size);
`,
    postgres: `
CREATE TABLE proof_failures (
  key text COLLATE "C" PRIMARY KEY CHECK (key <> ''),
  failures integer NOT NULL CHECK (failures >= 1),
  window_start text COLLATE "C" NOT NULL,
  last_at text NOT NULL
);
CREATE INDEX proof_failures_by_window ON proof_failures (window_start);
CREATE INDEX attachments_by_size ON attachments (size);
`,
  },
  {
    // An RMA's status (issued → received → completed: once staff have the item the remedy is
    // fixed) and the facts its decision used, each with its value and source (order, customer,
    // staff). Only adds columns with defaults: instances still running the previous code are
    // unaffected (their RMAs are issued, with no facts recorded), so they can be rolled over.
    id: '0006-rma-status-and-facts',
    sqlite: `
ALTER TABLE rmas ADD COLUMN status TEXT NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'received', 'completed'));
ALTER TABLE rmas ADD COLUMN facts TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(facts) AND json_type(facts) = 'object');
`,
    postgres: `
ALTER TABLE rmas ADD COLUMN status text NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'received', 'completed'));
ALTER TABLE rmas ADD COLUMN facts jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(facts) = 'object');
`,
  },
];

export const SQLITE_MIGRATIONS: readonly Migration[] = MIGRATIONS.map((m) => ({ id: m.id, sql: m.sqlite }));
export const POSTGRES_MIGRATIONS: readonly Migration[] = MIGRATIONS.map((m) => ({ id: m.id, sql: m.postgres }));
