/**
 * `returnsbot decide [--case FILE] [--batch]`: cases in, decisions out, as JSON (CONTRACT section 1).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { localDateIn } from '../policy/calendar.js';
import { caseSchema } from '../policy/case.js';
import type { Decision } from '../policy/decision.js';
import { decide } from '../policy/engine.js';
import { knownPackIds } from '../policy/pack-folder.js';
import { loadPack } from '../policy/packs.js';
import { parseWith, problemLines, ValidationError, type Problem } from '../validation.js';
import { EXIT_BAD_INPUT, readAll, UsageError, writeLines, type Command, type Io } from './io.js';

type Outcome = { ok: true; decision: Decision } | { ok: false; problems: Problem[] };

/** Decide one case given as parsed JSON; `today` defaults to RETURNS_TODAY or the clock in the pack's zone. */
export function decideJson(input: unknown, io: Pick<Io, 'env' | 'now' | 'cwd'>): Outcome {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, problems: [{ path: 'case', message: `expected an object, got ${Array.isArray(input) ? 'a list' : JSON.stringify(input)}` }] };
  }
  const raw = input as Record<string, unknown>;
  if (typeof raw.policy !== 'string' || raw.policy === '') {
    return { ok: false, problems: [{ path: 'case.policy', message: `expected a pack id or a path to a pack file, got ${raw.policy === undefined ? 'nothing' : JSON.stringify(raw.policy)}` }] };
  }
  let pack;
  try {
    pack = loadPack(knownPackIds().includes(raw.policy) ? raw.policy : resolve(io.cwd, raw.policy));
  } catch (e) {
    if (e instanceof ValidationError) return { ok: false, problems: e.problems };
    throw e;
  }
  const withToday = raw.today === undefined
    ? { ...raw, today: io.env.RETURNS_TODAY ?? localDateIn(pack.pack.timeZone, io.now()) }
    : raw;
  const parsed = parseWith(caseSchema, withToday, 'case');
  if (!parsed.ok) return parsed;
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
    let n = 0;
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      n++;
      const json = parseJson(line, 'case');
      const result = json.ok ? decideJson(json.value, io) : json;
      out.push(JSON.stringify(result.ok ? result.decision : { error: { line: n, problems: result.problems } }));
    }
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
