/**
 * The channel gateways: how the bot reaches a customer or a member of staff outside a turn of
 * their own (a person's message, a new escalation for staff on Teams).
 *
 * - Bot Framework channels (Teams, …): botbuilder's adapter (./adapter.ts) sends proactively with
 *   the conversation reference kept from the customer's last activity, with the app's credentials.
 *   The same adapter serves `POST /api/messages` (./http.ts).
 * - Our own Direct Line (the widget): the activities are in the conversation's log already; the
 *   hub (src/directline/hub.ts) streams them to the customer's open sockets.
 *
 * Built by the composition root (src/app.ts) right after the store, before the hand-over queue and
 * the conversation service that deliver through them.
 */
import { ConfigurationBotFrameworkAuthentication, type Activity, type ConversationReference } from 'botbuilder';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import { toDirectLine } from '../directline/activities.js';
import { DirectLineHub } from '../directline/hub.js';
import type { Target } from '../handoff/service.js';
import { createAdapter } from './adapter.js';

export type BotFrameworkAdapter = ReturnType<typeof createAdapter>;

export interface ChannelGateways {
  /** The Bot Framework adapter (requests on /api/messages, proactive sends). */
  adapter: BotFrameworkAdapter;
  /** Direct Line's live streams. */
  directLine: DirectLineHub;
  /** Send activities proactively to a Bot Framework conversation (a staff member's chat, a customer on Teams). */
  send: (reference: Record<string, unknown>, activities: Partial<Activity>[]) => Promise<void>;
  /** Deliver activities already written to a conversation's log to the customer's channel. */
  deliver: (target: Target, activities: Record<string, unknown>[]) => Promise<void>;
  close: () => void;
}

export type GatewayConfig = Pick<Config, 'MicrosoftAppId' | 'MicrosoftAppPassword' | 'MicrosoftAppType' | 'MicrosoftAppTenantId'>;

export function createGateways(config: GatewayConfig, store: Pick<Store, 'readLog'>, logger: Logger): ChannelGateways {
  const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: config.MicrosoftAppId ?? '',
    MicrosoftAppPassword: config.MicrosoftAppPassword ?? '',
    MicrosoftAppType: config.MicrosoftAppType,
    MicrosoftAppTenantId: config.MicrosoftAppTenantId ?? '',
  });
  const adapter = createAdapter(auth);
  const directLine = new DirectLineHub(store, toDirectLine, logger);
  const appId = config.MicrosoftAppId ?? '';
  const send = async (reference: Record<string, unknown>, activities: Partial<Activity>[]) => {
    await adapter.continueConversationAsync(appId, reference as Partial<ConversationReference>, async (ctx) => {
      await ctx.sendActivities(activities);
    });
  };
  return {
    adapter,
    directLine,
    send,
    deliver: async (target, activities) => {
      if (target.channelId === 'directline') return void directLine.notify(target.conversationId);
      if (!target.reference) return;
      const clean = activities.map(({ from: _from, ...a }) => a as Partial<Activity>);
      await send(target.reference, clean).catch((e: unknown) =>
        logger.warn({ conversationId: target.conversationId, err: e instanceof Error ? e.message : String(e) }, 'could not reach the customer on their channel'),
      );
    },
    close: () => directLine.close(),
  };
}
