/**
 * Messages in the customer's language: locale files in `locales/` (flat keys, `{name}` placeholders),
 * locale negotiation, and formatting of dates, money and lists per locale.
 *
 * A locale file may name a `$fallback` locale for the keys it does not define (en-US falls back to
 * en-GB for wording that is the same). Every key the machine can emit is in every locale (a test
 * checks), so the last resort — showing the key — never reaches a customer in practice.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { LOCALES_DIR } from '../paths.js';
import { dictionaryOf, own, parseDictionary } from './dictionary.js';

export type Messages = Record<string, string>;

export interface LocaleFile {
  $fallback?: string;
  $name?: string;
  messages: Messages;
}

/** A renderable part: a key with parameters (the machine's `Part`, kept structural here). */
export interface MessagePart {
  key: string;
  params?: Record<string, unknown>;
}

const files = new Map<string, LocaleFile>();

function loadAll(): Map<string, LocaleFile> {
  if (files.size) return files;
  for (const f of readdirSync(LOCALES_DIR)) {
    if (!f.endsWith('.json')) continue;
    const data = parseDictionary<LocaleFile>(readFileSync(join(LOCALES_DIR, f), 'utf8'));
    files.set(basename(f, '.json'), data);
  }
  return files;
}

/** Locales with a message file, e.g. ["en-GB", "en-US", "es-US"]. */
export function supportedLocales(): string[] {
  return [...loadAll().keys()].sort();
}

/** Every message of a locale, fallbacks resolved (own keys win). */
export function messagesOf(locale: string): Messages {
  const all = loadAll();
  const chain: LocaleFile[] = [];
  let current: string | undefined = locale;
  const seen = new Set<string>();
  while (current && !seen.has(current)) {
    seen.add(current);
    const file = all.get(current);
    if (!file) break;
    chain.push(file);
    current = file.$fallback;
  }
  return dictionaryOf(...chain.reverse().map((f) => f.messages));
}

/** Messages a pack adds for its own reason codes and conditions (a merchant's pack may carry them). */
const extra = new Map<string, Messages>();
export function addMessages(locale: string, messages: Messages): void {
  extra.set(locale, dictionaryOf(extra.get(locale), messages));
  resolved.delete(locale);
}

const resolved = new Map<string, Messages>();
function table(locale: string): Messages {
  let m = resolved.get(locale);
  if (!m) {
    m = dictionaryOf(messagesOf('en-GB'), messagesOf(locale), extra.get(locale));
    resolved.set(locale, m);
  }
  return m;
}

/**
 * The supported locale for a requested one (an activity's `locale`): exact match, then the same
 * language (es-MX → es-US; en-AU → the fallback if it is English, else en-GB), then the fallback
 * (the pack's locale).
 */
export function negotiateLocale(requested: string | null | undefined, fallback: string): string {
  const supported = supportedLocales();
  const pick = (l: string | null | undefined) => (l ? supported.find((s) => s.toLowerCase() === l.toLowerCase()) : undefined);
  const exact = pick(requested);
  if (exact) return exact;
  const lang = requested?.split(/[-_]/)[0]?.toLowerCase();
  if (lang) {
    const fb = pick(fallback);
    if (fb && fb.toLowerCase().startsWith(`${lang}-`)) return fb;
    const same = supported.find((s) => s.toLowerCase().startsWith(`${lang}-`));
    if (same) return same;
  }
  return pick(fallback) ?? 'en-GB';
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();
/** A calendar date (YYYY-MM-DD) written for the locale: "5 January 2027", "January 5, 2027". */
export function formatDate(locale: string, date: string): string {
  let f = dateFormats.get(locale);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeZone: 'UTC' });
    dateFormats.set(locale, f);
  }
  const d = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return date;
  // Spanish writes "el jueves 14 de enero", without the comma Intl puts after the weekday.
  return locale.startsWith('es') ? f.format(d).replace(/^(\p{L}+), /u, '$1 ') : f.format(d);
}

/** An amount of money written for the locale: "£59.99", "$1,100.00", "1100,00 US$". */
export function formatMoney(locale: string, amount: number, currency: string): string {
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(amount);
}

function formatList(locale: string, items: string[], style: 'and' | 'or' | 'lines' | 'numbered'): string {
  if (style === 'lines') return items.map((i) => `\n• ${i}`).join('');
  if (style === 'numbered') return items.map((i, n) => `\n${n + 1}. ${i}`).join('');
  return new Intl.ListFormat(locale, { style: 'long', type: style === 'or' ? 'disjunction' : 'conjunction' }).format(items);
}

function formatParam(locale: string, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return new Intl.NumberFormat(locale).format(value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'object') {
    const v = dictionaryOf(value as Record<string, unknown>);
    if (typeof v.date === 'string') return formatDate(locale, v.date);
    if (typeof v.money === 'number' && typeof v.currency === 'string') return formatMoney(locale, v.money, v.currency);
    if (typeof v.key === 'string') return t(locale, v.key, (v.params as Record<string, unknown>) ?? {});
    if (Array.isArray(v.list)) {
      const style = v.style === 'or' || v.style === 'lines' || v.style === 'numbered' ? v.style : 'and';
      return formatList(
        locale,
        (v.list as MessagePart[]).map((p) => t(locale, p.key, p.params ?? {})),
        style,
      );
    }
  }
  return String(value);
}

const PLACEHOLDER = /\{(\w+)\}/g;

/** The message for `key` in `locale`, with `{name}` placeholders filled. */
export function t(locale: string, key: string, params: Record<string, unknown> = {}): string {
  const template = own(table(locale), key);
  if (template === undefined) return key;
  return template.replace(PLACEHOLDER, (_, name: string) => (Object.hasOwn(params, name) ? formatParam(locale, params[name]) : `{${name}}`));
}

/** True when the locale defines the key (after fallbacks). */
export function hasMessage(locale: string, key: string): boolean {
  return own(table(locale), key) !== undefined;
}

/** A message made of parts, joined as paragraphs. */
export function renderParts(locale: string, parts: readonly MessagePart[]): string {
  return parts
    .map((p) => t(locale, p.key, p.params ?? {}))
    .filter(Boolean)
    .join('\n\n');
}
