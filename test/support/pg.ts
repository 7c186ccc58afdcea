/**
 * PostgreSQL for tests: `TEST_DATABASE_URL` (CI sets it; without it the PostgreSQL suites are
 * reported as pending), and a fresh, uniquely named schema per store so parallel runs and leftovers
 * never collide. Schemas are named `rbt_<epoch seconds>_<random>`; ones older than six hours are
 * leftovers of runs that died and are dropped by the next run.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The database the PostgreSQL tests use, or undefined when they must be skipped. */
export const TEST_DATABASE_URL: string | undefined = process.env['TEST_DATABASE_URL']?.trim() || undefined;

const PREFIX = 'rbt_';
const STALE_SECONDS = 6 * 3600;

/** The database URL, or a clear failure (call only from suites that skip without it). */
export function databaseUrl(): string {
  if (!TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is not set');
  return TEST_DATABASE_URL;
}

/** Run `fn` with one short-lived connection. */
export async function withClient<T>(fn: (client: pg.Client) => Promise<T>, url = databaseUrl()): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'returnsbot-tests' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The URL of the test database with `search_path` set to `schema` (pg's `options` parameter). */
export function urlWithSchema(schema: string, url = databaseUrl()): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

/** Create a fresh, empty schema and return its name. */
export async function createSchema(): Promise<string> {
  const name = `${PREFIX}${Math.floor(Date.now() / 1000)}_${randomBytes(5).toString('hex')}`;
  await withClient((c) => c.query(`CREATE SCHEMA ${pg.escapeIdentifier(name)}`));
  return name;
}

export async function dropSchema(name: string): Promise<void> {
  await withClient((c) => c.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(name)} CASCADE`));
}

/** Drop test schemas left behind by runs that died more than six hours ago (never a running one's). */
export async function dropStaleSchemas(): Promise<void> {
  await withClient(async (c) => {
    const { rows } = await c.query<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'rbt\\_%'");
    const cutoff = Math.floor(Date.now() / 1000) - STALE_SECONDS;
    for (const { nspname } of rows) {
      const created = Number(/^rbt_(\d+)_/.exec(nspname)?.[1]);
      if (Number.isFinite(created) && created < cutoff) await c.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(nspname)} CASCADE`);
    }
  });
}

/** The backends holding the advisory lock of a conversation in `schema` (PostgresStore's key). */
export async function conversationLockHolders(schema: string, conversationId: string): Promise<number[]> {
  return withClient(async (c) => {
    const { rows } = await c.query<{ pid: number }>(
      `WITH k AS (SELECT hashtextextended($1::text || '/' || $2::text, 0) AS key)
       SELECT l.pid FROM pg_locks l, k
       WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
         AND l.classid = ((k.key >> 32) & 4294967295)::oid AND l.objid = (k.key & 4294967295)::oid`,
      [schema, conversationId],
    );
    return rows.map((r) => r.pid);
  });
}
