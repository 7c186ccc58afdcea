/**
 * `returnsbot chat [--policy ID] [--locale L]`: the same conversation in the terminal, with the
 * same store, no Bot Framework needed. Choices are numbered; type a number or your own words.
 * `exit` or `quit` on a line of its own (or `/exit`, `/quit`), or Ctrl-D, ends the chat; the
 * conversation stays in the store.
 */
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { createApp, type App } from '../app.js';
import { knownPackIds } from '../policy/pack-folder.js';
import { tryLoadPack } from '../policy/packs.js';
import { EXIT_BAD_INPUT, UsageError, writeLines, type Command } from './io.js';

/** What ends the chat, alone on its line. */
const ENDS_CHAT = /^\/?(exit|quit)$/i;

export const chatCommand: Command = async (args, io) => {
  const { values } = parseArgs({ args, options: { policy: { type: 'string' }, locale: { type: 'string' } }, strict: true });
  if (values.policy && !tryLoadPack(values.policy)) {
    throw new UsageError(`chat: --policy expected one of ${knownPackIds().join(', ')}, got "${values.policy}"`);
  }
  const env = { ...io.env, ...(values.policy ? { RETURNS_DEFAULT_POLICY: values.policy } : {}) };
  let config;
  try {
    config = loadConfig(env);
  } catch (e) {
    writeLines(io.stderr, [e instanceof Error ? e.message : String(e)]);
    return EXIT_BAD_INPUT;
  }
  const app = await createApp({ ...config, RETURNS_DATA_DIR: resolve(io.cwd, config.RETURNS_DATA_DIR) }, { now: () => io.now().getTime() });
  const conversationId = `cli-${randomUUID()}`;
  const locale = values.locale ?? null;
  const say = (texts: string[]) =>
    writeLines(
      io.stdout,
      texts.flatMap((t) => [`bot> ${t.replace(/\n/g, '\n     ')}`, '']),
    );

  try {
    writeLines(io.stdout, ['(type exit or quit, or press Ctrl-D, to end the chat)', '']);
    const chat = terminalChat(app, conversationId, locale);
    say(await chat.start());
    const rl = createInterface({ input: io.stdin, terminal: false });
    io.stdout.write('you> ');
    let ended = 'end of input, Ctrl-D';
    for await (const line of rl) {
      const text = line.trim();
      if (ENDS_CHAT.test(text)) {
        ended = text.toLowerCase().replace(/^\//, '');
        break;
      }
      if (!text) {
        io.stdout.write('you> ');
        continue;
      }
      say(await chat.say(text));
      io.stdout.write('you> ');
    }
    rl.close();
    writeLines(io.stdout, ['', `chat ended (${ended}); the conversation ${conversationId} is kept in the store`]);
  } finally {
    await app.close();
  }
  return 0;
};

/**
 * A conversation in the terminal, through the same turn pipeline as every other channel: a
 * conversation start, then each line a message. Answers the texts of the bot's replies.
 */
export function terminalChat(app: Pick<App, 'turns'>, conversationId: string, locale: string | null) {
  const turn = async (activity: { type: string; id?: string; text?: string; membersAdded?: { id: string }[] }): Promise<string[]> => {
    const outcome = await app.turns.handle({
      via: 'terminal',
      activity: { ...activity, channelId: 'cli', conversation: { id: conversationId }, ...(locale ? { locale } : {}) },
      reference: null,
      logActivity: null,
    });
    return outcome.result?.activities.map((a) => a.text) ?? [];
  };
  return {
    start: () => turn({ type: 'conversationUpdate', membersAdded: [{ id: 'cli-user' }] }),
    say: (text: string) => turn({ type: 'message', id: randomUUID(), text }),
  };
}
