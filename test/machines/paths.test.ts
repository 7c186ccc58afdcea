/**
 * Model-based tests of the returns conversation (house-style §5): `xstate/graph` walks the machine
 * with the concrete events a customer, the support team or an invoked actor can send (model.ts),
 * and every path is replayed on a real actor with deterministic fake actors (check.ts), checking
 * the promises of CONTRACT sections 4–7 turn by turn.
 *
 * What is walked, and why not every simple path from the start:
 * - Vertices are snapshots serialised with everything that decides what happens next
 *   (`stateKey`), so a replay must reach exactly the keys the model predicts. Pure traversal runs
 *   no promises: the completions of `verifyOrder`, `issueRma` and `requestHandoff` are events in
 *   the model (computed by the same fakes), and in the replay the real promise actors resolve.
 * - Every simple path from the start is far too many: with "not understood" once at each question
 *   the paths double per question, and `getSimplePaths` enumerates every simple path once per
 *   target vertex. The fault questions of the impress-us notebook alone (9 questions) give 69,105
 *   simple paths without any detour; the whole graph has ~10,600 vertices and ~26,000 edges.
 * - So, in three parts:
 *   1. Shortest paths (`getShortestPaths`) to every vertex of the graph with at most one detour
 *      per path (a command, a correction, "I don't know", a new route after a refusal, a changed
 *      order number: `traversalOptions(1)`), replayed from a fresh actor. Only the paths that are
 *      not a prefix of another are replayed: each one checks every turn along it.
 *   2. Every transition of the main-line graph (no detours: every answer, every reason, remedy,
 *      confirmation and support-team event): from each waiting state, each event the model offers
 *      there (detours included, also self-loops such as HELP), on a real actor restored from the
 *      persisted snapshot, compared with the model's prediction.
 *   3. Every simple path (`getSimplePaths`, at most one detour) from six key states, within the
 *      region of that state's case (`stopWhen`), each prefixed with the shortest path to it and
 *      replayed from a fresh actor: confirming (remedy changes, decline, book after all, done),
 *      the questions about one item, the manufacturer's pre-authorisation, verification (wrong
 *      proofs, a changed order number, too many attempts), a refusal with routes still open, and a
 *      referral (handoff, staff RMA, release, close).
 */
import { expect } from 'chai';
import { getShortestPaths, getSimplePaths } from 'xstate/graph';
import type { ReturnsEvent } from '../../machines/types.js';
import { Checker, PROMISES, Session, createEnv, fmt, modelResolve, persistedOf, replayPath, type PathStep, type PromiseName } from './check.js';
import { INPUT, baseMachine, keyOf, modelEvents, top, traversalOptions, valueName, type ModelEvent, type Snap } from './model.js';

interface GraphPath {
  state: unknown;
  steps: { state: unknown; event: { type: string } }[];
}

/** The steps after the initial `xstate.init` one. */
function stepsOf(path: GraphPath): PathStep[] {
  return path.steps.slice(1).map((s) => ({ event: s.event as ModelEvent, state: s.state as Snap }));
}

/** Paths that are not a prefix of another path (those are replayed as part of the longer one). */
function maximal<T>(paths: readonly T[], events: (p: T) => readonly ModelEvent[]): T[] {
  const ids = new Map<string, string>();
  const sig = (p: T) => events(p).map((e) => {
    const json = JSON.stringify(e);
    let id = ids.get(json);
    if (id === undefined) ids.set(json, (id = ids.size.toString(36)));
    return id;
  });
  const sorted = paths.map((p) => ({ p, s: sig(p) })).sort((a, b) => b.s.length - a.s.length);
  const prefixes = new Set<string>();
  const out: T[] = [];
  for (const { p, s } of sorted) {
    if (prefixes.has(s.join(','))) continue;
    out.push(p);
    for (let i = 1; i <= s.length; i++) prefixes.add(s.slice(0, i).join(','));
  }
  return out;
}

/** One `it` per promise: the traversal's violations of it, with the path that shows each. */
function promiseTests(checker: () => Checker): void {
  for (const name of Object.keys(PROMISES) as PromiseName[]) {
    it(PROMISES[name], () => {
      const report = checker().report(name);
      expect(report === '', report).to.equal(true);
    });
  }
}

const WAITING_VALUES = [
  'start', 'askOrderNumber', 'askVerify', 'verifyFailed', 'askItem', 'askReason', 'askFact', 'askPreauthNumber', 'askRemedy',
  'askConfirm', 'done', 'declined', 'rejected', 'referred', 'handoff.queued', 'handoff.active', 'ended',
];
const INVOKING_VALUES = ['verifying', 'issuing', 'handoff.requesting'];

