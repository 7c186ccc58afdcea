/**
 * Direct Line's view of the conversation log: the bot's account, and a log entry as the Direct
 * Line activity Web Chat reads (its id carries the log's sequence number, the watermark).
 */
import type { LogEntry } from '../store/store.js';

export const BOT_ACCOUNT = { id: 'returnsbot', name: 'Returns assistant', role: 'bot' } as const;
export const CHANNEL = 'directline';

export function seqId(conversationId: string, seq: number): string {
  return `${conversationId}|${String(seq).padStart(7, '0')}`;
}

/** A log entry as a Direct Line activity. */
export function toDirectLine(entry: LogEntry): Record<string, unknown> {
  const a = entry.activity as Record<string, unknown> & { from?: { id?: string; name?: string; role?: string } };
  const fromBot = a.from?.role === 'bot';
  const from = fromBot ? (a.from?.id?.startsWith('agent:') ? { id: a.from.id, name: a.from.name, role: 'bot' } : BOT_ACCOUNT) : a.from;
  const out: Record<string, unknown> = {
    ...a,
    id: typeof a.id === 'string' && !fromBot ? a.id : seqId(entry.conversationId, entry.seq),
    channelId: CHANNEL,
    conversation: { id: entry.conversationId },
    timestamp: entry.at,
    from,
  };
  delete out.serviceUrl;
  delete out.deliveryMode;
  return out;
}
