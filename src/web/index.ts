/**
 * The website widget and the demo shop page, served by the bot server itself (no CDN, nothing
 * external):
 *
 *   GET /                                    a demo shop page with the widget (strict CSP, same-origin only)
 *   GET /widget.js                           the one-line embed for any site: <script src="…/widget.js" async>
 *   GET /widget/strings.json?locale=L        the widget's labels from locales/ in the negotiated locale
 *   GET /widget/widget-<hash>.css            the widget's styles (cached for a year)
 *   GET /widget/shop-<hash>.css              the demo page's styles (cached for a year)
 *   GET /widget/vendor/webchat-<version>-<hash>.js   Web Chat's prebuilt bundle from the
 *                                            botframework-webchat package (cached for a year, gzip)
 *
 * The widget talks to the Direct Line endpoints in src/directline/routes.ts with a per-conversation
 * token from `POST /api/widget/token`; no secret is ever in a page. Assets live in
 * `src/web/static/` and are read from the package root (tsc does not copy them to dist/). Web Chat's
 * bundle (3.9 MB) is read, hashed and compressed on its first request, not at start.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type restify from 'restify';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { messagesOf, negotiateLocale, supportedLocales, t } from '../i18n/index.js';
import { ROOT } from '../paths.js';
import { loadPack } from '../policy/packs.js';

const STATIC_DIR = join(ROOT, 'src', 'web', 'static');
const YEAR = 'public, max-age=31536000, immutable';

/** Where the botframework-webchat package is (its `exports` hide dist/, so resolve the main file). */
export function webChatPackage(): { dir: string; version: string; bundle: string; size: number } {
  const require = createRequire(import.meta.url);
  const dir = dirname(dirname(require.resolve('botframework-webchat')));
  const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  const bundle = join(dir, 'dist', 'webchat.js');
  return { dir, version, bundle, size: statSync(bundle).size };
}

const hash = (data: string | Buffer) => createHash('sha256').update(data).digest('hex').slice(0, 12);

interface Bundle {
  name: string;
  body: Buffer;
  gzipped: Buffer;
}

