/**
 * From what the conversation knows to a policy case, and today's date. Pure.
 */
import { localDateIn, type LocalDate } from '../src/policy/calendar.js';
import { CONDITION_FIELDS, type Case, type Condition } from '../src/policy/case.js';
import type { CompiledPack } from '../src/policy/engine.js';
import type { Order, OrderItem } from '../src/orders.js';
import type { ReturnsContext } from './types.js';

/** Today's date in the pack's time zone, or RETURNS_TODAY when set. */
export function todayFor(ctx: Pick<ReturnsContext, 'now' | 'todayOverride'>, timeZone: string): LocalDate {
  return ctx.todayOverride ?? localDateIn(timeZone, ctx.now);
}

export function selectedItem(ctx: Pick<ReturnsContext, 'order' | 'itemIndex'>): OrderItem | null {
  if (!ctx.order || ctx.itemIndex === null) return null;
  return ctx.order.items[ctx.itemIndex] ?? null;
}

/** The delivery date the decision uses: the customer's correction, else the order's. */
export function deliveredOn(ctx: Pick<ReturnsContext, 'deliveredOn'>, order: Order): LocalDate {
  return ctx.deliveredOn ?? order.deliveredOn;
}

/** The facts an unopened retail package rules out (each would be true only once it was opened). */
const UNOPENED_RULES_OUT = ['sealBroken', 'used', 'activationStripDamaged', 'softwareClaimed', 'tampered'] as const;

/** The case for the selected item and reason; null until both are known. */
export function buildCase(ctx: ReturnsContext, pack: CompiledPack): Case | null {
  const order = ctx.order;
  const item = selectedItem(ctx);
  if (!order || !item || !ctx.reason) return null;
  const condition: Condition = {};
  for (const field of CONDITION_FIELDS) {
    const v = ctx.facts[field];
    if (v !== undefined) (condition as Record<string, unknown>)[field] = v;
  }
  // "Still sealed in its box, never opened": what cannot happen inside unopened retail packaging
  // has not happened (the bot does not ask "have you used it?" next). Never over what was said.
  if (condition.packagingOpened === false) {
    for (const field of UNOPENED_RULES_OUT) if (condition[field] === undefined && ctx.tentative[field] === undefined) condition[field] = false;
  }
  // A date the customer stated goes beside the order's record: a later one that changes the
  // outcome is referred (DELIVERY_DATE_DISPUTED), and the decision records where it came from.
  const stated = ctx.deliveredOn !== null && ctx.deliveredOn !== order.deliveredOn;
  return {
    policy: pack.pack.id,
    today: todayFor(ctx, pack.pack.timeZone),
    reason: ctx.reason,
    deliveredOn: deliveredOn(ctx, order),
    ...(stated ? { recordedDeliveredOn: order.deliveredOn, sources: { deliveredOn: 'customer' as const } } : {}),
    purchasedOn: order.placedOn,
    purchasedFromUs: true,
    customerRegion: order.customer.region ?? null,
    product: {
      category: item.category,
      price: item.price,
      specialOrder: item.specialOrder,
      guaranteeMonths: item.guaranteeMonths,
      requiresManufacturerPreauth: item.requiresManufacturerPreauth,
      name: item.name,
      sku: item.sku,
    },
    delivery: order.delivery ?? null,
    condition,
  };
}
