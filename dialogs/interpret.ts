/**
 * From what the customer sent (text, or a card's value) to the machine's `MESSAGE` event: the
 * commands the message carries. Pure: the language, today's date and the pending choices are passed in.
 *
 * Order of reading: a card payload (the commands of the button, or an older card's event); the label
 * of a choice just offered, typed or clicked (or its number); then the understanding layer
 * (`understand` in src/nlu), which reads every slot in the message whatever the step.
 */
import { z } from 'zod';
import type { LocalDate } from '../src/policy/case.js';
import { CONDITION_FIELDS, FAULT_CAUSES, REASONS } from '../src/policy/case.js';
import { REMEDIES } from '../src/policy/pack.js';
import { normalizeText } from '../src/nlu/index.js';
import { understand, type UnderstandView } from '../src/nlu/understand.js';
import { t } from '../src/i18n/index.js';
import type { Command, Slot } from '../machines/commands.js';
import type { Choice, MessageEvent, ReturnsContext, Step } from '../machines/types.js';

/** Where the conversation is, as the reader needs it. */
export interface View {
  /** The state's name (`askFact`, `handoff`, …; see `stateName`). */
  state: string;
  step: Step | null;
  context: ReturnsContext;
  locale: string;
  today: LocalDate;
  dateOrder: 'DMY' | 'MDY';
}

const sure = { confidence: 1 } as const;

/**
 * Card payloads: `{ returns: { choice: n } }` (the nth choice offered), or an event of an older card
 * (`{ returns: { type: 'REASON', reason } }`, still on screens from before), mapped to its commands.
 */
const legacyEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ITEM'), index: z.number().int().min(0).max(99) }),
  z.object({ type: z.literal('REASON'), reason: z.enum(REASONS) }),
  z.object({ type: z.literal('ANSWER'), field: z.enum(CONDITION_FIELDS), value: z.union([z.boolean(), z.enum(FAULT_CAUSES), z.string().min(1).max(64)]) }),
  z.object({ type: z.literal('REMEDY'), remedy: z.enum(REMEDIES) }),
  z.object({ type: z.enum(['YES', 'NO', 'HUMAN', 'CANCEL', 'RESTART', 'HELP', 'DONT_KNOW', 'HAS_PREAUTH', 'ANOTHER_ITEM']) }),
]);
const cardPayload = z.object({ returns: z.union([z.object({ choice: z.number().int().min(0).max(99) }), legacyEvent]) });

function legacyCommands(e: z.output<typeof legacyEvent>): Command[] {
  switch (e.type) {
    case 'ITEM':
      return [{ type: 'SetSlot', ...sure, slot: 'item', value: { index: e.index } }];
    case 'REASON':
      return [{ type: 'SetSlot', ...sure, slot: 'reason', value: e.reason }];
    case 'REMEDY':
      return [{ type: 'SetSlot', ...sure, slot: 'remedy', value: e.remedy }];
    case 'ANSWER': {
      if (typeof e.value === 'boolean') return [{ type: e.value ? 'Affirm' : 'Deny', ...sure }];
      if (e.field === 'faultCause') return [{ type: 'SetSlot', ...sure, slot: 'faultCause', value: e.value as (typeof FAULT_CAUSES)[number] }];
      return [{ type: 'SetSlot', ...sure, slot: 'manufacturerPreauth', value: e.value }];
    }
    case 'YES':
    case 'HAS_PREAUTH':
      return [{ type: 'Affirm', ...sure }];
    case 'NO':
      return [{ type: 'Deny', ...sure }];
    case 'DONT_KNOW':
      return [{ type: 'DontKnow', ...sure }];
    case 'HUMAN':
      return [{ type: 'HumanHandoff', ...sure }];
    case 'CANCEL':
      return [{ type: 'Cancel', ...sure }];
    case 'RESTART':
      return [{ type: 'Restart', ...sure }];
    case 'HELP':
      return [{ type: 'Help', ...sure }];
    case 'ANOTHER_ITEM':
      return [{ type: 'StartReturn', ...sure }];
  }
}

/** The commands a card payload stands for, or null when it is not one of ours. */
export function commandsFromValue(value: unknown, choices: readonly Choice[]): Command[] | null {
  const parsed = cardPayload.safeParse(value);
  if (!parsed.success) return null;
  const r = parsed.data.returns;
  if ('choice' in r) return choices[r.choice]?.commands ?? null;
  return legacyCommands(r);
}

/** The choice whose label the customer typed or clicked (imBack posts the label), or the nth for "2". */
function chosen(text: string, choices: readonly Choice[], locale: string, step: Step | null): Command[] | null {
  if (!choices.length) return null;
  const said = normalizeText(text);
  for (const c of choices) {
    if (normalizeText(t(locale, c.label.key, c.label.params ?? {})) === said) return c.commands;
  }
  if (step !== 'orderNumber' && step !== 'verify') {
    const n = /^#?(\d{1,2})\.?$/.exec(said);
    if (n) {
      const c = choices[Number(n[1]) - 1];
      if (c) return c.commands;
    }
  }
  return null;
}

/** The slots the conversation already knows (a new value for one is a correction). */
function filledSlots(ctx: ReturnsContext): Slot[] {
  const out: Slot[] = [];
  if (ctx.orderNumber) out.push('orderNumber');
  if (ctx.itemIndex !== null) out.push('item');
  if (ctx.reason) out.push('reason');
  if (ctx.deliveredOn || ctx.order) out.push('deliveredOn');
  if (ctx.remedy || ctx.wantedRemedy) out.push('remedy');
  for (const f of Object.keys(ctx.facts)) out.push(f as Slot);
  return out;
}

/** What the understanding layer is told about the conversation. */
export function understandView(view: View): UnderstandView {
  const ctx = view.context;
  // After the end a message starts a new conversation (the machine resets first): it is read as a
  // first message, so an item it names is a mention for the order it gives, not the old order's line.
  if (view.state === 'ended') return { locale: view.locale, step: null, today: view.today, dateOrder: view.dateOrder, items: [], remedies: [], filled: [] };
  return {
    locale: view.locale,
    step: view.step,
    today: view.today,
    dateOrder: view.dateOrder,
    items: ctx.order?.items.map((i) => ({ sku: i.sku, name: i.name, category: i.category })) ?? [],
    remedies: ctx.decision?.remedies ?? [],
    filled: filledSlots(ctx),
  };
}

export function interpret(text: string | null | undefined, value: unknown, view: View, attachments = 0): MessageEvent {
  const extra = attachments > 0 ? { attachments } : {};
  const fromCard = commandsFromValue(value, view.context.choices);
  if (fromCard) return { type: 'MESSAGE', commands: fromCard, ...extra };
  const said = (text ?? '').trim();
  if (!said) return { type: 'MESSAGE', commands: [{ type: 'NotUnderstood' }], ...extra };
  const picked = view.state === 'handoff' ? null : chosen(said, view.context.choices, view.locale, view.step);
  if (picked) return { type: 'MESSAGE', commands: picked, ...extra };
  return { type: 'MESSAGE', commands: understand(said, understandView(view)), ...extra };
}
