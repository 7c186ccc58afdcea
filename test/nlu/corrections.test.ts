/**
 * detectCorrection: only a correction of something already said.
 */
import { detectCorrection, type Correction, type ItemRef } from '../../src/nlu/index.js';
import { table } from './table.js';

const items: ItemRef[] = [
  { name: 'Studio headphones', category: 'headphones', sku: 'HP-200' },
  { name: 'Aero 15 notebook', category: 'notebook', sku: 'NB-AERO15' },
  { name: 'UltraView 27 monitor', category: 'peripheral', sku: 'MON-27' },
];
const ctx = { today: '2026-12-30', order: 'DMY' as const, items };

table<string, Correction | null>(
  'detectCorrection (en)',
  [
    ['actually it arrived on the 3rd', { kind: 'deliveredOn', date: '2026-12-03' }],
    ['sorry, it was delivered last Tuesday', { kind: 'deliveredOn', date: '2026-12-29' }],
    ['actually, it was yesterday', { kind: 'deliveredOn', date: '2026-12-29' }],
    ['sorry, it came on Monday', { kind: 'deliveredOn', date: '2026-12-28' }],
    ['correction: it was delivered 3 days ago', { kind: 'deliveredOn', date: '2026-12-27' }],
    ['my mistake, it arrived on Dec 3', { kind: 'deliveredOn', date: '2026-12-03' }],
    ['oh wait, it got here on the 2nd', { kind: 'deliveredOn', date: '2026-12-02' }],
    ["no, it's the headphones", { kind: 'item', index: 0 }],
    ['sorry I meant the laptop, not the headphones', { kind: 'item', index: 1 }],
    ['oh wait, it actually arrived on the 22nd, not today', { kind: 'deliveredOn', date: '2026-12-22' }],
    ['I meant the laptop', { kind: 'item', index: 1 }],
    ['oops, I meant the monitor', { kind: 'item', index: 2 }],
    ['I meant the second one', { kind: 'item', index: 1 }],
    ['sorry, the monitor', { kind: 'item', index: 2 }],
    ['actually it is the Aero 15', { kind: 'item', index: 1 }],
    ["wait, it's actually faulty", { kind: 'reason', reason: 'faulty' }],
    ['actually I changed my mind', { kind: 'reason', reason: 'change-of-mind' }],
    ['actually, the box was crushed when it arrived', { kind: 'reason', reason: 'transit-damage' }],
    ['wait, they sent the wrong colour', { kind: 'reason', reason: 'misdescribed' }],
    ['no', null],
    ['yes', null],
    ['no, I never opened it', null],
    ["no, I don't need it anymore", null],
    ['the 3rd', null],
    ['sorry', null],
    ['it arrived on the 3rd', null],
    ["actually I don't know", null],
    ['sorry, what?', null],
    ["no, it's fine", null],
    ['the headphones', null],
    ['it stopped working', null],
    ['no, I opened it yesterday to check', null],
    ['no, the screen is fine', null],
    ['no, the headphones are fine', null],
    ['actually the screen is fine', null],
    ["no, it's the original box", null],
    ['no, the screen', { kind: 'item', index: 2 }],
    ['sorry wrong item, I meant the headphones', { kind: 'item', index: 0 }],
    ['no, the 2nd one', { kind: 'item', index: 1 }],
  ],
  (s) => detectCorrection(s, 'en', ctx),
);

table<string, Correction | null>(
  'detectCorrection (es)',
  [
    ['en realidad llegó el día 3', { kind: 'deliveredOn', date: '2026-12-03' }],
    ['perdón, llegó ayer', { kind: 'deliveredOn', date: '2026-12-29' }],
    ['no, son los auriculares', { kind: 'item', index: 0 }],
    ['perdón, quise decir la laptop, no los audífonos', { kind: 'item', index: 1 }],
    ['en realidad llegó el 22, no hoy', { kind: 'deliveredOn', date: '2026-12-22' }],
    ['quise decir el portátil', { kind: 'item', index: 1 }],
    ['me equivoqué, es el monitor', { kind: 'item', index: 2 }],
    ['en realidad está defectuoso', { kind: 'reason', reason: 'faulty' }],
    ['no', null],
    ['no, nunca lo abrí', null],
    ['sí', null],
    ['llegó el día 3', null],
  ],
  (s) => detectCorrection(s, 'es', { ...ctx, order: 'MDY' }),
);

table<string, Correction | null>(
  'detectCorrection without items',
  [
    ["no, it's the headphones", null],
    ['actually it arrived yesterday', { kind: 'deliveredOn', date: '2026-12-29' }],
  ],
  (s) => detectCorrection(s, 'en', { ...ctx, items: [] }),
);
