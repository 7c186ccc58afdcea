/**
 * Benchmark `directline`: the widget's path (src/directline) under the same load as `http` — whole
 * return conversations at 32 concurrent conversations, each opened the way Web Chat opens one
 * (`POST /api/widget/token`, `POST /v3/directline/conversations`, the WebSocket stream, the
 * greeting), then every turn a `POST …/activities` answered on the stream (bench/load.ts
 * `--protocol directline`). Three servers, in the same run, each its own process:
 *
 * - (b) the returns bot on a fresh SQLite store (with the scenario orders and their copies);
 * - (a) the stock echo bot of bench/echo-bot.ts behind Direct Line semantics (`--directline`): the
 *   same routes, token, stream and send confirmation, the activity run through botbuilder's
 *   `CloudAdapter` with `expectReplies` in-process and its reply pushed on the stream;
 * - the ceiling: the same Direct Line routes on restify and ws alone, no Bot Framework, no bot
 *   (`--directline --bare`).
 *
 * (a) and the ceiling get the same messages as (b), turn for turn (replay of (b)'s probe).
 * The widget's per-address token limit is off for (b) (one load generator opens every conversation
 * from one address), as the per-address new-conversation limit is for `http`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { Runner } from './build.js';
import { BASE_ENV, importScenarioOrders, runLoad, startBot, startEcho, stopProcess, summary, type LoadOptions, type LoadSummary, type Server } from './http.js';

export interface DirectLineBenchResult {
  concurrency: number;
  returnsbot: LoadSummary;
  echo: LoadSummary;
  bare: LoadSummary;
  ratio: { turnsPerSecond: number; p99: number; ceiling: number };
}

export async function benchDirectLine(options: LoadOptions & { runner: Runner; orderClones: number }): Promise<DirectLineBenchResult> {
  const { runner } = options;
  const work = mkdtempSync(join(tmpdir(), 'returnsbot-bench-directline-'));
  const servers: Server[] = [];
  const dl = ['--protocol', 'directline'];
  try {
    const env = { ...BASE_ENV, RETURNS_DATA_DIR: join(work, 'data'), WIDGET_TOKENS_PER_MINUTE: '0' };
    importScenarioOrders(runner, env, work, options.orderClones);
    const b = await startBot(runner, env);
    servers.push(b.server);
    const probe = await runLoad(b.port, b.server, options, 'probe', [...dl, '--prefix', `p-${randomUUID().slice(0, 8)}`]);
    if (probe.errors) throw new Error(`the scenarios do not run through over Direct Line: ${probe.errorSamples.join(' | ')}`);
    const bLoad = await runLoad(b.port, b.server, options, 'steps', [...dl, '--order-clones', String(options.orderClones)]);
    await stopProcess(b.server);

    const scriptsFile = join(work, 'scripts.json');
    writeFileSync(scriptsFile, JSON.stringify(probe.scripts ?? {}));
    const replay = async (flags: string[]) => {
      const e = await startEcho(runner, flags);
      servers.push(e.server);
      const load = await runLoad(e.port, e.server, options, 'replay', [...dl, '--scripts', scriptsFile]);
      await stopProcess(e.server);
      return summary(load, e.server);
    };
    const echo = await replay(['--directline']);
    const bare = await replay(['--directline', '--bare']);
    const returnsbot = summary(bLoad, b.server);
    return {
      concurrency: options.concurrency,
      returnsbot,
      echo,
      bare,
      ratio: {
        turnsPerSecond: returnsbot.turnsPerSecond / echo.turnsPerSecond,
        p99: returnsbot.latencyMs.p99 / echo.latencyMs.p99,
        ceiling: bare.turnsPerSecond / echo.turnsPerSecond,
      },
    };
  } finally {
    for (const s of servers) await stopProcess(s, 5000);
    rmSync(work, { recursive: true, force: true });
  }
}
