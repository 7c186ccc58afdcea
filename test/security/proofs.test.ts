/**
 * Findings 2 and 3 (issue 9): proof of ownership.
 *
 * - One message may carry exactly one candidate proof (an email, a postcode or a ZIP code): a list
 *   of guesses ("10001 10002 … ", 665 ZIP codes, an outward code with every inward code) proves
 *   nothing, even when the right one is in it, and is a failed attempt with a clear ask.
 * - Failed proofs are counted per order in the store (across conversations, restarts and instances)
 *   and per conversation, with a lock-out window: "start again", a new conversation, a restart or a
 *   second instance gives no more guesses. Locked, the customer is told so kindly and offered a
 *   person; staff see the lock in the hand-over summary. An unknown order number is answered
 *   exactly like a wrong proof. Asking for a person at the proof step never counts.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createActor, fromPromise, waitFor } from 'xstate';
import { hashAccessKey, newAccessKey } from '../../src/handoff/keys.js';
import { candidateMatches, proofCandidates } from '../../src/nlu/identity.js';
import { returnsMachine, stateName, type VerifyInput, type VerifyOutput } from '../../machines/returns.machine.js';
import type { Reply } from '../../machines/types.js';
import { movingClock, startBot, type Clock, type DlBot } from '../directline/helpers.js';
import { askedStep, say, type BotActivity } from '../support/server.js';
import { createSchema, dropSchema, TEST_DATABASE_URL, urlWithSchema } from '../support/pg.js';
import { table } from '../nlu/table.js';

const text = (replies: readonly BotActivity[]) => replies.map((a) => a.text ?? '').join('\n');
const LOCKED = /For your security I can't check this order again/;
const MATCHED = /matches our records/;

// ---- candidates (pure) ----------------------------------------------------------------------------

table<string, string[]>(
  'proofCandidates',
  [
    ["it's sam@example.com", ['email:sam@example.com']],
    ['SAM@Example.COM, sam@example.com', ['email:sam@example.com']],
    ['LS1 4AP', ['postcode:LS1 4AP']],
    ['ls14ap', ['postcode:LS1 4AP']],
    ['my postcode is sw1a 1aa thanks', ['postcode:SW1A 1AA']],
    ['LS1', ['postcode:LS1']],
    ['M1', ['postcode:M1']],
    ['LS1 4AP or LS1 4AQ', ['postcode:LS1 4AP', 'postcode:LS1 4AQ']],
    // bare inward codes after a postcode are not postcodes: one candidate, one guess
    ['LS1 4AA 4AB 4AD', ['postcode:LS1 4AA']],
    ['10001', ['zip:10001']],
    ['zip is 10001-1234', ['zip:10001-1234']],
    ['10001 1234', ['zip:10001-1234']],
    ['10001 10002', ['zip:10001', 'zip:10002']],
    ['sam@example.com LS1 4AP', ['email:sam@example.com', 'postcode:LS1 4AP']],
    ['sam@example.com or lee@example.com', ['email:sam@example.com', 'email:lee@example.com']],
    ['D02 X285', ['postcode:D02 X285']],
    ['toString', []],
    ['constructor', []],
    ["I don't know", []],
    ['', []],
  ],
  (s) => proofCandidates(s).map((c) => `${c.kind}:${c.value}`),
);

describe('security: proof candidates', () => {
  it('665 ZIP codes in one message are 665 candidates (never a proof)', () => {
    const zips = Array.from({ length: 665 }, (_, i) => String(10001 + i)).join(' ');
    expect(proofCandidates(zips)).to.have.length(665);
  });

  it('an outward code with inward codes is one candidate per postcode', () => {
    const list = ['4AA', '4AB', '4AD', '4AE', '4AF', '4AG', '4AH', '4AJ', '4AL', '4AN', '4AP', '4AQ'].map((i) => `LS1 ${i}`).join(', ');
    expect(proofCandidates(list).length).to.equal(12);
  });

  it('one candidate matches the order as before: email any case, postcode without spaces, ZIP and ZIP+4', () => {
    const uk = { email: 'sam@example.com', postcode: 'LS1 4AP' };
    const us = { email: 'lee@example.com', postcode: '10001-1234' };
    const one = (s: string) => proofCandidates(s)[0]!;
    expect(candidateMatches(one('SAM@EXAMPLE.COM'), uk)).to.equal(true);
    expect(candidateMatches(one('ls14ap'), uk)).to.equal(true);
    expect(candidateMatches(one('LS1'), uk)).to.equal(false);
    expect(candidateMatches(one('10001'), us)).to.equal(true);
    expect(candidateMatches(one('10001-1234'), us)).to.equal(true);
    expect(candidateMatches(one('10001-9999'), us)).to.equal(false);
    expect(candidateMatches(one('10002'), us)).to.equal(false);
  });
});

// ---- the machine's verify states (minimal edits: their replies) ----------------------------------

describe('security: the verify states answer each result of the verifier', () => {
  const run = async (output: VerifyOutput) => {
    const machine = returnsMachine.provide({
      actors: { verifyOrder: fromPromise<VerifyOutput, VerifyInput>(async () => output) },
    });
    const now = Date.parse('2026-12-30T12:00:00Z');
    const actor = createActor(machine, { input: { conversationId: 'c', defaultPolicy: 'uk-online', todayOverride: '2026-12-30', now } });
    const replies: Reply[] = [];
    actor.on('reply', (r) => replies.push(r));
    actor.start();
    actor.send({ type: 'MESSAGE', commands: [{ type: 'SetSlot', confidence: 1, slot: 'orderNumber', value: 'UK-100234' }] });
    replies.length = 0;
    actor.send({
      type: 'MESSAGE',
      commands: [
        {
          type: 'SetSlot',
          confidence: 1,
          slot: 'proof',
          value: [
            { kind: 'zip', value: '10001' },
            { kind: 'zip', value: '10002' },
          ],
        },
      ],
    });
    const s = await waitFor(actor, (x) => x.hasTag('waiting'));
    actor.stop();
    return { state: stateName(s), keys: replies.flatMap((r) => r.parts.map((p) => p.key)), replies };
  };

  it('ambiguous: asks for exactly one proof, at the verify step', async () => {
    const r = await run({ status: 'ambiguous', attemptsLeft: 4 });
    expect(r.state).to.equal('askVerify');
    expect(r.keys).to.include('verify.oneProof');
  });

  it('locked: says so with the minutes left, and offers a person (and starting again)', async () => {
    const r = await run({ status: 'locked', until: '2026-12-30T12:14:10Z' });
    expect(r.state).to.equal('verifyFailed');
    const locked = r.replies.flatMap((x) => x.parts).find((p) => p.key === 'verify.locked');
    expect(locked?.params).to.deep.equal({ minutes: 15 });
    expect(r.replies.flatMap((x) => x.choices ?? []).flatMap((c) => c.commands.map((k) => k.type))).to.include('HumanHandoff');
  });

  it('no attempts left: straight to the offer of a person', async () => {
    const r = await run({ status: 'noMatch', attemptsLeft: 0 });
    expect(r.state).to.equal('verifyFailed');
  });
});

// ---- over HTTP ----------------------------------------------------------------------------------

/** Open a conversation at the verify step of `orderNumber`. */
async function atVerify(url: string, orderNumber = 'UK-100234', conversationId = `c-${randomUUID()}`, locale = 'en-GB'): Promise<string> {
  await say(url, conversationId, 'hi', { locale });
  const r = await say(url, conversationId, orderNumber, { locale });
  expect(askedStep(r), text(r)).to.equal('verify');
  return conversationId;
}

