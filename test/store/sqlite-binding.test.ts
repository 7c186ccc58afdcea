/**
 * The SQLite bindings under the embedded store (better-sqlite3 on Node ≥ 22, libsql on Node 20):
 * each binding that runs on this Node speaks the same API, and neither aborts the process when
 * the statements it prepared are garbage-collected (better-sqlite3 12 did, on Node 24).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { ROOT } from '../../src/paths.js';
import { defaultSqliteBinding, openSqlite, resolveSqliteBinding, SqliteBindingError, usableSqliteBindings, type SqliteDatabase } from '../../src/store/sqlite-binding.js';

describe('SQLite bindings', function () {
  it('chooses better-sqlite3 on Node 22 and later, libsql on Node 20', function () {
    expect(defaultSqliteBinding('20.19.0')).to.equal('libsql');
    expect(defaultSqliteBinding('22.13.0')).to.equal('better-sqlite3');
    expect(defaultSqliteBinding('24.11.0')).to.equal('better-sqlite3');
    expect(resolveSqliteBinding('auto', '20.20.2')).to.equal('libsql');
    expect(resolveSqliteBinding('libsql', '24.11.0')).to.equal('libsql');
    expect(usableSqliteBindings('20.20.2')).to.deep.equal(['libsql']);
  });

  it('refuses better-sqlite3 on Node 20 (it crashes there), saying what to do instead', function () {
    expect(() => resolveSqliteBinding('better-sqlite3', '20.20.2')).to.throw(SqliteBindingError, /needs Node.js 22 or later.*RETURNS_SQLITE_BINDING=libsql/);
  });

  for (const binding of usableSqliteBindings()) {
    describe(`${binding} on Node ${process.versions.node}`, function () {
      let dir: string;
      let db: SqliteDatabase;

      beforeEach(function () {
        dir = mkdtempSync(join(tmpdir(), 'returnsbot-binding-'));
        db = openSqlite(join(dir, 'a.db'), { binding }).db;
        db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL, b BLOB) STRICT');
      });

      afterEach(function () {
        if (db.open) db.close();
        rmSync(dir, { recursive: true, force: true });
      });

      it('gets rows, plucked values, named parameters, blobs and run results as better-sqlite3 does', function () {
        const insert = db.prepare<[string, Buffer | null]>('INSERT INTO t (v, b) VALUES (?, ?)');
        expect(insert.run('a', Buffer.from([1, 2, 3]))).to.deep.include({ changes: 1 });
        insert.run('b', null);
        expect(db.prepare('SELECT v, b FROM t WHERE id = ?').get(1)).to.deep.equal({ v: 'a', b: Buffer.from([1, 2, 3]) });
        expect(db.prepare('SELECT v FROM t WHERE id = ?').pluck().get(2)).to.equal('b');
        expect(db.prepare('SELECT v FROM t WHERE id = ?').pluck().get(99)).to.equal(undefined);
        expect(db.prepare('SELECT v FROM t ORDER BY id').pluck().all()).to.deep.equal(['a', 'b']);
        expect(db.prepare('SELECT v FROM t WHERE (@v IS NULL OR v = @v) ORDER BY id LIMIT @limit').all({ v: null, limit: -1 })).to.deep.equal([{ v: 'a' }, { v: 'b' }]);
        expect([...db.prepare('SELECT id FROM t ORDER BY id').iterate()]).to.deep.equal([{ id: 1 }, { id: 2 }]);
        expect(db.prepare('SELECT 1').reader).to.equal(true);
        expect(insert.reader).to.equal(false);
      });

      it('answers pragmas, simple or not', function () {
        expect(db.pragma('journal_mode = WAL', { simple: true })).to.equal('wal');
        expect(db.pragma('busy_timeout', { simple: true })).to.equal(5000);
        expect(db.pragma('table_info(t)')).to.be.an('array').with.length(3);
      });

      it('commits an immediate transaction when it returns and rolls it back when it throws', function () {
        const write = db.transaction((v: string, fail: boolean) => {
          db.prepare('INSERT INTO t (v) VALUES (?)').run(v);
          if (fail) throw new Error('simulated failure');
          return v.length;
        });
        expect(write.immediate('kept', false)).to.equal(4);
        expect(() => write.immediate('lost', true)).to.throw(/simulated failure/);
        expect(db.prepare('SELECT v FROM t').pluck().all()).to.deep.equal(['kept']);
      });

      it('opens read-only connections that cannot write', function () {
        db.prepare('INSERT INTO t (v) VALUES (?)').run('x');
        const reader = openSqlite(join(dir, 'a.db'), { binding, readonly: true }).db;
        try {
          expect(reader.prepare('SELECT v FROM t').pluck().get()).to.equal('x');
          expect(() => reader.prepare("INSERT INTO t (v) VALUES ('y')").run()).to.throw(/readonly|read-only|query_only|attempt to write/i);
        } finally {
          reader.close();
        }
      });

      it('backs up a consistent copy while another connection holds a write transaction', async function () {
        db.pragma('journal_mode = WAL');
        for (let i = 0; i < 200; i++) db.prepare('INSERT INTO t (v) VALUES (?)').run(`row ${i}`);
        const source = openSqlite(join(dir, 'a.db'), { binding, readonly: true });
        db.exec('BEGIN IMMEDIATE');
        db.prepare("INSERT INTO t (v) VALUES ('uncommitted')").run();
        const target = join(dir, 'copy.db');
        try {
          await source.backupTo(target);
        } finally {
          db.exec('ROLLBACK');
          source.db.close();
        }
        const copy = openSqlite(target, { binding, readonly: true }).db;
        try {
          expect(copy.pragma('integrity_check', { simple: true })).to.equal('ok');
          expect(copy.prepare('SELECT count(*) FROM t').pluck().get()).to.equal(200);
        } finally {
          copy.close();
        }
      });
    });
  }

  it('survives many prepared statements being garbage-collected, in an ES module (better-sqlite3 12 aborted on Node 24)', function () {
    this.timeout(60_000);
    // What the server does: the store is an ES module, statements are prepared and dropped, and
    // V8 later destroys them. better-sqlite3 12 (node::ObjectWrap) aborted there on Node 24 with
    // "Assertion failed: (env) != nullptr" in RemoveEnvironmentCleanupHook.
    const binding = pathToFileURL(join(ROOT, 'src', 'store', 'sqlite-binding.ts')).href;
    const script = `
      const { openSqlite, usableSqliteBindings } = await import(${JSON.stringify(binding)});
      for (const name of usableSqliteBindings()) {
        const { db } = openSqlite(':memory:', { binding: name });
        db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
        for (let i = 0; i < 50000; i++) db.prepare('SELECT ' + i + ' AS n, v FROM t WHERE id = ?').get(i);
        await new Promise((resolve) => setTimeout(resolve, 200));
        for (let i = 0; i < 20000; i++) db.prepare('SELECT ' + i + ' AS m FROM t WHERE id = ?').all(i);
        db.close();
        console.log(name + ' ok');
      }
    `;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 50_000 });
    expect({ signal: child.signal, status: child.status, stderr: child.stderr.slice(0, 2000) }).to.deep.equal({ signal: null, status: 0, stderr: '' });
    expect(child.stdout.trim().split('\n')).to.deep.equal(usableSqliteBindings().map((b) => `${b} ok`));
  });
});
