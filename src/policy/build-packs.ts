/**
 * Build step (`npm run build`): validate the shipped policy packs and save them as JSON in
 * dist/packs, so the server starts without parsing YAML or checking schemas. Exit 1 on a problem.
 */
import { prebuildPacks } from './packs.js';

const problems = prebuildPacks();
if (problems.length) {
  process.stderr.write(`${problems.join('\n')}\n`);
  process.exitCode = 1;
}
