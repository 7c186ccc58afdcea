/**
 * `returnsbot manifest [--out FILE] [--source DIR]`: the Microsoft Teams app package.
 *
 * Fills the template `manifest/manifest.json` from the configuration (MicrosoftAppId and
 * RETURNS_PUBLIC_URL required; TEAMS_* optional), validates the filled manifest and every
 * localization file against Microsoft's JSON schema for its `manifestVersion`, offline (the schemas
 * shipped in `@microsoft/app-manifest`, passed in explicitly so nothing is fetched), checks the icons
 * (192×192 colour, 32×32 white-on-transparent outline), the localization files (same schema version,
 * every bot command translated, the default language file agreeing with the manifest) and writes a
 * zip with everything at its root (default `manifest/build/returnsbot-teams.zip`).
 *
 * Problems: exit 2, one line each (`file path: message`), never a stack trace.
 * `@microsoft/app-manifest` (and `fs-extra`, which it requires without declaring it) and `fflate`
 * (the zip) are dev dependencies, loaded only here: the package is built from a checkout, the
 * running bot never needs them; without them the command says so in one line (exit 1).
 */
import { packageVersion } from './version.js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type * as AppManifest from '@microsoft/app-manifest';
import type { Zippable, zipSync } from 'fflate';
import { loadTeamsConfig, type TeamsEnv } from '../config.js';
import { ROOT } from '../paths.js';
import { oneLine, problemLines, ValidationError, type Problem } from '../validation.js';
import { COLOR_TYPE_RGBA, decodePng, PngError } from '../../manifest/png.js';
import { EXIT_BAD_INPUT, writeLines, type Command } from './io.js';

/** The template, icons and localization files. */
export const MANIFEST_DIR = join(ROOT, 'manifest');
/** Where the package goes unless `--out` says otherwise (git-ignored). */
export const DEFAULT_OUT = join(MANIFEST_DIR, 'build', 'returnsbot-teams.zip');
const TEMPLATE = 'manifest.json';
const ICON_SIZES = { color: 192, outline: 32 } as const;
/** Zip entries get a fixed time, so the same inputs give the same bytes. */
const ZIP_TIME = new Date(2000, 0, 1);

/** What fills the template's `${{NAME}}` placeholders. */
export interface PackageSettings {
  MicrosoftAppId: string;
  TEAMS_APP_ID: string;
  TEAMS_APP_VERSION: string;
  TEAMS_DEVELOPER_NAME: string;
  TEAMS_WEBSITE_URL: string;
  TEAMS_PRIVACY_URL: string;
  TEAMS_TERMS_URL: string;
  RETURNS_PUBLIC_URL: string;
  /** The host of RETURNS_PUBLIC_URL (no scheme, no port): `validDomains`. */
  RETURNS_PUBLIC_HOST: string;
}

/** A built package: the filled manifest and every file of the zip, by name. */
export interface TeamsPackage {
  manifest: Record<string, unknown>;
  files: Record<string, Uint8Array>;
  /** Language tags: the default first. */
  languages: string[];
}

export type Result<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

/** The tooling failed (a dev dependency missing, a schema that does not compile): a setup problem, not bad input. */
export class ToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolError';
  }
}

