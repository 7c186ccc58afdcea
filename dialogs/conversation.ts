/**
 * One turn of a conversation, whatever the channel: restore the machine from the store, turn the
 * customer's message into an event, run the machine to its next wait, render the replies, commit.
 *
 * - Turns of one conversation are serialised (`withConversationLock`) and committed with
 *   compare-and-swap; a conflict (another instance moved the conversation on) reruns the turn.
 * - A retried activity (same id) gets the replies it got the first time and changes nothing.
 * - A snapshot from an older machine version restarts the conversation politely.
 * - The clock is injected; "today" is derived from it in the pack's time zone, or RETURNS_TODAY.
 */
import { createActor, waitFor, type Actor, type SnapshotFrom } from 'xstate';
import { dateOrderOf } from '../src/nlu/index.js';
import { negotiateLocale } from '../src/i18n/index.js';
import type { CompiledPack } from '../src/policy/engine.js';
import { ConflictError, type AuditEntry, type ConversationRecord, type Store } from '../src/store/store.js';
import type { Logger } from '../src/log.js';
import { todayFor } from '../machines/case.js';
import { MACHINE_VERSION, type Reply, type ReturnsContext, type ReturnsEvent, type ReturnsInput, type SystemEvent, type TurnChannel } from '../machines/types.js';
import { stateName, stepOf, type ReturnsMachine } from '../machines/returns.machine.js';
import { interpret, type View } from './interpret.js';
import { renderReply, type ReplyActivity } from './render.js';

export interface TurnRequest {
  conversationId: string;
  /** The channel's id for the activity; retries carry the same one. */
  activityId: string | null;
  channelId: string;
  /** The customer's id on the channel (suggested actions are addressed to them). */
  userId?: string;
  text: string | null;
  value?: unknown;
  /** The activity's locale, if any. */
  locale?: string | null;
  /** The inbound activity as it goes into the conversation log (the customer's side of the transcript). */
  logActivity?: Record<string, unknown>;
  /** The request's correlation id, for the logs. */
  correlationId?: string;
  /** How many photos came with the message (already stored with the conversation). */
  attachments?: number;
  /** A system event to run instead of reading the customer's words (a person took the chat, say). */
  event?: SystemEvent;
  /** The Bot Framework conversation reference of this activity (for messages sent later). */
  reference?: Record<string, unknown>;
}

/** What a committed turn did, for its subscribers (the hand-over queue, the staff desk, live consoles). */
export interface TurnDone {
  conversationId: string;
  channelId: string;
  event: ReturnsEvent;
  from: string;
  to: string;
  context: ReturnsContext;
  activities: ReplyActivity[];
  locale: string;
  /** The customer's words when they wrote while a person has (or will have) the conversation. */
  customerText: string | null;
}

export interface TurnResult {
  activities: ReplyActivity[];
  duplicate: boolean;
  state: string;
  locale: string;
}

export interface ConversationDeps {
  store: Store;
  machine: ReturnsMachine;
  packs: (id: string) => CompiledPack;
  now: () => number;
  todayOverride: string | null;
  defaultPolicy: string;
  logger: Logger;
  /** How many conversations keep a live machine between turns (default 2000; 0 turns it off). */
  liveActors?: number;
  /** Where each committed turn is published ("turn committed"; a subscriber's error never fails the turn). */
  committed?: TurnCommitted;
}

/** The "turn committed" events: subscribers run in the order they subscribed, each awaited. */
export interface TurnCommitted {
  publish(done: TurnDone): Promise<void>;
}

type Snapshot = SnapshotFrom<ReturnsMachine>;

export { stateName };

const MAX_ATTEMPTS = 5;

type LiveActor = Actor<ReturnsMachine>;

export class ConversationService {
  /**
   * Actors of recent conversations, kept running between turns so a turn does not rebuild its
   * machine from the stored snapshot. Used only when the stored version is still the one the actor
   * produced (another instance may have moved the conversation on); dropped on any failure.
   */
  private readonly live = new Map<string, { version: number; actor: LiveActor }>();
  private readonly liveLimit: number;

  constructor(private readonly deps: ConversationDeps) {
    this.liveLimit = deps.liveActors ?? 2000;
  }

  private packLocale(ctx: ReturnsContext): string {
    return this.deps.packs(ctx.order?.policy ?? ctx.defaultPolicy).pack.locale;
  }

  /** Greet a new conversation (a channel's conversationUpdate); nothing when it already exists. */
  async welcome(req: TurnRequest): Promise<TurnResult | null> {
    const existing = await this.deps.store.loadConversation(req.conversationId);
    if (existing) return null;
    return this.handle({ ...req, text: null, value: undefined });
  }

