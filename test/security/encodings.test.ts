/**
 * Finding 1 (issue 9): a corrupt compressed body used to end the process (restify's gunzip stream
 * had no `error` listener), and the size limit counted compressed bytes (a 200 KB gzip body inflated
 * to 200 MB in memory). Against a real server process (`returnsbot serve`, with its process guard):
 *
 * - a corrupt gzip, deflate or brotli body is 400, on every POST route that reads a body, with or
 *   without a valid token; an encoding we do not accept is 415; the process lives and answers;
 * - a valid gzip body works; MAX_BODY_BYTES applies to the decoded body (a gzip bomb is 413);
 * - with RETURNS_WORKERS=2, workers that die are replaced and the supervisor never exits while
 *   workers should run.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { expectNothingInternal, healthy, message, raw, sleep, spawnServer, type Spawned } from './helpers.js';

const JSON_TYPE = { 'content-type': 'application/json' };

/** Every POST route that reads a JSON body, with what it needs to get as far as reading it. */
function bodyRoutes(token: string, conversationId: string): { name: string; path: string; headers: Record<string, string> }[] {
  const auth = { authorization: `Bearer ${token}` };
  return [
    { name: 'POST /api/messages', path: '/api/messages', headers: {} },
    { name: 'POST /api/widget/token', path: '/api/widget/token', headers: {} },
    { name: 'POST /v3/directline/tokens/generate', path: '/v3/directline/tokens/generate', headers: { authorization: 'Bearer not-the-secret' } },
    { name: 'POST /v3/directline/tokens/refresh', path: '/v3/directline/tokens/refresh', headers: auth },
    { name: 'POST /v3/directline/conversations', path: '/v3/directline/conversations', headers: auth },
    { name: 'POST …/activities (valid token)', path: `/v3/directline/conversations/${conversationId}/activities`, headers: auth },
    { name: 'POST …/activities (no token)', path: `/v3/directline/conversations/${conversationId}/activities`, headers: {} },
    { name: 'POST /v3/conversations/{id}/activities (connector)', path: `/v3/conversations/${conversationId}/activities`, headers: {} },
    { name: 'POST /agent/login', path: '/agent/login', headers: {} },
    { name: 'POST /api/agent/conversations/{id}/take', path: `/api/agent/conversations/${conversationId}/take`, headers: { authorization: 'Bearer rbk_wrong' } },
    { name: 'POST /api/agent/conversations/{id}/messages', path: `/api/agent/conversations/${conversationId}/messages`, headers: { authorization: 'Bearer rbk_wrong' } },
  ];
}

const corrupt: { name: string; encoding: string; body: Buffer }[] = [
  { name: 'gzip, not gzip at all', encoding: 'gzip', body: Buffer.from('abcdef') },
  { name: 'gzip, truncated', encoding: 'gzip', body: gzipSync(JSON.stringify(message('c', 'hi'))).subarray(0, 20) },
  {
    name: 'gzip, corrupted in the middle',
    encoding: 'gzip',
    body: (() => {
      const b = gzipSync(JSON.stringify(message('c', 'hello there')));
      b.writeUInt16BE(b.readUInt16BE(14) ^ 0xffff, 14);
      return b;
    })(),
  },
  { name: 'x-gzip, garbage', encoding: 'x-gzip', body: Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5]) },
  { name: 'deflate, garbage', encoding: 'deflate', body: Buffer.from('not deflate') },
  { name: 'br, garbage', encoding: 'br', body: Buffer.from([0xff, 0xfe, 0xfd, 0x00, 0x01]) },
  { name: 'gzip of invalid UTF-8', encoding: 'gzip', body: gzipSync(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])) },
];

