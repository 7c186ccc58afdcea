/**
 * Process entry for the command line: wires the real stdin/stdout and clock, prints the exit code.
 * No stack trace ever reaches the user; an unexpected error prints its whole message, its causes
 * and a hint when there is one (see failure.ts), and exits 1.
 */
import { failureLines } from './failure.js';
import { main } from './main.js';

const io = {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  now: () => new Date(),
  cwd: process.cwd(),
};

main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`${failureLines('unexpected error', e).join('\n')}\n`);
    process.exitCode = 1;
  },
);