  /**
   * Run a system event on a conversation (a person took it, released it, issued an RMA …) as a turn
   * of its own: serialised with the customer's turns, committed the same way, replies logged.
   */
  async dispatch(conversationId: string, channelId: string, event: SystemEvent, correlationId?: string): Promise<TurnResult> {
    return this.handle({ conversationId, activityId: null, channelId, text: null, event, logActivity: undefined, correlationId });
  }

  /** Handle one customer message; safe to call concurrently and to retry. */
  async handle(req: TurnRequest): Promise<TurnResult> {
    const { store } = this.deps;
    return store.withConversationLock(req.conversationId, async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.turn(req);
        } catch (e) {
          if (e instanceof ConflictError && attempt < MAX_ATTEMPTS) {
            this.deps.logger.warn({ correlationId: req.correlationId, conversationId: req.conversationId, attempt }, 'turn conflict, retrying');
            continue;
          }
          throw e;
        }
      }
    });
  }

  /** One attempt at a turn: a retried activity's replies, or restore → run → commit → publish. */
  private async turn(req: TurnRequest): Promise<TurnResult> {
    const replayed = await this.replay(req);
    if (replayed) return replayed;
    const { store, logger } = this.deps;
    const record = await store.loadConversation(req.conversationId);
    const now = this.deps.now();
    const at = new Date(now).toISOString();
    const { actor, restarted } = this.actorFor(req.conversationId, record, { conversationId: req.conversationId, defaultPolicy: this.deps.defaultPolicy, todayOverride: this.deps.todayOverride, now });
    const replies: Reply[] = [];
    const listening = actor.on('reply', (r) => replies.push(r));
    let keep = false;
    try {
      if (restarted) replies.push({ type: 'reply', parts: [{ key: 'restarted' }] });
      const ran = await this.run(actor, req, now, record?.locale ?? null, replies);
      const finalLocale = negotiateLocale(req.locale ?? record?.locale ?? null, this.packLocale(ran.after.context));
      const activities = replies.map((r) => renderReply(r, finalLocale, req.channelId, req.userId));
      const committed = await store.commitTurn({
        conversationId: req.conversationId,
        expectedVersion: record?.version ?? null,
        snapshot: actor.getPersistedSnapshot(),
        machineVersion: MACHINE_VERSION,
        locale: finalLocale,
        activityId: req.activityId,
        replyCount: activities.length,
        log: [...inboundLog(req), ...activities.map((a) => ({ ...a, from: { id: 'bot', role: 'bot' } }))],
        audit: auditOf(replies, ran.event, ran.after.context, at),
        at,
      });
      const to = stateName(ran.after);
      logger.info({ correlationId: req.correlationId, conversationId: req.conversationId, event: ran.event.type, from: ran.from, to, replies: activities.length }, 'turn');
      this.remember(req.conversationId, committed.version, actor);
      keep = true;
      const customerText = !req.event && ran.from === 'handoff' && to === 'handoff' ? (req.text ?? '') : null;
      await this.publish(req, {
        conversationId: req.conversationId,
        channelId: req.channelId,
        event: ran.event,
        from: ran.from,
        to,
        context: ran.after.context,
        activities,
        locale: finalLocale,
        customerText,
      });
      return { activities, duplicate: false, state: to, locale: finalLocale };
    } finally {
      listening.unsubscribe();
      if (!keep) actor.stop();
    }
  }

  /** A retried activity (same id): the replies it got the first time. */
  private async replay(req: TurnRequest): Promise<TurnResult | null> {
    if (!req.activityId) return null;
    const previous = await this.deps.store.findProcessedActivity(req.conversationId, req.activityId);
    if (!previous) return null;
    const rec = await this.deps.store.loadConversation(req.conversationId);
    return { activities: previous as ReplyActivity[], duplicate: true, state: 'duplicate', locale: rec?.locale ?? 'en-GB' };
  }

  /** The actor of this conversation's last turn when it is still exactly what the store holds; else one restored from the snapshot (or fresh). */
  private actorFor(conversationId: string, record: ConversationRecord | null, input: ReturnsInput): { actor: LiveActor; restarted: boolean } {
    const cached = this.live.get(conversationId);
    this.live.delete(conversationId);
    if (cached && record && cached.version === record.version && record.machineVersion === MACHINE_VERSION) return { actor: cached.actor, restarted: false };
    cached?.actor.stop();
    const { machine, logger } = this.deps;
    const snapshot = record && record.machineVersion === MACHINE_VERSION ? record.snapshot : undefined;
    let restarted = record !== null && record.machineVersion !== MACHINE_VERSION;
    let actor = createActor(machine, snapshot ? { snapshot: snapshot as Snapshot, input } : { input });
    try {
      actor.start();
    } catch (e) {
      // A snapshot this machine cannot restore: start afresh rather than fail every turn.
      logger.warn({ conversationId, err: e }, 'could not restore conversation; restarting it');
      actor = createActor(machine, { input });
      actor.start();
      restarted = true;
    }
    return { actor, restarted };
  }

  /** Tell the machine the time and the channel, read the message in the view of where it is, run it to its next wait. */
  private async run(actor: LiveActor, req: TurnRequest, now: number, storedLocale: string | null, replies: readonly Reply[]): Promise<{ event: ReturnsEvent; from: string; after: Snapshot }> {
    // A customer's turn says where they are now; a system event (staff) keeps what the last one said.
    const channel: TurnChannel | undefined = req.event ? undefined : { channelId: req.channelId, reference: req.reference ?? null };
    actor.send({ type: 'CLOCK', now, ...(channel ? { channel } : {}) });
    const before = actor.getSnapshot();
    const ctx = before.context;
    const locale = negotiateLocale(req.locale ?? storedLocale, this.packLocale(ctx));
    const pack = this.deps.packs(ctx.order?.policy ?? ctx.defaultPolicy);
    const view: View = {
      state: stateName(before),
      step: stepOf(before),
      context: ctx,
      locale,
      today: todayFor(ctx, pack.pack.timeZone),
      dateOrder: dateOrderOf(locale),
    };
    const event: ReturnsEvent = req.event ?? interpret(req.text, req.value, view, req.attachments ?? 0);
    actor.send(event);
    let after = await waitFor(actor, (s) => s.hasTag('waiting') || s.status !== 'active', { timeout: 15_000 });
    if (replies.length === 0 && !req.event && !after.hasTag('handoff')) {
      // Nothing in the message applied here (a "no" where no yes/no was asked, say): ask again.
      actor.send({ type: 'MESSAGE', commands: [{ type: 'NotUnderstood' }] });
      after = await waitFor(actor, (s) => s.hasTag('waiting') || s.status !== 'active', { timeout: 15_000 });
    }
    return { event, from: view.state, after };
  }

  /** "Turn committed": the subscribers' errors are logged, never fail the turn. */
  private async publish(req: TurnRequest, done: TurnDone): Promise<void> {
    if (!this.deps.committed) return;
    try {
      await this.deps.committed.publish(done);
    } catch (e) {
      this.deps.logger.error(
        { correlationId: req.correlationId, conversationId: req.conversationId, err: e instanceof Error ? { name: e.name, message: e.message } : String(e) },
        'after-turn listener failed',
      );
    }
  }

  /** Keep a conversation's actor for its next turn (most recent last; the oldest is dropped). */
  private remember(conversationId: string, version: number, actor: LiveActor): void {
    this.live.set(conversationId, { version, actor });
    if (this.live.size > this.liveLimit) {
      const oldest = this.live.keys().next().value as string;
      this.live.get(oldest)?.actor.stop();
      this.live.delete(oldest);
    }
  }

  /** Forget a conversation's live actor (its state changed outside this service). */
  forget(conversationId: string): void {
    this.live.get(conversationId)?.actor.stop();
    this.live.delete(conversationId);
  }
}

