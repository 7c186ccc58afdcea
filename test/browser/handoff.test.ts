/**
 * The hand-over to a person, end to end in a real browser (headless Chromium, playwright-core), with
 * two browser contexts on one in-process bot server:
 *
 *   A — the CUSTOMER on the demo shop page `/` with the website widget: gives the order and the
 *       email, picks an item, asks for a person in their own words and sees their place in the queue;
 *   B — STAFF in the console at `/agent`: signs in with an access key, sees the conversation in the
 *       queue with its summary (and another customer's, with the bot's decision, reason codes and
 *       clauses), takes it, writes to the customer and sees the replies (and a photo) live, issues an
 *       RMA, releases the chat to the bot, and signs out.
 *
 * Also: a wrong key shows an error and nothing of any conversation; after signing out the API
 * answers 401. Neither page may load anything but the bot server, raise a script error or break the
 * Content-Security-Policy. Screenshots go to test/artifacts/. Without Chromium the suite is pending,
 * with the reason in its title. Every wait is on something visible in a page.
 */
import { expect } from 'chai';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { hashAccessKey, newAccessKey } from '../../src/handoff/keys.js';
import { say, startTestBot, type TestBot } from '../support/server.js';
import { ARTIFACTS, CHROMIUM, hasChromium, makePng, RMA_PATTERN } from './helpers.js';

const AGENT = { name: 'alex', displayName: 'Alex Morgan' };
/** What a signed-out page may log: the browser's own line for an answer of 401 (a wrong key, no session). */
const EXPECTED_401 = /^Failed to load resource: the server responded with a status of 401/;

/** Headless Chromium as the widget's tests start it: no sandbox or GPU, nothing in the background. */
function launch(): Promise<Browser> {
  // playwright-core gives each launch a fresh temporary profile (user-data dir) and removes it on close.
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** What went wrong in a browser context that no assertion looks for by itself. */
interface Problems {
  external: string[];
  pageErrors: string[];
  csp: string[];
  consoleErrors: string[];
}

/** A browser context (its own cookies and storage) that may reach only `botUrl`; anything else is aborted and noted. */
async function newContext(browser: Browser, botUrl: string, locale: string): Promise<{ context: BrowserContext; problems: Problems }> {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 820 }, serviceWorkers: 'block' });
  const problems: Problems = { external: [], pageErrors: [], csp: [], consoleErrors: [] };
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (url.startsWith(`${botUrl}/`) || url.startsWith('blob:') || url.startsWith('data:')) await route.continue();
    else {
      problems.external.push(url);
      await route.abort('blockedbyclient');
    }
  });
  await context.addInitScript('document.addEventListener("securitypolicyviolation", (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`))');
  context.on('page', (page) => {
    page.on('pageerror', (e) => problems.pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      (m.text().startsWith('CSP violation') ? problems.csp : problems.consoleErrors).push(m.text());
    });
  });
  return { context, problems };
}

/** The website widget on the demo page, as the customer sees it (its labels from locales/, en-GB). */
class Customer {
  constructor(readonly page: Page) {}

  get launcher(): Locator {
    return this.page.getByRole('button', { name: 'Returns & help', exact: true });
  }
  get panel(): Locator {
    return this.page.getByRole('dialog', { name: 'Returns assistant' });
  }
  /** Wait until `text` is in the chat's transcript. */
  async sees(text: string | RegExp, timeout = 20_000): Promise<void> {
    await this.panel.getByRole('paragraph').filter({ hasText: text }).last().waitFor({ timeout });
  }
  async type(text: string): Promise<void> {
    const box = this.panel.getByPlaceholder('Type your message');
    await box.fill(text);
    await box.press('Enter');
  }
  /** Click the suggested action `title`, then wait for the bot's next question. */
  async choose(title: string, next: string | RegExp): Promise<void> {
    await this.panel.getByRole('toolbar', { name: 'Suggested actions' }).getByRole('button', { name: title, exact: true }).click();
    await this.sees(next);
  }
  /** The conversation the widget keeps in localStorage. */
  async conversationId(): Promise<string> {
    const raw = await this.page.evaluate(`localStorage.getItem(${JSON.stringify(`returnsbot:${new URL(this.page.url()).origin}`)})`);
    return (JSON.parse(String(raw)) as { conversationId: string }).conversationId;
  }
  async screenshot(name: string): Promise<void> {
    mkdirSync(ARTIFACTS, { recursive: true });
    await this.page.screenshot({ path: join(ARTIFACTS, name) });
  }
}

/** The console as staff sees it. */
class Console {
  constructor(readonly page: Page) {}

