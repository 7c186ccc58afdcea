/**
 * Structured logs (pino). Customer email addresses, postcodes and message text never reach a log:
 * those fields are redacted wherever they appear, and the code logs ids and outcomes, not content.
 *
 * Every line has a bounded size: strings are cut at {@link MAX_LOG_STRING} characters, objects at
 * {@link MAX_LOG_DEPTH} levels and {@link MAX_LOG_ENTRIES} keys or items, so nothing a client sends
 * (a huge header, a deeply nested body) can make a line — or the log — grow without bound.
 */
import { pino, type Logger, type LevelWithSilent, type DestinationStream } from 'pino';

export type { Logger };

/** Field names whose values are personal data or free text from customers. */
export const REDACTED_KEYS = ['email', 'postcode', 'text', 'proof', 'customer', 'authorization', 'password', 'MicrosoftAppPassword', 'key', 'token', 'secret', 'cookie', 'candidates', 'body', 'headers'];

export const MAX_LOG_STRING = 2000;
export const MAX_LOG_DEPTH = 6;
export const MAX_LOG_ENTRIES = 50;

function cut(s: string, max = MAX_LOG_STRING): string {
  return s.length > max ? `${s.slice(0, max)}…[${s.length - max} more]` : s;
}

/** A copy of a value to log, within the bounds above (an Error keeps its name, message and stack). */
export function bounded(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return cut(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_LOG_DEPTH) return '[…]';
  if (value instanceof Error) {
    return { type: value.name, message: cut(value.message, 500), ...(value.stack ? { stack: cut(value.stack) } : {}) };
  }
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_LOG_ENTRIES).map((v) => bounded(v, depth + 1));
    if (value.length > MAX_LOG_ENTRIES) items.push(`[${value.length - MAX_LOG_ENTRIES} more]`);
    return items;
  }
  const out: Record<string, unknown> = {};
  let n = 0;
  for (const k of Object.keys(value)) {
    if (n++ >= MAX_LOG_ENTRIES) {
      out['…'] = `[${Object.keys(value).length - MAX_LOG_ENTRIES} more keys]`;
      break;
    }
    out[cut(k, 100)] = bounded((value as Record<string, unknown>)[k], depth + 1);
  }
  return out;
}

export function createLogger(level: LevelWithSilent = 'info', destination?: DestinationStream): Logger {
  const paths = REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]);
  const options = {
    level,
    base: { app: 'returnsbot' },
    redact: { paths, censor: '[redacted]' },
    formatters: { log: (object: Record<string, unknown>) => bounded(object) as Record<string, unknown> },
    hooks: {
      logMethod(this: Logger, args: unknown[], method: (...a: unknown[]) => void) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? cut(a, 500) : a)));
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** A logger that drops everything (tests, the terminal chat). */
export const silentLogger: Logger = pino({ level: 'silent' });