/** The settings from validated configuration, with defaults; problems name the missing variables. */
export function packageSettings(env: TeamsEnv, packageVersion: string): Result<PackageSettings> {
  const problems: Problem[] = [];
  if (!env.MicrosoftAppId) {
    problems.push({ path: 'MicrosoftAppId', message: "not set: the bot's Microsoft App ID (a GUID, from the Azure Bot's app registration) is required to build the Teams app package" });
  }
  if (!env.RETURNS_PUBLIC_URL) {
    problems.push({ path: 'RETURNS_PUBLIC_URL', message: "not set: the bot's public https address (e.g. https://bot.example.com) is required to build the Teams app package" });
  }
  if (!env.MicrosoftAppId || !env.RETURNS_PUBLIC_URL) return { ok: false, problems };
  const base = new URL(env.RETURNS_PUBLIC_URL);
  base.search = '';
  base.hash = '';
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  return {
    ok: true,
    value: {
      MicrosoftAppId: env.MicrosoftAppId,
      TEAMS_APP_ID: env.TEAMS_APP_ID ?? env.MicrosoftAppId,
      TEAMS_APP_VERSION: env.TEAMS_APP_VERSION ?? packageVersion,
      TEAMS_DEVELOPER_NAME: env.TEAMS_DEVELOPER_NAME ?? 'returnsbot',
      TEAMS_WEBSITE_URL: env.TEAMS_WEBSITE_URL ?? base.href,
      TEAMS_PRIVACY_URL: env.TEAMS_PRIVACY_URL ?? new URL('privacy', base).href,
      TEAMS_TERMS_URL: env.TEAMS_TERMS_URL ?? new URL('terms', base).href,
      RETURNS_PUBLIC_URL: env.RETURNS_PUBLIC_URL,
      RETURNS_PUBLIC_HOST: base.hostname,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Schema validation through @microsoft/app-manifest, offline.

type Validate = (document: unknown, schema: unknown) => Promise<string[]>;
interface Tools {
  validate: Validate;
  schemaDir: string;
  zipSync: typeof zipSync;
}
let tools: Tools | undefined;
const schemas = new Map<string, unknown>();

function missing(name: string, e: unknown): ToolError {
  const detail = oneLine(e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e));
  return new ToolError(`cannot load ${name} (${detail}): run \`npm install\` with the dev dependencies (@microsoft/app-manifest also needs fs-extra, which it does not declare)`);
}

/** The dev dependencies this command needs, loaded on first use. */
async function loadTools(): Promise<Tools> {
  if (tools) return tools;
  let zip: Tools['zipSync'];
  try {
    zip = (await import('fflate')).zipSync;
  } catch (e) {
    throw missing('fflate', e);
  }
  try {
    const main = createRequire(import.meta.url).resolve('@microsoft/app-manifest');
    const mod = (await import('@microsoft/app-manifest')) as typeof AppManifest & { default?: typeof AppManifest };
    const utils = mod.AppManifestUtils ?? mod.default?.AppManifestUtils;
    if (!utils) throw new Error('no AppManifestUtils export (expected version 1.1)');
    tools = {
      // The schema is always passed: without it the library would fetch the `$schema` URL.
      validate: (document, schema) => utils.validateAgainstSchema(document as never, schema as never),
      schemaDir: join(dirname(main), 'json-schemas', 'teams'),
      zipSync: zip,
    };
    return tools;
  } catch (e) {
    throw missing('@microsoft/app-manifest', e);
  }
}

/** A pattern with each `]` that closes no character class escaped: the same meaning, valid with the `u` flag. */
export function escapeLoneBrackets(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      out += ch + (pattern[i + 1] ?? '');
      i++;
    } else if (inClass) {
      if (ch === ']') inClass = false;
      out += ch;
    } else if (ch === '[') {
      inClass = true;
      out += ch;
    } else out += ch === ']' ? '\\]' : ch;
  }
  return out;
}

function validUnicodePattern(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

/**
 * Microsoft's localization schemas (every version up to 1.30) have two `patternProperties` keys
 * with a lone `]` (`…\b]\.description$`, MicrosoftDocs/msteams-docs#8858), which ajv rejects in its
 * default unicode mode, so the library cannot compile them as shipped. Escape those brackets.
 */
export function repairSchemaPatterns(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(repairSchemaPatterns);
  if (node === null || typeof node !== 'object') return node;
  const fix = (p: string): string => (validUnicodePattern(p) ? p : escapeLoneBrackets(p));
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => {
      if (key === 'pattern' && typeof value === 'string') return [key, fix(value)];
      if (key === 'patternProperties' && value !== null && typeof value === 'object') {
        return [key, Object.fromEntries(Object.entries(value).map(([p, v]) => [fix(p), repairSchemaPatterns(v)]))];
      }
      return [key, repairSchemaPatterns(value)];
    }),
  );
}