  get keyField(): Locator {
    return this.page.getByLabel('Access key');
  }
  get queue(): Locator {
    return this.page.getByRole('list', { name: 'Conversations' });
  }
  /** A conversation in the current tab, by something its summary line says. */
  entry(text: string | RegExp): Locator {
    return this.queue.getByRole('button').filter({ hasText: text });
  }
  tab(name: 'Queue' | 'Active' | 'Closed'): Locator {
    return this.page.getByRole('tab', { name: new RegExp(`^${name}\\b`) });
  }
  get conversation(): Locator {
    return this.page.locator('#conversation');
  }
  get transcript(): Locator {
    return this.page.getByRole('log');
  }
  button(name: string): Locator {
    return this.page.getByRole('button', { name, exact: true });
  }

  async signIn(key: string): Promise<void> {
    await this.keyField.fill(key);
    await this.button('Sign in').click();
  }

  async screenshot(name: string): Promise<void> {
    mkdirSync(ARTIFACTS, { recursive: true });
    await this.page.screenshot({ path: join(ARTIFACTS, name) });
  }
}

const available = hasChromium();
(available ? describe : describe.skip)(
  `hand-over end to end: the customer's widget and the staff console in two browsers${available ? '' : ` — PENDING: no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`}`,
  function () {
    this.timeout(120_000);
    let bot: TestBot;
    let browser: Browser;
    const key = newAccessKey();
    const contexts: { name: string; context: BrowserContext; problems: Problems }[] = [];
    // Shared by the steps, in order.
    let customer: Customer | null = null;
    let staff: Console | null = null;
    let conversationId = '';
    let rma = '';
    const other = `c-other-${Date.now()}`;

    before(async () => {
      bot = await startTestBot();
      await bot.runtime.store.addAgent({ name: AGENT.name, displayName: AGENT.displayName, keyHash: hashAccessKey(key), at: new Date().toISOString() });
      // Another customer is already waiting: the bot refused a return (hygiene seal) and they dispute it.
      for (const text of ['hi', 'UK-100234', 'sam@example.com', 'Studio headphones', 'I changed my mind', 'yes']) await say(bot.url, other, text, { locale: 'en-GB' });
      const queued = await say(bot.url, other, 'I want to talk to a person', { locale: 'en-GB' });
      expect(queued.find((a) => a.channelData?.returns?.handoff === 'queued')?.channelData?.returns?.position).to.equal(1);
      browser = await launch();
    });

    after(async () => {
      await browser?.close();
      await bot?.stop();
    });

    afterEach(function () {
      for (const { name, problems } of contexts) {
        expect(problems.external, `${name}: requests outside the bot server`).to.deep.equal([]);
        expect(problems.pageErrors, `${name}: uncaught errors in the page`).to.deep.equal([]);
        expect(problems.csp, `${name}: Content-Security-Policy violations`).to.deep.equal([]);
        expect(
          problems.consoleErrors.filter((m) => !EXPECTED_401.test(m)),
          `${name}: console errors`,
        ).to.deep.equal([]);
      }
    });

    async function open(name: string, path: string, locale = 'en-GB'): Promise<Page> {
      const c = await newContext(browser, bot.url, locale);
      contexts.push({ name, ...c });
      const page = await c.context.newPage();
      await page.goto(`${bot.url}${path}`);
      return page;
    }

    /** What the page's own fetch gets (cookies and all) from the staff API. */
    const statusFromPage = (page: Page, path: string) => page.evaluate(async (p) => (await fetch(p)).status, path);

    it('a wrong key: the console says so and shows nothing of any conversation (and in Spanish for a Spanish browser)', async () => {
      const page = await open('staff (wrong key)', '/agent');
      const c = new Console(page);
      await c.signIn('rbk_not-a-real-key');
      await page.getByRole('alert').filter({ hasText: 'That access key is not valid.' }).waitFor();
      expect(await c.keyField.inputValue(), 'the key is not left in the form').to.equal('');
      expect(await page.locator('#app').isVisible()).to.equal(false);
      expect(await c.queue.locator('li').count()).to.equal(0);
      const text = await page.locator('body').innerText();
      expect(text).not.to.match(/UK-100234|Studio headphones|Aero 15|sam@example/);
      expect(await statusFromPage(page, '/api/agent/conversations?status=queued')).to.equal(401);
      expect(await page.evaluate('JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })')).to.equal('{}{}');

      const es = await open('staff (Spanish)', '/agent', 'es-US');
      await es.getByRole('heading', { name: 'Iniciar sesión' }).waitFor();
      await es.getByLabel('Clave de acceso').fill('rbk_incorrecta');
      await es.getByRole('button', { name: 'Entrar' }).click();
      await es.getByRole('alert').filter({ hasText: 'Esa clave de acceso no es válida.' }).waitFor();
    });

    it('the customer gives the order, picks an item, asks for a person in their own words and sees their place in the queue', async () => {
      const w = new Customer(await open('customer', '/'));
      await w.launcher.click();
      await w.panel.waitFor();
      await w.sees('What is your order number?');
      await w.type('UK-100234');
      await w.sees('To make sure order UK-100234 is yours');
      await w.type('sam@example.com');
      await w.sees('Which item would you like to return?');
      await w.choose('Aero 15 notebook', 'Why are you returning the Aero 15 notebook?');
      await w.type('can I talk to someone please');
      await w.sees("You're number 2 in the queue");
      conversationId = await w.conversationId();
      expect((await bot.runtime.store.getHandoff(conversationId))?.status).to.equal('queued');
      customer = w;
    });

    it('staff signs in and sees both conversations in the queue with their summaries; the decision with its reason codes and clauses', async () => {
      expect(customer, 'needs the customer of the step before').to.not.equal(null);
      const c = new Console(await open('staff', '/agent'));
      await c.signIn(key);
      await c.page.getByText(`Signed in as ${AGENT.displayName}`).waitFor();
      await c.page.getByText('Live', { exact: true }).waitFor();
      expect(await c.keyField.inputValue()).to.equal('');

      const mine = c.entry('Aero 15 notebook');
      const theirs = c.entry('Studio headphones');
      await mine.waitFor();
      expect(await c.tab('Queue').innerText()).to.match(/Queue\s*2/);
      // Each line: order, item, reason, the bot's decision, place in the queue, waiting since.
      const line = (await mine.innerText()).replace(/\s+/g, ' ');
      expect(line).to.include('UK-100234');
      expect(line).to.include('Aero 15 notebook · reason not given');
      expect(line).to.include('Bot: no decision');
      expect(line).to.include('#2 in queue');
      expect(line).to.match(/waiting since \S+/);
      const otherLine = (await theirs.innerText()).replace(/\s+/g, ' ');
      expect(otherLine).to.include('Studio headphones · Change of mind');
      expect(otherLine).to.include('Bot: rejected');
      expect(otherLine).to.include('#1 in queue');
      await c.screenshot('console-queue.png');

      // The other customer's conversation: the bot's decision with its reason codes and clause ids.
      await theirs.click();
      await c.conversation.getByRole('heading', { name: 'UK-100234 · Studio headphones' }).waitFor();
      await c.page.getByText('HYGIENE_SEAL_BROKEN', { exact: true }).waitFor();
      await c.page.getByText('uk-online/change-of-mind/hygiene', { exact: true }).waitFor();
      const summary = (await c.page.locator('#summary').innerText()).replace(/\s+/g, ' ');
      expect(summary).to.include('Hygiene seal broken Yes');
      expect(summary).to.include('Customer disputes the decision');
      expect(await c.page.locator('#decision').innerText()).to.match(/rejected/);
      await c.transcript.getByText('I want to talk to a person').waitFor();
      await c.screenshot('console-decision.png');

      // This customer's: the transcript so far, and Take.
      await mine.click();
      await c.conversation.getByRole('heading', { name: 'UK-100234 · Aero 15 notebook' }).waitFor();
      await c.transcript.getByText('can I talk to someone please').waitFor();
      expect((await c.page.locator('#summary').innerText()).replace(/\s+/g, ' ')).to.include('Customer asked for a person');
      expect(await c.button('Take').isVisible()).to.equal(true);
      expect(await c.page.getByLabel('Message to the customer').isDisabled(), 'nothing can be sent before taking it').to.equal(true);
      staff = c;
    });

    it('staff takes it (the customer sees who joined) and they write to each other, live, photo included', async () => {
      expect(staff && customer, 'needs the steps before').to.not.equal(null);
      const c = staff!;
      const w = customer!;
      await c.button('Take').click();
      await c.page.getByText('You have this conversation').waitFor();
      await c.tab('Active').filter({ hasText: '1' }).waitFor();
      await w.sees(`${AGENT.displayName} from our support team has joined the chat.`);

      const box = c.page.getByLabel('Message to the customer');
      await box.fill("Hi Sam, I'm Alex. Sorry about the notebook, let's sort it out.");
      await box.press('Enter');
      await w.sees(`${AGENT.displayName}: Hi Sam, I'm Alex. Sorry about the notebook, let's sort it out.`);
      await c.transcript.locator('.line-agent').filter({ hasText: "Hi Sam, I'm Alex." }).waitFor();
      expect(await box.inputValue(), 'the box is emptied once sent').to.equal('');

      // The customer answers; staff sees it without doing anything.
      await w.type('It will not switch on at all since it arrived');
      await c.transcript.locator('.line-customer').filter({ hasText: 'It will not switch on at all since it arrived' }).waitFor();
      // A photo through the widget's upload button: the console shows it as an image from this server.
      await w.page.locator('input[type="file"]').setInputFiles({ name: 'notebook-screen.png', mimeType: 'image/png', buffer: makePng() });
      const photo = c.transcript.locator('img[src*="/v3/directline/attachments/"]');
      await photo.first().waitFor();
      await expectLoaded(photo.first(), 96);
      // The bot stays silent while a person has the chat.
      const log = await bot.runtime.store.readLog(conversationId);
      const after = log.slice(log.findIndex((e) => (e.activity as { text?: string }).text?.includes('has joined')) + 1);
      expect(after.map((e) => (e.activity as { from?: { id?: string; role?: string } }).from).filter((f) => f?.role === 'bot' && !f.id?.startsWith('agent:'))).to.deep.equal([]);
    });

    it('staff issues an RMA (refund) with a note; the customer sees the RMA number', async () => {
      expect(staff && customer, 'needs the steps before').to.not.equal(null);
      const c = staff!;
      const w = customer!;
      await c.page.getByLabel('Remedy').selectOption('refund');
      // The customer asked for a person before giving a reason: staff gives it.
      await c.page.getByLabel('Return reason').selectOption('faulty');
      await c.page.getByLabel('Note (kept in the audit trail)').fill('Dead on arrival; photo shows a blank screen. Refund agreed.');
      await c.button('Issue RMA').click();
      const result = c.page.getByRole('status').filter({ hasText: /Issued RMA-.* The customer has it\./ });
      await result.waitFor();
      rma = RMA_PATTERN.exec(await result.innerText())?.[0] ?? '';
      expect(rma).to.match(RMA_PATTERN);
      await w.sees(rma);
      await w.sees(`${AGENT.displayName} from our support team has booked your return. Your RMA number is ${rma}.`);
      await c.page.locator('#summary').getByText(rma, { exact: true }).waitFor();

      const record = await bot.runtime.store.getRma(rma);
      expect(record?.issuedBy).to.equal(`agent:${AGENT.name}`);
      expect(record?.remedy).to.equal('refund');
      expect(record?.note).to.equal('Dead on arrival; photo shows a blank screen. Refund agreed.');
      expect(record?.decision.reasons.map((r) => r.code)).to.include('STAFF_DECISION');
      await c.screenshot('console-conversation.png');
      await w.screenshot('handoff-customer.png');
    });

    it("staff releases the chat: the customer's next message gets an answer from the bot again", async () => {
      expect(Boolean(staff && customer && rma), 'needs the steps before').to.equal(true);
      const c = staff!;
      const w = customer!;
      await c.button('Release to the bot').click();
      await c.page.getByText('This hand-over has ended.').waitFor();
      await c.entry('Aero 15 notebook').filter({ hasText: 'Back with the bot' }).waitFor();
      await w.sees("I'm back. Let's carry on.");
      await w.type('thanks');
      await w.sees(`Your RMA number is ${rma}. Goodbye!`);
      // Everything staff did is in the audit trail.
      const audit = (await bot.runtime.store.conversationAudit(conversationId)).map((a) => `${a.actor} ${a.action}`);
      for (const a of ['handoff.taken', 'handoff.message', 'rma.issued', 'handoff.released']) expect(audit).to.include(`agent:${AGENT.name} ${a}`);
      await w.screenshot('handoff-customer-released.png');
    });

    it('after signing out the page shows nothing of any conversation and the API answers 401', async () => {
      expect(staff, 'needs the steps before').to.not.equal(null);
      const c = staff!;
      expect(await statusFromPage(c.page, '/api/agent/conversations?status=queued')).to.equal(200);
      await c.button('Sign out').click();
      await c.keyField.waitFor();
      expect(await c.page.locator('#app').isVisible()).to.equal(false);
      expect(await c.queue.locator('li').count()).to.equal(0);
      expect(await c.transcript.locator('li').count()).to.equal(0);
      expect(await c.page.locator('body').innerText()).not.to.match(/UK-100234|Aero 15|Studio headphones/);
      const cookies = await c.page.context().cookies();
      expect(cookies.filter((k) => k.name === 'rb_staff')).to.deep.equal([]);
      for (const path of ['/api/agent/me', '/api/agent/conversations?status=queued', `/api/agent/conversations/${encodeURIComponent(conversationId)}`, '/api/agent/events']) {
        expect(await statusFromPage(c.page, path), path).to.equal(401);
      }
      // A reload does not bring anything back either.
      await c.page.reload();
      await c.keyField.waitFor();
      expect(await c.page.locator('#app').isVisible()).to.equal(false);
    });
  },
);

/** The image has loaded and is `width` pixels wide. */
async function expectLoaded(img: Locator, width: number): Promise<void> {
  await img
    .page()
    .waitForFunction((el) => (el as unknown as { complete: boolean; naturalWidth: number }).complete && (el as unknown as { naturalWidth: number }).naturalWidth > 0, await img.elementHandle());
  expect(await img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth)).to.equal(width);
}
