/**
 * RMA numbers: CONTRACT section 7's format, the Luhn mod 32 check symbol, and how typed numbers are
 * normalised.
 */
import { expect } from 'chai';
import { checkSymbol, CROCKFORD_ALPHABET, isValidRmaNumber, newRmaNumber, normalizeRmaNumber } from '../../src/store/rma-id.js';

const CONTRACT_RE = /^RMA-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;

/** The 8 symbols of a formatted number. */
const symbolsOf = (rma: string): string => rma.slice(4, 8) + rma.slice(9, 13);
const formatted = (symbols: string): string => `RMA-${symbols.slice(0, 4)}-${symbols.slice(4)}`;

/** A random source that plays back `values`. */
function playback(values: number[]): (max: number) => number {
  let i = 0;
  return () => values[i++ % values.length] ?? 0;
}

describe('RMA numbers', function () {
  const generated = Array.from({ length: 300 }, () => newRmaNumber());

  it('uses the Crockford base 32 alphabet', function () {
    expect(CROCKFORD_ALPHABET).to.equal('0123456789ABCDEFGHJKMNPQRSTVWXYZ');
    expect(new Set(CROCKFORD_ALPHABET).size).to.equal(32);
  });

  it('generates numbers in the contract format that validate', function () {
    for (const rma of generated) {
      expect(rma).to.match(CONTRACT_RE);
      expect(isValidRmaNumber(rma), rma).to.equal(true);
    }
  });

  it('computes the Luhn mod 32 check symbol (worked by hand)', function () {
    // rightmost symbol doubled: 1 → 2, check (32 − 2) mod 32 = 30 = Y
    expect(newRmaNumber(playback([0, 0, 0, 0, 0, 0, 1]))).to.equal('RMA-0000-001Y');
    // second from the right taken once: 1, check 31 = Z
    expect(newRmaNumber(playback([0, 0, 0, 0, 0, 1, 0]))).to.equal('RMA-0000-010Z');
    // Z = 31 doubled is 62 = "1U" in base 32, digits summed 1 + 30 = 31, check 1
    expect(checkSymbol('000000Z')).to.equal('1');
    expect(newRmaNumber(playback([0]))).to.equal('RMA-0000-0000');
    // 1, 2 … 7: 7·2→14, 6, 5·2→10, 4, 3·2→6, 2, 1·2→2: sum 44, 44 mod 32 = 12, check 20 = M
    expect(newRmaNumber(playback([1, 2, 3, 4, 5, 6, 7]))).to.equal('RMA-1234-567M');
  });

  it('refuses a random source outside the alphabet', function () {
    expect(() => newRmaNumber(() => 32)).to.throw(RangeError);
    expect(() => newRmaNumber(() => -1)).to.throw(RangeError);
    expect(() => newRmaNumber(() => 1.5)).to.throw(RangeError);
  });

  it('detects every single-symbol substitution', function () {
    for (const rma of generated) {
      const symbols = symbolsOf(rma);
      for (let pos = 0; pos < 8; pos++) {
        for (const other of CROCKFORD_ALPHABET) {
          if (other === symbols[pos]) continue;
          const typo = formatted(symbols.slice(0, pos) + other + symbols.slice(pos + 1));
          expect(isValidRmaNumber(typo), `${rma} → ${typo}`).to.equal(false);
        }
      }
    }
  });

  it('detects most swaps of two neighbouring symbols', function () {
    let swaps = 0;
    let detected = 0;
    for (const rma of [...generated, ...Array.from({ length: 2000 }, () => newRmaNumber())]) {
      const s = symbolsOf(rma);
      for (let pos = 0; pos < 7; pos++) {
        if (s[pos] === s[pos + 1]) continue;
        swaps++;
        const swapped = formatted(s.slice(0, pos) + (s[pos + 1] ?? '') + (s[pos] ?? '') + s.slice(pos + 2));
        if (!isValidRmaNumber(swapped)) detected++;
      }
    }
    // Luhn mod N misses only swaps of the pair 0 ↔ Z (codes 0 and N − 1): about 1 in 500 swaps.
    expect(detected / swaps).to.be.greaterThan(0.99);
  });

  it('rejects anything not exactly in the format', function () {
    const good = generated[0] ?? '';
    for (const bad of [
      good.toLowerCase(),
      symbolsOf(good),
      `RMA${symbolsOf(good)}`,
      ` ${good}`,
      `${good} `,
      `XMA${good.slice(3)}`,
      'RMA-ABCD-EFGU',
      'RMA-ILO0-0000',
      'RMA-0000-000',
      'RMA-0000-00000',
      '',
    ]) {
      expect(isValidRmaNumber(bad), bad).to.equal(false);
    }
  });

  it('normalises what people type', function () {
    expect(normalizeRmaNumber(' rma-1234-567m ')).to.equal('RMA-1234-567M');
    expect(normalizeRmaNumber('RMA1234567M')).to.equal('RMA-1234-567M');
    expect(normalizeRmaNumber('1234567m')).to.equal('RMA-1234-567M');
    expect(normalizeRmaNumber('1234-567M')).to.equal('RMA-1234-567M');
    expect(normalizeRmaNumber('rma 1234 567m')).to.equal('RMA-1234-567M');
    // Crockford decoding: I and L are 1, O is 0
    expect(normalizeRmaNumber('RMA-IL0O-OOIY')).to.equal('RMA-1100-001Y');
    expect(normalizeRmaNumber('rma-o0oo-ool y')).to.equal('RMA-0000-001Y');
    expect(isValidRmaNumber(normalizeRmaNumber('rma-oooo-ooly') ?? '')).to.equal(true);
    for (const rma of generated.slice(0, 50)) {
      expect(normalizeRmaNumber(rma)).to.equal(rma);
      expect(normalizeRmaNumber(rma.toLowerCase().replaceAll('-', ''))).to.equal(rma);
    }
  });

  it('gives null for what cannot be an RMA number', function () {
    for (const bad of ['', 'RMA', '1234567', '123456789', 'RMA-1234-567U', 'RMA-1234-56#M', 'ABC-1234-567M', 'UK-100234']) {
      expect(normalizeRmaNumber(bad), bad).to.equal(null);
    }
  });

  it('draws 10 000 distinct numbers', function () {
    const many = new Set(Array.from({ length: 10_000 }, () => newRmaNumber()));
    expect(many.size).to.equal(10_000);
  });
});
