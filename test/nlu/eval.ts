/**
 * `npm run nlu:eval [-- --failures] [-- --readme]`: accuracy of the understanding layer on the
 * held-out set, per locale, the trained model beside the rule readers, with the reason confusion
 * matrix. `--failures` lists every miss; `--readme` writes the table into README.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../src/paths.js';
import { confusionTable, evaluate, EVAL_LOCALES, table, type EvalLang, type EvalSet, type Result } from './evaluate.js';

const langs = Object.keys(EVAL_LOCALES) as EvalLang[];
const TITLES: Record<EvalSet, string> = {
  i: 'Held-out set I (written 2026-12-04 by a separate author who read nothing in the repository, measured once at the end of that day, its misses never read)',
  j: 'Held-out set J (development set: written 2026-12-04 by a separate author, yes/no answers and requests for a person, read while the phrase lists grew)',
  h: 'Held-out set H (written 2026-12-03 by a separate author who read neither the training data nor the other sets, measured once, its misses never read)',
  g: 'Held-out set G (written 2026-12-02 by a separate author after the third batch of training data, measured once, its misses never read)',
  f: 'Held-out set F (written 2026-12-02 by a separate author before the third batch of training data, its misses never read)',
  e: 'Held-out set E (written after the n-gram reader joined the reason model, before its results were seen)',
  d: 'Held-out set D (written after the second batch of training data was frozen at 12561d2)',
  c: 'Held-out set C (written after the training data was frozen at 3e44122)',
  b: 'Held-out set B (development set: written after the first training data, read while it grew)',
  a: "Held-out set A (development set: the issue's own examples, read while the training data grew)",
};
const out: string[] = [];
const all: Record<EvalSet, Record<EvalLang, { model: Result; rules: Result }>> = {
  a: {} as never,
  b: {} as never,
  c: {} as never,
  d: {} as never,
  e: {} as never,
  f: {} as never,
  g: {} as never,
  h: {} as never,
  i: {} as never,
  j: {} as never,
};
for (const set of ['i', 'j', 'h', 'g', 'f', 'e', 'd', 'c', 'b', 'a'] as const) {
  const results = all[set];
  for (const l of langs) results[l] = { model: evaluate(l, true, set), rules: evaluate(l, false, set) };
  out.push(`**${TITLES[set]}**`, '', table(results), '');
  for (const l of langs) out.push(`Reason confusion, ${EVAL_LOCALES[l]}, set ${set.toUpperCase()} (model):`, '', confusionTable(results[l].model), '');
}
const text = out.join('\n');
process.stdout.write(`${text}\n`);
if (process.argv.includes('--failures')) {
  // The development sets only: the misses of sets C to I are not listed, so that they never shape the training data.
  for (const set of ['a', 'b', 'j'] as const) for (const l of langs) for (const f of all[set][l].model.failures) process.stdout.write(`[${set}/${l}] ${f}\n`);
}
if (process.argv.includes('--readme')) {
  const path = join(ROOT, 'README.md');
  const readme = readFileSync(path, 'utf8');
  const begin = '<!-- nlu-eval:begin -->';
  const end = '<!-- nlu-eval:end -->';
  const a = readme.indexOf(begin);
  const b = readme.indexOf(end);
  if (a < 0 || b < a) throw new Error(`README.md has no ${begin} … ${end} block`);
  writeFileSync(path, `${readme.slice(0, a + begin.length)}\n${text}\n${readme.slice(b)}`);
}
