/**
 * A real bot server for tests: in-process, on a free port, with its own temporary data folder,
 * a fixed date (RETURNS_TODAY) and the scenario orders loaded. Talk to it over HTTP with
 * `deliveryMode: "expectReplies"`, as a channel would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config.js';
import { ROOT } from '../../src/paths.js';
import { createApp, type App } from '../../src/app.js';
import { createHttpServer, type HttpServer } from '../../src/server/http.js';
import { orderSchema, type OrderInput } from '../../src/orders.js';

export const SCENARIO_ORDERS: OrderInput[] = [
  {
    orderNumber: 'UK-100234',
    policy: 'uk-online',
    currency: 'GBP',
    customer: { email: 'sam@example.com', postcode: 'LS1 4AP', region: 'GB-ENG' },
    placedOn: '2026-12-19',
    deliveredOn: '2026-12-22',
    delivery: { charge: 4.99, cheapestCharge: 4.99 },
    items: [
      { sku: 'HP-200', name: 'Studio headphones', category: 'headphones', price: 59.99, quantity: 1 },
      { sku: 'NB-15', name: 'Aero 15 notebook', category: 'notebook', price: 899.0, quantity: 1 },
    ],
  },
  {
    orderNumber: 'IMP-500017',
    policy: 'impress-us',
    currency: 'USD',
    customer: { email: 'lee@example.com', postcode: '10001', region: 'US-NY' },
    placedOn: '2026-12-07',
    deliveredOn: '2026-12-10',
    delivery: { charge: 0, cheapestCharge: 0 },
    items: [
      { sku: 'MON-27', name: 'UltraView 27 monitor', category: 'peripheral', price: 300.0, quantity: 1 },
      { sku: 'PB-14', name: 'ProBook 14', category: 'notebook', price: 1100.0, quantity: 1, requiresManufacturerPreauth: true },
    ],
  },
  {
    orderNumber: 'UK-300001',
    policy: 'uk-online',
    currency: 'GBP',
    customer: { email: 'ali@example.co.uk', postcode: 'EH1 1YZ', region: 'GB-SCT' },
    placedOn: '2026-12-20',
    deliveredOn: '2026-12-29',
    delivery: { charge: 9.99, cheapestCharge: 4.99 },
    items: [{ sku: 'SD-256', name: 'Pro 256GB microSD card', category: 'memory-card', price: 24.99, quantity: 1 }],
  },
];

export interface TestBot {
  url: string;
  runtime: App;
  http: HttpServer;
  dataDir: string;
  stop: () => Promise<void>;
}

export async function startTestBot(env: Record<string, string> = {}): Promise<TestBot> {
  const dataDir = mkdtempSync(join(tmpdir(), 'returnsbot-test-'));
  const config = loadConfig({ RETURNS_DATA_DIR: dataDir, RETURNS_TODAY: '2026-12-30', RETURNS_DEMO_ORDERS: 'false', PORT: '0', ...env });
  const runtime = await createApp(config, { now: () => Date.parse('2026-12-30T12:00:00Z') });
  await runtime.store.importOrders(SCENARIO_ORDERS.map((o) => orderSchema.parse(o)));
  const http = await createHttpServer(runtime);
  const { port } = await http.listen(0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}`,
    runtime,
    http,
    dataDir,
    stop: async () => {
      await http.close();
      await runtime.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface BotActivity {
  type: string;
  text?: string;
  inputHint?: string;
  locale?: string;
  suggestedActions?: { actions: { title: string; value: string }[] };
  attachments?: { contentType: string; content: unknown }[];
  channelData?: { returns?: { step?: string; outcome?: string; decision?: Record<string, unknown>; rma?: string; handoff?: string; position?: number | null } };
}

/** Post one message with expectReplies; returns the bot's replies. */
export async function say(url: string, conversationId: string, text: string, options: { locale?: string; id?: string; channelId?: string; value?: unknown } = {}): Promise<BotActivity[]> {
  const activity = {
    type: 'message',
    id: options.id ?? randomUUID(),
    channelId: options.channelId ?? 'test',
    serviceUrl: 'http://127.0.0.1:9',
    deliveryMode: 'expectReplies',
    locale: options.locale,
    timestamp: new Date().toISOString(),
    from: { id: `user-${conversationId}`, role: 'user' },
    recipient: { id: 'bot' },
    conversation: { id: conversationId },
    text,
    ...(options.value !== undefined ? { value: options.value } : {}),
  };
  const res = await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`);
  const body = (await res.json()) as { activities?: BotActivity[] };
  return body.activities ?? [];
}

/** The question the bot asked last in these replies (its step), if any. */
export function askedStep(replies: readonly BotActivity[]): string | null {
  const asking = [...replies].reverse().find((a) => a.inputHint === 'expectingInput' && a.channelData?.returns?.step);
  return asking?.channelData?.returns?.step ?? null;
}

/**
 * `returnsbot serve` in a process of its own (`argv`: how node runs the command line, up to and
 * including `serve`), resolved with the port its "listening" log line names (PORT=0 in `env` picks
 * a free one). The log must be at level info.
 */
export async function spawnServe(argv: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, argv, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /"port":(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}):\n${out}`)));
  });
  return { child, port };
}
