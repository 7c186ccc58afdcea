/**
 * A merchant's own policy packs, by id, from one folder (RETURNS_PACKS_DIR). Every `*.yaml`,
 * `*.yml` or `*.json` file in it is one pack, named after its id (`acme-uk.yaml` holds
 * `id: acme-uk`); other files are ignored.
 *
 * The folder is read and validated once, at start: a bad pack stops the start with every problem
 * and the file it is in, and then none of the folder's packs is registered. Once registered, an id
 * works wherever a shipped pack's id does: an order's `policy`, a case for `decide`, the
 * conversation, `policy show` and `policy check`.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import type { Problem } from '../validation.js';
import { builtInPackIds, loadPack, registerPackFile, validatePackFile } from './packs.js';

const PACK_FILE = /\.(ya?ml|json)$/i;

/** The merchant's packs registered so far: id → file. */
const registered = new Map<string, string>();

/** Ids of the merchant's packs (from RETURNS_PACKS_DIR), sorted. */
export function merchantPackIds(): string[] {
  return [...registered.keys()].sort();
}

/** Every pack id that can be used: the shipped ones, then the merchant's. */
export function knownPackIds(): string[] {
  return [...builtInPackIds(), ...merchantPackIds()];
}

/** The file a merchant's pack was loaded from. */
export function merchantPackFile(id: string): string | undefined {
  return registered.get(id);
}

export type PackFolderResult = { ok: true; dir: string; ids: string[] } | { ok: false; problems: Problem[] };

/** Validate every pack in `dir` and, when all are valid, register them by id. */
export function loadPackFolder(dir: string): PackFolderResult {
  const folder = resolve(dir);
  const where = (name: string) => `RETURNS_PACKS_DIR/${name}`;
  let names: string[];
  try {
    if (!statSync(folder).isDirectory()) throw new Error('not a folder');
    names = readdirSync(folder)
      .filter((n) => PACK_FILE.test(n))
      .sort();
  } catch (e) {
    const why = (e as { code?: string }).code === 'ENOENT' ? 'it does not exist' : e instanceof Error ? e.message : String(e);
    return { ok: false, problems: [{ path: 'RETURNS_PACKS_DIR', message: `expected a folder of policy packs (YAML or JSON), got "${folder}": ${why}` }] };
  }

  const problems: Problem[] = [];
  const found = new Map<string, string>();
  const shipped = new Set(builtInPackIds());
  for (const name of names) {
    const file = join(folder, name);
    const result = validatePackFile(file);
    if (!result.ok) {
      problems.push(...result.problems.map((p) => ({ path: `${where(name)}: ${p.path}`, message: p.message })));
      continue;
    }
    const id = result.pack.id;
    const stem = basename(name, extname(name));
    if (stem !== id) {
      problems.push({ path: `${where(name)}: pack.id`, message: `expected the file to be named after the pack's id (${id}${extname(name)}), or the id to be "${stem}"; got id "${id}"` });
    } else if (shipped.has(id)) {
      problems.push({ path: `${where(name)}: pack.id`, message: `expected an id of your own: "${id}" is a pack shipped with returnsbot` });
    } else if (found.has(id)) {
      problems.push({ path: `${where(name)}: pack.id`, message: `expected one file per pack: "${id}" is also in ${basename(found.get(id)!)}` });
    } else {
      found.set(id, file);
    }
  }
  if (problems.length) return { ok: false, problems };

  for (const [id, file] of found) {
    registerPackFile(id, file);
    registered.set(id, file);
    loadPack(id); // compiled now: the first customer does not pay for it
  }
  return { ok: true, dir: folder, ids: [...found.keys()] };
}
