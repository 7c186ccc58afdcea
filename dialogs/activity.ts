/**
 * The part of a Bot Framework activity the bot relies on, checked with zod at the boundary. Anything
 * else in the activity passes through untouched.
 */
import { z } from 'zod';

const account = z.looseObject({ id: z.string().min(1).max(512), name: z.string().max(512).optional(), role: z.string().max(64).optional() });

export const activitySchema = z.looseObject({
  type: z.string().min(1).max(64),
  id: z.string().max(512).optional(),
  channelId: z.string().min(1).max(128),
  serviceUrl: z.string().max(2048).optional(),
  conversation: z.looseObject({ id: z.string().min(1).max(512) }),
  from: account.optional(),
  recipient: account.optional(),
  text: z.string().max(4000, { error: 'expected a message of at most 4000 characters' }).optional(),
  locale: z.string().max(32).optional(),
  deliveryMode: z.string().max(32).optional(),
  value: z.unknown().optional(),
  membersAdded: z.array(account).optional(),
});

export type InboundActivity = z.output<typeof activitySchema>;
