/**
 * The composition root: the one place the bot is put together. `createApp` builds, in this order,
 * each given only what it uses:
 *
 *   1. the store ports (src/store)
 *   2. the channel gateways: the Bot Framework adapter and Direct Line's streams (src/server/gateways.ts)
 *   3. the hand-over queue (src/handoff/queue.ts), whose `request` is the machine's requestHandoff actor
 *   4. the conversation service (dialogs/conversation.ts) over the machine with its I/O actors,
 *      publishing "turn committed" (dialogs/turn-events.ts)
 *   5. the staff actions (src/handoff/service.ts: take, message, RMA …), which run system events on
 *      the conversation service and deliver through the gateways
 *   6. the staff desk (dialogs/staff.ts, staff on Teams), subscribed to "turn committed" after the queue
 *   7. the turn pipeline (dialogs/pipeline.ts) every channel enters, observed by the metrics
 *
 * Nothing is wired after construction. The HTTP server (src/server/http.ts), the terminal chat
 * (src/cli/chat.ts) and the tests all start from here. This is also the only place besides the
 * command line that reads the clock.
 */
import { fromPromise } from 'xstate';
import type { Config } from './config.js';
import { localDateIn } from './policy/calendar.js';
import { loadPack } from './policy/packs.js';
import { candidateMatches } from './nlu/identity.js';
import { resolveMention } from './nlu/items.js';
import { loadDemoOrdersIfEmpty, openStore, storeOptionsFrom, type Store } from './store/index.js';
import type { ProofFailures } from './store/store.js';
import { silentLogger, type Logger } from './log.js';
import { returnsMachine, type HandoffInput, type HandoffTicket, type IssueRmaInput, type IssueRmaOutput, type VerifyInput, type VerifyOutput } from '../machines/returns.machine.js';
import type { VerifyRequest } from '../machines/commands.js';
import { HandoffService } from './handoff/service.js';
import { HandoffQueue, type ProofLock } from './handoff/queue.js';
import { parseOpeningHours } from './handoff/hours.js';
import { ConversationService } from '../dialogs/conversation.js';
import { TurnEvents } from '../dialogs/turn-events.js';
import { TurnPipeline, type TurnObserver } from '../dialogs/pipeline.js';
import { StaffDesk, type StaffPort } from '../dialogs/staff.js';
import { createGateways, type ChannelGateways } from './server/gateways.js';
import { Metrics } from './server/metrics.js';
import { normalizeOrderNumber } from './orders.js';
import { factsFromOrder, issueOrChangeRma, usedFacts, type IssuedRma } from './rmas.js';

/** The bot, put together: what the HTTP server, the terminal chat and the tests use. */
export interface App {
  config: Config;
  store: Store;
  gateways: ChannelGateways;
  queue: HandoffQueue;
  service: ConversationService;
  /** The staff actions (the console, the staff API, the staff desk). */
  handoff: HandoffService;
  /** The one turn path of every channel. */
  turns: TurnPipeline;
  metrics: Metrics;
  logger: Logger;
  now: () => number;
  /** Today's date for a policy: RETURNS_TODAY, else the clock in the policy's time zone. */
  today: (policy?: string) => string;
  close: () => Promise<void>;
}

export interface AppOptions {
  logger?: Logger;
  /** The clock (epoch ms); tests pass a fixed one. */
  now?: () => number;
  /** Use this store instead of opening the configured one. */
  store?: Store;
}

