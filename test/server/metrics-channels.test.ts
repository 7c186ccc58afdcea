/**
 * One turn path for every channel: `/metrics` counts the turns, RMAs and hand-overs of Bot
 * Framework HTTP (`/api/messages`), our Direct Line (the widget) and `returnsbot chat` alike, and the
 * staff desk serves a staff member on any channel (here Direct Line).
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { createApp } from '../../src/app.js';
import { terminalChat } from '../../src/cli/chat.js';
import { orderSchema } from '../../src/orders.js';
import { SCENARIO_ORDERS, say, startTestBot, type TestBot } from '../support/server.js';
import { call, convPath, driveReturn, HEADPHONES_ANSWERS, postMessage, startBot, widgetToken, type DlBot } from '../directline/helpers.js';

const RETURN = ['hi', 'UK-100234', 'sam@example.com', '1', 'changed my mind', 'no', 'no', 'yes', 'yes'];
const PERSON = 'can I talk to a real person please';

/** The value of one series in the Prometheus text (0 when it is not there). */
function series(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('metrics: every channel through the one turn pipeline', function () {
  this.timeout(120_000);

  describe('Bot Framework HTTP (/api/messages)', () => {
    let bot: TestBot;
    before(async () => (bot = await startTestBot()));
    after(async () => bot?.stop());

    it('counts its turns, the RMA and the hand-over', async () => {
      const conv = `c-${randomUUID()}`;
      for (const text of RETURN) await say(bot.url, conv, text, { locale: 'en-GB' });
      await say(bot.url, `c-${randomUUID()}`, PERSON, { locale: 'en-GB' });
      const text = await (await fetch(`${bot.url}/metrics`)).text();
      expect(series(text, 'returnsbot_turns_total', 'channel="test",result="ok"')).to.equal(RETURN.length + 1);
      expect(series(text, 'returnsbot_rmas_issued_total', 'policy="uk-online"')).to.equal(1);
      expect(series(text, 'returnsbot_handoffs_total', 'status="queued"')).to.equal(1);
    });
  });

  describe('Direct Line (the widget)', () => {
    let bot: DlBot;
    before(async () => (bot = await startBot({ env: { DIRECTLINE_SECRET: 'dl-secret-for-tests', RETURNS_STAFF: 'directline:staff-dana=Dana Lee' } })));
    after(async () => bot?.dispose());

    it('counts its turns (the greeting too), the RMA and the hand-over', async () => {
      const conv = await widgetToken(bot.url);
      const started = await call(bot.url, 'POST', '/v3/directline/conversations', { token: conv.token, body: { user: { id: conv.userId }, locale: 'en-GB' } });
      expect(started.status).to.equal(201);
      const { rma, steps } = await driveReturn(bot.url, conv, HEADPHONES_ANSWERS);
      expect(rma).to.be.a('string');
      const other = await widgetToken(bot.url);
      expect((await postMessage(bot.url, other, PERSON)).status).to.equal(200);
      const text = await (await fetch(`${bot.url}/metrics`)).text();
      // Two greetings (one per widget token) and every message posted.
      expect(series(text, 'returnsbot_turns_total', 'channel="directline",result="ok"')).to.equal(2 + steps.length + 1);
      expect(series(text, 'returnsbot_rmas_issued_total', 'policy="uk-online"')).to.equal(1);
      expect(series(text, 'returnsbot_handoffs_total', 'status="queued"')).to.equal(1);
      expect(text).to.include('returnsbot_turn_duration_seconds_bucket{le="0.5",channel="directline"}');
    });

    it('serves a staff member on Direct Line with the staff desk, not the returns machine', async () => {
      const r = await call(bot.url, 'POST', '/v3/directline/tokens/generate', { token: 'dl-secret-for-tests', body: { user: { id: 'staff-dana' } } });
      expect(r.status).to.equal(200);
      const staff = r.json as { conversationId: string; userId: string; token: string };
      expect((await postMessage(bot.url, { ...staff, expires_in: 0 }, 'queue')).status).to.equal(200);
      const log = await call(bot.url, 'GET', convPath(staff.conversationId, '/activities'), { token: staff.token });
      const texts = (log.json.activities as { text?: string; from?: { role?: string } }[]).filter((a) => a.from?.role === 'bot').map((a) => a.text ?? '');
      // The desk's welcome, then the queue (the hand-over of the test above); the machine never ran.
      expect(texts[0]).to.match(/set up to take customer hand-overs/);
      expect(texts[1]).to.match(/^1 waiting:/);
      expect(await bot.runtime.store.loadConversation(staff.conversationId)).to.equal(null);
    });
  });

  describe('returnsbot chat (the terminal)', () => {
    it('counts its turns, the RMA and the hand-over', async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'returnsbot-chat-metrics-'));
      const config = loadConfig({ RETURNS_DATA_DIR: dataDir, RETURNS_TODAY: '2026-12-30', RETURNS_DEMO_ORDERS: 'false' });
      const app = await createApp(config, { now: () => Date.parse('2026-12-30T12:00:00Z') });
      try {
        await app.store.importOrders(SCENARIO_ORDERS.map((o) => orderSchema.parse(o)));
        const chat = terminalChat(app, `cli-${randomUUID()}`, 'en-GB');
        await chat.start();
        let said = 0;
        let rma = false;
        for (const text of RETURN.slice(1)) {
          said++;
          if ((rma = /RMA-/.test((await chat.say(text)).join('\n')))) break;
        }
        expect(rma).to.equal(true);
        const person = terminalChat(app, `cli-${randomUUID()}`, 'en-GB');
        await person.say(PERSON);
        const text = await app.metrics.registry.metrics();
        expect(series(text, 'returnsbot_turns_total', 'channel="cli",result="ok"')).to.equal(1 + said + 1);
        expect(series(text, 'returnsbot_rmas_issued_total', 'policy="uk-online"')).to.equal(1);
        expect(series(text, 'returnsbot_handoffs_total', 'status="queued"')).to.equal(1);
      } finally {
        await app.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });
});
