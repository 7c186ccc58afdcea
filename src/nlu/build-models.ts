/**
 * Build step (`npm run build`): train the understanding models from locales/nlu/train/<lang>.yaml
 * and write dist/nlu/<lang>.json (deterministic: the same examples give the same file).
 */
import { buildModels } from './model.js';

for (const path of buildModels()) process.stdout.write(`trained ${path}\n`);