/** The customer's side of the turn for the log (a greeting the bot starts itself logs only the replies). */
function inboundLog(req: TurnRequest): Record<string, unknown>[] {
  const spontaneous = req.text === null && req.value === undefined && !req.logActivity;
  if (spontaneous) return [];
  return [req.logActivity ?? { type: 'message', from: { id: req.userId ?? 'user', role: 'user' }, text: req.text ?? '', ...(req.value ? { value: req.value } : {}) }];
}

/** The audit entries of a turn: decisions reached, RMAs shown, hand-overs, and the customer's corrections. */
function auditOf(replies: readonly Reply[], event: ReturnsEvent, ctx: ReturnsContext, at: string): AuditEntry[] {
  const audit: AuditEntry[] = [];
  for (const r of replies) {
    if (r.returns?.decision) {
      const d = r.returns.decision;
      audit.push({
        at,
        actor: 'bot',
        action: 'decision',
        data: { outcome: d.outcome, reason: d.reason, codes: d.reasons.map((x) => x.code), clauses: d.clauses, policy: d.policy, policyVersion: d.policyVersion, orderNumber: ctx.orderNumber },
      });
    }
    if (r.returns?.rma) audit.push({ at, actor: 'bot', action: 'rma.shown', data: { rma: r.returns.rma } });
    if (r.returns?.handoff) audit.push({ at, actor: 'bot', action: `handoff.${r.returns.handoff}`, data: { position: r.returns.position ?? null } });
  }
  if (event.type === 'MESSAGE') {
    for (const c of event.commands) {
      if (c.type === 'CorrectSlot' && c.slot !== 'proof') audit.push({ at, actor: 'customer', action: 'correction', data: { slot: c.slot, value: c.value } });
    }
  }
  return audit;
}
