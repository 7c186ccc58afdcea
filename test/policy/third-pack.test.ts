/**
 * A third pack written only as data (test/fixtures/packs/eu-basic.yaml, a plain German online shop
 * quoting test/fixtures/packs/eu-basic.txt): it validates, it decides as its text says, and the
 * conversation asks only the facts its own rules use (CONTRACT §1 `policy validate`, §4, §5).
 *
 * German public holidays in Berlin (Feiertagsgesetz Berlin): 1 Jan, 8 Mar (International Women's
 * Day), Good Friday, Easter Monday, 1 May, Ascension, Whit Monday, 3 Oct, 25 and 26 Dec; no
 * substitute days; 24 and 31 Dec are ordinary working days. Easter 2027 is 28 March
 * (law-and-dates §4.4), so Good Friday is 26 March and Easter Monday 29 March.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { CATEGORIES, REASONS, caseSchema, type CaseInput } from '../../src/policy/case.js';
import type { Decision } from '../../src/policy/decision.js';
import { answerFor } from '../../src/policy/answers.js';
import { askableFields, decide } from '../../src/policy/engine.js';
import { builtInPackIds, loadPack, validatePack, validatePackFile } from '../../src/policy/packs.js';

const PACK_FILE = fileURLToPath(new URL('../fixtures/packs/eu-basic.yaml', import.meta.url));
const TEXT_FILE = fileURLToPath(new URL('../fixtures/packs/eu-basic.txt', import.meta.url));

/** The facts eu-basic's reject/refer/approve rules test (the deduction on packagingOpened never blocks). */
const EU_DECIDING_FACTS = ['sealBroken', 'faultCause'];

type CaseParts = Omit<CaseInput, 'policy' | 'product'> & { product?: CaseInput['product'] };
const eu = (c: CaseParts): Decision => decide(caseSchema.parse({ policy: PACK_FILE, product: { category: 'notebook', price: 499 }, ...c }), loadPack(PACK_FILE));

describe('third pack (eu-basic): a merchant needs no code', () => {
  it('policy validate accepts it (validatePackFile)', () => {
    const result = validatePackFile(PACK_FILE);
    expect(result.ok, JSON.stringify(!result.ok && result.problems)).to.equal(true);
  });

  it('is not one of the shipped packs, and loads by path', () => {
    expect(builtInPackIds()).not.to.include('eu-basic');
    const compiled = loadPack(PACK_FILE);
    expect(compiled.pack.id).to.equal('eu-basic');
    expect(compiled.pack.jurisdiction).to.equal('DE');
    expect(compiled.pack.timeZone).to.equal('Europe/Berlin');
    expect(compiled.pack.currency).to.equal('EUR');
  });

  it('quotes its policy text exactly: every clause text (fragments joined by " … ") is in eu-basic.txt', () => {
    const source = readFileSync(TEXT_FILE, 'utf8').replace(/\s+/g, ' ');
    const pack = loadPack(PACK_FILE).pack;
    for (const clause of pack.clauses) {
      for (const fragment of clause.text.split(' … ')) {
        expect(source, `${clause.id}: "${fragment}"`).to.include(fragment.replace(/\s+/g, ' ').trim());
      }
    }
  });

  it('the decisions say which pack and version decided', () => {
    const d = eu({ reason: 'change-of-mind', deliveredOn: '2027-03-01', today: '2027-03-02' });
    expect(d.policy).to.equal('eu-basic');
    expect(d.policyVersion).to.equal('1.0.0');
  });
});

