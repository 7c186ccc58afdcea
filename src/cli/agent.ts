/**
 * `returnsbot agent add NAME [--display "Alex Smith"]`: creates a staff account and prints its access
 * key ONCE (only its hash is stored). `returnsbot agent remove NAME` revokes it. `agent list`.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { AGENT_NAME, hashAccessKey, newAccessKey } from '../handoff/keys.js';
import { openStore, storeOptionsFrom } from '../store/index.js';
import { EXIT_BAD_INPUT, UsageError, writeLines, type Command } from './io.js';

export const agentCommand: Command = async (args, io) => {
  const { values, positionals } = parseArgs({ args, options: { display: { type: 'string' } }, allowPositionals: true, strict: true });
  const [sub, name] = positionals;
  if (!sub || !['add', 'remove', 'list'].includes(sub) || (sub !== 'list' && !name)) {
    throw new UsageError('agent: expected `agent add NAME [--display "Full Name"]`, `agent remove NAME` or `agent list`');
  }
  if (name && !AGENT_NAME.test(name)) {
    writeLines(io.stderr, [`agent: expected a name of letters, digits, ".", "-" or "_" (at most 64), got ${JSON.stringify(name)}`]);
    return EXIT_BAD_INPUT;
  }
  const config = loadConfig(io.env);
  const store = await openStore(storeOptionsFrom(config, io.cwd));
  try {
    const at = io.now().toISOString();
    if (sub === 'add') {
      const key = newAccessKey();
      try {
        await store.addAgent({ name: name!, displayName: values.display?.trim() || name!, keyHash: hashAccessKey(key), at });
      } catch (e) {
        if ((e as Error).name === 'DuplicateAgentError') {
          writeLines(io.stderr, [`agent: there is already a staff account "${name}" (remove it first to issue a new key)`]);
          return EXIT_BAD_INPUT;
        }
        throw e;
      }
      writeLines(io.stdout, [`staff account "${name}" created. Its access key (shown only now — keep it safe):`, key]);
      return 0;
    }
    if (sub === 'remove') {
      const removed = await store.removeAgent(name!, at);
      writeLines(removed ? io.stdout : io.stderr, [removed ? `staff account "${name}" removed; its key no longer works` : `agent: no staff account "${name}"`]);
      return removed ? 0 : 1;
    }
    const agents = await store.listAgents();
    writeLines(
      io.stdout,
      agents.length ? agents.map((a) => `${a.name.padEnd(20)} ${a.displayName.padEnd(24)} created ${a.createdAt}${a.removedAt ? `, removed ${a.removedAt}` : ''}`) : ['no staff accounts'],
    );
    return 0;
  } finally {
    await store.close();
  }
};
