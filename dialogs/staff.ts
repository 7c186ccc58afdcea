/**
 * The staff desk: support people listed in RETURNS_STAFF (by their channel user id, e.g. a Teams
 * AAD object id: `msteams:29:1a2b…=Alex Smith`) work hand-overs from Teams or any Bot Framework
 * channel instead of the console. Each new escalation reaches every registered staff member as a
 * card with Take; the same actions exist as commands (`queue`, `take [n]`, `release`, `close`,
 * `rma <remedy> [order=… sku=… reason=…] [note]`, `help`). While someone holds a conversation, what they type goes to the
 * customer (with their name), and what the customer types comes to them — both sent proactively
 * (`continueConversationAsync`) with the conversation references the store keeps.
 *
 * The desk is channel-neutral: `handle` answers a staff member's activity with the activities to
 * send back (the turn pipeline sends them on the channel it came from), and `onTurn` subscribes to
 * "turn committed" in the composition root.
 */
import { createHash } from 'node:crypto';
import type { Activity } from 'botbuilder';
import { negotiateLocale, t } from '../src/i18n/index.js';
import type { Logger } from '../src/log.js';
import { REASONS, type ReturnReason } from '../src/policy/case.js';
import type { TurnDone } from './conversation.js';

export interface StaffMember {
  /** `channelId:userId` */
  id: string;
  name: string;
}

interface View {
  id: string;
  status: string;
  agent: string | null;
  summary: { orderNumber?: string | null; item?: { name?: string } | null; reason?: string | null; decision?: { outcome?: string } | null } | Record<string, unknown>;
}

type Result<T> = { ok: true; value: T } | { ok: false; code: string; message: string; holder?: string };
/** A staff member as the audit trail and the customer know them. */
interface Staff {
  name: string;
  displayName: string;
}

/** A hand-over as the desk reads it after a turn. */
export interface HandoffState {
  status: string;
  agent: string | null;
  summary: Record<string, unknown>;
}

/** A staff member's activity, as the turn pipeline hands it over. */
export interface StaffActivity {
  type: string;
  channelId: string;
  from?: { id?: string };
  text?: string;
  value?: unknown;
  locale?: string;
}

/** What the desk needs from the hand-over service and the store. */
export interface StaffPort {
  list(status: 'queued' | 'active'): Promise<View[]>;
  /** The hand-over of a conversation as the store holds it now (null when there is none). */
  handoff(conversationId: string): Promise<HandoffState | null>;
  take(id: string, staff: Staff): Promise<Result<unknown>>;
  message(id: string, staff: Staff, text: string): Promise<Result<unknown>>;
  issueRma(id: string, staff: Staff, body: { remedy: string; note?: string | null; orderNumber?: string; sku?: string; reason?: ReturnReason }): Promise<Result<{ rma: string }>>;
  release(id: string, staff: Staff): Promise<Result<unknown>>;
  close(id: string, staff: Staff): Promise<Result<unknown>>;
  saveStaffReference(staffId: string, reference: Record<string, unknown>, at: string): Promise<void>;
  staffReferences(): Promise<{ staffId: string; reference: Record<string, unknown> }[]>;
}

export interface StaffDeskDeps {
  staff: readonly StaffMember[];
  port: StaffPort;
  /** Send activities proactively to a conversation (a staff member's chat). */
  send: (reference: Record<string, unknown>, activities: Partial<Activity>[]) => Promise<void>;
  now: () => number;
  logger: Logger;
}

/** A staff name for the audit trail from a staff member's display name ("Alex Smith" → "alex-smith"). */
function staffOf(member: StaffMember): Staff {
  const slug = member.name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 48);
  const name = slug || `staff-${createHash('sha256').update(member.id).digest('hex').slice(0, 8)}`;
  return { name, displayName: member.name };
}

const summaryLine = (v: View, locale: string) => {
  const s = v.summary as { orderNumber?: string | null; item?: { name?: string } | null; reason?: string | null; decision?: { outcome?: string } | null };
  return t(locale, 'staff.summary', {
    order: s.orderNumber ?? '—',
    item: s.item?.name ?? '—',
    reason: s.reason ? { key: `reasonName.${s.reason}` } : '—',
    outcome: s.decision?.outcome ?? '—',
  });
};

const RMA_OPTIONS = { order: 'orderNumber', sku: 'sku', reason: 'reason' } as const;