describe('third pack (eu-basic): change of mind, 14 days from delivery', () => {
  const rows: [string, string, string, 'approved' | 'rejected', string | null][] = [
    // [delivered, today, label, outcome, returnBy]
    ['2027-03-01', '2027-03-01', 'day 0', 'approved', '2027-03-15'],
    ['2027-03-01', '2027-03-15', 'day 14, the last day', 'approved', '2027-03-29'],
    ['2027-03-01', '2027-03-16', 'day 15, late', 'rejected', null],
    ['2026-12-22', '2027-01-05', 'day 14 over the year end', 'approved', '2027-01-19'],
    ['2026-12-22', '2027-01-06', 'day 15 over the year end', 'rejected', null],
    ['2027-03-12', '2027-03-29', 'day 17, Easter Monday: no roll-forward', 'rejected', null],
  ];
  for (const [deliveredOn, today, label, outcome, returnBy] of rows) {
    it(`delivered ${deliveredOn}, told us ${today} (${label}): ${outcome}`, () => {
      const d = eu({ reason: 'change-of-mind', deliveredOn, today, condition: { packagingOpened: false } });
      expect(d.outcome).to.equal(outcome);
      expect(d.deadlines.notifyBy).to.equal({ '2027-03-01': '2027-03-15', '2026-12-22': '2027-01-05', '2027-03-12': '2027-03-26' }[deliveredOn]);
      if (outcome === 'approved') {
        expect(d.remedies).to.deep.equal(['refund']);
        expect(d.remedyChosenBy).to.equal('customer');
        expect(d.deadlines.returnBy).to.equal(returnBy);
        expect(d.deadlines.refundWithinDays).to.equal(14);
        expect(d.conditions).to.include('return-at-customer-cost');
        expect(d.clauses).to.include('eu-basic/withdrawal/period');
        expect(d.rmaRequired).to.equal(true);
      } else {
        expect(d.clauses).to.deep.equal(['eu-basic/withdrawal/period']);
      }
    });
  }

  const opened: [boolean | null, { kind: string; certainty: string }[]][] = [
    [true, [{ kind: 'diminished-value', certainty: 'may' }]],
    [null, [{ kind: 'diminished-value', certainty: 'may' }]],
    [false, []],
  ];
  for (const [packagingOpened, deductions] of opened) {
    it(`packagingOpened ${String(packagingOpened)}: deductions ${JSON.stringify(deductions)} (the loss-in-value deduction may apply when opened)`, () => {
      const d = eu({ reason: 'change-of-mind', deliveredOn: '2027-03-01', today: '2027-03-05', condition: { packagingOpened } });
      expect(d.outcome).to.equal('approved');
      expect(d.deductions).to.deep.equal(deductions);
    });
  }

  const sealed: [string, boolean | null, 'approved' | 'rejected' | 'incomplete'][] = [
    ['software', true, 'rejected'],
    ['media', true, 'rejected'],
    ['software', false, 'approved'],
    ['software', null, 'incomplete'],
    ['memory-card', true, 'approved'], // unlike uk-online, this policy does not exclude memory cards
    ['headphones', true, 'approved'], // nor headphones
    ['notebook', null, 'approved'], // the seal is never asked about a notebook
  ];
  for (const [category, sealBroken, outcome] of sealed) {
    it(`${category} with sealBroken ${String(sealBroken)}, day 3: ${outcome}`, () => {
      const d = eu({ reason: 'change-of-mind', deliveredOn: '2027-03-01', today: '2027-03-04', product: { category: category as 'software' }, condition: { sealBroken } });
      expect(d.outcome).to.equal(outcome);
      if (outcome === 'incomplete') expect(d.needs).to.deep.equal(['sealBroken']);
      if (outcome === 'rejected') expect(d.clauses).to.include('eu-basic/withdrawal/sealed-software');
    });
  }
});

