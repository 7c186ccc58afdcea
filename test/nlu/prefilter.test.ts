/**
 * The phrase lists' prefilter (text.ts `keys`): a list is not run over a message holding none of
 * the words one of which every match holds. It must never change what a list finds: over every
 * training example and held-out message of both languages, and every list, the matches with the
 * prefilter are those of the regex alone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { lexicon, type Lang } from '../../src/nlu/lexicon.js';
import { parseTraining } from '../../src/nlu/model.js';
import { findAll, normalize, regexMatches, type PhraseList } from '../../src/nlu/text.js';
import { ROOT } from '../../src/paths.js';
import { heldout, SETS, type EvalSet } from './evaluate.js';

function listsOf(o: unknown, out: PhraseList[] = [], depth = 0): PhraseList[] {
  if (!o || typeof o !== 'object' || depth > 6) return out;
  if ((o as PhraseList).re instanceof RegExp && 'keys' in o) {
    out.push(o as PhraseList);
    return out;
  }
  for (const v of Object.values(o)) listsOf(v, out, depth + 1);
  return out;
}

describe('phrase-list prefilter', () => {
  for (const lang of ['en', 'es'] as const satisfies readonly Lang[]) {
    it(`${lang}: finds exactly what the regex alone finds, for every list and message`, function () {
      this.timeout(120_000);
      const lex = lexicon(lang);
      const lists = listsOf(lex);
      expect(lists.length).to.be.greaterThan(50);
      const texts = [
        ...parseTraining(readFileSync(join(ROOT, 'locales', 'nlu', 'train', `${lang}.yaml`), 'utf8')).map((e) => e.text),
        ...(Object.keys(SETS) as EvalSet[]).flatMap((s) => heldout(lang, s).map((r) => r.text)),
      ];
      let skipped = 0;
      let checked = 0;
      for (const text of texts) {
        const n = normalize(text, lex.maps);
        for (const list of lists) {
          const want = list.size === 0 ? [] : regexMatches(n, list);
          const got = findAll(n, list);
          if (got.length === 0 && want.length === 0) skipped++;
          checked++;
          expect(got, `${list.name} over ${JSON.stringify(text)}`).to.deep.equal(want);
        }
      }
      // The prefilter is worth having only if it skips lists (most pairs match nothing).
      expect(skipped / checked).to.be.greaterThan(0.5);
    });
  }
});
