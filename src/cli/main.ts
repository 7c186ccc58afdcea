/**
 * The `returnsbot` command line (CONTRACT section 1). Commands load lazily, so `decide` never pays
 * for the bot server's dependencies.
 */
import { EXIT_BAD_INPUT, UsageError, writeLines, type Command, type Io } from './io.js';

const commands: Record<string, () => Promise<Command>> = {
  decide: async () => (await import('./decide.js')).decideCommand,
  policy: async () => (await import('./policy.js')).policyCommand,
  serve: async () => (await import('./serve.js')).serveCommand,
  orders: async () => (await import('./orders.js')).ordersCommand,
  rma: async () => (await import('./rma.js')).rmaCommand,
  chat: async () => (await import('./chat.js')).chatCommand,
  agent: async () => (await import('./agent.js')).agentCommand,
  manifest: async () => (await import('./manifest.js')).manifestCommand,
};

/** Register a command (used by the later layers: serve, chat, orders, rma, agent). */
export function registerCommand(name: string, load: () => Promise<Command>): void {
  commands[name] = load;
}

const USAGE = [
  'usage: returnsbot <command> [options]',
  '  serve                              start the bot server (same as npm start)',
  '  decide [--case FILE] [--batch]     decide a case (JSON) or JSON Lines of cases',
  '  policy list | show ID [--json] | validate FILE | check ID',
  '  orders import FILE                 load orders into the store',
  '  chat [--policy ID] [--locale L]    the conversation in the terminal',
  '  rma show RMA-XXXX-XXXX             an issued RMA with its decision and audit trail',
  '  agent add NAME | remove NAME | list   staff accounts (the key is printed once)',
  '  manifest [--out FILE]              the Teams app package (needs MicrosoftAppId, RETURNS_PUBLIC_URL)',
];

export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    writeLines(name ? io.stdout : io.stderr, USAGE);
    return name ? 0 : EXIT_BAD_INPUT;
  }
  const load = commands[name];
  if (!load) {
    writeLines(io.stderr, [`unknown command "${name}"`, ...USAGE]);
    return EXIT_BAD_INPUT;
  }
  try {
    return await (await load())(args, io);
  } catch (e) {
    if (e instanceof UsageError) {
      writeLines(io.stderr, [e.message]);
      return EXIT_BAD_INPUT;
    }
    const code = (e as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      writeLines(io.stderr, [`${name}: ${(e as Error).message}`]);
      return EXIT_BAD_INPUT;
    }
    throw e;
  }
}
