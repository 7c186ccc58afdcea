#!/usr/bin/env node
// npm links the bins of dependencies into node_modules/.bin, but not the project's own.
// `npx returnsbot` right after `npm ci` in a clone needs that link, so `prepare` makes it.
import { mkdirSync, rmSync, symlinkSync, chmodSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const binDir = join(root, 'node_modules', '.bin');
const target = join(root, 'bin', 'returnsbot.js');
mkdirSync(binDir, { recursive: true });
chmodSync(target, 0o755);
for (const name of process.platform === 'win32' ? [] : ['returnsbot']) {
  const link = join(binDir, name);
  rmSync(link, { force: true });
  symlinkSync(relative(binDir, target), link);
}
