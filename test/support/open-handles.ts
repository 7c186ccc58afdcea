/**
 * A mocha global teardown (loaded by .mocharc.json) so that a test run never waits
 * forever: when the run is over and something a test opened still keeps Node's event loop alive
 * (a server, a socket, a child process, a timer), it lists what is left open and ends the process,
 * failing the run. Mocha's `--exit` would end it too, but silently, hiding the leak.
 */
import type { ChildProcess } from 'node:child_process';
import { Server, Socket } from 'node:net';

/** How long the process may take to exit by itself after the last test. */
const GRACE_MS = Number(process.env.TEST_EXIT_GRACE_MS ?? 10_000);

/** What an active handle is, in a line (the kind and, where it has one, its address or command). */
function describe(handle: unknown): string {
  if (handle instanceof Server) {
    const address = handle.address();
    return `server listening on ${typeof address === 'string' ? address : address ? `${address.address}:${address.port}` : '(not listening)'}`;
  }
  if (handle instanceof Socket) {
    return handle.remoteAddress ? `socket ${handle.localAddress}:${handle.localPort} → ${handle.remoteAddress}:${handle.remotePort}` : 'socket (a pipe or stdio)';
  }
  const child = handle as Partial<ChildProcess> & { constructor?: { name?: string } };
  if (typeof child.pid === 'number' && 'spawnfile' in child) return `child process ${child.pid}: ${String((child as { spawnargs?: string[] }).spawnargs?.join(' ')).slice(0, 200)}`;
  return handle && typeof handle === 'object' ? (child.constructor?.name ?? 'object') : String(handle);
}

export function mochaGlobalTeardown(): void {
  const timer = setTimeout(() => {
    const getHandles = (process as unknown as { _getActiveHandles?: () => unknown[] })._getActiveHandles;
    const stdio: unknown[] = [process.stdin, process.stdout, process.stderr];
    const handles = (getHandles?.call(process) ?? []).filter((h) => !stdio.includes(h));
    const lines = [
      `The tests finished ${GRACE_MS / 1000} s ago, but the process is still kept alive by what they left open:`,
      ...handles.map((h) => `  - ${describe(h)}`),
      `  (active resources: ${process.getActiveResourcesInfo().join(', ')})`,
      "Close these in the tests' after/afterEach hooks. Ending the run now, as failed.",
    ];
    process.stderr.write(`\n${lines.join('\n')}\n`);
    // Mocha sets the exit code (its failure count) in an 'exit' listener; this one runs after it.
    process.once('exit', () => {
      if (!process.exitCode) process.exitCode = 1;
    });
    process.exit();
  }, GRACE_MS);
  // Does not itself keep the process alive: a clean run exits at once.
  timer.unref();
}
