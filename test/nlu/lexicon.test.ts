/**
 * The phrase lists: both languages define the same keys, every list is usable, locale helpers.
 */
import { expect } from 'chai';
import { dateOrderOf, languageOf, lexicon } from '../../src/nlu/index.js';
import { LANGS, loadLexiconData } from '../../src/nlu/lexicon.js';
import { compilePhrase, normalize } from '../../src/nlu/text.js';
import { normalizeText } from '../../src/nlu/index.js';
import { table } from './table.js';

/** Maps whose keys are words of the language, not list names. */
const WORD_MAPS = new Set(['normalize.contractions', 'normalize.spellings']);
/** Lists that may be empty in one language. */
const MAY_BE_EMPTY = new Set(['dates.agoBefore', 'dates.agoAfter']);

function keyPaths(value: unknown, path = ''): string[] {
  if (WORD_MAPS.has(path)) return [path];
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([k, v]) => (k.startsWith('$') ? [] : keyPaths(v, path ? `${path}.${k}` : k)));
  }
  return [path];
}

function lists(value: unknown, path = ''): [string, unknown[]][] {
  if (Array.isArray(value)) return [[path, value]];
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => (k.startsWith('$') ? [] : lists(v, path ? `${path}.${k}` : k)));
  }
  return [];
}

describe('nlu phrase lists (locales/nlu/*.json)', () => {
  const en = loadLexiconData('en');
  const es = loadLexiconData('es');

  it('en.json and es.json define the same phrase-list keys', () => {
    expect(keyPaths(es).sort()).to.deep.equal(keyPaths(en).sort());
  });

  it('both define the same emoji', () => {
    expect(Object.keys(es.normalize.emoji).sort()).to.deep.equal(Object.keys(en.normalize.emoji).sort());
  });

  it('both have the same number of ordinals and months', () => {
    expect(es.items.ordinals.length).to.equal(en.items.ordinals.length);
    expect(es.dates.months.length).to.equal(12);
    expect(en.dates.months.length).to.equal(12);
    expect(es.dates.numbers.length).to.equal(en.dates.numbers.length);
  });

  for (const lang of LANGS) {
    const data = loadLexiconData(lang);
    for (const [path, list] of lists(data)) {
      if (MAY_BE_EMPTY.has(path)) continue;
      it(`${lang}: ${path} is a non-empty list of non-empty phrases`, () => {
        expect(list.length, path).to.be.greaterThan(0);
        for (const item of list.flat()) {
          expect(item, path).to.be.a('string');
          expect((item as string).trim(), path).to.not.equal('');
        }
      });
    }
    it(`${lang}: every phrase compiles`, () => {
      const maps = data.normalize;
      for (const [path, list] of lists(data)) {
        for (const item of list.flat()) {
          expect(() => compilePhrase(item as string, maps), `${path}: ${String(item)}`).to.not.throw();
        }
      }
      expect(lexicon(lang).lang).to.equal(lang);
    });
  }

  it('condition lists exist for every boolean condition field', () => {
    for (const lang of LANGS) expect(Object.keys(lexicon(lang).conditions)).to.have.length(13);
  });
});

describe('nlu normalisation', () => {
  const maps = loadLexiconData('en').normalize;
  const esMaps = loadLexiconData('es').normalize;
  table<string, string>(
    'en tokens',
    [
      ['I didn’t drop it', 'i did not drop it'],
      ["I DON'T know!!", 'i do not know'],
      ['dont', 'do not'],
      ["won't turn on", 'will not turn on'],
      ["can't remember", 'can not remember'],
      ['agent!!', 'agent'],
      ['yesss', 'yes'],
      ['  lots   of   spaces  ', 'lots of spaces'],
      ['👍', 'yes'],
      ['it’s the wrong colour', 'it is the wrong color'],
      ['dead-on-arrival', 'dead on arrival'],
      ['order #2', 'order 2'],
      ['well, no.', 'well , no'],
    ],
    (s) => normalize(s, maps).tokens.join(' '),
  );
  table<string, string>(
    'es tokens',
    [
      ['Olvídalo', 'olvidalo'],
      ['¿Sí?', 'si'],
      ['no sé', 'no se'],
      ['AÑADÍ RAM', 'anadi ram'],
      ['porfa', 'por favor'],
      ['se me calló', 'se me cayo'],
    ],
    (s) => normalize(s, esMaps).tokens.join(' '),
  );
  table<string, string>(
    'normalizeText (label comparison)',
    [
      ['  Refund! ', 'refund'],
      ['#2', '2'],
      ['Sí', 'si'],
      ['Studio   Headphones', 'studio headphones'],
      ['partial-refund', 'partial refund'],
      ['Yes 👍', 'yes'],
    ],
    normalizeText,
  );
});

describe('nlu locale helpers', () => {
  table<string, string>(
    'languageOf',
    [
      ['en-GB', 'en'],
      ['en-US', 'en'],
      ['es-US', 'es'],
      ['es', 'es'],
      ['es-MX', 'es'],
      ['fr-FR', 'en'],
      ['', 'en'],
      ['ES-us', 'es'],
      ['esperanto', 'en'],
    ],
    languageOf,
  );
  table<string, string>(
    'dateOrderOf',
    [
      ['en-US', 'MDY'],
      ['es-US', 'MDY'],
      ['en-GB', 'DMY'],
      ['es', 'DMY'],
      ['es-MX', 'DMY'],
      ['', 'DMY'],
    ],
    dateOrderOf,
  );
});
