/**
 * The held-out evaluation of the understanding layer (`npm run nlu:eval`, and test/nlu/eval.test.ts).
 *
 * test/nlu/heldout/<lang>.jsonl is never used for training: real-customer style messages (typos,
 * rambling, third-party phrasings, Spanish) with what a good agent would read from them. Each is
 * read twice in the same run: by `understand` (trained models + shape extractors) and by the rule
 * readers alone (`understandWith(…, { model: false })`, today's reading before the models).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIDENT, type Command } from '../../machines/commands.js';
import type { Step } from '../../machines/types.js';
import { BOOLEAN_CONDITION_FIELDS, type BooleanConditionField } from '../../src/policy/case.js';
import { isAdverse, understandWith, type UnderstandView } from '../../src/nlu/understand.js';
import { ROOT } from '../../src/paths.js';

export const EVAL_LOCALES = { en: 'en-GB', es: 'es-US' } as const;
export type EvalLang = keyof typeof EVAL_LOCALES;
export const TODAY = '2026-03-20';

type Row =
  | { kind: 'reason'; step: Step; text: string; reason: string }
  | { kind: 'human'; step: Step; text: string; frustrated: boolean }
  | { kind: 'yesno'; step: Step; text: string; value: boolean }
  | { kind: 'opening'; step: null; text: string; slots: Record<string, string> }
  | { kind: 'negated'; step: Step; text: string }
  | { kind: 'intent'; step: Step | null; text: string; command: string };

/**
 * The held-out sets. `a` (<lang>.jsonl) holds the issue's own examples and `b` (<lang>.fresh.jsonl)
 * was written after the first training data: both were read while the training data grew (their
 * misses showed which kinds of phrasing it lacked), so they are development sets. `c`
 * (<lang>.c.jsonl) was written after the training data was frozen (commit 3e44122) and measured
 * once. `d` (<lang>.d.jsonl) was written after the second batch of training data was frozen (commit
 * 12561d2), in support-forum styles the training data does not use, and measured once: the honest
 * figure then. `e` (<lang>.e.jsonl) was written after the n-gram reader joined the reason model,
 * before its results were seen, and measured once. `f` (<lang>.f.jsonl) was written on 2026-12-02 by
 * a separate author before the third batch of training data, from the label names only (not the
 * training examples), and measured once; its misses are never read. `g` (<lang>.g.jsonl) was written on
 * 2026-12-02 by a separate author after the third batch of training data, and measured once; its
 * misses are never read. `h` (<lang>.h.jsonl) was written on 2026-12-03 by a separate author who
 * read neither the training data nor the other sets, from the label names and the question each
 * step asks (30 requests for a person and 12 all-in-one openings per language), and measured once
 * after that day's training data; its misses are never read. `j` (<lang>.j.jsonl) is a development
 * set written on 2026-12-04 by a separate author: 120 answers to yes/no questions and 70 requests for
 * a person per language, read while the phrase lists grew. `i` (<lang>.i.jsonl) was written on
 * 2026-12-04 by another separate author who read nothing in the repository (70 yes/no answers, 45
 * requests for a person, 40 reasons, 10 openings, 15 negated answers and 15 other intents per
 * language), kept unread while that day's work was done, and measured once at its end: the honest
 * figure now. No training example may copy any of them
 * (eval.test.ts).
 */
export const SETS = { a: '', b: '.fresh', c: '.c', d: '.d', e: '.e', f: '.f', g: '.g', h: '.h', i: '.i', j: '.j' } as const;
export type EvalSet = keyof typeof SETS;

export function heldout(lang: EvalLang, set: EvalSet = 'a'): Row[] {
  return readFileSync(join(ROOT, 'test', 'nlu', 'heldout', `${lang}${SETS[set]}.jsonl`), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Row);
}

/** Correct / total for one measure. */
export interface Ratio {
  ok: number;
  total: number;
}
export const pct = (r: Ratio) => (r.total ? (100 * r.ok) / r.total : 100);

export interface Result {
  reason: Ratio;
  human: Ratio;
  frustratedFlag: Ratio;
  yesNo: Ratio;
  openingSlots: Ratio;
  perSlot: Record<string, Ratio>;
  intents: Ratio;
  perIntent: Record<string, Ratio>;
  /** Rejecting or referring facts taken at CONFIDENT from negated, hedged or indirect answers. */
  wrongfulRejects: number;
  negatedTotal: number;
  /** Reason confusion: expected → read → count ('none', 'clarify' when not a reason). */
  confusion: Record<string, Record<string, number>>;
  failures: string[];
}

