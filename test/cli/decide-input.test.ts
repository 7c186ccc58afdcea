/**
 * `returnsbot decide` on input the engine must refuse or read correctly (issue 12): deliveries that
 * cannot have happened, the "none" sentinel and the pre-authorisation number's shape, every problem
 * of a case at once, numbers out of range, and `--batch` error lines counted as input lines. And
 * `policy show`, which never presents a retailer's addition as a quote from the written policy.
 */
import { expect } from 'chai';
import { goodCase } from '../support/cases.js';
import { runCli } from '../support/cli.js';

const lines = (text: string): string[] => text.split('\n').filter((l) => l.length > 0);

/** Exit 2, nothing on stdout, exactly these paths on stderr (one line each), no stack trace. */
async function expectProblems(stdin: string, paths: string[], env: Record<string, string> = {}, ordered = true): Promise<string[]> {
  const run = await runCli(['decide'], { stdin, env });
  expect(run.code, run.stdout + run.stderr).to.equal(2);
  expect(run.stdout).to.equal('');
  expect(run.stderr).to.not.match(/^\s+at |Error:/m);
  const got = lines(run.stderr);
  const gotPaths = got.map((l) => l.slice(0, l.indexOf(': ')));
  if (ordered) expect(gotPaths, run.stderr).to.deep.equal(paths);
  else expect(gotPaths, run.stderr).to.have.members(paths).and.have.length(paths.length);
  return got;
}

const uk = goodCase('uk-online', { deliveredOn: '2026-12-22', today: '2026-12-30', purchasedOn: '2026-12-20' });
const notebook = (manufacturerPreauth: string) =>
  goodCase('impress-us', {
    reason: 'faulty',
    deliveredOn: '2026-12-22',
    today: '2026-12-30',
    purchasedOn: '2026-12-20',
    product: { category: 'notebook', requiresManufacturerPreauth: true },
    condition: { manufacturerPreauth },
  });

describe('cli decide: a delivery that cannot have happened is bad input', () => {
  it('deliveredOn a year after today → exit 2, case.deliveredOn', async () => {
    const [line] = await expectProblems(JSON.stringify({ ...uk, deliveredOn: '2027-12-22' }), ['case.deliveredOn']);
    expect(line).to.contain('2026-12-30').and.contain('"2027-12-22"');
  });

  it('deliveredOn after today when today comes from RETURNS_TODAY → exit 2', async () => {
    const c: Record<string, unknown> = { ...uk, deliveredOn: '2026-12-31' };
    delete c.today;
    await expectProblems(JSON.stringify(c), ['case.deliveredOn'], { RETURNS_TODAY: '2026-12-30' });
  });

  it('deliveredOn before purchasedOn → exit 2, case.deliveredOn', async () => {
    const [line] = await expectProblems(JSON.stringify({ ...uk, deliveredOn: '2026-12-19' }), ['case.deliveredOn']);
    expect(line).to.contain('purchasedOn');
  });

  it('in --batch each becomes {"error"} with the field path, and the other lines are decided', async () => {
    const input = [JSON.stringify({ ...uk, deliveredOn: '2027-12-22' }), JSON.stringify(uk), JSON.stringify({ ...uk, deliveredOn: '2026-12-19' })].join('\n');
    const run = await runCli(['decide', '--batch'], { stdin: input });
    expect(run.code).to.equal(0);
    const out = lines(run.stdout).map((l) => JSON.parse(l) as { error?: { line: number; problems: { path: string }[] }; outcome?: string });
    expect(out).to.have.length(3);
    expect(out[0]!.error?.problems.map((p) => p.path)).to.deep.equal(['case.deliveredOn']);
    expect(out[1]!.outcome).to.equal('approved');
    expect(out[2]!.error?.problems.map((p) => p.path)).to.deep.equal(['case.deliveredOn']);
  });
});

