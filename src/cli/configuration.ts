/** The configuration for a command, or null once its problems are printed (one line per variable). */
import { loadConfig, type Config } from '../config.js';
import { problemLines, ValidationError } from '../validation.js';
import { writeLines, type Io } from './io.js';

export function configFor(io: Pick<Io, 'env' | 'stderr'>, who: string): Config | null {
  try {
    return loadConfig(io.env);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    writeLines(io.stderr, [`${who}: the configuration is not valid:`, ...problemLines(e.problems)]);
    return null;
  }
}
