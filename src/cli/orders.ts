/**
 * `returnsbot orders import FILE`: load a JSON array of orders (CONTRACT section 6) into the store;
 * idempotent by order number. Every order is checked first; a bad file changes nothing.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../config.js';
import { ordersFileSchema } from '../orders.js';
import { knownPackIds } from '../policy/pack-folder.js';
import { tryLoadPack } from '../policy/packs.js';
import { openStore, storeOptionsFrom } from '../store/index.js';
import { parseWith, problemLines, type Problem } from '../validation.js';
import { EXIT_BAD_INPUT, UsageError, writeLines, type Command } from './io.js';

export const ordersCommand: Command = async (args, io) => {
  const [sub, file] = args;
  if (sub !== 'import' || !file) throw new UsageError('orders: expected `orders import FILE`');
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(resolve(io.cwd, file), 'utf8'));
  } catch (e) {
    writeLines(io.stderr, [`${file}: expected a readable JSON file (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`]);
    return EXIT_BAD_INPUT;
  }
  const parsed = parseWith(ordersFileSchema, data, 'orders');
  if (!parsed.ok) {
    writeLines(io.stderr, problemLines(parsed.problems));
    return EXIT_BAD_INPUT;
  }
  const problems: Problem[] = [];
  parsed.value.forEach((o, i) => {
    if (!tryLoadPack(o.policy)) problems.push({ path: `orders[${i}].policy`, message: `expected a known policy pack (${knownPackIds().join(', ')}; yours from RETURNS_PACKS_DIR), got "${o.policy}"` });
  });
  if (problems.length) {
    writeLines(io.stderr, problemLines(problems));
    return EXIT_BAD_INPUT;
  }
  const config = loadConfig(io.env);
  const store = await openStore(storeOptionsFrom(config, io.cwd));
  try {
    const r = await store.importOrders(parsed.value);
    writeLines(io.stdout, [`${parsed.value.length} orders: ${r.added} added, ${r.updated} updated, ${r.unchanged} unchanged`]);
  } finally {
    await store.close();
  }
  return 0;
};
