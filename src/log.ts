/**
 * Structured logs (pino). Customer email addresses, postcodes and message text never reach a log:
 * those fields are redacted wherever they appear, and the code logs ids and outcomes, not content.
 *
 * Every line has a bounded size: strings are cut at {@link MAX_LOG_STRING} characters, objects at
 * {@link MAX_LOG_DEPTH} levels and {@link MAX_LOG_ENTRIES} keys or items, so nothing a client sends
 * (a huge header, a deeply nested body) can make a line — or the log — grow without bound.
 *
 * JSON lines for log collectors; on a terminal, the same records as readable lines (pino-pretty,
 * run in this process: no worker thread). Redaction and the bounds apply before either.
 */
import { pino, type Logger, type LevelWithSilent, type DestinationStream } from 'pino';

export type { Logger };

/** Field names whose values are personal data or free text from customers. */
export const REDACTED_KEYS = [
  'email',
  'postcode',
  'text',
  'proof',
  'customer',
  'authorization',
  'password',
  'MicrosoftAppPassword',
  'key',
  'token',
  'secret',
  'cookie',
  'candidates',
  'body',
  'headers',
];

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
        method.apply(
          this,
          args.map((a) => (typeof a === 'string' ? cut(a, 500) : a)),
        );
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** LOG_FORMAT: `auto` is `pretty` when the output is a terminal, else `json`. */
export type LogFormat = 'auto' | 'json' | 'pretty';

/** Whether `format` asks for readable lines on an output that is (`isTTY`) or is not a terminal. */
export function isPretty(format: LogFormat, isTTY: boolean): boolean {
  return format === 'pretty' || (format === 'auto' && isTTY);
}

/** Readable log lines (time, level, message, then the other fields) written to `output`. */
export async function prettyDestination(output: NodeJS.WritableStream, colorize: boolean): Promise<DestinationStream> {
  const { default: pretty } = await import('pino-pretty');
  return pretty({ destination: output, colorize, translateTime: 'SYS:HH:MM:ss', ignore: 'app', singleLine: true, sync: true });
}

/** A logger that drops everything (tests, the terminal chat). */
export const silentLogger: Logger = pino({ level: 'silent' });
