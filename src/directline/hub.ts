/**
 * Live delivery of a conversation's activities to Web Chat over WebSockets (Direct Line streams).
 *
 * The conversation log in the store is the source of truth: its sequence number is the watermark.
 * After a turn commits, `notify` sends every subscriber the entries after its watermark. A short
 * poll also catches entries written by another instance (several servers on one PostgreSQL), so a
 * customer connected to one instance sees what another one answered or what a person sent.
 */
import type { WebSocket } from 'ws';
import type { LogEntry, Store } from '../store/store.js';
import type { Logger } from '../log.js';

/** A log entry as Web Chat sees it (Direct Line activity shape). */
export type ToActivity = (entry: LogEntry) => Record<string, unknown>;

interface Subscriber {
  socket: WebSocket;
  watermark: number;
  /** Ids already sent ahead of the log (the customer's own message, echoed at once): not sent twice. */
  early: Set<string>;
}

export class DirectLineHub {
  private readonly subs = new Map<string, Set<Subscriber>>();
  private readonly flushing = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: Pick<Store, 'readLog'>,
    private readonly toActivity: ToActivity,
    private readonly logger: Logger,
    private readonly pollMs = 1000,
  ) {}

  /** Stream a conversation to `socket`, starting after `watermark`. */
  subscribe(conversationId: string, socket: WebSocket, watermark: number): void {
    const sub: Subscriber = { socket, watermark, early: new Set() };
    let set = this.subs.get(conversationId);
    if (!set) {
      set = new Set();
      this.subs.set(conversationId, set);
    }
    set.add(sub);
    const drop = () => {
      set.delete(sub);
      if (set.size === 0) this.subs.delete(conversationId);
    };
    socket.on('close', drop);
    socket.on('error', drop);
    this.ensureTimer();
    void this.notify(conversationId);
  }

  /** Conversations with a live stream on this instance. */
  get watched(): number {
    return this.subs.size;
  }

  /** Send new log entries of a conversation to its subscribers (coalesced; safe to call often). */
  notify(conversationId: string): Promise<void> {
    if (!this.subs.has(conversationId)) return Promise.resolve();
    const running = this.flushing.get(conversationId);
    if (running) {
      this.again.add(conversationId);
      return running;
    }
    const run = this.flush(conversationId).finally(() => {
      this.flushing.delete(conversationId);
      if (this.again.delete(conversationId)) void this.notify(conversationId);
    });
    this.flushing.set(conversationId, run);
    return run;
  }

  /**
   * Send an activity to everyone watching now, ahead of the log: the typing indicator, or the
   * customer's own message (Web Chat takes that echo as the send's confirmation, so it must not
   * wait for the bot's answer). With `logged`, the same activity will come from the log later and
   * is then skipped for these subscribers.
   */
  broadcast(conversationId: string, activity: Record<string, unknown>, logged = false): void {
    for (const sub of this.subs.get(conversationId) ?? []) {
      if (sub.socket.readyState !== sub.socket.OPEN) continue;
      if (logged && typeof activity.id === 'string') sub.early.add(activity.id);
      sub.socket.send(JSON.stringify({ activities: [activity] }));
    }
  }

  private async flush(conversationId: string): Promise<void> {
    const set = this.subs.get(conversationId);
    if (!set || set.size === 0) return;
    const from = Math.min(...[...set].map((s) => s.watermark));
    let entries: LogEntry[];
    try {
      entries = await this.store.readLog(conversationId, from);
    } catch (e) {
      this.logger.warn({ conversationId, err: e instanceof Error ? e.message : String(e) }, 'direct line: could not read the log');
      return;
    }
    if (entries.length === 0) return;
    for (const sub of set) {
      const fresh = entries.filter((e) => e.seq > sub.watermark);
      if (fresh.length === 0 || sub.socket.readyState !== sub.socket.OPEN) continue;
      sub.watermark = fresh[fresh.length - 1]!.seq;
      const activities = fresh.map(this.toActivity).filter((a) => !(typeof a.id === 'string' && sub.early.delete(a.id)));
      sub.socket.send(JSON.stringify({ activities, watermark: String(sub.watermark) }));
    }
  }

  private ensureTimer(): void {
    if (this.timer || this.pollMs <= 0) return;
    this.timer = setInterval(() => {
      if (this.subs.size === 0) {
        clearInterval(this.timer!);
        this.timer = null;
        return;
      }
      for (const id of this.subs.keys()) void this.notify(id);
    }, this.pollMs);
    this.timer.unref();
  }

  /** Close every stream (server shutdown). */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const set of this.subs.values()) for (const s of set) s.socket.close(1001, 'server shutting down');
    this.subs.clear();
  }
}