/** The schema shipped for a manifest version (`1.19` → `v1.19/MicrosoftTeams.schema.json`), or null. */
async function schemaFor(version: string, kind: 'manifest' | 'localization'): Promise<unknown> {
  if (!/^\d+\.\d+$/.test(version)) return null;
  const { schemaDir } = await loadTools();
  const file = join(schemaDir, `v${version}`, kind === 'manifest' ? 'MicrosoftTeams.schema.json' : 'MicrosoftTeams.Localization.schema.json');
  if (!schemas.has(file)) {
    try {
      schemas.set(file, repairSchemaPatterns(JSON.parse(readFileSync(file, 'utf8'))));
    } catch {
      schemas.set(file, null);
    }
  }
  return schemas.get(file);
}

/** The schema version a `$schema` URL names (`…/teams/v1.19/MicrosoftTeams.schema.json` → `1.19`). */
export function schemaUrlVersion(url: unknown): string | null {
  if (typeof url !== 'string') return null;
  return /\/teams\/v(\d+\.\d+)\/MicrosoftTeams(\.Localization)?\.schema\.json$/.exec(url)?.[1] ?? null;
}

const GUID_PATTERN = '^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$';

function pathOf(file: string, segments: readonly (string | number)[]): string {
  let out = '';
  for (const s of segments) out += typeof s === 'number' ? `[${s}]` : out ? `.${s}` : s;
  return out ? `${file} ${out}` : file;
}

function valueAt(document: unknown, segments: readonly (string | number)[]): unknown {
  let at = document;
  for (const s of segments) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string | number, unknown>)[s];
  }
  return at;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * One of the library's messages (`/bots/0/botId must match pattern "…". Details: {…}`) as a
 * problem naming the file and the field, with what came.
 */
export function problemFromSchemaMessage(file: string, document: unknown, text: string): Problem {
  const match = /^(\/\S*)? ?([\s\S]*?)\. Details: ([\s\S]*)$/.exec(text);
  if (!match) return { path: file, message: oneLine(text) };
  const segments = (match[1] ?? '')
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const message = match[2] ?? '';
  let params: Record<string, unknown> = {};
  try {
    params = (JSON.parse(match[3] ?? '{}') as Record<string, unknown>) ?? {};
  } catch {
    // keep the plain message
  }
  const got = valueAt(document, segments);
  if (typeof params.missingProperty === 'string') {
    return { path: pathOf(file, [...segments, params.missingProperty]), message: 'required, but missing' };
  }
  if (typeof params.additionalProperty === 'string') {
    return { path: pathOf(file, [...segments, params.additionalProperty]), message: 'unknown field (check the spelling and the schema version)' };
  }
  let expected: string;
  if (params.pattern === GUID_PATTERN) expected = 'expected a GUID like 00000000-0000-0000-0000-000000000000';
  else if (typeof params.limit === 'number' && /characters/.test(message)) {
    expected = `expected ${message.includes('more') ? 'at most' : 'at least'} ${params.limit} characters, got ${typeof got === 'string' ? got.length : show(got)}`;
    return { path: pathOf(file, segments), message: expected };
  } else if ('allowedValue' in params) expected = `expected ${show(params.allowedValue)}`;
  else if (Array.isArray(params.allowedValues)) expected = `expected one of ${params.allowedValues.map((v) => show(v)).join(', ')}`;
  else expected = message.replace(/^must /, 'expected to ');
  return { path: pathOf(file, segments), message: oneLine(`${expected}, got ${show(got)}`) };
}

async function validateAgainst(file: string, document: unknown, kind: 'manifest' | 'localization', version: string): Promise<Problem[]> {
  const schema = await schemaFor(version, kind);
  if (!schema) {
    return [{ path: pathOf(file, ['$schema']), message: `no offline schema for version ${version} in @microsoft/app-manifest (it ships 1.0–1.17 and 1.19 on)` }];
  }
  let messages: string[];
  try {
    messages = await (await loadTools()).validate(document, schema);
  } catch (e) {
    if (e instanceof ToolError) throw e;
    throw new ToolError(`the v${version} ${kind} schema from @microsoft/app-manifest does not compile (${oneLine(e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e))})`);
  }
  return messages.map((m) => problemFromSchemaMessage(file, document, m));
}

