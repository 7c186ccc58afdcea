/**
 * The model behind the machine tests: fixture orders for both shipped packs, deterministic fake
 * actors, the commands a customer sends in each state (as `MESSAGE` events), and a session that
 * runs a real actor turn by turn (today is 2026-12-30 through the machine input `todayOverride`).
 *
 * - UK-100001 (uk-online, 1 item: a notebook delivered 76 days ago): change of mind is rejected
 *   (window passed) with the fault route open; a fault is approved (the retailer chooses the remedy).
 * - UK-100002 (uk-online, headphones and a memory card, delivered 8 days ago): change of mind asks
 *   the seal, use and serial questions; a fault lets the customer choose the remedy.
 * - US-200001 (impress-us, 1 item needing the manufacturer's pre-authorisation, delivered 20 days ago).
 */
import { createActor, fromPromise, waitFor, type SnapshotFrom } from 'xstate';
import { returnsMachine, stateName, stepOf, type HandoffInput, type HandoffTicket, type IssueRmaInput, type VerifyInput, type VerifyOutput } from '../../machines/returns.machine.js';
import type { Command, ProofCandidate, SlotValue } from '../../machines/commands.js';
import type { Reply, ReturnsEvent, ReturnsInput } from '../../machines/types.js';
import { resolveMention } from '../../src/nlu/items.js';
import { orderSchema, type Order, type OrderInput } from '../../src/orders.js';

export const TODAY = '2026-12-30';
export const NOW = Date.parse('2026-12-30T12:00:00Z');
export const PROOF_OK: ProofCandidate[] = [{ kind: 'email', value: 'ok@example.com' }];
export const PROOF_WRONG: ProofCandidate[] = [{ kind: 'email', value: 'wrong@example.com' }];
export const INPUT: ReturnsInput = { conversationId: 'conv-model', defaultPolicy: 'uk-online', todayOverride: TODAY, now: NOW };

const orderInputs: OrderInput[] = [
  {
    orderNumber: 'UK-100001',
    policy: 'uk-online',
    currency: 'GBP',
    customer: { email: 'ann@example.com', postcode: 'LS1 4AP', region: 'GB-ENG' },
    placedOn: '2026-10-10',
    deliveredOn: '2026-10-15',
    delivery: { charge: 4.99, cheapestCharge: 4.99 },
    items: [{ sku: 'NB-14', name: 'Voyager 14 notebook', category: 'notebook', price: 749 }],
  },
  {
    orderNumber: 'UK-100002',
    policy: 'uk-online',
    currency: 'GBP',
    customer: { email: 'bob@example.com', postcode: 'M1 1AE', region: 'GB-ENG' },
    placedOn: '2026-11-20',
    deliveredOn: '2026-12-22',
    delivery: { charge: 9.99, cheapestCharge: 4.99 },
    items: [
      { sku: 'HP-310', name: 'Aria headphones', category: 'headphones', price: 79.99 },
      { sku: 'SD-128', name: '128 GB memory card', category: 'memory-card', price: 19.99 },
    ],
  },
  {
    orderNumber: 'US-200001',
    policy: 'impress-us',
    currency: 'USD',
    customer: { email: 'cy@example.com', postcode: '10001', region: 'US-NY' },
    placedOn: '2026-11-01',
    deliveredOn: '2026-12-10',
    delivery: { charge: 0, cheapestCharge: 0 },
    items: [{ sku: 'NB-16', name: 'Stratos 16 notebook', category: 'notebook', price: 1299, requiresManufacturerPreauth: true }],
  },
];

export const ORDERS: readonly Order[] = orderInputs.map((o) => orderSchema.parse(o));
export const orderByNumber = (n: string) => ORDERS.find((o) => o.orderNumber === n) ?? null;