describe('third pack (eu-basic): faults, 24-month legal guarantee, repair or replacement chosen by the customer', () => {
  const rows: [string, string, string, 'approved' | 'rejected', string][] = [
    // [delivered, today, label, outcome, notifyBy = delivered + 24 months]
    ['2026-03-01', '2026-03-20', 'day 19', 'approved', '2028-03-01'],
    ['2026-03-01', '2027-03-02', 'day 366, past a 12-month guarantee but inside 24 months', 'approved', '2028-03-01'],
    ['2026-03-01', '2028-03-01', 'last day of 24 months', 'approved', '2028-03-01'],
    ['2026-03-01', '2028-03-02', 'the day after 24 months', 'rejected', '2028-03-01'],
    ['2028-02-29', '2030-02-28', 'leap day + 24 months clamps to 2030-02-28', 'approved', '2030-02-28'],
    ['2028-02-29', '2030-03-01', 'the day after', 'rejected', '2030-02-28'],
  ];
  for (const [deliveredOn, today, label, outcome, notifyBy] of rows) {
    it(`delivered ${deliveredOn}, reported ${today} (${label}): ${outcome}`, () => {
      const d = eu({ reason: 'faulty', deliveredOn, today, condition: { faultCause: 'defect' } });
      expect(d.outcome).to.equal(outcome);
      expect(d.deadlines.notifyBy).to.equal(notifyBy);
      // A German pack gets no UK statutory note and no UK referral.
      expect(d.statutoryNote).to.equal(null);
      if (outcome === 'approved') {
        expect(d.remedies).to.have.members(['repair', 'replacement']);
        expect(d.remedies).to.have.length(2);
        expect(d.remedies).not.to.include('refund');
        expect(d.remedyChosenBy).to.equal('customer');
      }
      expect(d.clauses).to.include('eu-basic/guarantee/period');
    });
  }

  it('guaranteeMonths 36 on the invoice overrides the pack default of 24', () => {
    const d = eu({ reason: 'faulty', deliveredOn: '2026-03-01', today: '2028-03-02', product: { category: 'notebook', guaranteeMonths: 36 }, condition: { faultCause: 'defect' } });
    expect(d.outcome).to.equal('approved');
    expect(d.deadlines.notifyBy).to.equal('2029-03-01');
  });

  const causes: [string | null, 'approved' | 'rejected' | 'incomplete'][] = [
    ['defect', 'approved'],
    ['unknown', 'approved'],
    ['accident', 'rejected'],
    ['misuse', 'rejected'],
    [null, 'incomplete'],
  ];
  for (const [faultCause, outcome] of causes) {
    it(`inside the guarantee, faultCause ${String(faultCause)}: ${outcome}`, () => {
      const d = eu({ reason: 'faulty', deliveredOn: '2026-03-01', today: '2026-06-01', condition: { faultCause: faultCause as 'defect' } });
      expect(d.outcome).to.equal(outcome);
      if (outcome === 'incomplete') expect(d.needs).to.deep.equal(['faultCause']);
    });
  }

  it('after the guarantee the date alone rejects: nothing is asked', () => {
    const d = eu({ reason: 'faulty', deliveredOn: '2026-03-01', today: '2028-03-02' });
    expect(d.outcome).to.equal('rejected');
    expect(d.needs).to.deep.equal([]);
  });
});

describe('third pack (eu-basic): transit damage within 7 Berlin working days', () => {
  // [delivered, today, reportBy, outcome, why]
  const rows: [string, string, string, 'approved' | 'referred', string][] = [
    ['2027-03-25', '2027-04-07', '2027-04-07', 'approved', 'Thu 25 Mar; Good Friday 26 and Easter Monday 29 Mar skipped: 30, 31 Mar, 1, 2, 5, 6, 7 Apr (without holidays it would be 5 Apr)'],
    ['2027-03-25', '2027-04-06', '2027-04-07', 'approved', 'a day early'],
    ['2027-03-25', '2027-04-08', '2027-04-07', 'referred', 'the day after: a person checks it'],
    ['2027-03-05', '2027-03-17', '2027-03-17', 'approved', 'Fri 5 Mar; Mon 8 Mar is a Berlin holiday: 9, 10, 11, 12, 15, 16, 17 Mar'],
    ['2027-03-05', '2027-03-18', '2027-03-17', 'referred', 'the day after'],
    ['2026-12-23', '2027-01-05', '2027-01-05', 'approved', 'Wed 23 Dec; 24 and 31 Dec are working days, 25 Dec and 1 Jan are not: 24, 28, 29, 30, 31 Dec, 4, 5 Jan'],
    ['2026-12-23', '2027-01-06', '2027-01-05', 'referred', 'the day after'],
    ['2027-05-05', '2027-05-18', '2027-05-18', 'approved', 'Wed 5 May; Ascension Thu 6 May and Whit Monday 17 May skipped: 7, 10, 11, 12, 13, 14, 18 May'],
    ['2027-05-05', '2027-05-19', '2027-05-18', 'referred', 'the day after'],
  ];
  for (const [deliveredOn, today, reportBy, outcome, why] of rows) {
    it(`delivered ${deliveredOn}, reported ${today}: reportBy ${reportBy}, ${outcome} (${why})`, () => {
      const d = eu({ reason: 'transit-damage', deliveredOn, today });
      expect(d.deadlines.reportBy).to.equal(reportBy);
      expect(d.outcome).to.equal(outcome);
      if (outcome === 'approved') {
        expect(d.remedies).to.have.members(['refund', 'replacement']);
        expect(d.remedyChosenBy).to.equal('customer');
      } else {
        expect(d.clauses).to.include('eu-basic/transit/late');
      }
    });
  }

  it('a UK customerRegion does not bring UK holidays into a German pack', () => {
    // Scotland's 4 Jan 2027 holiday must not move the Berlin count.
    const d = eu({ reason: 'transit-damage', deliveredOn: '2026-12-23', today: '2027-01-05', customerRegion: 'GB-SCT' });
    expect(d.deadlines.reportBy).to.equal('2027-01-05');
  });
});

