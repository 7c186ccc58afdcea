/**
 * The test run never waits forever: what a suite leaves open is listed and the run fails
 * (test/support/open-handles.ts, loaded by .mocharc.json).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'chai';
import { ROOT } from '../../src/paths.js';

function runLeakySuite(env: Record<string, string>): { status: number | null; out: string; ms: number } {
  const started = Date.now();
  const child = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js'), '--no-config', '--node-option', 'import=tsx', '--require', 'test/support/open-handles.ts', 'test/fixtures/mocha/leaky-suite.ts'],
    { cwd: ROOT, env: { ...process.env, TEST_EXIT_GRACE_MS: '500', ...env }, encoding: 'utf8', timeout: 30_000 },
  );
  return { status: child.status, out: `${child.stdout}${child.stderr}`, ms: Date.now() - started };
}

describe('a test run that leaves something open', function () {
  this.timeout(40_000);

  it('lists the open server and fails, when a failed `before` made `after` throw before closing it', function () {
    const run = runLeakySuite({ LEAKY_BEFORE_FAILS: 'true', LEAKY_CLOSES: 'true' });
    expect(run.status, run.out).to.not.equal(0);
    expect(run.out).to.match(/still kept alive by what they left open:\n {2}- server listening on 127\.0\.0\.1:\d+/);
  });

  it('fails even when every test passed', function () {
    const run = runLeakySuite({ LEAKY_BEFORE_FAILS: 'false', LEAKY_CLOSES: 'false' });
    expect(run.out).to.match(/1 passing/);
    expect(run.status, run.out).to.equal(1);
    expect(run.out).to.match(/server listening on/);
  });

  it('exits at once, with 0, when nothing is left open', function () {
    const run = runLeakySuite({ LEAKY_BEFORE_FAILS: 'false', LEAKY_CLOSES: 'true' });
    expect(run.status, run.out).to.equal(0);
    expect(run.out).to.not.match(/left open/);
  });
});