describe('security: corrupt and compressed bodies (a real server process)', function () {
  this.timeout(120_000);
  let server: Spawned;
  let token: { token: string; conversationId: string };

  before(async () => {
    server = await spawnServer({ WIDGET_TOKENS_PER_MINUTE: '0', MAX_BODY_BYTES: String(256 * 1024) });
    const r = await raw(server.url, 'POST', '/api/widget/token', '{}', JSON_TYPE);
    token = JSON.parse(r.text) as { token: string; conversationId: string };
  });
  after(async () => server.stop());

  it('answers 400 to a corrupt encoding on every POST route, and keeps running', async () => {
    for (const route of bodyRoutes(token.token, token.conversationId)) {
      for (const c of corrupt) {
        const r = await raw(server.url, 'POST', route.path, c.body, { ...JSON_TYPE, 'content-encoding': c.encoding, ...route.headers }).catch((e: Error) => ({
          status: 0,
          text: e.message,
          headers: {},
        }));
        expect(r.status, `${route.name}, ${c.name}: ${r.text}`).to.equal(400);
        expectNothingInternal(r.text, `${route.name}, ${c.name}`);
      }
    }
    expect(server.alive(), server.output()).to.equal(true);
    expect(await healthy(server.url)).to.equal(true);
  });

  it('answers 415 to an encoding it does not accept (or a list of several), naming what it accepts', async () => {
    for (const encoding of ['compress', 'zstd', 'gzip, gzip', 'gzip, br', 'identity;q=0', 'x-unknown']) {
      const r = await raw(server.url, 'POST', '/api/messages', gzipSync('{}'), { ...JSON_TYPE, 'content-encoding': encoding });
      expect(r.status, `${encoding}: ${r.text}`).to.equal(415);
      expect(r.headers['accept-encoding']).to.match(/gzip/);
    }
    expect(server.alive()).to.equal(true);
  });

  it('reads a valid gzip, deflate or brotli body like a plain one', async () => {
    const encode = { gzip: gzipSync, deflate: deflateSync, br: brotliCompressSync };
    for (const [encoding, fn] of Object.entries(encode)) {
      const conversation = `enc-${encoding}`;
      const r = await raw(server.url, 'POST', '/api/messages', fn(JSON.stringify(message(conversation, 'hi, order UK-100234'))), { ...JSON_TYPE, 'content-encoding': encoding });
      expect(r.status, `${encoding}: ${r.text}`).to.equal(200);
      expect(r.text, encoding).to.include('UK-100234');
    }
  });

  it('applies MAX_BODY_BYTES to the decoded body: a gzip bomb is 413, the process lives', async () => {
    // About 64 KB of gzip that inflates to 64 MB.
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20), { level: 9 });
    expect(bomb.length).to.be.lessThan(256 * 1024);
    const r = await raw(server.url, 'POST', '/api/messages', bomb, { ...JSON_TYPE, 'content-encoding': 'gzip' });
    expect(r.status, r.text).to.equal(413);
    expect(JSON.parse(r.text)).to.deep.equal({ error: 'too-large' });
    // Just over the limit once decoded, though small compressed: 413 too.
    const over = gzipSync(JSON.stringify({ ...message('big', 'hi'), pad: 'x'.repeat(256 * 1024) }));
    expect((await raw(server.url, 'POST', '/api/messages', over, { ...JSON_TYPE, 'content-encoding': 'gzip' })).status).to.equal(413);
    expect(server.alive()).to.equal(true);
    expect(await healthy(server.url)).to.equal(true);
  });

  it('after all of that, a conversation still works', async () => {
    const r = await raw(server.url, 'POST', '/api/messages', JSON.stringify(message('after', 'hi, order UK-100234')), JSON_TYPE);
    expect(r.status).to.equal(200);
    const again = await raw(server.url, 'POST', '/api/messages', JSON.stringify(message('after', 'sam@example.com')), JSON_TYPE);
    expect(again.text).to.include('matches our records');
    expect(server.alive()).to.equal(true);
  });
});

/** The pids of a process's children (Linux: /proc via ps). */
function childrenOf(pid: number): number[] {
  const r = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
  return r.stdout
    .split('\n')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
}

async function until<T>(what: string, fn: () => Promise<T | null | false> | T | null | false, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('security: RETURNS_WORKERS=2 — dead workers are replaced, the supervisor stays', function () {
  this.timeout(120_000);
  let server: Spawned;

  before(async () => {
    server = await spawnServer({ RETURNS_WORKERS: '2' });
  });
  after(async () => server.stop());

  it('replaces every worker that dies, even when all of them die at once, and keeps serving', async () => {
    const primary = server.child.pid!;
    const first = await until('two workers', () => (childrenOf(primary).length === 2 ? childrenOf(primary) : null));
    expect(await healthy(server.url)).to.equal(true);
    for (let round = 0; round < 2; round++) {
      const before = childrenOf(primary);
      for (const pid of before) process.kill(pid, 'SIGKILL');
      const after = await until('two new workers', () => {
        const now = childrenOf(primary);
        return now.length === 2 && now.every((p) => !before.includes(p)) ? now : null;
      });
      expect(after.some((p) => first.includes(p))).to.equal(false);
      await until('the new workers to serve', () => healthy(server.url));
      expect(server.alive(), `the supervisor exited:\n${server.output()}`).to.equal(true);
    }
    // And a turn works on the new workers.
    const r = await raw(server.url, 'POST', '/api/messages', JSON.stringify(message('w', 'hi, order UK-100234')), JSON_TYPE);
    expect(r.status).to.equal(200);
  });

  it('stops its workers and exits on SIGTERM', async () => {
    const primary = server.child.pid!;
    const workers = childrenOf(primary);
    const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
    server.child.kill('SIGTERM');
    expect(await exited).to.equal(0);
    for (const pid of workers) expect(() => process.kill(pid, 0), `worker ${pid} still running`).to.throw();
  });
});
