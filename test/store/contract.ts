/**
 * The store contract: what every engine (SQLite, PostgreSQL) must do, as one mocha suite that each
 * engine's test file runs with its own factory. Each test gets a fresh, migrated store from
 * `makeStore`; `cleanup` (after `close`) removes whatever the factory created.
 *
 * The guarantees come from src/store/store.ts; choices the interface leaves open are pinned here so
 * that both engines make the same ones (each is marked "pinned").
 *
 * `inspect.stateBytes`, when the engine's test gives it, measures what the store keeps of a
 * conversation's state outside its log (its row and its dedupe entries) by reading the tables
 * directly; the test that needs it is pending without it.
 */
import { expect } from 'chai';
import type { Decision } from '../../src/policy/decision.js';
import { orderSchema, type Order, type OrderInput } from '../../src/orders.js';
import { isValidRmaNumber } from '../../src/store/rma-id.js';
import { ConflictError, type AuditEntry, type RmaRequest, type Store, type TurnCommit } from '../../src/store/store.js';

// ---- fixtures -----------------------------------------------------------------------------------

const T0 = '2027-01-04T10:00:00.000Z';
const T1 = '2027-01-04T10:01:00.000Z';
const T2 = '2027-01-04T10:02:00.000Z';

function order(number: string, patch: Partial<OrderInput> = {}): Order {
  return orderSchema.parse({
    orderNumber: number,
    policy: 'uk-online',
    currency: 'GBP',
    customer: { email: 'sam@example.com', postcode: 'LS1 4AP', region: 'GB-ENG' },
    placedOn: '2026-12-19',
    deliveredOn: '2026-12-22',
    delivery: { charge: 4.99, cheapestCharge: 4.99 },
    items: [{ sku: 'HP-200', name: 'Studio headphones', category: 'headphones', price: 59.99 }],
    ...patch,
  } satisfies OrderInput);
}

export function approvedDecision(reason: Decision['reason'] = 'change-of-mind'): Decision {
  return {
    policy: 'uk-online',
    policyVersion: '1.0.0',
    reason,
    outcome: 'approved',
    needs: [],
    remedies: ['refund'],
    remedyChosenBy: 'customer',
    deductions: [{ kind: 'diminished-value', certainty: 'may' }],
    conditions: [],
    deadlines: { notifyBy: '2027-01-05', returnBy: '2027-01-18', reportBy: null, refundWithinDays: 14 },
    reasons: [{ code: 'WITHIN_CHANGE_OF_MIND_WINDOW', params: { lastDay: '2027-01-05', late: false, fee: null } }],
    clauses: ['uk-online/change-of-mind/window'],
    rmaRequired: true,
    statutoryNote: null,
  };
}

export function rmaRequest(patch: Partial<RmaRequest> = {}): RmaRequest {
  return {
    orderNumber: 'UK-100234',
    sku: 'HP-200',
    reason: 'change-of-mind',
    remedy: 'refund',
    decision: approvedDecision(patch.reason),
    conversationId: 'conv-1',
    actor: 'bot',
    at: T0,
    ...patch,
  };
}

function turn(conversationId: string, expectedVersion: number | null, patch: Partial<TurnCommit> = {}): TurnCommit {
  return {
    conversationId,
    expectedVersion,
    snapshot: { value: 'askOrderNumber', context: { n: expectedVersion ?? 0, nested: [1, 'two', null, { three: true }] } },
    machineVersion: 1,
    locale: 'en-GB',
    activityId: null,
    replyCount: 0,
    log: [],
    audit: [],
    at: T0,
    ...patch,
  };
}

const say = (from: 'user' | 'bot', text: string): Record<string, unknown> => ({ type: 'message', from: { role: from }, text });

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  expect.fail('expected the promise to reject');
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

// ---- the suite ------------------------------------------------------------------------------------

export interface StoreInspector {
  /** Bytes of a conversation's state as stored: its conversations row and its processed_activities rows (all columns). */
  stateBytes(store: Store, conversationId: string): Promise<number>;
}

/** The size of table rows as compact JSON (the same measure for every column type of an engine). */
export const rowBytes = (rows: readonly unknown[]): number => Buffer.byteLength(JSON.stringify(rows), 'utf8');