describe('third pack (eu-basic): what the policy does not cover, and what it asks', () => {
  it('misdescribed goods have no rule: referred under the contact clause', () => {
    const d = eu({ reason: 'misdescribed', deliveredOn: '2027-03-01', today: '2027-03-04' });
    expect(d.outcome).to.equal('referred');
    expect(d.clauses).to.deep.equal(['eu-basic/contact']);
    expect(d.remedies).to.deep.equal([]);
  });

  it('the facts its rules can ask about are its own: packagingOpened, sealBroken, faultCause', () => {
    expect(askableFields(loadPack(PACK_FILE))).to.have.members(['packagingOpened', 'sealBroken', 'faultCause']);
  });

  it('with nothing known, needs only ever names sealBroken or faultCause, for every reason, category and a spread of dates', () => {
    const days = ['2027-03-01', '2027-03-15', '2027-03-16', '2027-04-07', '2028-03-01', '2029-03-02'];
    let incomplete = 0;
    for (const reason of REASONS) {
      for (const category of CATEGORIES) {
        for (const today of days) {
          const d = eu({ reason, deliveredOn: '2027-03-01', today, product: { category } });
          if (d.outcome === 'incomplete') incomplete++;
          for (const f of d.needs) expect(EU_DECIDING_FACTS, `${reason} ${category} ${today}`).to.include(f);
        }
      }
    }
    expect(incomplete, 'some cases must be incomplete, or the check above proves nothing').to.be.above(0);
  });

  it('the same notebook return asks uk-online’s questions under uk-online but none under eu-basic', () => {
    const facts = { reason: 'change-of-mind' as const, deliveredOn: '2027-03-01', today: '2027-03-04', product: { category: 'notebook' as const } };
    const ukDecision = decide(caseSchema.parse({ policy: 'uk-online', ...facts }), loadPack('uk-online'));
    expect(ukDecision.outcome).to.equal('incomplete');
    expect(ukDecision.needs).to.include('used');
    const euDecision = eu(facts);
    expect(euDecision.outcome).to.equal('approved');
    expect(euDecision.needs).to.deep.equal([]);
  });
});

describe("third pack (eu-basic): answers the customer's questions from its own data (more in answers.test.ts)", () => {
  it('the refund time and who pays the postage, with the clauses they come from; what it does not say is unknown', () => {
    const pack = loadPack(PACK_FILE);
    expect(answerFor(pack, 'refundTime', { reason: 'change-of-mind' })).to.deep.include({ known: true, withinDays: 14, from: 'received-or-proof-of-posting', clauses: ['eu-basic/withdrawal/refund'] });
    expect(answerFor(pack, 'returnPostage', { reason: 'change-of-mind' })).to.deep.include({ known: true, payer: 'customer', clauses: ['eu-basic/withdrawal/return-cost'] });
    expect(answerFor(pack, 'whereToSend')).to.deep.equal({ topic: 'whereToSend', known: false, clauses: [] });
  });
});

