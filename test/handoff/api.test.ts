/**
 * Human hand-over through the staff API (CONTRACT sections 7–8): a customer asks for a person, the
 * queue shows the conversation with its summary and transcript, an agent takes it (another gets
 * 409), messages go both ways while the bot stays silent, the agent issues an RMA as a staff
 * decision (audited with name and note) that the customer receives, and releases the chat to the
 * bot, which carries on. Every call needs a valid key (401 otherwise).
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { hashAccessKey, newAccessKey } from '../../src/handoff/keys.js';
import { askedStep, say, startTestBot, type TestBot } from '../support/server.js';

interface Api {
  status: number;
  body: Record<string, unknown>;
}

async function api(bot: TestBot, method: string, path: string, key: string | null, body?: unknown): Promise<Api> {
  const res = await fetch(`${bot.url}${path}`, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

describe('hand-over: the staff API', function () {
  this.timeout(60_000);
  let bot: TestBot;
  const alex = newAccessKey();
  const sam = newAccessKey();

  before(async () => {
    bot = await startTestBot();
    const at = new Date().toISOString();
    await bot.runtime.store.addAgent({ name: 'alex', displayName: 'Alex', keyHash: hashAccessKey(alex), at });
    await bot.runtime.store.addAgent({ name: 'sam', displayName: 'Sam', keyHash: hashAccessKey(sam), at });
  });
  after(async () => bot?.stop());

  it('refuses a missing or wrong key with 401, and never shows a conversation', async () => {
    for (const key of [null, 'rbk_wrong', `${alex}x`]) {
      for (const [method, path] of [
        ['GET', '/api/agent/conversations?status=queued'],
        ['GET', '/api/agent/conversations/x'],
        ['POST', '/api/agent/conversations/x/take'],
        ['POST', '/api/agent/conversations/x/messages'],
        ['POST', '/api/agent/conversations/x/rma'],
        ['POST', '/api/agent/conversations/x/release'],
      ] as const) {
        const r = await api(bot, method, path, key, method === 'POST' ? { text: 'hi', remedy: 'refund' } : undefined);
        expect(r.status, `${method} ${path} with ${key}`).to.equal(401);
        expect(JSON.stringify(r.body)).not.to.match(/UK-100234|sam@example/);
      }
    }
  });

  it('a whole hand-over: queue → take (409 for another agent) → messages both ways → staff RMA → release → the bot carries on', async () => {
    const conv = `c-${randomUUID()}`;
    for (const text of ['hi', 'UK-100234', 'sam@example.com', '2', 'it arrived damaged, the screen is cracked']) await say(bot.url, conv, text, { locale: 'en-GB' });
    const queued = await say(bot.url, conv, 'can I talk to a real person please', { locale: 'en-GB' });
    const q = queued.find((a) => a.channelData?.returns?.handoff === 'queued');
    expect(q, JSON.stringify(queued)).to.not.equal(undefined);
    expect(q!.channelData!.returns!.position).to.equal(1);
    expect(q!.text).to.match(/number 1 in the queue/);

    // The queue shows it, with its summary and transcript.
    const list = await api(bot, 'GET', '/api/agent/conversations?status=queued', alex);
    expect(list.status).to.equal(200);
    const item = (list.body.conversations as { id: string; summary: { orderNumber: string; item: { name: string }; reason: string }; transcript: { text: string }[] }[]).find((c) => c.id === conv);
    expect(item, JSON.stringify(list.body)).to.not.equal(undefined);
    expect(item!.summary.orderNumber).to.equal('UK-100234');
    expect(item!.summary.item.name).to.equal('Aero 15 notebook');
    expect(item!.summary.reason).to.equal('transit-damage');
    expect(item!.transcript.map((l) => l.text).join(' ')).to.include('can I talk to a real person please');

    // Alex takes it; Sam cannot, nor write to it.
    const take = await api(bot, 'POST', `/api/agent/conversations/${conv}/take`, alex);
    expect(take.status).to.equal(200);
    expect(take.body.status).to.equal('active');
    const steal = await api(bot, 'POST', `/api/agent/conversations/${conv}/take`, sam);
    expect(steal.status).to.equal(409);
    expect(steal.body.holder).to.equal('alex');
    expect((await api(bot, 'POST', `/api/agent/conversations/${conv}/messages`, sam, { text: 'hello' })).status).to.equal(409);
    expect((await api(bot, 'POST', `/api/agent/conversations/${conv}/rma`, sam, { remedy: 'refund' })).status).to.equal(409);

    // The customer is told who joined; their messages reach Alex and the bot stays silent.
    const log1 = await bot.runtime.store.readLog(conv);
    expect(log1.map((e) => (e.activity as { text?: string }).text).join('\n')).to.match(/Alex from our support team has joined/);
    const silent = await say(bot.url, conv, 'the box was crushed when it arrived', { locale: 'en-GB' });
    expect(silent).to.deep.equal([]);
    const seen = await api(bot, 'GET', `/api/agent/conversations/${conv}`, alex);
    expect((seen.body.transcript as { text: string; role: string }[]).some((l) => l.role === 'customer' && l.text === 'the box was crushed when it arrived')).to.equal(true);

    // Alex writes; the customer's transcript has it, with Alex's name.
    const sent = await api(bot, 'POST', `/api/agent/conversations/${conv}/messages`, alex, { text: 'Sorry about that — I will sort it out.' });
    expect(sent.status).to.equal(201);
    const log2 = await bot.runtime.store.readLog(conv);
    const fromAlex = log2.map((e) => e.activity as { text?: string; from?: { id?: string; name?: string } }).find((a) => a.from?.id === 'agent:alex');
    expect(fromAlex?.text).to.equal('Alex: Sorry about that — I will sort it out.');

    // An RMA here is for the order the bot verified: another order number is refused.
    const other = await api(bot, 'POST', `/api/agent/conversations/${conv}/rma`, alex, { remedy: 'replacement', orderNumber: 'UK-300001', sku: 'SD-256', reason: 'faulty' });
    expect(other.status, JSON.stringify(other.body)).to.equal(409);
    expect(other.body).to.deep.include({ error: 'order-mismatch', field: 'orderNumber' });

    // A staff RMA: audited with the agent and the note; the customer gets it.
    const rma = await api(bot, 'POST', `/api/agent/conversations/${conv}/rma`, alex, { remedy: 'replacement', note: 'photos show transit damage' });
    expect(rma.status, JSON.stringify(rma.body)).to.equal(201);
    expect(rma.body.rma).to.match(/^RMA-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    const record = await bot.runtime.store.getRma(rma.body.rma as string);
    expect(record!.issuedBy).to.equal('agent:alex');
    expect(record!.note).to.equal('photos show transit damage');
    expect(record!.remedy).to.equal('replacement');
    expect(record!.decision.reasons.map((r) => r.code)).to.include('STAFF_DECISION');
    const log3 = await bot.runtime.store.readLog(conv);
    expect(log3.some((e) => (e.activity as { channelData?: { returns?: { rma?: string } } }).channelData?.returns?.rma === rma.body.rma)).to.equal(true);
    // …and /metrics counts it, as it counts the bot's.
    const metrics = await (await fetch(`${bot.url}/metrics`)).text();
    expect(metrics).to.match(/^returnsbot_rmas_issued_total\{policy="uk-online"\} 1$/m);

    // Release: the bot is back and carries on.
    const release = await api(bot, 'POST', `/api/agent/conversations/${conv}/release`, alex);
    expect(release.status).to.equal(200);
    const back = await bot.runtime.store.readLog(conv);
    expect(back.map((e) => (e.activity as { text?: string }).text).join('\n')).to.match(/I'm back/);
    const next = await say(bot.url, conv, 'thanks', { locale: 'en-GB' });
    expect(next.length).to.be.greaterThan(0);

    // Every staff action is in the conversation's audit trail.
    const audit = (await bot.runtime.store.conversationAudit(conv)).map((a) => `${a.actor} ${a.action}`);
    for (const a of ['agent:alex handoff.taken', 'agent:alex handoff.message', 'agent:alex rma.issued', 'agent:alex handoff.released']) expect(audit).to.include(a);
    const closed = await api(bot, 'GET', '/api/agent/conversations?status=closed', alex);
    expect((closed.body.conversations as { id: string }[]).some((c) => c.id === conv)).to.equal(true);
  });

  it('a staff RMA without a bot-verified order: staff give the order line and vouch for the customer (audited); the customer is told', async () => {
    const conv = `c-${randomUUID()}`;
    await say(bot.url, conv, 'hi', { locale: 'en-GB' });
    await say(bot.url, conv, 'I want to talk to a person', { locale: 'en-GB' });
    expect((await bot.runtime.store.getHandoff(conv))?.status).to.equal('queued');
    expect((await api(bot, 'POST', `/api/agent/conversations/${conv}/take`, alex)).status).to.equal(200);
    const rma = (body: unknown) => api(bot, 'POST', `/api/agent/conversations/${conv}/rma`, alex, body);

    // What is missing or wrong is named.
    const none = await rma({ remedy: 'refund' });
    expect(none.status).to.equal(400);
    expect(none.body).to.deep.include({ error: 'incomplete', field: 'orderNumber' });
    for (const [body, field] of [
      [{ remedy: 'refund', orderNumber: 42, sku: 'HP-200', reason: 'faulty' }, 'orderNumber'],
      [{ remedy: 'refund', orderNumber: 'UK-100234', sku: 'HP-200', reason: 'broken' }, 'reason'],
      [{ remedy: 'cash', orderNumber: 'UK-100234', sku: 'HP-200', reason: 'faulty' }, 'remedy'],
      [{ remedy: 'refund', orderNumber: 'UK-100234', sku: 'HP-200', reason: 'faulty', customer: 'me' }, 'customer'],
    ] as const) {
      const r = await rma(body);
      expect(r.status, JSON.stringify(r.body)).to.equal(400);
      expect(r.body).to.deep.include({ error: 'bad-request', field });
      expect(r.body.message).to.match(new RegExp(`^${field}: `));
    }
    const unknownOrder = await rma({ remedy: 'refund', orderNumber: 'UK-999999', sku: 'HP-200', reason: 'faulty' });
    expect(unknownOrder.status).to.equal(404);
    expect(unknownOrder.body).to.deep.include({ error: 'unknown-order', field: 'orderNumber' });
    const unknownSku = await rma({ remedy: 'refund', orderNumber: 'UK-100234', sku: 'TV-99', reason: 'faulty' });
    expect(unknownSku.status).to.equal(404);
    expect(unknownSku.body).to.deep.include({ error: 'unknown-sku', field: 'sku' });
    const which = await rma({ remedy: 'refund', orderNumber: 'UK-100234', reason: 'faulty' });
    expect(which.status).to.equal(400);
    expect(which.body).to.deep.include({ error: 'incomplete', field: 'sku' });
    expect(await bot.runtime.store.findRma('UK-100234', 'HP-200', 'faulty')).to.equal(null);

    // Given the order line, the RMA is issued: the staff member vouched, both audit trails say so.
    const issued = await rma({ remedy: 'refund', note: 'customer showed the invoice on a call', orderNumber: 'uk-100234', sku: 'hp-200', reason: 'faulty' });
    expect(issued.status, JSON.stringify(issued.body)).to.equal(201);
    expect(issued.body).to.deep.include({ created: true, vouched: true });
    const record = (await bot.runtime.store.getRma(issued.body.rma as string))!;
    expect(record).to.deep.include({ orderNumber: 'UK-100234', sku: 'HP-200', reason: 'faulty', remedy: 'refund', issuedBy: 'agent:alex', note: 'customer showed the invoice on a call' });
    expect(record.audit[0]?.data).to.deep.include({ vouched: true, vouchedBy: 'alex', vouchedByName: 'Alex' });
    expect(record.decision.policy).to.equal('uk-online');
    expect(record.decision.sources).to.deep.include({ deliveredOn: 'order', product: 'order' });
    expect(record.facts.deliveredOn).to.deep.equal({ value: '2026-12-22', source: 'order' });
    const audit = await bot.runtime.store.conversationAudit(conv);
    expect(audit.find((a) => a.action === 'rma.issued')).to.deep.include({ actor: 'agent:alex' });
    expect(audit.find((a) => a.action === 'rma.issued')?.data).to.deep.include({ vouched: true, vouchedBy: 'alex', orderNumber: 'UK-100234', sku: 'HP-200', reason: 'faulty' });
    const told = (await bot.runtime.store.readLog(conv)).map((e) => e.activity as { text?: string; channelData?: { returns?: { rma?: string } } });
    const message = told.find((a) => a.channelData?.returns?.rma === issued.body.rma);
    expect(message?.text).to.include(issued.body.rma as string);

    // Staff see it, change its remedy while it is issued, mark it received; then its remedy is fixed.
    const shown = await api(bot, 'GET', `/api/agent/rmas/${(issued.body.rma as string).toLowerCase()}`, alex);
    expect(shown.status).to.equal(200);
    expect(shown.body).to.deep.include({ rma: issued.body.rma, status: 'issued' });
    expect((shown.body.facts as Record<string, unknown>).deliveredOn).to.deep.equal({ value: '2026-12-22', source: 'order' });
    const changed = await api(bot, 'POST', `/api/agent/rmas/${issued.body.rma as string}/remedy`, alex, { remedy: 'replacement', note: 'out of stock for refunds?' });
    expect(changed.status, JSON.stringify(changed.body)).to.equal(200);
    expect(changed.body.remedy).to.equal('replacement');
    const received = await api(bot, 'POST', `/api/agent/rmas/${issued.body.rma as string}/status`, alex, { status: 'received', note: 'parcel in' });
    expect(received.status).to.equal(200);
    expect(received.body.status).to.equal('received');
    const fixed = await api(bot, 'POST', `/api/agent/rmas/${issued.body.rma as string}/remedy`, alex, { remedy: 'refund' });
    expect(fixed.status).to.equal(409);
    expect(fixed.body).to.deep.include({ error: 'being-processed' });
    const badStatus = await api(bot, 'POST', `/api/agent/rmas/${issued.body.rma as string}/status`, alex, { status: 'issued' });
    expect(badStatus.status).to.equal(400);
    expect(badStatus.body).to.deep.include({ field: 'status' });
    expect((await api(bot, 'POST', `/api/agent/rmas/${issued.body.rma as string}/status`, alex, { status: 'completed' })).status).to.equal(200);
    const back = await api(bot, 'POST', `/api/agent/rmas/${issued.body.rma as string}/status`, alex, { status: 'received' });
    expect(back.status).to.equal(409);
    expect(back.body).to.deep.include({ error: 'backwards' });
    expect((await api(bot, 'GET', '/api/agent/rmas/RMA-0000-0000', alex)).status).to.equal(404);
    expect((await api(bot, 'GET', `/api/agent/rmas/${issued.body.rma as string}`, null)).status).to.equal(401);
    const trail = (await bot.runtime.store.getRma(issued.body.rma as string))!.audit.map((a) => `${a.actor} ${a.action} ${String(a.data['to'] ?? '')}`);
    expect(trail).to.deep.equal(['agent:alex rma.issued ', 'agent:alex rma.remedy-changed replacement', 'agent:alex rma.status-changed received', 'agent:alex rma.status-changed completed']);
  });

  it('a customer can leave the queue; the queue no longer shows them', async () => {
    const conv = `c-${randomUUID()}`;
    await say(bot.url, conv, 'hi', { locale: 'en-GB' });
    await say(bot.url, conv, 'agent!!', { locale: 'en-GB' });
    expect((await bot.runtime.store.getHandoff(conv))?.status).to.equal('queued');
    const left = await say(bot.url, conv, 'cancel', { locale: 'en-GB' });
    expect(left.map((a) => a.text).join(' ')).to.match(/left the queue/);
    expect((await bot.runtime.store.getHandoff(conv))?.status).to.equal('left');
    const restart = await say(bot.url, conv, 'hello', { locale: 'en-GB' });
    expect(askedStep(restart)).to.equal('orderNumber');
  });

  it('leaving the queue goes back to the question the customer was at, asked again (nothing said is lost)', async () => {
    const conv = `c-${randomUUID()}`;
    await say(bot.url, conv, 'hi, I want to return something from UK-100234', { locale: 'en-GB' });
    await say(bot.url, conv, 'actually can I talk to a person', { locale: 'en-GB' });
    expect((await bot.runtime.store.getHandoff(conv))?.status).to.equal('queued');
    const left = await say(bot.url, conv, 'cancel', { locale: 'en-GB' });
    expect(left.map((a) => a.text).join(' ')).to.match(/left the queue/);
    expect(askedStep(left)).to.equal('verify');
    expect((await bot.runtime.store.getHandoff(conv))?.status).to.equal('left');
    const next = await say(bot.url, conv, 'sam@example.com', { locale: 'en-GB' });
    expect(askedStep(next)).to.equal('item');
  });

  it('in Spanish the customer is told their place in the queue in Spanish', async () => {
    const conv = `c-${randomUUID()}`;
    await say(bot.url, conv, 'hola', { locale: 'es-US' });
    const r = await say(bot.url, conv, 'quiero hablar con una persona', { locale: 'es-US' });
    const q = r.find((a) => a.channelData?.returns?.handoff === 'queued');
    expect(q?.text).to.match(/fila/);
  });
});
