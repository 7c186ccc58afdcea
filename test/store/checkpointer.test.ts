/**
 * WAL checkpoints off the event loop (src/store/checkpointer.ts): the serving store's WAL is copied
 * back and restarted by a worker thread, the store falls back to SQLite's automatic checkpoint when
 * the worker fails, and closing the store stops the worker.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as tick } from 'node:timers/promises';
import { expect } from 'chai';
import { startCheckpointer } from '../../src/store/checkpointer.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { openSqlite } from '../../src/store/sqlite-binding.js';

const dirs: string[] = [];
const tempFile = () => {
  const dir = mkdtempSync(join(tmpdir(), 'returnsbot-ckpt-'));
  dirs.push(dir);
  return join(dir, 'returns.db');
};

/** `n` turns of 300 conversations (about 3 pages of WAL each), yielding to the event loop as a server does. */
async function turns(store: SqliteStore, n: number): Promise<void> {
  const versions = new Map<string, number>();
  const activity = (i: number) => ({ type: 'message', text: `message ${i} `.repeat(40) });
  for (let i = 0; i < n; i++) {
    const id = `c${i % 300}`;
    const done = await store.commitTurn({
      conversationId: id,
      expectedVersion: versions.get(id) ?? null,
      snapshot: { value: 'askReason', context: { pad: 'x'.repeat(2000) } },
      machineVersion: 1,
      locale: 'en-GB',
      activityId: `a${i}`,
      replyCount: 1,
      log: [activity(i), activity(i + 1)],
      audit: [],
      at: '2026-12-30T12:00:00.000Z',
    });
    versions.set(id, done.version);
    if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

describe('background WAL checkpoints', function () {
  this.timeout(60_000);
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the WAL short without SQLite checkpointing inside commits, and stops with the store', async () => {
    const file = tempFile();
    const store = new SqliteStore({ file, backgroundCheckpoints: true });
    await store.migrate();
    expect(store.checkpointsInBackground).to.equal(true);
    const raw = openSqlite(file).db;
    await turns(store, 3000);
    await tick();
    // 3,000 turns wrote more than 9,000 pages: without restarts the WAL file would hold them all.
    const walBytes = statSync(`${file}-wal`).size;
    expect(walBytes).to.be.below(6000 * 4096);
    expect((raw.prepare('SELECT count(*) AS n FROM conversation_log').get() as { n: number }).n).to.equal(6000);
    raw.close();
    await store.close();
    expect(store.checkpointsInBackground).to.equal(false);
  });

  it("without background checkpoints a store keeps SQLite's own (commands that run and exit)", async () => {
    const store = new SqliteStore({ file: tempFile() });
    await store.migrate();
    expect(store.checkpointsInBackground).to.equal(false);
    await store.close();
  });

  it('reports a worker that cannot start, so the store can go back to automatic checkpoints', async () => {
    const failed = await new Promise<Error>((resolve) => {
      const checkpointer = startCheckpointer({ file: tempFile(), modulePath: join(tmpdir(), 'no-such-binding.js'), quiet: (fn) => fn(), onFailure: resolve });
      void checkpointer;
    });
    expect(failed.message).to.match(/no-such-binding/);
  });
});
