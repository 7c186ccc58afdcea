/**
 * "Turn committed" events: the conversation service publishes each committed turn; the hand-over
 * queue (its summary, a customer who left), live consoles and the staff desk (new escalations, a
 * customer's words for the person holding the chat) subscribe in the composition root. Subscribers
 * run one after another in the order they subscribed, each awaited; one that fails is logged and
 * the others still run — a subscriber never fails the customer's turn.
 */
import type { Logger } from '../src/log.js';
import type { TurnCommitted, TurnDone } from './conversation.js';

export type TurnSubscriber = (done: TurnDone) => Promise<void> | void;

export class TurnEvents implements TurnCommitted {
  private readonly subscribers: { name: string; run: TurnSubscriber }[] = [];

  constructor(private readonly logger: Logger) {}

  /** Run `subscriber` after every committed turn (from now on); returns how to stop. */
  subscribe(name: string, subscriber: TurnSubscriber): () => void {
    const entry = { name, run: subscriber };
    this.subscribers.push(entry);
    return () => {
      const i = this.subscribers.indexOf(entry);
      if (i >= 0) this.subscribers.splice(i, 1);
    };
  }

  async publish(done: TurnDone): Promise<void> {
    for (const s of [...this.subscribers]) {
      try {
        await s.run(done);
      } catch (e) {
        this.logger.warn({ conversationId: done.conversationId, subscriber: s.name, err: e instanceof Error ? e.message : String(e) }, 'turn subscriber failed');
      }
    }
  }
}
