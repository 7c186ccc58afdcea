/**
 * `returnsbot chat [--policy ID] [--locale L]`: the same conversation in the terminal, with the
 * same store, no Bot Framework needed. Choices are numbered; type a number or your own words.
 */
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { createRuntime } from '../app.js';
import { builtInPackIds, tryLoadPack } from '../policy/packs.js';
import { EXIT_BAD_INPUT, UsageError, writeLines, type Command } from './io.js';

export const chatCommand: Command = async (args, io) => {
  const { values } = parseArgs({ args, options: { policy: { type: 'string' }, locale: { type: 'string' } }, strict: true });
  if (values.policy && !tryLoadPack(values.policy)) {
    throw new UsageError(`chat: --policy expected one of ${builtInPackIds().join(', ')}, got "${values.policy}"`);
  }
  const env = { ...io.env, ...(values.policy ? { RETURNS_DEFAULT_POLICY: values.policy } : {}) };
  let config;
  try {
    config = loadConfig(env);
  } catch (e) {
    writeLines(io.stderr, [e instanceof Error ? e.message : String(e)]);
    return EXIT_BAD_INPUT;
  }
  const runtime = await createRuntime({ ...config, RETURNS_DATA_DIR: resolve(io.cwd, config.RETURNS_DATA_DIR) }, { now: () => io.now().getTime() });
  const conversationId = `cli-${randomUUID()}`;
  const locale = values.locale ?? null;
  const say = (texts: string[]) => writeLines(io.stdout, texts.flatMap((t) => [`bot> ${t.replace(/\n/g, '\n     ')}`, '']));

  try {
    const first = await runtime.service.welcome({ conversationId, activityId: null, channelId: 'cli', text: null, locale });
    say(first?.activities.map((a) => a.text) ?? []);
    const rl = createInterface({ input: io.stdin, terminal: false });
    io.stdout.write('you> ');
    for await (const line of rl) {
      const text = line.trim();
      if (text === '/quit' || text === '/exit') break;
      if (!text) {
        io.stdout.write('you> ');
        continue;
      }
      const result = await runtime.service.handle({ conversationId, activityId: randomUUID(), channelId: 'cli', text, locale });
      say(result.activities.map((a) => a.text));
      io.stdout.write('you> ');
    }
    io.stdout.write('\n');
  } finally {
    await runtime.close();
  }
  return 0;
};
