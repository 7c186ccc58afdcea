/**
 * Where the project's own files are, whether running from `src/` (tsx) or from the build in `dist/`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'returnsbot') return dir;
      } catch {
        // not ours; keep looking
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the returnsbot package root');
    dir = up;
  }
}

/** The package root (the folder with package.json). */
export const ROOT = findRoot();
/** The policy packs shipped with the product. */
export const PACKS_DIR = join(ROOT, 'src', 'policy', 'packs');
/** One JSON file of messages per language. */
export const LOCALES_DIR = join(ROOT, 'locales');
