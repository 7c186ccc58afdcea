/**
 * The hostile-input fuzz test (issue 9): thousands of generated activities against /api/messages
 * and Direct Line — odd types, sizes, nesting, unicode (lone surrogates, control and bidi
 * characters, emoji), prototype keys, card payloads, content encodings (valid, corrupt, unknown),
 * content types, invalid UTF-8, bad tokens and paths. Asserted for every one: no 5xx and no body
 * that names internals; for the run: nothing escaped as an uncaught exception (it would have ended
 * the process), the server still answers, and a normal conversation still reaches its RMA, over
 * both channels. A fixed seed: the same requests every run (change FUZZ_SEED to explore).
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { Agent } from 'node:http';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { driveReturn, HEADPHONES_ANSWERS, startBot, userMessage, widgetToken, type DlBot, type IssuedToken } from '../directline/helpers.js';
import { converse } from '../support/converse.js';
import { healthy, INTERNAL, raw, type RawReply } from './helpers.js';

const SEED = Number(process.env['FUZZ_SEED'] ?? 20261230);
const MESSAGES = 3000;
const DIRECT_LINE = 2200;
const CONCURRENCY = 16;

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isPrototypeOf'];
const CONVERSATIONS = Array.from({ length: 40 }, (_, i) => `fuzz-${i}`);

// ---- generators ---------------------------------------------------------------------------------

/** A URL component from any string (lone surrogates included). */
const component = (s: string) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '\ufffd'));
/** A header value from any string: what HTTP can carry (visible ASCII). */
const headerValue = (s: string) => s.replace(/[^\x21-\x7e]/g, '');

const oddString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\ud800',
    '\udfff',
    'a\ud83dz',
    '\u202e\u202d',
    '\u200b\u200d',
    '👍🏽👎',
    'ß',
    'İ',
    '\r\n',
    '%00',
    '../../etc/passwd',
    '<script>alert(1)</script>',
    "'; DROP TABLE orders; --",
    '${7*7}',
    '{{7*7}}',
  ),
  fc.constantFrom(...PROTO_KEYS),
  fc.constantFrom(
    'UK-100234',
    'IMP-500017',
    'sam@example.com',
    'LS1 4AP',
    '10001',
    'talk to a person',
    'start again',
    'cancel',
    'yes',
    'no',
    'refund',
    'el constructor',
    'I changed my mind',
    'it is broken',
    'actually it arrived on the 3rd',
  ),
);
const bigString = fc.nat({ max: 6000 }).map((n) => 'x'.repeat(n));
const leaf = fc.oneof(oddString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const nested = (depth: number): unknown => {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
};
const deepValue = fc.oneof({ arbitrary: fc.nat({ max: 40 }), weight: 4 }, { arbitrary: fc.integer({ min: 60, max: 200 }), weight: 1 }).map(nested);
const json = fc.oneof(
  { arbitrary: leaf, weight: 3 },
  { arbitrary: fc.array(leaf, { maxLength: 8 }), weight: 2 },
  { arbitrary: fc.dictionary(fc.oneof(oddString, fc.constantFrom(...PROTO_KEYS)), leaf, { maxKeys: 6 }), weight: 3 },
  { arbitrary: deepValue, weight: 1 },
);
const cardValue = fc.oneof(
  fc.record({
    returns: fc.record(
      {
        type: fc.oneof(
          fc.constantFrom('ITEM', 'REASON', 'ANSWER', 'REMEDY', 'YES', 'NO', 'HUMAN', 'CANCEL', 'RESTART', 'HELP', 'DONT_KNOW', 'HAS_PREAUTH', 'ANOTHER_ITEM', 'STAFF_RMA', 'AGENT_TOOK'),
          oddString,
        ),
        index: fc.oneof(fc.integer(), oddString),
        field: oddString,
        value: json,
        reason: oddString,
        remedy: oddString,
      },
      { requiredKeys: ['type'] },
    ),
  }),
  fc.record({ staff: fc.record({ action: oddString, conversationId: oddString }) }),
  json,
);
const typeField = fc.oneof(fc.constantFrom('message', 'message', 'message', 'event', 'conversationUpdate', 'typing', 'invoke', 'endOfConversation', 'handoff', 'messageReaction'), oddString, leaf);
const account = fc.oneof(fc.record({ id: oddString, name: oddString, role: fc.oneof(fc.constantFrom('user', 'bot'), oddString) }, { requiredKeys: [] }), leaf);

/** A Bot Framework activity for /api/messages, mostly plausible, often not. */
const activity = fc.record(
  {
    type: typeField,
    id: fc.oneof(fc.uuid(), oddString, leaf),
    channelId: fc.oneof(fc.constantFrom('test', 'msteams', 'directline', 'webchat', 'emulator'), oddString, leaf),
    serviceUrl: fc.oneof(fc.constant('http://127.0.0.1:9'), oddString),
    deliveryMode: fc.oneof(fc.constant('expectReplies'), oddString),
    conversation: fc.oneof(fc.record({ id: fc.oneof(fc.constantFrom(...CONVERSATIONS), oddString) }), leaf, fc.record({ id: json })),
    from: account,
    recipient: account,
    text: fc.oneof(oddString, bigString, leaf, json),
    locale: fc.oneof(fc.constantFrom('en-GB', 'en-US', 'es-US', 'es-MX', 'fr-FR', 'zz'), oddString),
    value: cardValue,
    name: fc.oneof(fc.constantFrom('handoff.status', 'handoff.initiate'), oddString),
    channelData: json,
    attachments: fc.oneof(fc.array(json, { maxLength: 3 }), json),
    entities: json,
    membersAdded: fc.oneof(fc.array(account, { maxLength: 3 }), json),
    timestamp: fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      oddString,
    ),
  },
  { requiredKeys: [] },
);

