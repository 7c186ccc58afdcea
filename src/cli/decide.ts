/**
 * `returnsbot decide [--case FILE] [--batch]`: cases in, decisions out, as JSON (CONTRACT section 1).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { localDateIn } from '../policy/calendar.js';
import { caseSchema, NO_PREAUTH } from '../policy/case.js';
import type { Decision } from '../policy/decision.js';
import { decide, type CompiledPack } from '../policy/engine.js';
import { knownPackIds } from '../policy/pack-folder.js';
import { loadPack } from '../policy/packs.js';
import { parseWith, problemLines, ValidationError, type Problem } from '../validation.js';
import { EXIT_BAD_INPUT, readAll, UsageError, writeLines, type Command, type Io } from './io.js';

type Outcome = { ok: true; decision: Decision } | { ok: false; problems: Problem[] };

/** A date no delivery can be after: stands in for `today` when it cannot be known (no pack). */
const NO_TODAY = '9999-12-31';

/**
 * Decide one case given as parsed JSON; `today` defaults to RETURNS_TODAY or the clock in the pack's
 * zone. Every problem of the case is reported at once: the pack's, each field's, those between its
 * dates, and a pre-authorisation number not of the shape the pack states.
 */
export function decideJson(input: unknown, io: Pick<Io, 'env' | 'now' | 'cwd'>): Outcome {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, problems: [{ path: 'case', message: `expected an object, got ${Array.isArray(input) ? 'a list' : JSON.stringify(input)}` }] };
  }
  const raw = input as Record<string, unknown>;
  const problems: Problem[] = [];
  let pack: CompiledPack | null = null;
  if (typeof raw.policy === 'string' && raw.policy !== '') {
    const given = raw.policy;
    const where = knownPackIds().includes(given) ? given : resolve(io.cwd, given);
    try {
      pack = loadPack(where);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      // Name the pack as the case gave it, not as the path it was looked for at.
      problems.push(...e.problems.map((p) => (p.path === 'case.policy' ? { ...p, message: p.message.replace(JSON.stringify(where), JSON.stringify(given)) } : p)));
    }
  }
  // Without a pack there is no zone for today: then the dates are checked among themselves only.
  const today = raw.today !== undefined ? raw.today : (io.env.RETURNS_TODAY ?? (pack ? localDateIn(pack.pack.timeZone, io.now()) : NO_TODAY));
  const parsed = parseWith(caseSchema, { ...raw, today }, 'case');
  if (!parsed.ok) problems.push(...parsed.problems.filter((p) => !(p.path === 'case.policy' && problems.some((q) => q.path === p.path))));
  const preauth = (raw.condition as Record<string, unknown> | undefined)?.manufacturerPreauth;
  if (pack?.pack.preauthNumber && typeof preauth === 'string' && preauth.trim().toLowerCase() !== NO_PREAUTH && preauth.trim() !== '' && !pack.preauthNumber?.test(preauth.trim())) {
    problems.push({
      path: 'case.condition.manufacturerPreauth',
      message: `expected "none" or a pre-authorisation number like ${JSON.stringify(pack.pack.preauthNumber.example)}, got ${JSON.stringify(preauth.length > 60 ? `${preauth.slice(0, 57)}...` : preauth)}`,
    });
  }
  if (problems.length || !parsed.ok || !pack) return { ok: false, problems };
  return { ok: true, decision: decide(parsed.value, pack) };
}

function parseJson(text: string, where: string): { ok: true; value: unknown } | { ok: false; problems: Problem[] } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    const detail = e instanceof Error ? /position \d+(?: \(line \d+ column \d+\))?/.exec(e.message)?.[0] : undefined;
    return { ok: false, problems: [{ path: where, message: `expected JSON, got text that is not valid JSON${detail ? ` (at ${detail})` : ''}` }] };
  }
}

export const decideCommand: Command = async (args, io) => {
  const { values } = parseArgs({ args, options: { case: { type: 'string' }, batch: { type: 'boolean' } }, strict: true });
  if (values.batch && values.case) throw new UsageError('use either --case FILE or --batch (cases on stdin), not both');

  if (values.batch) {
    const text = await readAll(io.stdin);
    const out: string[] = [];
    // `line` is the input line's own number, blank lines included, so an error points at its line.
    text.split('\n').forEach((line, i) => {
      if (!line.trim()) return;
      const json = parseJson(line, 'case');
      const result = json.ok ? decideJson(json.value, io) : json;
      out.push(JSON.stringify(result.ok ? result.decision : { error: { line: i + 1, problems: result.problems } }));
    });
    writeLines(io.stdout, out);
    return 0;
  }

  let text: string;
  if (values.case) {
    try {
      text = readFileSync(resolve(io.cwd, values.case), 'utf8');
    } catch {
      writeLines(io.stderr, [`--case: expected a readable file, got "${values.case}"`]);
      return EXIT_BAD_INPUT;
    }
  } else {
    text = await readAll(io.stdin);
  }
  const json = parseJson(text, 'case');
  const result = json.ok ? decideJson(json.value, io) : json;
  if (!result.ok) {
    writeLines(io.stderr, problemLines(result.problems));
    return EXIT_BAD_INPUT;
  }
  io.stdout.write(`${JSON.stringify(result.decision, null, 2)}\n`);
  return 0;
};
