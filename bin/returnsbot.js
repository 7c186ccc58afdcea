#!/usr/bin/env node
// The `returnsbot` command. Runs the build in dist/ (made by `npm ci` through `prepare`); in a
// checkout without a build it runs the TypeScript sources through tsx instead.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'src', 'cli', 'entry.js');
let entry = built;
if (!existsSync(built)) {
  try {
    const { register } = await import('tsx/esm/api');
    register();
  } catch {
    process.stderr.write('returnsbot is not built: run `npm ci` (or `npm run build`) first\n');
    process.exit(2);
  }
  entry = join(root, 'src', 'cli', 'entry.ts');
}
await import(pathToFileURL(entry).href);
