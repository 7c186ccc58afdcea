/**
 * Order numbers, e-mail addresses, postcodes and reference numbers inside free text, and the
 * candidate proofs of ownership in a message (CONTRACT sections 6 and 7).
 */
import type { ProofCandidate } from '../../machines/commands.js';
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

/** A UK outward code on its own ("LS1", "SW1A", "M1"): a district, not an address. */
const UK_OUTWARD = /(?<![a-z0-9])([a-z]{1,2}[0-9][a-z0-9]?)(?![a-z0-9])/gi;
/** A whole message that is one code of letters and digits (a postcode in a format we do not parse). */
const OTHER_CODE = /^(?=[a-z0-9 -]*\d)([a-z0-9]{2,8})(?:[ -]([a-z0-9]{2,8}))?$/i;

/**
 * Every candidate proof of ownership in a message, each once, in the order they appear: e-mail
 * addresses (lower case), UK postcodes ("LS1 4AP", upper case with one space), UK outward codes
 * on their own ("LS1" — a district, which never matches an order), US ZIP codes (five digits, or
 * ZIP+4 as "10001-1234" when given). A message that is nothing but one code of letters and digits
 * ("D02 X285") is a postcode candidate as it stands. Pure; a proof message must hold exactly one.
 */
export function proofCandidates(text: string): ProofCandidate[] {
  const out: ProofCandidate[] = [];
  const seen = new Set<string>();
  const add = (kind: ProofCandidate['kind'], value: string) => {
    if (!value || seen.has(`${kind}:${value}`)) return;
    seen.add(`${kind}:${value}`);
    out.push({ kind, value });
  };
  for (const email of extractEmails(text)) add('email', email);
  let rest = withoutEmails(fold(text));
  rest = rest.replace(UK_POSTCODE, (_m, outward: string, inward: string) => {
    add('postcode', `${outward.toUpperCase()} ${inward.toUpperCase()}`);
    return ' ';
  });
  rest = rest.replace(US_ZIP, (_m, zip: string, plus4?: string) => {
    add('zip', plus4 ? `${zip}-${plus4}` : zip);
    return ' ';
  });
  if (out.length === 0) {
    // Nothing but one code, in a format not parsed above: the code as it stands.
    const code = OTHER_CODE.exec(fold(text));
    if (code) {
      add('postcode', [code[1], code[2]].filter(Boolean).join(' ').toUpperCase());
      return out;
    }
  }
  for (const m of rest.matchAll(UK_OUTWARD)) add('postcode', (m[1] ?? '').toUpperCase());
  return out;
}

/** True when one candidate is the order's e-mail address (any case) or its postcode or ZIP (ignoring spaces and case). */
export function candidateMatches(candidate: ProofCandidate, customer: { email?: string | null; postcode?: string | null }): boolean {
  if (candidate.kind === 'email') {
    const email = customer.email?.trim().toLowerCase();
    return Boolean(email) && candidate.value.toLowerCase() === email;
  }
  const onFile = customer.postcode?.trim();
  if (!onFile) return false;
  return samePostcode(candidate.value, normalizePostcode(onFile) ?? onFile);
}

/**
 * True when the message holds exactly one candidate proof (see {@link proofCandidates}) and it is
 * the order's e-mail address or postcode ("it's sam@example.com", "postcode is ls1 4ap"). A message
 * with several candidates proves nothing, even if one of them is right.
 */
export function matchesCustomer(text: string, customer: { email?: string | null; postcode?: string | null }): boolean {
  const candidates = proofCandidates(text);
  return candidates.length === 1 && candidateMatches(candidates[0]!, customer);
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
