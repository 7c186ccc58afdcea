/**
 * The command line (CONTRACT section 1): `decide` (one case, stdin, --batch), `policy list | show |
 * validate | check`, bad input (exit 2, one line per problem naming the path, never a stack trace).
 *
 * Mostly in-process through `main(argv, io)` with fake streams, env {} and a fixed clock; a few
 * runs spawn the real binary (`node bin/returnsbot.js`) to prove exit codes and clean stderr.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse as parseYaml } from 'yaml';
import { PACKS_DIR, ROOT } from '../../src/paths.js';
import { DELIVERED, goodCase, plusDays, withUnknown } from '../support/cases.js';
import { runCli, type CliRun } from '../support/cli.js';

// CONTRACT section 4, plus the additive `sources` (where each fact the decision used came from).
const DECISION_KEYS = [
  'policy',
  'policyVersion',
  'reason',
  'outcome',
  'needs',
  'remedies',
  'remedyChosenBy',
  'deductions',
  'conditions',
  'deadlines',
  'reasons',
  'clauses',
  'rmaRequired',
  'statutoryNote',
  'sources',
];

interface DecisionJson {
  policy: string;
  reason: string;
  outcome: string;
  needs: string[];
  remedies: string[];
  remedyChosenBy: string | null;
  deadlines: { notifyBy: string | null; returnBy: string | null; reportBy: string | null; refundWithinDays: number | null };
  clauses: string[];
  [key: string]: unknown;
}

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.length > 0);
}

/** No stack trace anywhere in the output. */
function expectNoStack(text: string): void {
  for (const line of text.split('\n')) {
    expect(line, 'a stack trace line').to.not.match(/^\s+at /);
  }
  expect(text).to.not.match(/\bat [\w.<>]+ \(.*:\d+:\d+\)/);
  expect(text).to.not.match(/(ZodError|TypeError|ReferenceError|SyntaxError|RangeError):/);
}

function expectDecision(run: CliRun): DecisionJson {
  expect(run.code, run.stderr).to.equal(0);
  const d = JSON.parse(run.stdout) as DecisionJson;
  expect(Object.keys(d)).to.have.members(DECISION_KEYS);
  return d;
}

let tmp = '';
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'returnsbot-cli-test-'));
});
after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function tmpFile(name: string, content: string): string {
  const file = join(tmp, name);
  writeFileSync(file, content);
  return file;
}

const D = DELIVERED; // 2026-03-02
/** A uk-online change of mind told on day 2: approved. */
const ukGood = goodCase('uk-online', { today: plusDays(D, 2) });

// ================================================================================================
// decide
// ================================================================================================