/**
 * The words after `rma`: the remedy, then (for a conversation without a verified order, as
 * CONTRACT section 8 lets staff give over HTTP) `order=…`, `sku=…`, `reason=…` in any order, then
 * the note. Only the words right after the remedy are options, so a note may hold an `=`. An
 * unknown reason is refused here (the HTTP API's schema does the same); the rest is the hand-over
 * service's to judge, as for the HTTP API.
 */
export function rmaCommand(
  words: readonly string[],
): { ok: true; body: { remedy: string; note: string | null; orderNumber?: string; sku?: string; reason?: ReturnReason } } | { ok: false; option: string } {
  const [remedy = '', ...rest] = words;
  const body: { remedy: string; note: string | null; orderNumber?: string; sku?: string; reason?: ReturnReason } = { remedy: remedy.toLowerCase(), note: null };
  let i = 0;
  for (; i < rest.length; i++) {
    const m = /^(order|sku|reason)=(.*)$/i.exec(rest[i]!);
    if (!m) break;
    const key = RMA_OPTIONS[m[1]!.toLowerCase() as keyof typeof RMA_OPTIONS];
    const value = m[2]!.trim();
    if (!value) return { ok: false, option: rest[i]! };
    if (key === 'reason') {
      const reason = value.toLowerCase();
      if (!(REASONS as readonly string[]).includes(reason)) return { ok: false, option: rest[i]! };
      body.reason = reason as ReturnReason;
    } else body[key] = value;
  }
  body.note = rest.slice(i).join(' ') || null;
  return { ok: true, body };
}

export class StaffDesk {
  private readonly byId = new Map<string, StaffMember>();

  constructor(private readonly deps: StaffDeskDeps) {
    for (const m of deps.staff) this.byId.set(m.id, m);
  }

  isStaff(channelId: string, userId: string | undefined): boolean {
    return userId !== undefined && this.byId.has(`${channelId}:${userId}`);
  }

  private card(context: { channelId?: string }, locale: string, text: string, actions: { title: string; value: Record<string, unknown>; command: string }[]): Partial<Activity> {
    if (!actions.length) return { type: 'message', text, locale };
    if (context.channelId === 'msteams') {
      return {
        type: 'message',
        text,
        locale,
        attachments: [
          {
            contentType: 'application/vnd.microsoft.card.adaptive',
            content: {
              type: 'AdaptiveCard',
              version: '1.4',
              body: [],
              actions: actions.map((a) => ({ type: 'Action.Submit', title: a.title, data: { ...a.value, msteams: { type: 'messageBack', text: a.command, displayText: a.title, value: a.value } } })),
            },
          },
        ],
      };
    }
    return { type: 'message', text, locale, suggestedActions: { to: [], actions: actions.map((a) => ({ type: 'imBack', title: a.title, value: a.command })) } };
  }

  /**
   * A staff member's activity (`reference`: the conversation reference of their chat, kept to reach
   * them later); returns what to answer them.
   */
  async handle(a: StaffActivity, reference: Record<string, unknown>): Promise<Partial<Activity>[]> {
    const out: Partial<Activity>[] = [];
    await this.command(a, reference, out);
    return out;
  }

