/**
 * The PostgreSQL schema, as an ordered list of migrations. Each is applied once, in its own
 * transaction under an advisory lock (two instances starting together never both apply one), and
 * recorded in `schema_migrations`; never edit one that has shipped: append a new one.
 *
 * Conventions (the same data as the SQLite schema, see ./sqlite.ts): JSON kept as JSONB; timestamps
 * as the ISO 8601 TEXT the caller gives (returned exactly as given, like SQLite); order numbers
 * stored normalised (trimmed, upper case). Everything is created in the connection's current schema
 * (the first one on `search_path`), so one database can hold several independent installations.
 *
 * Differences from SQLite, all internal:
 * - `conversation_log_heads` keeps the last log sequence number per conversation. The upsert on it
 *   row-locks the conversation's head until commit, so two transactions appending to one log (a turn
 *   and an agent message on another instance) take turns instead of both reading the same max(seq).
 * - Audit ids are identity columns (bigint).
 */
import type { Migration } from './sqlite.js';

export type { Migration };

export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    id: '0001-initial',
    sql: `
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
    // of those that still comes is answered as a new activity. Instances still running the previous
    // code fail every turn once this is applied (they write the dropped `replies` column): upgrade
    // by stopping them, not by rolling them over one at a time.
    id: '0002-dedupe-by-log-reference',
    sql: `
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
];