describe('security: proof of ownership over HTTP', function () {
  this.timeout(120_000);
  let bot: DlBot;
  let clock: Clock;

  beforeEach(async () => {
    clock = movingClock();
    bot = await startBot({ clock, env: { RATE_LIMIT_PER_MINUTE: '0', RETURNS_PROOF_LOCK_MINUTES: '15' } });
  });
  afterEach(async () => bot.dispose());

  it('a list of candidates that includes the right one is refused, with a clear ask for one', async () => {
    for (const list of ['sam@example.com lee@example.com', 'LS1 4AP, LS1 4AQ, LS1 4AR', 'other@example.com or sam@example.com']) {
      const conv = await atVerify(bot.url);
      const r = await say(bot.url, conv, list);
      expect(text(r), list).not.to.match(MATCHED);
      expect(text(r), list).to.match(/just one thing/);
      expect(askedStep(r)).to.equal('verify');
      // then exactly the right one works
      expect(text(await say(bot.url, conv, 'sam@example.com'))).to.match(MATCHED);
    }
  });

  it('665 ZIP codes in one message (the right one among them) prove nothing', async () => {
    const conv = await atVerify(bot.url, 'IMP-500017');
    const zips = Array.from({ length: 665 }, (_, i) => String(9800 + i * 3).padStart(5, '0'))
      .concat(['10001'])
      .join(' ');
    const r = await say(bot.url, conv, zips.slice(0, 3990));
    expect(text(r)).not.to.match(MATCHED);
    expect(text(await say(bot.url, conv, '10001'))).to.match(MATCHED);
  });

  it('counts wrong proofs per order across new conversations: then even the right proof is locked, kindly, with a person offered', async () => {
    for (let i = 0; i < 5; i++) {
      const conv = await atVerify(bot.url);
      const r = await say(bot.url, conv, `guess${i}@example.com`);
      expect(text(r)).not.to.match(MATCHED);
    }
    const conv = await atVerify(bot.url);
    const r = await say(bot.url, conv, 'sam@example.com');
    expect(text(r)).to.match(LOCKED);
    expect(text(r)).not.to.match(MATCHED);
    expect(r.flatMap((a) => a.suggestedActions?.actions.map((x) => x.title) ?? [])).to.include('Talk to a person');
    // "start again" gives no more guesses
    await say(bot.url, conv, 'start again');
    await say(bot.url, conv, 'UK-100234');
    expect(text(await say(bot.url, conv, 'sam@example.com'))).to.match(LOCKED);
    // another order is not affected
    const other = await atVerify(bot.url, 'IMP-500017');
    expect(text(await say(bot.url, other, 'lee@example.com'))).to.match(MATCHED);
    // after the window, the right proof works again
    clock.advance(15 * 60 + 1);
    const later = await atVerify(bot.url);
    expect(text(await say(bot.url, later, 'sam@example.com'))).to.match(MATCHED);
  });

  it('counts per conversation across "start again" and across order numbers', async () => {
    const conv = await atVerify(bot.url);
    for (const guess of ['a@example.com', 'b@example.com', 'c@example.com']) await say(bot.url, conv, guess);
    await say(bot.url, conv, 'start again');
    await say(bot.url, conv, 'IMP-500017');
    await say(bot.url, conv, 'd@example.com');
    const r = await say(bot.url, conv, 'e@example.com');
    expect(text(r)).to.match(LOCKED);
    // locked for any order in this conversation, the right proof included
    await say(bot.url, conv, 'start again');
    await say(bot.url, conv, 'UK-300001');
    expect(text(await say(bot.url, conv, 'ali@example.co.uk'))).to.match(LOCKED);
  });

  it('an unknown order number is answered exactly like a wrong proof, up to the lock', async () => {
    const replies = async (orderNumber: string) => {
      const out: string[] = [];
      for (let i = 0; i < 6; i++) {
        const conv = await atVerify(bot.url, orderNumber);
        out.push(text(await say(bot.url, conv, `guess${i}@example.com`)).replaceAll(orderNumber, '#'));
      }
      return out;
    };
    const known = await replies('UK-300001');
    const unknown = await replies('UK-999999');
    expect(unknown).to.deep.equal(known);
    expect(known.at(-1)).to.match(LOCKED);
  });

  it('asking for a person at the proof step never counts as a failed proof', async () => {
    for (const ask of ['talk to a person', 'human. now.', 'HUMAN. NOW.', 'I need help from a human, not a bot', 'can I speak to someone']) {
      for (let i = 0; i < 2; i++) {
        const conv = await atVerify(bot.url);
        const r = await say(bot.url, conv, ask);
        expect(
          r.some((a) => a.channelData?.returns?.handoff === 'queued'),
          `${ask}: ${text(r)}`,
        ).to.equal(true);
      }
    }
    const counts = await bot.runtime.store.proofFailures(['order:UK-100234'], '2000-01-01T00:00:00.000Z');
    expect(counts[0]!.failures).to.equal(0);
    const conv = await atVerify(bot.url);
    expect(text(await say(bot.url, conv, 'sam@example.com'))).to.match(MATCHED);
  });

  it('a burst of concurrent guesses (the right one among them) gets at most the limit checked; the rest are locked', async () => {
    const convs = await Promise.all(Array.from({ length: 20 }, () => atVerify(bot.url)));
    const guesses = convs.map((_, i) => (i === 13 ? 'sam@example.com' : `guess${i}@example.com`));
    const answers = await Promise.all(convs.map((c, i) => say(bot.url, c, guesses[i]!)));
    const checked = answers.filter((r) => !LOCKED.test(text(r)));
    expect(checked.length, answers.map(text).join('\n---\n')).to.be.at.most(5);
    expect(answers.filter((r, i) => i !== 13 && MATCHED.test(text(r)))).to.deep.equal([]);
  });

  it('several customers verifying one order at the same moment (fewer than the limit) all get in', async () => {
    const convs = await Promise.all(Array.from({ length: 4 }, () => atVerify(bot.url)));
    const answers = await Promise.all(convs.map((c) => say(bot.url, c, 'sam@example.com')));
    for (const r of answers) expect(text(r)).to.match(MATCHED);
    // and one after another, any number of times
    for (let i = 0; i < 8; i++) expect(text(await say(bot.url, await atVerify(bot.url), 'sam@example.com'))).to.match(MATCHED);
  });

  it('staff see the lock in the hand-over summary', async () => {
    const key = newAccessKey();
    await bot.runtime.store.addAgent({ name: 'alex', displayName: 'Alex', keyHash: hashAccessKey(key), at: new Date(clock.now()).toISOString() });
    for (let i = 0; i < 4; i++) await say(bot.url, await atVerify(bot.url), `guess${i}@example.com`);
    const conv = await atVerify(bot.url);
    expect(text(await say(bot.url, conv, 'not-it@example.com'))).to.match(LOCKED);
    const handed = await say(bot.url, conv, 'talk to a person');
    expect(handed.some((a) => a.channelData?.returns?.handoff === 'queued')).to.equal(true);
    const res = await fetch(`${bot.url}/api/agent/conversations/${conv}`, { headers: { authorization: `Bearer ${key}` } });
    const view = (await res.json()) as { reason: string; summary: { verified: boolean; verification?: { locked: boolean; until: string; orderLocked: boolean } } };
    expect(view.reason).to.equal('verification-locked');
    expect(view.summary.verified).to.equal(false);
    expect(view.summary.verification).to.include({ locked: true, orderLocked: true });
    expect(Date.parse(view.summary.verification!.until)).to.be.greaterThan(clock.now());
  });
});

