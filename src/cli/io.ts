/**
 * What a command needs from the outside world, passed in so commands run the same in tests.
 */
import type { Readable, Writable } from 'node:stream';

export interface Io {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  env: Record<string, string | undefined>;
  /** The clock: read only at the command line's composition root. */
  now: () => Date;
  cwd: string;
}

/** A command: arguments after its name; resolves to the exit code. */
export type Command = (args: string[], io: Io) => Promise<number>;

export async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

export function writeLines(stream: Writable, lines: readonly string[]): void {
  if (lines.length) stream.write(`${lines.join('\n')}\n`);
}

/** Exit code for bad input (CONTRACT section 1). */
export const EXIT_BAD_INPUT = 2;

/** A usage problem: printed as one line, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