export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? (() => Date.now());
  const packs = (id: string) => loadPack(id);
  packs(config.RETURNS_DEFAULT_POLICY); // fail at start, not on the first customer, if the default pack is broken
  const today = (policy = config.RETURNS_DEFAULT_POLICY) => config.RETURNS_TODAY ?? localDateIn(packs(policy).pack.timeZone, now());
  const zone = packs(config.RETURNS_DEFAULT_POLICY).pack.timeZone;
  const hours = config.SUPPORT_HOURS ? parseOpeningHours(config.SUPPORT_HOURS, config.SUPPORT_TIMEZONE ?? zone) : null;
  if (typeof hours === 'string') throw new Error(`SUPPORT_HOURS: ${hours}`);

  // 1. The store ports.
  // A server: the WAL is checkpointed off the event loop (src/store/checkpointer.ts).
  const store = options.store ?? (await openStore({ ...storeOptionsFrom(config), backgroundCheckpoints: true }));
  if (config.RETURNS_DEMO_ORDERS) {
    const loaded = await loadDemoOrdersIfEmpty(store, today());
    if (loaded) logger.info({ orders: loaded }, 'demo orders loaded');
  }

  // 2. The channel gateways.
  const gateways = createGateways(config, store, logger);

  // 3. The hand-over queue.
  const verifier = new OwnershipVerifier(store, proofLimitsFrom(config), now);
  const queue = new HandoffQueue({
    store,
    now,
    logger,
    hours,
    minutesPerChat: config.SUPPORT_MINUTES_PER_CHAT,
    mode: config.HANDOFF_MODE,
    proofLock: (conversationId, orderNumber) => verifier.lock(conversationId, orderNumber),
  });

  // 4. The conversation service, over the machine with its I/O actors.
  const machine = returnsMachine.provide({
    actors: {
      verifyOrder: fromPromise<VerifyOutput, VerifyInput>(({ input }) => verifier.verify(input)),
      // Asked again for a line that has its RMA already, with another remedy: the remedy changes if it may
      // (audited); the output's `remedy` is the one recorded, `remedyChange` what asking for it gave.
      // The machine says the recorded `remedy`, and what `remedyChange` gave.
      issueRma: fromPromise<IssueRmaOutput, IssueRmaInput>(({ input }): Promise<IssuedRma> =>
        issueOrChangeRma(store, {
          orderNumber: input.order.orderNumber,
          sku: input.item.sku,
          reason: input.reason,
          remedy: input.remedy,
          decision: input.decision,
          conversationId: input.conversationId,
          actor: 'bot',
          note: null,
          at: new Date(now()).toISOString(),
          // The case the machine decided, when it passes it: every fact with its value and source.
          facts: input.case ? usedFacts(input.case, input.decision) : factsFromOrder(input.order, input.item, input.decision),
        }),
      ),
      requestHandoff: fromPromise<HandoffTicket, HandoffInput>(({ input }) => queue.request(input)),
    },
  });
  const committed = new TurnEvents(logger);
  const service = new ConversationService({
    store,
    machine,
    packs,
    now,
    todayOverride: config.RETURNS_TODAY ?? null,
    defaultPolicy: config.RETURNS_DEFAULT_POLICY,
    logger,
    committed,
  });

  // 5. The staff actions.
  const handoff = new HandoffService({ queue, store, conversations: service, deliver: gateways.deliver, now, logger });

  // 6. "Turn committed": the queue first (it keeps the hand-over current), then the staff desk.
  committed.subscribe('handoff-queue', async (done) => void (await queue.afterTurn(done)));
  const staff = config.RETURNS_STAFF.length ? new StaffDesk({ staff: config.RETURNS_STAFF, port: staffPort(handoff, store), send: gateways.send, now, logger }) : undefined;
  if (staff) committed.subscribe('staff-desk', (done) => staff.onTurn(done));

  // 7. The turn pipeline, observed by the metrics; turns run for the support team (an RMA staff
  //    issued, a hand-over taken) are no channel's turn, so the metrics hear of them when committed.
  const metrics = new Metrics();
  committed.subscribe('metrics', async (done) => {
    if (STAFF_EVENTS.has(done.event.type)) metrics.observeReplies(done.activities, done.context.order?.policy);
  });
  // handoff.status events are followed only when every request carries a valid channel token (an app id is set).
  const turns = new TurnPipeline({ service, logger, handoff, staff, observer: metricsObserver(metrics), channelAuthenticated: !config.anonymous });

  return {
    config,
    store,
    gateways,
    queue,
    service,
    handoff,
    turns,
    metrics,
    logger,
    now,
    today,
    close: async () => {
      gateways.close();
      await store.close();
    },
  };
}