// ---- restarts and instances ---------------------------------------------------------------------

function sharedStoreSuite(name: string, env: () => Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }>) {
  describe(`security: wrong proofs count across restarts and instances (${name})`, function () {
    this.timeout(120_000);
    let setup: { env: Record<string, string>; cleanup: () => Promise<void> };
    let dataDir: string;
    before(async () => {
      setup = await env();
      dataDir = mkdtempSync(join(tmpdir(), 'returnsbot-proofs-'));
    });
    after(async () => {
      await setup.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('two instances on one store and a restart share one count per order', async () => {
      const clock = movingClock();
      const options = { clock, dataDir, env: { ...setup.env, RATE_LIMIT_PER_MINUTE: '0' } };
      const a = await startBot(options);
      const b = await startBot(options);
      try {
        for (let i = 0; i < 4; i++) {
          const on = i % 2 ? b : a;
          await say(on.url, await atVerify(on.url, 'UK-300001'), `guess${i}@example.com`);
        }
      } finally {
        await b.stop();
        await a.stop();
      }
      // A restart on the same store: one guess left, then locked — the right proof too.
      const c = await startBot(options);
      try {
        expect(text(await say(c.url, await atVerify(c.url, 'UK-300001'), 'guess4@example.com'))).to.match(LOCKED);
        expect(text(await say(c.url, await atVerify(c.url, 'UK-300001'), 'ali@example.co.uk'))).to.match(LOCKED);
      } finally {
        await c.stop();
      }
    });
  });
}

sharedStoreSuite('SQLite file', async () => ({ env: {}, cleanup: async () => {} }));
if (TEST_DATABASE_URL) {
  sharedStoreSuite('PostgreSQL', async () => {
    const schema = await createSchema();
    return { env: { DATABASE_URL: urlWithSchema(schema) }, cleanup: () => dropSchema(schema) };
  });
} else {
  describe('security: wrong proofs count across restarts and instances (PostgreSQL)', () => {
    it('runs only with TEST_DATABASE_URL set');
  });
}