export function storeContract(
  name: string,
  makeStore: () => Promise<Store>,
  cleanup?: (s: Store) => Promise<void>,
  inspect?: StoreInspector,
): void {
  describe(`store contract: ${name}`, function () {
    let store: Store;

    beforeEach(async function () {
      store = await makeStore();
    });

    afterEach(async function () {
      await store.close();
      if (cleanup) await cleanup(store);
    });

    describe('lifecycle', function () {
      it('answers ping, and migrating again (twice) is harmless', async function () {
        expect(await store.ping()).to.equal(true);
        await store.importOrders([order('UK-100234')]);
        await store.migrate();
        await store.migrate();
        expect(await store.ping()).to.equal(true);
        expect(await store.countOrders()).to.equal(1);
      });

      it('ping is false once closed, and closing twice is harmless (pinned)', async function () {
        await store.close();
        expect(await store.ping()).to.equal(false);
        await store.close();
      });
    });

    describe('orders', function () {
      it('imports, counts and gets orders by number case-insensitively', async function () {
        const a = order('UK-100234');
        const b = order('IMP-500017', { policy: 'impress-us', currency: 'USD' });
        expect(await store.importOrders([a, b])).to.deep.equal({ added: 2, updated: 0, unchanged: 0 });
        expect(await store.countOrders()).to.equal(2);
        expect(await store.getOrder('UK-100234')).to.deep.equal(a);
        expect(await store.getOrder(' uk-100234 ')).to.deep.equal(a);
        expect(await store.getOrder('imp-500017')).to.deep.equal(b);
        expect(await store.getOrder('UK-999999')).to.equal(null);
      });

      it('upserts: unchanged when identical, updated when different, keyed by the normalised number', async function () {
        await store.importOrders([order('UK-100234'), order('UK-100235')]);
        const changed = order('UK-100235', { deliveredOn: '2026-12-23' });
        expect(await store.importOrders([order('UK-100234'), changed, order('UK-100236')])).to.deep.equal({
          added: 1,
          updated: 1,
          unchanged: 1,
        });
        expect(await store.getOrder('uk-100235')).to.deep.equal(changed);
        // the same order number in another case is the same order
        const lower = order('uk-100236');
        expect(await store.importOrders([lower])).to.deep.equal({ added: 0, updated: 1, unchanged: 0 });
        expect(await store.countOrders()).to.equal(3);
        expect(await store.getOrder('UK-100236')).to.deep.equal(lower);
        expect(await store.importOrders([])).to.deep.equal({ added: 0, updated: 0, unchanged: 0 });
      });
    });

    describe('conversations', function () {
      it('has no record for an unknown conversation', async function () {
        expect(await store.loadConversation('nobody')).to.equal(null);
        expect(await store.findProcessedActivity('nobody', 'a1')).to.equal(null);
        expect(await store.readLog('nobody')).to.deep.equal([]);
        expect(await store.conversationAudit('nobody')).to.deep.equal([]);
      });

      it('inserts a new conversation at version 1 and updates it with the right version', async function () {
        const first = turn('c1', null, { at: T0 });
        expect(await store.commitTurn(first)).to.deep.equal({ version: 1, log: [] });
        expect(await store.loadConversation('c1')).to.deep.equal({
          id: 'c1', version: 1, machineVersion: 1, snapshot: first.snapshot, locale: 'en-GB', createdAt: T0, updatedAt: T0,
        });

        const second = turn('c1', 1, { snapshot: { value: 'verify' }, machineVersion: 2, locale: 'cy-GB', at: T1 });
        expect((await store.commitTurn(second)).version).to.equal(2);
        expect(await store.loadConversation('c1')).to.deep.equal({
          id: 'c1', version: 2, machineVersion: 2, snapshot: { value: 'verify' }, locale: 'cy-GB', createdAt: T0, updatedAt: T1,
        });

        expect((await store.commitTurn(turn('c1', 2, { locale: null, at: T2 }))).version).to.equal(3);
        expect((await store.loadConversation('c1'))?.locale).to.equal(null);
      });

      it('keeps null and scalar snapshots as they are', async function () {
        await store.commitTurn(turn('c-null', null, { snapshot: null }));
        expect((await store.loadConversation('c-null'))?.snapshot).to.equal(null);
        await store.commitTurn(turn('c-null', 1, { snapshot: 'plain' }));
        expect((await store.loadConversation('c-null'))?.snapshot).to.equal('plain');
      });

      it('rejects a stale version with ConflictError and writes nothing of that turn', async function () {
        await store.commitTurn(turn('c1', null, {
          activityId: 'a1', replyCount: 1, log: [say('user', 'hello'), say('bot', 'hi')],
          audit: [{ at: T0, actor: 'bot', action: 'conversation.started', data: {} }],
        }));
        await store.commitTurn(turn('c1', 1, { snapshot: { value: 'second' }, at: T1 }));

        const stale = turn('c1', 1, {
          snapshot: { value: 'stale' }, activityId: 'a2', replyCount: 1,
          log: [say('user', 'again'), say('bot', 'stale')],
          audit: [{ at: T2, actor: 'bot', action: 'stale.audit', data: { x: 1 } }], at: T2,
        });
        const error = await rejection(store.commitTurn(stale));
        expect(error).to.be.instanceOf(ConflictError);
        expect((error as ConflictError).conversationId).to.equal('c1');

        const record = await store.loadConversation('c1');
        expect(record?.version).to.equal(2);
        expect(record?.snapshot).to.deep.equal({ value: 'second' });
        expect(record?.updatedAt).to.equal(T1);
        expect(await store.findProcessedActivity('c1', 'a2')).to.equal(null);
        expect(await store.findProcessedActivity('c1', 'a1')).to.deep.equal([say('bot', 'hi')]);
        expect((await store.readLog('c1')).map((e) => e.seq)).to.deep.equal([1, 2]);
        expect((await store.conversationAudit('c1')).map((e) => e.action)).to.deep.equal(['conversation.started']);
      });

      it('rejects a second insert (expected null) of an existing conversation, writing nothing', async function () {
        await store.commitTurn(turn('c1', null, { snapshot: { value: 'first' } }));
        const error = await rejection(store.commitTurn(turn('c1', null, {
          snapshot: { value: 'second' }, activityId: 'a9', log: [say('user', 'x')],
          audit: [{ at: T1, actor: 'bot', action: 'dup', data: {} }],
        })));
        expect(error).to.be.instanceOf(ConflictError);
        expect(await store.loadConversation('c1')).to.include({ version: 1 });
        expect((await store.loadConversation('c1'))?.snapshot).to.deep.equal({ value: 'first' });
        expect(await store.findProcessedActivity('c1', 'a9')).to.equal(null);
        expect(await store.readLog('c1')).to.deep.equal([]);
        expect(await store.conversationAudit('c1')).to.deep.equal([]);
      });

      it('rejects an update of a conversation that does not exist', async function () {
        expect(await rejection(store.commitTurn(turn('ghost', 3, { log: [say('user', 'x')] })))).to.be.instanceOf(ConflictError);
        expect(await store.loadConversation('ghost')).to.equal(null);
        expect(await store.readLog('ghost')).to.deep.equal([]);
      });

      it('returns the replies of a processed activity (its turn\'s last replyCount log entries), per conversation', async function () {
        const replies = [say('bot', 'What is your order number?'), { type: 'typing' }];
        await store.appendLog('c1', [say('bot', 'proactive hello')], T0);
        await store.commitTurn(turn('c1', null, { activityId: 'act-1', log: [say('user', 'hi'), ...replies], replyCount: 2 }));
        await store.appendLog('c1', [say('bot', 'an agent joined')], T1);
        await store.commitTurn(turn('c1', 1, { activityId: null, log: [say('user', 'no id'), say('bot', 'answer')], replyCount: 1 }));
        await store.commitTurn(turn('c1', 2, { activityId: 'act-2', log: [say('user', 'quiet')], replyCount: 0 }));
        // a turn that logs only its replies
        await store.commitTurn(turn('c1', 3, { activityId: 'act-4', log: [say('bot', 'only a reply')], replyCount: 1 }));
        await store.appendLog('c1', [say('bot', 'later')], T2);
        await store.commitTurn(turn('c2', null, { activityId: 'act-1', log: [say('user', 'hi'), say('bot', 'other conversation')], replyCount: 1 }));

        expect(await store.findProcessedActivity('c1', 'act-1')).to.deep.equal(replies);
        expect(await store.findProcessedActivity('c1', 'act-2')).to.deep.equal([]);
        expect(await store.findProcessedActivity('c1', 'act-4')).to.deep.equal([say('bot', 'only a reply')]);
        expect(await store.findProcessedActivity('c1', 'act-3')).to.equal(null);
        expect(await store.findProcessedActivity('c2', 'act-1')).to.deep.equal([say('bot', 'other conversation')]);
        expect(await store.findProcessedActivity('c3', 'act-1')).to.equal(null);
        // the replies are the log's entries (kept once), in the log's order
        const log = await store.readLog('c1');
        expect(log.slice(2, 4).map((e) => e.activity)).to.deep.equal(replies);
      });

      it('rejects a replyCount that is not a whole number from 0 to the log\'s length, writing nothing', async function () {
        for (const replyCount of [-1, 3, 1.5, Number.NaN]) {
          const error = await rejection(store.commitTurn(turn('c1', null, {
            activityId: 'act-1', log: [say('user', 'hi'), say('bot', 'hello')], replyCount,
            audit: [{ at: T0, actor: 'bot', action: 'x', data: {} }],
          })));
          expect(error, String(replyCount)).to.be.instanceOf(RangeError);
        }
        expect(await store.loadConversation('c1')).to.equal(null);
        expect(await store.findProcessedActivity('c1', 'act-1')).to.equal(null);
        expect(await store.readLog('c1')).to.deep.equal([]);
        expect(await store.conversationAudit('c1')).to.deep.equal([]);
        // the bounds themselves are fine
        await store.commitTurn(turn('c1', null, { activityId: 'act-1', log: [say('bot', 'a'), say('bot', 'b')], replyCount: 2 }));
        await store.commitTurn(turn('c1', 1, { activityId: 'act-2', log: [], replyCount: 0 }));
        expect(await store.findProcessedActivity('c1', 'act-1')).to.deep.equal([say('bot', 'a'), say('bot', 'b')]);
        expect(await store.findProcessedActivity('c1', 'act-2')).to.deep.equal([]);
      });

      it('treats committing an already-processed activity as a conflict, writing nothing (pinned)', async function () {
        await store.commitTurn(turn('c1', null, { activityId: 'act-1', log: [say('user', 'hi'), say('bot', 'first')], replyCount: 1 }));
        const firstLog = await store.readLog('c1');
        const error = await rejection(store.commitTurn(turn('c1', 1, {
          activityId: 'act-1', log: [say('user', 'hi'), say('bot', 'second')], replyCount: 1,
          audit: [{ at: T1, actor: 'bot', action: 'second', data: {} }],
        })));
        expect(error).to.be.instanceOf(ConflictError);
        expect((await store.loadConversation('c1'))?.version).to.equal(1);
        expect(await store.findProcessedActivity('c1', 'act-1')).to.deep.equal([say('bot', 'first')]);
        expect(await store.readLog('c1')).to.deep.equal(firstLog);
        expect(await store.conversationAudit('c1')).to.deep.equal([]);
        // the log goes on without a gap
        expect((await store.commitTurn(turn('c1', 1, { log: [say('user', 'next')] }))).log.map((e) => e.seq)).to.deep.equal([3]);
      });

      it('keeps state (the conversation row and its dedupe entries) that does not grow with the size of the replies', async function () {
        if (!inspect) this.skip();
        const long = (i: number): string => `${'a long reply '.repeat(800)}${i}`;
        // Two conversations alike but for the size of their replies (ids of the same length).
        const talk = async (id: string, reply: (i: number) => string): Promise<void> => {
          for (let i = 0; i < 4; i++) {
            await store.commitTurn(turn(id, i === 0 ? null : i, {
              activityId: `act-${i}`, log: [say('user', `message ${i}`), say('bot', reply(i)), { type: 'typing' }, say('bot', reply(i))],
              replyCount: 3,
            }));
          }
        };
        await talk('c-short', () => 'ok');
        await talk('c-long!', long);
        const short = await inspect.stateBytes(store, 'c-short');
        const longState = await inspect.stateBytes(store, 'c-long!');
        expect(longState).to.equal(short);
        // … though the long replies are kept (in the log) and a retry still gets them
        expect(rowBytes(await store.readLog('c-long!'))).to.be.greaterThan(rowBytes(await store.readLog('c-short')) + 8 * 10_000);
        expect(await store.findProcessedActivity('c-long!', 'act-2')).to.deep.equal([say('bot', long(2)), { type: 'typing' }, say('bot', long(2))]);
      });
    });

    describe('log', function () {
      it('numbers entries 1, 2, 3 … across turns and appendLog, and returns what it wrote', async function () {
        const r1 = await store.commitTurn(turn('c1', null, { log: [say('user', 'hello'), say('bot', 'hi')], at: T0 }));
        expect(r1.log).to.deep.equal([
          { conversationId: 'c1', seq: 1, at: T0, activity: say('user', 'hello') },
          { conversationId: 'c1', seq: 2, at: T0, activity: say('bot', 'hi') },
        ]);
        const appended = await store.appendLog('c1', [say('bot', 'an agent joined')], T1);
        expect(appended).to.deep.equal([{ conversationId: 'c1', seq: 3, at: T1, activity: say('bot', 'an agent joined') }]);
        const r2 = await store.commitTurn(turn('c1', 1, { log: [say('user', 'UK-100234'), say('bot', 'thanks')], at: T2 }));
        expect(r2.log.map((e) => e.seq)).to.deep.equal([4, 5]);
        expect(await store.appendLog('c1', [], T2)).to.deep.equal([]);

        const all = await store.readLog('c1');
        expect(all.map((e) => e.seq)).to.deep.equal([1, 2, 3, 4, 5]);
        expect(all.map((e) => e.activity['text'])).to.deep.equal(['hello', 'hi', 'an agent joined', 'UK-100234', 'thanks']);
        expect(all).to.deep.equal([...r1.log, ...appended, ...r2.log]);
      });

      it('returns the activities it was given, not copies parsed back from what it stored (pinned)', async function () {
        const hello = say('user', 'hello');
        const hi = { ...say('bot', 'hi'), suggestedActions: { actions: [{ title: 'Yes', value: 'yes' }] } };
        const agent = say('bot', 'an agent joined');
        const r = await store.commitTurn(turn('c1', null, { activityId: 'act-1', log: [hello, hi], replyCount: 1 }));
        expect(r.log[0]?.activity).to.equal(hello);
        expect(r.log[1]?.activity).to.equal(hi);
        expect((await store.appendLog('c1', [agent], T1))[0]?.activity).to.equal(agent);
        // … equal to what is stored
        expect((await store.readLog('c1')).map((e) => e.activity)).to.deep.equal([hello, hi, agent]);
        expect(await store.findProcessedActivity('c1', 'act-1')).to.deep.equal([hi]);
      });

      it('reads after a sequence number, with a limit', async function () {
        await store.appendLog('c1', [1, 2, 3, 4, 5].map((n) => ({ type: 'message', n })), T0);
        await store.appendLog('c2', [{ type: 'message', n: 100 }], T0);
        const seqs = async (after?: number, limit?: number): Promise<number[]> =>
          (await store.readLog('c1', after, limit)).map((e) => e.seq);
        expect(await seqs(0)).to.deep.equal([1, 2, 3, 4, 5]);
        expect(await seqs(2)).to.deep.equal([3, 4, 5]);
        expect(await seqs(1, 2)).to.deep.equal([2, 3]);
        expect(await seqs(undefined, 1)).to.deep.equal([1]);
        expect(await seqs(5)).to.deep.equal([]);
        expect(await seqs(0, 0)).to.deep.equal([]);
        expect(await store.readLog('c2')).to.deep.equal([{ conversationId: 'c2', seq: 1, at: T0, activity: { type: 'message', n: 100 } }]);
      });

      it('logs for a conversation that has no snapshot yet (pinned)', async function () {
        await store.appendLog('fresh', [say('bot', 'proactive')], T0);
        const r = await store.commitTurn(turn('fresh', null, { log: [say('user', 'hello')] }));
        expect(r.log.map((e) => e.seq)).to.deep.equal([2]);
      });
    });

    describe('audit', function () {
      it('keeps a conversation audit trail, oldest first, from turns and addAudit', async function () {
        const started: AuditEntry = { at: T0, actor: 'bot', action: 'conversation.started', data: { channel: 'directline' } };
        const decided: AuditEntry = { at: T0, actor: 'bot', action: 'decision', data: { outcome: 'approved', nested: { a: [1, 2] } } };
        const taken: AuditEntry = { at: T1, actor: 'agent:alex', action: 'handoff.taken', data: {} };
        await store.commitTurn(turn('c1', null, { audit: [started, decided] }));
        await store.addAudit('c1', taken);
        await store.addAudit('c2', { at: T2, actor: 'system', action: 'other', data: {} });
        expect(await store.conversationAudit('c1')).to.deep.equal([started, decided, taken]);
        expect(await store.conversationAudit('c2')).to.have.length(1);
      });
    });

    describe('RMAs', function () {
      it('issues a valid RMA number with its record and first audit entry', async function () {
        const request = rmaRequest({ note: 'customer was polite' });
        const { record, created } = await store.issueRma(request);
        expect(created).to.equal(true);
        expect(isValidRmaNumber(record.rma), record.rma).to.equal(true);
        expect(record).to.deep.equal({
          rma: record.rma,
          orderNumber: 'UK-100234',
          sku: 'HP-200',
          reason: 'change-of-mind',
          remedy: 'refund',
          decision: request.decision,
          conversationId: 'conv-1',
          issuedBy: 'bot',
          note: 'customer was polite',
          createdAt: T0,
          audit: [{
            at: T0, actor: 'bot', action: 'rma.issued',
            data: { remedy: 'refund', note: 'customer was polite', conversationId: 'conv-1', outcome: 'approved' },
          }],
        });
      });

      it('is idempotent per order line and reason', async function () {
        const first = await store.issueRma(rmaRequest());
        const again = await store.issueRma(rmaRequest({
          orderNumber: 'uk-100234', actor: 'agent:alex', remedy: 'replacement', note: 'again', at: T1,
        }));
        expect(again.created).to.equal(false);
        expect(again.record).to.deep.equal(first.record);
        expect(again.record.note).to.equal(null);

        const faulty = await store.issueRma(rmaRequest({ reason: 'faulty', remedy: 'repair' }));
        const otherSku = await store.issueRma(rmaRequest({ sku: 'NB-15' }));
        const otherOrder = await store.issueRma(rmaRequest({ orderNumber: 'UK-100235' }));
        for (const r of [faulty, otherSku, otherOrder]) expect(r.created).to.equal(true);
        expect(new Set([first, faulty, otherSku, otherOrder].map((r) => r.record.rma)).size).to.equal(4);
        expect(faulty.record.reason).to.equal('faulty');
      });

      it('finds RMAs by number (as typed) and by order line, with the audit trail', async function () {
        const { record } = await store.issueRma(rmaRequest({ conversationId: null, actor: 'agent:alex', remedy: null }));
        expect(record.conversationId).to.equal(null);
        expect(record.remedy).to.equal(null);
        expect(record.issuedBy).to.equal('agent:alex');
        expect(await store.getRma(record.rma)).to.deep.equal(record);
        expect(await store.getRma(` ${record.rma.toLowerCase().replaceAll('-', '')} `)).to.deep.equal(record);
        expect(await store.findRma('uk-100234', 'HP-200', 'change-of-mind')).to.deep.equal(record);
        expect(await store.findRma('UK-100234', 'HP-200', 'faulty')).to.equal(null);
        expect(await store.findRma('UK-100234', 'NB-15', 'change-of-mind')).to.equal(null);
        expect(await store.getRma('RMA-0000-0000')).to.equal(null);
        expect(await store.getRma('not an rma')).to.equal(null);
      });
    });

    describe('concurrency', function () {
      it('50 concurrent issueRma for one line create exactly one RMA', async function () {
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) => store.issueRma(rmaRequest({ actor: i % 2 ? 'bot' : `agent:a${i}` }))),
        );
        expect(results.filter((r) => r.created)).to.have.length(1);
        expect(new Set(results.map((r) => r.record.rma)).size).to.equal(1);
        const rma = results[0]?.record.rma ?? '';
        expect((await store.getRma(rma))?.audit).to.have.length(1);
      });

      it('30 concurrent turns under withConversationLock all commit, in turn', async function () {
        let inside = 0;
        let maxInside = 0;
        const turns = Array.from({ length: 30 }, (_, i) =>
          store.withConversationLock('busy', async () => {
            inside++;
            maxInside = Math.max(maxInside, inside);
            try {
              const current = await store.loadConversation('busy');
              await tick();
              return await store.commitTurn(turn('busy', current?.version ?? null, {
                activityId: `a${i}`, log: [say('user', `message ${i}`)],
              }));
            } finally {
              inside--;
            }
          }),
        );
        const results = await Promise.all(turns);
        expect(maxInside).to.equal(1);
        expect(results.map((r) => r.version).sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 30 }, (_, i) => i + 1));
        expect((await store.loadConversation('busy'))?.version).to.equal(30);
        const log = await store.readLog('busy');
        expect(log.map((e) => e.seq)).to.deep.equal(Array.from({ length: 30 }, (_, i) => i + 1));
        // FIFO: turns ran in the order they asked for the lock
        expect(log.map((e) => e.activity['text'])).to.deep.equal(Array.from({ length: 30 }, (_, i) => `message ${i}`));
      });

      it('without the lock, concurrent commits from one read version: exactly one wins', async function () {
        await store.commitTurn(turn('race', null));
        const outcomes = await Promise.allSettled(
          Array.from({ length: 10 }, async (_, i) => {
            const current = await store.loadConversation('race');
            await tick();
            return store.commitTurn(turn('race', current?.version ?? null, {
              snapshot: { winner: i }, activityId: `race-${i}`, log: [say('user', `racer ${i}`), say('bot', `answer ${i}`)], replyCount: 1,
              audit: [{ at: T1, actor: 'bot', action: 'race', data: { i } }],
            }));
          }),
        );
        const won = outcomes.filter((o) => o.status === 'fulfilled');
        const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
        expect(won).to.have.length(1);
        expect(lost).to.have.length(9);
        for (const o of lost) expect(o.reason).to.be.instanceOf(ConflictError);
        const record = await store.loadConversation('race');
        expect(record?.version).to.equal(2);
        const winner = (record?.snapshot as { winner: number }).winner;
        expect((await store.readLog('race')).map((e) => e.activity['text'])).to.deep.equal([`racer ${winner}`, `answer ${winner}`]);
        expect((await store.conversationAudit('race')).map((e) => e.data)).to.deep.equal([{ i: winner }]);
        for (let i = 0; i < 10; i++) {
          expect(await store.findProcessedActivity('race', `race-${i}`)).to.deep.equal(i === winner ? [say('bot', `answer ${i}`)] : null);
        }
      });

      it('locks per conversation: others do not wait, and a failed holder releases the lock', async function () {
        const order: string[] = [];
        let releaseA!: () => void;
        const gate = new Promise<void>((resolve) => {
          releaseA = resolve;
        });
        const a = store.withConversationLock('A', async () => {
          await gate;
          order.push('A');
          throw new Error('boom');
        });
        const a2 = store.withConversationLock('A', async () => {
          order.push('A2');
          return 'second';
        });
        const b = await store.withConversationLock('B', async () => {
          order.push('B');
          return 42;
        });
        expect(b).to.equal(42);
        releaseA();
        expect(((await rejection(a)) as Error).message).to.equal('boom');
        expect(await a2).to.equal('second');
        expect(order).to.deep.equal(['B', 'A', 'A2']);
      });
    });
  });
}
