/**
 * Crash safety: the server is killed with SIGKILL at random moments while many conversations are
 * under way, and restarted on the same store. Clients do what channels do — re-send the activity
 * they were sending, with the same id, until it is answered. Afterwards every conversation has
 * finished with its RMA and its facts intact, each activity is in its log exactly once, and every
 * RMA is whole (its row, its decision and its audit entry) and issued exactly once per order line.
 *
 * Runs against the embedded store, and against PostgreSQL too when TEST_DATABASE_URL is set.
 */
import { expect } from 'chai';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../src/paths.js';
import { stateName } from '../../machines/returns.machine.js';
import { openStore, type Store } from '../../src/store/index.js';
import { orderSchema, type OrderInput } from '../../src/orders.js';
import { createSchema, dropSchema, TEST_DATABASE_URL, urlWithSchema } from '../support/pg.js';
import { spawnServe } from '../support/server.js';

interface Running {
  child: ChildProcess;
  port: number;
}

/** The spawned servers run the build: make sure it exists (CI builds it on `npm ci`). */
function ensureBuild(): void {
  const entry = join(ROOT, 'dist', 'src', 'cli', 'entry.js');
  if (!existsSync(entry) || statSync(entry).mtimeMs < statSync(join(ROOT, 'src', 'app.ts')).mtimeMs) {
    const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
    if (r.status !== 0) throw new Error('npm run build failed');
  }
}

async function start(env: Record<string, string>): Promise<Running> {
  return spawnServe([join(ROOT, 'bin', 'returnsbot.js'), 'serve'], {
    ...process.env,
    ...env,
    PORT: '0',
    LOG_LEVEL: 'info',
    RATE_LIMIT_PER_MINUTE: '0',
    RATE_LIMIT_NEW_CONVERSATIONS_PER_MINUTE: '0',
    RETURNS_DEMO_ORDERS: 'false',
    RETURNS_TODAY: '2026-12-30',
  });
}

function kill(r: Running): Promise<void> {
  return new Promise((resolve) => {
    if (r.child.exitCode !== null || r.child.signalCode !== null) return resolve();
    r.child.once('exit', () => resolve());
    r.child.kill('SIGKILL');
  });
}

const orders = (n: number): OrderInput[] =>
  Array.from({ length: n }, (_, i) => ({
    orderNumber: `CR-${String(100000 + i)}`,
    policy: i % 2 ? 'impress-us' : 'uk-online',
    currency: i % 2 ? 'USD' : 'GBP',
    customer: { email: `c${i}@example.com`, postcode: i % 2 ? '10001' : 'LS1 4AP', region: i % 2 ? 'US-NY' : 'GB-ENG' },
    placedOn: '2026-12-19',
    deliveredOn: '2026-12-22',
    delivery: { charge: 0, cheapestCharge: 0 },
    items: [{ sku: `SKU-${i}`, name: i % 2 ? 'UltraView monitor' : 'Studio headphones', category: i % 2 ? 'peripheral' : 'headphones', price: 100, quantity: 1 }],
  }));

/** The answer to each step of these change-of-mind returns (both packs). */
function answer(step: string, i: number): string {
  const good: Record<string, string> = {
    orderNumber: `CR-${String(100000 + i)}`,
    verify: `c${i}@example.com`,
    reason: 'I changed my mind',
    confirm: 'yes',
    sealBroken: 'no',
    used: 'no',
    serialLabelIntact: 'yes',
    upcPresent: 'yes',
    physicalDamage: 'no',
    tampered: 'no',
    rebateClaimed: 'no',
    originalPackaging: 'yes',
    allAccessories: 'yes',
    packagingOpened: 'no',
    activationStripDamaged: 'no',
  };
  const a = good[step];
  if (!a) throw new Error(`unexpected question ${step}`);
  return a;
}