function versionProblems(file: string, document: Record<string, unknown>, expected?: string): { version: string | null; problems: Problem[] } {
  const fromUrl = schemaUrlVersion(document.$schema);
  if (!fromUrl) {
    return {
      version: null,
      problems: [{ path: pathOf(file, ['$schema']), message: `expected a Teams schema URL like https://developer.microsoft.com/en-us/json-schemas/teams/v1.19/…, got ${show(document.$schema)}` }],
    };
  }
  if (expected !== undefined && fromUrl !== expected) {
    return { version: fromUrl, problems: [{ path: pathOf(file, ['$schema']), message: `expected the same schema version as manifest.json (${expected}), got ${fromUrl}` }] };
  }
  return { version: fromUrl, problems: [] };
}

/** Validate a filled manifest against the schema its `manifestVersion` names, offline. */
export async function validateManifest(manifest: unknown, file = TEMPLATE): Promise<Problem[]> {
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) return [{ path: file, message: `expected a JSON object, got ${show(manifest)}` }];
  const doc = manifest as Record<string, unknown>;
  const { version, problems } = versionProblems(file, doc);
  if (!version) return problems;
  if (doc.manifestVersion !== version) {
    problems.push({ path: pathOf(file, ['manifestVersion']), message: `expected "${version}" (the version in $schema), got ${show(doc.manifestVersion)}` });
    return problems;
  }
  return [...problems, ...(await validateAgainst(file, doc, 'manifest', version))];
}

/** Validate one localization file against the localization schema of the manifest's version, offline. */
export async function validateLocalization(localization: unknown, file: string, manifestVersion: string): Promise<Problem[]> {
  if (localization === null || typeof localization !== 'object' || Array.isArray(localization)) return [{ path: file, message: `expected a JSON object, got ${show(localization)}` }];
  const { version, problems } = versionProblems(file, localization as Record<string, unknown>, manifestVersion);
  if (!version || problems.length) return problems;
  return validateAgainst(file, localization, 'localization', version);
}

// ---------------------------------------------------------------------------------------------
// Icons.

/** Teams' icon rules: color 192×192; outline 32×32 with an alpha channel, white or fully transparent. */
export function iconProblems(file: string, bytes: Uint8Array, kind: 'color' | 'outline'): Problem[] {
  const size = ICON_SIZES[kind];
  let image: ReturnType<typeof decodePng>;
  try {
    image = decodePng(bytes);
  } catch (e) {
    if (e instanceof PngError) return [{ path: file, message: e.message }];
    throw e;
  }
  const problems: Problem[] = [];
  if (image.width !== size || image.height !== size) {
    problems.push({ path: file, message: `expected ${size}×${size} pixels for the ${kind} icon, got ${image.width}×${image.height}` });
  }
  if (kind === 'outline') {
    if (image.header.colorType !== COLOR_TYPE_RGBA && image.header.colorType !== 4) {
      problems.push({ path: file, message: `expected a PNG with an alpha channel (transparent background), got colour type ${image.header.colorType}` });
    } else {
      let bad = 0;
      for (let i = 0; i < image.rgba.length; i += 4) {
        const white = image.rgba[i] === 255 && image.rgba[i + 1] === 255 && image.rgba[i + 2] === 255;
        if (image.rgba[i + 3] !== 0 && !white) bad++;
      }
      if (bad) problems.push({ path: file, message: `expected only white or fully transparent pixels in the outline icon, got ${bad} other pixel(s)` });
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// The package.

const PLACEHOLDER = /\$\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}/g;

/** Replace `${{NAME}}` in every string of the template (never in keys); unknown names are problems. */
export function fillTemplate(template: unknown, settings: PackageSettings, file = TEMPLATE): Result<unknown> {
  const problems: Problem[] = [];
  const values = settings as unknown as Record<string, string>;
  const walk = (node: unknown, at: (string | number)[]): unknown => {
    if (typeof node === 'string') {
      return node.replace(PLACEHOLDER, (whole, name: string) => {
        if (Object.hasOwn(values, name)) return values[name]!;
        problems.push({ path: pathOf(file, at), message: `unknown placeholder ${whole} (known: ${Object.keys(values).join(', ')})` });
        return whole;
      });
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...at, i]));
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, [...at, k])]));
    }
    return node;
  };
  const filled = walk(template, []);
  return problems.length ? { ok: false, problems } : { ok: true, value: filled };
}

