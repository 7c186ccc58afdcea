/**
 * A calibrator for the HTTP benchmark, measured in the same run: what one durable commit costs on
 * this machine, one after the other (as turns on one event loop commit), with a payload like a
 * turn's (the snapshot and the replies: two rows of 3 KB).
 *
 * - SQLite in WAL mode with `synchronous = FULL` (the returns bot's setting: every commit synced),
 *   and with `NORMAL` (synced at checkpoints only) for comparison. the SQLite binding (better-sqlite3 or libsql) is synchronous,
 *   so this time blocks the server's event loop: 1000 / ms is a ceiling on turns/s for a server
 *   that commits once per turn on its event loop.
 * - PostgreSQL: one INSERT … COMMIT round-trip at a time (synchronous_commit as the server has it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openSqlite } from '../src/store/sqlite-binding.js';
import pg from 'pg';

const PAYLOAD = 'x'.repeat(3000);

export interface CommitCost {
  /** Milliseconds per commit, and commits per second one after the other. */
  ms: number;
  perSecond: number;
}

function cost(ms: number): CommitCost {
  return { ms, perSecond: 1000 / ms };
}

export function sqliteCommitCost(parent: string, synchronous: 'FULL' | 'NORMAL', commits = 500): CommitCost {
  const dir = mkdtempSync(join(parent, 'commit-'));
  const { db } = openSqlite(join(dir, 'calibrate.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous}`);
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const commit = db.transaction(() => {
      insert.run(PAYLOAD);
      insert.run(PAYLOAD);
    });
    for (let i = 0; i < 50; i++) commit.immediate();
    const t0 = performance.now();
    for (let i = 0; i < commits; i++) commit.immediate();
    return cost((performance.now() - t0) / commits);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** In the schema the connection string's search_path names (created by the caller). */
export async function postgresCommitCost(connectionString: string, commits = 300): Promise<CommitCost> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query('CREATE TABLE bench_commit_cost (id serial PRIMARY KEY, v text NOT NULL)');
    const once = async () => {
      await client.query('BEGIN');
      await client.query('INSERT INTO bench_commit_cost (v) VALUES ($1), ($1)', [PAYLOAD]);
      await client.query('COMMIT');
    };
    for (let i = 0; i < 30; i++) await once();
    const t0 = performance.now();
    for (let i = 0; i < commits; i++) await once();
    const result = cost((performance.now() - t0) / commits);
    await client.query('DROP TABLE bench_commit_cost');
    return result;
  } finally {
    await client.end();
  }
}
