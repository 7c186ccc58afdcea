/**
 * The composition root of the bot: configuration → store → machine (with its I/O actors) →
 * conversation service. The HTTP server, the terminal chat and the tests all build the bot here.
 * This is also the only place besides the command line that reads the clock.
 */
import { fromPromise } from 'xstate';
import type { Config } from './config.js';
import { localDateIn } from './policy/calendar.js';
import { loadPack } from './policy/packs.js';
import { matchesCustomer } from './nlu/index.js';
import { loadDemoOrdersIfEmpty, openStore, storeOptionsFrom, type Store } from './store/index.js';
import { silentLogger, type Logger } from './log.js';
import { createReturnsMachine, type HandoffInput, type HandoffTicket, type IssueRmaInput, type VerifyInput } from '../machines/returns.machine.js';
import { HandoffService } from './handoff/service.js';
import { parseOpeningHours } from './handoff/hours.js';
import { ConversationService } from '../dialogs/conversation.js';
import type { Order } from './orders.js';

export interface Runtime {
  config: Config;
  store: Store;
  service: ConversationService;
  handoff: HandoffService;
  logger: Logger;
  now: () => number;
  /** Today's date for a policy: RETURNS_TODAY, else the clock in the policy's time zone. */
  today: (policy?: string) => string;
  close: () => Promise<void>;
}

export interface RuntimeOptions {
  logger?: Logger;
  /** The clock (epoch ms); tests pass a fixed one. */
  now?: () => number;
  /** Use this store instead of opening the configured one. */
  store?: Store;
}

export async function createRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? (() => Date.now());
  const packs = (id: string) => loadPack(id);
  packs(config.RETURNS_DEFAULT_POLICY); // fail at start, not on the first customer, if the default pack is broken
  const today = (policy = config.RETURNS_DEFAULT_POLICY) => config.RETURNS_TODAY ?? localDateIn(packs(policy).pack.timeZone, now());

  const store = options.store ?? (await openStore(storeOptionsFrom(config)));
  if (config.RETURNS_DEMO_ORDERS) {
    const loaded = await loadDemoOrdersIfEmpty(store, today());
    if (loaded) logger.info({ orders: loaded }, 'demo orders loaded');
  }

  const zone = packs(config.RETURNS_DEFAULT_POLICY).pack.timeZone;
  const hours = config.SUPPORT_HOURS ? parseOpeningHours(config.SUPPORT_HOURS, config.SUPPORT_TIMEZONE ?? zone) : null;
  if (typeof hours === 'string') throw new Error(`SUPPORT_HOURS: ${hours}`);
  const handoff = new HandoffService({ store, now, logger, hours, minutesPerChat: config.SUPPORT_MINUTES_PER_CHAT, mode: config.HANDOFF_MODE });

  const machine = createReturnsMachine({ pack: packs }).provide({
    actors: {
      verifyOrder: fromPromise<Order | null, VerifyInput>(async ({ input }) => {
        const order = await store.getOrder(input.orderNumber);
        return order && matchesCustomer(input.proof, order.customer) ? order : null;
      }),
      issueRma: fromPromise<{ rma: string }, IssueRmaInput>(async ({ input }) => {
        const { record } = await store.issueRma({
          orderNumber: input.order.orderNumber,
          sku: input.item.sku,
          reason: input.reason,
          remedy: input.remedy,
          decision: input.decision,
          conversationId: input.conversationId,
          actor: 'bot',
          note: null,
          at: new Date(now()).toISOString(),
        });
        return { rma: record.rma };
      }),
      requestHandoff: fromPromise<HandoffTicket, HandoffInput>(({ input }) => handoff.request(input)),
    },
  });

  const service = new ConversationService({
    store,
    machine,
    packs,
    now,
    todayOverride: config.RETURNS_TODAY ?? null,
    defaultPolicy: config.RETURNS_DEFAULT_POLICY,
    logger,
    afterTurn: (done) => handoff.afterTurn(done),
  });
  handoff.attach(service);

  return {
    config,
    store,
    service,
    handoff,
    logger,
    now,
    today,
    close: () => store.close(),
  };
}