/** The locale for an Accept-Language header: the first language (by weight) we speak, else `fallback`. */
export function localeFromAcceptLanguage(header: string | undefined, fallback: string): string {
  const tags = (header ?? '')
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), i };
    })
    .filter((x) => /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(x.tag) && x.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  const languages = new Set(supportedLocales().map((l) => l.split('-')[0]!.toLowerCase()));
  const spoken = tags.find((x) => languages.has(x.tag.split('-')[0]!.toLowerCase()));
  return negotiateLocale(spoken?.tag ?? null, fallback);
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The widget's own labels (`widget.*` keys) in a locale. */
export function widgetStrings(locale: string): Record<string, string> {
  const keys = Object.keys(messagesOf('en-GB')).filter((k) => k.startsWith('widget.'));
  return Object.fromEntries(keys.map((k) => [k, t(locale, k)]));
}

/** The hash of an empty `<style>` element (CSP `'sha256-…'` of ""). */
const EMPTY_STYLE = `'sha256-${createHash('sha256').update('').digest('base64')}'`;

/**
 * The Content-Security-Policy of the demo page: only this origin. Web Chat's style elements carry
 * the page's nonce; one library inside it (react-scroll-to-bottom) is not given the nonce and adds
 * an empty `<style>` whose rules it inserts through the CSSOM, so empty style elements are allowed
 * by their hash — no inline style text is.
 */
export function demoPageCsp(nonce: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${nonce}' ${EMPTY_STYLE}`,
    "img-src 'self' blob: data:",
    "media-src 'self' blob:",
    "font-src 'self'",
    // blob: — Web Chat reads the photo the customer picked before uploading it.
    "connect-src 'self' blob:",
    // Web Chat makes the photo's thumbnail in a worker it starts from a blob.
    "worker-src 'self' blob:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** What the demo shop and the widget's assets use. */
export interface WebDeps {
  config: Pick<Config, 'RETURNS_DEFAULT_POLICY'>;
  logger: Logger;
}

export function registerWeb(server: restify.Server, deps: WebDeps): void {
  const { config, logger } = deps;
  const fallbackLocale = loadPack(config.RETURNS_DEFAULT_POLICY).pack.locale;
  const read = (name: string) => readFileSync(join(STATIC_DIR, name), 'utf8');

  const widgetCss = read('widget.css');
  const shopCss = read('shop.css');
  const widgetCssUrl = `/widget/widget-${hash(widgetCss)}.css`;
  const shopCssUrl = `/widget/shop-${hash(shopCss)}.css`;
  const pageTemplate = read('index.html');
  const widgetTemplate = read('widget.js');

  const webChat = webChatPackage();
  let bundle: Promise<Bundle> | null = null;
  const loadBundle = (): Promise<Bundle> => {
    bundle ??= (async () => {
      const body = await readFile(webChat.bundle);
      const gzipped = await promisify(gzip)(body, { level: 9 });
      return { name: `webchat-${webChat.version}-${hash(body)}.js`, body, gzipped };
    })();
    bundle.catch((e: unknown) => {
      logger.error({ err: e instanceof Error ? e.message : String(e) }, 'web chat bundle could not be read');
      bundle = null;
    });
    return bundle;
  };

  let widgetJs: Promise<string> | null = null;
  const loadWidgetJs = (): Promise<string> => {
    widgetJs ??= loadBundle().then((b) => {
      const assets = { version: webChat.version, webchat: `/widget/vendor/${b.name}`, css: widgetCssUrl };
      return widgetTemplate.replace('__RETURNSBOT_ASSETS__', JSON.stringify(assets));
    });
    widgetJs.catch(() => (widgetJs = null));
    return widgetJs;
  };

  const send = (res: restify.Response, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}) => {
    res.setHeader('content-type', type);
    res.setHeader('x-content-type-options', 'nosniff');
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    res.writeHead(status);
    res.end(body);
  };
  // Assets any site may load with <script>/<link> (and fetch, for the labels).
  const crossSite = { 'cross-origin-resource-policy': 'cross-origin' };

  server.get('/', async (req: restify.Request, res: restify.Response) => {
    const locale = localeFromAcceptLanguage(req.headers['accept-language'], fallbackLocale);
    const nonce = randomBytes(16).toString('base64');
    const html = pageTemplate.replace(/\{\{(\w+)(?::([\w.-]+))?\}\}/g, (_, name: string, key?: string) => {
      if (name === 't' && key) return escapeHtml(t(locale, key));
      if (name === 'lang') return locale;
      if (name === 'nonce') return nonce;
      if (name === 'shopCss') return shopCssUrl;
      return '';
    });
    send(res, 200, 'text/html; charset=utf-8', html, {
      'content-security-policy': demoPageCsp(nonce),
      'cache-control': 'no-cache',
      vary: 'Accept-Language',
      'referrer-policy': 'no-referrer',
      'content-language': locale,
    });
  });

  server.get('/widget.js', async (_req: restify.Request, res: restify.Response) => {
    try {
      send(res, 200, 'text/javascript; charset=utf-8', await loadWidgetJs(), { 'cache-control': 'public, max-age=300', ...crossSite });
    } catch {
      send(res, 503, 'application/json', JSON.stringify({ error: 'unavailable' }), { 'cache-control': 'no-store' });
    }
  });

  server.get('/widget/strings.json', async (req: restify.Request, res: restify.Response) => {
    const requested = new URL(req.url ?? '/', 'http://localhost').searchParams.get('locale');
    const locale = negotiateLocale(requested && /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/.test(requested) ? requested : null, fallbackLocale);
    send(res, 200, 'application/json; charset=utf-8', JSON.stringify({ locale, strings: widgetStrings(locale) }), {
      'cache-control': 'public, max-age=600',
      'access-control-allow-origin': '*',
      ...crossSite,
    });
  });

  server.get('/widget/:file', async (req: restify.Request, res: restify.Response) => {
    const file = String(req.params.file);
    const css = `/widget/${file}` === widgetCssUrl ? widgetCss : `/widget/${file}` === shopCssUrl ? shopCss : null;
    if (css === null) {
      send(res, 404, 'application/json', JSON.stringify({ error: 'not-found' }));
      return;
    }
    send(res, 200, 'text/css; charset=utf-8', css, { 'cache-control': YEAR, ...crossSite });
  });

  server.get('/widget/vendor/:file', async (req: restify.Request, res: restify.Response) => {
    const file = String(req.params.file);
    if (!/^webchat-[\w.-]+\.js$/.test(file)) {
      send(res, 404, 'application/json', JSON.stringify({ error: 'not-found' }));
      return;
    }
    let b: Bundle;
    try {
      b = await loadBundle();
    } catch {
      send(res, 503, 'application/json', JSON.stringify({ error: 'unavailable' }), { 'cache-control': 'no-store' });
      return;
    }
    // An older name (a page cached before an upgrade) still gets the current bundle, briefly cached.
    const headers: Record<string, string> = { 'cache-control': file === b.name ? YEAR : 'public, max-age=300', vary: 'Accept-Encoding', ...crossSite };
    const gz = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    if (gz) headers['content-encoding'] = 'gzip';
    send(res, 200, 'text/javascript; charset=utf-8', gz ? b.gzipped : b.body, headers);
  });
}
