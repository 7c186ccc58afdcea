/**
 * Turning zod issues into problems a person can act on: one line each, naming the field path and
 * what was expected, e.g. `case.deliveredOn: expected a date YYYY-MM-DD, got "31/12"`.
 *
 * Pure. Used by the command line, the configuration, the HTTP boundary and pack validation.
 */
import type { z } from 'zod';

/** One problem with an input: where it is and what was wrong. */
export interface Problem {
  /** Dotted path from the input's root name, e.g. `case.product.category` or `rules[3].clause`. */
  path: string;
  /** What was expected and what came, without the path. */
  message: string;
}

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

/** A path as `root.a.b[2].c`; a key that is not a plain name is quoted (`root["odd key"]`). */
export function formatPath(root: string, path: readonly PropertyKey[]): string {
  let out = root;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && PLAIN_KEY.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out || '(input)';
}

/** Text from the input made safe for a one-line message (no raw newlines or control characters). */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  // JSON has no Infinity: a number like 1e400 parses to it, and would print as "null".
  if (typeof value === 'number' && !Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : 'a number out of range (too large to represent)';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function expectation(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected === 'object' ? 'an object' : issue.expected === 'array' ? 'a list' : `a ${issue.expected}`}`;
    case 'invalid_value':
      return `expected ${issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`}`;
    case 'too_small':
      return issue.origin === 'array' || issue.origin === 'string'
        ? `expected at least ${String(issue.minimum)} ${issue.origin === 'array' ? 'item(s)' : 'character(s)'}`
        : `expected a number ${issue.inclusive ? '≥' : '>'} ${String(issue.minimum)}`;
    case 'too_big':
      return issue.origin === 'array' || issue.origin === 'string'
        ? `expected at most ${String(issue.maximum)} ${issue.origin === 'array' ? 'item(s)' : 'character(s)'}`
        : `expected a number ${issue.inclusive ? '≤' : '<'} ${String(issue.maximum)}`;
    case 'invalid_format':
      return issue.message.startsWith('expected') ? issue.message : `expected ${issue.format} format`;
    case 'not_multiple_of':
      return `expected a multiple of ${String(issue.divisor)}`;
    case 'invalid_union':
      return 'expected one of the allowed shapes';
    default:
      return issue.message.startsWith('expected') ? issue.message : `expected ${issue.message}`;
  }
}

/**
 * For a value that matches none of a union's shapes, the issues of the shape it got furthest into
 * (the deepest path, then the fewest issues): `when.all[1].fact` rather than "none of the shapes".
 */
function closestBranch(issue: z.core.$ZodIssue): z.core.$ZodIssue[] | null {
  if (issue.code !== 'invalid_union' || !('errors' in issue) || !Array.isArray(issue.errors) || issue.errors.length === 0) return null;
  const depth = (issues: z.core.$ZodIssue[]): number => Math.max(...issues.map((i) => i.path.length + (i.code === 'invalid_union' ? 1 : 0)));
  const candidates = (issue.errors as z.core.$ZodIssue[][]).filter((b) => b.length > 0 && !b.some((i) => i.code === 'unrecognized_keys' && i.path.length === 0));
  const pool = candidates.length ? candidates : (issue.errors as z.core.$ZodIssue[][]).filter((b) => b.length > 0);
  if (!pool.length) return null;
  const best = [...pool].sort((a, b) => depth(b) - depth(a) || a.length - b.length)[0]!;
  if (depth(best) === 0) return null;
  return best.map((i) => ({ ...i, path: [...issue.path, ...i.path] }) as z.core.$ZodIssue);
}

function flatten(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  const out: z.core.$ZodIssue[] = [];
  for (const issue of issues) {
    const branch = closestBranch(issue);
    if (branch) out.push(...flatten(branch));
    else out.push(issue);
  }
  return out;
}

/** Flatten a zod error into problems, one per field (unknown keys get one problem each). */
export function problemsFrom(error: z.ZodError, root: string): Problem[] {
  const problems: Problem[] = [];
  for (const issue of flatten(error.issues)) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        problems.push({ path: formatPath(root, [...issue.path, key]), message: 'unknown field (check the spelling)' });
      }
      continue;
    }
    const custom = issue.code === 'custom' || issue.message.startsWith('expected');
    const expected = custom ? issue.message : expectation(issue);
    const input = (issue as { input?: unknown }).input;
    problems.push({ path: formatPath(root, issue.path), message: `${expected}, got ${describe(input)}` });
  }
  return problems;
}

/** `path: message` lines, the form the command line prints: exactly one line per problem. */
export function problemLines(problems: readonly Problem[]): string[] {
  return problems.map((p) => oneLine(`${p.path}: ${p.message}`));
}

/** A failed validation, carrying its problems. Thrown only at boundaries, never from the policy core. */
export class ValidationError extends Error {
  constructor(readonly problems: Problem[]) {
    super(problemLines(problems).join('\n'));
    this.name = 'ValidationError';
  }
}

/** Parse `input` with `schema`; on failure the problems name fields under `root`. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown, root: string): { ok: true; value: z.output<S> } | { ok: false; problems: Problem[] } {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, problems: problemsFrom(result.error, root) };
}
