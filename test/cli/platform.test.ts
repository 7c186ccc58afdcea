/**
 * The command line as an operator meets it: `--version`, `rma show`'s messages, how `chat` ends,
 * `backup` while the bot runs, the merchant's packs folder (RETURNS_PACKS_DIR), and what `serve`
 * says on a terminal and when it cannot start.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { expect } from 'chai';
import { failureLines, hintFor } from '../../src/cli/failure.js';
import { ROOT } from '../../src/paths.js';
import { isValidRmaNumber } from '../../src/store/rma-id.js';
import { openSqlite } from '../../src/store/sqlite-binding.js';
import { runCli } from '../support/cli.js';
import { say, startTestBot, type TestBot } from '../support/server.js';

const RMA = /RMA-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}/;
/** A return that ends with an RMA (an order of SCENARIO_ORDERS, today 2026-12-30). */
const WHOLE_RETURN = ['UK-100234', 'sam@example.com', '1', 'I changed my mind', 'no', 'no', 'yes', 'yes'];

describe('returnsbot --version', function () {
  it('prints the package version', async function () {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-v']) {
      const run = await runCli([flag]);
      expect(run.code).to.equal(0);
      expect(run.stdout.trim()).to.equal(`returnsbot ${version}`);
    }
  });
});

describe('examples/orders.json (the order file format in docs/operations.md)', function () {
  it('imports as it is, for both shipped packs', async function () {
    const dir = mkdtempSync(join(tmpdir(), 'returnsbot-example-'));
    try {
      const run = await runCli(['orders', 'import', 'examples/orders.json'], { env: { RETURNS_DATA_DIR: dir, RETURNS_DEMO_ORDERS: 'false' } });
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.match(/^3 orders: 3 added/);
      const orders = JSON.parse(readFileSync(join(ROOT, 'examples', 'orders.json'), 'utf8')) as { policy: string }[];
      expect([...new Set(orders.map((o) => o.policy))].sort()).to.deep.equal(['impress-us', 'uk-online']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('returnsbot rma show: what it says', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'returnsbot-rma-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a malformed number: exit 2, with an example that passes its own check character', async function () {
    const run = await runCli(['rma', 'show', 'RMA-1234'], { env: { RETURNS_DATA_DIR: dir } });
    expect(run.code).to.equal(2);
    const example = /like (RMA-\S+),/.exec(run.stderr)?.[1];
    expect(example, run.stderr).to.be.a('string');
    expect(isValidRmaNumber(example!)).to.equal(true);
  });

  it('a well-formed number whose check character is wrong: exit 2, saying so', async function () {
    const run = await runCli(['rma', 'show', 'RMA-0000-0001'], { env: { RETURNS_DATA_DIR: dir } });
    expect(run.code).to.equal(2);
    expect(run.stderr).to.match(/check character, and it does not match/);
  });

  it('a valid number that was never issued: "no such RMA", exit 1', async function () {
    const run = await runCli(['rma', 'show', 'RMA-0000-0000'], { env: { RETURNS_DATA_DIR: dir, RETURNS_DEMO_ORDERS: 'false' } });
    expect(run.code).to.equal(1);
    expect(run.stderr).to.match(/^rma: no such RMA RMA-0000-0000 in the store in /);
  });
});

describe('returnsbot chat: how it ends', function () {
  this.timeout(60_000);
  let dir: string;
  let env: Record<string, string>;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'returnsbot-chat-'));
    env = { RETURNS_DATA_DIR: dir, RETURNS_TODAY: '2026-12-30' };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  for (const [input, how] of [
    ['exit', 'exit'],
    ['quit', 'quit'],
    ['QUIT', 'quit'],
    ['/exit', 'exit'],
    [null, 'end of input, Ctrl-D'],
  ] as const) {
    it(`ends on ${input === null ? 'the end of input (Ctrl-D)' : `"${input}"`} and says so`, async function () {
      const lines = ['UK-200311', ...(input === null ? [] : [input]), 'amira.khan@example.com'];
      const run = await runCli(['chat'], { env, stdin: `${lines.join('\n')}\n` });
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.match(/^\(type exit or quit, or press Ctrl-D, to end the chat\)/);
      expect(run.stdout).to.include(`chat ended (${how}); the conversation cli-`);
      // What came after the word that ended the chat never reached the bot.
      if (input !== null) expect(run.stdout).to.not.match(/matches our records/);
    });
  }

  it('takes "exit" inside a sentence as words for the bot, not as the end', async function () {
    const run = await runCli(['chat'], { env, stdin: 'where is the exit\nquit\n' });
    expect(run.stdout).to.include('chat ended (quit)');
    expect(run.stdout.match(/bot> /g)?.length).to.be.greaterThan(2);
  });
});

describe('returnsbot backup FILE', function () {
  this.timeout(90_000);
  let bot: TestBot;
  let out: string;

  before(async () => {
    bot = await startTestBot();
    out = mkdtempSync(join(tmpdir(), 'returnsbot-backup-'));
  });
  after(async () => {
    await bot?.stop();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('copies the store while the bot runs and keeps writing; the copy has the RMA and passes its integrity check', async function () {
    const replies: Awaited<ReturnType<typeof say>> = [];
    for (const text of WHOLE_RETURN) replies.push(...(await say(bot.url, 'backup-c1', text)));
    const rma = replies.map((a) => a.channelData?.returns?.rma).find(Boolean);
    expect(rma, JSON.stringify(replies)).to.be.a('string');

    // Other customers keep talking while the copy is taken.
    let talking = true;
    const busy = (async () => {
      let n = 0;
      while (talking) await say(bot.url, `backup-busy-${n++ % 5}`, 'hello');
      return n;
    })();
    const file = join(out, 'returns-copy.db');
    const run = await runCli(['backup', file], { env: { RETURNS_DATA_DIR: bot.dataDir } });
    talking = false;
    expect(await busy).to.be.greaterThan(0);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout, run.stdout).to.match(/^backed up .*returns\.db to .*returns-copy\.db: \d+ conversations?, 1 RMA, 3 orders; \d+ bytes, integrity ok/);

    const copy = openSqlite(file, { readonly: true }).db;
    try {
      expect(copy.prepare('SELECT rma FROM rmas').pluck().all()).to.deep.equal([rma]);
      expect(copy.pragma('integrity_check', { simple: true })).to.equal('ok');
    } finally {
      copy.close();
    }
    // Restored (the copy put as returns.db of a data folder), the bot's store has the RMA and its trail.
    const restoredDir = join(out, 'restored');
    mkdirSync(restoredDir);
    copyFileSync(file, join(restoredDir, 'returns.db'));
    const restored = await runCli(['rma', 'show', rma!], { env: { RETURNS_DATA_DIR: restoredDir, RETURNS_DEMO_ORDERS: 'false' } });
    expect(restored.code, restored.stderr).to.equal(0);
    expect(restored.stdout).to.match(/rma\.issued/);
  });

  it('into a folder: a new file named after the time; again: another, the first untouched', async function () {
    const folder = join(out, 'nightly');
    mkdirSync(folder);
    const first = await runCli(['backup', folder], { env: { RETURNS_DATA_DIR: bot.dataDir }, now: new Date('2027-01-04T02:00:00Z') });
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stdout).to.include(join(folder, 'returns-20270104-020000.db'));
    const second = await runCli(['backup', folder], { env: { RETURNS_DATA_DIR: bot.dataDir }, now: new Date('2027-01-05T02:00:00Z') });
    expect(second.stdout).to.include('returns-20270105-020000.db');
  });

  it('refuses what it cannot do, exit 2, naming why: no store, PostgreSQL, no such folder, no FILE', async function () {
    const empty = mkdtempSync(join(tmpdir(), 'returnsbot-nostore-'));
    try {
      const none = await runCli(['backup', join(out, 'x.db')], { env: { RETURNS_DATA_DIR: empty } });
      expect([none.code, none.stderr]).to.match(/^2,backup: no store at .*returns\.db/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
    const pg = await runCli(['backup', join(out, 'x.db')], { env: { DATABASE_URL: 'postgres://u:secret@db.example:5432/returns' } });
    expect(pg.code).to.equal(2);
    expect(pg.stderr).to.match(/PostgreSQL .*pg_dump/);
    expect(pg.stderr).to.not.include('secret');
    const folder = await runCli(['backup', join(out, 'no', 'such', 'x.db')], { env: { RETURNS_DATA_DIR: bot.dataDir } });
    expect([folder.code, folder.stderr]).to.match(/^2,backup: expected FILE in an existing folder/);
    expect((await runCli(['backup'], { env: {} })).code).to.equal(2);
  });
});

describe("RETURNS_PACKS_DIR: a merchant's own packs, by id", function () {
  this.timeout(60_000);
  let dir: string;
  let packs: string;
  let env: Record<string, string>;
  const order = {
    orderNumber: 'EU-500100',
    policy: 'eu-basic',
    currency: 'EUR',
    customer: { email: 'lena@example.de', postcode: '10115' },
    placedOn: '2026-12-18',
    deliveredOn: '2026-12-22',
    items: [{ sku: 'KB-10', name: 'Funk-Tastatur', category: 'peripheral', price: 49, quantity: 1 }],
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'returnsbot-packs-'));
    packs = join(dir, 'packs');
    mkdirSync(packs);
    copyFileSync(join(ROOT, 'test', 'fixtures', 'packs', 'eu-basic.yaml'), join(packs, 'eu-basic.yaml'));
    writeFileSync(join(packs, 'README.txt'), 'not a pack: ignored');
    env = { RETURNS_DATA_DIR: join(dir, 'data'), RETURNS_PACKS_DIR: packs, RETURNS_TODAY: '2026-12-30', RETURNS_DEMO_ORDERS: 'false' };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lists the pack, decides by its id, imports orders naming it, and the conversation books a return under it', async function () {
    const list = await runCli(['policy', 'list'], { env });
    expect(list.stdout).to.match(/^eu-basic\s+1\.0\.0\s+DE .*\(.*eu-basic\.yaml\)$/m);
    const decided = await runCli(['decide'], {
      env,
      stdin: JSON.stringify({ policy: 'eu-basic', today: '2026-12-30', reason: 'change-of-mind', deliveredOn: '2026-12-22', product: { category: 'peripheral' }, condition: {} }),
    });
    expect(decided.code, decided.stderr).to.equal(0);
    expect(JSON.parse(decided.stdout)).to.deep.include({ policy: 'eu-basic', outcome: 'approved' });

    writeFileSync(join(dir, 'orders.json'), JSON.stringify([order]));
    const imported = await runCli(['orders', 'import', join(dir, 'orders.json')], { env });
    expect(imported.code, imported.stderr).to.equal(0);

    const chat = await runCli(['chat'], { env, stdin: ['EU-500100', 'lena@example.de', 'I changed my mind', 'yes', 'exit'].join('\n') });
    const rma = RMA.exec(chat.stdout)?.[0];
    expect(rma, chat.stdout).to.be.a('string');
    const shown = await runCli(['rma', 'show', rma!], { env });
    expect(shown.stdout).to.match(/decision: approved under eu-basic 1\.0\.0/);
    expect(shown.stdout).to.match(/clauses: .*eu-basic\/withdrawal\/period/);
  });

  it('without the folder, the id is unknown (an order naming it is refused)', async function () {
    writeFileSync(join(dir, 'orders.json'), JSON.stringify([{ ...order, policy: 'acme-nowhere' }]));
    const run = await runCli(['orders', 'import', join(dir, 'orders.json')], { env });
    expect(run.code).to.equal(2);
    expect(run.stderr).to.match(/orders\[0\]\.policy: expected a known policy pack \(.*uk-online.*\), got "acme-nowhere"/);
  });

  it('stops any command at once on a bad pack, naming the file and every problem; nothing is registered', async function () {
    const text = readFileSync(join(packs, 'eu-basic.yaml'), 'utf8');
    writeFileSync(join(packs, 'acme.yaml'), text.replaceAll('eu-basic', 'acme').replace(/timeZone: .*/, 'timeZone: Mars/Olympus'));
    writeFileSync(join(packs, 'shop.json'), JSON.stringify({ id: 'other-name' }));
    for (const argv of [['serve'], ['policy', 'list'], ['decide']]) {
      const run = await runCli(argv, { env: { ...env, PORT: '0' }, stdin: '{}' });
      expect(run.code, argv.join(' ')).to.equal(2);
      expect(run.stderr).to.match(/^returnsbot: the policy packs in RETURNS_PACKS_DIR are not valid \(nothing was started\):/);
      expect(run.stderr).to.match(/^RETURNS_PACKS_DIR\/acme\.yaml: pack\.timeZone: /m);
      expect(run.stderr).to.match(/^RETURNS_PACKS_DIR\/shop\.json: pack\./m);
      expect(run.stderr).to.not.match(/\n\s+at /);
    }
  });

  it('refuses a file not named after its id, an id of a shipped pack, and a folder that is not there', async function () {
    const text = readFileSync(join(packs, 'eu-basic.yaml'), 'utf8');
    writeFileSync(join(packs, 'mine.yaml'), text.replaceAll('eu-basic', 'ours'));
    writeFileSync(join(packs, 'uk-online.yaml'), text.replaceAll('eu-basic', 'uk-online'));
    const run = await runCli(['policy', 'list'], { env });
    expect(run.code).to.equal(2);
    expect(run.stderr).to.match(/RETURNS_PACKS_DIR\/mine\.yaml: pack\.id: expected the file to be named after the pack's id \(ours\.yaml\)/);
    expect(run.stderr).to.match(/RETURNS_PACKS_DIR\/uk-online\.yaml: pack\.id: expected an id of your own: "uk-online" is a pack shipped with returnsbot/);
    const missing = await runCli(['policy', 'list'], { env: { ...env, RETURNS_PACKS_DIR: join(dir, 'nope') } });
    expect([missing.code, missing.stderr]).to.match(/^2,.*RETURNS_PACKS_DIR: expected a folder of policy packs .*it does not exist/s);
  });
});

/** Collects what is written; `isTTY` makes it look like a terminal to the command. */
function terminal(isTTY: boolean): { stream: Writable & { isTTY?: boolean }; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  }) as Writable & { isTTY?: boolean };
  stream.isTTY = isTTY;
  return { stream, text: () => text };
}

