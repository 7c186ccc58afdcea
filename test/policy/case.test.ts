/**
 * Cases the engine must refuse or read correctly (issue 12): a delivery that cannot have happened,
 * the "none" sentinel for a pre-authorisation number in any letter case, a number of the shape the
 * pack states, numbers out of range, and where each fact came from.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse as parseYaml } from 'yaml';
import { PACKS_DIR } from '../../src/paths.js';
import { caseDateProblems, caseSchema, type Case } from '../../src/policy/case.js';
import { decide } from '../../src/policy/engine.js';
import { loadPack, validatePack } from '../../src/policy/packs.js';
import { parseWith } from '../../src/validation.js';
import { goodCase, type CasePatch } from '../support/cases.js';

const problemsOf = (input: unknown) => {
  const r = parseWith(caseSchema, input, 'case');
  return r.ok ? [] : r.problems;
};

describe('case: dates that cannot have happened', () => {
  const base = goodCase('uk-online', { deliveredOn: '2026-12-22', today: '2026-12-30', purchasedOn: '2026-12-20' });

  it('deliveredOn after today → a problem at case.deliveredOn naming today', () => {
    const problems = problemsOf({ ...base, deliveredOn: '2027-12-22' });
    expect(problems).to.have.length(1);
    expect(problems[0]!.path).to.equal('case.deliveredOn');
    expect(problems[0]!.message).to.contain('2026-12-30').and.contain('2027-12-22');
  });

  it('deliveredOn before purchasedOn → a problem at case.deliveredOn naming the purchase', () => {
    const problems = problemsOf({ ...base, deliveredOn: '2026-12-18' });
    expect(problems.map((p) => p.path)).to.deep.equal(['case.deliveredOn']);
    expect(problems[0]!.message).to.contain('purchasedOn').and.contain('2026-12-20');
  });

  it("the order's recordedDeliveredOn is checked the same way", () => {
    expect(problemsOf({ ...base, recordedDeliveredOn: '2027-01-02' }).map((p) => p.path)).to.deep.equal(['case.recordedDeliveredOn']);
    expect(problemsOf({ ...base, recordedDeliveredOn: '2026-12-19' }).map((p) => p.path)).to.deep.equal(['case.recordedDeliveredOn']);
  });

  it('the edges are fine: delivered today, delivered the day it was bought', () => {
    expect(problemsOf({ ...base, deliveredOn: '2026-12-30' })).to.deep.equal([]);
    expect(problemsOf({ ...base, deliveredOn: '2026-12-20' })).to.deep.equal([]);
  });

  it('a date problem is reported beside the other problems of the case, not instead of them', () => {
    const problems = problemsOf({ ...base, deliveredOn: '2027-12-22', reason: 'broken', product: { category: 'toaster' } });
    expect(problems.map((p) => p.path).sort()).to.deep.equal(['case.deliveredOn', 'case.product.category', 'case.reason']);
  });

  it('caseDateProblems skips a date that is not valid itself (its own problem says so)', () => {
    expect(caseDateProblems({ today: '2026-12-30', deliveredOn: '31/12' })).to.deep.equal([]);
    expect(caseDateProblems({ today: null, deliveredOn: '2027-01-01' })).to.deep.equal([]);
  });

  it('a number out of range (1e400 parses to Infinity) says so, not "got null"', () => {
    const problems = problemsOf({ ...base, product: { category: 'peripheral', price: Number.POSITIVE_INFINITY } });
    expect(problems).to.have.length(1);
    expect(problems[0]!.path).to.equal('case.product.price');
    expect(problems[0]!.message).to.contain('out of range').and.not.contain('null');
  });
});

describe('case: the pre-authorisation number', () => {
  const notebook = (manufacturerPreauth: string | null, patch: CasePatch = {}) =>
    goodCase('impress-us', { reason: 'faulty', product: { category: 'notebook', requiresManufacturerPreauth: true }, condition: { manufacturerPreauth }, ...patch });
  const decideInput = (input: ReturnType<typeof notebook>) => decide(caseSchema.parse(input), loadPack('impress-us'));

  for (const none of ['none', 'NONE', 'None', ' nOnE ']) {
    it(`${JSON.stringify(none)} is the sentinel: normalised to "none", and the return is refused until the customer has a number`, () => {
      expect(caseSchema.parse(notebook(none)).condition.manufacturerPreauth).to.equal('none');
      const d = decideInput(notebook(none));
      expect(d.outcome).to.equal('rejected');
      expect(d.reasons.map((r) => r.code)).to.deep.equal(['MANUFACTURER_PREAUTH_REQUIRED']);
    });
  }

  it('"NONE" in a case built in code (not through the schema) is the sentinel too', () => {
    const c = caseSchema.parse(notebook('PA-99812'));
    const built: Case = { ...c, condition: { ...c.condition, manufacturerPreauth: 'NONE' } };
    expect(decide(built, loadPack('impress-us')).outcome).to.equal('rejected');
  });

  for (const number of ['PA-99812', '778812', 'MFR-PA-123456', 'hp 2026/0042']) {
    it(`${JSON.stringify(number)} has the pack's shape: approved`, () => {
      expect(decideInput(notebook(number)).outcome).to.equal('approved');
    });
  }

  for (const notANumber of ['no', 'n/a', 'dunno', 'PA-12']) {
    it(`${JSON.stringify(notANumber)} is not of the pack's shape: the engine does not take it as a number (it asks again)`, () => {
      const c = caseSchema.parse(notebook('PA-99812'));
      const d = decide({ ...c, condition: { ...c.condition, manufacturerPreauth: notANumber } }, loadPack('impress-us'));
      expect(d.outcome).to.equal('incomplete');
      expect(d.needs).to.deep.equal(['manufacturerPreauth']);
    });
  }

  it('the shape is the pack\'s: a pack must give an example that matches it, and it must not match "none"', () => {
    const data = parseYaml(readFileSync(join(PACKS_DIR, 'impress-us.yaml'), 'utf8')) as Record<string, unknown>;
    expect(validatePack({ ...data, preauthNumber: { pattern: '^[0-9]{6}$', example: 'PA-1' } }).ok).to.equal(false);
    const r = validatePack({ ...data, preauthNumber: { pattern: '^[a-z]+$', example: 'abc' } });
    expect(r.ok ? [] : r.problems.map((p) => p.path)).to.deep.equal(['pack.preauthNumber.pattern']);
    expect(validatePack({ ...data, preauthNumber: { pattern: '([', example: 'x' } }).ok).to.equal(false);
  });
});

describe('case: sources', () => {
  const base = goodCase('uk-online');
  it('accepts a source per fact, and refuses an unknown fact or source with its path', () => {
    expect(problemsOf({ ...base, sources: { deliveredOn: 'customer', sealBroken: 'staff', product: 'order' } })).to.deep.equal([]);
    expect(problemsOf({ ...base, sources: { colour: 'customer' } }).map((p) => p.path)).to.deep.equal(['case.sources.colour']);
    expect(problemsOf({ ...base, sources: { deliveredOn: 'rumour' } }).map((p) => p.path)).to.deep.equal(['case.sources.deliveredOn']);
  });
});
