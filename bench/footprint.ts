/**
 * Bytes stored per conversation, read from the store after a benchmark run (SQLite file or
 * PostgreSQL schema), for the conversations the load generator finished:
 *
 * - snapshot: the conversation row's machine snapshot, as compact JSON (UTF-8 bytes);
 * - dedupe: the processed-activity entries kept for channel retries (activity id + the log range of its replies);
 * - state = snapshot + dedupe: what a conversation keeps to carry on and to answer retries. The
 *   "≤ 8 KB per conversation" goal is compared with this number;
 * - log: the transcript (conversation_log activities, JSON); audit: the audit entries (JSON);
 * - onDisk: the conversation tables with their indexes as the engine stores them (pages or
 *   relation size, so padding and row overhead included), divided by the number of conversations.
 *
 * JSON is re-serialised compactly before counting, so PostgreSQL's jsonb text form (with spaces)
 * counts the same as SQLite's TEXT.
 */
import { openSqlite } from '../src/store/sqlite-binding.js';
import pg from 'pg';

export interface Spread {
  mean: number;
  max: number;
}

export interface Footprint {
  engine: 'sqlite' | 'postgres';
  /** Conversations measured (those the load generator finished) and all conversations stored. */
  conversations: number;
  storedConversations: number;
  snapshotBytes: Spread;
  dedupeBytes: Spread;
  dedupeEntries: Spread;
  stateBytes: Spread;
  logBytes: Spread;
  logEntries: Spread;
  auditBytes: Spread;
  /** Conversation tables and their indexes on disk, per stored conversation. */
  onDiskBytesPerConversation: number;
  /** The same, table by table (bytes in all). */
  onDisk: Record<string, number>;
}

interface Rows {
  conversations: { id: string; snapshot: string }[];
  dedupe: { conversation_id: string; activity_id: string; replies: string }[];
  log: { conversation_id: string; activity: string }[];
  audit: { conversation_id: string; actor: string; action: string; data: string }[];
  onDisk: Record<string, number>;
}

const CONVERSATION_TABLES = ['conversations', 'processed_activities', 'conversation_log', 'conversation_audit'];

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const jsonBytes = (s: string) => bytes(JSON.stringify(JSON.parse(s)));

function spread(values: number[]): Spread {
  return values.length ? { mean: values.reduce((a, b) => a + b, 0) / values.length, max: Math.max(...values) } : { mean: NaN, max: NaN };
}

function summarise(engine: Footprint['engine'], rows: Rows, ids: readonly string[]): Footprint {
  const add = (m: Map<string, number>, k: string, n: number) => m.set(k, (m.get(k) ?? 0) + n);
  const snapshot = new Map<string, number>();
  const dedupe = new Map<string, number>();
  const dedupeN = new Map<string, number>();
  const log = new Map<string, number>();
  const logN = new Map<string, number>();
  const audit = new Map<string, number>();
  for (const r of rows.conversations) snapshot.set(r.id, jsonBytes(r.snapshot));
  for (const r of rows.dedupe) {
    add(dedupe, r.conversation_id, bytes(r.activity_id) + jsonBytes(r.replies));
    add(dedupeN, r.conversation_id, 1);
  }
  for (const r of rows.log) {
    add(log, r.conversation_id, jsonBytes(r.activity));
    add(logN, r.conversation_id, 1);
  }
  for (const r of rows.audit) add(audit, r.conversation_id, bytes(r.actor) + bytes(r.action) + jsonBytes(r.data));
  const measured = ids.filter((id) => snapshot.has(id));
  const of = (m: Map<string, number>) => spread(measured.map((id) => m.get(id) ?? 0));
  const total = Object.values(rows.onDisk).reduce((a, b) => a + b, 0);
  return {
    engine,
    conversations: measured.length,
    storedConversations: rows.conversations.length,
    snapshotBytes: of(snapshot),
    dedupeBytes: of(dedupe),
    dedupeEntries: of(dedupeN),
    stateBytes: spread(measured.map((id) => (snapshot.get(id) ?? 0) + (dedupe.get(id) ?? 0))),
    logBytes: of(log),
    logEntries: of(logN),
    auditBytes: of(audit),
    onDiskBytesPerConversation: rows.conversations.length ? total / rows.conversations.length : NaN,
    onDisk: rows.onDisk,
  };
}

/** Measure a SQLite store file (the server must have stopped, or at least be idle). */
export function sqliteFootprint(file: string, ids: readonly string[]): Footprint {
  const { db } = openSqlite(file, { readonly: true });
  try {
    const onDisk: Record<string, number> = {};
    for (const r of db.prepare('SELECT name, tbl_name AS tbl, sum(pgsize) AS size FROM dbstat JOIN sqlite_schema USING (name) GROUP BY name').all() as { name: string; tbl: string; size: number }[]) {
      if (CONVERSATION_TABLES.includes(r.tbl)) onDisk[r.name] = r.size;
    }
    return summarise(
      'sqlite',
      {
        conversations: db.prepare('SELECT id, snapshot FROM conversations').all() as Rows['conversations'],
        dedupe: db.prepare('SELECT conversation_id, activity_id, json_array(first_seq, reply_count) AS replies FROM processed_activities').all() as Rows['dedupe'],
        log: db.prepare('SELECT conversation_id, activity FROM conversation_log').all() as Rows['log'],
        audit: db.prepare('SELECT conversation_id, actor, action, data FROM conversation_audit').all() as Rows['audit'],
        onDisk,
      },
      ids,
    );
  } finally {
    db.close();
  }
}

/** Measure the conversation tables of a PostgreSQL schema (same table names as the SQLite store). */
export async function postgresFootprint(connectionString: string, schema: string, ids: readonly string[]): Promise<Footprint> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const q = async <T>(sql: string) => (await client.query(sql)).rows as T[];
    const s = client.escapeIdentifier(schema);
    const onDisk: Record<string, number> = {};
    const sizes = await client.query(
      `SELECT c.relname AS name, pg_total_relation_size(c.oid)::float8 AS size FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND c.relname = ANY($2)`,
      [schema, CONVERSATION_TABLES],
    );
    for (const r of sizes.rows as { name: string; size: number }[]) onDisk[r.name] = r.size;
    return summarise(
      'postgres',
      {
        conversations: await q(`SELECT id::text AS id, snapshot::text AS snapshot FROM ${s}.conversations`),
        dedupe: await q(`SELECT conversation_id::text AS conversation_id, activity_id::text AS activity_id, jsonb_build_array(first_seq, reply_count)::text AS replies FROM ${s}.processed_activities`),
        log: await q(`SELECT conversation_id::text AS conversation_id, activity::text AS activity FROM ${s}.conversation_log`),
        audit: await q(`SELECT conversation_id::text AS conversation_id, actor::text AS actor, action::text AS action, data::text AS data FROM ${s}.conversation_audit`),
        onDisk,
      },
      ids,
    );
  } finally {
    await client.end();
  }
}
