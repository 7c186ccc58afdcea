/**
 * How the benchmark runs the two servers: both compiled, the way `npm start` runs the product.
 *
 * The sources are compiled afresh for every benchmark run (dist/ may be stale while the code is
 * being changed) into a temporary folder that looks like the package to the code that finds its
 * files (package.json, and links to node_modules, locales/, the policy packs and the web assets), with
 * the understanding models trained into it as the build trains them. The echo baseline
 * is compiled with the same compiler settings. When the compiler emits nothing, both run from the
 * TypeScript sources through tsx instead (the result says which).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..');

export interface Runner {
  kind: 'compiled' | 'tsx';
  /** node arguments that run the `returnsbot` command line (append `serve`, `orders import F`, …). */
  cli: string[];
  /** node arguments that run the echo bot (append the port). */
  echo: string[];
  /** Milliseconds the compiler took (0 with tsx). */
  buildMs: number;
  /** Compiler diagnostics (type errors do not stop the emit), if any. */
  note?: string;
  cleanup: () => void;
}

const TSX = ['--import', 'tsx'];

function tsxRunner(note?: string): Runner {
  return {
    kind: 'tsx',
    cli: [...TSX, join(ROOT, 'src', 'cli', 'entry.ts')],
    echo: [...TSX, join(ROOT, 'bench', 'echo-bot.ts')],
    buildMs: 0,
    note,
    cleanup: () => {},
  };
}

export function prepareRunner(mode: 'compiled' | 'tsx' = 'compiled'): Runner {
  if (mode === 'tsx') return tsxRunner();
  const dir = mkdtempSync(join(tmpdir(), 'returnsbot-bench-build-'));
  const out = join(dir, 'out');
  const tsconfig = join(dir, 'tsconfig.json');
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: join(ROOT, 'tsconfig.build.json'),
      // typeRoots: type packages are looked up from the tsconfig's folder, which is not the project's.
      compilerOptions: { rootDir: ROOT, outDir: out, typeRoots: [join(ROOT, 'node_modules', '@types')], sourceMap: false, incremental: false, noEmitOnError: false },
      include: ['src', 'machines', 'dialogs'].map((d) => join(ROOT, d, '**', '*.ts')).concat(join(ROOT, 'bench', 'echo-bot.ts')),
    }),
  );
  const started = performance.now();
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', tsconfig], { cwd: ROOT, encoding: 'utf8' });
  const buildMs = performance.now() - started;
  const entry = join(out, 'src', 'cli', 'entry.js');
  const echo = join(out, 'bench', 'echo-bot.js');
  if (!existsSync(entry) || !existsSync(echo)) {
    rmSync(dir, { recursive: true, force: true });
    return tsxRunner(`the compiler emitted nothing (${(tsc.stdout || tsc.stderr || '').split('\n')[0]}); ran the sources with tsx`);
  }
  // Make the output look like the package: its root, its dependencies and its data files.
  copyFileSync(join(ROOT, 'package.json'), join(out, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(out, 'node_modules'), 'dir');
  symlinkSync(join(ROOT, 'locales'), join(out, 'locales'), 'dir');
  const packs = join(out, 'src', 'policy', 'packs');
  mkdirSync(dirname(packs), { recursive: true });
  if (!existsSync(packs)) symlinkSync(join(ROOT, 'src', 'policy', 'packs'), packs, 'dir');
  // The widget's and the console's static files (read from the package root, as tsc does not copy them).
  for (const assets of ['static', 'agent']) {
    const at = join(out, 'src', 'web', assets);
    mkdirSync(dirname(at), { recursive: true });
    if (!existsSync(at)) symlinkSync(join(ROOT, 'src', 'web', assets), at, 'dir');
  }
  // The understanding models, trained as `npm run build` trains them (else the server would train
  // them at start-up, which `npm start` never does).
  const models = spawnSync(process.execPath, [join(out, 'src', 'nlu', 'build-models.js')], { cwd: out, encoding: 'utf8' });
  if (models.status !== 0) throw new Error(`training the understanding models failed: ${models.stderr.split('\n')[0]}`);
  const errors = tsc.status === 0 ? 0 : (tsc.stdout.match(/error TS\d+/g) ?? []).length;
  return {
    kind: 'compiled',
    cli: [entry],
    echo: [echo],
    buildMs,
    note: errors ? `the compiler reported ${errors} type error(s) (code being edited?); the emitted JavaScript was run` : undefined,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
