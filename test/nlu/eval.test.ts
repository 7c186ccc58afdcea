/**
 * The held-out evaluation (test/nlu/evaluate.ts) must not regress badly: minimum accuracies per
 * locale a little below the latest table in the README, zero rejecting facts taken at CONFIDENT
 * from negated or hedged answers, and the model at least as good as the rule readers it replaced.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseTraining, trainingPath } from '../../src/nlu/model.js';
import { evaluate, EVAL_LOCALES, nearCopies, pct, SETS, type EvalLang, type EvalSet } from './evaluate.js';

type Floors = Record<'reason' | 'human' | 'yesNo' | 'openingSlots' | 'frustratedFlag', number>;
/** Floors (per cent): the README's table, less a margin for a change in training data. */
const FLOORS: Floors = { reason: 80, human: 95, yesNo: 95, openingSlots: 95, frustratedFlag: 0 };
/**
 * Set D, measured once after the training data was frozen at 12561d2 (en-GB / es-US: reason 93.2 /
 * 92.9 %, person 100 / 100 %, frustrated flag 2 of 3 / 2 of 2, yes/no 100 %, openings 100 / 93.8 %): a
 * point or two under it.
 */
/**
 * Set E, measured after the n-gram reader joined the reason model (en-GB / es-US: reason 96.7 / 95.0 %,
 * person 100 / 100 %, frustrated flag 2 of 2 each, yes/no 100 %, openings 100 %): a little under it.
 */
const FLOORS_BY_SET: Partial<Record<EvalSet, Floors>> = {
  d: { reason: 90, human: 95, yesNo: 95, openingSlots: 90, frustratedFlag: 60 },
  e: { reason: 93, human: 95, yesNo: 95, openingSlots: 95, frustratedFlag: 50 },
};
/**
 * Set F, written 2026-12-02 by a separate author before the third batch of training data and measured
 * once (en-GB / es-US: reason 88.7 / 94.4 %, person 100 / 100 %, frustrated flag 4 of 4 each, yes/no
 * 100 %, openings 100 / 81.3 %; ten lines were reworded beforehand because this test found training
 * examples near them): about 3 points under it, per locale, so that a regression fails.
 *
 * Set G, written 2026-12-02 by a separate author after the third batch of training data and measured
 * once (en-GB / es-US: reason 94.5 / 96.4 %, person 87.5 / 100 %, frustrated flag 3 of 3 each, yes/no
 * 100 %, openings 87.5 / 100 %, no rejecting fact from 3 negated answers each; two en-GB lines were
 * replaced beforehand by messages on other subjects because this test found training examples near
 * them): about 3 points under it, per locale.
 *
 * Set H, written 2026-12-03 by a separate author who read neither the training data nor the other
 * sets, and measured once after that day's training data (en-GB / es-US: reason 98.5 / 98.5 %,
 * person 96.7 / 100 %, frustrated flag 10 of 11 / 9 of 12, yes/no 80 / 95 %, openings 97.7 / 95.3 %,
 * no rejecting fact from 12 negated answers each; 35 training examples near its lines were deleted
 * beforehand): about 3 points under it, per locale.
 *
 * Set I, written 2026-12-04 by another separate author who read nothing in the repository, and
 * measured once at the end of that day's work (en-GB / es-US: reason 97.5 / 97.5 %, person 97.8 /
 * 97.8 %, frustrated flag 13 of 15 / 11 of 15, yes/no 97.1 / 94.3 %, openings 100 / 100 %, no
 * rejecting fact from 15 negated answers each; 54 training examples near its lines were deleted
 * beforehand): about 3 points under it, per locale.
 */
const FLOORS_BY_SET_AND_LOCALE: Partial<Record<EvalSet, Record<EvalLang, Floors>>> = {
  f: {
    en: { reason: 85, human: 97, yesNo: 97, openingSlots: 97, frustratedFlag: 97 },
    es: { reason: 91, human: 97, yesNo: 97, openingSlots: 78, frustratedFlag: 97 },
  },
  g: {
    en: { reason: 91, human: 84, yesNo: 97, openingSlots: 84, frustratedFlag: 97 },
    es: { reason: 93, human: 97, yesNo: 97, openingSlots: 97, frustratedFlag: 97 },
  },
  h: {
    en: { reason: 95, human: 93, yesNo: 77, openingSlots: 94, frustratedFlag: 87 },
    es: { reason: 95, human: 97, yesNo: 92, openingSlots: 92, frustratedFlag: 72 },
  },
  i: {
    en: { reason: 94, human: 95, yesNo: 94, openingSlots: 97, frustratedFlag: 83 },
    es: { reason: 94, human: 95, yesNo: 91, openingSlots: 97, frustratedFlag: 70 },
  },
};

describe('understanding, held-out evaluation', function () {
  this.timeout(60_000);
  for (const lang of Object.keys(EVAL_LOCALES) as EvalLang[]) {
    it(`${EVAL_LOCALES[lang]}: no training example copies a held-out message`, () => {
      const training = parseTraining(readFileSync(trainingPath(lang), 'utf8')).map((e) => e.text);
      assert.deepEqual(nearCopies(lang, training), []);
    });
    for (const set of Object.keys(SETS) as EvalSet[]) {
      it(`${EVAL_LOCALES[lang]}, set ${set.toUpperCase()}: meets the floors, takes no rejecting fact from a negated or hedged answer`, () => {
        const model = evaluate(lang, true, set);
        const rules = evaluate(lang, false, set);
        for (const [k, floor] of Object.entries(FLOORS_BY_SET_AND_LOCALE[set]?.[lang] ?? FLOORS_BY_SET[set] ?? FLOORS) as [keyof Floors, number][]) {
          assert.ok(pct(model[k]) >= floor, `${k}: ${pct(model[k]).toFixed(1)} % < ${floor} %\n${model.failures.join('\n')}`);
        }
        assert.equal(model.wrongfulRejects, 0, model.failures.filter((f) => f.startsWith('wrongful')).join('\n'));
        assert.ok(pct(model.reason) >= pct(rules.reason), 'the model reads reasons no worse than the rules');
        assert.ok(pct(model.human) >= pct(rules.human), 'the model hears requests for a person no worse than the rules');
      });
    }
  }
});
