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
 *
 * `openSibling`, when given, opens another, migrated instance of the engine (its own connection or
 * pool) on the same database or file as the store it is given; the suite closes it. The tests of
 * what instances share are pending without it.
 */
import { expect } from 'chai';
import type { Decision } from '../../src/policy/decision.js';
import { orderSchema, type Order, type OrderInput } from '../../src/orders.js';
import { isValidRmaNumber } from '../../src/store/rma-id.js';
import {
  ConflictError,
  DuplicateAgentError,
  DuplicateAttachmentError,
  type AuditEntry,
  type HandoffRecord,
  type NewAttachment,
  type NewHandoff,
  type RmaRequest,
  type Store,
  type TurnCommit,
} from '../../src/store/store.js';

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

/** Every byte value, twice (the second time backwards): a file no text conversion leaves intact. */
const EVERY_BYTE = Buffer.from([...Array.from({ length: 256 }, (_, i) => i), ...Array.from({ length: 256 }, (_, i) => 255 - i)]);

function attachment(id: string, patch: Partial<NewAttachment> = {}): NewAttachment {
  return {
    id,
    conversationId: 'c1',
    name: `${id}.jpg`,
    contentType: 'image/jpeg',
    bytes: Buffer.from(`photo ${id}`),
    at: T0,
    uploadedBy: 'customer',
    ...patch,
  };
}

/** What a listing holds of an attachment: all but its bytes, with its size. */
function infoOf(a: NewAttachment): Record<string, unknown> {
  const { bytes, ...info } = a;
  return { ...info, size: bytes.length };
}

const T3 = '2027-01-04T10:03:00.000Z';

/** A hand-over to open, as the bot would (its summary and Bot Framework conversation reference). */
export function newHandoff(conversationId: string, patch: Partial<NewHandoff> = {}): NewHandoff {
  return {
    conversationId,
    reason: 'customer-asked',
    channelId: 'directline',
    summary: {
      order: 'UK-100234',
      item: { sku: 'HP-200', name: 'Studio headphones' },
      reason: 'faulty',
      facts: { faultCause: 'unknown', packagingOpened: true, notes: ['left ear silent', 'naïve — ✓ 😀'] },
      decision: { outcome: 'needs-review', clauses: ['uk-online/faulty/30-days'] },
    },
    reference: {
      activityId: 'act-9',
      bot: { id: 'returnsbot', name: 'Returns' },
      conversation: { id: conversationId },
      channelId: 'directline',
      serviceUrl: 'https://directline.example/',
    },
    at: T0,
    ...patch,
  };
}

/** The record a freshly opened hand-over has. */
function queuedRecord(h: NewHandoff, version = 1): HandoffRecord {
  return {
    conversationId: h.conversationId,
    status: 'queued',
    reason: h.reason,
    channelId: h.channelId,
    queuedAt: h.at,
    takenAt: null,
    agent: null,
    endedAt: null,
    summary: h.summary,
    reference: h.reference,
    version,
  };
}

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

