/**
 * Structured logs (pino). Customer email addresses, postcodes and message text never reach a log:
 * those fields are redacted wherever they appear, and the code logs ids and outcomes, not content.
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

/** A logger that drops everything (tests, the terminal chat). */
export const silentLogger: Logger = pino({ level: 'silent' });
