/**
 * Helpers for the browser tests of the website widget: a headless Chromium (playwright-core, the
 * system's chromium, no network beyond the bot server), the widget's visible controls found by
 * role and text, the conversation the widget keeps in localStorage, and a small PNG made here.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { encodePng } from '../../manifest/png.js';
import { ROOT } from '../../src/paths.js';
import { widgetStrings } from '../../src/web/index.js';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const hasChromium = (): boolean => existsSync(CHROMIUM);

export const ARTIFACTS = join(ROOT, 'test', 'artifacts');

export const RMA_PATTERN = /RMA-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}/;

export async function launchChromium(): Promise<Browser> {
  // playwright-core gives each launch a fresh temporary profile (user-data dir) and removes it on close.
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** What went wrong in a browser context that no assertion looks for by itself. */
export interface Problems {
  /** Requests to anything but the bot server (aborted). */
  external: string[];
  /** Uncaught exceptions in the page. */
  pageErrors: string[];
  /** Content-Security-Policy violations reported by the page. */
  csp: string[];
  /** console.error messages. */
  consoleErrors: string[];
}

/** A browser context (its own cookies and storage) that may reach only `botUrl` (and `alsoAllowed` origins). */
export async function newContext(browser: Browser, botUrl: string, alsoAllowed: string[] = [], locale = 'en-GB'): Promise<{ context: BrowserContext; problems: Problems }> {
  const context = await browser.newContext({ locale, viewport: { width: 1120, height: 760 }, serviceWorkers: 'block' });
  const problems: Problems = { external: [], pageErrors: [], csp: [], consoleErrors: [] };
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if ([botUrl, ...alsoAllowed].some((o) => url.startsWith(`${o}/`)) || url.startsWith('blob:') || url.startsWith('data:')) await route.continue();
    else {
      problems.external.push(url);
      await route.abort('blockedbyclient');
    }
  });
  // (Runs in the page, so it is given as text.)
  await context.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber));`,
  });
  context.on('page', (page) => watch(page, problems));
  return { context, problems };
}

function watch(page: Page, problems: Problems): void {
  page.on('pageerror', (e) => problems.pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (m.text().startsWith('CSP violation')) problems.csp.push(m.text());
    else problems.consoleErrors.push(m.text());
  });
}

/** The widget on the demo page, as a customer sees it. */
export class Widget {
  constructor(
    readonly page: Page,
    /** The widget's labels the customer sees (from locales/, as the server serves them). */
    readonly labels: Record<string, string> = widgetStrings('en-GB'),
  ) {}

  get launcher(): Locator {
    return this.page.getByRole('button', { name: this.labels['widget.launcher'], exact: true });
  }

  get panel(): Locator {
    return this.page.getByRole('dialog', { name: this.labels['widget.title'] });
  }

  get sendBox(): Locator {
    return this.panel.getByPlaceholder(this.labels['widget.input.placeholder']!);
  }

  get suggestedActions(): Locator {
    return this.panel.getByRole('toolbar', { name: 'Suggested actions' });
  }

  /** The header's "talk to a person" button (not a suggested action of the same name). */
  get talkToPerson(): Locator {
    return this.panel.locator('header').getByRole('button', { name: this.labels['widget.human'] });
  }

  /** A message paragraph in the transcript containing `text`. */
  message(text: string | RegExp): Locator {
    return this.panel.getByRole('paragraph').filter({ hasText: text });
  }

  async open(botUrl: string): Promise<void> {
    await this.page.goto(`${botUrl}/`);
    await this.launcher.click();
    await this.panel.waitFor();
  }

  /** Wait until the bot (or the customer) has said `text`. */
  async sees(text: string | RegExp, timeout = 20_000): Promise<void> {
    await this.message(text).last().waitFor({ timeout });
  }

  async type(text: string): Promise<void> {
    await this.sendBox.fill(text);
    await this.sendBox.press('Enter');
  }

  /** Click the suggested action `title`, then wait for the bot's next question `next`. */
  async choose(title: string, next?: string | RegExp): Promise<void> {
    await this.suggestedActions.getByRole('button', { name: title, exact: true }).click();
    if (next) await this.sees(next);
  }

  /** Wait until the transcript has stopped scrolling (Web Chat animates it), then show `text` at the top. */
  async showAtTop(text: string | RegExp): Promise<void> {
    await this.page.evaluate(`new Promise((resolve) => {
      const el = document.querySelector('.webchat__basic-transcript__scrollable');
      let last = el ? el.scrollTop : 0, still = 0;
      const tick = () => {
        if (!el) return resolve(true);
        if (el.scrollTop === last) still++;
        else { still = 0; last = el.scrollTop; }
        if (still >= 10) resolve(true);
        else requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    })`);
    await this.message(text)
      .last()
      .evaluate((p) => (p as { scrollIntoView: (o: unknown) => void }).scrollIntoView({ block: 'start' }));
  }

  async screenshot(name: string): Promise<string> {
    mkdirSync(ARTIFACTS, { recursive: true });
    const path = join(ARTIFACTS, name);
    await this.page.screenshot({ path });
    return path;
  }

  /** The conversation the widget keeps for `botUrl`: {conversationId, token, userId}. */
  async saved(botUrl: string): Promise<{ conversationId: string; token: string; userId: string }> {
    const raw = (await this.page.evaluate(`localStorage.getItem(${JSON.stringify(`returnsbot:${new URL(botUrl).origin}`)})`)) as string | null;
    if (!raw) throw new Error('the widget saved no conversation');
    return JSON.parse(raw) as { conversationId: string; token: string; userId: string };
  }
}

// ---------------------------------------------------------------------------------------------
// A small PNG, made here (no image files in the repository)

/** A `width`×`height` RGB PNG: a diagonal gradient with a dark "crack" across it. */
export function makePng(width = 96, height = 64): Buffer {
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const crack = Math.abs(y - Math.round(height / 2 + 10 * Math.sin(x / 7))) < 2;
      rgba.set(crack ? [20, 20, 30, 255] : [60 + Math.round((150 * x) / width), 90 + Math.round((120 * y) / height), 160, 255], (y * width + x) * 4);
    }
  }
  return encodePng({ width, height, rgba }, { alpha: false });
}

// ---------------------------------------------------------------------------------------------
// Another website, on this machine, that embeds the widget with the one-line snippet

export interface Site {
  /** Its origin, e.g. http://localhost:41234 (a different site from the bot's http://127.0.0.1:…). */
  origin: string;
  /** Serve a page embedding `<script src="{botUrl}/widget.js" async>` at every path. */
  embed: (botUrl: string) => void;
  close: () => Promise<void>;
}

export async function startSite(title: string): Promise<Site> {
  let botUrl = '';
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><head><title>${title}</title></head><body><h1>${title}</h1><script src="${botUrl}/widget.js" async></script></body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://localhost:${(server.address() as AddressInfo).port}`,
    embed: (url) => (botUrl = url),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
