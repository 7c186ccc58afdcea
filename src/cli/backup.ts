/**
 * `returnsbot backup FILE`: a consistent copy of the embedded store, taken while the bot runs.
 *
 * SQLite's online backup (better-sqlite3; `VACUUM INTO` with libsql) copies the database as of one
 * moment while the server keeps answering: nothing is stopped or locked for longer than a page
 * copy. The copy is written next to FILE, checked (`integrity_check`), then renamed over FILE, so
 * FILE is never half-written. FILE may be a folder: the copy is then `returns-<UTC time>.db` in it.
 * The copy is an ordinary store file: to restore, stop the bot and put it at
 * `<RETURNS_DATA_DIR>/returns.db` (removing any `returns.db-wal` and `returns.db-shm` beside it).
 */
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { sqliteFileIn } from '../store/index.js';
import { openSqlite } from '../store/sqlite-binding.js';
import { configFor } from './configuration.js';
import { EXIT_BAD_INPUT, UsageError, writeLines, type Command } from './io.js';

/** `2026-12-30T10:15:00.000Z` → `20261230-101500`. */
const stamp = (at: Date) => at.toISOString().replace(/\..*$/, '').replace(/[-:]/g, '').replace('T', '-');

export const backupCommand: Command = async (args, io) => {
  const [target] = args;
  if (!target || args.length > 1) throw new UsageError('backup: expected `backup FILE` (a new file, or a folder to put the copy in)');
  const config = configFor(io, 'backup');
  if (!config) return EXIT_BAD_INPUT;
  if (config.DATABASE_URL) {
    writeLines(io.stderr, ['backup: this store is PostgreSQL (DATABASE_URL): back it up with pg_dump (see docs/operations.md); `returnsbot backup` copies the embedded SQLite store']);
    return EXIT_BAD_INPUT;
  }
  const source = sqliteFileIn(resolve(io.cwd, config.RETURNS_DATA_DIR));
  if (!existsSync(source)) {
    writeLines(io.stderr, [`backup: no store at ${source} (RETURNS_DATA_DIR=${config.RETURNS_DATA_DIR}): nothing to back up`]);
    return EXIT_BAD_INPUT;
  }
  let file = resolve(io.cwd, target);
  if (existsSync(file) && statSync(file).isDirectory()) file = join(file, `returns-${stamp(io.now())}.db`);
  if (file === source) {
    writeLines(io.stderr, [`backup: expected a file other than the store itself, got ${target}`]);
    return EXIT_BAD_INPUT;
  }
  if (!existsSync(dirname(file))) {
    writeLines(io.stderr, [`backup: expected FILE in an existing folder, got ${target} (no folder ${dirname(file)})`]);
    return EXIT_BAD_INPUT;
  }

  const started = performance.now();
  const partial = join(dirname(file), `.${basename(file)}.partial-${process.pid}`);
  rmSync(partial, { force: true });
  const from = openSqlite(source, { readonly: true, binding: config.RETURNS_SQLITE_BINDING });
  let counts: Record<string, number>;
  try {
    await from.backupTo(partial);
    const copy = openSqlite(partial, { readonly: true, binding: config.RETURNS_SQLITE_BINDING }).db;
    try {
      const integrity = copy.pragma('integrity_check', { simple: true });
      if (integrity !== 'ok') throw new Error(`the copy failed its integrity check: ${String(integrity)}`);
      const count = (table: string) => Number(copy.prepare(`SELECT count(*) FROM ${table}`).pluck().get());
      counts = { conversations: count('conversations'), RMAs: count('rmas'), orders: count('orders') };
    } finally {
      copy.close();
    }
    renameSync(partial, file);
  } catch (e) {
    rmSync(partial, { force: true });
    writeLines(io.stderr, [`backup: could not copy ${source} to ${file}: ${e instanceof Error ? e.message : String(e)}`]);
    return 1;
  } finally {
    from.db.close();
  }
  const summary = Object.entries(counts)
    .map(([what, n]) => `${n} ${n === 1 ? what.replace(/s$/, '') : what}`)
    .join(', ');
  writeLines(io.stdout, [`backed up ${source} to ${file}: ${summary}; ${statSync(file).size} bytes, integrity ok (${from.binding}, ${Math.round(performance.now() - started)} ms)`]);
  return 0;
};
