/**
 * The support staff console: one page on the bot server itself (nothing external, strict CSP).
 *
 *   GET /agent                               the page (HTML, in the browser's language)
 *   GET /agent/strings.json?locale=L         the console's labels from locales/ (`console.*` and the
 *                                            names it shows: reasons, fault causes)
 *   GET /agent/console-<hash>.js|css         the page's script and styles (cached for a year)
 *
 * The page signs in with `POST /agent/login` (the access key goes there once and is never kept in
 * the page or in storage), then works only with the session cookie the server set (HttpOnly,
 * SameSite=Strict) and the staff API of src/server/agent-api.ts, sending the session's
 * `X-CSRF-Token` on every call that changes something, and follows `GET /api/agent/events`.
 * Assets live in `src/web/agent/` and are read from the package root (tsc does not copy them).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type restify from 'restify';
import type { Config } from '../config.js';
import { messagesOf, negotiateLocale, t } from '../i18n/index.js';
import { ROOT } from '../paths.js';
import { loadPack } from '../policy/packs.js';
import { localeFromAcceptLanguage } from './index.js';

const ASSETS_DIR = join(ROOT, 'src', 'web', 'agent');
const YEAR = 'public, max-age=31536000, immutable';
/** Key prefixes the page needs at run time. */
const PAGE_KEYS = ['console.', 'reasonName.', 'faultCauseName.'];

const hash = (data: string) => createHash('sha256').update(data).digest('hex').slice(0, 12);
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The console's labels in a locale. */
export function consoleStrings(locale: string): Record<string, string> {
  const keys = Object.keys(messagesOf('en-GB')).filter((k) => PAGE_KEYS.some((p) => k.startsWith(p)));
  return Object.fromEntries(keys.map((k) => [k, t(locale, k)]));
}

/** The console's Content-Security-Policy: this origin only, no inline script or style. */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  // Customers' photos are served by this server (Direct Line attachments).
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function registerAgentConsole(server: restify.Server, deps: { config: Pick<Config, 'RETURNS_DEFAULT_POLICY'> }): void {
  const fallbackLocale = loadPack(deps.config.RETURNS_DEFAULT_POLICY).pack.locale;
  const read = (name: string) => readFileSync(join(ASSETS_DIR, name), 'utf8');
  const js = read('console.js');
  const css = read('console.css');
  const template = read('index.html');
  const assets = new Map([
    [`console-${hash(js)}.js`, { type: 'text/javascript; charset=utf-8', body: js }],
    [`console-${hash(css)}.css`, { type: 'text/css; charset=utf-8', body: css }],
  ]);
  const [jsName, cssName] = [...assets.keys()];

  const send = (res: restify.Response, status: number, type: string, body: string, headers: Record<string, string> = {}) => {
    res.setHeader('content-type', type);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('cross-origin-resource-policy', 'same-origin');
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    res.writeHead(status);
    res.end(body);
  };

  server.get('/agent', async (req: restify.Request, res: restify.Response) => {
    const locale = localeFromAcceptLanguage(req.headers['accept-language'], fallbackLocale);
    const html = template.replace(/\{\{(\w+)(?::([\w.-]+))?\}\}/g, (_, name: string, key?: string) => {
      if (name === 't' && key) return escapeHtml(t(locale, key));
      if (name === 'lang') return locale;
      if (name === 'js') return `/agent/${jsName}`;
      if (name === 'css') return `/agent/${cssName}`;
      return '';
    });
    send(res, 200, 'text/html; charset=utf-8', html, {
      'content-security-policy': CONSOLE_CSP,
      'cache-control': 'no-store',
      vary: 'Accept-Language',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'content-language': locale,
    });
  });

  server.get('/agent/strings.json', async (req: restify.Request, res: restify.Response) => {
    const requested = new URL(req.url ?? '/', 'http://localhost').searchParams.get('locale');
    const locale = negotiateLocale(requested && /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/.test(requested) ? requested : null, fallbackLocale);
    send(res, 200, 'application/json; charset=utf-8', JSON.stringify({ locale, strings: consoleStrings(locale) }), { 'cache-control': 'public, max-age=600' });
  });

  server.get('/agent/:file', async (req: restify.Request, res: restify.Response) => {
    const asset = assets.get(String(req.params.file));
    if (!asset) {
      send(res, 404, 'application/json', JSON.stringify({ error: 'not-found' }));
      return;
    }
    send(res, 200, asset.type, asset.body, { 'cache-control': YEAR });
  });
}