/** An activity that passes the boundary checks and reaches a turn, with hostile content where a channel allows anything. */
const plausible = fc
  .record({
    conversation: fc.constantFrom(...CONVERSATIONS),
    text: fc.oneof(
      oddString,
      oddString,
      fc.string({ unit: 'grapheme', maxLength: 300 }),
      fc.nat({ max: 3990 }).map((n) => 'é'.repeat(n)),
    ),
    locale: fc.oneof(fc.constantFrom('en-GB', 'en-US', 'es-US', 'es-MX', 'fr-FR'), fc.string({ maxLength: 30 })),
    value: fc.option(cardValue, { nil: undefined }),
    channelData: fc.option(json, { nil: undefined }),
    attachments: fc.option(fc.array(json, { maxLength: 3 }), { nil: undefined }),
    entities: fc.option(json, { nil: undefined }),
    type: fc.constantFrom('message', 'message', 'message', 'message', 'event', 'conversationUpdate', 'typing', 'invoke'),
    name: fc.option(fc.oneof(fc.constant('handoff.status'), oddString), { nil: undefined }),
    channelId: fc.constantFrom('test', 'msteams', 'directline', 'webchat', 'emulator', 'slack'),
    extra: fc.dictionary(fc.constantFrom(...PROTO_KEYS, 'misc', 'replyToId', 'textFormat'), json, { maxKeys: 3 }),
  })
  .map((a) => ({
    ...a.extra,
    type: a.type,
    id: `${a.conversation}-${Math.random().toString(36).slice(2)}`,
    channelId: a.channelId,
    serviceUrl: 'http://127.0.0.1:9',
    deliveryMode: 'expectReplies',
    locale: a.locale.slice(0, 32),
    from: { id: `user-${a.conversation}`, role: 'user' },
    recipient: { id: 'bot' },
    conversation: { id: a.conversation },
    text: a.text,
    ...(a.value !== undefined ? { value: a.value } : {}),
    ...(a.channelData !== undefined ? { channelData: a.channelData } : {}),
    ...(a.attachments !== undefined ? { attachments: a.attachments } : {}),
    ...(a.entities !== undefined ? { entities: a.entities } : {}),
    ...(a.name !== undefined ? { name: a.name } : {}),
    ...(a.type === 'conversationUpdate' ? { membersAdded: [{ id: `user-${a.conversation}` }] } : {}),
  }));

