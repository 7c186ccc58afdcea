/**
 * A third policy pack, written only as data (test/fixtures/packs/eu-basic.yaml), served over HTTP
 * the way a merchant runs it: `returnsbot orders import` and `returnsbot serve` with
 * RETURNS_PACKS_DIR naming its folder (in a process of their own: the folder's packs are registered
 * for the whole process). A customer's whole return ends with an RMA decided by that pack's clauses.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ROOT } from '../../src/paths.js';
import { converse, show } from '../support/converse.js';
import { spawnServe } from '../support/server.js';

const ORDER = {
  orderNumber: 'EU-700001',
  policy: 'eu-basic',
  currency: 'EUR',
  customer: { email: 'lena@example.com', postcode: 'N1 9GU', region: 'GB-ENG' },
  placedOn: '2026-12-18',
  deliveredOn: '2026-12-22',
  delivery: { charge: 4.9, cheapestCharge: 4.9 },
  items: [{ sku: 'KT-1', name: 'Glass kettle', category: 'other', price: 49.0, quantity: 1 }],
};

const CLI = ['--import', 'tsx', join(ROOT, 'src', 'cli', 'entry.ts')];

describe('a third pack over HTTP (RETURNS_PACKS_DIR)', function () {
  this.timeout(60_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'returnsbot-third-pack-'));
  const env = {
    ...process.env,
    RETURNS_DATA_DIR: dataDir,
    RETURNS_PACKS_DIR: join(ROOT, 'test', 'fixtures', 'packs'),
    RETURNS_TODAY: '2026-12-30',
    RETURNS_DEMO_ORDERS: 'false',
    LOG_LEVEL: 'info',
    PORT: '0',
  };
  let server: ChildProcess | undefined;
  let url = '';

  before(async () => {
    const ordersFile = join(dataDir, 'orders.json');
    writeFileSync(ordersFile, JSON.stringify([ORDER]));
    const imported = spawnSync(process.execPath, [...CLI, 'orders', 'import', ordersFile], { cwd: ROOT, env, encoding: 'utf8' });
    expect(imported.status, imported.stderr).to.equal(0);
    const started = await spawnServe([...CLI, 'serve'], env);
    server = started.child;
    const port = started.port;
    url = `http://127.0.0.1:${port}`;
  });

  after(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server!.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a change of mind within its 14 days gets an RMA, decided and recorded by eu-basic', async () => {
    const r = await converse(url, {
      name: 'eu-basic change of mind',
      locale: 'en-GB',
      opening: 'hi, I want to return something',
      orderNumber: ORDER.orderNumber,
      verify: 'lena@example.com',
      item: 'the kettle',
      reasonText: "I changed my mind, I don't need it",
      facts: { packagingOpened: false, originalPackaging: true, allAccessories: true, physicalDamage: false, sealBroken: false },
    });
    expect(r.rma, show(r)).to.be.a('string');
    expect(r.decision?.policy, show(r)).to.equal('eu-basic');
    const clauses = (r.decision?.clauses ?? []) as string[];
    expect(clauses.length, show(r)).to.be.greaterThan(0);
    expect(
      clauses.every((c) => c.startsWith('eu-basic/')),
      show(r),
    ).to.equal(true);
    const shown = spawnSync(process.execPath, [...CLI, 'rma', 'show', r.rma!], { cwd: ROOT, env, encoding: 'utf8' });
    expect(shown.status, shown.stderr).to.equal(0);
    expect(shown.stdout).to.include('EU-700001').and.include('eu-basic');
  });
});