function readSource(dir: string, name: string, problems: Problem[]): Buffer | null {
  if (name.includes('/') || name.includes('\\') || name.startsWith('.')) {
    problems.push({ path: name, message: 'expected a file name at the root of the package (no folders)' });
    return null;
  }
  try {
    return readFileSync(join(dir, name));
  } catch {
    problems.push({ path: name, message: `cannot read ${join(dir, name)}` });
    return null;
  }
}

function readJson(dir: string, name: string, problems: Problem[]): { bytes: Buffer; value: unknown } | null {
  const bytes = readSource(dir, name, problems);
  if (!bytes) return null;
  try {
    return { bytes, value: JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, '')) as unknown };
  } catch (e) {
    problems.push({ path: name, message: `not valid JSON (${oneLine(e instanceof Error ? e.message : String(e))})` });
    return null;
  }
}

/** The strings a localization file must carry for this manifest: name, description, every bot command. */
function localizedKeys(manifest: Record<string, unknown>): Map<string, unknown> {
  const keys = new Map<string, unknown>([
    ['name.short', valueAt(manifest, ['name', 'short'])],
    ['name.full', valueAt(manifest, ['name', 'full'])],
    ['description.short', valueAt(manifest, ['description', 'short'])],
    ['description.full', valueAt(manifest, ['description', 'full'])],
  ]);
  const lists = valueAt(manifest, ['bots', 0, 'commandLists']);
  if (Array.isArray(lists)) {
    lists.forEach((list: unknown, l) => {
      const commands = valueAt(list, ['commands']);
      if (!Array.isArray(commands)) return;
      commands.forEach((command: unknown, c) => {
        for (const field of ['title', 'description']) keys.set(`bots[0].commandLists[${l}].commands[${c}].${field}`, valueAt(command, [field]));
      });
    });
  }
  return keys;
}

/** Localization files as the manifest lists them, the default first: `[tag, file name, isDefault]`. */
function languageFiles(manifest: Record<string, unknown>, problems: Problem[]): [string, string, boolean][] {
  const info = manifest.localizationInfo as { defaultLanguageTag?: string; defaultLanguageFile?: string; additionalLanguages?: { languageTag: string; file: string }[] } | undefined;
  if (!info) return [];
  const out: [string, string, boolean][] = [];
  const tags = new Set<string>(info.defaultLanguageTag ? [info.defaultLanguageTag.toLowerCase()] : []);
  const files = new Set<string>(info.defaultLanguageFile ? [info.defaultLanguageFile] : []);
  if (info.defaultLanguageTag && info.defaultLanguageFile) out.push([info.defaultLanguageTag, info.defaultLanguageFile, true]);
  (info.additionalLanguages ?? []).forEach(({ languageTag, file }, i) => {
    const at = ['localizationInfo', 'additionalLanguages', i];
    if (tags.has(languageTag.toLowerCase())) problems.push({ path: pathOf(TEMPLATE, [...at, 'languageTag']), message: `language ${languageTag} is listed twice` });
    if (files.has(file)) problems.push({ path: pathOf(TEMPLATE, [...at, 'file']), message: `${file} is used for two languages` });
    tags.add(languageTag.toLowerCase());
    files.add(file);
    out.push([languageTag, file, false]);
  });
  return out;
}

/**
 * Build the package from a template folder: fill, validate (schema, icons, localization), collect
 * the files. Throws ToolError when the schema library cannot load.
 */