const sure = { confidence: 1 } as const;
export const msg = (...commands: Command[]): ReturnsEvent => ({ type: 'MESSAGE', commands });
export const set = (v: SlotValue, confidence = 1, hedged = false): Command => ({ type: 'SetSlot', confidence, ...(hedged ? { hedged } : {}), ...v }) as Command;
export const correct = (v: SlotValue): Command => ({ type: 'CorrectSlot', ...sure, ...v }) as Command;
export const YES: Command = { type: 'Affirm', ...sure };
export const NO: Command = { type: 'Deny', ...sure };
export const HUMAN: Command = { type: 'HumanHandoff', ...sure };
export const CANCEL: Command = { type: 'Cancel', ...sure };
export const RESTART: Command = { type: 'Restart', ...sure };
export const NOT_UNDERSTOOD: Command = { type: 'NotUnderstood' };

/** What the fake verifyOrder answers: the fixture when the proof is right, else no match. */
export function verifyAnswer(input: VerifyInput): VerifyOutput {
  if (input.candidates.length !== 1) return { status: 'ambiguous', attemptsLeft: 99 };
  const order = input.candidates[0]!.value === PROOF_OK[0]!.value ? orderByNumber(input.orderNumber) : null;
  if (!order) return { status: 'noMatch', attemptsLeft: 99 };
  return { status: 'verified', order, itemIndex: input.itemMention ? resolveMention(input.itemMention, order.items) : null };
}

export function createFakes() {
  const issued: IssueRmaInput[] = [];
  const handoffs: HandoffInput[] = [];
  const verified: VerifyInput[] = [];
  const actors = {
    verifyOrder: fromPromise<VerifyOutput, VerifyInput>(async ({ input }) => {
      verified.push(input);
      return verifyAnswer(input);
    }),
    issueRma: fromPromise<{ rma: string }, IssueRmaInput>(async ({ input }) => {
      issued.push(input);
      return { rma: `RMA-TEST-${String(issued.length).padStart(4, '0')}` };
    }),
    requestHandoff: fromPromise<HandoffTicket, HandoffInput>(async ({ input }) => {
      handoffs.push(input);
      return { position: 1, waitMinutes: null, open: true, hours: null };
    }),
  };
  return { actors, issued, handoffs, verified };
}

export type Snap = SnapshotFrom<typeof returnsMachine>;

/** One turn: the replies it emitted and where it ended. */
export interface Turn {
  replies: Reply[];
  state: string;
  step: string | null;
  snapshot: Snap;
}

/** A real actor with fake I/O, run one message at a time to its next wait. */
export class Session {
  readonly fakes = createFakes();
  private readonly actor;
  readonly turns: Turn[] = [];
  constructor(snapshot?: unknown) {
    const machine = returnsMachine.provide({ actors: this.fakes.actors });
    this.actor = createActor(machine, snapshot ? { snapshot: snapshot as Snap, input: INPUT } : { input: INPUT });
    this.actor.start();
  }
  async send(event: ReturnsEvent): Promise<Turn> {
    const replies: Reply[] = [];
    const sub = this.actor.on('reply', (r) => replies.push(r));
    this.actor.send(event);
    const s = await waitFor(this.actor, (x) => x.hasTag('waiting') || x.status !== 'active', { timeout: 5000 });
    sub.unsubscribe();
    const turn = { replies, state: stateName(s), step: stepOf(s), snapshot: s };
    this.turns.push(turn);
    return turn;
  }
  say(...commands: Command[]): Promise<Turn> {
    return this.send(msg(...commands));
  }
  get snapshot(): Snap {
    return this.actor.getSnapshot();
  }
  persisted(): unknown {
    return this.actor.getPersistedSnapshot();
  }
  stop(): void {
    this.actor.stop();
  }
}

export const keysOf = (replies: readonly Reply[]) => replies.flatMap((r) => r.parts.map((p) => p.key));
/** The question a turn ended with (its step and first key), if any. */
export const questionOf = (t: Turn) => {
  const q = t.replies.filter((r) => r.step !== undefined).at(-1);
  return q ? `${q.step}:${q.parts[0]?.key}` : null;
};