const ADVERSE_VALUE: Record<BooleanConditionField, boolean> = {
  packagingOpened: true,
  sealBroken: true,
  activationStripDamaged: true,
  used: true,
  allAccessories: false,
  originalPackaging: false,
  serialLabelIntact: false,
  upcPresent: false,
  physicalDamage: true,
  tampered: true,
  rebateClaimed: true,
  softwareClaimed: true,
  originalOsIntact: false,
};
const isBool = (s: Step | null): s is BooleanConditionField => s !== null && (BOOLEAN_CONDITION_FIELDS as readonly string[]).includes(s);

function slotValue(cs: Command[], slot: string): unknown {
  const c = cs.find((x) => (x.type === 'SetSlot' || x.type === 'CorrectSlot') && x.slot === slot);
  return c && 'value' in c ? c.value : undefined;
}

const add = (r: Ratio, ok: boolean) => {
  r.total++;
  if (ok) r.ok++;
};

/** Evaluates one language with the model or the rules alone. */
export function evaluate(lang: EvalLang, model: boolean, set: EvalSet = 'a'): Result {
  const view = (step: Step | null): UnderstandView => ({
    locale: EVAL_LOCALES[lang],
    step,
    today: TODAY,
    dateOrder: lang === 'en' ? 'DMY' : 'MDY',
    items: [],
    remedies: [],
    filled: [],
  });
  const r: Result = {
    reason: { ok: 0, total: 0 },
    human: { ok: 0, total: 0 },
    frustratedFlag: { ok: 0, total: 0 },
    yesNo: { ok: 0, total: 0 },
    openingSlots: { ok: 0, total: 0 },
    perSlot: {},
    intents: { ok: 0, total: 0 },
    perIntent: {},
    wrongfulRejects: 0,
    negatedTotal: 0,
    confusion: {},
    failures: [],
  };
  for (const row of heldout(lang, set)) {
    const cs = understandWith(row.text, view(row.step), { model });
    const fail = (what: string) => r.failures.push(`${what}: ${JSON.stringify(row.text)} → ${JSON.stringify(cs)}`);
    switch (row.kind) {
      case 'reason': {
        const got = cs.some((c) => c.type === 'Clarify') ? 'clarify' : ((slotValue(cs, 'reason') as string | undefined) ?? 'none');
        const line = (r.confusion[row.reason] ??= {});
        line[got] = (line[got] ?? 0) + 1;
        add(r.reason, got === row.reason);
        if (got !== row.reason) fail(`reason ${row.reason}`);
        break;
      }
      case 'human': {
        const h = cs.find((c) => c.type === 'HumanHandoff');
        add(r.human, Boolean(h));
        if (!h) fail('human');
        if (h && row.frustrated) add(r.frustratedFlag, h.type === 'HumanHandoff' && h.frustrated === true);
        break;
      }
      case 'yesno': {
        const yn = cs.find((c) => c.type === 'Affirm' || c.type === 'Deny');
        const set = isBool(row.step) ? slotValue(cs, row.step) : undefined;
        const ok = (yn ? (yn.type === 'Affirm') === row.value && !yn.hedged : false) || set === row.value;
        add(r.yesNo, ok);
        if (!ok) fail(`yes/no ${row.value}`);
        break;
      }
      case 'opening': {
        for (const [slot, want] of Object.entries(row.slots)) {
          const got = slotValue(cs, slot);
          const ok = slot === 'proof' ? Array.isArray(got) && got.some((p: { value: string }) => p.value === want) : got === want;
          add(r.openingSlots, ok);
          add((r.perSlot[slot] ??= { ok: 0, total: 0 }), ok);
          if (!ok) fail(`opening ${slot}=${want}`);
        }
        break;
      }
      case 'negated': {
        r.negatedTotal++;
        let wrong = false;
        for (const c of cs) {
          if ((c.type === 'SetSlot' || c.type === 'CorrectSlot') && isAdverse(c) && c.confidence >= CONFIDENT && !c.hedged) wrong = true;
          if ((c.type === 'Affirm' || c.type === 'Deny') && isBool(row.step) && ADVERSE_VALUE[row.step] === (c.type === 'Affirm') && c.confidence >= CONFIDENT && !c.hedged) wrong = true;
        }
        if (wrong) {
          r.wrongfulRejects++;
          fail('wrongful reject');
        }
        break;
      }
      case 'intent': {
        const [type, topic] = row.command.split(':');
        const ok = cs.some((c) => c.type === type && (!topic || (c.type === 'Ask' && c.topic === topic)));
        add(r.intents, ok);
        add((r.perIntent[row.command] ??= { ok: 0, total: 0 }), ok);
        if (!ok) fail(`intent ${row.command}`);
        break;
      }
    }
  }
  return r;
}

