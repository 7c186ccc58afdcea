/**
 * Order numbers, e-mail addresses, postcodes and reference numbers inside free text.
 */
import { orderPrefixStopwords } from './lexicon.js';
import { fold } from './text.js';

const EMAIL = /[a-z0-9._%+'-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/gi;
/** 2–4 letters, an optional space/dash/#, 4–8 digits ("UK-100234", "imp 500017", "#IMP-500017"). */
const PREFIXED = /(?<![a-z0-9'])([a-z]{2,4})\s*(?:[-#:/.]\s*)?(\d{4,8})(?![0-9])/gi;
/** A bare number of 5–10 digits, not part of a date or a longer number. */
const BARE = /(?<![0-9/.,-])(\d{5,10})(?![0-9]|[/,-]\d|\.\d)/g;

function withoutEmails(text: string): string {
  return text.replace(EMAIL, ' ');
}

/**
 * The order number in a message, upper case with a dash ("my order is uk 100234" → "UK-100234"),
 * or a bare number of 5–10 digits; null when there is none.
 */
export function extractOrderNumber(text: string): string | null {
  const t = withoutEmails(fold(text));
  const stops = orderPrefixStopwords();
  for (const m of t.matchAll(PREFIXED)) {
    const [, letters = '', digits = ''] = m;
    if (stops.has(letters.toLowerCase())) continue;
    return `${letters.toUpperCase()}-${digits}`;
  }
  for (const m of t.matchAll(BARE)) return m[1] ?? null;
  return null;
}

/** Every e-mail address in a message, lower case. */
export function extractEmails(text: string): string[] {
  return [...text.matchAll(EMAIL)].map((m) => m[0].toLowerCase().replace(/[.'-]+$/, ''));
}

/** The first e-mail address in a message, lower case; null when there is none. */
export function extractEmail(text: string): string | null {
  return extractEmails(text)[0] ?? null;
}

const UK_POSTCODE = /(?<![a-z0-9])([a-z]{1,2}[0-9][a-z0-9]?)\s*([0-9][a-z]{2})(?![a-z0-9])/gi;
const US_ZIP = /(?<![0-9a-z-])(\d{5})(?:(?:-|\s?–\s?|\s)(\d{4}))?(?![0-9])/gi;

/** Every postcode or ZIP in a message, normalised ("ls14ap" → "LS1 4AP", "10001 1234" → "10001-1234"). */
export function extractPostcodes(text: string): string[] {
  const t = withoutEmails(fold(text));
  const out: string[] = [];
  for (const m of t.matchAll(UK_POSTCODE)) out.push(`${(m[1] ?? '').toUpperCase()} ${(m[2] ?? '').toUpperCase()}`);
  for (const m of t.matchAll(US_ZIP)) out.push(m[2] ? `${m[1]}-${m[2]}` : (m[1] ?? ''));
  return out.filter(Boolean);
}

/**
 * A UK postcode ("LS1 4AP", with or without the space, any case) or a US ZIP / ZIP+4
 * ("10001", "10001-1234") found in the text, normalised; null when there is none.
 */
export function normalizePostcode(text: string): string | null {
  return extractPostcodes(text)[0] ?? null;
}

const compact = (s: string) => s.replace(/[\s-]+/g, '').toUpperCase();

function samePostcode(given: string, onFile: string): boolean {
  const a = compact(given);
  const b = compact(onFile);
  if (a === b) return true;
  // A ZIP+4 on file matches its five-digit ZIP and the other way round.
  if (/^\d{5}(\d{4})?$/.test(a) && /^\d{5}(\d{4})?$/.test(b)) return a.slice(0, 5) === b.slice(0, 5) && (a.length === 5 || b.length === 5);
  return false;
}

/**
 * True when the message carries the order's e-mail address (case-insensitive) or postcode
 * (ignoring spaces and case), possibly among other words ("it's sam@example.com", "postcode is ls1 4ap").
 */
export function matchesCustomer(text: string, customer: { email?: string | null; postcode?: string | null }): boolean {
  const email = customer.email?.trim().toLowerCase();
  if (email && extractEmails(text).includes(email)) return true;
  const onFile = customer.postcode?.trim();
  if (onFile) {
    const normalised = normalizePostcode(onFile) ?? onFile;
    if (extractPostcodes(text).some((p) => samePostcode(p, normalised))) return true;
    // Last resort: the text, spaces removed, is exactly the postcode on file.
    if (compact(fold(text)).replace(/[^A-Z0-9]/g, '') === compact(normalised)) return true;
  }
  return false;
}

const DASHED = /(?<![a-z0-9])((?=[a-z0-9-]*\d)[a-z0-9]+(?:-[a-z0-9]+)+)(?![a-z0-9])/gi;
const REF_PREFIXED = /(?<![a-z0-9'])([a-z]{2,4}\s*[-#:/]?|[a-z]\s*[-#:/])\s*(\d{3,12})(?![0-9])/gi;
const REF_BARE = /(?<![0-9/.-])(\d{4,12})(?![0-9]|[/.-]\d)/g;
const REF_MIXED = /(?<![a-z0-9])((?=[a-z]*\d)(?=\d*[a-z])[a-z0-9]{5,20})(?![a-z0-9])/gi;

/** A reference number such as a manufacturer's pre-authorisation ("MP-123456", "it's 778812"). */
export function extractReference(text: string): string | null {
  const t = withoutEmails(fold(text));
  const stops = orderPrefixStopwords();
  for (const m of t.matchAll(DASHED)) {
    const v = m[1] ?? '';
    if (v.replace(/[^0-9]/g, '').length >= 3) return v.toUpperCase();
  }
  for (const m of t.matchAll(REF_PREFIXED)) {
    const [, prefix = '', digits = ''] = m;
    const letters = prefix.replace(/[^a-z]/gi, '');
    if (stops.has(letters.toLowerCase())) continue;
    return `${letters.toUpperCase()}-${digits}`;
  }
  for (const m of t.matchAll(REF_BARE)) return m[1] ?? null;
  for (const m of t.matchAll(REF_MIXED)) return (m[1] ?? '').toUpperCase();
  return null;
}
