/**
 * The growth benchmark's seeding script (bench/seed-store.ts) writes rows the store reads back as
 * its own: if the schema changes under it, this fails here rather than in a benchmark run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { seedRma, seedStore } from '../../bench/seed-store.js';
import { openStore } from '../../src/store/index.js';
import { isValidRmaNumber } from '../../src/store/rma-id.js';

describe('bench/seed-store', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'returnsbot-seed-test-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('makes valid, distinct RMA numbers', () => {
    const numbers = [0, 1, 31, 32, 999_999, 1_000_000].map(seedRma);
    for (const n of numbers) expect(isValidRmaNumber(n), n).to.equal(true);
    expect(new Set(numbers).size).to.equal(numbers.length);
  });

  it('writes finished conversations and a queue the store reads back', async () => {
    const result = await seedStore({ dataDir: dir, conversations: 30, queued: 3, batch: 7 });
    expect(result.rows.conversations).to.equal(33);
    expect(result.rows.rmas).to.equal(21); // 7 in 10
    const store = await openStore({ dataDir: dir });
    try {
      const rma = await store.getRma(seedRma(0));
      expect(rma?.conversationId).to.equal('seed-0');
      expect(rma?.decision.outcome).to.equal('approved');
      expect(rma?.audit).to.have.length(1);
      expect(await store.readLog('seed-5')).to.have.length(22);
      const queued = await store.listHandoffs({ status: ['queued'] });
      expect(queued.map((h) => h.conversationId)).to.deep.equal(['seed-queued-0', 'seed-queued-1', 'seed-queued-2']);
      expect(await store.listHandoffs({ status: ['closed'] })).to.have.length(3);
      expect(await store.findProcessedActivity('seed-5', 'seed-5-0')).to.not.equal(null);
    } finally {
      await store.close();
    }
  });
});
