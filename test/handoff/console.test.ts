/**
 * The staff console's session and page, over HTTP (no browser): the session cookie is HttpOnly and
 * SameSite=Strict; a call that changes something with the cookie but without the session's
 * X-CSRF-Token (or with a wrong one) is refused with 403 and changes nothing, and works with it;
 * `/agent` is served with a strict Content-Security-Policy, its assets and labels in the
 * browser's language; the live event stream needs a session; a removed agent's session stops
 * working at once; signing out clears the cookie.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { hashAccessKey, newAccessKey } from '../../src/handoff/keys.js';
import { messagesOf } from '../../src/i18n/index.js';
import { say, startTestBot, type TestBot } from '../support/server.js';

interface Session {
  cookie: string;
  csrf: string;
  setCookie: string;
}

describe('hand-over: the staff console session and page', function () {
  this.timeout(60_000);
  let bot: TestBot;
  const alex = newAccessKey();

  before(async () => {
    bot = await startTestBot();
    await bot.runtime.store.addAgent({ name: 'alex', displayName: 'Alex Morgan', keyHash: hashAccessKey(alex), at: new Date().toISOString() });
  });
  after(async () => bot?.stop());

  async function login(key: string): Promise<Session> {
    const res = await fetch(`${bot.url}/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key }) });
    expect(res.status).to.equal(200);
    const body = (await res.json()) as { agent: string; displayName: string; csrf: string };
    const setCookie = res.headers.get('set-cookie') ?? '';
    return { cookie: setCookie.split(';')[0]!, csrf: body.csrf, setCookie };
  }

  /** A call with the session cookie (as the console's page makes it), with or without a CSRF header. */
  async function call(session: Session, method: string, path: string, options: { csrf?: string; body?: unknown } = {}) {
    const res = await fetch(`${bot.url}${path}`, {
      method,
      headers: {
        cookie: session.cookie,
        ...(options.csrf !== undefined ? { 'x-csrf-token': options.csrf } : {}),
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  }

  async function queuedConversation(): Promise<string> {
    const conv = `c-${randomUUID()}`;
    for (const text of ['hi', 'UK-100234', 'sam@example.com', 'Aero 15 notebook']) await say(bot.url, conv, text, { locale: 'en-GB' });
    const r = await say(bot.url, conv, 'can I talk to someone please', { locale: 'en-GB' });
    expect(r.some((a) => a.channelData?.returns?.handoff === 'queued')).to.equal(true);
    return conv;
  }

  it('signs in with the key: an HttpOnly, SameSite=Strict session cookie and a CSRF value; a wrong key gets 401 and no cookie', async () => {
    const session = await login(alex);
    const attributes = session.setCookie.split(';').map((a) => a.trim().toLowerCase());
    expect(session.cookie).to.match(/^rb_staff=.+/);
    expect(attributes).to.include('httponly');
    expect(attributes).to.include('samesite=strict');
    expect(attributes).to.include('path=/');
    expect(session.setCookie, 'the key itself is not in the cookie').not.to.include(alex);
    expect(session.csrf).to.be.a('string').with.length.greaterThan(15);
    const me = await call(session, 'GET', '/api/agent/me');
    expect(me).to.deep.equal({ status: 200, body: { agent: 'alex', displayName: 'Alex Morgan', csrf: session.csrf } });

    for (const key of ['rbk_wrong', `${alex}x`, '']) {
      const res = await fetch(`${bot.url}/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key }) });
      expect(res.status).to.equal(401);
      expect(res.headers.get('set-cookie')).to.equal(null);
    }
  });

  it('a cookie-authenticated change without or with a wrong X-CSRF-Token is 403 and changes nothing; with it, it works', async () => {
    const conv = await queuedConversation();
    const session = await login(alex);
    const take = `/api/agent/conversations/${conv}/take`;
    for (const csrf of [undefined, '', 'wrong', `${session.csrf}x`]) {
      const r = await call(session, 'POST', take, { csrf });
      expect(r.status, `X-CSRF-Token ${JSON.stringify(csrf)}`).to.equal(403);
      expect(r.body.error).to.equal('csrf');
      expect((await bot.runtime.store.getHandoff(conv))?.status, 'still queued').to.equal('queued');
    }
    expect(await bot.runtime.store.conversationAudit(conv)).to.satisfy((audit: { action: string }[]) => audit.every((a) => !a.action.startsWith('handoff.taken')));
    // Reading needs no CSRF header.
    expect((await call(session, 'GET', `/api/agent/conversations/${conv}`)).status).to.equal(200);

    const taken = await call(session, 'POST', take, { csrf: session.csrf });
    expect(taken.status).to.equal(200);
    expect(taken.body.status).to.equal('active');
    expect(taken.body.agent).to.equal('alex');

    // The same for every other change: a message without the header does not reach the customer.
    const before = (await bot.runtime.store.readLog(conv)).length;
    for (const [path, body] of [
      ['messages', { text: 'hello from a forged page' }],
      ['rma', { remedy: 'refund', reason: 'faulty' }],
      ['release', {}],
      ['close', {}],
    ] as const) {
      const r = await call(session, 'POST', `/api/agent/conversations/${conv}/${path}`, { body });
      expect(r.status, path).to.equal(403);
    }
    expect((await bot.runtime.store.readLog(conv)).length, 'nothing written').to.equal(before);
    expect((await bot.runtime.store.getHandoff(conv))?.status).to.equal('active');
    expect(await bot.runtime.store.findRma('UK-100234', 'NB-15', 'faulty')).to.equal(null);

    const sent = await call(session, 'POST', `/api/agent/conversations/${conv}/messages`, { csrf: session.csrf, body: { text: 'Hello, I can help.' } });
    expect(sent.status).to.equal(201);
    const log = await bot.runtime.store.readLog(conv);
    expect((log.at(-1)?.activity as { text?: string }).text).to.equal('Alex Morgan: Hello, I can help.');
    const released = await call(session, 'POST', `/api/agent/conversations/${conv}/release`, { csrf: session.csrf });
    expect(released.status).to.equal(200);
    expect(released.body.status).to.equal('released');
  });

  it("serves /agent with a strict Content-Security-Policy, its own assets, and labels in the browser's language", async () => {
    const res = await fetch(`${bot.url}/agent`, { headers: { 'accept-language': 'en-GB,en;q=0.8' } });
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).to.include("default-src 'none'");
    expect(csp).to.include("script-src 'self'");
    expect(csp).to.include("style-src 'self'");
    expect(csp).to.include("connect-src 'self'");
    expect(csp).to.include("frame-ancestors 'none'");
    expect(csp).not.to.match(/unsafe-inline|unsafe-eval|\*|https?:/);
    expect(res.headers.get('cache-control')).to.equal('no-store');
    expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
    const html = await res.text();
    expect(html).to.match(/<html lang="en-GB">/);
    expect(html).to.include('<title>Support console — returns</title>');
    expect(html, 'no inline script or style').not.to.match(/<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=/);
    // The script and the styles are ours, with a content hash, cached for a year.
    const assets = [...html.matchAll(/(?:src|href)="(\/agent\/console-[0-9a-f]{12}\.(js|css))"/g)];
    expect(assets.map((m) => m[2]).sort()).to.deep.equal(['css', 'js']);
    for (const [, path, ext] of assets) {
      const asset = await fetch(`${bot.url}${path}`);
      expect(asset.status).to.equal(200);
      expect(asset.headers.get('content-type')).to.match(ext === 'js' ? /^text\/javascript/ : /^text\/css/);
      expect(asset.headers.get('cache-control')).to.equal('public, max-age=31536000, immutable');
    }
    expect((await fetch(`${bot.url}/agent/console-000000000000.js`)).status).to.equal(404);
    // The RMA form takes the order line when the bot verified no order: labelled fields, with the hint read out.
    expect(html).to.match(/<fieldset id="rma-vouch" class="rma-vouch" aria-describedby="rma-vouch-hint" hidden>\s*<legend>Order \(not verified by the bot\)<\/legend>/);
    expect(html).to.match(/<p id="rma-vouch-hint" class="muted">[^<]*you vouch for the customer, and the audit trail records it\.<\/p>/);
    expect(html).to.include('<label for="rma-order">Order number</label>');
    expect(html).to.match(/<input id="rma-order" type="text"/);
    expect(html).to.include('<label for="rma-sku">Item SKU</label>');
    expect(html).to.match(/<input id="rma-sku" [^>]*aria-describedby="rma-sku-hint">/);

    // In Spanish for a Spanish browser; the page's labels from locales/.
    const es = await (await fetch(`${bot.url}/agent`, { headers: { 'accept-language': 'es-MX,es;q=0.9,en;q=0.5' } })).text();
    expect(es).to.match(/<html lang="es-US">/);
    expect(es).to.include('Clave de acceso');
    expect(es).to.include('<label for="rma-order">Número de pedido</label>');
    const strings = async (locale: string) => (await (await fetch(`${bot.url}/agent/strings.json?locale=${locale}`)).json()) as { locale: string; strings: Record<string, string> };
    const consoleKeys = Object.keys(messagesOf('en-GB'))
      .filter((k) => k.startsWith('console.'))
      .sort();
    const esStrings = await strings('es-US');
    expect(esStrings.locale).to.equal('es-US');
    expect(
      Object.keys(esStrings.strings)
        .filter((k) => k.startsWith('console.'))
        .sort(),
    ).to.deep.equal(consoleKeys);
    expect(esStrings.strings['console.action.take']).to.equal('Tomar');
    expect(esStrings.strings['reasonName.faulty']).to.be.a('string');
    const us = await strings('en-US');
    expect(us.locale).to.equal('en-US');
    expect(us.strings['console.action.take']).to.equal('Take');
    expect((await strings('fr-FR')).locale, 'an unsupported language gets the default').to.equal('en-GB');
  });

  it('the live event stream needs a session and says what changed', async () => {
    expect((await fetch(`${bot.url}/api/agent/events`)).status).to.equal(401);
    const session = await login(alex);
    const controller = new AbortController();
    const res = await fetch(`${bot.url}/api/agent/events`, { headers: { cookie: session.cookie }, signal: controller.signal });
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^text\/event-stream/);
    const reader = res.body!.getReader();
    const conv = await queuedConversation();
    let seen = '';
    const decoder = new TextDecoder();
    const deadline = Date.now() + 10_000;
    while (!seen.includes(`"conversationId":"${conv}"`) && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += decoder.decode(value, { stream: true });
    }
    controller.abort();
    expect(seen).to.include('event: changed');
    expect(seen).to.include(`data: {"conversationId":"${conv}"}`);
  });

  it("a removed agent's session stops working at once; signing out clears the cookie", async () => {
    const key = newAccessKey();
    await bot.runtime.store.addAgent({ name: 'temp', displayName: 'Temp', keyHash: hashAccessKey(key), at: new Date().toISOString() });
    const session = await login(key);
    const conv = await queuedConversation();
    expect((await call(session, 'GET', '/api/agent/me')).status).to.equal(200);
    expect((await call(session, 'GET', '/api/agent/conversations?status=queued')).status).to.equal(200);

    expect(await bot.runtime.store.removeAgent('temp', new Date().toISOString())).to.equal(true);
    expect((await call(session, 'GET', '/api/agent/me')).status).to.equal(401);
    const list = await call(session, 'GET', '/api/agent/conversations?status=queued');
    expect(list.status).to.equal(401);
    expect(JSON.stringify(list.body)).not.to.include('UK-100234');
    expect((await call(session, 'POST', `/api/agent/conversations/${conv}/take`, { csrf: session.csrf })).status).to.equal(401);
    expect((await bot.runtime.store.getHandoff(conv))?.status).to.equal('queued');
    expect((await fetch(`${bot.url}/api/agent/events`, { headers: { cookie: session.cookie } })).status).to.equal(401);
    // The key no longer signs in either.
    expect((await fetch(`${bot.url}/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key }) })).status).to.equal(401);

    const alexSession = await login(alex);
    expect((await call(alexSession, 'GET', '/api/agent/me')).status).to.equal(200);
    const out = await fetch(`${bot.url}/agent/logout`, { method: 'POST', headers: { cookie: alexSession.cookie } });
    expect(out.status).to.equal(200);
    expect(out.headers.get('set-cookie')).to.match(/^rb_staff=; .*Max-Age=0/);
    // A copy of the signed-out cookie no longer works; a new sign-in does.
    expect((await call(alexSession, 'GET', '/api/agent/me')).status).to.equal(401);
    expect((await call(alexSession, 'POST', `/api/agent/conversations/${conv}/take`, { csrf: alexSession.csrf })).status).to.equal(401);
    expect((await call(await login(alex), 'GET', '/api/agent/me')).status).to.equal(200);
  });
});