/** The targets of issue 10, per locale. */
export const TARGETS = { reason: 95, human: 98, yesNo: 97, openingSlots: 95, wrongfulRejects: 0 };

const f = (r: Ratio) => `${pct(r).toFixed(1)} % (${r.ok}/${r.total})`;

/** The evaluation table (Markdown): model and rules side by side, per locale. */
export function table(results: Record<EvalLang, { model: Result; rules: Result }>): string {
  const langs = Object.keys(results) as EvalLang[];
  const head = `| measure | ${langs.map((l) => `${EVAL_LOCALES[l]} model | ${EVAL_LOCALES[l]} rules (before)`).join(' | ')} | target |`;
  const sep = `|---|${langs.map(() => '---|---').join('|')}|---|`;
  const line = (name: string, get: (x: Result) => string, target: string) => `| ${name} | ${langs.map((l) => `${get(results[l].model)} | ${get(results[l].rules)}`).join(' | ')} | ${target} |`;
  const rows = [
    head,
    sep,
    line('reason', (x) => f(x.reason), `≥ ${TARGETS.reason} %`),
    line('asking for a person', (x) => f(x.human), `≥ ${TARGETS.human} %`),
    line('… marked frustrated when angry', (x) => f(x.frustratedFlag), ''),
    line('yes/no', (x) => f(x.yesNo), `≥ ${TARGETS.yesNo} %`),
    line('slots in all-in-one openings', (x) => f(x.openingSlots), `≥ ${TARGETS.openingSlots} %`),
  ];
  const slots = [...new Set(langs.flatMap((l) => Object.keys(results[l].model.perSlot)))];
  for (const s of slots) rows.push(line(`… ${s}`, (x) => (x.perSlot[s] ? f(x.perSlot[s]) : '–'), ''));
  rows.push(line('other intents (Ask, Goodbye, Cancel, …)', (x) => f(x.intents), ''));
  const intents = [...new Set(langs.flatMap((l) => Object.keys(results[l].model.perIntent)))].sort();
  for (const i of intents) rows.push(line(`… ${i}`, (x) => (x.perIntent[i] ? f(x.perIntent[i]) : '–'), ''));
  rows.push(line('rejecting facts from negated/hedged answers', (x) => `${x.wrongfulRejects} of ${x.negatedTotal}`, '0'));
  return rows.join('\n');
}

/** The reason confusion matrix of one result (rows: expected; columns: read). */
export function confusionTable(r: Result): string {
  const cols = ['faulty', 'transit-damage', 'misdescribed', 'change-of-mind', 'clarify', 'none'];
  const rows = [`| expected ↓ read → | ${cols.join(' | ')} |`, `|---|${cols.map(() => '---').join('|')}|`];
  for (const [want, got] of Object.entries(r.confusion)) rows.push(`| ${want} | ${cols.map((c) => got[c] ?? 0).join(' | ')} |`);
  return rows.join('\n');
}

const contentWords = (t: string) =>
  new Set(
    t
      .toLowerCase()
      .normalize('NFD')
      .replace(/\p{M}/gu, '')
      .replace(/[^a-z0-9 ]+/g, ' ')
      .split(/\s+/)
      .filter((w) => w.length > 2),
  );
const folded = (t: string) => [...contentWords(t)].sort().join(' ');

/** Similarity at or above which a training example counts as a copy of a held-out one. */
export const NEAR_COPY = 0.6;

/**
 * Training examples that copy a held-out message of three words or more: the same words, or a
 * word overlap (Jaccard over words of three letters or more) of NEAR_COPY or more. The held-out sets must stay
 * unseen: test/nlu/eval.test.ts fails on any.
 */
export function nearCopies(lang: EvalLang, training: readonly string[]): string[] {
  const held = (Object.keys(SETS) as EvalSet[]).flatMap((s) => heldout(lang, s).map((r) => r.text));
  const heldWords = held.map((h) => ({ h, w: contentWords(h), f: folded(h) }));
  const out: string[] = [];
  for (const t of training) {
    const w = contentWords(t);
    const f = folded(t);
    for (const x of heldWords) {
      let inter = 0;
      for (const a of w) if (x.w.has(a)) inter++;
      const union = w.size + x.w.size - inter;
      // Short closed-class answers ("yes", "cancel", "thanks, bye") are the same in any sample.
      if (x.w.size < 3) continue;
      const same = f === x.f;
      if (same || (w.size >= 2 && union > 0 && inter / union >= NEAR_COPY)) out.push(`${JSON.stringify(t)} ~ ${JSON.stringify(x.h)}`);
    }
  }
  return out;
}
