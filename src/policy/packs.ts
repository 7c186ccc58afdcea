/**
 * Loading policy packs: the ones shipped in `src/policy/packs/`, or a merchant's own file (YAML or
 * JSON). A pack is validated (schema, then cross-references) and compiled once, then cached.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { PACKS_DIR, ROOT } from '../paths.js';
import { formatPath, parseWith, ValidationError, type Problem } from '../validation.js';
import { compilePack, type CompiledPack } from './engine.js';
import {
  answersSchema,
  clauseSchema,
  crossCheck,
  dateSpecSchema,
  fallbackSchema,
  featureSchema,
  guaranteeSchema,
  packSchema,
  orderNumbersSchema,
  preauthNumberSchema,
  questionSchema,
  reasonSpecSchema,
  ruleSchema,
  type Pack,
  type PartialPack,
} from './pack.js';

const cache = new Map<string, CompiledPack>();

/** A merchant's own packs by id (RETURNS_PACKS_DIR, registered by `pack-folder.ts`): id → file. */
const merchantFiles = new Map<string, string>();

/** Make `loadPack(id)` load `file` (a merchant's pack, already validated). */
export function registerPackFile(id: string, file: string): void {
  merchantFiles.set(id, resolve(file));
  cache.delete(id);
}

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

/** Validate a pack given as data: every problem, each with its path under `pack`, in one run. */
export function validatePack(data: unknown): { ok: true; pack: Pack } | { ok: false; problems: Problem[] } {
  const parsed = parseWith(packSchema, data, 'pack');
  const cross = crossCheck(parsed.ok ? parsed.value : partialPack(data)).map((p) => ({ path: formatPath('pack', p.path), message: p.message }));
  if (parsed.ok) return cross.length ? { ok: false, problems: cross } : { ok: true, pack: parsed.value };
  // Shape problems first; then reference problems among the parts that did have the right shape.
  const seen = new Set(parsed.problems.map((p) => p.path));
  return { ok: false, problems: [...parsed.problems, ...cross.filter((p) => !seen.has(p.path))] };
}

/**
 * The parts of an invalid pack that are valid on their own, so references between them can still
 * be checked (an unknown clause id is reported even while the time zone is wrong). Invalid parts
 * become null and are skipped.
 */
function partialPack(data: unknown): PartialPack {
  const d = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
  const list = <T>(v: unknown, schema: { safeParse: (x: unknown) => { success: boolean; data?: T } }) =>
    Array.isArray(v)
      ? v.map((x) => {
          const r = schema.safeParse(x);
          return r.success ? (r.data as T) : null;
        })
      : [];
  const record = <T>(v: unknown, schema: { safeParse: (x: unknown) => { success: boolean; data?: T } }) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v).map(([k, x]) => {
            const r = schema.safeParse(x);
            return [k, r.success ? (r.data as T) : null];
          }),
        )
      : {};
  return {
    id: typeof d.id === 'string' && packSchema.shape.id.safeParse(d.id).success ? d.id : '',
    clauses: list(d.clauses, clauseSchema),
    dates: record(d.dates, dateSpecSchema),
    reasons: record(d.reasons, reasonSpecSchema),
    rules: list(d.rules, ruleSchema),
    fallback: fallbackSchema.safeParse(d.fallback).data ?? null,
    questions: record(d.questions, questionSchema),
    workingDays: d.workingDays !== undefined,
    guaranteeMonths: d.guaranteeMonths !== undefined,
    guarantee: guaranteeSchema.safeParse(d.guaranteeMonths).data ?? null,
    features: record(d.features, featureSchema),
    answers: answersSchema.safeParse(d.answers).data ?? null,
    preauthNumber: preauthNumberSchema.safeParse(d.preauthNumber).data ?? null,
    orderNumbers: orderNumbersSchema.safeParse(d.orderNumbers).data ?? null,
    disputedDeliveryDate: packSchema.shape.disputedDeliveryDate.safeParse(d.disputedDeliveryDate).data ?? null,
  };
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
  const file = builtInFile(idOrPath) ?? merchantFiles.get(idOrPath) ?? (existsSync(idOrPath) ? resolve(idOrPath) : null);
  if (!file) {
    throw new ValidationError([
      { path: 'case.policy', message: `expected one of ${[...builtInPackIds(), ...merchantFiles.keys()].join(', ')} or a path to a pack file, got ${JSON.stringify(idOrPath)}` },
    ]);
  }
  const trusted = builtInFile(idOrPath) === file ? prebuilt(idOrPath, file) : null;
  const result = trusted ? { ok: true as const, pack: trusted } : validatePackFile(file);
  if (!result.ok) throw new ValidationError(result.problems);
  const compiled = compilePack(result.pack);
  cache.set(idOrPath, compiled);
  return compiled;
}

/** Where the build keeps the shipped packs, validated, as JSON (`npm run build`). */
const PREBUILT_DIR = join(ROOT, 'dist', 'packs');

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * A shipped pack as the build validated it, when its source has not changed since: starting the
 * server then needs neither the YAML parser nor the schema check nor the holiday data.
 */
function prebuilt(id: string, sourceFile: string): Pack | null {
  try {
    const saved = JSON.parse(readFileSync(join(PREBUILT_DIR, `${id}.json`), 'utf8')) as { sourceHash: string; pack: Pack };
    return saved.sourceHash === sha256(readFileSync(sourceFile, 'utf8')) ? saved.pack : null;
  } catch {
    return null;
  }
}

/** Validate every shipped pack and save it for {@link prebuilt}; returns the problems (none: all saved). */
export function prebuildPacks(): string[] {
  mkdirSync(PREBUILT_DIR, { recursive: true });
  const problems: string[] = [];
  for (const id of builtInPackIds()) {
    const file = builtInFile(id)!;
    const result = validatePackFile(file);
    if (!result.ok) {
      problems.push(...result.problems.map((p) => `${id}: ${p.path}: ${p.message}`));
      continue;
    }
    const saved = { sourceHash: sha256(readFileSync(file, 'utf8')), pack: result.pack };
    writeFileSync(join(PREBUILT_DIR, `${id}.json`), `${JSON.stringify(saved)}\n`);
  }
  return problems;
}

/** Is `idOrPath` a pack we can load (without throwing)? */
export function tryLoadPack(idOrPath: string): CompiledPack | null {
  try {
    return loadPack(idOrPath);
  } catch {
    return null;
  }
}

/**
 * The pack an order number's shape belongs to (its `orderNumbers.pattern`, in any letter case),
 * among the shipped packs and the merchant's own: its id when exactly one matches, else null.
 */
export function packIdForOrderNumber(orderNumber: string): string | null {
  const ids = [...new Set([...builtInPackIds(), ...merchantFiles.keys()])].filter((id) => {
    const shape = tryLoadPack(id)?.pack.orderNumbers;
    return shape ? new RegExp(shape.pattern, 'iu').test(orderNumber) : false;
  });
  return ids.length === 1 ? ids[0]! : null;
}
