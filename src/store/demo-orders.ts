/**
 * Demo orders for a fresh install (CONTRACT section 7: "demo orders are loaded on first start"), for
 * both shipped packs, dated relative to `today` so that a demo always has items still inside their
 * return windows and items outside them: delivered 3, 10, 20 and 40 days ago and 14 months ago.
 *
 * Order numbers UK-2xxxxx and IMP-7xxxxx are reserved for these (never the scenario orders).
 */
import { addDays, addMonths, isLocalDate, type LocalDate } from '../policy/calendar.js';
import { orderSchema, type Order, type OrderInput } from '../orders.js';

type Item = OrderInput['items'][number];

const ukDelivery = { charge: 4.99, cheapestCharge: 4.99 };
const ukExpress = { charge: 9.99, cheapestCharge: 4.99 };
const usFree = { charge: 0, cheapestCharge: 0 };

const items = {
  headphones: { sku: 'HP-310', name: 'Aria wireless headphones', category: 'headphones', price: 79.99 },
  usHeadphones: { sku: 'HP-410', name: 'Soundwave noise-cancelling headphones', category: 'headphones', price: 199.0 },
  notebook: { sku: 'NB-1420', name: 'Voyager 14 notebook', category: 'notebook', price: 749.0 },
  usNotebook: { sku: 'NB-1600', name: 'Stratos 16 notebook', category: 'notebook', price: 1299.0 },
  mouse: { sku: 'MS-220', name: 'Precision wireless mouse', category: 'peripheral', price: 24.99 },
  keyboard: { sku: 'KB-770', name: 'Mechanical keyboard (UK layout)', category: 'peripheral', price: 89.99 },
  usMonitor: { sku: 'MON-24', name: 'ClearView 24 monitor', category: 'peripheral', price: 189.0 },
  usWebcam: { sku: 'CAM-1080', name: 'StreamCam 1080p webcam', category: 'peripheral', price: 69.99 },
  memoryCard: { sku: 'SD-128', name: '128 GB SDXC memory card', category: 'memory-card', price: 19.99 },
  usMemoryCard: { sku: 'SD-256', name: '256 GB microSDXC memory card', category: 'memory-card', price: 34.99 },
  officeSuite: { sku: 'SW-OFF', name: 'Office suite (1 year licence)', category: 'software', price: 69.99 },
  usAntivirus: { sku: 'SW-AV3', name: 'Antivirus 3-device licence', category: 'software', price: 49.99 },
  desktop: { sku: 'PC-G5', name: 'Titan G5 gaming desktop', category: 'desktop-pc', price: 1499.0, guaranteeMonths: 12 },
  usDesktop: {
    sku: 'PC-W9',
    name: 'Workstation W9 desktop',
    category: 'desktop-pc',
    price: 2199.0,
    requiresManufacturerPreauth: true,
  },
} as const satisfies Record<string, Item>;

interface Draft {
  orderNumber: string;
  policy: 'uk-online' | 'impress-us';
  email: string;
  postcode: string;
  region: string;
  /** Calendar days before `today` the order was delivered (or months, with `monthsAgo`). */
  daysAgo?: number;
  monthsAgo?: number;
  delivery: OrderInput['delivery'];
  items: Item[];
}

const DRAFTS: readonly Draft[] = [
  // uk-online (GBP)
  { orderNumber: 'UK-200311', policy: 'uk-online', email: 'amira.khan@example.com', postcode: 'M1 1AE', region: 'GB-ENG', daysAgo: 3, delivery: ukDelivery, items: [items.headphones] },
  {
    orderNumber: 'UK-200427',
    policy: 'uk-online',
    email: 'callum.fraser@example.co.uk',
    postcode: 'EH1 1YZ',
    region: 'GB-SCT',
    daysAgo: 10,
    delivery: ukExpress,
    items: [items.notebook, items.mouse, items.memoryCard],
  },
  {
    orderNumber: 'UK-200538',
    policy: 'uk-online',
    email: 'priya.shah@example.com',
    postcode: 'B1 1BB',
    region: 'GB-ENG',
    daysAgo: 20,
    delivery: ukDelivery,
    items: [items.officeSuite, items.keyboard],
  },
  { orderNumber: 'UK-200642', policy: 'uk-online', email: 'rhys.evans@example.co.uk', postcode: 'CF10 1EP', region: 'GB-WLS', daysAgo: 40, delivery: ukDelivery, items: [items.mouse] },
  {
    orderNumber: 'UK-200759',
    policy: 'uk-online',
    email: 'tom.baker@example.com',
    postcode: 'LS2 7EY',
    region: 'GB-ENG',
    monthsAgo: 14,
    delivery: { charge: 0, cheapestCharge: 0 },
    items: [items.desktop],
  },
  // impress-us (USD)
  { orderNumber: 'IMP-700118', policy: 'impress-us', email: 'maria.lopez@example.com', postcode: '94103', region: 'US-CA', daysAgo: 3, delivery: usFree, items: [items.usHeadphones, items.usWebcam] },
  { orderNumber: 'IMP-700224', policy: 'impress-us', email: 'jamal.wright@example.com', postcode: '78701', region: 'US-TX', daysAgo: 10, delivery: usFree, items: [items.usDesktop] },
  {
    orderNumber: 'IMP-700335',
    policy: 'impress-us',
    email: 'hannah.kim@example.com',
    postcode: '10001',
    region: 'US-NY',
    daysAgo: 20,
    delivery: { charge: 14.99, cheapestCharge: 0 },
    items: [items.usNotebook, items.usMonitor],
  },
  {
    orderNumber: 'IMP-700446',
    policy: 'impress-us',
    email: 'dave.olsen@example.com',
    postcode: '98101',
    region: 'US-WA',
    daysAgo: 40,
    delivery: usFree,
    items: [items.usMemoryCard, items.usAntivirus],
  },
  { orderNumber: 'IMP-700557', policy: 'impress-us', email: 'grace.chen@example.com', postcode: '60601', region: 'US-IL', monthsAgo: 14, delivery: usFree, items: [items.usMonitor] },
];

/** The demo orders as of `today` (YYYY-MM-DD, the shop's local date), each validated. */
export function demoOrders(today: LocalDate): Order[] {
  if (!isLocalDate(today)) throw new RangeError(`expected a date YYYY-MM-DD, got "${today}"`);
  return DRAFTS.map((d) => {
    const deliveredOn = d.monthsAgo !== undefined ? addMonths(today, -d.monthsAgo) : addDays(today, -(d.daysAgo ?? 0));
    const input: OrderInput = {
      orderNumber: d.orderNumber,
      policy: d.policy,
      currency: d.policy === 'uk-online' ? 'GBP' : 'USD',
      customer: { email: d.email, postcode: d.postcode, region: d.region },
      placedOn: addDays(deliveredOn, -2),
      deliveredOn,
      delivery: d.delivery,
      items: d.items.map((item) => ({ ...item, quantity: 1 })),
    };
    return orderSchema.parse(input);
  });
}
