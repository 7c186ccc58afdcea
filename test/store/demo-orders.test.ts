/**
 * Demo orders: valid, for both packs, and dated so that a demo started on any day has items that
 * can still be returned for a change of mind and items that cannot.
 */
import { expect } from 'chai';
import { daysBetween } from '../../src/policy/calendar.js';
import { caseSchema } from '../../src/policy/case.js';
import { decide } from '../../src/policy/engine.js';
import { loadPack } from '../../src/policy/packs.js';
import { orderSchema, type Order, type OrderItem } from '../../src/orders.js';
import { demoOrders } from '../../src/store/demo-orders.js';
import { loadDemoOrdersIfEmpty, openStore } from '../../src/store/index.js';
import { GOOD_CONDITION, plusMonths } from '../support/cases.js';

const DAYS = ['2027-01-04', '2026-03-01', '2028-02-29', '2026-12-31', '2027-06-15'];

function changeOfMind(order: Order, item: OrderItem, today: string): string {
  const c = caseSchema.parse({
    policy: order.policy,
    today,
    reason: 'change-of-mind',
    deliveredOn: order.deliveredOn,
    purchasedOn: order.placedOn,
    customerRegion: order.customer.region ?? null,
    product: {
      category: item.category,
      price: item.price,
      specialOrder: item.specialOrder,
      guaranteeMonths: item.guaranteeMonths,
      requiresManufacturerPreauth: item.requiresManufacturerPreauth,
      name: item.name,
      sku: item.sku,
    },
    delivery: order.delivery ?? null,
    condition: GOOD_CONDITION,
  });
  return decide(c, loadPack(order.policy)).outcome;
}

describe('demo orders', function () {
  it('validate against the order schema, with unique numbers outside the scenario ranges', function () {
    for (const today of DAYS) {
      const orders = demoOrders(today);
      for (const o of orders) {
        expect(orderSchema.safeParse(o).success, o.orderNumber).to.equal(true);
        expect(o.orderNumber).to.match(/^(UK-2\d{5}|IMP-7\d{5})$/);
      }
      expect(new Set(orders.map((o) => o.orderNumber)).size).to.equal(orders.length);
    }
  });

  it('cover both packs with their currency and regions, including a Scottish customer', function () {
    const orders = demoOrders('2027-01-04');
    const uk = orders.filter((o) => o.policy === 'uk-online');
    const us = orders.filter((o) => o.policy === 'impress-us');
    expect(uk.length).to.be.greaterThan(1);
    expect(us.length).to.be.greaterThan(1);
    expect(uk.length + us.length).to.equal(orders.length);
    for (const o of uk) {
      expect(o.currency).to.equal('GBP');
      expect(o.orderNumber).to.match(/^UK-/);
      expect(o.customer.region).to.match(/^GB-/);
    }
    for (const o of us) {
      expect(o.currency).to.equal('USD');
      expect(o.orderNumber).to.match(/^IMP-/);
      expect(o.customer.region).to.match(/^US-[A-Z]{2}$/);
    }
    expect(uk.map((o) => o.customer.region)).to.include('GB-SCT');
  });

  it('have single- and multi-item orders over the demo categories', function () {
    const orders = demoOrders('2027-01-04');
    const items = orders.flatMap((o) => o.items);
    expect(orders.some((o) => o.items.length === 1)).to.equal(true);
    expect(orders.some((o) => o.items.length > 1)).to.equal(true);
    expect(new Set(items.map((i) => i.category))).to.include.members(['headphones', 'notebook', 'memory-card', 'software', 'desktop-pc', 'peripheral']);
    const preauth = orders.filter((o) => o.policy === 'impress-us' && o.items.some((i) => i.category === 'desktop-pc' && i.requiresManufacturerPreauth));
    expect(preauth).to.have.length.greaterThan(0);
  });

  it('are dated relative to today: 3, 10, 20 and 40 days and 14 months ago', function () {
    for (const today of DAYS) {
      const orders = demoOrders(today);
      for (const policy of ['uk-online', 'impress-us']) {
        const ages = orders.filter((o) => o.policy === policy).map((o) => daysBetween(o.deliveredOn, today));
        expect(ages).to.include.members([3, 10, 20, 40]);
        const old = orders.filter((o) => o.policy === policy && o.deliveredOn === plusMonths(today, -14));
        expect(old, `${policy} on ${today}`).to.have.length(1);
      }
      for (const o of orders) expect(daysBetween(o.placedOn, o.deliveredOn)).to.be.within(0, 7);
    }
  });

  it('always include returnable and non-returnable change-of-mind items in each pack', function () {
    for (const today of DAYS) {
      for (const policy of ['uk-online', 'impress-us']) {
        const outcomes = demoOrders(today)
          .filter((o) => o.policy === policy)
          .flatMap((o) => o.items.map((item) => changeOfMind(o, item, today)));
        expect(outcomes, `${policy} on ${today}`).to.include('approved');
        expect(outcomes, `${policy} on ${today}`).to.include('rejected');
      }
    }
  });

  it('refuses a day that is not a date', function () {
    expect(() => demoOrders('04/01/2027')).to.throw(RangeError);
  });

  it('are loaded into an empty store only', async function () {
    const store = await openStore({ file: ':memory:' });
    try {
      const n = demoOrders('2027-01-04').length;
      expect(await loadDemoOrdersIfEmpty(store, '2027-01-04')).to.equal(n);
      expect(await store.countOrders()).to.equal(n);
      expect(await loadDemoOrdersIfEmpty(store, '2027-01-05')).to.equal(0);
      expect((await store.getOrder('uk-200311'))?.deliveredOn).to.equal('2027-01-01');
    } finally {
      await store.close();
    }
  });
});