function crashSuite(name: string, storeEnv: () => Promise<{ env: Record<string, string>; open: () => Promise<Store>; cleanup: () => Promise<void> }>) {
  describe(`crash safety: SIGKILL at random moments (${name})`, function () {
    this.timeout(240_000);

    it('every conversation resumes and finishes; nothing is lost, doubled or half-written', async () => {
      ensureBuild();
      const { env, open, cleanup } = await storeEnv();
      const N = 16;
      const file = join(mkdtempSync(join(tmpdir(), 'returnsbot-crash-')), 'orders.json');
      writeFileSync(file, JSON.stringify(orders(N)));
      const setup = await open();
      await setup.importOrders(orders(N).map((o) => orderSchema.parse(o)));
      await setup.close();

      let server = await start(env);
      let restarting: Promise<void> | null = null;
      let kills = 0;
      let sent = 0;
      let resent = 0;
      const restart = () =>
        (restarting ??= (async () => {
          await kill(server);
          kills++;
          server = await start(env);
          restarting = null;
        })());

      /** POST until answered; after a crash, the same activity (same id) again, as channels do. */
      const post = async (conversationId: string, text: string, id: string) => {
        for (let attempt = 0; ; attempt++) {
          if (restarting) await restarting;
          const port = server.port;
          try {
            sent++;
            if (attempt > 0) resent++;
            const res = await fetch(`http://127.0.0.1:${port}/api/messages`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({
                type: 'message',
                id,
                channelId: 'test',
                deliveryMode: 'expectReplies',
                from: { id: `u-${conversationId}` },
                recipient: { id: 'bot' },
                conversation: { id: conversationId },
                text,
                locale: 'en-GB',
              }),
            });
            if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
            return ((await res.json()) as { activities: { inputHint?: string; channelData?: { returns?: { step?: string; rma?: string } } }[] }).activities;
          } catch {
            await new Promise((r) => setTimeout(r, 20));
          }
        }
      };

      // Kill after a random number of requests (10–30), so every kill lands mid-conversation, at a
      // random point of some turn: before, during or after its commit.
      let done = false;
      let nextKill = 10 + Math.floor(Math.random() * 20);
      const killer = (async () => {
        while (!done) {
          await new Promise((r) => setTimeout(r, 5 + Math.random() * 30));
          if (!done && sent >= nextKill) {
            nextKill = sent + 10 + Math.floor(Math.random() * 20);
            await restart();
          }
        }
      })();

      const results = await Promise.all(
        Array.from({ length: N }, async (_, i) => {
          const conversationId = `crash-${randomUUID()}`;
          const ids: string[] = [];
          let replies = await post(conversationId, 'hi', (ids[ids.length] = randomUUID()));
          let rma: string | undefined;
          for (let turn = 0; turn < 30 && !rma; turn++) {
            const step = [...replies].reverse().find((a) => a.inputHint === 'expectingInput')?.channelData?.returns?.step;
            rma = replies.map((a) => a.channelData?.returns?.rma).find(Boolean);
            if (rma || !step) break;
            replies = await post(conversationId, step === 'item' ? '1' : answer(step, i), (ids[ids.length] = randomUUID()));
            rma = replies.map((a) => a.channelData?.returns?.rma).find(Boolean);
          }
          return { conversationId, rma, ids, i };
        }),
      );
      done = true;
      await killer;
      await kill(server);

      expect(kills, 'the test must actually kill the server').to.be.greaterThan(4);
      const store = await open();
      try {
        for (const r of results) {
          expect(r.rma, `conversation ${r.i} finished with an RMA`).to.match(/^RMA-/);
          const record = await store.loadConversation(r.conversationId);
          expect(record, r.conversationId).to.not.equal(null);
          const snap = record!.snapshot as { value: unknown; context: { rma: string; facts: Record<string, unknown>; reason: string } };
          expect(stateName(snap)).to.equal('done');
          expect(snap.context.rma).to.equal(r.rma);
          expect(snap.context.reason).to.equal('change-of-mind');
          expect(Object.values(snap.context.facts).length).to.be.greaterThan(0);
          // Every activity answered exactly once: in the log once, and the version counts them.
          const log = await store.readLog(r.conversationId);
          const inbound = log
            .map((e) => e.activity as { id?: string; from?: { role?: string } })
            .filter((a) => a.from?.role !== 'bot')
            .map((a) => a.id);
          expect(inbound, 'each activity once in the log, in order').to.deep.equal(r.ids);
          expect(record!.version).to.equal(r.ids.length);
          // The RMA is whole and there is exactly one for the line.
          const order = orders(N)[r.i]!;
          const rma = await store.findRma(order.orderNumber, order.items[0]!.sku, 'change-of-mind');
          expect(rma?.rma).to.equal(r.rma);
          expect(rma!.decision.outcome).to.equal('approved');
          expect(rma!.audit.map((a) => a.action)).to.deep.equal(['rma.issued']);
        }
      } finally {
        await store.close();
        await cleanup();
      }
      // Resent activities are how a crash shows to a channel; there must have been some.
      expect(resent).to.be.greaterThan(0);
      expect(sent).to.be.greaterThan(N * 8);
    });
  });
}

crashSuite('embedded SQLite store', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'returnsbot-crash-data-'));
  return {
    env: { RETURNS_DATA_DIR: dir },
    open: () => openStore({ dataDir: dir }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

if (TEST_DATABASE_URL) {
  crashSuite('PostgreSQL', async () => {
    const schema = await createSchema();
    const url = urlWithSchema(schema);
    return {
      env: { DATABASE_URL: url, RETURNS_DATA_DIR: mkdtempSync(join(tmpdir(), 'returnsbot-crash-pg-')) },
      open: () => openStore({ databaseUrl: url }),
      cleanup: () => dropSchema(schema),
    };
  });
} else {
  describe('crash safety: SIGKILL at random moments (PostgreSQL — needs TEST_DATABASE_URL)', () => {
    it('runs only with TEST_DATABASE_URL set');
  });
}