export async function buildTeamsPackage(sourceDir: string, settings: PackageSettings): Promise<Result<TeamsPackage>> {
  const problems: Problem[] = [];
  const template = readJson(sourceDir, TEMPLATE, problems);
  if (!template) return { ok: false, problems };
  const filled = fillTemplate(template.value, settings);
  if (!filled.ok) return filled;
  problems.push(...(await validateManifest(filled.value)));
  if (problems.length) return { ok: false, problems };
  const manifest = filled.value as Record<string, unknown>;
  const version = manifest.manifestVersion as string;
  const files: Record<string, Uint8Array> = { [TEMPLATE]: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8') };
  const add = (name: string, bytes: Uint8Array, path: string): void => {
    if (Object.hasOwn(files, name)) problems.push({ path, message: `${name} is already in the package` });
    else files[name] = bytes;
  };

  const icons = manifest.icons as { color: string; outline: string };
  for (const kind of ['color', 'outline'] as const) {
    const bytes = readSource(sourceDir, icons[kind], problems);
    if (!bytes) continue;
    problems.push(...iconProblems(icons[kind], bytes, kind));
    add(icons[kind], bytes, pathOf(TEMPLATE, ['icons', kind]));
  }

  const expected = localizedKeys(manifest);
  const languages: string[] = [];
  for (const [tag, name, isDefault] of languageFiles(manifest, problems)) {
    languages.push(tag);
    const file = readJson(sourceDir, name, problems);
    if (!file) continue;
    const schemaProblems = await validateLocalization(file.value, name, version);
    problems.push(...schemaProblems);
    add(name, file.bytes, name);
    if (schemaProblems.length) continue;
    const strings = file.value as Record<string, unknown>;
    for (const [key, value] of expected) {
      if (value === undefined) continue;
      if (!(key in strings)) problems.push({ path: pathOf(name, [key]), message: `missing: ${tag} users would see the ${TEMPLATE} text ${show(value)}` });
      else if (isDefault && strings[key] !== value) {
        problems.push({ path: pathOf(name, [key]), message: `expected the same text as ${TEMPLATE} in the default language file, got ${show(strings[key])}` });
      }
    }
    for (const key of Object.keys(strings)) {
      if (key.startsWith('bots[') && !expected.has(key)) problems.push({ path: pathOf(name, [key]), message: `${TEMPLATE} has no such command` });
    }
  }
  if (!languages.length) languages.push(String(valueAt(manifest, ['localizationInfo', 'defaultLanguageTag']) ?? 'en-us'));
  return problems.length ? { ok: false, problems } : { ok: true, value: { manifest, files, languages } };
}

/** The zip: every file at the root, in the package's order, with a fixed timestamp. */
export async function zipPackage(pkg: TeamsPackage): Promise<Uint8Array> {
  const entries: Zippable = {};
  for (const [name, bytes] of Object.entries(pkg.files)) entries[name] = [bytes, { level: 9, mtime: ZIP_TIME }];
  return (await loadTools()).zipSync(entries);
}

function display(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

export const manifestCommand: Command = async (args, io) => {
  const { values } = parseArgs({ args, options: { out: { type: 'string' }, source: { type: 'string' } }, allowPositionals: false, strict: true });
  let env: TeamsEnv;
  try {
    env = loadTeamsConfig(io.env);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    writeLines(io.stderr, problemLines(e.problems));
    return EXIT_BAD_INPUT;
  }
  const settings = packageSettings(env, packageVersion());
  if (!settings.ok) {
    writeLines(io.stderr, problemLines(settings.problems));
    return EXIT_BAD_INPUT;
  }
  const sourceDir = values.source ? resolve(io.cwd, values.source) : MANIFEST_DIR;
  const out = values.out ? resolve(io.cwd, values.out) : DEFAULT_OUT;
  let built: Result<TeamsPackage>;
  try {
    built = await buildTeamsPackage(sourceDir, settings.value);
  } catch (e) {
    if (!(e instanceof ToolError)) throw e;
    writeLines(io.stderr, [`manifest: ${e.message}`]);
    return 1;
  }
  if (!built.ok) {
    writeLines(io.stderr, problemLines(built.problems));
    return EXIT_BAD_INPUT;
  }
  const zip = await zipPackage(built.value);
  try {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, zip);
  } catch (e) {
    writeLines(io.stderr, [`manifest: cannot write ${out} (${oneLine(e instanceof Error ? e.message : String(e))})`]);
    return 1;
  }
  const m = built.value.manifest as { name: { short: string }; version: string; manifestVersion: string };
  writeLines(io.stdout, [
    display(out, io.cwd),
    `Teams app "${m.name.short}" ${m.version} (manifest ${m.manifestVersion}, ${built.value.languages.join(', ')}) for bot ${settings.value.MicrosoftAppId} at ${settings.value.RETURNS_PUBLIC_HOST}: ${Object.keys(built.value.files).join(', ')} (${zip.length} bytes)`,
  ]);
  return 0;
};
