/**
 * `returnsbot policy check`: where a pack is stricter than consumer law, as findings with the statute.
 *
 * Pure: reads the pack's data only. The analysis follows docs/law-and-dates.md (§1–§3) for UK packs
 * (Consumer Contracts Regulations 2013, "CCR"; Consumer Rights Act 2015, "CRA") and notes the US
 * disclosure rules for restocking fees. A finding is a warning when the pack, applied as written,
 * would refuse or limit what the law gives; info when the point is uncertain or the engine already
 * protects the customer. Not legal advice: a lawyer signs off customer-facing wording.
 */
import type { ReturnReason } from './case.js';
import type { Pack, Rule, When } from './pack.js';

export interface Finding {
  severity: 'warning' | 'info';
  /** The statute or case relied on. */
  statute: string;
  /** Rule id and clause ids the finding is about. */
  rule: string | null;
  clauses: string[];
  message: string;
}

function leaves(w: When | undefined): When[] {
  if (!w) return [];
  if ('all' in w) return w.all.flatMap(leaves);
  if ('any' in w) return w.any.flatMap(leaves);
  if ('not' in w) return leaves(w.not);
  return [w];
}

function testsFact(rule: Rule, fact: string, value?: unknown): boolean {
  return leaves(rule.when).some((l) => {
    if (!('fact' in l) || l.fact !== fact) return false;
    if (value === undefined) return true;
    if ('is' in l) return l.is === value;
    if ('equals' in l) return l.equals === value;
    if ('in' in l) return l.in.includes(value as string);
    return false;
  });
}

function appliesTo(rule: Rule, reason: ReturnReason): boolean {
  return !rule.reasons || rule.reasons.includes(reason);
}

function dateNames(rule: Rule): string[] {
  return leaves(rule.when).flatMap((l) => ('todayAfter' in l ? [l.todayAfter] : 'todayOnOrBefore' in l ? [l.todayOnOrBefore] : []));
}

function onlyTime(w: When | undefined): boolean {
  const ls = leaves(w);
  return ls.length > 0 && ls.every((l) => 'todayAfter' in l || 'todayOnOrBefore' in l);
}

