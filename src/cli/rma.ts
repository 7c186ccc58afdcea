/**
 * `returnsbot rma show RMA-XXXX-XXXX [--json]`: an issued RMA with its decision and audit trail.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { openStore, storeOptionsFrom } from '../store/index.js';
import { checkSymbol, isValidRmaNumber, normalizeRmaNumber } from '../store/rma-id.js';
import { auditLine, factLine } from '../rmas.js';
import { EXIT_BAD_INPUT, UsageError, writeLines, type Command } from './io.js';

/** An RMA number that is valid (its check character included), for messages. */
export const EXAMPLE_RMA = `RMA-7K3M-Q2X${checkSymbol('7K3MQ2X')}`;

export const rmaCommand: Command = async (args, io) => {
  const { values, positionals } = parseArgs({ args, options: { json: { type: 'boolean' } }, allowPositionals: true, strict: true });
  const [sub, raw] = positionals;
  if (sub !== 'show' || !raw) throw new UsageError(`rma: expected \`rma show RMA-XXXX-XXXX\`, e.g. rma show ${EXAMPLE_RMA}`);
  const number = normalizeRmaNumber(raw);
  if (!number) {
    writeLines(io.stderr, [`rma: expected an RMA number like ${EXAMPLE_RMA}, got "${raw}"`]);
    return EXIT_BAD_INPUT;
  }
  if (!isValidRmaNumber(number)) {
    writeLines(io.stderr, [`rma: expected an RMA number like ${EXAMPLE_RMA}, got "${raw}": its last character is a check character, and it does not match (a typing mistake?)`]);
    return EXIT_BAD_INPUT;
  }
  const config = loadConfig(io.env);
  const store = await openStore(storeOptionsFrom(config, io.cwd));
  try {
    const record = await store.getRma(number);
    if (!record) {
      writeLines(io.stderr, [`rma: no such RMA ${number} in ${config.DATABASE_URL ? 'the database (DATABASE_URL)' : `the store in ${config.RETURNS_DATA_DIR}`}`]);
      return 1;
    }
    if (values.json) {
      io.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
      return 0;
    }
    const d = record.decision;
    const facts = Object.entries(record.facts);
    // An RMA from before facts were recorded: at least where its decision's facts came from.
    const sources = Object.entries(d.sources ?? {});
    writeLines(io.stdout, [
      `${record.rma}  order ${record.orderNumber}  item ${record.sku}  reason ${record.reason}`,
      `status ${record.status}; remedy recorded: ${record.remedy ?? '-'}`,
      `issued ${record.createdAt} by ${record.issuedBy}${record.note ? `, note: ${record.note}` : ''}`,
      `decision: ${d.outcome} under ${d.policy} ${d.policyVersion}; remedies ${d.remedies.join(', ') || '-'} (${d.remedyChosenBy ?? '-'})`,
      `reasons: ${d.reasons.map((r) => r.code).join(', ')}`,
      `clauses: ${d.clauses.join(', ')}`,
      `deadlines: notify by ${d.deadlines.notifyBy ?? '-'}, return by ${d.deadlines.returnBy ?? '-'}, report by ${d.deadlines.reportBy ?? '-'}, refund within ${d.deadlines.refundWithinDays ?? '-'} days`,
      `conditions: ${d.conditions.join(', ') || '-'}`,
      facts.length ? `facts: ${facts.map(([fact, f]) => factLine(fact, f)).join('; ')}` : `sources: ${sources.map(([fact, source]) => `${fact} (${source})`).join(', ') || '-'}`,
      'audit:',
      ...record.audit.map((a) => `  ${auditLine(a)}`),
    ]);
    return 0;
  } finally {
    await store.close();
  }
};
