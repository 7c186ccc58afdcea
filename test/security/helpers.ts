/**
 * Helpers for the security tests: a real server process (`returnsbot serve`, as `npm start` runs it,
 * with its own process guard and, with RETURNS_WORKERS, its supervisor), raw HTTP requests with any
 * headers and bytes, and the check that a response says nothing internal.
 */
import { expect } from 'chai';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, request as httpRequest, type Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../src/paths.js';
import { SCENARIO_ORDERS } from '../support/server.js';

/** Newest modification time of the sources the build is made from. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** The spawned servers run the build: (re)build it when a source is newer (CI builds it on `npm ci`). */
export function ensureBuild(): void {
  const entry = join(ROOT, 'dist', 'src', 'cli', 'entry.js');
  const sources = Math.max(...['src', 'dialogs', 'machines'].map((d) => newestSource(join(ROOT, d))));
  if (!existsSync(entry) || statSync(entry).mtimeMs < sources) {
    const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
    if (r.status !== 0) throw new Error('npm run build failed');
  }
}

export interface Spawned {
  child: ChildProcess;
  port: number;
  url: string;
  dataDir: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output: () => string;
  /** True while the process runs. */
  alive: () => boolean;
  /** SIGTERM (then SIGKILL after 10 s), and remove the data folder. */
  stop: () => Promise<void>;
}

/** A TCP port that is free right now on loopback. */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * `returnsbot serve` with the scenario orders loaded, RETURNS_TODAY=2026-12-30, on a free port (a
 * fixed one: with RETURNS_WORKERS, workers started later must listen on the same port).
 */
export async function spawnServer(env: Record<string, string> = {}): Promise<Spawned> {
  ensureBuild();
  const dataDir = mkdtempSync(join(tmpdir(), 'returnsbot-sec-'));
  const orders = join(dataDir, 'orders.json');
  writeFileSync(orders, JSON.stringify(SCENARIO_ORDERS));
  const base = { ...process.env, RETURNS_DATA_DIR: dataDir, RETURNS_DEMO_ORDERS: 'false', RETURNS_TODAY: '2026-12-30', LOG_LEVEL: 'info', ...env };
  const imported = spawnSync(process.execPath, [join(ROOT, 'bin', 'returnsbot.js'), 'orders', 'import', orders], { cwd: ROOT, env: base, encoding: 'utf8' });
  if (imported.status !== 0) throw new Error(`orders import failed: ${imported.stderr}`);
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'returnsbot.js'), 'serve'], { cwd: ROOT, env: { ...base, PORT: String(await freePort()) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 30_000);
    const poll = setInterval(() => {
      const m = /"port":(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        clearInterval(poll);
        resolve(Number(m[1]));
      }
    }, 20);
    child.once('exit', (code) => {
      clearTimeout(timer);
      clearInterval(poll);
      reject(new Error(`server exited (${code}):\n${out}`));
    });
  });
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    dataDir,
    output: () => out,
    alive,
    stop: async () => {
      if (alive()) {
        await new Promise<void>((resolve) => {
          const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
          child.once('exit', () => {
            clearTimeout(force);
            resolve();
          });
          child.kill('SIGTERM');
        });
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface RawReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One HTTP request with exactly these headers and bytes (no client-side encoding or checks). */
export function raw(url: string, method: string, path: string, body: Buffer | string | null, headers: Record<string, string> = {}, localAddress?: string, agent?: Agent): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const u = new URL(path, url);
    const data = body === null ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
    const req = httpRequest(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method,
        agent: agent ?? false,
        ...(localAddress ? { localAddress } : {}),
        headers: { ...(data ? { 'content-length': String(data.length) } : {}), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** What must never be in a response body: stack frames, file paths, exception names, low-level errors. */
export const INTERNAL =
  /\n\s+at |\.ts:\d+|\.js:\d+|node_modules|TypeError|ReferenceError|RangeError|SyntaxError|SqliteError|Cannot read|Maximum call stack|ECONN|Z_DATA_ERROR|incorrect header check|unexpected end of file|"stack"/;

export function expectNothingInternal(text: string, what = ''): void {
  expect(text, what).not.to.match(INTERNAL);
}

/** GET /healthz answers 200 {"status":"ok"}. */
export async function healthy(url: string): Promise<boolean> {
  try {
    const r = await fetch(`${url}/healthz`);
    return r.status === 200;
  } catch {
    return false;
  }
}

/** A message activity for /api/messages with expectReplies. */
export function message(conversationId: string, text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'message',
    id: `${conversationId}-${Math.random().toString(36).slice(2)}`,
    channelId: 'test',
    serviceUrl: 'http://127.0.0.1:9',
    deliveryMode: 'expectReplies',
    locale: 'en-GB',
    from: { id: `user-${conversationId}`, role: 'user' },
    recipient: { id: 'bot' },
    conversation: { id: conversationId },
    text,
    ...extra,
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