export function storeContract(name: string, makeStore: () => Promise<Store>, cleanup?: (s: Store) => Promise<void>, inspect?: StoreInspector, openSibling?: (s: Store) => Promise<Store>): void {
  describe(`store contract: ${name}`, function () {
    let store: Store;
    const siblings: Store[] = [];

    /** Another instance on the store's database (closed after the test); only in tests made with itWithSibling. */
    async function sibling(): Promise<Store> {
      if (!openSibling) throw new Error('this engine has no second instance (declare the test with itWithSibling)');
      const other = await openSibling(store);
      siblings.push(other);
      return other;
    }

    /** A test that needs a second instance: pending, with the reason in its title, for an engine without one. */
    const itWithSibling = (title: string, fn: Mocha.AsyncFunc): Mocha.Test => (openSibling ? it(title, fn) : it(`${title} — PENDING: this engine has no second instance on one database`));

    /** Registered as pending, with the reason in its title, when the engine's test gives no state inspector. */
    const itPending = (title: string): Mocha.Test => it(`${title} — PENDING: this engine's test has no state inspector`);

    beforeEach(async function () {
      store = await makeStore();
    });

    afterEach(async function () {
      for (const other of siblings.splice(0)) await other.close();
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
          id: 'c1',
          version: 1,
          machineVersion: 1,
          snapshot: first.snapshot,
          locale: 'en-GB',
          createdAt: T0,
          updatedAt: T0,
        });

        const second = turn('c1', 1, { snapshot: { value: 'verify' }, machineVersion: 2, locale: 'cy-GB', at: T1 });
        expect((await store.commitTurn(second)).version).to.equal(2);
        expect(await store.loadConversation('c1')).to.deep.equal({
          id: 'c1',
          version: 2,
          machineVersion: 2,
          snapshot: { value: 'verify' },
          locale: 'cy-GB',
          createdAt: T0,
          updatedAt: T1,
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
        await store.commitTurn(
          turn('c1', null, {
            activityId: 'a1',
            replyCount: 1,
            log: [say('user', 'hello'), say('bot', 'hi')],
            audit: [{ at: T0, actor: 'bot', action: 'conversation.started', data: {} }],
          }),
        );
        await store.commitTurn(turn('c1', 1, { snapshot: { value: 'second' }, at: T1 }));

        const stale = turn('c1', 1, {
          snapshot: { value: 'stale' },
          activityId: 'a2',
          replyCount: 1,
          log: [say('user', 'again'), say('bot', 'stale')],
          audit: [{ at: T2, actor: 'bot', action: 'stale.audit', data: { x: 1 } }],
          at: T2,
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
        const error = await rejection(
          store.commitTurn(
            turn('c1', null, {
              snapshot: { value: 'second' },
              activityId: 'a9',
              log: [say('user', 'x')],
              audit: [{ at: T1, actor: 'bot', action: 'dup', data: {} }],
            }),
          ),
        );
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

      it("returns the replies of a processed activity (its turn's last replyCount log entries), per conversation", async function () {
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

      it("rejects a replyCount that is not a whole number from 0 to the log's length, writing nothing", async function () {
        for (const replyCount of [-1, 3, 1.5, Number.NaN]) {
          const error = await rejection(
            store.commitTurn(
              turn('c1', null, {
                activityId: 'act-1',
                log: [say('user', 'hi'), say('bot', 'hello')],
                replyCount,
                audit: [{ at: T0, actor: 'bot', action: 'x', data: {} }],
              }),
            ),
          );
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
        const error = await rejection(
          store.commitTurn(
            turn('c1', 1, {
              activityId: 'act-1',
              log: [say('user', 'hi'), say('bot', 'second')],
              replyCount: 1,
              audit: [{ at: T1, actor: 'bot', action: 'second', data: {} }],
            }),
          ),
        );
        expect(error).to.be.instanceOf(ConflictError);
        expect((await store.loadConversation('c1'))?.version).to.equal(1);
        expect(await store.findProcessedActivity('c1', 'act-1')).to.deep.equal([say('bot', 'first')]);
        expect(await store.readLog('c1')).to.deep.equal(firstLog);
        expect(await store.conversationAudit('c1')).to.deep.equal([]);
        // the log goes on without a gap
        expect((await store.commitTurn(turn('c1', 1, { log: [say('user', 'next')] }))).log.map((e) => e.seq)).to.deep.equal([3]);
      });

      itWithSibling('protects turns across two instances with the version check (compare-and-swap)', async function () {
        const other = await sibling();
        const said = (text: string, activityId: string | null = null) => ({ snapshot: { value: text }, activityId, replyCount: 1, log: [say('bot', text)] });
        await store.commitTurn(turn('shared', null, said('one')));
        const seenByOther = await other.loadConversation('shared');
        await store.commitTurn(turn('shared', 1, said('two')));
        const error = await rejection(other.commitTurn(turn('shared', seenByOther?.version ?? null, said('stale', 'b1'))));
        expect(error).to.be.instanceOf(ConflictError);
        expect(await other.findProcessedActivity('shared', 'b1')).to.equal(null);
        expect((await other.loadConversation('shared'))?.snapshot).to.deep.equal({ value: 'two' });
        expect((await other.commitTurn(turn('shared', 2, said('three')))).log.map((e) => e.seq)).to.deep.equal([3]);
      });

      (inspect ? it : itPending)('keeps state (the conversation row and its dedupe entries) that does not grow with the size of the replies', async function () {
        if (!inspect) throw new Error('needs a state inspector');
        const long = (i: number): string => `${'a long reply '.repeat(800)}${i}`;
        // Two conversations alike but for the size of their replies (ids of the same length).
        const talk = async (id: string, reply: (i: number) => string): Promise<void> => {
          for (let i = 0; i < 4; i++) {
            await store.commitTurn(
              turn(id, i === 0 ? null : i, {
                activityId: `act-${i}`,
                log: [say('user', `message ${i}`), say('bot', reply(i)), { type: 'typing' }, say('bot', reply(i))],
                replyCount: 3,
              }),
            );
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
        await store.appendLog(
          'c1',
          [1, 2, 3, 4, 5].map((n) => ({ type: 'message', n })),
          T0,
        );
        await store.appendLog('c2', [{ type: 'message', n: 100 }], T0);
        const seqs = async (after?: number, limit?: number): Promise<number[]> => (await store.readLog('c1', after, limit)).map((e) => e.seq);
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
          status: 'issued',
          facts: {},
          audit: [
            {
              at: T0,
              actor: 'bot',
              action: 'rma.issued',
              data: { remedy: 'refund', note: 'customer was polite', conversationId: 'conv-1', outcome: 'approved' },
            },
          ],
        });
      });

      it('is idempotent per order line and reason', async function () {
        const first = await store.issueRma(rmaRequest());
        const again = await store.issueRma(
          rmaRequest({
            orderNumber: 'uk-100234',
            actor: 'agent:alex',
            remedy: 'replacement',
            note: 'again',
            at: T1,
          }),
        );
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

      it('records the facts the decision used, with their sources, and more for the first audit entry', async function () {
        const facts = {
          deliveredOn: { value: '2026-12-17', source: 'customer' as const },
          product: { value: { category: 'headphones', sku: 'HP-200' }, source: 'order' as const },
          sealBroken: { value: false, source: 'staff' as const },
        };
        const { record } = await store.issueRma(rmaRequest({ facts, auditData: { vouched: true, vouchedBy: 'alex' }, actor: 'agent:alex' }));
        expect(record.facts).to.deep.equal(facts);
        expect(record.audit[0]?.data).to.deep.include({ vouched: true, vouchedBy: 'alex', remedy: 'refund' });
        expect(await store.getRma(record.rma)).to.deep.equal(record);
      });

      it('changes the remedy of an issued RMA with an audit entry (who, when, from what to what); the same remedy writes nothing', async function () {
        const { record } = await store.issueRma(rmaRequest({ remedy: 'replacement' }));
        const changed = await store.changeRmaRemedy({ rma: record.rma.toLowerCase(), to: 'refund', actor: 'customer', at: T1, data: { by: 'customer' } });
        expect(changed.ok && changed.changed).to.equal(true);
        const after = await store.getRma(record.rma);
        expect(after?.remedy).to.equal('refund');
        expect(after?.audit.slice(1)).to.deep.equal([{ at: T1, actor: 'customer', action: 'rma.remedy-changed', data: { by: 'customer', from: 'replacement', to: 'refund' } }]);
        expect(changed.ok && changed.record).to.deep.equal(after);
        // pinned: from/to win over the caller's data of the same name
        const again = await store.changeRmaRemedy({ rma: record.rma, to: 'refund', actor: 'agent:alex', at: T2, data: { from: 'x' } });
        expect(again).to.deep.equal({ ok: true, record: after, changed: false });
        expect(await store.changeRmaRemedy({ rma: 'RMA-0000-0000', to: 'refund', actor: 'customer', at: T1 })).to.deep.equal({ ok: false, reason: 'not-found' });
        expect(await store.changeRmaRemedy({ rma: 'nonsense', to: 'refund', actor: 'customer', at: T1 })).to.deep.equal({ ok: false, reason: 'not-found' });
        const bad = await store.changeRmaRemedy({ rma: record.rma, to: 'cash' as 'refund', actor: 'customer', at: T1 }).catch((e: unknown) => e);
        expect(bad).to.be.instanceOf(RangeError);
        expect((await store.getRma(record.rma))?.audit).to.have.length(2);
      });

      it('moves the status forward only, audited; a received RMA keeps its remedy', async function () {
        const { record } = await store.issueRma(rmaRequest({ remedy: 'replacement' }));
        expect(record.status).to.equal('issued');
        const received = await store.setRmaStatus({ rma: record.rma, to: 'received', actor: 'agent:alex', at: T1, data: { note: 'in the warehouse' } });
        expect(received.ok && received.record.status).to.equal('received');
        expect(received.ok && received.record.audit.at(-1)).to.deep.equal({
          at: T1,
          actor: 'agent:alex',
          action: 'rma.status-changed',
          data: { note: 'in the warehouse', from: 'issued', to: 'received' },
        });
        const refused = await store.changeRmaRemedy({ rma: record.rma, to: 'refund', actor: 'customer', at: T2 });
        expect(refused.ok).to.equal(false);
        expect(!refused.ok && refused.reason).to.equal('not-open');
        expect(!refused.ok && 'record' in refused && refused.record.remedy).to.equal('replacement');
        // the remedy it has already is no change, whatever the status
        expect((await store.changeRmaRemedy({ rma: record.rma, to: 'replacement', actor: 'customer', at: T2 })).ok).to.equal(true);
        const same = await store.setRmaStatus({ rma: record.rma, to: 'received', actor: 'agent:alex', at: T2 });
        expect(same.ok && same.changed).to.equal(false);
        const back = await store.setRmaStatus({ rma: record.rma, to: 'issued', actor: 'agent:alex', at: T2 });
        expect(!back.ok && back.reason).to.equal('backwards');
        const done = await store.setRmaStatus({ rma: record.rma, to: 'completed', actor: 'agent:alex', at: T2 });
        expect(done.ok && done.record.status).to.equal('completed');
        expect((await store.getRma(record.rma))?.audit.map((a) => a.action)).to.deep.equal(['rma.issued', 'rma.status-changed', 'rma.status-changed']);
        expect(await store.setRmaStatus({ rma: 'RMA-0000-0000', to: 'received', actor: 'agent:alex', at: T1 })).to.deep.equal({ ok: false, reason: 'not-found' });
      });
    });

    describe('concurrency', function () {
      it('20 concurrent remedy changes and a status change apply one after the other: every from is the previous to', async function () {
        const { record } = await store.issueRma(rmaRequest({ remedy: 'replacement' }));
        const remedies = ['refund', 'replacement', 'repair'] as const;
        const results = await Promise.all([
          ...Array.from({ length: 20 }, (_, i) => store.changeRmaRemedy({ rma: record.rma, to: remedies[i % 3]!, actor: `agent:a${i}`, at: T1 })),
          store.setRmaStatus({ rma: record.rma, to: 'received', actor: 'agent:boss', at: T2 }),
        ]);
        const after = (await store.getRma(record.rma))!;
        const changes = after.audit.filter((a) => a.action === 'rma.remedy-changed');
        let remedy: string = 'replacement';
        for (const c of changes) {
          expect(c.data['from']).to.equal(remedy);
          remedy = String(c.data['to']);
        }
        expect(after.remedy).to.equal(remedy);
        // nothing changed the remedy after the status did
        const statusAt = after.audit.findIndex((a) => a.action === 'rma.status-changed');
        expect(after.audit.slice(statusAt + 1).filter((a) => a.action === 'rma.remedy-changed')).to.deep.equal([]);
        expect(results.filter((r) => r.ok && r.changed && r.record.remedy !== null).length).to.be.at.least(changes.length);
      });

      it('50 concurrent issueRma for one line create exactly one RMA', async function () {
        const results = await Promise.all(Array.from({ length: 50 }, (_, i) => store.issueRma(rmaRequest({ actor: i % 2 ? 'bot' : `agent:a${i}` }))));
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
              return await store.commitTurn(
                turn('busy', current?.version ?? null, {
                  activityId: `a${i}`,
                  log: [say('user', `message ${i}`)],
                }),
              );
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
            return store.commitTurn(
              turn('race', current?.version ?? null, {
                snapshot: { winner: i },
                activityId: `race-${i}`,
                log: [say('user', `racer ${i}`), say('bot', `answer ${i}`)],
                replyCount: 1,
                audit: [{ at: T1, actor: 'bot', action: 'race', data: { i } }],
              }),
            );
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

    describe('attachments', function () {
      it('stores a file whole and gives its bytes back as a Buffer (every byte value)', async function () {
        const photo = attachment('att-1', { bytes: EVERY_BYTE, name: 'broken hinge.png', contentType: 'image/png', at: T1, uploadedBy: 'customer' });
        expect(await store.saveAttachment(photo)).to.equal(undefined);
        const got = await store.getAttachment('att-1');
        expect(got).to.not.equal(null);
        const { bytes, ...info } = got!;
        expect(info).to.deep.equal(infoOf(photo));
        expect(info.size).to.equal(512);
        expect(Buffer.isBuffer(bytes)).to.equal(true);
        expect(bytes.equals(EVERY_BYTE), bytes.toString('hex')).to.equal(true);
      });

      it('stores only the bytes of a Buffer that is a view into a larger one, an empty file, and a large one', async function () {
        const backing = Buffer.concat([Buffer.from('BEFORE'), EVERY_BYTE, Buffer.from('AFTER')]);
        const view = backing.subarray(6, 6 + EVERY_BYTE.length);
        expect(view.byteOffset).to.not.equal(0);
        // not random, but without runs a compressor would shrink
        const large = Buffer.from(Array.from({ length: 3 * 1024 * 1024 }, (_, i) => (i * 7919 + (i >> 8) * 31) & 0xff));
        await store.saveAttachment(attachment('view', { bytes: view }));
        await store.saveAttachment(attachment('empty', { bytes: Buffer.alloc(0) }));
        await store.saveAttachment(attachment('large', { bytes: large }));
        const viewBack = await store.getAttachment('view');
        expect(viewBack?.size).to.equal(512);
        expect(viewBack?.bytes.equals(EVERY_BYTE)).to.equal(true);
        const emptyBack = await store.getAttachment('empty');
        expect(emptyBack?.size).to.equal(0);
        expect(Buffer.isBuffer(emptyBack?.bytes)).to.equal(true);
        expect(emptyBack?.bytes.length).to.equal(0);
        const largeBack = await store.getAttachment('large');
        expect(largeBack?.size).to.equal(large.length);
        expect(largeBack?.bytes.equals(large)).to.equal(true);
      });

      it("lists a conversation's attachments without their bytes, oldest first, then in the order saved", async function () {
        const late = attachment('z-late', { at: T2 });
        const early = attachment('m-early', { at: T0, uploadedBy: 'agent:alex' });
        const middle = attachment('a-middle', { at: T1, contentType: 'image/heic' });
        const middleToo = attachment('0-middle-too', { at: T1 });
        const other = attachment('other', { conversationId: 'c2' });
        for (const a of [late, early, middle, other, middleToo]) await store.saveAttachment(a);
        const listed = await store.listAttachments('c1');
        expect(listed).to.deep.equal([early, middle, middleToo, late].map(infoOf));
        for (const entry of listed) expect(entry).to.not.have.property('bytes');
        expect(await store.listAttachments('c2')).to.deep.equal([infoOf(other)]);
        expect(await store.listAttachments('nobody')).to.deep.equal([]);
      });

      it('keeps attachments apart from the conversation: none needs a snapshot, and turns do not touch them (pinned)', async function () {
        await store.saveAttachment(attachment('before-any-turn', { conversationId: 'fresh' }));
        await store.commitTurn(turn('fresh', null, { log: [say('user', 'here is a photo')] }));
        expect((await store.listAttachments('fresh')).map((a) => a.id)).to.deep.equal(['before-any-turn']);
        expect(await store.readLog('fresh')).to.have.length(1);
      });

      it('answers null for an unknown id', async function () {
        expect(await store.getAttachment('nope')).to.equal(null);
        await store.saveAttachment(attachment('att-1'));
        expect(await store.getAttachment('nope')).to.equal(null);
        expect(await store.getAttachment('ATT-1')).to.equal(null);
      });

      it('refuses a second save with the same id (DuplicateAttachmentError), keeping the first', async function () {
        const first = attachment('att-1', { bytes: EVERY_BYTE });
        await store.saveAttachment(first);
        const error = await rejection(store.saveAttachment(attachment('att-1', { conversationId: 'c2', bytes: Buffer.from('other'), at: T1 })));
        expect(error).to.be.instanceOf(DuplicateAttachmentError);
        expect((error as DuplicateAttachmentError).attachmentId).to.equal('att-1');
        // the same file again is refused too
        expect(await rejection(store.saveAttachment(first))).to.be.instanceOf(DuplicateAttachmentError);
        expect((await store.getAttachment('att-1'))?.bytes.equals(EVERY_BYTE)).to.equal(true);
        expect(await store.listAttachments('c1')).to.deep.equal([infoOf(first)]);
        expect(await store.listAttachments('c2')).to.deep.equal([]);
      });

      it('stores one of concurrent saves with one id and refuses the others', async function () {
        const outcomes = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => store.saveAttachment(attachment('same', { bytes: Buffer.from([i]) }))));
        expect(outcomes.filter((o) => o.status === 'fulfilled')).to.have.length(1);
        for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).to.be.instanceOf(DuplicateAttachmentError);
        const winner = outcomes.findIndex((o) => o.status === 'fulfilled');
        expect((await store.getAttachment('same'))?.bytes.equals(Buffer.from([winner]))).to.equal(true);
        expect(await store.listAttachments('c1')).to.have.length(1);
      });

      it('stores a NUL character and unpaired surrogates of the name and content type as U+FFFD (pinned)', async function () {
        await store.saveAttachment(attachment('odd', { name: 'a\u0000b\ud800c\udc00d 😀.jpg', contentType: 'image/\u0000jpeg' }));
        const clean = { name: 'a\ufffdb\ufffdc\ufffdd 😀.jpg', contentType: 'image/\ufffdjpeg' };
        expect(await store.getAttachment('odd')).to.deep.include(clean);
        expect((await store.listAttachments('c1'))[0]).to.deep.include(clean);
      });

      it('refuses bytes that are not a Buffer with TypeError, writing nothing', async function () {
        const error = await rejection(store.saveAttachment(attachment('bad', { bytes: 'not bytes' as unknown as Buffer })));
        expect(error).to.be.instanceOf(TypeError);
        expect(await store.getAttachment('bad')).to.equal(null);
        expect(await store.listAttachments('c1')).to.deep.equal([]);
      });

      itWithSibling('sees attachments saved by another instance on the same database', async function () {
        const other = await sibling();
        await other.saveAttachment(attachment('from-other', { bytes: EVERY_BYTE }));
        expect((await store.getAttachment('from-other'))?.bytes.equals(EVERY_BYTE)).to.equal(true);
        expect(await rejection(store.saveAttachment(attachment('from-other')))).to.be.instanceOf(DuplicateAttachmentError);
        expect(await store.listAttachments('c1')).to.deep.equal([infoOf(attachment('from-other', { bytes: EVERY_BYTE }))]);
      });
    });

    describe('hand-over queue', function () {
      /** The record of a hand-over, which must exist. */
      async function handoff(id: string, on: Store = store): Promise<HandoffRecord> {
        const record = await on.getHandoff(id);
        if (!record) return expect.fail(`no hand-over for ${id}`);
        return record;
      }

      const positions = async (ids: readonly string[]): Promise<(number | null)[]> => Promise.all(ids.map((id) => store.queuePosition(id)));

      it('has nothing for a conversation that was never handed over', async function () {
        expect(await store.getHandoff('nobody')).to.equal(null);
        expect(await store.queuePosition('nobody')).to.equal(null);
        expect(await store.listHandoffs()).to.deep.equal([]);
        expect(await store.takeHandoff('nobody', 'alex', T0)).to.deep.equal({ ok: false, reason: 'not-found' });
        expect(await store.endHandoff('nobody', { agent: 'alex' }, 'closed', T0)).to.deep.equal({ ok: false, reason: 'not-found' });
        expect(await store.endHandoff('nobody', { customer: true }, 'left', T0)).to.deep.equal({ ok: false, reason: 'not-found' });
        expect(await store.updateHandoffSummary('nobody', { x: 1 })).to.equal(null);
        expect(await store.getHandoff('nobody')).to.equal(null);
      });

      it('opens a queued hand-over at version 1, keeping its summary and reference as JSON', async function () {
        const h = newHandoff('c1');
        const opened = await store.openHandoff(h);
        expect(opened).to.deep.equal({ record: queuedRecord(h), position: 1, created: true });
        expect(await store.getHandoff('c1')).to.deep.equal(queuedRecord(h));
        expect(await store.queuePosition('c1')).to.equal(1);
        // a hand-over needs no conversation snapshot, and a null reference is kept as null
        const bare = newHandoff('c2', { reference: null, summary: {}, channelId: 'msteams', reason: 'no-decision', at: T1 });
        expect(await store.openHandoff(bare)).to.deep.equal({ record: queuedRecord(bare), position: 2, created: true });
        expect(await store.getHandoff('c2')).to.deep.equal(queuedRecord(bare));
      });

      it('returns a queued or active hand-over unchanged when opened again (created: false)', async function () {
        const h = newHandoff('c1');
        await store.openHandoff(h);
        const again = newHandoff('c1', { reason: 'again', summary: { other: true }, reference: null, at: T2 });
        expect(await store.openHandoff(again)).to.deep.equal({ record: queuedRecord(h), position: 1, created: false });
        const taken = await store.takeHandoff('c1', 'alex', T1);
        if (!taken.ok) return expect.fail(JSON.stringify(taken));
        expect(await store.openHandoff(again)).to.deep.equal({ record: taken.record, position: null, created: false });
        expect(await handoff('c1')).to.deep.equal(taken.record);
      });

      it('re-opens one that ended as a new queued hand-over (queuedAt = at, no agent, version continues)', async function () {
        for (const [id, end] of [
          ['released', 'agent'],
          ['closed', 'agent'],
          ['left', 'customer'],
        ] as const) {
          const conversation = `c-${id}`;
          await store.openHandoff(newHandoff(conversation));
          if (end === 'agent') {
            expect((await store.takeHandoff(conversation, 'alex', T1)).ok).to.equal(true);
            expect((await store.endHandoff(conversation, { agent: 'alex' }, id, T2)).ok).to.equal(true);
          } else {
            expect((await store.endHandoff(conversation, { customer: true }, 'left', T2)).ok).to.equal(true);
          }
          const next = newHandoff(conversation, { reason: 'asked again', summary: { round: 2 }, reference: { conversation: { id: 'new-ref' } }, channelId: 'msteams', at: T3 });
          const reopened = await store.openHandoff(next);
          const version = end === 'agent' ? 4 : 3;
          expect(reopened, id).to.deep.equal({ record: queuedRecord(next, version), position: 1, created: true });
          expect(await handoff(conversation)).to.deep.equal(queuedRecord(next, version));
          // out of the queue, so the next conversation's re-opened hand-over is first in it
          expect((await store.takeHandoff(conversation, 'sam', T3)).ok).to.equal(true);
        }
      });

      it('orders the queue by queuedAt, then conversationId; positions follow it as the queue changes', async function () {
        expect((await store.openHandoff(newHandoff('c-b', { at: T1 }))).position).to.equal(1);
        expect((await store.openHandoff(newHandoff('c-a', { at: T1 }))).position).to.equal(1);
        expect((await store.openHandoff(newHandoff('c-c', { at: T0 }))).position).to.equal(1);
        expect((await store.openHandoff(newHandoff('c-d', { at: T2 }))).position).to.equal(4);
        // conversation ids compare by code point (pinned): upper case before lower case
        expect((await store.openHandoff(newHandoff('c-B', { at: T1 }))).position).to.equal(2);
        const ids = ['c-c', 'c-B', 'c-a', 'c-b', 'c-d'];
        expect(await positions(ids)).to.deep.equal([1, 2, 3, 4, 5]);
        expect((await store.listHandoffs({ status: ['queued'] })).map((h) => h.conversationId)).to.deep.equal(ids);

        await store.takeHandoff('c-a', 'alex', T2);
        expect(await positions(ids)).to.deep.equal([1, 2, null, 3, 4]);
        await store.endHandoff('c-c', { customer: true }, 'left', T2);
        expect(await positions(ids)).to.deep.equal([null, 1, null, 2, 3]);
        // a re-opened one joins at the back (its new queuedAt)
        expect((await store.openHandoff(newHandoff('c-c', { at: T3 }))).position).to.equal(4);
        expect(await positions(ids)).to.deep.equal([4, 1, null, 2, 3]);
      });

      it('takes a queued hand-over: active, its agent, takenAt, version + 1; the same agent again gets it unchanged', async function () {
        const h = newHandoff('c1');
        await store.openHandoff(h);
        const taken = await store.takeHandoff('c1', 'alex', T1);
        const active: HandoffRecord = { ...queuedRecord(h), status: 'active', agent: 'alex', takenAt: T1, version: 2 };
        expect(taken).to.deep.equal({ ok: true, record: active });
        expect(await handoff('c1')).to.deep.equal(active);
        expect(await store.queuePosition('c1')).to.equal(null);
        // idempotent for its holder: nothing changes, not even takenAt
        expect(await store.takeHandoff('c1', 'alex', T2)).to.deep.equal({ ok: true, record: active });
        expect(await handoff('c1')).to.deep.equal(active);
      });

      it('refuses to take one another agent holds (held, naming the holder) or one that ended, changing nothing', async function () {
        await store.openHandoff(newHandoff('c1'));
        const taken = await store.takeHandoff('c1', 'alex', T1);
        expect(await store.takeHandoff('c1', 'sam', T2)).to.deep.equal({ ok: false, reason: 'held', holder: 'alex' });
        // names are compared exactly (pinned)
        expect(await store.takeHandoff('c1', 'Alex', T2)).to.deep.equal({ ok: false, reason: 'held', holder: 'alex' });
        expect(await handoff('c1')).to.deep.equal(taken.ok && taken.record);
        await store.endHandoff('c1', { agent: 'alex' }, 'released', T2);
        const released = await handoff('c1');
        for (const agent of ['alex', 'sam']) expect(await store.takeHandoff('c1', agent, T3)).to.deep.equal({ ok: false, reason: 'ended' });
        expect(await handoff('c1')).to.deep.equal(released);
      });

      it('lets the agent who holds it release or close it, keeping the agent and takenAt, setting endedAt', async function () {
        for (const status of ['released', 'closed'] as const) {
          const h = newHandoff(`c-${status}`);
          await store.openHandoff(h);
          await store.takeHandoff(h.conversationId, 'alex', T1);
          const ended = await store.endHandoff(h.conversationId, { agent: 'alex' }, status, T2);
          const record: HandoffRecord = { ...queuedRecord(h), status, agent: 'alex', takenAt: T1, endedAt: T2, version: 3 };
          expect(ended).to.deep.equal({ ok: true, record });
          expect(await handoff(h.conversationId)).to.deep.equal(record);
          expect(await store.queuePosition(h.conversationId)).to.equal(null);
          // once ended it stays ended, for anyone
          expect(await store.endHandoff(h.conversationId, { agent: 'alex' }, 'closed', T3)).to.deep.equal({ ok: false, reason: 'ended' });
          expect(await store.endHandoff(h.conversationId, { agent: 'sam' }, 'released', T3)).to.deep.equal({ ok: false, reason: 'ended' });
          expect(await store.endHandoff(h.conversationId, { customer: true }, 'left', T3)).to.deep.equal({ ok: false, reason: 'ended' });
          expect(await handoff(h.conversationId)).to.deep.equal(record);
        }
      });

      it('refuses an agent ending a hand-over it does not hold: held by another (held), or not taken yet (queued)', async function () {
        const h = newHandoff('c1');
        await store.openHandoff(h);
        expect(await store.endHandoff('c1', { agent: 'alex' }, 'closed', T1)).to.deep.equal({ ok: false, reason: 'queued' });
        expect(await store.endHandoff('c1', { agent: 'alex' }, 'released', T1)).to.deep.equal({ ok: false, reason: 'queued' });
        expect(await handoff('c1')).to.deep.equal(queuedRecord(h));
        await store.takeHandoff('c1', 'alex', T1);
        const active = await handoff('c1');
        expect(await store.endHandoff('c1', { agent: 'sam' }, 'closed', T2)).to.deep.equal({ ok: false, reason: 'held', holder: 'alex' });
        expect(await store.endHandoff('c1', { agent: 'sam' }, 'released', T2)).to.deep.equal({ ok: false, reason: 'held', holder: 'alex' });
        expect(await handoff('c1')).to.deep.equal(active);
      });

      it('lets the customer leave a queued hand-over only (an active one is held by its agent)', async function () {
        const h = newHandoff('c1');
        await store.openHandoff(h);
        const left = await store.endHandoff('c1', { customer: true }, 'left', T1);
        const record: HandoffRecord = { ...queuedRecord(h), status: 'left', endedAt: T1, version: 2 };
        expect(left).to.deep.equal({ ok: true, record });
        expect(await handoff('c1')).to.deep.equal(record);
        expect(await store.endHandoff('c1', { customer: true }, 'left', T2)).to.deep.equal({ ok: false, reason: 'ended' });

        await store.openHandoff(newHandoff('c2'));
        await store.takeHandoff('c2', 'alex', T1);
        const active = await handoff('c2');
        expect(await store.endHandoff('c2', { customer: true }, 'left', T2)).to.deep.equal({ ok: false, reason: 'held', holder: 'alex' });
        expect(await handoff('c2')).to.deep.equal(active);
      });

      it('refuses an end that does not fit who ends it (RangeError) or a malformed one (TypeError), changing nothing', async function () {
        const h = newHandoff('c1');
        await store.openHandoff(h);
        await store.takeHandoff('c1', 'alex', T1);
        const active = await handoff('c1');
        expect(await rejection(store.endHandoff('c1', { agent: 'alex' }, 'left', T2))).to.be.instanceOf(RangeError);
        expect(await rejection(store.endHandoff('c1', { customer: true }, 'released', T2))).to.be.instanceOf(RangeError);
        expect(await rejection(store.endHandoff('c1', { customer: true }, 'closed', T2))).to.be.instanceOf(RangeError);
        expect(await rejection(store.endHandoff('c1', { agent: '' }, 'closed', T2))).to.be.instanceOf(TypeError);
        expect(await rejection(store.endHandoff('c1', {} as { customer: true }, 'left', T2))).to.be.instanceOf(TypeError);
        expect(await rejection(store.takeHandoff('c1', '', T2))).to.be.instanceOf(TypeError);
        expect(await handoff('c1')).to.deep.equal(active);
      });

      it('refuses a malformed hand-over with TypeError, writing nothing', async function () {
        const bad: Partial<NewHandoff>[] = [
          { summary: null as unknown as Record<string, unknown> },
          { summary: [] as unknown as Record<string, unknown> },
          { reference: [] as unknown as Record<string, unknown> },
          { reference: 'ref' as unknown as Record<string, unknown> },
          { conversationId: '' },
          { reason: 3 as unknown as string },
          { at: undefined as unknown as string },
        ];
        for (const patch of bad) {
          expect(await rejection(store.openHandoff(newHandoff('bad', patch))), JSON.stringify(patch)).to.be.instanceOf(TypeError);
        }
        expect(await store.listHandoffs()).to.deep.equal([]);
        await store.openHandoff(newHandoff('c1'));
        expect(await rejection(store.updateHandoffSummary('c1', [] as unknown as Record<string, unknown>))).to.be.instanceOf(TypeError);
        expect((await handoff('c1')).version).to.equal(1);
      });

      it('stores a NUL character and unpaired surrogates of the reason as U+FFFD (pinned)', async function () {
        await store.openHandoff(newHandoff('c1', { reason: 'a\u0000b\ud800c' }));
        expect((await handoff('c1')).reason).to.equal('a\ufffdb\ufffdc');
      });

      it('replaces the summary, whatever the status (version + 1), and nothing else', async function () {
        const h = newHandoff('c1');
        await store.openHandoff(h);
        const summary = { order: 'UK-100234', decision: { outcome: 'approved' }, facts: {} };
        const updated = await store.updateHandoffSummary('c1', summary);
        expect(updated).to.deep.equal({ ...queuedRecord(h), summary, version: 2 });
        expect(await handoff('c1')).to.deep.equal(updated);
        await store.takeHandoff('c1', 'alex', T1);
        await store.endHandoff('c1', { agent: 'alex' }, 'closed', T2);
        const after = await store.updateHandoffSummary('c1', { rma: 'RMA-0000-0000' });
        expect(after).to.deep.include({ status: 'closed', agent: 'alex', endedAt: T2, version: 5, summary: { rma: 'RMA-0000-0000' } });
      });

      it('lists the queue oldest first, then the rest most recently changed first; filters by status and agent, with a limit', async function () {
        await store.openHandoff(newHandoff('q-late', { at: T2 }));
        await store.openHandoff(newHandoff('q-early', { at: T0 }));
        for (const id of ['x-active-alex', 'x-closed-alex', 'x-active-sam', 'x-left', 'x-released-sam']) await store.openHandoff(newHandoff(id, { at: T0 }));
        await store.takeHandoff('x-closed-alex', 'alex', T1);
        await store.takeHandoff('x-active-sam', 'sam', T1);
        await store.endHandoff('x-left', { customer: true }, 'left', T1);
        await store.takeHandoff('x-released-sam', 'sam', T1);
        await store.takeHandoff('x-active-alex', 'alex', T1);
        await store.endHandoff('x-closed-alex', { agent: 'alex' }, 'closed', T1);
        await store.endHandoff('x-released-sam', { agent: 'sam' }, 'released', T1);
        // changing the summary is a change too
        await store.updateHandoffSummary('x-active-sam', { note: 'changed last' });

        const ids = async (filter?: Parameters<Store['listHandoffs']>[0]): Promise<string[]> => (await store.listHandoffs(filter)).map((h) => h.conversationId);
        expect(await ids()).to.deep.equal(['q-early', 'q-late', 'x-active-sam', 'x-released-sam', 'x-closed-alex', 'x-active-alex', 'x-left']);
        expect(await ids({})).to.deep.equal(await ids());
        expect(await ids({ status: ['queued'] })).to.deep.equal(['q-early', 'q-late']);
        expect(await ids({ status: ['active'] })).to.deep.equal(['x-active-sam', 'x-active-alex']);
        expect(await ids({ status: ['released', 'closed', 'left'] })).to.deep.equal(['x-released-sam', 'x-closed-alex', 'x-left']);
        expect(await ids({ status: ['active', 'queued'] })).to.deep.equal(['q-early', 'q-late', 'x-active-sam', 'x-active-alex']);
        expect(await ids({ status: [] })).to.deep.equal([]);
        expect(await ids({ agent: 'alex' })).to.deep.equal(['x-closed-alex', 'x-active-alex']);
        expect(await ids({ agent: 'sam', status: ['active'] })).to.deep.equal(['x-active-sam']);
        expect(await ids({ agent: 'nobody' })).to.deep.equal([]);
        expect(await ids({ limit: 3 })).to.deep.equal(['q-early', 'q-late', 'x-active-sam']);
        expect(await ids({ limit: 0 })).to.deep.equal([]);
        expect(await store.listHandoffs({ status: ['active'], agent: 'alex' })).to.deep.equal([await handoff('x-active-alex')]);
        for (const bad of [{ status: ['waiting'] }, { limit: -1 }, { limit: 1.5 }] as const) {
          expect(await rejection(store.listHandoffs(bad as Parameters<Store['listHandoffs']>[0])), JSON.stringify(bad)).to.be.instanceOf(RangeError);
        }
      });

      it('gives one of 10 agents racing for one conversation the hand-over, and tells the others who holds it', async function () {
        await store.openHandoff(newHandoff('c1'));
        const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.takeHandoff('c1', `agent-${i}`, T1)));
        const won = results.filter((r) => r.ok);
        expect(won).to.have.length(1);
        const winner = won[0]?.ok ? won[0].record.agent : null;
        expect(winner).to.match(/^agent-\d$/);
        for (const r of results) if (!r.ok) expect(r).to.deep.equal({ ok: false, reason: 'held', holder: winner });
        expect(await handoff('c1')).to.deep.include({ status: 'active', agent: winner, version: 2 });
      });

      it('lets exactly one of a take and the customer leaving win when they race', async function () {
        for (let round = 0; round < 10; round++) {
          const id = `race-${round}`;
          await store.openHandoff(newHandoff(id));
          const [take, leave] = await Promise.all([store.takeHandoff(id, 'alex', T1), store.endHandoff(id, { customer: true }, 'left', T1)]);
          expect([take.ok, leave.ok].filter(Boolean), JSON.stringify({ take, leave })).to.have.length(1);
          const stored = await handoff(id);
          if (take.ok) {
            expect(leave).to.deep.equal({ ok: false, reason: 'held', holder: 'alex' });
            expect(stored).to.deep.include({ status: 'active', version: 2 });
          } else {
            expect(take).to.deep.equal({ ok: false, reason: 'ended' });
            expect(stored).to.deep.include({ status: 'left', version: 2 });
          }
        }
      });

      it('creates one hand-over from concurrent opens of one conversation', async function () {
        const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.openHandoff(newHandoff('c1', { reason: `r${i}` }))));
        expect(results.filter((r) => r.created)).to.have.length(1);
        const stored = await handoff('c1');
        expect(stored.version).to.equal(1);
        for (const r of results) expect(r).to.deep.equal({ record: stored, position: 1, created: r.created });
      });

      itWithSibling('shares the queue with another instance: agents racing from both get one winner', async function () {
        const other = await sibling();
        await other.openHandoff(newHandoff('shared', { at: T0 }));
        await store.openHandoff(newHandoff('second', { at: T1 }));
        expect(await other.queuePosition('second')).to.equal(2);
        expect(await store.queuePosition('shared')).to.equal(1);
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? store : other).takeHandoff('shared', `agent-${i}`, T1)));
        const won = results.filter((r) => r.ok);
        expect(won).to.have.length(1);
        const winner = won[0]?.ok ? won[0].record.agent : null;
        for (const r of results) if (!r.ok) expect(r).to.deep.equal({ ok: false, reason: 'held', holder: winner });
        expect(await handoff('shared', other)).to.deep.equal(await handoff('shared', store));
        expect(await store.queuePosition('second')).to.equal(1);
        // what one instance ends, the other sees ended
        expect((await other.endHandoff('shared', { agent: String(winner) }, 'closed', T2)).ok).to.equal(true);
        expect(await store.takeHandoff('shared', 'late', T3)).to.deep.equal({ ok: false, reason: 'ended' });
        expect((await store.listHandoffs({ status: ['closed'] })).map((h) => h.agent)).to.deep.equal([winner]);
      });
    });

    describe('support staff', function () {
      const alex = { name: 'alex', displayName: 'Alex Smith', keyHash: 'hash-alex', at: T0 };
      const sam = { name: 'sam', displayName: 'Sam Jones', keyHash: 'hash-sam', at: T1 };

      it('adds agents, finds an active one by its key hash, and lists them in the order added', async function () {
        expect(await store.listAgents()).to.deep.equal([]);
        expect(await store.addAgent(sam)).to.equal(undefined);
        await store.addAgent(alex);
        expect(await store.agentByKeyHash('hash-alex')).to.deep.equal({ name: 'alex', displayName: 'Alex Smith', createdAt: T0 });
        expect(await store.agentByKeyHash('hash-sam')).to.deep.equal({ name: 'sam', displayName: 'Sam Jones', createdAt: T1 });
        expect(await store.agentByKeyHash('hash-nobody')).to.equal(null);
        expect(await store.agentByKeyHash('HASH-ALEX')).to.equal(null);
        expect(await store.listAgents()).to.deep.equal([
          { name: 'sam', displayName: 'Sam Jones', createdAt: T1, removedAt: null },
          { name: 'alex', displayName: 'Alex Smith', createdAt: T0, removedAt: null },
        ]);
      });

      it('refuses a name an active agent has (DuplicateAgentError), writing nothing; names compare exactly (pinned)', async function () {
        await store.addAgent(alex);
        const error = await rejection(store.addAgent({ ...alex, displayName: 'Another Alex', keyHash: 'hash-other' }));
        expect(error).to.be.instanceOf(DuplicateAgentError);
        expect((error as DuplicateAgentError).agentName).to.equal('alex');
        expect(await store.agentByKeyHash('hash-other')).to.equal(null);
        expect(await store.listAgents()).to.have.length(1);
        await store.addAgent({ ...alex, name: 'Alex', keyHash: 'hash-Alex' });
        expect((await store.listAgents()).map((a) => a.name)).to.deep.equal(['alex', 'Alex']);
      });

      it('refuses a key hash an active agent has (not as a duplicate name), writing nothing', async function () {
        await store.addAgent(alex);
        const error = await rejection(store.addAgent({ ...sam, keyHash: alex.keyHash }));
        expect(error).to.be.instanceOf(Error).and.not.be.instanceOf(DuplicateAgentError);
        expect((error as Error).message).to.match(/access key/);
        expect(await store.agentByKeyHash(alex.keyHash)).to.deep.include({ name: 'alex' });
        expect(await store.listAgents()).to.have.length(1);
      });

      it('removes (revokes) an active agent: its key stops working and its name can be added again', async function () {
        await store.addAgent(alex);
        await store.addAgent(sam);
        expect(await store.removeAgent('alex', T2)).to.equal(true);
        expect(await store.agentByKeyHash('hash-alex')).to.equal(null);
        expect(await store.agentByKeyHash('hash-sam')).to.deep.include({ name: 'sam' });
        expect(await store.removeAgent('alex', T3)).to.equal(false);
        expect(await store.removeAgent('nobody', T3)).to.equal(false);
        await store.addAgent({ ...alex, displayName: 'Alex (again)', keyHash: 'hash-alex-2', at: T3 });
        expect(await store.agentByKeyHash('hash-alex-2')).to.deep.equal({ name: 'alex', displayName: 'Alex (again)', createdAt: T3 });
        // the old key stays revoked, and a removed agent's key hash may be used again
        expect(await store.agentByKeyHash('hash-alex')).to.equal(null);
        expect(await store.listAgents()).to.deep.equal([
          { name: 'alex', displayName: 'Alex Smith', createdAt: T0, removedAt: T2 },
          { name: 'sam', displayName: 'Sam Jones', createdAt: T1, removedAt: null },
          { name: 'alex', displayName: 'Alex (again)', createdAt: T3, removedAt: null },
        ]);
        // removing it again revokes only the active one
        expect(await store.removeAgent('alex', T3)).to.equal(true);
        expect((await store.listAgents()).map((a) => a.removedAt)).to.deep.equal([T2, null, T3]);
      });

      it('refuses a malformed account with TypeError, writing nothing', async function () {
        for (const patch of [{ name: '' }, { keyHash: '' }, { displayName: null }, { name: 7 }] as const) {
          expect(await rejection(store.addAgent({ ...alex, ...(patch as object) } as typeof alex)), JSON.stringify(patch)).to.be.instanceOf(TypeError);
        }
        expect(await store.listAgents()).to.deep.equal([]);
      });

      it('adds one of concurrent adds of one name, from one instance or two', async function () {
        const instances = openSibling ? [store, await sibling()] : [store];
        const outcomes = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => instances[i % instances.length]!.addAgent({ ...alex, keyHash: `hash-${i}` })));
        expect(outcomes.filter((o) => o.status === 'fulfilled')).to.have.length(1);
        for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).to.be.instanceOf(DuplicateAgentError);
        expect(await store.listAgents()).to.have.length(1);
      });
    });

    describe('staff on other channels', function () {
      const teams = (id: string): Record<string, unknown> => ({
        bot: { id: 'returnsbot' },
        channelId: 'msteams',
        conversation: { id, conversationType: 'personal' },
        serviceUrl: 'https://smba.example/',
      });

      it('stores a reference per staff id, replacing it when saved again, listed by staff id', async function () {
        expect(await store.staffReferences()).to.deep.equal([]);
        expect(await store.saveStaffReference('29:zed', teams('a:1'), T0)).to.equal(undefined);
        await store.saveStaffReference('29:amy', teams('a:2'), T1);
        await store.saveStaffReference('29:zed', teams('a:3'), T2);
        expect(await store.staffReferences()).to.deep.equal([
          { staffId: '29:amy', reference: teams('a:2'), at: T1 },
          { staffId: '29:zed', reference: teams('a:3'), at: T2 },
        ]);
      });

      it('refuses a reference that is not an object (TypeError), writing nothing', async function () {
        for (const bad of [null, [], 'ref']) {
          expect(await rejection(store.saveStaffReference('29:amy', bad as unknown as Record<string, unknown>, T0))).to.be.instanceOf(TypeError);
        }
        expect(await rejection(store.saveStaffReference('', teams('a:1'), T0))).to.be.instanceOf(TypeError);
        expect(await store.staffReferences()).to.deep.equal([]);
      });

      itWithSibling('shares staff references and accounts with another instance', async function () {
        const other = await sibling();
        await other.saveStaffReference('29:amy', teams('a:1'), T0);
        await other.addAgent({ name: 'alex', displayName: 'Alex', keyHash: 'h', at: T0 });
        expect(await store.staffReferences()).to.deep.equal([{ staffId: '29:amy', reference: teams('a:1'), at: T0 }]);
        expect(await store.agentByKeyHash('h')).to.deep.include({ name: 'alex' });
        expect(await rejection(store.addAgent({ name: 'alex', displayName: 'Alex', keyHash: 'h2', at: T1 }))).to.be.instanceOf(DuplicateAgentError);
        expect(await store.removeAgent('alex', T1)).to.equal(true);
        expect(await other.agentByKeyHash('h')).to.equal(null);
      });
    });

    describe('secrets', function () {
      const never = (): string => expect.fail('create must not be called when the secret is stored');

      it('stores what create() returns, then returns the stored value without calling create', async function () {
        let calls = 0;
        expect(await store.secret('directline.signing-key', () => `key-${++calls}`)).to.equal('key-1');
        expect(await store.secret('directline.signing-key', never)).to.equal('key-1');
        expect(await store.secret('directline.signing-key', () => `key-${++calls}`)).to.equal('key-1');
        expect(calls).to.equal(1);
      });

      it('keeps secrets apart by their exact name', async function () {
        expect(await store.secret('a', () => 'value of a')).to.equal('value of a');
        expect(await store.secret('b', () => 'value of b')).to.equal('value of b');
        expect(await store.secret('A', () => 'value of A')).to.equal('value of A');
        expect(await store.secret('a', never)).to.equal('value of a');
        expect(await store.secret('b', never)).to.equal('value of b');
      });

      it("gives concurrent calls one value: the losers' values are not kept", async function () {
        const created: string[] = [];
        const values = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            store.secret('shared', () => {
              created.push(`value ${i}`);
              return `value ${i}`;
            }),
          ),
        );
        expect(new Set(values).size).to.equal(1);
        expect(created).to.include(values[0]);
        expect(await store.secret('shared', never)).to.equal(values[0]);
      });

      itWithSibling('gives two instances on one database the same value, however their calls interleave', async function () {
        const other = await sibling();
        const values = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? store : other).secret('shared', () => `value ${i}`)));
        expect(new Set(values).size).to.equal(1);
        expect(await store.secret('shared', never)).to.equal(values[0]);
        expect(await other.secret('shared', never)).to.equal(values[0]);
        // stored by one, read by the other
        expect(await other.secret('second', () => 'from the other')).to.equal('from the other');
        expect(await store.secret('second', () => 'mine')).to.equal('from the other');
      });

      it('rejects when create throws, storing nothing', async function () {
        const error = await rejection(
          store.secret('k', () => {
            throw new Error('no entropy today');
          }),
        );
        expect((error as Error).message).to.equal('no entropy today');
        expect(await store.secret('k', () => 'later')).to.equal('later');
      });

      it('refuses a value that is not a non-empty string without NUL or unpaired surrogates (TypeError), storing nothing', async function () {
        for (const bad of ['', 'a\u0000b', 'a\ud800b', 42 as unknown as string, undefined as unknown as string]) {
          expect(await rejection(store.secret('k', () => bad)), JSON.stringify(bad)).to.be.instanceOf(TypeError);
        }
        expect(await rejection(store.secret('', () => 'x'))).to.be.instanceOf(TypeError);
        // stored and returned exactly, whatever the characters
        const odd = 'ключ 😀 \\u0000 "quoted"\n';
        expect(await store.secret('k', () => odd)).to.equal(odd);
        expect(await store.secret('k', never)).to.equal(odd);
      });
    });

    describe('failed proofs of ownership', function () {
      // Windows of one minute: a failure at T0 counts until a window start after T0.
      const W0 = '2027-01-04T09:59:30.000Z'; // before T0: T0's window still counts
      const W1 = '2027-01-04T10:00:30.000Z'; // after T0: a window that started at T0 has ended
      const counts = (rows: { failures: number }[]) => rows.map((r) => r.failures);

      it('counts failures per key, in the order given, each starting its window at its first failure', async function () {
        expect(await store.addProofFailures(['order:UK-1', 'conversation:c1'], T0, W0)).to.deep.equal([
          { key: 'order:UK-1', failures: 1, since: T0 },
          { key: 'conversation:c1', failures: 1, since: T0 },
        ]);
        expect(await store.addProofFailures(['conversation:c1', 'order:UK-1'], T1, W0)).to.deep.equal([
          { key: 'conversation:c1', failures: 2, since: T0 },
          { key: 'order:UK-1', failures: 2, since: T0 },
        ]);
        expect(counts(await store.addProofFailures(['order:UK-1', 'conversation:c2'], T1, W0))).to.deep.equal([3, 1]);
        expect(await store.proofFailures(['order:UK-1', 'conversation:c1', 'conversation:c2', 'order:none'], W0)).to.deep.equal([
          { key: 'order:UK-1', failures: 3, since: T0 },
          { key: 'conversation:c1', failures: 2, since: T0 },
          { key: 'conversation:c2', failures: 1, since: T1 },
          { key: 'order:none', failures: 0, since: null },
        ]);
      });

      it('a window that started before windowStart no longer counts: reads 0, and the next failure starts a new one', async function () {
        await store.addProofFailures(['order:UK-1'], T0, W0);
        await store.addProofFailures(['order:UK-1'], T0, W0);
        expect(await store.proofFailures(['order:UK-1'], W1)).to.deep.equal([{ key: 'order:UK-1', failures: 0, since: null }]);
        expect(await store.addProofFailures(['order:UK-1'], T2, W1)).to.deep.equal([{ key: 'order:UK-1', failures: 1, since: T2 }]);
        // pinned: the window is fixed from its first failure; later failures do not move it
        expect(await store.addProofFailures(['order:UK-1'], T3, W1)).to.deep.equal([{ key: 'order:UK-1', failures: 2, since: T2 }]);
      });

      it('takes one failure back from each key released (a proof that matched), leaving the others; an unknown key is harmless', async function () {
        await store.addProofFailures(['order:UK-1', 'conversation:c1', 'order:UK-2'], T0, W0);
        await store.addProofFailures(['order:UK-1'], T1, W0);
        await store.releaseProofFailures(['order:UK-1', 'conversation:c1', 'conversation:never', 'order:UK-1']);
        expect(await store.proofFailures(['order:UK-1', 'conversation:c1', 'order:UK-2'], W0)).to.deep.equal([
          { key: 'order:UK-1', failures: 1, since: T0 },
          { key: 'conversation:c1', failures: 0, since: null },
          { key: 'order:UK-2', failures: 1, since: T0 },
        ]);
        // a released count of 1 is gone: the next failure starts a new window
        await store.releaseProofFailures(['order:UK-1']);
        expect(await store.addProofFailures(['order:UK-1'], T2, W0)).to.deep.equal([{ key: 'order:UK-1', failures: 1, since: T2 }]);
      });

      it('never loses a release or an addition to concurrent calls', async function () {
        for (let i = 0; i < 30; i++) await store.addProofFailures(['order:UK-1'], T0, W0);
        await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? store.releaseProofFailures(['order:UK-1']) : store.addProofFailures(['order:UK-1'], T0, W0))));
        expect(counts(await store.proofFailures(['order:UK-1'], W0))).to.deep.equal([30]);
      });

      it('counts a key given twice in one call once; keys are exact (case matters)', async function () {
        expect(counts(await store.addProofFailures(['order:UK-1', 'order:UK-1'], T0, W0))).to.deep.equal([1]);
        expect(counts(await store.addProofFailures(['order:uk-1'], T0, W0))).to.deep.equal([1]);
        expect(counts(await store.proofFailures(['order:UK-1', 'order:uk-1'], W0))).to.deep.equal([1, 1]);
      });

      it('never loses a count to concurrent calls', async function () {
        await Promise.all(Array.from({ length: 25 }, () => store.addProofFailures(['order:UK-1', 'conversation:c1'], T0, W0)));
        expect(counts(await store.proofFailures(['order:UK-1', 'conversation:c1'], W0))).to.deep.equal([25, 25]);
      });

      itWithSibling('two instances on one database share the counts, however their calls interleave', async function () {
        const other = await sibling();
        await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? store : other).addProofFailures([`order:UK-1`, `conversation:c${i % 3}`], T0, W0)));
        expect(counts(await other.proofFailures(['order:UK-1', 'conversation:c0', 'conversation:c1', 'conversation:c2'], W0))).to.deep.equal([20, 7, 7, 6]);
        await other.releaseProofFailures(['order:UK-1']);
        expect(counts(await store.proofFailures(['order:UK-1'], W0))).to.deep.equal([19]);
      });

      it('refuses keys that are not non-empty strings of at most 600 characters (TypeError), counting nothing', async function () {
        for (const bad of [[''], [42 as unknown as string], ['x'.repeat(601)], 'order:UK-1' as unknown as string[]]) {
          expect(await rejection(store.addProofFailures(bad, T0, W0)), JSON.stringify(bad)).to.be.instanceOf(TypeError);
        }
        expect(await rejection(store.addProofFailures(['order:UK-1'], 5 as unknown as string, W0))).to.be.instanceOf(TypeError);
        expect(counts(await store.proofFailures(['order:UK-1', 'x'.repeat(600)], W0))).to.deep.equal([0, 0]);
      });
    });

    describe('the size of the stored photos', function () {
      it('adds up the bytes of every attachment (0 when there are none)', async function () {
        expect(await store.attachmentBytes()).to.equal(0);
        await store.saveAttachment(attachment('a1', { bytes: Buffer.alloc(1000, 1) }));
        await store.saveAttachment(attachment('a2', { conversationId: 'c2', bytes: EVERY_BYTE }));
        expect(await store.attachmentBytes()).to.equal(1000 + EVERY_BYTE.length);
        // a refused duplicate adds nothing
        await rejection(store.saveAttachment(attachment('a1', { bytes: Buffer.alloc(5000) })));
        expect(await store.attachmentBytes()).to.equal(1000 + EVERY_BYTE.length);
      });
    });
  });
}
