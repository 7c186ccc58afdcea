/**
 * Hand-over beyond the console:
 * - staff working from Teams (RETURNS_STAFF): a card for each new escalation with Take, commands,
 *   messages relayed both ways with proactive sends (continueConversationAsync) to each side's
 *   channel — here a fake Bot Framework connector that records what it is sent;
 * - an external contact centre (HANDOFF_MODE=event): the standard `handoff.initiate` event with the
 *   transcript and a summary, then `handoff.status` events drive the conversation.
 */
import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { TestAdapter, TurnContext, type Activity } from 'botbuilder';
import { ReturnsBot } from '../../dialogs/bot.js';
import { TurnPipeline } from '../../dialogs/pipeline.js';
import { silentLogger } from '../../src/log.js';
import { startTestBot, type BotActivity, type TestBot } from '../support/server.js';

interface Posted {
  conversationId: string;
  activity: { type?: string; text?: string; attachments?: { content?: { actions?: { title?: string }[] } }[]; channelData?: { returns?: { rma?: string } } };
}

/** A Bot Framework connector that accepts every send and remembers it. */
async function fakeConnector(): Promise<{ url: string; posted: Posted[]; server: Server; waitFor: (pred: (p: Posted) => boolean, ms?: number) => Promise<Posted> }> {
  const posted: Posted[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const m = /\/v3\/conversations\/([^/]+)\/activities/.exec(req.url ?? '');
      if (m) posted.push({ conversationId: decodeURIComponent(m[1]!), activity: JSON.parse(body || '{}') as Posted['activity'] });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: randomUUID() }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const waitFor = async (pred: (p: Posted) => boolean, ms = 10_000) => {
    const end = Date.now() + ms;
    for (;;) {
      const hit = posted.find(pred);
      if (hit) return hit;
      if (Date.now() > end) throw new Error(`nothing matching was sent; sent: ${JSON.stringify(posted.map((p) => [p.conversationId, p.activity.text]))}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  return { url: `http://127.0.0.1:${port}`, posted, server, waitFor };
}

async function send(bot: TestBot, activity: Record<string, unknown>): Promise<BotActivity[]> {
  const res = await fetch(`${bot.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: randomUUID(), deliveryMode: 'expectReplies', recipient: { id: 'bot' }, locale: 'en-GB', ...activity }),
  });
  expect(res.status).to.equal(200);
  return ((await res.json()) as { activities?: BotActivity[] }).activities ?? [];
}

describe('hand-over: staff working from Teams', function () {
  this.timeout(60_000);
  let bot: TestBot;
  let connector: Awaited<ReturnType<typeof fakeConnector>>;

  before(async () => {
    connector = await fakeConnector();
    bot = await startTestBot({ RETURNS_STAFF: 'msteams:staff-alex=Alex Smith' });
  });
  after(async () => {
    // Either may be missing when `before` failed; the connector closes whatever happened to the bot.
    try {
      await bot?.stop();
    } finally {
      if (connector) {
        const closed = new Promise<void>((resolve) => connector.server.close(() => resolve()));
        connector.server.closeAllConnections();
        await closed;
      }
    }
  });

  it('gets a card for a new escalation, takes it, and talks with the customer both ways; RMA and release work by command', async () => {
    const staffConv = `staff-${randomUUID()}`;
    const customerConv = `cust-${randomUUID()}`;
    const staff = (text: string, value?: unknown) =>
      send(bot, {
        type: 'message',
        channelId: 'msteams',
        serviceUrl: connector.url,
        conversation: { id: staffConv },
        from: { id: 'staff-alex', name: 'Alex Smith' },
        text,
        ...(value ? { value } : {}),
      });
    const customer = (text: string) => send(bot, { type: 'message', channelId: 'msteams', serviceUrl: connector.url, conversation: { id: customerConv }, from: { id: 'customer-1' }, text });

    // Staff says hello once (the bot learns where to reach them).
    const help = await staff('help');
    expect(help.map((a) => a.text).join(' ')).to.match(/queue/);

    // A customer asks for a person: staff get a card with Take.
    for (const text of ['hi', 'UK-100234', 'sam@example.com', '1', 'the sound crackles, they are faulty']) await customer(text);
    const queued = await customer('I want to speak to a human');
    expect(queued.some((a) => a.channelData?.returns?.handoff === 'queued')).to.equal(true);
    const card = await connector.waitFor((p) => p.conversationId === staffConv && /waiting for a person/.test(p.activity.text ?? ''));
    expect(card.activity.text).to.include('UK-100234');
    expect(JSON.stringify(card.activity.attachments)).to.include('Take');

    // Take by command; the customer is told who joined (sent to the customer's chat).
    const took = await staff('take 1');
    expect(took.map((a) => a.text).join(' ')).to.match(/You have the chat/);
    await connector.waitFor((p) => p.conversationId === customerConv && /Alex Smith from our support team has joined/.test(p.activity.text ?? ''));

    // Staff → customer, with the staff member's name.
    await staff("Hello, I'm Alex. Let's sort this out.");
    await connector.waitFor((p) => p.conversationId === customerConv && p.activity.text === "Alex Smith: Hello, I'm Alex. Let's sort this out.");

    // Customer → staff; the bot itself stays silent.
    const silent = await customer('thanks, the headphones crackle');
    expect(silent).to.deep.equal([]);
    const relayed = await connector.waitFor((p) => p.conversationId === staffConv && /Customer \(order UK-100234\): thanks, the headphones crackle/.test(p.activity.text ?? ''));
    // The customer's words reach staff as plain text: never rendered as markdown or HTML in Teams.
    expect((relayed.activity as { textFormat?: string }).textFormat).to.equal('plain');

    // An RMA as a staff decision; the customer receives it.
    const rma = await staff('rma refund goodwill');
    const number = /RMA-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}/.exec(rma.map((a) => a.text).join(' '))?.[0];
    expect(number, JSON.stringify(rma)).to.be.a('string');
    await connector.waitFor((p) => p.conversationId === customerConv && p.activity.channelData?.returns?.rma === number);
    expect((await bot.runtime.store.getRma(number!))?.note).to.equal('goodwill');

    // Release: back to the bot.
    await staff('release');
    await connector.waitFor((p) => p.conversationId === customerConv && /I'm back/.test(p.activity.text ?? ''));
    expect((await bot.runtime.store.getHandoff(customerConv))?.status).to.equal('released');
  });

  it('a card button (Take) does the same as the command', async () => {
    const staffConv = `staff-${randomUUID()}`;
    const customerConv = `cust-${randomUUID()}`;
    await send(bot, { type: 'message', channelId: 'msteams', serviceUrl: connector.url, conversation: { id: staffConv }, from: { id: 'staff-alex' }, text: 'help' });
    await send(bot, { type: 'message', channelId: 'msteams', serviceUrl: connector.url, conversation: { id: customerConv }, from: { id: 'customer-2' }, text: 'talk to a person' });
    const r = await send(bot, {
      type: 'message',
      channelId: 'msteams',
      serviceUrl: connector.url,
      conversation: { id: staffConv },
      from: { id: 'staff-alex' },
      value: { staff: { action: 'take', conversationId: customerConv } },
    });
    expect(r.map((a) => a.text).join(' ')).to.match(/You have the chat/);
    expect((await bot.runtime.store.getHandoff(customerConv))?.agent).to.equal('alex-smith');
  });
});

describe('hand-over: an external contact centre (HANDOFF_MODE=event)', function () {
  this.timeout(60_000);
  let bot: TestBot;
  before(async () => (bot = await startTestBot({ HANDOFF_MODE: 'event' })));
  after(async () => bot?.stop());

  it('sends handoff.initiate with the transcript and a summary, then follows handoff.status', async () => {
    const conv = `c-${randomUUID()}`;
    const base = { channelId: 'test', serviceUrl: 'http://127.0.0.1:9', conversation: { id: conv }, from: { id: 'u1' } };
    for (const text of ['hi', 'UK-100234', 'sam@example.com']) await send(bot, { type: 'message', ...base, text });
    const replies = await send(bot, { type: 'message', ...base, text: 'real human please' });
    const initiate = replies.find((a) => (a as { type: string; name?: string }).type === 'event' && (a as { name?: string }).name === 'handoff.initiate') as
      { value?: { summary?: { orderNumber?: string } }; attachments?: { name?: string; content?: { activities?: unknown[] } }[] } | undefined;
    expect(initiate, JSON.stringify(replies)).to.not.equal(undefined);
    expect(initiate!.value?.summary?.orderNumber).to.equal('UK-100234');
    expect(initiate!.attachments?.[0]?.name).to.equal('Transcript');
    expect(initiate!.attachments?.[0]?.content?.activities?.length).to.be.greaterThan(3);

    // Without an app id anyone can post to /api/messages: a handoff.status event there is the
    // customer's, and is ignored (the hand-over stays queued for staff).
    await send(bot, { type: 'event', name: 'handoff.status', value: { state: 'accepted', message: 'Jordan' }, ...base });
    expect((await bot.runtime.store.getHandoff(conv))?.status).to.equal('queued');

    // The hub's events, on a request authenticated as the channel's (what an app id gives): followed.
    const hub = new ReturnsBot({ turns: new TurnPipeline({ service: bot.runtime.service, logger: silentLogger, handoff: bot.runtime.handoff, channelAuthenticated: true }), logger: silentLogger });
    const fromHub = (value: Record<string, unknown>) =>
      hub.run(new TurnContext(new TestAdapter(), { type: 'event', name: 'handoff.status', value, ...base, from: { id: 'hub' }, recipient: { id: 'bot' } } as Partial<Activity>));
    await fromHub({ state: 'accepted', message: 'Jordan' });
    expect((await bot.runtime.store.getHandoff(conv))?.status).to.equal('active');
    await fromHub({ state: 'completed' });
    expect((await bot.runtime.store.getHandoff(conv))?.status).to.equal('closed');
    const log = (await bot.runtime.store.readLog(conv)).map((e) => (e.activity as { text?: string }).text).join('\n');
    expect(log).to.match(/closed this chat/);
    const audit = (await bot.runtime.store.conversationAudit(conv)).map((a) => a.action);
    expect(audit).to.include.members(['handoff.status.accepted', 'handoff.status.completed']);
  });
});