  private async command(a: StaffActivity, reference: Record<string, unknown>, out: Partial<Activity>[]): Promise<void> {
    const member = this.byId.get(`${a.channelId}:${a.from?.id}`)!;
    const staff = staffOf(member);
    const locale = negotiateLocale(a.locale ?? null, 'en-GB');
    const say = async (key: string, params: Record<string, unknown> = {}) => void out.push({ type: 'message', text: t(locale, key, params), locale });
    await this.deps.port.saveStaffReference(member.id, reference, new Date(this.deps.now()).toISOString());
    if (a.type !== 'message') {
      if (a.type === 'conversationUpdate') await say('staff.welcome', { name: member.name });
      return;
    }
    const value = (a.value as { staff?: { action?: string; conversationId?: string } } | undefined)?.staff;
    const text = (a.text ?? '').replace(/<at>[^<]*<\/at>/g, '').trim();
    const [word, ...rest] = text.split(/\s+/);
    const command = value?.action ?? word?.toLowerCase() ?? '';
    const current = async () => (await this.deps.port.list('active')).find((v) => v.agent === staff.name) ?? null;
    const report = async (r: Result<unknown>, okKey: string, params: Record<string, unknown> = {}) => {
      if (r.ok) await say(okKey, params);
      else await say(r.code === 'held' ? 'staff.held' : r.code === 'not-found' ? 'staff.notFound' : 'staff.refused', { holder: r.holder ?? '', message: r.message });
    };

    switch (command) {
      case 'queue':
      case 'list': {
        const queued = await this.deps.port.list('queued');
        if (!queued.length) return void (await say('staff.queueEmpty'));
        const lines = queued.map((v, i) => `${i + 1}. ${summaryLine(v, locale)}`).join('\n');
        out.push(
          this.card(
            a,
            locale,
            `${t(locale, 'staff.queue', { count: queued.length })}\n${lines}`,
            queued.slice(0, 5).map((v, i) => ({ title: t(locale, 'staff.take', { n: i + 1 }), value: { staff: { action: 'take', conversationId: v.id } }, command: `take ${i + 1}` })),
          ),
        );
        return;
      }
      case 'take': {
        const queued = await this.deps.port.list('queued');
        const arg = rest[0];
        const id = value?.conversationId ?? (arg && /^\d+$/.test(arg) ? queued[Number(arg) - 1]?.id : arg) ?? queued[0]?.id;
        if (!id) return void (await say('staff.queueEmpty'));
        const r = await this.deps.port.take(id, staff);
        if (r.ok) {
          const v = (r.value as View) ?? null;
          await say('staff.taken', { summary: v ? summaryLine(v, locale) : id });
        } else await report(r, 'staff.taken');
        return;
      }
      case 'release':
      case 'close': {
        const v = value?.conversationId ? { id: value.conversationId } : await current();
        if (!v) return void (await say('staff.nothingHeld'));
        await report(command === 'release' ? await this.deps.port.release(v.id, staff) : await this.deps.port.close(v.id, staff), command === 'release' ? 'staff.released' : 'staff.closed');
        return;
      }
      case 'rma': {
        const v = await current();
        if (!v) return void (await say('staff.nothingHeld'));
        const parsed = rmaCommand(rest);
        if (!parsed.ok) return void (await say('staff.rmaBadOption', { option: parsed.option, reasons: REASONS.join(', ') }));
        const r = await this.deps.port.issueRma(v.id, staff, parsed.body);
        if (r.ok) await say('staff.rmaIssued', { rma: r.value.rma });
        else await report(r, 'staff.rmaIssued');
        return;
      }
      case 'help':
      case '':
        await say('staff.help');
        return;
      default: {
        const v = await current();
        if (!v) return void (await say('staff.help'));
        const r = await this.deps.port.message(v.id, staff, text);
        if (!r.ok) await report(r, 'staff.sent');
      }
    }
  }

  /** "Turn committed": a new escalation for everyone; a customer's words for whoever holds the chat. */
  async onTurn(done: TurnDone): Promise<void> {
    if (this.byId.size === 0) return;
    const escalated = done.to === 'handoff' && done.from !== 'handoff';
    if (!escalated && done.customerText === null) return;
    const record = await this.deps.port.handoff(done.conversationId);
    if (!record) return;
    const refs = await this.deps.port.staffReferences();
    if (!refs.length) return;
    const members = new Map(refs.map((r) => [r.staffId, r.reference]));
    const view: View = { id: done.conversationId, status: record.status, agent: record.agent, summary: record.summary };
    if (done.to === 'handoff' && done.from !== 'handoff' && record.status === 'queued') {
      for (const [staffId, reference] of members) {
        if (!this.byId.has(staffId)) continue;
        const locale = negotiateLocale((reference as { locale?: string }).locale ?? null, 'en-GB');
        const channelId = (reference as { channelId?: string }).channelId;
        await this.deps.send(reference, [
          this.card({ channelId }, locale, `${t(locale, 'staff.newHandoff')}\n${summaryLine(view, locale)}`, [
            { title: t(locale, 'staff.takeIt'), value: { staff: { action: 'take', conversationId: done.conversationId } }, command: `take ${done.conversationId}` },
          ]),
        ]);
      }
      return;
    }
    if (done.customerText !== null && record.status === 'active' && record.agent) {
      for (const [staffId, reference] of members) {
        const member = this.byId.get(staffId);
        if (!member || staffOf(member).name !== record.agent) continue;
        const locale = negotiateLocale((reference as { locale?: string }).locale ?? null, 'en-GB');
        await this.deps.send(reference, [
          { type: 'message', locale, textFormat: 'plain', text: t(locale, 'staff.fromCustomer', { order: (record.summary as { orderNumber?: string }).orderNumber ?? '—', text: done.customerText }) },
        ]);
      }
    }
  }
}
