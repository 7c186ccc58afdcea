/**
 * Changing the remedy of an open RMA (src/rmas.ts), with decisions the shipped packs really make:
 * what is recorded is what the customer is told (`remedy` of every result), every change is in the
 * audit trail (who, when, from what to what), and it is refused, with a code, when the retailer
 * chooses the remedy, the decision does not allow it, or the RMA is being processed.
 */
import { expect } from 'chai';
import { caseSchema, type Case } from '../../src/policy/case.js';
import { decide } from '../../src/policy/engine.js';
import { loadPack } from '../../src/policy/packs.js';
import { changeRmaRemedy, factLine, issueOrChangeRma, setRmaStatus, usedFacts } from '../../src/rmas.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';

const AT = '2027-01-04T10:00:00.000Z';
const LATER = '2027-01-04T10:05:00.000Z';

function faultyCase(today: string, patch: Partial<Case> = {}): Case {
  return caseSchema.parse({
    policy: 'uk-online',
    today,
    reason: 'faulty',
    deliveredOn: '2026-12-01',
    product: { category: 'headphones', sku: 'HP-200', name: 'Studio headphones' },
    condition: { faultCause: 'defect', tampered: false, serialLabelIntact: true },
    ...patch,
  });
}

describe('changing the remedy of an open RMA', function () {
  let store: Store;
  beforeEach(async function () {
    store = new SqliteStore({ file: ':memory:' });
    await store.migrate();
  });
  afterEach(() => store.close());

  async function issue(c: Case, remedy: 'replacement' | 'repair' | 'refund') {
    const decision = decide(c, loadPack(c.policy));
    const { record } = await store.issueRma({
      orderNumber: 'UK-100234',
      sku: 'HP-200',
      reason: c.reason,
      remedy,
      decision,
      conversationId: 'c1',
      actor: 'bot',
      at: AT,
      facts: usedFacts(c, decision),
    });
    return { record, decision };
  }

  it("records the customer's new remedy with an audit entry, and says the recorded one", async function () {
    // within 30 days of delivery: refund, repair or replacement, the customer chooses
    const { record, decision } = await issue(faultyCase('2026-12-20'), 'replacement');
    expect(decision.remedyChosenBy).to.equal('customer');
    const r = await changeRmaRemedy(store, { rma: record.rma, remedy: 'refund', by: 'customer', at: LATER });
    expect(r).to.deep.include({ ok: true, code: 'changed', rma: record.rma, from: 'replacement', remedy: 'refund' });
    const stored = (await store.getRma(record.rma))!;
    expect(stored.remedy).to.equal('refund');
    expect(stored.audit.at(-1)).to.deep.equal({
      at: LATER,
      actor: 'customer',
      action: 'rma.remedy-changed',
      data: { by: 'customer', note: null, from: 'replacement', to: 'refund' },
    });
    const again = await changeRmaRemedy(store, { rma: record.rma, remedy: 'refund', by: 'customer', at: LATER });
    expect(again).to.deep.include({ ok: true, code: 'unchanged', remedy: 'refund' });
    expect((await store.getRma(record.rma))!.audit).to.have.length(2);
  });

  it('refuses when the retailer chooses the remedy (faulty, after 30 days, within the guarantee); staff may still change it', async function () {
    const { record, decision } = await issue(faultyCase('2027-02-10'), 'repair');
    expect(decision.remedyChosenBy).to.equal('retailer');
    const r = await changeRmaRemedy(store, { rma: record.rma, remedy: 'replacement', by: 'customer', at: LATER });
    expect(r).to.deep.include({ ok: false, code: 'retailer-chooses', remedy: 'repair', remedies: ['repair', 'replacement'] });
    expect((await store.getRma(record.rma))!.remedy).to.equal('repair');
    const staff = await changeRmaRemedy(store, { rma: record.rma, remedy: 'replacement', by: { agent: 'alex', displayName: 'Alex Morgan' }, at: LATER, note: 'no parts' });
    expect(staff).to.deep.include({ ok: true, code: 'changed', remedy: 'replacement' });
    expect((await store.getRma(record.rma))!.audit.at(-1)).to.deep.include({ actor: 'agent:alex', data: { by: 'Alex Morgan', note: 'no parts', from: 'repair', to: 'replacement' } });
  });

  it('refuses a remedy the decision does not allow, judged by the decision in force when the caller gives one', async function () {
    const { record } = await issue(faultyCase('2027-02-10'), 'repair');
    const r = await changeRmaRemedy(store, { rma: record.rma, remedy: 'refund', by: 'customer', at: LATER });
    expect(r).to.deep.include({ ok: false, code: 'not-offered', remedy: 'repair', remedies: ['repair', 'replacement'] });
    if (!r.ok && r.code === 'not-offered') expect(r.clauses.length).to.be.greaterThan(0);
    // a fresh decision of the same return that approves nothing allows nothing
    const rejected = decide(faultyCase('2027-02-10', { condition: { faultCause: 'accident' } }), loadPack('uk-online'));
    const r2 = await changeRmaRemedy(store, { rma: record.rma, remedy: 'replacement', by: 'customer', at: LATER, decision: rejected });
    expect(r2).to.deep.include({ ok: false, code: 'not-offered', remedies: [] });
  });

  it('refuses once staff have marked the item received (being processed), and for an unknown RMA', async function () {
    const { record } = await issue(faultyCase('2026-12-20'), 'replacement');
    const received = await setRmaStatus(store, { rma: record.rma, status: 'received', agent: 'alex', displayName: 'Alex Morgan', at: AT, note: 'parcel in' });
    expect(received).to.deep.include({ ok: true, code: 'changed' });
    const r = await changeRmaRemedy(store, { rma: record.rma, remedy: 'refund', by: 'customer', at: LATER });
    expect(r).to.deep.include({ ok: false, code: 'being-processed', remedy: 'replacement', status: 'received' });
    const staff = await changeRmaRemedy(store, { rma: record.rma, remedy: 'refund', by: { agent: 'alex' }, at: LATER });
    expect(staff.code).to.equal('being-processed');
    expect(await setRmaStatus(store, { rma: record.rma, status: 'issued', agent: 'alex', at: LATER })).to.deep.include({ ok: false, code: 'backwards', status: 'received' });
    expect(await changeRmaRemedy(store, { rma: 'RMA-0000-0000', remedy: 'refund', by: 'customer', at: LATER })).to.deep.equal({ ok: false, code: 'not-found', rma: 'RMA-0000-0000' });
  });

  it('records every fact the decision used with its value and source, a delivery date the customer stated included', async function () {
    const c = faultyCase('2026-12-20', { deliveredOn: '2026-12-17', recordedDeliveredOn: '2026-12-14', sources: { deliveredOn: 'customer' } });
    const { record, decision } = await issue(c, 'refund');
    expect(decision.sources?.deliveredOn).to.equal('customer');
    expect(record.facts.deliveredOn).to.deep.equal({ value: '2026-12-17', source: 'customer' });
    expect(record.facts.faultCause).to.deep.equal({ value: 'defect', source: 'customer' });
    expect(record.facts.product?.source).to.equal('order');
    expect(factLine('deliveredOn', record.facts.deliveredOn!)).to.equal('delivered on 2026-12-17 (customer)');
  });

  it('issueOrChangeRma: a new line is issued; the same line with another remedy changes it if it may, and says the recorded remedy', async function () {
    const c = faultyCase('2027-02-10');
    const decision = decide(c, loadPack('uk-online'));
    const request = { orderNumber: 'UK-100234', sku: 'HP-200', reason: c.reason, decision, conversationId: 'c1', actor: 'bot', at: AT } as const;
    const first = await issueOrChangeRma(store, { ...request, remedy: 'repair' });
    expect(first).to.deep.include({ created: true, remedy: 'repair', remedyChange: null });
    const same = await issueOrChangeRma(store, { ...request, remedy: 'repair' });
    expect(same).to.deep.equal({ ...first, created: false });
    // the retailer chooses between repair and replacement here: the recorded remedy stays, and says so
    const refused = await issueOrChangeRma(store, { ...request, remedy: 'replacement', at: LATER });
    expect(refused).to.deep.equal({ rma: first.rma, created: false, remedy: 'repair', remedyChange: 'retailer-chooses' });
  });
});