/** The staff desk's view of the staff actions and the store. */
function staffPort(h: HandoffService, store: Store): StaffPort {
  return {
    list: (status) => h.list(status) as ReturnType<StaffPort['list']>,
    handoff: (id) => store.getHandoff(id),
    take: (id, staff) => h.take(id, staff),
    message: (id, staff, text) => h.message(id, staff, text),
    issueRma: (id, staff, body) => h.issueRma(id, staff, body as Parameters<typeof h.issueRma>[2]),
    release: (id, staff) => h.release(id, staff),
    close: (id, staff) => h.close(id, staff),
    saveStaffReference: (id, reference, at) => store.saveStaffReference(id, reference, at),
    staffReferences: () => store.staffReferences(),
  };
}

/** The system events that staff (or a contact-centre hub) cause: turns no channel's pipeline observes. */
const STAFF_EVENTS = new Set(['AGENT_TOOK', 'AGENT_RELEASED', 'AGENT_CLOSED', 'STAFF_RMA']);

/** The metrics' view of each turn of every channel: turns by channel and result, their duration, what their replies carried. */
function metricsObserver(metrics: Metrics): TurnObserver {
  return {
    turn: (channel, outcome, seconds) => {
      metrics.turnSeconds.observe({ channel }, seconds);
      const result = outcome.result;
      if (!result) return;
      metrics.turns.inc({ channel, result: result.duplicate ? 'duplicate' : 'ok' });
      if (!result.duplicate) metrics.observeReplies(result.activities);
    },
  };
}

/** How many failed proofs of ownership are allowed, and for how long they count. */
export interface ProofLimits {
  /** Per order, across every conversation, instance and restart (RETURNS_PROOF_ATTEMPTS_PER_ORDER). */
  perOrder: number;
  /** Per conversation, whatever it was told ("start again") (RETURNS_PROOF_ATTEMPTS_PER_CONVERSATION). */
  perConversation: number;
  /** A window starts at the first failure and lasts this long; then the count starts again (RETURNS_PROOF_LOCK_MINUTES). */
  windowMs: number;
}

export function proofLimitsFrom(config: Config): ProofLimits {
  return {
    perOrder: config.RETURNS_PROOF_ATTEMPTS_PER_ORDER,
    perConversation: config.RETURNS_PROOF_ATTEMPTS_PER_CONVERSATION,
    windowMs: config.RETURNS_PROOF_LOCK_MINUTES * 60_000,
  };
}

/**
 * The `verifyOrder` actor: is the proof in a message the order's? (CONTRACT sections 6 and 7)
 *
 * - Exactly one candidate (an email, a postcode or a ZIP code) or it proves nothing: none, or
 *   several (a list of guesses), is an `ambiguous` failed attempt.
 * - Failed attempts are counted in the store per order (every conversation, instance and restart
 *   sees the same count) and per conversation. An attempt is counted before it is checked, so that
 *   concurrent guesses never get more than the limit (only the first attempts up to the limit are
 *   checked at all); a proof that matches takes its own count back (earlier failures still count).
 *   After `perOrder` failures of an order, or `perConversation` in a conversation, within the
 *   window, the answer is `locked` until the window ends — even for the right proof.
 * - An unknown order number is answered exactly like a wrong proof (the same counts, the same
 *   answers): nobody can learn which order numbers exist.
 * - A message without any candidate counts against the conversation only (it guesses nothing).
 */
export class OwnershipVerifier {
  constructor(
    private readonly store: Store,
    private readonly limits: ProofLimits,
    private readonly now: () => number,
  ) {}

