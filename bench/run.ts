/**
 * `npm run bench [-- name...]`: runs the benchmarks, prints a table, writes bench/results/latest.json.
 * Every result is reported with a baseline measured in the same run; nothing here is a pass/fail test.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchDecide } from './decide.js';

const wanted = new Set(process.argv.slice(2));
const want = (name: string) => wanted.size === 0 || wanted.has(name);
const results: Record<string, unknown> = { at: new Date().toISOString(), node: process.version, cpus: (await import('node:os')).cpus().length };
const rows: string[] = [];

if (want('decide')) {
  const r = benchDecide();
  results.decide = r;
  rows.push(
    `| decide (mixed cases, one core) | ${Math.round(r.decisionsPerSecond).toLocaleString('en')} decisions/s | JSON round-trip ${Math.round(r.baselinePerSecond).toLocaleString('en')}/s | ${r.ratio.toFixed(2)}× | target ≥ ${r.target.toLocaleString('en')}/s: ${r.decisionsPerSecond >= r.target ? 'met' : 'NOT met'} |`,
  );
}

const table = ['| benchmark | result | baseline (same run) | ratio | goal |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
console.log(table);
const dir = join(import.meta.dirname, 'results');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(dir, 'latest.md'), `${table}\n`);
