/**
 * The website widget in a real browser: the demo shop page at `/` with `/widget.js`, Web Chat from
 * our own server, our Direct Line endpoints, headless Chromium (playwright-core). A customer
 * completes two returns by clicking suggested actions and typing (one with a photo), reloads the
 * page and gets the history back, a second browser cannot read the first one's conversation, the
 * header's "talk to a person" button starts a hand-over, another website embeds the widget with the
 * one-line snippet (and one that is not allowed gets nothing), a Spanish browser gets Spanish, and a
 * saved token that is no longer accepted gives way to a new conversation.
 *
 * The page may load nothing but the bot server (everything else is aborted and fails the test), and
 * must run without script errors or Content-Security-Policy violations. Screenshots for review go
 * to test/artifacts/. Without Chromium the suite is reported as pending, with the reason in its title.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { Browser, BrowserContext } from 'playwright-core';
import { startTestBot, type TestBot } from '../support/server.js';
import { hasMessage, supportedLocales } from '../../src/i18n/index.js';
import { ROOT } from '../../src/paths.js';
import { webChatPackage, widgetStrings } from '../../src/web/index.js';
import { CHROMIUM, hasChromium, launchChromium, makePng, newContext, RMA_PATTERN, startSite, Widget, type Problems, type Site } from './helpers.js';

interface Saved {
  conversationId: string;
  token: string;
  userId: string;
}

interface DirectLineActivity {
  type: string;
  text?: string;
  from?: { id?: string; role?: string };
  attachments?: { contentType: string; contentUrl?: string }[];
  channelData?: { returns?: { rma?: string; handoff?: string } };
}

describe('the website widget over HTTP (no browser needed)', function () {
  let bot: TestBot;
  before(async () => {
    bot = await startTestBot();
  });
  after(async () => {
    await bot?.stop();
  });

  it("serves the demo page in the visitor's language with a strict CSP and the one-line embed", async () => {
    const page = await fetch(`${bot.url}/`, { headers: { 'accept-language': 'fr-FR, es-MX;q=0.8, en;q=0.5' } });
    const html = await page.text();
    expect(page.status).to.equal(200);
    expect(page.headers.get('content-language')).to.equal('es-US');
    expect(page.headers.get('content-security-policy')).to.match(/^default-src 'none'; script-src 'self'; style-src 'self' 'nonce-[^']+' 'sha256-[^']+';/);
    const nonce = /'nonce-([^']+)'/.exec(page.headers.get('content-security-policy')!)![1];
    expect(html).to.include(`<script src="/widget.js" nonce="${nonce}" async></script>`);
    expect(html).to.include('<html lang="es-US">').and.include('Iniciar una devolución');
    expect(html, 'every placeholder filled').not.to.match(/\{\{/);
  });

  it("serves widget.js with Web Chat's bundle (version and hash in its URL, a long cache, gzip) and the CSS", async () => {
    const res = await fetch(`${bot.url}/widget.js`);
    expect(res.headers.get('content-type')).to.match(/^text\/javascript/);
    const widgetJs = await res.text();
    expect(widgetJs).not.to.include('__RETURNSBOT_ASSETS__');
    const webchat = /"webchat":"(\/widget\/vendor\/webchat-4\.18\.1-[0-9a-f]{12}\.js)"/.exec(widgetJs)?.[1];
    const css = /"css":"(\/widget\/widget-[0-9a-f]{12}\.css)"/.exec(widgetJs)?.[1];
    expect(webchat, 'the bundle URL carries the version and a hash').to.be.a('string');
    const bundle = await fetch(`${bot.url}${webchat}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(bundle.status).to.equal(200);
    expect(bundle.headers.get('cache-control')).to.equal('public, max-age=31536000, immutable');
    expect(bundle.headers.get('content-encoding')).to.equal('gzip');
    expect((await bundle.arrayBuffer()).byteLength, 'the whole Web Chat bundle (fetch unzips it)').to.equal(webChatPackage().size);
    const style = await fetch(`${bot.url}${css}`);
    expect(style.headers.get('content-type')).to.match(/^text\/css/);
    expect(await style.text()).to.include('.rb-launcher');
    expect((await fetch(`${bot.url}/widget/widget-000000000000.css`)).status).to.equal(404);
  });

  it('every label the widget and the demo page use is in every locale', () => {
    const used = [
      ...[...readFileSync(join(ROOT, 'src/web/static/widget.js'), 'utf8').matchAll(/\bs\('([\w.]+)'\)/g)].map((m) => m[1]!),
      ...[...readFileSync(join(ROOT, 'src/web/static/index.html'), 'utf8').matchAll(/\{\{t:([\w.]+)\}\}/g)].map((m) => m[1]!),
    ];
    expect(used.length).to.be.greaterThan(15);
    for (const locale of supportedLocales()) {
      expect(
        used.filter((k) => !hasMessage(locale, k)),
        locale,
      ).to.deep.equal([]);
    }
  });

  it("serves the widget's labels from locales/ in the negotiated locale", async () => {
    const es = (await (await fetch(`${bot.url}/widget/strings.json?locale=es-MX`)).json()) as { locale: string; strings: Record<string, string> };
    expect(es.locale).to.equal('es-US');
    expect(es.strings['widget.human']).to.equal('Hablar con una persona');
    const fr = (await (await fetch(`${bot.url}/widget/strings.json?locale=fr-FR`)).json()) as { locale: string; strings: Record<string, string> };
    expect(fr.locale).to.equal('en-GB');
    expect(fr.strings['widget.human']).to.equal('Talk to a person');
  });
});

describe(`widget in a real browser${hasChromium() ? '' : ` — PENDING: no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`}`, function () {
  this.timeout(60_000);
  let bot: TestBot;
  let shop: Site;
  let stranger: Site;
  let browser: Browser;
  const contexts: { context: BrowserContext; problems: Problems }[] = [];
  // Shared between the tests, in order: the faulty return's browser (reloaded in test 3, read by test 4).
  let faulty: { widget: Widget; saved: Saved; rma: string } | null = null;
  let second: { widget: Widget; saved: Saved } | null = null;

  before(async function () {
    if (!hasChromium()) this.skip();
    // Two other websites on this machine: a shop allowed to embed the widget, and a stranger.
    shop = await startSite('Another shop');
    stranger = await startSite('A stranger');
    bot = await startTestBot({ RETURNS_ALLOWED_ORIGINS: shop.origin });
    shop.embed(bot.url);
    stranger.embed(bot.url);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await bot?.stop();
    await shop?.close();
    await stranger?.close();
  });

  afterEach(function () {
    // Nothing external, no uncaught errors, no CSP violations, in any browser so far.
    for (const { problems } of contexts) {
      expect(problems.external, 'requests outside the bot server').to.deep.equal([]);
      expect(problems.pageErrors, 'uncaught errors in the page').to.deep.equal([]);
      expect(problems.csp, 'Content-Security-Policy violations').to.deep.equal([]);
      expect(problems.consoleErrors, 'console errors').to.deep.equal([]);
    }
  });

  async function openWidget(): Promise<Widget> {
    const c = await newContext(browser, bot.url);
    contexts.push(c);
    const widget = new Widget(await c.context.newPage());
    await widget.open(bot.url);
    return widget;
  }

  const api = async (saved: { token: string }, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${bot.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${saved.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, json: (await res.json().catch(() => null)) as { activities?: DirectLineActivity[] } | null };
  };

  it('(1) a change-of-mind return: suggested actions and typing (with the typing indicator), up to the RMA number', async () => {
    const w = await openWidget();
    await w.sees('What is your order number?');
    await w.panel.getByText('Connecting…').last().waitFor({ state: 'hidden' });
    await w.screenshot('widget-open.png');
    // While the bot works on an answer (held here), the widget shows Web Chat's typing indicator.
    const service = bot.runtime.service;
    const handle = service.handle.bind(service);
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    service.handle = async (req) => {
      if (req.text === 'UK-100234') await held;
      return handle(req);
    };
    try {
      await w.type('UK-100234');
      await w.panel.locator('.webchat__typing-indicator').waitFor();
    } finally {
      release();
      service.handle = handle;
    }
    await w.sees('To make sure order UK-100234 is yours');
    await w.type('sam@example.com');
    await w.sees('Which item would you like to return?');
    await w.choose('Studio headphones', 'Why are you returning the Studio headphones?');
    await w.choose('I changed my mind', 'hygiene seal');
    await w.choose('No', 'used, installed');
    // Headphones have no serial number label to ask about (the pack's features).
    await w.choose('No', 'Shall I book the return');
    await w.choose('Yes, book it', RMA_PATTERN);
    const text = await w
      .message(/Your RMA number is/)
      .last()
      .textContent();
    expect(text).to.match(/Your RMA number is RMA-/);
    // …and the card under the message holds the number too, where the transcript ends.
    expect(await w.panel.locator('.ac-adaptiveCard').last().textContent()).to.include(RMA_PATTERN.exec(text ?? '')?.[0] ?? '(none)');
    await w.showAtTop('Yes, book it');
    await w.screenshot('widget-rma.png');
    // The customer's own messages are theirs (Web Chat's userID is the token's user).
    const saved = await w.saved(bot.url);
    const { json } = await api(saved, 'GET', `/v3/directline/conversations/${saved.conversationId}/activities`);
    const mine = json!.activities!.filter((a) => a.type === 'message' && a.from?.role === 'user');
    expect(mine.map((a) => a.text)).to.include.members(['UK-100234', 'sam@example.com', 'Studio headphones', 'I changed my mind', 'Yes, book it']);
    expect(new Set(mine.map((a) => a.from?.id))).to.deep.equal(new Set([saved.userId]));
  });

  it("(2) a faulty return with a photo attached through Web Chat's upload button", async () => {
    const w = await openWidget();
    await w.sees('What is your order number?');
    await w.type('UK-100234');
    await w.sees('To make sure order UK-100234 is yours');
    await w.type('sam@example.com');
    await w.choose('Aero 15 notebook', 'Why are you returning the Aero 15 notebook?');
    await w.type("it won't turn on");
    await w.sees('What happened to the Aero 15 notebook?');
    // Web Chat's hidden file input; the photo goes up as soon as it is picked (sendAttachmentOn: attach).
    await w.page.locator('input[type="file"]').setInputFiles({ name: 'notebook-screen.png', mimeType: 'image/png', buffer: makePng() });
    await w.sees(/I've added 1 photo/);
    // The photo shows in the transcript, served back by the bot server.
    const photo = w.panel.locator('img[src*="/v3/directline/attachments/"]');
    await photo.first().waitFor();
    expect(await photo.first().evaluate((img) => (img as { complete: boolean; naturalWidth: number }).complete && (img as { naturalWidth: number }).naturalWidth)).to.equal(96);
    await w.sees('What happened to the Aero 15 notebook?');
    await w.type('it just stopped working');
    await w.sees('opened up, modified');
    await w.choose('No', 'serial number label');
    await w.choose('Yes', 'Would you like a refund, a repair or a replacement?');
    await w.choose('Refund', 'Shall I book the return');
    await w.choose('Yes, book it', RMA_PATTERN);
    const rma = RMA_PATTERN.exec((await w.message(RMA_PATTERN).last().textContent()) ?? '')?.[0];
    expect(rma).to.be.a('string');
    const saved = await w.saved(bot.url);
    const stored = await bot.runtime.store.findRma('UK-100234', 'NB-15', 'faulty');
    expect(stored?.rma).to.equal(rma);
    const { json } = await api(saved, 'GET', `/v3/directline/conversations/${saved.conversationId}/activities`);
    const upload = json!.activities!.find((a) => a.attachments?.length);
    expect(upload?.attachments?.[0]?.contentType).to.equal('image/png');
    faulty = { widget: w, saved, rma: rma! };
  });

  it('(3) a reload continues the conversation: the history, the photo and the RMA come back', async () => {
    expect(faulty, 'needs the conversation of test (2)').to.not.equal(null);
    const w = faulty!.widget;
    await w.page.reload();
    // The panel was open, so it opens again; the token is refreshed and the history streams back.
    await w.sees(faulty!.rma);
    await w.sees('Which item would you like to return?');
    await w.sees('it just stopped working');
    await w.sees(/I've added 1 photo/);
    await w.panel.locator('img[src*="/v3/directline/attachments/"]').first().waitFor();
    const after = await w.saved(bot.url);
    expect(after.conversationId).to.equal(faulty!.saved.conversationId);
    expect(after.userId).to.equal(faulty!.saved.userId);
    await w.showAtTop('Why are you returning the Aero 15 notebook?');
    await w.screenshot('widget-reloaded.png');
    // And the conversation goes on after the reload.
    await w.choose("That's all");
    await w.sees("That's all", 10_000);
  });

  it('(4) a second browser gets its own conversation and cannot read or write the first', async () => {
    expect(faulty, 'needs the conversation of test (2)').to.not.equal(null);
    const w = await openWidget();
    await w.sees('What is your order number?');
    const saved = await w.saved(bot.url);
    second = { widget: w, saved };
    expect(saved.conversationId).to.not.equal(faulty!.saved.conversationId);
    expect(await w.message(/RMA-|Aero 15 notebook|UK-100234/).count(), 'nothing of the first conversation').to.equal(0);

    const first = faulty!.saved.conversationId;
    const path = (rest = '') => `/v3/directline/conversations/${encodeURIComponent(first)}${rest}`;
    // The first browser's own token reads it (so the request is right, and only the token differs)…
    expect((await api(faulty!.saved, 'GET', path('/activities'))).status).to.equal(200);
    // …the second browser's token does not, in any way; tried from inside the second browser.
    const base = path();
    const requests = [
      { name: 'read', method: 'GET', url: `${base}/activities` },
      { name: 'readAfter', method: 'GET', url: `${base}/activities?watermark=1` },
      { name: 'reconnect', method: 'GET', url: base },
      { name: 'post', method: 'POST', url: `${base}/activities`, json: { type: 'message', text: 'hello', from: { id: saved.userId } } },
      { name: 'upload', method: 'POST', url: `${base}/upload?userId=${encodeURIComponent(saved.userId)}`, photo: true },
    ];
    // (No named functions inside: the page gets this code as text.)
    const statuses = await w.page.evaluate(
      async ({ requests, token }) => {
        const out: Record<string, number> = {};
        for (const r of requests) {
          const headers: Record<string, string> = { authorization: `Bearer ${token}` };
          let body: RequestInit['body'];
          if (r.json) {
            headers['content-type'] = 'application/json';
            body = JSON.stringify(r.json);
          } else if (r.photo) {
            const form = new FormData();
            form.append('file', new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])], { type: 'image/png' }), 'x.png');
            body = form;
          }
          out[r.name] = (await fetch(r.url, { method: r.method, headers, body })).status;
        }
        return out;
      },
      { requests, token: saved.token },
    );
    expect(statuses).to.deep.equal({ read: 403, readAfter: 403, reconnect: 403, post: 403, upload: 403 });
    // The browser logs each refused request; those are the point here, not a problem.
    const problems = contexts[contexts.length - 1]!.problems;
    problems.consoleErrors = problems.consoleErrors.filter((m) => !/status of 403/.test(m));
    // The WebSocket stream refuses it too (with its token as Web Chat passes it, and as a header).
    const wsUrl = `${bot.url.replace(/^http/, 'ws')}${path('/stream')}`;
    expect(await wsStatus(`${wsUrl}?t=${encodeURIComponent(saved.token)}`)).to.equal(403);
    expect(await wsStatus(wsUrl, saved.token)).to.equal(403);
    expect(await wsStatus(`${wsUrl}?t=${encodeURIComponent(faulty!.saved.token)}`), "the first browser's own token opens it").to.equal(101);
    // Nothing was written to the first conversation.
    const { json } = await api(faulty!.saved, 'GET', path('/activities'));
    expect(json!.activities!.some((a) => a.text === 'hello')).to.equal(false);
  });

  it('(5) the header\'s "talk to a person" button starts a hand-over', async () => {
    const w = second?.widget ?? (await openWidget());
    const saved = second?.saved ?? (await w.saved(bot.url));
    await w.sees('What is your order number?');
    await w.talkToPerson.click();
    await w.sees('Talk to a person');
    // The bot's reply says so in the widget, and carries the hand-over (queued) for programs.
    await w.sees(/support team/);
    const { json } = await api(saved, 'GET', `/v3/directline/conversations/${saved.conversationId}/activities`);
    const queued = json?.activities?.find((a) => a.channelData?.returns?.handoff === 'queued');
    expect(queued, 'a reply with channelData.returns.handoff = "queued"').to.not.equal(undefined);
    const firstLine = (queued!.text ?? '').split('\n')[0]!.trim();
    await w.sees(firstLine);
    await w.screenshot('widget-handoff.png');
  });

  it('(6) another site embeds it with the one-line snippet (an allowed origin); a site not allowed gets no conversation', async () => {
    const c = await newContext(browser, bot.url, [shop.origin, stranger.origin]);
    contexts.push(c);
    const onShop = new Widget(await c.context.newPage());
    await onShop.open(shop.origin);
    await onShop.sees('What is your order number?');
    await onShop.type('UK-100234');
    await onShop.sees('To make sure order UK-100234 is yours');
    // The shop's page keeps the conversation, under the bot's origin (taken from the script's src).
    expect((await onShop.saved(bot.url)).conversationId).to.match(/^dl-/);

    const onStranger = new Widget(await c.context.newPage());
    await onStranger.open(stranger.origin);
    await onStranger.panel.getByRole('status').getByText("Sorry, the chat couldn't connect").waitFor();
    await onStranger.panel.getByRole('button', { name: 'Try again' }).waitFor();
    expect(await onStranger.saved(bot.url).catch(() => null), 'no conversation for a site that is not allowed').to.equal(null);
    // The browser reports the refused cross-origin token request; that refusal is the point here.
    c.problems.consoleErrors = c.problems.consoleErrors.filter(
      (m) => !(m.includes('/api/widget/token') && m.includes(`from origin '${stranger.origin}'`)) && m !== 'Failed to load resource: net::ERR_FAILED',
    );
  });

  it("(7) speaks the browser's language: for es-MX the page, the widget's labels and the bot are in Spanish", async () => {
    const c = await newContext(browser, bot.url, [], 'es-MX');
    contexts.push(c);
    const w = new Widget(await c.context.newPage(), widgetStrings('es-US'));
    await w.page.goto(`${bot.url}/`);
    expect(await w.page.locator('html').getAttribute('lang')).to.equal('es-US');
    expect(await w.launcher.textContent()).to.equal('Devoluciones y ayuda');
    await w.launcher.click();
    // Open, the launcher closes the panel.
    await w.page.getByRole('button', { name: 'Cerrar el chat', expanded: true }).waitFor();
    await w.sees('¿Cuál es su número de pedido?');
    await w.sendBox.waitFor();
    await w.talkToPerson.waitFor();
    // Web Chat's own controls carry our labels too.
    await w.panel.getByRole('button', { name: 'Adjuntar fotos' }).waitFor();
  });

  it('(8) a saved conversation whose token is no longer accepted gives way to a new one', async () => {
    const c = await newContext(browser, bot.url);
    contexts.push(c);
    const w = new Widget(await c.context.newPage());
    await w.page.goto(`${bot.url}/`);
    const stale = { conversationId: 'dl-gone', token: 'not-a-valid-token', userId: 'u_gone' };
    await w.page.evaluate(`localStorage.setItem(${JSON.stringify(`returnsbot:${bot.url}`)}, ${JSON.stringify(JSON.stringify(stale))})`);
    await w.open(bot.url);
    await w.sees('What is your order number?');
    const saved = await w.saved(bot.url);
    expect(saved.conversationId).to.match(/^dl-/).and.not.equal(stale.conversationId);
    expect(saved.token).to.not.equal(stale.token);
    // The browser logs the refused refresh; that refusal is the point here.
    c.problems.consoleErrors = c.problems.consoleErrors.filter((m) => !/status of 403/.test(m));
  });
});

/** The HTTP status a WebSocket upgrade gets (101 when it opens). */
function wsStatus(url: string, token?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('error', reject);
  });
}