/** How the body is put on the wire. */
type Wire = 'json' | 'gzip' | 'deflate' | 'br' | 'corrupt-gzip' | 'corrupt-br' | 'unknown-encoding' | 'form' | 'text' | 'no-type' | 'bad-utf8' | 'bom' | 'truncated' | 'proto-text' | 'huge';
const wire = fc.oneof(
  { arbitrary: fc.constant<Wire>('json'), weight: 14 },
  { arbitrary: fc.constantFrom<Wire>('gzip', 'deflate', 'br', 'proto-text'), weight: 4 },
  { arbitrary: fc.constantFrom<Wire>('corrupt-gzip', 'corrupt-br', 'unknown-encoding', 'form', 'text', 'no-type', 'bad-utf8', 'bom', 'truncated', 'huge'), weight: 5 },
);

function encode(body: unknown, how: Wire): { body: Buffer; headers: Record<string, string> } {
  let text: string;
  try {
    text = JSON.stringify(body) ?? 'null';
  } catch {
    text = '{}';
  }
  const type = { 'content-type': 'application/json' };
  switch (how) {
    case 'gzip':
      return { body: gzipSync(text), headers: { ...type, 'content-encoding': 'gzip' } };
    case 'deflate':
      return { body: deflateSync(text), headers: { ...type, 'content-encoding': 'deflate' } };
    case 'br':
      return { body: brotliCompressSync(text), headers: { ...type, 'content-encoding': 'br' } };
    case 'corrupt-gzip':
      return { body: Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.from(text.slice(0, 50))]), headers: { ...type, 'content-encoding': 'gzip' } };
    case 'corrupt-br':
      return { body: Buffer.from(text.slice(0, 30)), headers: { ...type, 'content-encoding': 'br' } };
    case 'unknown-encoding':
      return { body: Buffer.from(text), headers: { ...type, 'content-encoding': 'compress' } };
    case 'form':
      return { body: Buffer.from(`text=${component(text.slice(0, 100))}`), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
    case 'text':
      return { body: Buffer.from(text), headers: { 'content-type': 'text/plain' } };
    case 'no-type':
      return { body: Buffer.from(text), headers: {} };
    case 'bad-utf8':
      return { body: Buffer.concat([Buffer.from(text.slice(0, -1)), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('}')]), headers: type };
    case 'bom':
      return { body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), headers: type };
    case 'truncated':
      return { body: Buffer.from(text.slice(0, Math.max(1, Math.floor(text.length / 2)))), headers: type };
    case 'proto-text':
      return { body: Buffer.from(text.replace(/^\{/, '{"__proto__":{"polluted":true,"text":"x"},"constructor":{"prototype":{"polluted":true}},')), headers: type };
    case 'huge':
      return { body: Buffer.from(text.replace(/^\{/, `{"pad":"${'x'.repeat(300 * 1024)}",`)), headers: type };
    default:
      return { body: Buffer.from(text), headers: type };
  }
}

interface Sent {
  what: string;
  reply: RawReply;
}

async function inBatches<T>(items: readonly T[], n: number, fn: (item: T) => Promise<Sent>): Promise<Sent[]> {
  const out: Sent[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) out.push(await fn(items[next++]!));
    }),
  );
  return out;
}