  /** The store keys of an order's and a conversation's counts. */
  static keys(conversationId: string, orderNumber: string): { order: string; conversation: string } {
    return { order: `order:${normalizeOrderNumber(orderNumber).slice(0, 64)}`, conversation: `conversation:${conversationId.slice(0, 512)}` };
  }

  private windowStart(at: number): string {
    return new Date(at - this.limits.windowMs).toISOString();
  }

  /** When the lock of the counts at or over their limits ends (ISO time), or null when none is. */
  private lockedUntil(order: ProofFailures, conversation: ProofFailures, orderAt = order.failures, conversationAt = conversation.failures): string | null {
    const ends: number[] = [];
    if (orderAt >= this.limits.perOrder && order.since) ends.push(Date.parse(order.since) + this.limits.windowMs);
    if (conversationAt >= this.limits.perConversation && conversation.since) ends.push(Date.parse(conversation.since) + this.limits.windowMs);
    return ends.length ? new Date(Math.max(...ends)).toISOString() : null;
  }

  async verify(request: VerifyRequest): Promise<VerifyOutput> {
    const at = this.now();
    const windowStart = this.windowStart(at);
    const keys = OwnershipVerifier.keys(request.conversationId, request.orderNumber);
    const guesses = request.candidates.length > 0;
    // Count the attempt first (see above); a message without candidates reads the order's count.
    let order: ProofFailures;
    let conversation: ProofFailures;
    if (guesses) {
      [order, conversation] = (await this.store.addProofFailures([keys.order, keys.conversation], new Date(at).toISOString(), windowStart)) as [ProofFailures, ProofFailures];
    } else {
      [order] = (await this.store.proofFailures([keys.order], windowStart)) as [ProofFailures];
      [conversation] = (await this.store.addProofFailures([keys.conversation], new Date(at).toISOString(), windowStart)) as [ProofFailures];
    }
    // Locked already before this attempt: it is not even checked.
    const lockedBefore = this.lockedUntil(order, conversation, guesses ? order.failures - 1 : order.failures, conversation.failures - 1);
    if (lockedBefore) return { status: 'locked', until: lockedBefore };
    if (request.candidates.length === 1) {
      const found = await this.store.getOrder(request.orderNumber);
      if (found && candidateMatches(request.candidates[0]!, found.customer)) {
        // This attempt was counted ahead: take it back (earlier failures still count).
        await this.store.releaseProofFailures([keys.order, keys.conversation]);
        // The item named before the order was known is the verifier's to resolve: it knows the words.
        return { status: 'verified', order: found, itemIndex: request.itemMention ? resolveMention(request.itemMention, found.items) : null };
      }
    }
    const lockedNow = this.lockedUntil(order, conversation);
    if (lockedNow) return { status: 'locked', until: lockedNow };
    const attemptsLeft = Math.min(this.limits.perOrder - order.failures, this.limits.perConversation - conversation.failures);
    return request.candidates.length === 1 ? { status: 'noMatch', attemptsLeft } : { status: 'ambiguous', attemptsLeft };
  }

  /** The lock on a conversation or its order, for the hand-over summary staff see; null when there is none. */
  async lock(conversationId: string, orderNumber: string | null): Promise<ProofLock | null> {
    const windowStart = this.windowStart(this.now());
    const keys = OwnershipVerifier.keys(conversationId, orderNumber ?? '');
    const [conversation, order] = (await this.store.proofFailures(orderNumber ? [keys.conversation, keys.order] : [keys.conversation], windowStart)) as [ProofFailures, ProofFailures | undefined];
    const none: ProofFailures = { key: keys.order, failures: 0, since: null };
    const until = this.lockedUntil(order ?? none, conversation);
    if (!until) return null;
    return {
      locked: true,
      until,
      orderLocked: (order?.failures ?? 0) >= this.limits.perOrder,
      conversationLocked: conversation.failures >= this.limits.perConversation,
      failedAttempts: { order: order?.failures ?? 0, conversation: conversation.failures },
    };
  }
}
