/**
 * Structured logs (pino). Customer email addresses, postcodes and message text never reach a log:
 * those fields are redacted wherever they appear, and the code logs ids and outcomes, not content.
 *
 * JSON lines for log collectors; on a terminal, the same records as readable lines (pino-pretty,
 * run in this process: no worker thread). Redaction happens before either.
 */
import { pino, type Logger, type LevelWithSilent, type DestinationStream } from 'pino';

export type { Logger };

/** Field names whose values are personal data or free text from customers. */
export const REDACTED_KEYS = ['email', 'postcode', 'text', 'proof', 'customer', 'authorization', 'password', 'MicrosoftAppPassword', 'key', 'token', 'secret'];

export function createLogger(level: LevelWithSilent = 'info', destination?: DestinationStream): Logger {
  const paths = REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]);
  const options = { level, base: { app: 'returnsbot' }, redact: { paths, censor: '[redacted]' } };
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
