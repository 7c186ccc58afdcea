/**
 * parseDate: chrono-node with a given today (Wednesday 2026-12-30 unless said), never after today.
 */
import { parseDate } from '../../src/nlu/index.js';
import { table } from './table.js';

const TODAY = '2026-12-30';

table<string, string | null>(
  'parseDate (en-GB, DMY)',
  [
    ['yesterday', '2026-12-29'],
    ['today', '2026-12-30'],
    ['3 days ago', '2026-12-27'],
    ['three days ago', '2026-12-27'],
    ['2 days ago', '2026-12-28'],
    ['a week ago', '2026-12-23'],
    ['two weeks ago', '2026-12-16'],
    ['a fortnight ago', '2026-12-16'],
    ['last week', '2026-12-23'],
    ['a month ago', '2026-11-30'],
    ['last Tuesday', '2026-12-29'],
    ['last Monday', '2026-12-28'],
    ['on Monday', '2026-12-28'],
    ['Friday', '2026-12-25'],
    ['last friday', '2026-12-25'],
    ['on the 3rd', '2026-12-03'],
    ['the 3rd', '2026-12-03'],
    ['3rd', '2026-12-03'],
    ['the 29th', '2026-12-29'],
    ['the 31st', '2026-10-31'],
    ['on the 1st', '2026-12-01'],
    ['the twentieth', '2026-12-20'],
    ['12/11', '2026-11-12'],
    ['3/12', '2026-12-03'],
    ['31/12', '2025-12-31'],
    ['12/11/2026', '2026-11-12'],
    ['Dec 3', '2026-12-03'],
    ['3 December', '2026-12-03'],
    ['3rd of December', '2026-12-03'],
    ['December 3rd', '2026-12-03'],
    ['the third of December', '2026-12-03'],
    ['Dec 31', '2025-12-31'],
    ['2026-12-03', '2026-12-03'],
    ['the day before yesterday', '2026-12-28'],
    ['it arrived on the 3rd', '2026-12-03'],
    ['it came last Tuesday', '2026-12-29'],
    ['this morning', '2026-12-30'],
    ['it was delivered 3 days ago', '2026-12-27'],
    ['UK-100234', null],
    ['IMP-500017', null],
    ['500017', null],
    ['my order is UK-100234', null],
    ['hello', null],
    ["I don't know", null],
    ['in December', null],
    ['tomorrow', null],
    ['next week', null],
    ['31 Dec 2026', null],
    ['2027-01-02', null],
    ['the 2nd one', null],
    ['the second one', null],
    ['the third item', null],
    ['', null],
  ],
  (s) => parseDate(s, 'en', TODAY, 'DMY'),
);

table<string, string | null>(
  'parseDate (en-US, MDY)',
  [
    ['12/11', '2026-12-11'],
    ['3/12', '2026-03-12'],
    ['12/31', '2025-12-31'],
    ['12/11/2026', '2026-12-11'],
    ['Dec 3', '2026-12-03'],
    ['last Tuesday', '2026-12-29'],
    ['on the 3rd', '2026-12-03'],
    ['yesterday', '2026-12-29'],
  ],
  (s) => parseDate(s, 'en', TODAY, 'MDY'),
);

table<string, string | null>(
  'parseDate (es-US, MDY)',
  [
    ['hace 3 días', '2026-12-27'],
    ['hace tres días', '2026-12-27'],
    ['el martes pasado', '2026-12-29'],
    ['el día 3', '2026-12-03'],
    ['ayer', '2026-12-29'],
    ['hoy', '2026-12-30'],
    ['anteayer', '2026-12-28'],
    ['antier', '2026-12-28'],
    ['antes de ayer', '2026-12-28'],
    ['hace una semana', '2026-12-23'],
    ['hace dos semanas', '2026-12-16'],
    ['la semana pasada', '2026-12-23'],
    ['el lunes', '2026-12-28'],
    ['el viernes', '2026-12-25'],
    ['el 3 de diciembre', '2026-12-03'],
    ['3 de dic', '2026-12-03'],
    ['diciembre 3', '2026-12-03'],
    ['el tres de diciembre', '2026-12-03'],
    ['el primero de diciembre', '2026-12-01'],
    ['el 31 de diciembre', '2025-12-31'],
    ['12/11', '2026-12-11'],
    ['llegó el día 3', '2026-12-03'],
    ['llegó hace 3 días', '2026-12-27'],
    ['UK-100234', null],
    ['no sé', null],
    ['mañana', null],
    ['el segundo', null],
    ['el 2 de la lista', null],
  ],
  (s) => parseDate(s, 'es', TODAY, 'MDY'),
);

table<string, string | null>(
  'parseDate (es, DMY)',
  [
    ['12/11', '2026-11-12'],
    ['3/12', '2026-12-03'],
  ],
  (s) => parseDate(s, 'es', TODAY, 'DMY'),
);

table<readonly [string, 'en' | 'es'], string | null>(
  'parseDate on a Tuesday (2026-12-29)',
  [
    [['last Tuesday', 'en'], '2026-12-22'],
    [['on Tuesday', 'en'], '2026-12-29'],
    [['yesterday', 'en'], '2026-12-28'],
    [['el martes pasado', 'es'], '2026-12-22'],
    [['el pasado martes', 'es'], '2026-12-22'],
    [['el martes', 'es'], '2026-12-29'],
  ],
  ([s, lang]) => parseDate(s, lang, '2026-12-29', 'DMY'),
);

table<string, string | null>(
  'parseDate early in the year (2026-01-05): the year moves back',
  [
    ['Dec 20', '2025-12-20'],
    ['20/12', '2025-12-20'],
    ['on the 10th', '2025-12-10'],
    ['last Friday', '2026-01-02'],
    ['3 days ago', '2026-01-02'],
  ],
  (s) => parseDate(s, 'en', '2026-01-05', 'DMY'),
);

describe('parseDate: invalid today', () => {
  it('throws on a malformed today', () => {
    let error: unknown;
    try {
      parseDate('yesterday', 'en', '30/12/2026', 'DMY');
    } catch (e) {
      error = e;
    }
    if (!(error instanceof RangeError)) throw new Error('expected a RangeError');
  });
});
