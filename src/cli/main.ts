/**
 * The `returnsbot` command line (CONTRACT section 1). Commands load lazily, so `decide` never pays
 * for the bot server's dependencies.
 */
import { resolve } from 'node:path';
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
  backup: async () => (await import('./backup.js')).backupCommand,
};

/** Register a command (used by the later layers: serve, chat, orders, rma, agent). */
export function registerCommand(name: string, load: () => Promise<Command>): void {
  commands[name] = load;
}

const USAGE = [
  'usage: returnsbot <command> [options]      (returnsbot --version: the version)',
  '  serve                              start the bot server (same as npm start)',
  '  decide [--case FILE] [--batch]     decide a case (JSON) or JSON Lines of cases',
  '  policy list | show ID [--json] | validate FILE | check ID',
  '  orders import FILE                 load orders into the store',
  '  chat [--policy ID] [--locale L]    the conversation in the terminal',
  '  rma show RMA-XXXX-XXXX             an issued RMA with its decision and audit trail',
  '  agent add NAME | remove NAME | list   staff accounts (the key is printed once)',
  '  manifest [--out FILE]              the Teams app package (needs MicrosoftAppId, RETURNS_PUBLIC_URL)',
  '  backup FILE                        a copy of the embedded store, taken while the bot runs',
];

/** Commands that read policy packs: the merchant's own (RETURNS_PACKS_DIR) are registered first. */
const USES_PACKS = new Set(['serve', 'decide', 'policy', 'orders', 'chat']);

/** Register the packs of RETURNS_PACKS_DIR (validated, all or none); false when one is invalid (printed). */
async function registerMerchantPacks(io: Io): Promise<boolean> {
  const dir = io.env.RETURNS_PACKS_DIR?.trim();
  if (!dir) return true;
  const [{ loadPackFolder }, { problemLines }] = await Promise.all([import('../policy/pack-folder.js'), import('../validation.js')]);
  const result = loadPackFolder(resolve(io.cwd, dir));
  if (result.ok) return true;
  writeLines(io.stderr, ['returnsbot: the policy packs in RETURNS_PACKS_DIR are not valid (nothing was started):', ...problemLines(result.problems)]);
  return false;
}

export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...args] = argv;
  if (name === '--version' || name === '-v' || name === 'version') {
    writeLines(io.stdout, [`returnsbot ${(await import('./version.js')).packageVersion()}`]);
    return 0;
  }
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    writeLines(name ? io.stdout : io.stderr, USAGE);
    return name ? 0 : EXIT_BAD_INPUT;
  }
  const load = commands[name];
  if (!load) {
    writeLines(io.stderr, [`unknown command "${name}"`, ...USAGE]);
    return EXIT_BAD_INPUT;
  }
  if (USES_PACKS.has(name) && !(await registerMerchantPacks(io))) return EXIT_BAD_INPUT;
  try {
    return await (
      await load()
    )(args, io);
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
