/**
 * Running the command line in-process: `main(argv, io)` with a string for stdin, collecting
 * streams for stdout and stderr, an explicit environment and a fixed clock.
 */
import { Readable, Writable } from 'node:stream';
import type { main as Main } from '../../src/cli/main.js';
import { ROOT } from '../../src/paths.js';

/**
 * `main` is imported dynamically: the commands it loads are dynamic imports, and under mocha + tsx a
 * static import of a source module can be a different module instance from the same module loaded
 * by `import()` (then `instanceof UsageError` fails inside `main`). Loading `main` the same way as
 * its commands keeps one instance of each module, as in the real binary.
 */
async function loadMain(): Promise<typeof Main> {
  return (await import('../../src/cli/main.js')).main;
}

/** Wednesday 4 March 2026, noon UTC (the same calendar date in London and New York). */
export const FIXED_NOW = new Date('2026-03-04T12:00:00Z');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  stdin?: string;
  env?: Record<string, string | undefined>;
  now?: Date;
  cwd?: string;
}

function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
      callback();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** Run `returnsbot ARGV` in-process and collect what it wrote. */
export async function runCli(argv: string[], options: CliOptions = {}): Promise<CliRun> {
  const stdout = collector();
  const stderr = collector();
  const stdin = Readable.from([Buffer.from(options.stdin ?? '', 'utf8')]);
  const now = options.now ?? FIXED_NOW;
  const main = await loadMain();
  const code = await main(argv, {
    stdin,
    stdout: stdout.stream,
    stderr: stderr.stream,
    env: options.env ?? {},
    now: () => new Date(now.getTime()),
    cwd: options.cwd ?? ROOT,
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** Clause ids of a pack as `returnsbot policy show ID --json` prints them. */
export async function shownClauseIds(packId: string): Promise<Set<string>> {
  const run = await runCli(['policy', 'show', packId, '--json']);
  if (run.code !== 0) throw new Error(`policy show ${packId} --json exited ${run.code}: ${run.stderr}`);
  const pack = JSON.parse(run.stdout) as { clauses?: { id: string }[] };
  return new Set((pack.clauses ?? []).map((c) => c.id));
}