function check(sent: readonly Sent[]): void {
  if (process.env['FUZZ_VERBOSE']) {
    const byStatus = new Map<number, number>();
    for (const s of sent) byStatus.set(s.reply.status, (byStatus.get(s.reply.status) ?? 0) + 1);
    console.log('      statuses:', JSON.stringify(Object.fromEntries(byStatus)));
    const reasons = new Map<string, number>();
    for (const x of sent.filter((y) => y.reply.status === 400)) {
      const k = x.reply.text.replace(/"path":"[^"]*"/g, (m) => m.replace(/\[\d+\]|\.[^."]+$/g, '')).slice(0, 160);
      reasons.set(k, (reasons.get(k) ?? 0) + 1);
    }
    console.log(
      [...reasons]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 12)
        .map(([k, n]) => `${n} ${k}`)
        .join('\n'),
    );
  }
  const bad = sent.filter((s) => s.reply.status >= 500 || s.reply.status === 0 || INTERNAL.test(s.reply.text));
  expect(
    bad.slice(0, 5).map((s) => `${s.reply.status} ${s.what} → ${s.reply.text.slice(0, 300)}`),
    `${bad.length} of ${sent.length} bad`,
  ).to.deep.equal([]);
}

describe('security: fuzz — hostile activities against /api/messages and Direct Line', function () {
  this.timeout(120_000);
  let bot: DlBot;
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const uncaught: unknown[] = [];
  const onUncaught = (e: unknown) => uncaught.push(e);

  before(async () => {
    bot = await startBot({ env: { RATE_LIMIT_PER_MINUTE: '0', RATE_LIMIT_NEW_CONVERSATIONS_PER_MINUTE: '0', HANDOFF_MODE: 'event' } });
    process.on('uncaughtException', onUncaught);
    process.on('unhandledRejection', onUncaught);
  });
  after(async () => {
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
    agent.destroy();
    await bot.dispose();
  });

  it(`${MESSAGES} to /api/messages: no 5xx, nothing internal`, async () => {
    const cases = fc.sample(fc.tuple(fc.oneof({ arbitrary: plausible, weight: 6 }, { arbitrary: activity, weight: 2 }, { arbitrary: json, weight: 1 }), wire), { numRuns: MESSAGES, seed: SEED });
    const sent = await inBatches(cases, CONCURRENCY, async ([body, how]) => {
      const { body: bytes, headers } = encode(body, how);
      const reply = await raw(bot.url, 'POST', '/api/messages', bytes, headers, undefined, agent).catch((e: Error) => ({ status: 0, headers: {}, text: e.message }));
      return { what: `${how} ${bytes.subarray(0, 200).toString('latin1')}`, reply };
    });
    check(sent);
    const statuses = new Set(sent.map((s) => s.reply.status));
    // The run reached the conversation (200), the checks at the boundary (400, 413, 415).
    for (const status of [200, 400, 413, 415]) expect(statuses, `status ${status} seen`).to.include(status);
  });

  it(`${DIRECT_LINE} to Direct Line (activities, bad tokens, odd paths, uploads): no 5xx, nothing internal`, async () => {
    const conversations: IssuedToken[] = [];
    for (let i = 0; i < 20; i++) conversations.push(await widgetToken(bot.url));
    const dlActivity = fc.record(
      {
        type: fc.oneof({ arbitrary: fc.constantFrom('message', 'typing', 'event'), weight: 8 }, { arbitrary: fc.oneof(oddString, leaf), weight: 1 }),
        text: fc.oneof(oddString, oddString, oddString, bigString, leaf),
        locale: fc.oneof(fc.constantFrom('en-GB', 'es-US'), oddString),
        value: cardValue,
        name: fc.oneof(fc.constant('handoff.status'), oddString),
        from: fc.oneof({ arbitrary: fc.record({ id: oddString, name: oddString }, { requiredKeys: [] }), weight: 6 }, { arbitrary: account, weight: 1 }),
        channelData: fc.oneof({ arbitrary: fc.record({ clientActivityID: fc.oneof(fc.uuid(), oddString) }), weight: 6 }, { arbitrary: json, weight: 1 }),
        attachments: json,
      },
      { requiredKeys: ['type', 'text'] },
    );
    const target = fc.oneof(
      fc.constant<'own'>('own'),
      fc.constant<'own'>('own'),
      fc.constant<'own'>('own'),
      fc.constantFrom<'other' | 'none' | 'garbage' | 'suffix' | 'path' | 'history' | 'upload'>('other', 'none', 'garbage', 'suffix', 'path', 'history', 'upload'),
    );
    const cases = fc.sample(fc.tuple(fc.nat({ max: conversations.length - 1 }), target, fc.oneof({ arbitrary: dlActivity, weight: 5 }, { arbitrary: json, weight: 1 }), wire, oddString), {
      numRuns: DIRECT_LINE,
      seed: SEED + 1,
    });
    const sent = await inBatches(cases, CONCURRENCY, async ([i, to, body, how, junk]) => {
      const conv = conversations[i]!;
      const other = conversations[(i + 1) % conversations.length]!;
      const token = headerValue(to === 'other' ? other.token : to === 'none' ? '' : to === 'garbage' ? junk : to === 'suffix' ? `${conv.token}${junk || '='}` : conv.token);
      const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      let path = `/v3/directline/conversations/${encodeURIComponent(conv.conversationId)}/activities`;
      if (to === 'path') path = `/v3/directline/conversations/${[component(junk), '%E0%A4%A', '%zz', 'x'.repeat(3000), '..%2F..%2F'][i % 5]}/activities`;
      if (to === 'history') {
        const reply = await raw(bot.url, 'GET', `${path}?watermark=${component(junk)}`, null, auth, undefined, agent).catch((e: Error) => ({ status: 0, headers: {}, text: e.message }));
        return { what: `history ${junk}`, reply };
      }
      if (to === 'upload') {
        const boundary = 'fuzzboundary';
        const multipart = Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${junk}"\r\nContent-Type: image/png\r\n\r\n${junk}\r\n${i % 2 ? `--${boundary}--\r\n` : ''}`,
        );
        const reply = await raw(
          bot.url,
          'POST',
          path.replace('/activities', `/upload?userId=${component(junk)}`),
          multipart,
          { ...auth, 'content-type': `multipart/form-data; boundary=${boundary}` },
          undefined,
          agent,
        ).catch((e: Error) => ({ status: 0, headers: {}, text: e.message }));
        return { what: `upload ${junk}`, reply };
      }
      const { body: bytes, headers } = encode(body, how);
      const reply = await raw(bot.url, 'POST', path, bytes, { ...headers, ...auth }, undefined, agent).catch((e: Error) => ({ status: 0, headers: {}, text: e.message }));
      return { what: `${to} ${how} ${bytes.subarray(0, 200).toString('latin1')}`, reply };
    });
    check(sent);
    const statuses = new Set(sent.map((s) => s.reply.status));
    for (const status of [200, 400, 403]) expect(statuses, `status ${status} seen`).to.include(status);
  });

  it('nothing escaped as an uncaught exception, the server answers, and normal conversations reach their RMA', async () => {
    expect(uncaught.map(String)).to.deep.equal([]);
    expect(await healthy(bot.url)).to.equal(true);
    const overHttp = await converse(bot.url, {
      name: 'after the fuzz',
      locale: 'en-GB',
      opening: 'Hi, I want to return my headphones from order UK-100234',
      orderNumber: 'UK-100234',
      verify: 'sam@example.com',
      item: 'Studio headphones',
      reasonText: 'I changed my mind',
      facts: { sealBroken: false, used: false, serialLabelIntact: true, activationStripDamaged: false, tampered: false, packagingOpened: false, softwareClaimed: false },
    });
    expect(overHttp.rma, JSON.stringify(overHttp.steps)).to.match(/^RMA-/);
    const dl = await widgetToken(bot.url);
    const overDirectLine = await driveReturn(bot.url, dl, { ...HEADPHONES_ANSWERS, item: 'Aero 15 notebook', reason: 'I changed my mind', remedy: 'refund' }, 40);
    expect(overDirectLine.rma, JSON.stringify(overDirectLine.steps)).to.match(/^RMA-/);
    // The prototype keys in the bodies polluted nothing.
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    expect(userMessage('u', 'x')).to.not.have.property('polluted');
  });
});
