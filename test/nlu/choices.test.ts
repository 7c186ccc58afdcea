/**
 * matchItem and matchRemedy: which item, which remedy.
 */
import type { Remedy } from '../../src/policy/pack.js';
import { matchItem, matchRemedy, type ItemRef } from '../../src/nlu/index.js';
import { table } from './table.js';

const uk: ItemRef[] = [
  { name: 'Studio headphones', category: 'headphones', sku: 'HP-200' },
  { name: 'Aero 15 notebook', category: 'notebook', sku: 'NB-AERO15' },
  { name: 'UltraView 27 monitor', category: 'peripheral', sku: 'MON-27' },
];
const shop: ItemRef[] = [
  { name: 'ProBook 14', category: 'notebook', sku: 'PB-14' },
  { name: 'K2 mechanical keyboard', category: 'peripheral', sku: 'KB-K2' },
  { name: 'Photon 128GB SD card', category: 'memory-card', sku: 'SD-128' },
  { name: 'Tower X gaming PC', category: 'desktop-pc', sku: 'PC-TX' },
  { name: 'Space Quest', category: 'software', sku: 'SW-SQ' },
];
const twoHeadphones: ItemRef[] = [
  { name: 'Studio headphones', category: 'headphones', sku: 'HP-200' },
  { name: 'Wireless headphones', category: 'headphones', sku: 'HP-300' },
];

table<string, number | null>(
  'matchItem (en, three items)',
  [
    ['the headphones', 0],
    ['studio headphones', 0],
    ['Studio headphones', 0],
    ['Aero 15', 1],
    ['aero', 1],
    ['laptop', 1],
    ['the laptop', 1],
    ['my notebook', 1],
    ['monitor', 2],
    ['the screen', 2],
    ['the UltraView', 2],
    ['headset', 0],
    ['earbuds', 0],
    ['the second one', 1],
    ['2', 1],
    ['#2', 1],
    ['number 2', 1],
    ['first', 0],
    ['the first one', 0],
    ['1', 0],
    ['3rd', 2],
    ['last', 2],
    ['the last one', 2],
    ['HP-200', 0],
    ['mon-27', 2],
    ['I want to return the headphones please', 0],
    ['the 27 inch monitor', 2],
    ['keyboard', null],
    ['the fourth one', null],
    ['5', null],
    ['a fridge', null],
    ['yes', null],
    ['', null],
  ],
  (s) => matchItem(s, uk, 'en'),
);

table<string, number | null>(
  'matchItem (en, categories)',
  [
    ['the PC', 3],
    ['computer', 3],
    ['desktop', 3],
    ['the keyboard', 1],
    ['SD card', 2],
    ['memory card', 2],
    ['the game', 4],
    ['the program', 4],
    ['laptop', 0],
    ['ProBook', 0],
    ['K2', 1],
    ['Space Quest', 4],
    ['the fifth', 4],
    ['monitor', null],
  ],
  (s) => matchItem(s, shop, 'en'),
);

table<string, number | null>(
  'matchItem (en, two of a kind)',
  [
    ['the headphones', null],
    ['studio', 0],
    ['the wireless ones', 1],
    ['wireless headphones', 1],
    ['HP-300', 1],
    ['the second', 1],
  ],
  (s) => matchItem(s, twoHeadphones, 'en'),
);

table<string, number | null>(
  'matchItem (es)',
  [
    ['portátil', 1],
    ['el portátil', 1],
    ['la laptop', 1],
    ['auriculares', 0],
    ['los audífonos', 0],
    ['el monitor', 2],
    ['la pantalla', 2],
    ['el segundo', 1],
    ['la segunda', 1],
    ['el primero', 0],
    ['el último', 2],
    ['el número 3', 2],
    ['2', 1],
    ['el teclado', null],
  ],
  (s) => matchItem(s, uk, 'es'),
);

table<string, number | null>(
  'matchItem (es, categories)',
  [
    ['la computadora', 3],
    ['la tarjeta de memoria', 2],
    ['el juego', 4],
    ['el teclado', 1],
  ],
  (s) => matchItem(s, shop, 'es'),
);

table<string, number | null>(
  'matchItem (one item)',
  [
    ['yes', 0],
    ['the headphones', 0],
    ['a laptop', null],
  ],
  (s) => matchItem(s, [uk[0] as ItemRef], 'en'),
);

const all: Remedy[] = ['refund', 'replacement', 'repair', 'partial-refund'];
table<string, Remedy | null>(
  'matchRemedy (en, all offered)',
  [
    ['refund', 'refund'],
    ['my money back', 'refund'],
    ['refund please', 'refund'],
    ["I'd like my money back", 'refund'],
    ['a full refund', 'refund'],
    ['reimburse me', 'refund'],
    ['replacement', 'replacement'],
    ['a new one', 'replacement'],
    ['swap it', 'replacement'],
    ['exchange', 'replacement'],
    ['can you send me another one', 'replacement'],
    ['replace it please', 'replacement'],
    ['repair', 'repair'],
    ['fix it', 'repair'],
    ['can you fix it', 'repair'],
    ['get it repaired', 'repair'],
    ['partial refund', 'partial-refund'],
    ['partial-refund', 'partial-refund'],
    ['keep it with a discount', 'partial-refund'],
    ['not a refund, a replacement', 'replacement'],
    ["I don't want a replacement, just my money back", 'refund'],
    ['refund or replacement', null],
    ['whatever', null],
    ['', null],
  ],
  (s) => matchRemedy(s, all, 'en'),
);

table<string, Remedy | null>(
  'matchRemedy (en, only some offered)',
  [
    ['refund', 'refund'],
    ['the first one', 'refund'],
    ['2', 'replacement'],
    ['repair', null],
    ['fix it', null],
    ['a new one', 'replacement'],
  ],
  (s) => matchRemedy(s, ['refund', 'replacement'], 'en'),
);

table<string, Remedy | null>(
  'matchRemedy (one offered)',
  [
    ['yes', 'replacement'],
    ['ok', 'replacement'],
    ['refund', null],
  ],
  (s) => matchRemedy(s, ['replacement'], 'en'),
);

table<string, Remedy | null>(
  'matchRemedy (es)',
  [
    ['reembolso', 'refund'],
    ['devolución del dinero', 'refund'],
    ['quiero mi dinero', 'refund'],
    ['reemplazo', 'replacement'],
    ['cambio', 'replacement'],
    ['uno nuevo', 'replacement'],
    ['reparación', 'repair'],
    ['que lo reparen', 'repair'],
    ['arreglarlo', 'repair'],
    ['reembolso parcial', 'partial-refund'],
    ['refund', 'refund'],
    ['replacement', 'replacement'],
    ['no quiero cambio, quiero reembolso', 'refund'],
  ],
  (s) => matchRemedy(s, all, 'es'),
);
