/**
 * Loading policy packs: the ones shipped in `src/policy/packs/`, or a merchant's own file (YAML or
 * JSON). A pack is validated (schema, then cross-references) and compiled once, then cached.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { PACKS_DIR } from '../paths.js';
import { formatPath, parseWith, ValidationError, type Problem } from '../validation.js';
import { compilePack, type CompiledPack } from './engine.js';
import { crossCheck, packSchema, type Pack } from './pack.js';

const cache = new Map<string, CompiledPack>();

/** Ids of the packs shipped with the product. */
export function builtInPackIds(): string[] {
  return readdirSync(PACKS_DIR)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .map((f) => basename(f, extname(f)))
    .sort();
}

function builtInFile(id: string): string | null {
  for (const ext of ['.yaml', '.yml', '.json']) {
    const file = join(PACKS_DIR, `${id}${ext}`);
    if (existsSync(file)) return file;
  }
  return null;
}

/** Parse YAML or JSON text; a syntax error becomes a problem with its line. */
function parseText(text: string, file: string): { ok: true; value: unknown } | { ok: false; problems: Problem[] } {
  try {
    return { ok: true, value: file.endsWith('.json') ? JSON.parse(text) : parseYaml(text, { prettyErrors: true }) };
  } catch (e) {
    const where = e instanceof YAMLParseError && e.linePos ? ` (line ${e.linePos[0].line})` : '';
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    return { ok: false, problems: [{ path: 'pack', message: `expected valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}${where}: ${msg}` }] };
  }
}

/** Validate a pack given as data: every problem, each with its path under `pack`. */
export function validatePack(data: unknown): { ok: true; pack: Pack } | { ok: false; problems: Problem[] } {
  const parsed = parseWith(packSchema, data, 'pack');
  if (!parsed.ok) return parsed;
  const problems = crossCheck(parsed.value).map((p) => ({ path: formatPath('pack', p.path), message: p.message }));
  return problems.length ? { ok: false, problems } : { ok: true, pack: parsed.value };
}

/** Validate a pack file (YAML or JSON) without loading it for use. */
export function validatePackFile(file: string): { ok: true; pack: Pack } | { ok: false; problems: Problem[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { ok: false, problems: [{ path: 'pack', message: `expected a readable file, got "${file}"` }] };
  }
  const data = parseText(text, file);
  return data.ok ? validatePack(data.value) : data;
}

/**
 * A compiled pack by id (shipped packs) or by path (a merchant's file). Throws ValidationError with
 * every problem when the pack is unknown or invalid.
 */
export function loadPack(idOrPath: string): CompiledPack {
  const hit = cache.get(idOrPath);
  if (hit) return hit;
  const file = builtInFile(idOrPath) ?? (existsSync(idOrPath) ? resolve(idOrPath) : null);
  if (!file) {
    throw new ValidationError([
      { path: 'case.policy', message: `expected one of ${builtInPackIds().join(', ')} or a path to a pack file, got ${JSON.stringify(idOrPath)}` },
    ]);
  }
  const result = validatePackFile(file);
  if (!result.ok) throw new ValidationError(result.problems);
  const compiled = compilePack(result.pack);
  cache.set(idOrPath, compiled);
  return compiled;
}

/** Is `idOrPath` a pack we can load (without throwing)? */
export function tryLoadPack(idOrPath: string): CompiledPack | null {
  try {
    return loadPack(idOrPath);
  } catch {
    return null;
  }
}