describe('returns machine: model-based paths (xstate/graph)', function () {
  this.timeout(300_000);

  // Shared: the graph with at most one detour per path, and the shortest path to each vertex.
  const opts = traversalOptions(1);
  let shortest: GraphPath[] = [];

  before(function () {
    shortest = getShortestPaths(baseMachine, {
      input: INPUT,
      serializeState: opts.serializeState,
      events: (s) => opts.events(s) as ReturnsEvent[],
    }) as GraphPath[];
  });

  describe('1. the shortest path to every state (at most one detour), replayed on a real actor', () => {
    const checker = new Checker();
    let replayed: GraphPath[] = [];

    before(async function () {
      replayed = maximal(shortest, (p) => stepsOf(p).map((s) => s.event));
      const env = createEnv();
      for (const p of replayed) await replayPath(env, p.steps[0]!.state as Snap, stepsOf(p), checker);
    });
    after(() => console.log(`      (${shortest.length} states; ${replayed.length} paths replayed; ${JSON.stringify(checker.counts)})`));

    it('covers a graph of thousands of states, every state of the machine, and every outcome', () => {
      expect(shortest.length, 'vertices (distinct serialised states)').to.be.greaterThan(8000);
      expect(replayed.length, 'replayed paths').to.be.greaterThan(3000);
      const values = new Set(shortest.map((p) => valueName(p.state as Snap)));
      expect([...values].sort()).to.deep.equal([...WAITING_VALUES, ...INVOKING_VALUES].sort());
      expect(checker.counts.turns, 'turns replayed').to.be.greaterThan(30_000);
      for (const policy of ['uk-online', 'impress-us']) {
        for (const outcome of ['approved', 'rejected', 'referred']) {
          expect(checker.outcomes.get(`${policy} ${outcome}`) ?? 0, `${policy} ${outcome} decisions shown`).to.be.greaterThan(10);
        }
      }
      // incomplete → the condition questions (askFact) of both packs.
      const asked = new Set(shortest.filter((p) => top(p.state as Snap) === 'askFact').map((p) => (p.state as Snap).context.order!.policy));
      expect([...asked].sort()).to.deep.equal(['impress-us', 'uk-online']);
      // RMAs for both packs, orders with one and with two items.
      expect([...checker.rmaOrders.keys()].sort()).to.include.members(['UK-100001', 'UK-100002', 'US-200001']);
      expect(checker.counts.doneReached, 'paths reaching done').to.be.greaterThan(500);
      expect(checker.counts.persisted, 'distinct waiting states round-tripped').to.be.greaterThan(5000);
      expect(checker.counts.choices, 'choices tried').to.be.greaterThan(5000);
    });

    promiseTests(() => checker);
  });

  describe('2. every transition of the main-line graph, from the persisted snapshot', () => {
    const checker = new Checker();
    let transitions = 0;
    let vertices = 0;

    before(async function () {
      // The vertices of the main-line graph, each with the shortest way to it.
      const main = traversalOptions(0);
      const vertices0 = getShortestPaths(baseMachine, { input: INPUT, serializeState: main.serializeState, events: (s) => main.events(s) as ReturnsEvent[] }) as GraphPath[];
      const env = createEnv();
      for (const path of vertices0) {
        const rep = path.state as Snap;
        if (!rep.hasTag('waiting')) continue;
        vertices++;
        const persisted = persistedOf(rep);
        const reach = stepsOf(path).map((s) => fmt(s.event)).join(' → ') || '(the start)';
        for (const { event } of modelEvents(rep)) {
          transitions++;
          const where = () => `${reach} ⇒ ${fmt(event)}\n      from ${keyOf(rep)}`;
          const expected = modelResolve(rep, event);
          const session = new Session(env, persisted);
          try {
            const t = await session.turn(event as ReturnsEvent);
            if (keyOf(t.after) !== keyOf(expected)) checker.fail('model', where(), `real actor in ${keyOf(t.after)}\n      model in ${keyOf(expected)}`);
            else await checker.checkTurn(t, where);
          } finally {
            session.stop();
          }
        }
      }
    });

    after(() => console.log(`      (${vertices} waiting states; ${transitions} transitions; ${JSON.stringify(checker.counts)})`));

    it('tries thousands of transitions from every waiting state of the main line', () => {
      expect(vertices, 'waiting states').to.be.greaterThan(800);
      expect(transitions, 'transitions').to.be.greaterThan(5000);
      expect([...checker.statesSeen].filter((v) => WAITING_VALUES.includes(v)).sort()).to.deep.equal([...WAITING_VALUES].sort());
    });

    promiseTests(() => checker);
  });

  describe('3. every simple path from six key states, within their case', () => {
    const checker = new Checker();
    const counts = new Map<string, { simple: number; replayed: number }>();

    const ctx = (s: Snap) => s.context;
    const KEY_STATES: { name: string; at: (s: Snap) => boolean; region: (s: Snap, key: Snap) => boolean }[] = [
      {
        name: 'confirming a fault claim with the refund chosen (UK-100002, headphones)',
        at: (s) => top(s) === 'askConfirm' && ctx(s).order?.orderNumber === 'UK-100002' && ctx(s).itemIndex === 0 && ctx(s).reason === 'faulty' && ctx(s).remedy === 'refund' && ctx(s).misunderstood.count === 0 && !ctx(s).mentionsFault,
        region: sameCase,
      },
      {
        name: 'the change-of-mind questions about one item (UK-100002, headphones)',
        at: (s) => top(s) === 'askFact' && ctx(s).order?.orderNumber === 'UK-100002' && ctx(s).itemIndex === 0 && ctx(s).reason === 'change-of-mind' && Object.keys(ctx(s).facts).length === 0 && ctx(s).misunderstood.count === 0 && !ctx(s).mentionsFault,
        region: sameCase,
      },
      {
        name: "the manufacturer's pre-authorisation (US-200001, notebook, faulty), up to the next question",
        at: (s) => top(s) === 'askFact' && ctx(s).order?.orderNumber === 'US-200001' && ctx(s).reason === 'faulty' && ctx(s).decision?.needs[0] === 'manufacturerPreauth' && ctx(s).misunderstood.count === 0,
        region: (s, key) => sameCase(s, key) && !(top(s) === 'askFact' && ctx(s).decision?.needs[0] === 'physicalDamage'),
      },
      {
        name: 'verification (UK-100001), until the order is verified',
        at: (s) => top(s) === 'askVerify' && ctx(s).orderNumber === 'UK-100001' && ctx(s).verifyAttempts === 0 && ctx(s).misunderstood.count === 0,
        region: (s) => ctx(s).order === null,
      },
      {
        name: 'a change-of-mind refusal after a fault was mentioned (UK-100001), every route',
        at: (s) => top(s) === 'rejected' && ctx(s).order?.orderNumber === 'UK-100001' && ctx(s).reason === 'change-of-mind' && ctx(s).mentionsFault,
        region: (s, key) => ctx(s).order?.orderNumber === ctx(key).order?.orderNumber,
      },
      {
        name: 'a referral (US-200001, transit damage): handoff, staff RMA, release, close',
        at: (s) => top(s) === 'referred' && ctx(s).order?.orderNumber === 'US-200001' && ctx(s).reason === 'transit-damage' && ctx(s).misunderstood.count === 0,
        region: sameCase,
      },
    ];
    function sameCase(s: Snap, key: Snap): boolean {
      return ctx(s).order?.orderNumber === ctx(key).order?.orderNumber && ctx(s).itemIndex === ctx(key).itemIndex && ctx(s).reason === ctx(key).reason;
    }
    const outside = ['start', 'askOrderNumber', 'askItem', 'ended'];

    before(async function () {
      const env = createEnv();
      for (const k of KEY_STATES) {
        const prefix = shortest.find((p) => k.at(p.state as Snap) && opts.detoursOf.get(keyOf(p.state as Snap)) === 0);
        if (!prefix) {
          counts.set(k.name, { simple: 0, replayed: 0 });
          continue;
        }
        const key = prefix.state as Snap;
        const o = traversalOptions(1);
        const simple = getSimplePaths(baseMachine, {
          input: INPUT,
          fromState: key,
          serializeState: o.serializeState,
          events: (s) => o.events(s) as ReturnsEvent[],
          stopWhen: (s) => outside.includes(top(s)) || !k.region(s, key),
        }) as GraphPath[];
        const replay = maximal(simple, (p) => stepsOf(p).map((s) => s.event));
        counts.set(k.name, { simple: simple.length, replayed: replay.length });
        for (const p of replay) await replayPath(env, prefix.steps[0]!.state as Snap, [...stepsOf(prefix), ...stepsOf(p)], checker);
      }
    });

    after(() => console.log(`      (${[...counts].map(([k, c]) => `${k.split(' (')[0]}: ${c.simple} simple paths, ${c.replayed} replayed`).join('; ')}; ${JSON.stringify(checker.counts)})`));

    it('walks hundreds of simple paths from each key state', () => {
      for (const k of KEY_STATES) {
        const c = counts.get(k.name);
        expect(c, `key state found: ${k.name}`).to.not.equal(undefined);
        expect(c!.simple, `simple paths from: ${k.name}`).to.be.greaterThan(50);
        expect(c!.replayed, `replayed paths from: ${k.name}`).to.be.greaterThan(10);
      }
      const total = [...counts.values()].reduce((a, c) => a + c.simple, 0);
      expect(total, 'simple paths in all').to.be.greaterThan(5000);
    });

    promiseTests(() => checker);
  });
});