/** Check a UK (GB) pack against CCR 2013 and CRA 2015; US packs get the disclosure notes. */
export function legalCheck(pack: Pack): Finding[] {
  const findings: Finding[] = [];
  const add = (f: Omit<Finding, 'clauses'> & { clauses?: string[] }) => findings.push({ clauses: [], ...f });
  const rules = pack.rules;
  const clauseText = (id: string) => pack.clauses.find((c) => c.id === id)?.text ?? '';

  if (pack.jurisdiction === 'GB') {
    const cmRejects = rules.filter((r) => r.effect === 'reject' && appliesTo(r, 'change-of-mind'));

    for (const rule of cmRejects) {
      for (const name of dateNames(rule)) {
        const spec = pack.dates[name];
        if (spec && spec.from === 'deliveredOn' && (spec.days ?? 14) < 14 && spec.months === undefined) {
          add({
            severity: 'warning',
            statute: 'CCR 2013 reg 30(3)',
            rule: rule.id,
            clauses: rule.clauses,
            message: `the change-of-mind window ends ${spec.days} days after delivery; the law gives 14 days after the day of delivery`,
          });
        }
      }
      if (rule.clauses.some((c) => /from the day after/i.test(clauseText(c)))) {
        add({
          severity: 'warning',
          statute: 'CRA 2015 s.69(1)',
          rule: rule.id,
          clauses: rule.clauses,
          message:
            '"14 calendar days from the day after delivery" can be read as ending on day 15; an ambiguous term takes the meaning most favourable to the consumer. The engine counts delivery + 14 as the statute does (CCR reg 30(3)); reword the clause to match',
        });
      }
      if (testsFact(rule, 'product.category', 'memory-card') && testsFact(rule, 'condition.sealBroken')) {
        add({
          severity: 'warning',
          statute: 'CCR 2013 reg 28(3)(c)',
          rule: rule.id,
          clauses: rule.clauses,
          message: 'memory cards are not sealed audio, video or software: opening one does not remove the right to cancel (a card sold sealed with pre-loaded software may be an exception)',
        });
      }
      if (testsFact(rule, 'product.specialOrder', true)) {
        add({
          severity: 'warning',
          statute: 'CCR 2013 reg 28(1)(b)',
          rule: rule.id,
          clauses: rule.clauses,
          message: "only goods made to the consumer's specifications or clearly personalised are outside the right to cancel; a special order of a standard item is not",
        });
      }
      if (testsFact(rule, 'condition.activationStripDamaged', true)) {
        add({
          severity: 'info',
          statute: 'CCR 2013 reg 28(3)(c)',
          rule: rule.id,
          clauses: rule.clauses,
          message: "a damaged activation-key strip is not a listed exception; it counts only where the key card is the software's seal (uncertain) — consider review instead of refusal",
        });
      }
      if (testsFact(rule, 'product.category', 'headphones') && testsFact(rule, 'condition.sealBroken')) {
        add({
          severity: 'info',
          statute: 'CCR 2013 reg 28(3)(a); CJEU C-681/17 slewo',
          rule: rule.id,
          clauses: rule.clauses,
          message: 'the hygiene exception covers goods sold under a hygiene seal (in-ear earbuds); over-ear headphones in an ordinary box are probably not excluded',
        });
      }
      if (testsFact(rule, 'condition.used', true)) {
        add({
          severity: 'warning',
          statute: 'CCR 2013 reg 34(9)–(12)',
          rule: rule.id,
          clauses: rule.clauses,
          message: 'handling beyond what a shop allows gives the trader a deduction for the lost value, not a refusal; only the reg 28 exceptions remove the right to cancel',
        });
      }
    }

    if (pack.refund?.from === 'received') {
      add({
        severity: 'warning',
        statute: 'CCR 2013 reg 34(4)–(6)',
        rule: null,
        clauses: pack.clauses.filter((c) => /refund within \d+ days/i.test(c.text)).map((c) => c.id),
        message: `the refund must be paid within 14 days of the earlier of receiving the goods back or the customer's evidence of sending them; the pack counts ${pack.refund.withinDays} days from receipt only`,
      });
    }

    for (const rule of rules.filter((r) => r.effect === 'approve')) {
      if (appliesTo(rule, 'misdescribed') && rule.effect === 'approve' && !(rule.remedies.includes('refund') || rule.remedies.includes('repair'))) {
        add({
          severity: 'warning',
          statute: 'CRA 2015 s.11, s.23, s.24(5)',
          rule: rule.id,
          clauses: rule.clauses,
          message: `misdescribed goods after the short-term right to reject: the customer may choose repair or replacement, then a price reduction or refund if that fails or is impossible; "${rule.remedies.join(', ')}" only is stricter`,
        });
      }
      if (appliesTo(rule, 'faulty') && rule.effect === 'approve' && rule.chosenBy === 'retailer') {
        add({
          severity: 'warning',
          statute: 'CRA 2015 s.23(3)–(4)',
          rule: rule.id,
          clauses: rule.clauses,
          message: "the consumer chooses between repair and replacement unless the choice is impossible or disproportionate; a retailer's choice in every case is stricter",
        });
      }
      if (appliesTo(rule, 'faulty') && rule.effect === 'approve' && rule.remedies.includes('refund')) {
        for (const name of dateNames(rule)) {
          const spec = pack.dates[name];
          if (spec?.from === 'deliveredOn' && spec.days !== undefined && spec.days < 30) {
            add({
              severity: 'warning',
              statute: 'CRA 2015 s.22(3)',
              rule: rule.id,
              clauses: rule.clauses,
              message: `the short-term right to reject lasts 30 days after delivery; the pack allows ${spec.days}`,
            });
          }
        }
      }
    }

    for (const rule of rules) {
      const statutory = (['faulty', 'misdescribed', 'transit-damage'] as const).filter((r) => appliesTo(rule, r));
      if (rule.effect === 'reject' && statutory.length && onlyTime(rule.when)) {
        add({
          severity: 'warning',
          statute: 'CRA 2015 s.30(4)(b), s.31',
          rule: rule.id,
          clauses: rule.clauses,
          message: `refuses ${statutory.join('/')} claims on a time limit alone; statutory rights outlast a retailer's limits (6 years, 5 in Scotland). The engine refers these to a person with the note "uk-consumer-rights-beyond-guarantee" instead`,
        });
      }
      if (appliesTo(rule, 'transit-damage') && rule.reasons?.includes('transit-damage') && dateNames(rule).some((n) => pack.dates[n]?.workingDays !== undefined)) {
        const refuses = rule.effect === 'reject';
        if (refuses || rule.effect === 'refer') {
          add({
            severity: 'warning',
            statute: 'CRA 2015 s.29, s.22, s.31',
            rule: rule.id,
            clauses: rule.clauses,
            message: refuses
              ? "a late transit-damage report cannot be refused: goods are at the trader's risk until delivered, so it is a damaged-on-arrival claim (short-term right to reject to delivery + 30)"
              : 'a working-day limit for transit damage can only be a request for prompt notice, never a bar (a restrictive condition on statutory remedies): a late report is a damaged-on-arrival claim. The pack refers it to a person; the clause must not be worded as a deadline',
          });
        }
      }
    }
  }

  if (pack.jurisdiction === 'US') {
    for (const rule of rules.filter((r) => r.effect === 'deduct' && r.deduction.kind === 'restocking-fee')) {
      add({
        severity: 'info',
        statute: 'NY GBL §218-a(1)(e), (2)(a)(v); Cal. Civ. Code §1723',
        rule: rule.id,
        clauses: rule.clauses,
        message:
          "a restocking fee binds only when the policy, with the fee's dollar or percentage amount, is shown near the item or before billing details; otherwise a 30-day refund from purchase applies",
      });
    }
  }
  return findings;
}
