/**
 * The SQLite schema, as an ordered list of migrations. Each is applied once, in its own
 * transaction, and recorded in `schema_migrations`; never edit one that has shipped: append a new one.
 *
 * Conventions: STRICT tables; JSON kept as TEXT (checked with json_valid); timestamps as ISO 8601
 * TEXT given by the caller; order numbers stored normalised (trimmed, upper case).
 */
export interface Migration {
  /** Unique and sortable: applied in array order, recorded by id. */
  readonly id: string;
  readonly sql: string;
}

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    id: '0001-initial',
    sql: `
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
    sql: `
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
  },
];