describe('returnsbot serve: a first start that explains itself', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'returnsbot-start-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Run `serve` in-process until it has said `until`, then stop it as SIGTERM would. */
  async function serve(env: Record<string, string>, isTTY: boolean, until: RegExp): Promise<{ code: number; stdout: string; stderr: string }> {
    const { main } = await import('../../src/cli/main.js');
    const stdout = terminal(isTTY);
    const stderr = terminal(false);
    const running = main(['serve'], {
      stdin: Readable.from([]),
      stdout: stdout.stream,
      stderr: stderr.stream,
      env: { RETURNS_DATA_DIR: dir, PORT: '0', ...env },
      now: () => new Date('2026-12-30T12:00:00Z'),
      cwd: ROOT,
    });
    const deadline = Date.now() + 30_000;
    let done: number | null = null;
    void running.then((c) => (done = c));
    while (!until.test(stdout.text()) && done === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (done === null) process.emit('SIGTERM');
    const code = await running;
    // Without the terminal's colours.
    return { code, stdout: stdout.text().replace(/\u001b\[[0-9;]*m/g, ''), stderr: stderr.text() };
  }

  it('on a terminal: says where the shop, the console, a staff key and the Emulator endpoint are, and logs readable lines', async function () {
    const run = await serve({}, true, /Stop with Ctrl-C/);
    expect(run.code, run.stderr).to.equal(0);
    const port = /http:\/\/localhost:(\d+)\/agent/.exec(run.stdout)?.[1];
    expect(port, run.stdout).to.be.a('string');
    expect(run.stdout).to.match(new RegExp(`Demo shop with the chat widget +http://localhost:${port}/\n`));
    expect(run.stdout).to.match(/no staff account yet: create one and its key with +npx returnsbot agent add alex/);
    expect(run.stdout).to.match(new RegExp(`Bot Framework Emulator +http://localhost:${port}/api/messages +\\(leave the app id and password empty\\)`));
    expect(run.stdout).to.match(/^\[\d\d:\d\d:\d\d\] INFO: returnsbot listening/m);
    expect(run.stdout).to.not.match(/^\{"level"/m);
  });

  it('not on a terminal: JSON log lines only (LOG_FORMAT=pretty asks for readable ones anyway)', async function () {
    const json = await serve({}, false, /returnsbot listening/);
    expect(json.stdout).to.not.match(/Staff console/);
    for (const line of json.stdout.trim().split('\n')) expect(() => JSON.parse(line), line).to.not.throw();
    const pretty = await serve({ LOG_FORMAT: 'pretty' }, false, /returnsbot listening/);
    expect(pretty.stdout).to.match(/^\[\d\d:\d\d:\d\d\] INFO: returnsbot listening/m);
  });

  it('a start that fails prints the whole cause and a hint, exit 1: a port in use', async function () {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const run = await serve({ PORT: String(port) }, false, /never/);
      expect(run.code).to.equal(1);
      expect(run.stderr).to.match(
        new RegExp(`^returnsbot: could not start: listen EADDRINUSE: address already in use 127\\.0\\.0\\.1:${port}\n  hint: port ${port} on 127\\.0\\.0\\.1 is already in use`),
      );
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('a native module built for another Node: which Node it was built for, and the rebuild command', function () {
    // The message Node gives (here, for a module built for Node 24 loaded by Node 20), wrapped as the store wraps it.
    const dlopen = Object.assign(
      new Error(
        "The module '/srv/bot/node_modules/better-sqlite3/build/Release/better_sqlite3.node'\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION 137. This version of Node.js requires\nNODE_MODULE_VERSION 115. Please try re-compiling or re-installing\nthe module (for instance, using `npm rebuild` or `npm install`).",
      ),
      { code: 'ERR_DLOPEN_FAILED' },
    );
    const error = new Error('the SQLite binding better-sqlite3 could not be loaded', { cause: dlopen });
    const lines = failureLines('could not start', error);
    expect(lines[0]).to.equal('returnsbot: could not start: the SQLite binding better-sqlite3 could not be loaded');
    expect(lines.join('\n')).to.include("caused by: The module '/srv/bot/node_modules/better-sqlite3/build/Release/better_sqlite3.node'\n    was compiled against");
    expect(hintFor(error)).to.match(
      new RegExp(
        `^the native module better-sqlite3 was built for Node 24, and this is Node ${process.versions.node.replace(/\./g, '\\.')} \\(NODE_MODULE_VERSION 115\\): rebuild it with this Node \\(\`npm rebuild better-sqlite3\`, or \`npm ci\`\\)`,
      ),
    );
  });

  it('gives no hint for what it cannot explain, and never a stack trace', function () {
    const lines = failureLines('could not start', new Error('something odd', { cause: new TypeError('deeper') }));
    expect(lines).to.deep.equal(['returnsbot: could not start: something odd', '  caused by: deeper']);
  });
});
