/**
 * `returnsbot policy list | show ID [--json] | validate FILE | check ID|FILE`.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { legalCheck } from '../policy/legal.js';
import { knownPackIds, merchantPackFile } from '../policy/pack-folder.js';
import { loadPack, validatePackFile } from '../policy/packs.js';
import { problemLines, ValidationError } from '../validation.js';
import { EXIT_BAD_INPUT, UsageError, writeLines, type Command, type Io } from './io.js';

function packArg(id: string, io: Io): string {
  return id.includes('/') || id.includes('\\') || /\.(ya?ml|json)$/.test(id) ? resolve(io.cwd, id) : id;
}

function load(id: string | undefined, io: Io, what: string) {
  if (!id) throw new UsageError(`policy ${what}: expected a pack id (${knownPackIds().join(', ')}) or a pack file`);
  try {
    return loadPack(packArg(id, io));
  } catch (e) {
    if (e instanceof ValidationError) {
      writeLines(io.stderr, problemLines(e.problems.map((p) => (p.path === 'case.policy' ? { ...p, path: 'policy' } : p))));
      return null;
    }
    throw e;
  }
}

export const policyCommand: Command = async (args, io) => {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({ args: rest, options: { json: { type: 'boolean' } }, allowPositionals: true, strict: true });
  switch (sub) {
    case 'list': {
      const packs = knownPackIds().map((id) => loadPack(id).pack);
      // A merchant's own pack (RETURNS_PACKS_DIR) says which file it came from.
      const source = (id: string) => merchantPackFile(id) ?? 'shipped';
      if (values.json) {
        io.stdout.write(
          `${JSON.stringify(
            packs.map((p) => ({ id: p.id, version: p.version, name: p.name, timeZone: p.timeZone, locale: p.locale, currency: p.currency, jurisdiction: p.jurisdiction, source: source(p.id) })),
            null,
            2,
          )}\n`,
        );
      } else {
        writeLines(
          io.stdout,
          packs.map((p) => `${p.id.padEnd(14)} ${p.version.padEnd(8)} ${p.jurisdiction}  ${p.timeZone.padEnd(18)} ${p.name}${merchantPackFile(p.id) ? `  (${merchantPackFile(p.id)})` : ''}`),
        );
      }
      return 0;
    }
    case 'show': {
      const compiled = load(positionals[0], io, 'show');
      if (!compiled) return EXIT_BAD_INPUT;
      const pack = compiled.pack;
      if (values.json) {
        io.stdout.write(`${JSON.stringify(pack, null, 2)}\n`);
      } else {
        const lines = [`${pack.name} (${pack.id} ${pack.version}), ${pack.jurisdiction}, ${pack.timeZone}, ${pack.currency}`, ''];
        // Quoted text is the written policy's; a retailer's addition is never shown as a quote.
        for (const c of pack.clauses) {
          if (c.origin === 'retailer-addition') lines.push(`${c.id}`, `  Retailer's addition (not in the written policy): ${c.text}`, `  → ${c.decides}`, '');
          else lines.push(`${c.id}`, `  "${c.text}"`, `  → ${c.decides}`, '');
        }
        for (const [name, f] of Object.entries(pack.features ?? {})) lines.push(`feature ${name}: ${f.categories.join(', ')}`);
        writeLines(io.stdout, lines);
      }
      return 0;
    }
    case 'validate': {
      const file = positionals[0];
      if (!file) throw new UsageError('policy validate: expected a pack file (YAML or JSON)');
      const result = validatePackFile(resolve(io.cwd, file));
      if (!result.ok) {
        writeLines(io.stderr, problemLines(result.problems));
        return EXIT_BAD_INPUT;
      }
      const p = result.pack;
      writeLines(io.stdout, [`${file}: valid pack ${p.id} ${p.version} (${p.clauses.length} clauses, ${p.rules.length} rules)`]);
      return 0;
    }
    case 'check': {
      const compiled = load(positionals[0], io, 'check');
      if (!compiled) return EXIT_BAD_INPUT;
      const findings = legalCheck(compiled.pack);
      if (values.json) {
        io.stdout.write(`${JSON.stringify(findings, null, 2)}\n`);
        return 0;
      }
      const lines = findings.map(
        (f) => `${f.severity === 'warning' ? 'warning' : 'info   '} [${f.statute}] ${f.rule ? `rule ${f.rule}` : 'pack'}${f.clauses.length ? ` (${f.clauses.join(', ')})` : ''}: ${f.message}`,
      );
      const warnings = findings.filter((f) => f.severity === 'warning').length;
      lines.push(`${compiled.pack.id}: ${warnings} warning(s), ${findings.length - warnings} note(s)`);
      writeLines(io.stdout, lines);
      return 0;
    }
    default:
      throw new UsageError('policy: expected list, show ID [--json], validate FILE or check ID');
  }
};