describe('third pack (eu-basic): a broken copy — validatePack reports every problem with its path', () => {
  const base = (): Record<string, unknown> & { rules: Record<string, unknown>[]; reasons: Record<string, { deadlines: Record<string, unknown> }> } => parseYaml(readFileSync(PACK_FILE, 'utf8'));

  // The rules by index in eu-basic.yaml.
  const R = { withdrawalLate: 0, withdrawalInTime: 2, notAFault: 5, guaranteeEnded: 6, faultWithinGuarantee: 7 };
  it('the rule indexes used below match the fixture', () => {
    const ids = base().rules.map((r) => r.id);
    expect(ids[R.withdrawalLate]).to.equal('withdrawal-late');
    expect(ids[R.withdrawalInTime]).to.equal('withdrawal-in-time');
    expect(ids[R.notAFault]).to.equal('not-a-fault');
    expect(ids[R.guaranteeEnded]).to.equal('guarantee-ended');
    expect(ids[R.faultWithinGuarantee]).to.equal('fault-within-guarantee');
  });

  type Breakage = [string, (p: ReturnType<typeof base>) => void, string];
  const unknownClause: Breakage = [
    'unknown clause reference',
    (p) => {
      (p.rules[R.withdrawalInTime]!.clauses as string[])[1] = 'eu-basic/withdrawal/no-such-clause';
    },
    `pack.rules[${R.withdrawalInTime}].clauses[1]`,
  ];
  const undefinedDate: Breakage = [
    'undefined date name in a rule',
    (p) => {
      p.rules[R.withdrawalLate]!.when = { todayAfter: 'withdrawalLastDy' };
    },
    `pack.rules[${R.withdrawalLate}].when.todayAfter`,
  ];
  const undefinedDeadline: Breakage = [
    'undefined date name in a deadline',
    (p) => {
      p.reasons['change-of-mind']!.deadlines.returnBy = 'noSuchDate';
    },
    'pack.reasons.change-of-mind.deadlines.returnBy',
  ];
  const duplicateId: Breakage = [
    'duplicate rule id',
    (p) => {
      p.rules[R.faultWithinGuarantee]!.id = 'guarantee-ended';
    },
    `pack.rules[${R.faultWithinGuarantee}].id`,
  ];
  const badFact: Breakage = [
    'bad fact path',
    (p) => {
      p.rules[R.notAFault]!.when = { fact: 'condition.colour', in: ['red'] };
    },
    `pack.rules[${R.notAFault}].when`,
  ];
  const badZone: Breakage = [
    'bad time zone',
    (p) => {
      p.timeZone = 'Europe/Berln';
    },
    'pack.timeZone',
  ];

  const all = [unknownClause, undefinedDate, undefinedDeadline, duplicateId, badFact, badZone];

  for (const [label, breakIt, path] of all) {
    it(`${label} alone: one problem, at ${path}`, () => {
      const pack = base();
      breakIt(pack);
      const result = validatePack(pack);
      expect(result.ok).to.equal(false);
      const problems = result.ok ? [] : result.problems;
      expect(problems, JSON.stringify(problems)).to.have.length(1);
      expect(problems[0]!.path.startsWith(path), JSON.stringify(problems)).to.equal(true);
      expect(problems[0]!.message.length).to.be.above(0);
    });
  }

  it('a bad fact path is named in the problem, so the merchant can find it', () => {
    const pack = base();
    badFact[1](pack);
    const result = validatePack(pack);
    const problems = result.ok ? [] : result.problems;
    expect(problems.map((p) => `${p.path}: ${p.message}`).join('\n')).to.include('condition.colour');
  });

  it('a bad fact path nested inside `all` is reported at its own path or named in the message', () => {
    const pack = base();
    pack.rules[R.notAFault]!.when = {
      all: [
        { fact: 'product.category', in: ['software'] },
        { fact: 'condition.colour', is: true },
      ],
    };
    const result = validatePack(pack);
    expect(result.ok).to.equal(false);
    const problems = result.ok ? [] : result.problems;
    const found = problems.some((p) => p.path === `pack.rules[${R.notAFault}].when.all[1].fact` || p.message.includes('condition.colour'));
    expect(found, JSON.stringify(problems)).to.equal(true);
  });

  it('the reference problems (clause, dates, duplicate id) are all reported in one run', () => {
    const pack = base();
    for (const b of [unknownClause, undefinedDate, undefinedDeadline, duplicateId]) b[1](pack);
    const result = validatePack(pack);
    const paths = result.ok ? [] : result.problems.map((p) => p.path);
    expect(paths).to.include.members([unknownClause[2], undefinedDate[2], undefinedDeadline[2], duplicateId[2]]);
  });

  it('the shape problems (bad fact path, bad time zone) are both reported in one run', () => {
    const pack = base();
    for (const b of [badFact, badZone]) b[1](pack);
    const result = validatePack(pack);
    const paths = result.ok ? [] : result.problems.map((p) => p.path);
    // The bad fact may be named at the rule's test or deeper, at the test's `fact`.
    for (const expected of [badFact[2], badZone[2]])
      expect(
        paths.some((p) => p.startsWith(expected)),
        `${expected} in ${paths.join(', ')}`,
      ).to.equal(true);
  });

  it('every problem of the broken copy is reported in one run, each with its path (CONTRACT §1: "each problem and its path")', () => {
    const pack = base();
    for (const b of all) b[1](pack);
    const result = validatePack(pack);
    expect(result.ok).to.equal(false);
    const paths = result.ok ? [] : result.problems.map((p) => p.path);
    for (const [label, , path] of all) {
      expect(
        paths.some((p) => p.startsWith(path)),
        `${label} at ${path}; got ${JSON.stringify(paths)}`,
      ).to.equal(true);
    }
  });
});