describe('cli decide: the pre-authorisation number', () => {
  for (const none of ['NONE', 'None', 'none']) {
    it(`${JSON.stringify(none)} is the "no number" sentinel → rejected, MANUFACTURER_PREAUTH_REQUIRED`, async () => {
      const run = await runCli(['decide'], { stdin: JSON.stringify(notebook(none)) });
      expect(run.code, run.stderr).to.equal(0);
      const d = JSON.parse(run.stdout) as { outcome: string; reasons: { code: string }[] };
      expect(d.outcome).to.equal('rejected');
      expect(d.reasons.map((r) => r.code)).to.deep.equal(['MANUFACTURER_PREAUTH_REQUIRED']);
    });
  }

  it("a number of the pack's shape → approved", async () => {
    const run = await runCli(['decide'], { stdin: JSON.stringify(notebook('PA-99812')) });
    expect((JSON.parse(run.stdout) as { outcome: string }).outcome).to.equal('approved');
  });

  it("something that is neither → exit 2 at case.condition.manufacturerPreauth, with the pack's example", async () => {
    const [line] = await expectProblems(JSON.stringify(notebook('I lost it')), ['case.condition.manufacturerPreauth']);
    expect(line).to.contain('"none"').and.contain('PA-99812').and.contain('"I lost it"');
  });

  it('uk-online states no shape: any number is taken as given', async () => {
    const run = await runCli(['decide'], { stdin: JSON.stringify({ ...uk, condition: { ...uk.condition, manufacturerPreauth: 'anything' } }) });
    expect(run.code).to.equal(0);
  });
});

describe('cli decide: every problem of a case at once', () => {
  it('no policy, a bad reason and a bad category → three lines', async () => {
    const c: Record<string, unknown> = { ...uk, reason: 'broken', product: { category: 'toaster' } };
    delete c.policy;
    await expectProblems(JSON.stringify(c), ['case.policy', 'case.reason', 'case.product.category']);
  });

  it('no policy and no today: the other problems still, and no complaint about today', async () => {
    const c: Record<string, unknown> = { ...uk, deliveredOn: '31/12' };
    delete c.policy;
    delete c.today;
    await expectProblems(JSON.stringify(c), ['case.policy', 'case.deliveredOn']);
  });

  it('an unknown pack, a date in the future and a bad fact → three lines', async () => {
    await expectProblems(
      JSON.stringify({ ...uk, policy: 'mars-online', deliveredOn: '2027-01-01', condition: { used: 'yes' } }),
      ['case.policy', 'case.deliveredOn', 'case.condition.used'],
      {},
      false,
    );
  });

  it('price 1e400 → the number is out of range (not "got null")', async () => {
    const text = JSON.stringify(uk).replace('"price":100', '"price":1e400');
    expect(text).to.contain('1e400');
    const [line] = await expectProblems(text, ['case.product.price']);
    expect(line).to.contain('out of range').and.not.contain('null');
  });
});

describe('cli decide --batch: error line numbers are input line numbers', () => {
  it('blank lines count: errors on input lines 3 and 5 say line 3 and line 5', async () => {
    const input = [JSON.stringify(uk), '', 'not json', '   ', '{"policy": "uk-online"}', JSON.stringify(uk)].join('\n') + '\n';
    const run = await runCli(['decide', '--batch'], { stdin: input });
    expect(run.code).to.equal(0);
    const out = lines(run.stdout).map((l) => JSON.parse(l) as { error?: { line: number }; outcome?: string });
    expect(out.map((o) => o.error?.line ?? o.outcome)).to.deep.equal(['approved', 3, 5, 'approved']);
  });

  it('CRLF line ends are read as lines too', async () => {
    const run = await runCli(['decide', '--batch'], { stdin: `${JSON.stringify(uk)}\r\n\r\nnope\r\n` });
    const out = lines(run.stdout).map((l) => JSON.parse(l) as { error?: { line: number }; outcome?: string });
    expect(out.map((o) => o.error?.line ?? o.outcome)).to.deep.equal(['approved', 3]);
  });
});

describe("cli policy show: the retailer's additions are never shown as quotes", () => {
  for (const id of ['uk-online', 'impress-us']) {
    it(`${id}: each addition is labelled, not quoted; --json marks its origin`, async () => {
      const json = JSON.parse((await runCli(['policy', 'show', id, '--json'])).stdout) as { clauses: { id: string; text: string; origin: string }[] };
      const additions = json.clauses.filter((c) => c.origin === 'retailer-addition');
      expect(additions.length).to.be.greaterThan(0);
      expect(json.clauses.every((c) => ['written-policy', 'retailer-addition'].includes(c.origin))).to.equal(true);
      const text = (await runCli(['policy', 'show', id])).stdout;
      for (const a of additions) {
        expect(text).to.contain(`Retailer's addition (not in the written policy): ${a.text}`);
        expect(text).not.to.contain(`"${a.text}"`);
      }
    });
  }
});
