/**
 * RMA numbers (CONTRACT section 7): `RMA-XXXX-XXXX` in Crockford base 32. The first seven symbols are
 * random (35 bits from the operating system's CSPRNG, so numbers cannot be guessed from one another);
 * the eighth is a check symbol computed with the Luhn mod N algorithm (N = 32) over the seven, which
 * catches every mistyped single symbol and most swaps of two neighbouring symbols.
 *
 * Pure apart from the random source, which a caller may replace (tests).
 */
import { randomInt } from 'node:crypto';

/** Crockford's base 32 alphabet: digits and letters without I, L, O and U. */
export const CROCKFORD_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const N = CROCKFORD_ALPHABET.length;

/** The shape of a well-formed RMA number (CONTRACT section 7). */
export const RMA_NUMBER_RE = /^RMA-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;

/** A random integer in [0, max): `crypto.randomInt` by default. */
export type RandomInt = (max: number) => number;

const RANDOM_SYMBOLS = 7;

function codePoint(symbol: string): number {
  const i = CROCKFORD_ALPHABET.indexOf(symbol);
  if (i < 0) throw new RangeError(`"${symbol}" is not a Crockford base 32 symbol`);
  return i;
}

/**
 * The Luhn mod N check symbol of `symbols` (Crockford base 32): from the rightmost symbol leftwards,
 * every other code point is doubled (starting with the rightmost) and its base-N digits summed.
 */
export function checkSymbol(symbols: string): string {
  let factor = 2;
  let sum = 0;
  for (let i = symbols.length - 1; i >= 0; i--) {
    const addend = factor * codePoint(symbols.charAt(i));
    sum += Math.floor(addend / N) + (addend % N);
    factor = factor === 2 ? 1 : 2;
  }
  return CROCKFORD_ALPHABET.charAt((N - (sum % N)) % N);
}

function format(symbols: string): string {
  return `RMA-${symbols.slice(0, 4)}-${symbols.slice(4, 8)}`;
}

/** A new, unguessable RMA number with its check symbol, e.g. `RMA-7KQ2-M9XD`. */
export function newRmaNumber(random: RandomInt = randomInt): string {
  let body = '';
  for (let i = 0; i < RANDOM_SYMBOLS; i++) {
    const n = random(N);
    if (!Number.isInteger(n) || n < 0 || n >= N) throw new RangeError(`random source gave ${n}, expected an integer in [0, ${N})`);
    body += CROCKFORD_ALPHABET.charAt(n);
  }
  return format(body + checkSymbol(body));
}

/** True when `s` is exactly an RMA number (upper case, with its dashes) and its check symbol is right. */
export function isValidRmaNumber(s: string): boolean {
  if (!RMA_NUMBER_RE.test(s)) return false;
  const symbols = s.slice(4, 8) + s.slice(9, 13);
  return checkSymbol(symbols.slice(0, RANDOM_SYMBOLS)) === symbols.charAt(RANDOM_SYMBOLS);
}

/**
 * An RMA number as a person may type it, in canonical form: trimmed, upper case, the `RMA` prefix
 * and the dashes optional (spaces are ignored too), and Crockford's decoding of look-alikes
 * (I and L read as 1, O as 0). Null when it cannot be an RMA number at all. The check symbol is not
 * checked here: use {@link isValidRmaNumber} on the result.
 */
export function normalizeRmaNumber(s: string): string | null {
  let compact = s
    .trim()
    .toUpperCase()
    .replace(/[\s-]+/g, '');
  if (compact.length === 11 && compact.startsWith('RMA')) compact = compact.slice(3);
  if (compact.length !== 8) return null;
  const symbols = compact.replace(/[IL]/g, '1').replace(/O/g, '0');
  if (!/^[0-9A-HJKMNP-TV-Z]{8}$/.test(symbols)) return null;
  return format(symbols);
}