describe('cli: decide', () => {
  it('decide --case FILE prints one decision as JSON on stdout, exit 0', async () => {
    const file = tmpFile('case.json', JSON.stringify(ukGood));
    const run = await runCli(['decide', '--case', file]);
    const d = expectDecision(run);
    expect(run.stderr).to.equal('');
    expect(d.policy).to.equal('uk-online');
    expect(d.reason).to.equal('change-of-mind');
    expect(d.outcome).to.equal('approved');
    expect(d.remedies).to.deep.equal(['refund']);
    expect(d.deadlines.notifyBy).to.equal(plusDays(D, 14));
  });

  it('decide --case FILE resolves a relative FILE against the working directory', async () => {
    tmpFile('relative-case.json', JSON.stringify(goodCase('impress-us', { reason: 'transit-damage' })));
    const d = expectDecision(await runCli(['decide', '--case', 'relative-case.json'], { cwd: tmp }));
    expect(d.policy).to.equal('impress-us');
    expect(d.outcome).to.equal('referred');
  });

  it('decide reads the case from stdin when no --case is given', async () => {
    const input = goodCase('impress-us', { reason: 'faulty', product: { category: 'notebook' } });
    const d = expectDecision(await runCli(['decide'], { stdin: JSON.stringify(input, null, 2) }));
    expect(d.policy).to.equal('impress-us');
    expect(d.reason).to.equal('faulty');
    expect(d.outcome).to.equal('approved');
    expect(d.remedies).to.have.members(['refund', 'repair', 'replacement']);
    expect(d.remedyChosenBy).to.equal('retailer');
  });

  it('decide prints an incomplete decision with its needs (uk change of mind, used unknown)', async () => {
    const d = expectDecision(await runCli(['decide'], { stdin: JSON.stringify(withUnknown(ukGood, ['used'])) }));
    expect(d.outcome).to.equal('incomplete');
    expect(d.needs).to.deep.equal(['used']);
  });

  describe("the case's policy may be a path to a pack file", () => {
    before(() => {
      copyFileSync(join(PACKS_DIR, 'uk-online.yaml'), join(tmp, 'my-pack.yaml'));
    });
    const rows: { name: string; policy: () => string }[] = [
      { name: 'an absolute path', policy: () => join(PACKS_DIR, 'uk-online.yaml') },
      { name: 'a ./relative path', policy: () => './my-pack.yaml' },
    ];
    for (const row of rows) {
      it(`${row.name}`, async () => {
        const input = { ...ukGood, policy: row.policy() };
        const run = await runCli(['decide'], { stdin: JSON.stringify(input), cwd: tmp });
        const d = expectDecision(run);
        expect(d.policy).to.equal('uk-online');
        expect(d.outcome).to.equal('approved');
      });
    }
  });

  describe("today defaults to RETURNS_TODAY, else the clock in the pack's time zone", () => {
    const noToday = (input: ReturnType<typeof goodCase>) => {
      const copy: Record<string, unknown> = { ...input };
      delete copy.today;
      return JSON.stringify(copy);
    };
    const rows: { name: string; input: string; env: Record<string, string>; now?: Date; outcome: string; returnBy?: string }[] = [
      { name: 'RETURNS_TODAY day 5 → approved, returnBy day 19', input: noToday(ukGood), env: { RETURNS_TODAY: plusDays(D, 5) }, outcome: 'approved', returnBy: plusDays(D, 19) },
      { name: 'RETURNS_TODAY day 14 → approved (last day)', input: noToday(ukGood), env: { RETURNS_TODAY: plusDays(D, 14) }, outcome: 'approved', returnBy: plusDays(D, 28) },
      { name: 'RETURNS_TODAY day 15 → rejected (the clock says day 2)', input: noToday(ukGood), env: { RETURNS_TODAY: plusDays(D, 15) }, outcome: 'rejected' },
      { name: 'no RETURNS_TODAY: the fixed clock (2026-03-04, day 2) → approved, returnBy day 16', input: noToday(ukGood), env: {}, outcome: 'approved', returnBy: plusDays(D, 16) },
      {
        name: 'no RETURNS_TODAY, uk-online: 2026-07-15T23:30Z is 16 July in London (day 15) → rejected',
        input: noToday(goodCase('uk-online', { deliveredOn: '2026-07-01' })),
        env: {},
        now: new Date('2026-07-15T23:30:00Z'),
        outcome: 'rejected',
      },
      {
        name: 'no RETURNS_TODAY, uk-online: 2026-07-15T22:59Z is still 15 July in London (day 14) → approved',
        input: noToday(goodCase('uk-online', { deliveredOn: '2026-07-01' })),
        env: {},
        now: new Date('2026-07-15T22:59:00Z'),
        outcome: 'approved',
      },
      {
        name: 'no RETURNS_TODAY, impress-us: 2026-03-05T03:00Z is 4 March in New York (day 30) → approved',
        input: noToday(goodCase('impress-us', { deliveredOn: '2026-02-02' })),
        env: {},
        now: new Date('2026-03-05T03:00:00Z'),
        outcome: 'approved',
      },
      {
        name: "a case's own today wins over the clock",
        input: JSON.stringify(goodCase('uk-online', { day: 15 })),
        env: {},
        outcome: 'rejected',
      },
    ];
    for (const row of rows) {
      it(row.name, async () => {
        const d = expectDecision(await runCli(['decide'], { stdin: row.input, env: row.env, now: row.now }));
        expect(d.outcome).to.equal(row.outcome);
        if (row.returnBy) expect(d.deadlines.returnBy).to.equal(row.returnBy);
      });
    }
  });

  describe('decide --batch', () => {
    it('prints one decision per line in the same order; an invalid line yields {"error": {...}} and the others go on; exit 0', async () => {
      const badDate = { ...ukGood, deliveredOn: '31/12' };
      const input =
        [
          JSON.stringify(ukGood),
          JSON.stringify(goodCase('impress-us', { day: 31 })),
          JSON.stringify(badDate),
          'this is not json',
          JSON.stringify(goodCase('uk-online', { reason: 'faulty', day: 40 })),
          JSON.stringify({ ...ukGood, policy: 'no-such-pack' }),
          JSON.stringify(goodCase('impress-us', { reason: 'transit-damage' })),
          JSON.stringify(withUnknown(goodCase('uk-online', { reason: 'faulty' }), ['faultCause'])),
        ].join('\n') + '\n';
      const run = await runCli(['decide', '--batch'], { stdin: input });
      expect(run.code).to.equal(0);
      expectNoStack(run.stdout + run.stderr);
      const out = lines(run.stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(out).to.have.length(8);
      const expected: ({ reason: string; outcome: string } | 'error')[] = [
        { reason: 'change-of-mind', outcome: 'approved' },
        { reason: 'change-of-mind', outcome: 'rejected' },
        'error',
        'error',
        { reason: 'faulty', outcome: 'approved' },
        'error',
        { reason: 'transit-damage', outcome: 'referred' },
        { reason: 'faulty', outcome: 'incomplete' },
      ];
      expected.forEach((want, i) => {
        const got = out[i] ?? {};
        if (want === 'error') {
          expect(Object.keys(got), `line ${i + 1}`).to.deep.equal(['error']);
          expect(got.error, `line ${i + 1}`).to.be.an('object');
        } else {
          expect(Object.keys(got), `line ${i + 1}`).to.have.members(DECISION_KEYS);
          expect(got.reason, `line ${i + 1}`).to.equal(want.reason);
          expect(got.outcome, `line ${i + 1}`).to.equal(want.outcome);
        }
      });
      expect(JSON.stringify(out[2]), 'the error names the field').to.contain('deliveredOn');
      expect(JSON.stringify(out[5]), 'the error names the field').to.contain('policy');
    });

    it('the last line without a trailing newline is decided too', async () => {
      const input = `${JSON.stringify(ukGood)}\n${JSON.stringify(goodCase('impress-us'))}`;
      const run = await runCli(['decide', '--batch'], { stdin: input });
      expect(run.code).to.equal(0);
      expect(lines(run.stdout).map((l) => (JSON.parse(l) as DecisionJson).policy)).to.deep.equal(['uk-online', 'impress-us']);
    });

    it('cases without today take RETURNS_TODAY from the environment', async () => {
      const strip = (c: ReturnType<typeof goodCase>) => {
        const copy: Record<string, unknown> = { ...c };
        delete copy.today;
        return JSON.stringify(copy);
      };
      const input = [strip(ukGood), strip(goodCase('impress-us'))].join('\n');
      const run = await runCli(['decide', '--batch'], { stdin: input, env: { RETURNS_TODAY: plusDays(D, 20) } });
      expect(run.code).to.equal(0);
      const out = lines(run.stdout).map((l) => JSON.parse(l) as DecisionJson);
      expect(out.map((d) => d.outcome)).to.deep.equal(['rejected', 'approved']);
    });

    it('a batch of sample cases (policy-cases.jsonl style) is decided in order', async () => {
      const samples = [
        { name: 'uk change of mind, day 14', case: goodCase('uk-online', { deliveredOn: '2026-12-22', today: '2027-01-05' }), outcome: 'approved' },
        { name: 'uk change of mind, day 15', case: goodCase('uk-online', { deliveredOn: '2026-12-22', today: '2027-01-06' }), outcome: 'rejected' },
        { name: 'uk headphones hygiene seal', case: goodCase('uk-online', { product: { category: 'headphones' }, condition: { sealBroken: true } }), outcome: 'rejected' },
        { name: 'uk faulty after the guarantee', case: goodCase('uk-online', { reason: 'faulty', day: 400 }), outcome: 'referred' },
        { name: 'impress rebate claimed', case: goodCase('impress-us', { condition: { rebateClaimed: true } }), outcome: 'rejected' },
        { name: 'impress without accessories', case: goodCase('impress-us', { condition: { allAccessories: false } }), outcome: 'referred' },
      ];
      const input = samples.map((s) => JSON.stringify(s.case)).join('\n') + '\n';
      const run = await runCli(['decide', '--batch'], { stdin: input });
      expect(run.code).to.equal(0);
      const out = lines(run.stdout).map((l) => JSON.parse(l) as DecisionJson);
      expect(out.map((d) => d.outcome)).to.deep.equal(samples.map((s) => s.outcome));
    });
  });
});

// ================================================================================================
// Bad input
// ================================================================================================

describe('cli: bad input gives exit 2 and one line per problem naming the path, never a stack trace', () => {
  const base = { policy: 'uk-online', today: '2026-03-04', reason: 'change-of-mind', deliveredOn: '2026-03-02', product: { category: 'peripheral' } };
  interface BadRow {
    name: string;
    stdin: string;
    /** One entry per expected problem line: its path, and words the line must contain. */
    problems: { path: string; contains?: string[]; exact?: string }[];
  }
  const rows: BadRow[] = [
    {
      name: 'deliveredOn "31/12" (the CONTRACT example)',
      stdin: JSON.stringify({ ...base, deliveredOn: '31/12' }),
      problems: [{ path: 'case.deliveredOn', exact: 'case.deliveredOn: expected a date YYYY-MM-DD, got "31/12"' }],
    },
    {
      name: 'today that is not a real date (2027-02-29)',
      stdin: JSON.stringify({ ...base, today: '2027-02-29' }),
      problems: [{ path: 'case.today', contains: ['expected', 'YYYY-MM-DD', '2027-02-29'] }],
    },
    { name: 'an unknown top-level field', stdin: JSON.stringify({ ...base, colour: 'red' }), problems: [{ path: 'case.colour', contains: ['unknown'] }] },
    { name: 'an unknown condition field', stdin: JSON.stringify({ ...base, condition: { scratched: true } }), problems: [{ path: 'case.condition.scratched', contains: ['unknown'] }] },
    { name: 'an unknown product field', stdin: JSON.stringify({ ...base, product: { category: 'peripheral', colour: 'red' } }), problems: [{ path: 'case.product.colour', contains: ['unknown'] }] },
    { name: 'a bad reason', stdin: JSON.stringify({ ...base, reason: 'broken' }), problems: [{ path: 'case.reason', contains: ['expected', 'change-of-mind', 'broken'] }] },
    { name: 'a bad category', stdin: JSON.stringify({ ...base, product: { category: 'toaster' } }), problems: [{ path: 'case.product.category', contains: ['expected', 'notebook', 'toaster'] }] },
    {
      name: 'a bad faultCause',
      stdin: JSON.stringify({ ...base, condition: { faultCause: 'gremlins' } }),
      problems: [{ path: 'case.condition.faultCause', contains: ['expected', 'wear-and-tear', 'gremlins'] }],
    },
    { name: 'a bad customerRegion', stdin: JSON.stringify({ ...base, customerRegion: 'England' }), problems: [{ path: 'case.customerRegion', contains: ['expected', 'GB-ENG'] }] },
    { name: 'a string for a yes/no fact', stdin: JSON.stringify({ ...base, condition: { used: 'yes' } }), problems: [{ path: 'case.condition.used', contains: ['expected', 'boolean'] }] },
    {
      name: 'a string for the price',
      stdin: JSON.stringify({ ...base, product: { category: 'peripheral', price: 'cheap' } }),
      problems: [{ path: 'case.product.price', contains: ['expected', 'number'] }],
    },
    { name: 'a negative delivery charge', stdin: JSON.stringify({ ...base, delivery: { charge: -1, cheapestCharge: 0 } }), problems: [{ path: 'case.delivery.charge', contains: ['expected'] }] },
    {
      name: 'missing product',
      stdin: JSON.stringify({ policy: 'uk-online', today: '2026-03-04', reason: 'change-of-mind', deliveredOn: '2026-03-02' }),
      problems: [{ path: 'case.product', contains: ['expected'] }],
    },
    { name: 'missing deliveredOn', stdin: JSON.stringify({ ...base, deliveredOn: undefined }), problems: [{ path: 'case.deliveredOn', contains: ['expected'] }] },
    { name: 'an unknown pack id', stdin: JSON.stringify({ ...base, policy: 'mars-online' }), problems: [{ path: 'case.policy', contains: ['expected', 'uk-online', 'impress-us', 'mars-online'] }] },
    { name: 'a pack path that does not exist', stdin: JSON.stringify({ ...base, policy: './no/such/pack.yaml' }), problems: [{ path: 'case.policy', contains: ['expected'] }] },
    { name: 'no policy', stdin: JSON.stringify({ ...base, policy: undefined }), problems: [{ path: 'case.policy', contains: ['expected'] }] },
    { name: 'invalid JSON on one line', stdin: '{"policy": "uk-online",', problems: [{ path: 'case', contains: ['expected', 'JSON'] }] },
    { name: 'invalid JSON with a trailing newline (as `echo` sends it)', stdin: 'nope\n', problems: [{ path: 'case', contains: ['expected', 'JSON'] }] },
    { name: 'invalid JSON spread over several lines', stdin: '{\n  "policy": "uk-online",\n  oops\n}\n', problems: [{ path: 'case', contains: ['expected', 'JSON'] }] },
    { name: 'empty input', stdin: '', problems: [{ path: 'case', contains: ['expected'] }] },
    { name: 'a list instead of a case', stdin: '[1, 2]', problems: [{ path: 'case', contains: ['expected'] }] },
    {
      name: 'three problems at once: three lines',
      stdin: JSON.stringify({ ...base, deliveredOn: '31/12', product: { category: 'toaster' }, condition: { colour: 'red' } }),
      problems: [
        { path: 'case.deliveredOn', contains: ['expected'] },
        { path: 'case.product.category', contains: ['expected'] },
        { path: 'case.condition.colour', contains: ['unknown'] },
      ],
    },
  ];
  for (const row of rows) {
    it(`${row.name} → exit 2, ${row.problems.map((p) => p.path).join(', ')}`, async () => {
      const run = await runCli(['decide'], { stdin: row.stdin });
      expect(run.code).to.equal(2);
      expect(run.stdout).to.equal('');
      expectNoStack(run.stderr);
      const got = lines(run.stderr);
      expect(got, run.stderr).to.have.length(row.problems.length);
      for (const want of row.problems) {
        const line = got.find((l) => l.startsWith(`${want.path}: `));
        expect(line, `a line for ${want.path} in:\n${run.stderr}`).to.be.a('string');
        if (want.exact) expect(line).to.equal(want.exact);
        for (const word of want.contains ?? []) expect(line).to.contain(word);
      }
    });
  }

  // "one line per problem": text taken from the input must not break the line.
  const oneLine: { name: string; stdin: string; path: string }[] = [
    { name: 'an unknown field whose name contains a newline', stdin: JSON.stringify({ ...base, 'colour\nfield': 'red' }), path: 'case["colour\\nfield"]: unknown field' },
    { name: 'a pack id that contains a newline', stdin: JSON.stringify({ ...base, policy: 'uk\nonline' }), path: 'case.policy: ' },
    { name: 'a bad reason that contains a newline', stdin: JSON.stringify({ ...base, reason: 'broken\nreally' }), path: 'case.reason: ' },
  ];
  for (const row of oneLine) {
    it(`${row.name} → exit 2, still exactly one line`, async () => {
      const run = await runCli(['decide'], { stdin: row.stdin });
      expect(run.code).to.equal(2);
      expectNoStack(run.stderr);
      const got = lines(run.stderr);
      expect(got, run.stderr).to.have.length(1);
      expect(got[0]).to.satisfy((l: string) => l.startsWith(row.path));
    });
  }

  it('invalid JSON in a --case file with newlines → exit 2, one line', async () => {
    const file = tmpFile('broken.json', '{\n  "policy": "uk-online"\n  "reason": "faulty"\n}\n');
    const run = await runCli(['decide', '--case', file]);
    expect(run.code).to.equal(2);
    expectNoStack(run.stderr);
    expect(lines(run.stderr), run.stderr).to.have.length(1);
  });

  const usage: { name: string; argv: string[] }[] = [
    { name: 'decide --case with a missing file', argv: ['decide', '--case', '/no/such/case.json'] },
    { name: 'decide --case and --batch together', argv: ['decide', '--case', 'x.json', '--batch'] },
    { name: 'decide with an unknown option', argv: ['decide', '--frobnicate'] },
    { name: 'policy with no subcommand', argv: ['policy'] },
    { name: 'policy with an unknown subcommand', argv: ['policy', 'frobnicate'] },
    { name: 'policy show with no id', argv: ['policy', 'show'] },
    { name: 'policy show with an unknown id', argv: ['policy', 'show', 'no-such-pack'] },
    { name: 'policy check with an unknown id', argv: ['policy', 'check', 'no-such-pack'] },
    { name: 'policy validate with no file', argv: ['policy', 'validate'] },
    { name: 'policy validate with a missing file', argv: ['policy', 'validate', '/no/such/pack.yaml'] },
  ];
  for (const row of usage) {
    it(`${row.name} → exit 2, a message on stderr, no stack`, async () => {
      const run = await runCli(row.argv);
      expect(run.code).to.equal(2);
      expect(run.stderr.trim()).to.not.equal('');
      expectNoStack(run.stderr);
    });
  }

  it('an unknown command → exit 2 with the usage', async () => {
    const run = await runCli(['frobnicate']);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.contain('frobnicate');
    expect(run.stderr.toLowerCase()).to.contain('usage');
    expect(run.stderr).to.contain('decide');
    expect(run.stderr).to.contain('policy');
    expectNoStack(run.stderr);
  });

  it('no command at all → exit 2 with the usage', async () => {
    const run = await runCli([]);
    expect(run.code).to.equal(2);
    expect(run.stderr.toLowerCase()).to.contain('usage');
  });
});

// ================================================================================================
// policy
// ================================================================================================

describe('cli: policy', () => {
  it('policy list names both shipped packs, exit 0', async () => {
    const run = await runCli(['policy', 'list']);
    expect(run.code).to.equal(0);
    expect(run.stdout).to.contain('uk-online');
    expect(run.stdout).to.contain('impress-us');
  });

  for (const id of ['uk-online', 'impress-us']) {
    it(`policy show ${id} --json prints the pack with clauses [{id, text}]`, async () => {
      const run = await runCli(['policy', 'show', id, '--json']);
      expect(run.code).to.equal(0);
      const pack = JSON.parse(run.stdout) as { id: string; clauses: { id: unknown; text: unknown }[] };
      expect(pack.id).to.equal(id);
      expect(pack.clauses).to.be.an('array');
      expect(pack.clauses.length).to.be.greaterThan(0);
      for (const c of pack.clauses) {
        expect(c.id)
          .to.be.a('string')
          .and.match(new RegExp(`^${id}/`));
        expect(c.text).to.be.a('string');
        expect(String(c.text).length).to.be.greaterThan(0);
      }
      const ids = pack.clauses.map((c) => c.id);
      expect(new Set(ids).size, 'clause ids are unique').to.equal(ids.length);
    });

    it(`policy show ${id} (text) prints its clauses`, async () => {
      const run = await runCli(['policy', 'show', id]);
      expect(run.code).to.equal(0);
      expect(run.stdout).to.contain(`${id}/`);
    });
  }

  it('every clause a decision cites is in policy show (uk-online change of mind)', async () => {
    const shown = JSON.parse((await runCli(['policy', 'show', 'uk-online', '--json'])).stdout) as { clauses: { id: string }[] };
    const d = expectDecision(
      await runCli(['decide'], { stdin: JSON.stringify({ ...ukGood, delivery: { charge: 9.99, cheapestCharge: 4.99 }, condition: { ...ukGood.condition, packagingOpened: true } }) }),
    );
    expect(d.clauses.length).to.be.greaterThan(0);
    for (const c of d.clauses) expect(shown.clauses.map((x) => x.id)).to.include(c);
  });

  describe('policy validate', () => {
    const good: { name: string; file: () => string }[] = [
      { name: 'the shipped uk-online.yaml', file: () => join(PACKS_DIR, 'uk-online.yaml') },
      { name: 'the shipped impress-us.yaml', file: () => join(PACKS_DIR, 'impress-us.yaml') },
      {
        name: 'a copy of uk-online.yaml in another folder',
        file: () => {
          copyFileSync(join(PACKS_DIR, 'uk-online.yaml'), join(tmp, 'copy.yaml'));
          return join(tmp, 'copy.yaml');
        },
      },
    ];
    for (const row of good) {
      it(`${row.name} → exit 0`, async () => {
        const run = await runCli(['policy', 'validate', row.file()]);
        expect(run.code, run.stderr).to.equal(0);
        expect(run.stderr).to.equal('');
      });
    }

    it('the JSON from `policy show impress-us --json`, saved as a .json file → exit 0', async () => {
      const shown = await runCli(['policy', 'show', 'impress-us', '--json']);
      const file = tmpFile('impress.json', shown.stdout);
      const run = await runCli(['policy', 'validate', file]);
      expect(run.code, run.stderr).to.equal(0);
    });

    function ukPack(): Record<string, unknown> {
      return parseYaml(readFileSync(join(PACKS_DIR, 'uk-online.yaml'), 'utf8')) as Record<string, unknown>;
    }

    it('a pack with several schema problems → exit 2, one line per problem, each with its path', async () => {
      const pack = { ...ukPack(), id: 'Bad Pack!', timeZone: 'Mars/Olympus_Mons', currency: 'pounds', locale: 'English', surprise: true };
      const file = tmpFile('bad-schema.json', JSON.stringify(pack, null, 2));
      const run = await runCli(['policy', 'validate', file]);
      expect(run.code).to.equal(2);
      expect(run.stdout).to.equal('');
      expectNoStack(run.stderr);
      const got = lines(run.stderr);
      for (const path of ['pack.id', 'pack.timeZone', 'pack.currency', 'pack.locale', 'pack.surprise']) {
        expect(
          got.some((l) => l.startsWith(`${path}: `)),
          `a line for ${path} in:\n${run.stderr}`,
        ).to.equal(true);
      }
      for (const l of got) expect(l).to.match(/^pack[\w.[\]-]*: \S/);
      expect(got).to.have.length(5);
    });

    it('a YAML pack whose rules cite a missing clause and a missing date → exit 2 with both paths', async () => {
      const pack = ukPack() as { rules: { clauses: string[] }[]; reasons: Record<string, { deadlines: Record<string, string> }> };
      (pack.rules[0] as { clauses: string[] }).clauses = ['uk-online/no-such-clause'];
      (pack.reasons['change-of-mind'] as { deadlines: Record<string, string> }).deadlines.notifyBy = 'noSuchDate';
      const { stringify } = await import('yaml');
      const file = tmpFile('bad-refs.yaml', stringify(pack));
      const run = await runCli(['policy', 'validate', file]);
      expect(run.code).to.equal(2);
      expectNoStack(run.stderr);
      const got = lines(run.stderr);
      expect(
        got.some((l) => l.startsWith('pack.rules[0].clauses[0]: ') && l.includes('uk-online/no-such-clause')),
        run.stderr,
      ).to.equal(true);
      expect(
        got.some((l) => l.startsWith('pack.reasons.change-of-mind.deadlines.notifyBy: ') && l.includes('noSuchDate')),
        run.stderr,
      ).to.equal(true);
      expect(got).to.have.length(2);
    });

    it('a rule with a bad effect and a fact that does not exist → exit 2 naming the rule', async () => {
      const pack = ukPack() as { rules: Record<string, unknown>[] };
      pack.rules[1] = { ...pack.rules[1], when: { fact: 'condition.colour', is: true } };
      const file = tmpFile('bad-rule.json', JSON.stringify(pack));
      const run = await runCli(['policy', 'validate', file]);
      expect(run.code).to.equal(2);
      expectNoStack(run.stderr);
      const got = lines(run.stderr);
      expect(got.length).to.be.at.least(1);
      for (const l of got) expect(l).to.match(/^pack\.rules\[1\]/);
    });

    it('a file that is not YAML → exit 2, one line, no stack', async () => {
      const file = tmpFile('broken.yaml', 'id: [unclosed\n  clauses: {\n');
      const run = await runCli(['policy', 'validate', file]);
      expect(run.code).to.equal(2);
      expectNoStack(run.stderr);
      expect(lines(run.stderr)).to.have.length(1);
      expect(run.stderr).to.match(/^pack/);
    });

    it('a file that is not JSON → exit 2, one line, no stack', async () => {
      const file = tmpFile('broken-pack.json', '{\n "id": "x",\n oops\n}\n');
      const run = await runCli(['policy', 'validate', file]);
      expect(run.code).to.equal(2);
      expectNoStack(run.stderr);
      expect(lines(run.stderr)).to.have.length(1);
    });
  });

  describe('policy check uk-online: where the pack is stricter than the law', () => {
    let out = '';
    before(async () => {
      const run = await runCli(['policy', 'check', 'uk-online']);
      expect(run.code).to.equal(0);
      out = run.stdout;
    });
    const rows: { topic: string; statute: RegExp; about: RegExp }[] = [
      { topic: 'memory cards are not sealed media', statute: /CCR 2013/, about: /memory card/i },
      { topic: 'special orders of standard items', statute: /CCR 2013/, about: /special.order|special order|specifications/i },
      { topic: 'misdescribed goods after 30 days (replacement only)', statute: /CRA 2015/, about: /misdescri/i },
      { topic: 'late transit-damage reports', statute: /CRA 2015/, about: /transit/i },
      { topic: 'refund timing (14 days from the earlier of receipt or proof of sending)', statute: /CCR 2013|CRA 2015/, about: /refund/i },
    ];
    for (const row of rows) {
      it(`warns about ${row.topic}, citing ${row.statute.source}`, () => {
        const hit = lines(out).filter((l) => /^warning\b/i.test(l) && row.statute.test(l) && row.about.test(l));
        expect(hit.length, out).to.be.greaterThan(0);
      });
    }
    it('policy check impress-us → exit 0', async () => {
      const run = await runCli(['policy', 'check', 'impress-us']);
      expect(run.code).to.equal(0);
      expect(run.stdout).to.contain('impress-us');
    });
  });
});

// ================================================================================================
// The real binary
// ================================================================================================

describe('cli: the real binary (node bin/returnsbot.js)', function () {
  this.timeout(180_000);
  const BIN = join(ROOT, 'bin', 'returnsbot.js');
  const ENTRY = join(ROOT, 'dist', 'src', 'cli', 'entry.js');

  /** Newest modification time under a folder (TypeScript sources only). */
  function newestTs(dir: string): number {
    let newest = 0;
    if (!existsSync(dir)) return newest;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) newest = Math.max(newest, newestTs(p));
      else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
    }
    return newest;
  }

  before(() => {
    // The binary runs dist/ (built by `prepare`); build it when missing or older than the sources.
    if (!existsSync(ENTRY) || statSync(ENTRY).mtimeMs < newestTs(join(ROOT, 'src'))) {
      spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
    }
    expect(existsSync(ENTRY), 'npm run build produced dist/src/cli/entry.js').to.equal(true);
  });

  function bin(args: string[], input = '', env: Record<string, string> = {}): SpawnSyncReturns<string> {
    const base: Record<string, string | undefined> = { ...process.env };
    delete base.RETURNS_TODAY;
    return spawnSync(process.execPath, [BIN, ...args], { cwd: tmp, input, encoding: 'utf8', env: { ...base, ...env } });
  }

  it('decide --case FILE → exit 0, a decision on stdout', () => {
    const file = tmpFile('bin-case.json', JSON.stringify(ukGood));
    const r = bin(['decide', '--case', file]);
    expect(r.status, r.stderr).to.equal(0);
    const d = JSON.parse(r.stdout) as DecisionJson;
    expect(Object.keys(d)).to.have.members(DECISION_KEYS);
    expect(d.outcome).to.equal('approved');
  });

  it("decide with a bad date on stdin → exit 2, the contract's line, no stack trace", () => {
    const r = bin(['decide'], JSON.stringify({ ...ukGood, deliveredOn: '31/12' }));
    expect(r.status).to.equal(2);
    expect(r.stdout).to.equal('');
    expect(lines(r.stderr)).to.deep.equal(['case.deliveredOn: expected a date YYYY-MM-DD, got "31/12"']);
    expectNoStack(r.stderr);
  });

  it('decide with invalid JSON → exit 2, one line, no stack trace', () => {
    const r = bin(['decide'], 'nope\n');
    expect(r.status).to.equal(2);
    expectNoStack(r.stderr);
    expect(lines(r.stderr), r.stderr).to.have.length(1);
  });

  it('decide --batch with RETURNS_TODAY → exit 0, one line per case, errors in place', () => {
    const strip = (c: ReturnType<typeof goodCase>) => {
      const copy: Record<string, unknown> = { ...c };
      delete copy.today;
      return JSON.stringify(copy);
    };
    const input = [strip(ukGood), '{"policy": "uk-online"', strip(goodCase('impress-us', { reason: 'faulty' }))].join('\n') + '\n';
    const r = bin(['decide', '--batch'], input, { RETURNS_TODAY: plusDays(D, 3) });
    expect(r.status, r.stderr).to.equal(0);
    const out = lines(r.stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(out).to.have.length(3);
    expect(out[0]?.outcome).to.equal('approved');
    expect(Object.keys(out[1] ?? {})).to.deep.equal(['error']);
    expect(out[2]?.outcome).to.equal('approved');
    expectNoStack(r.stderr);
  });

  it("decide with the case's policy a bare pack file name in the working directory → exit 0", () => {
    copyFileSync(join(PACKS_DIR, 'impress-us.yaml'), join(tmp, 'merchant.yaml'));
    const r = bin(['decide'], JSON.stringify({ ...goodCase('impress-us'), policy: 'merchant.yaml' }));
    expect(r.status, r.stderr).to.equal(0);
    expect((JSON.parse(r.stdout) as DecisionJson).policy).to.equal('impress-us');
  });

  it('an unknown command → exit 2 with the usage, no stack trace', () => {
    const r = bin(['frobnicate']);
    expect(r.status).to.equal(2);
    expect(r.stderr.toLowerCase()).to.contain('usage');
    expectNoStack(r.stderr);
  });

  it('policy validate on a broken pack → exit 2, no stack trace', () => {
    const file = tmpFile('bin-bad.yaml', 'id: Not A Pack\nversion: 1\n');
    const r = bin(['policy', 'validate', file]);
    expect(r.status).to.equal(2);
    expect(
      lines(r.stderr).every((l) => l.startsWith('pack')),
      r.stderr,
    ).to.equal(true);
    expectNoStack(r.stderr);
  });
});
