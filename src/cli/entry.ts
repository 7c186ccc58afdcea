/**
 * Process entry for the command line: wires the real stdin/stdout and clock, prints the exit code.
 * No stack trace ever reaches the user; an unexpected error prints one line and exits 1.
 */
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
    process.stderr.write(`returnsbot: unexpected error: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}\n`);
    process.exitCode = 1;
  },
);
