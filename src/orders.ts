/**
 * An order as the retailer's systems give it to us (CONTRACT section 6), with its zod schema.
 */
import { z } from 'zod';
import { CATEGORIES, CUSTOMER_REGION_RE, localDate } from './policy/case.js';

export const orderItemSchema = z.strictObject({
  sku: z.string().trim().min(1).max(100),
  name: z.string().trim().min(1).max(200),
  category: z.enum(CATEGORIES),
  price: z.number().nonnegative(),
  quantity: z.number().int().min(1).default(1),
  specialOrder: z.boolean().default(false),
  freeGift: z.boolean().default(false),
  requiresManufacturerPreauth: z.boolean().default(false),
  guaranteeMonths: z.number().int().min(0).max(240).nullable().default(null),
});

export const orderSchema = z.strictObject({
  orderNumber: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9-]{2,39}$/, { error: 'expected an order number of letters, digits and dashes' }),
  policy: z.string().min(1),
  currency: z.string().regex(/^[A-Z]{3}$/, { error: 'expected an ISO 4217 currency code like "GBP"' }),
  customer: z.strictObject({
    email: z.email({ error: 'expected an email address' }),
    postcode: z.string().trim().min(2).max(16),
    region: z.string().regex(CUSTOMER_REGION_RE, { error: 'expected GB-ENG, GB-WLS, GB-SCT, GB-NIR or a US state like US-NY' }).nullable().optional(),
  }),
  placedOn: localDate,
  deliveredOn: localDate,
  delivery: z.strictObject({ charge: z.number().nonnegative(), cheapestCharge: z.number().nonnegative() }).nullable().optional(),
  items: z.array(orderItemSchema).min(1),
});

export type OrderInput = z.input<typeof orderSchema>;
export type Order = z.output<typeof orderSchema>;
export type OrderItem = z.output<typeof orderItemSchema>;

export const ordersFileSchema = z.array(orderSchema);

/** Order numbers compare case-insensitively ("uk-100234" is "UK-100234"). */
export function normalizeOrderNumber(s: string): string {
  return s.trim().toUpperCase();
}
