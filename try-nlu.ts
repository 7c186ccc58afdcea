import { readFileSync } from 'node:fs';
import { parseTraining } from './src/nlu/model.js';
import { nearCopies } from './test/nlu/evaluate.js';
for (const lang of ['en', 'es'] as const) {
  const t = parseTraining(readFileSync(`locales/nlu/train/${lang}.yaml`, 'utf8')).map((e) => e.text);
  for (const c of nearCopies(lang, t)) console.log(lang, c);
}
