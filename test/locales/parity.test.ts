/**
 * Locale parity: every locale file has exactly en-GB's keys with the same placeholders; every key the
 * conversation can emit exists in every locale; the renderer formats dates, money and lists per
 * locale; locale negotiation.
 *
 * The emitted key set is built from the code, not by hand: the message keys written in
 * `machines/*.ts` (read with the TypeScript parser: the first argument of `part(...)` and the value
 * of every `key:` property, both branches of a `?:`), template keys such as `ask.${field}` expanded
 * over the constants they range over, and the shipped policy packs (reason codes, conditions,
 * statutory notes) plus the engine's own codes.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import ts from 'typescript';
import { formatDate, formatMoney, hasMessage, messagesOf, negotiateLocale, renderParts, supportedLocales, t, type Messages } from '../../src/i18n/index.js';
import { LOCALES_DIR, ROOT } from '../../src/paths.js';
import { BOOLEAN_CONDITION_FIELDS, CATEGORIES, CONDITION_FIELDS, FAULT_CAUSES, REASONS } from '../../src/policy/case.js';
import { ENGINE_CODES, OUTCOMES, UK_STATUTORY_NOTE } from '../../src/policy/decision.js';
import { DEDUCTION_KINDS, REFUND_FROM, REMEDIES } from '../../src/policy/pack.js';
import { builtInPackIds, loadPack } from '../../src/policy/packs.js';

const REFERENCE = 'en-GB';

// ---------------------------------------------------------------------------------------------
// Locale files

interface LocaleFileData {
  $name?: string;
  $fallback?: string;
  messages: Messages;
}

/** The locale files in `locales/` (not `locales/nlu/`), by locale. */
const LOCALE_FILES = new Map<string, LocaleFileData>(
  readdirSync(LOCALES_DIR, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.json'))
    .map((e) => [basename(e.name, '.json'), JSON.parse(readFileSync(join(LOCALES_DIR, e.name), 'utf8')) as LocaleFileData]),
);
const LOCALES = [...LOCALE_FILES.keys()].sort();

const PLACEHOLDER = /\{(\w+)\}/g;
function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))].sort();
}

const reference = messagesOf(REFERENCE);

// ---------------------------------------------------------------------------------------------
// Keys the code emits, read from the source

type KeyExpr = { kind: 'literal'; text: string } | { kind: 'template'; pattern: string; source: string } | { kind: 'other'; source: string };

/** One place a message key is written: the key, and the parameter names passed with it (null: not known statically). */
interface KeySite {
  file: string;
  line: number;
  key: KeyExpr;
  params: string[] | null;
}

function unwrap(node: ts.Expression): ts.Expression[] {
  if (ts.isParenthesizedExpression(node)) return unwrap(node.expression);
  if (ts.isConditionalExpression(node)) return [...unwrap(node.whenTrue), ...unwrap(node.whenFalse)];
  return [node];
}

function keyExpr(node: ts.Expression, sf: ts.SourceFile): KeyExpr {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return { kind: 'literal', text: node.text };
  if (ts.isTemplateExpression(node)) {
    // `ask.${field}` → pattern "ask.*": the variable's name does not matter, only where it sits.
    const pattern = node.head.text + node.templateSpans.map((s) => `*${s.literal.text}`).join('');
    return { kind: 'template', pattern, source: node.getText(sf) };
  }
  return { kind: 'other', source: node.getText(sf) };
}

/** Parameter names of an object literal without spreads; null when it is anything else. */
function paramNames(node: ts.Expression | undefined, sf: ts.SourceFile): string[] | null {
  if (node === undefined) return [];
  if (!ts.isObjectLiteralExpression(node)) return null;
  const names: string[] = [];
  for (const p of node.properties) {
    if ((ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) && !ts.isComputedPropertyName(p.name)) names.push(p.name.getText(sf));
    else return null;
  }
  return names;
}

/**
 * Message keys written in a source file: `part(KEY, PARAMS)`, `{ key: KEY, params: PARAMS }` and,
 * when `withT`, `t(locale, KEY, PARAMS)`.
 */
function keySites(file: string, withT = false): KeySite[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const sites: KeySite[] = [];
  const add = (keyNode: ts.Expression, params: string[] | null) => {
    for (const k of unwrap(keyNode)) {
      sites.push({ file: file.slice(ROOT.length + 1), line: sf.getLineAndCharacterOfPosition(k.getStart(sf)).line + 1, key: keyExpr(k, sf), params });
    }
  };
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
      const name = node.expression.text;
      if (name === 'part' && node.arguments[0]) add(node.arguments[0], paramNames(node.arguments[1], sf));
      if (withT && name === 't' && node.arguments[1]) {
        const [keyNode] = unwrap(node.arguments[1]);
        // t(locale, choice.label.key, …) passes a key through; only written keys count here.
        if (keyNode && keyExpr(keyNode, sf).kind !== 'other') add(node.arguments[1], paramNames(node.arguments[2], sf));
      }
    }
    if (ts.isObjectLiteralExpression(node)) {
      const keyProp = node.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText(node.getSourceFile()) === 'key');
      if (keyProp) {
        const paramsProp = node.properties.find((p) => p.name?.getText(sf) === 'params');
        const params = paramsProp === undefined ? [] : ts.isPropertyAssignment(paramsProp) ? paramNames(paramsProp.initializer, sf) : null;
        add(keyProp.initializer, params);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return sites;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .map((f) => join(ROOT, dir, f));
}

// The shipped packs: reason codes (with the parameters each rule passes), conditions, statutory notes.
const packs = builtInPackIds().map((id) => loadPack(id));

/** Parameter names a reason code is given, once per place that produces it. */
const reasonEmitters = new Map<string, string[][]>();
const emitsReason = (code: string, params: string[]) => reasonEmitters.set(code, [...(reasonEmitters.get(code) ?? []), params]);
for (const compiled of packs) {
  // byReason holds the rules after legal safety: a GB time-limit refusal carries the engine's code.
  for (const rules of Object.values(compiled.byReason)) for (const r of rules) emitsReason(r.code, Object.keys(r.rule.params ?? {}));
  for (const r of compiled.pack.rules) emitsReason(r.code, Object.keys(r.params ?? {}));
}

/**
 * The reason entries the engine writes itself (`{ code: ENGINE_CODES.x, params: { … } }` and the
 * pack's fallback code), read from src/policy/engine.ts.
 */
const engineReasonSites = (() => {
  const file = join(ROOT, 'src/policy/engine.ts');
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: { code: string; params: string[] }[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isObjectLiteralExpression(node)) {
      const prop = (name: string) => node.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText(sf) === name);
      const code = prop('code');
      const params = prop('params');
      const names = params ? paramNames(params.initializer, sf) : null;
      if (code && names) found.push({ code: code.initializer.getText(sf), params: names });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
})();
for (const site of engineReasonSites) {
  const m = /^ENGINE_CODES\.(\w+)$/.exec(site.code);
  if (m) emitsReason(ENGINE_CODES[m[1] as keyof typeof ENGINE_CODES], site.params);
  else if (/\.fallback\.code$/.test(site.code)) for (const p of packs) emitsReason(p.pack.fallback.code, site.params);
}

const packCodes = [...new Set(packs.flatMap((p) => [...p.pack.rules.map((r) => r.code), p.pack.fallback.code]))];
const reasonCodes = [...new Set([...packCodes, ...Object.values(ENGINE_CODES)])].sort();
const conditionIds = [...new Set(packs.flatMap((p) => p.pack.rules.flatMap((r) => (r.effect === 'require' ? r.conditions : []))))].sort();
const statutoryNotes = [...new Set([...packs.flatMap((p) => p.pack.rules.flatMap((r) => ('statutoryNote' in r && r.statutoryNote ? [r.statutoryNote] : []))), UK_STATUTORY_NOTE])].sort();

/** What each template key's holes range over (the hole's name in the code does not matter). */
const TEMPLATE_DOMAINS: Record<string, readonly (readonly string[])[]> = {
  'ask.*': [CONDITION_FIELDS],
  'fact.*': [CONDITION_FIELDS],
  'choice.reason.*': [REASONS],
  'greeting.ack.*': [REASONS],
  'reasonName.*': [REASONS],
  // offerAfterRejection offers a route only for 'faulty' and 'misdescribed'.
  'choice.route.*': [['faulty', 'misdescribed']],
  'faultCause.*': [FAULT_CAUSES],
  'faultCauseName.*': [FAULT_CAUSES],
  'category.*': [CATEGORIES],
  'remedy.*': [REMEDIES],
  'choice.remedy.*': [REMEDIES],
  'decision.*': [OUTCOMES],
  // A deduction's certainty: `Deduction['certainty']` in src/policy/decision.ts.
  'deduction.*.*': [DEDUCTION_KINDS, ['may', 'will']],
  'reason.*': [reasonCodes],
  'condition.*': [conditionIds],
  'statutory.*': [statutoryNotes],
  // The check before a fact rejects or refers (machines/returns.machine.ts): yes/no fields and the fault cause.
  'check.*': [[...BOOLEAN_CONDITION_FIELDS, 'faultCause']],
  'answer.from.*': [REFUND_FROM],
};

function expand(pattern: string): string[] {
  const domains = TEMPLATE_DOMAINS[pattern] ?? [];
  const pieces = pattern.split('*');
  let keys = [pieces[0]!];
  domains.forEach((domain, i) => {
    keys = keys.flatMap((k) => domain.map((v) => `${k}${v}${pieces[i + 1]!}`));
  });
  return keys;
}

/** Every key a set of sites can emit, with the parameter names of each site (null: not known). */
function emittedKeys(sites: KeySite[]): Map<string, (string[] | null)[]> {
  const keys = new Map<string, (string[] | null)[]>();
  for (const s of sites) {
    const list = s.key.kind === 'literal' ? [s.key.text] : s.key.kind === 'template' ? expand(s.key.pattern) : [];
    for (const k of list) keys.set(k, [...(keys.get(k) ?? []), s.params]);
  }
  return keys;
}

const machineSites = sourceFiles('machines').flatMap((f) => keySites(f));
const dialogSites = sourceFiles('dialogs').flatMap((f) => keySites(f, true));
const machineKeys = emittedKeys(machineSites);
// The decision parts name reason codes, conditions and statutory notes through templates; list them
// explicitly too, so the set does not depend on how explain.ts happens to spell them.
for (const k of [...reasonCodes.map((c) => `reason.${c}`), ...conditionIds.map((c) => `condition.${c}`), ...statutoryNotes.map((n) => `statutory.${n}`)]) {
  if (!machineKeys.has(k)) machineKeys.set(k, [null]);
}

function missingIn(locale: string, keys: Iterable<string>): string[] {
  const messages = messagesOf(locale);
  return [...keys].filter((k) => messages[k] === undefined).sort();
}

// ---------------------------------------------------------------------------------------------

describe('locales', () => {
  it('the locale files are en-GB, en-US and es-US (and the renderer sees the same set)', () => {
    expect(LOCALES).to.include.members(['en-GB', 'en-US', 'es-US']);
    expect(supportedLocales()).to.deep.equal(LOCALES);
  });

  describe('parity with en-GB', () => {
    for (const locale of LOCALES) {
      describe(locale, () => {
        const file = LOCALE_FILES.get(locale)!;

        it('has a name, and a fallback (if any) is an existing locale of the same language', () => {
          expect(file.$name, '$name').to.be.a('string').and.not.equal('');
          expect(file.messages, 'messages').to.be.an('object');
          if (file.$fallback !== undefined) {
            expect(LOCALES, '$fallback').to.include(file.$fallback);
            expect(file.$fallback.split('-')[0], 'a fallback in another language would show that language').to.equal(locale.split('-')[0]);
          }
        });

        it('resolves to exactly the keys of en-GB', () => {
          const messages = messagesOf(locale);
          const missing = Object.keys(reference).filter((k) => !(k in messages));
          const extra = Object.keys(messages).filter((k) => !(k in reference));
          expect(missing, `keys missing in ${locale}`).to.deep.equal([]);
          expect(extra, `keys in ${locale} that en-GB lacks`).to.deep.equal([]);
        });

        it('has the same {placeholders} as en-GB in every message', () => {
          const messages = messagesOf(locale);
          const differ = Object.keys(reference)
            .filter((k) => messages[k] !== undefined && placeholders(messages[k]!).join() !== placeholders(reference[k]!).join())
            .map((k) => `${k}: ${JSON.stringify(placeholders(messages[k]!))} vs en-GB ${JSON.stringify(placeholders(reference[k]!))}`);
          expect(differ).to.deep.equal([]);
        });

        it('has only non-empty strings', () => {
          const bad = Object.entries(file.messages)
            .filter(([, v]) => typeof v !== 'string' || v.trim() === '')
            .map(([k]) => k);
          expect(bad).to.deep.equal([]);
        });
      });
    }

    it('es-US is complete on its own (no fallback to English) and translated', () => {
      const es = LOCALE_FILES.get('es-US')!;
      expect(es.$fallback).to.equal(undefined);
      expect(Object.keys(es.messages).sort()).to.deep.equal(Object.keys(reference).sort());
      // A message left in English: the same text as en-GB with a word of three letters or more.
      const untranslated = Object.keys(reference).filter((k) => es.messages[k] === reference[k] && /[A-Za-z]{3,}/.test(reference[k]!.replace(PLACEHOLDER, '')));
      expect(untranslated).to.deep.equal([]);
    });
  });

  describe('keys the conversation emits', () => {
    it('reads the message keys from machines/*.ts (every key expression is understood)', () => {
      const other = machineSites.filter((s) => s.key.kind === 'other').map((s) => `${s.file}:${s.line} ${s.key.kind === 'other' ? s.key.source : ''}`);
      expect(other, 'key expressions that are neither a string nor a template').to.deep.equal([]);
      const unknownTemplates = machineSites
        .filter((s) => s.key.kind === 'template' && !(s.key.pattern in TEMPLATE_DOMAINS))
        .map((s) => `${s.file}:${s.line} ${s.key.kind === 'template' ? s.key.source : ''}`);
      expect(unknownTemplates, 'template keys without a domain in TEMPLATE_DOMAINS').to.deep.equal([]);
      const patterns = new Set(machineSites.flatMap((s) => (s.key.kind === 'template' ? [s.key.pattern] : [])));
      expect(
        Object.keys(TEMPLATE_DOMAINS).filter((p) => !patterns.has(p)),
        'TEMPLATE_DOMAINS entries the code no longer uses',
      ).to.deep.equal([]);
      // A sanity floor: the scan found the static keys (greeting, help, …) and the decision's parts.
      for (const k of ['greeting', 'help', 'ask.orderNumber', 'rma.issued', 'handoff.queued.position', 'decision.remedies.retailer', 'sorry.stillNotUnderstood']) {
        expect(machineKeys.has(k), k).to.equal(true);
      }
    });

    it('reads reason codes, conditions and statutory notes from every shipped pack and the engine', () => {
      expect(packs.map((p) => p.pack.id)).to.include.members(['uk-online', 'impress-us']);
      expect(reasonCodes).to.include.members(Object.values(ENGINE_CODES));
      expect(statutoryNotes).to.include(UK_STATUTORY_NOTE);
      expect(conditionIds).to.include.members(['original-packaging', 'inspection']);
      const found = engineReasonSites.map((s) => s.code);
      expect(found, 'reason entries the engine writes with literal params').to.include.members(['ENGINE_CODES.moreFactsNeeded', 'ENGINE_CODES.factsUnavailable']);
      expect(
        found.some((c) => /\.fallback\.code$/.test(c)),
        'the fallback reason entry',
      ).to.equal(true);
    });

    for (const locale of LOCALES) {
      it(`every key the machine and explain code can emit exists in ${locale}`, () => {
        expect(missingIn(locale, machineKeys.keys())).to.deep.equal([]);
      });
    }

    for (const locale of LOCALES) {
      it(`every key the turn layer (dialogs/) writes exists in ${locale}`, () => {
        const keys = emittedKeys(dialogSites);
        expect(keys.size, 'keys found in dialogs/').to.be.greaterThan(0);
        expect(missingIn(locale, keys.keys())).to.deep.equal([]);
      });
    }

    it('a reason code message uses only the parameters its rules pass (or item)', () => {
      const problems: string[] = [];
      for (const code of reasonCodes) {
        const emitters = reasonEmitters.get(code) ?? [];
        // Every producer of the code must pass the parameter; the explanation always adds `item`.
        const allowed = new Set(['item', ...(emitters.length ? emitters.reduce((a, b) => a.filter((x) => b.includes(x))) : [])]);
        for (const locale of LOCALES) {
          const text = messagesOf(locale)[`reason.${code}`];
          if (text === undefined) continue;
          const extra = placeholders(text).filter((p) => !allowed.has(p));
          if (extra.length) problems.push(`${locale} reason.${code}: {${extra.join('}, {')}} not passed (passes ${[...allowed].join(', ')})`);
        }
      }
      expect(problems).to.deep.equal([]);
    });

    it('a message the code writes with literal parameters uses only those parameters', () => {
      const problems: string[] = [];
      for (const [key, paramSets] of [...machineKeys, ...emittedKeys(dialogSites)]) {
        const known = paramSets.filter((p): p is string[] => p !== null);
        if (known.length === 0 || known.length < paramSets.length) continue;
        const allowed = known.reduce((a, b) => a.filter((x) => b.includes(x)));
        for (const locale of LOCALES) {
          const text = messagesOf(locale)[key];
          if (text === undefined) continue;
          const extra = placeholders(text).filter((p) => !allowed.includes(p));
          if (extra.length) problems.push(`${locale} ${key}: {${extra.join('}, {')}} not passed (passes ${allowed.join(', ') || 'nothing'})`);
        }
      }
      expect(problems).to.deep.equal([]);
    });
  });

  describe('rendering', () => {
    it('writes dates for the locale', () => {
      expect(formatDate('en-GB', '2027-01-05')).to.include('5 January 2027');
      expect(formatDate('en-US', '2027-01-05')).to.include('January 5, 2027');
      expect(formatDate('es-US', '2027-01-05')).to.include('enero').and.include('5 de enero de 2027');
      // "el martes 5 de enero", never "el martes, 5 de enero".
      expect(formatDate('es-US', '2027-01-05')).to.equal('martes 5 de enero de 2027');
      expect(t('es-US', 'corrected.deliveredOn', { date: { date: '2027-01-14' } })).to.include('el jueves 14 de enero de 2027');
      expect(formatDate('en-GB', 'not-a-date')).to.equal('not-a-date');
      expect(t('en-GB', 'rma.next.returnBy', { date: { date: '2027-01-05' } })).to.include('by Tuesday, 5 January 2027.');
      expect(t('en-US', 'rma.next.returnBy', { date: { date: '2027-01-05' } })).to.include('January 5, 2027');
      expect(t('es-US', 'rma.next.returnBy', { date: { date: '2027-01-05' } })).to.include('5 de enero de 2027');
    });

    it('writes money for the locale', () => {
      expect(formatMoney('en-GB', 59.99, 'GBP')).to.equal('£59.99');
      expect(formatMoney('en-US', 1100, 'USD')).to.equal('$1,100.00');
      expect(formatMoney('es-US', 1100, 'USD')).to.include('1,100.00');
      const delivery = { charge: { money: 9.99, currency: 'GBP' }, cheapestCharge: { money: 3.5, currency: 'GBP' } };
      expect(t('en-GB', 'deduction.delivery-upgrade.will', delivery)).to.equal('You paid £9.99 for delivery; we refund delivery up to the cheapest option, £3.50.');
    });

    it('joins lists with "or" / "and" (and "o" / "y" in Spanish), or as lines', () => {
      const remedies = [{ key: 'remedy.refund' }, { key: 'remedy.repair' }, { key: 'remedy.replacement' }];
      expect(t('en-GB', 'ask.remedy', { remedies: { list: remedies, style: 'or' } })).to.equal('Would you like a refund, a repair or a replacement?');
      expect(t('en-US', 'ask.remedy', { remedies: { list: remedies, style: 'or' } })).to.equal('Would you like a refund, a repair, or a replacement?');
      expect(t('es-US', 'ask.remedy', { remedies: { list: remedies, style: 'or' } })).to.equal('¿Desea un reembolso, una reparación o un reemplazo?');
      expect(t('en-GB', 'decision.remedies.customer', { remedies: { list: remedies.slice(0, 2) } })).to.equal('You can choose a refund and a repair.');
      expect(t('es-US', 'decision.remedies.customer', { remedies: { list: remedies.slice(0, 2), style: 'and' } })).to.equal('Puede elegir un reembolso y una reparación.');
      const items = {
        list: [
          { key: 'list.item', params: { name: 'Mouse' } },
          { key: 'list.item', params: { name: 'Keyboard' } },
        ],
        style: 'numbered',
      };
      expect(t('en-GB', 'ask.item', { items })).to.equal('Which item would you like to return?\n1. Mouse\n2. Keyboard');
      const lines = { list: [{ key: 'condition.as-new' }, { key: 'condition.inspection' }], style: 'lines' };
      expect(t('en-GB', 'rma.next.conditions', { conditions: lines })).to.equal('Please note:\n• it must be in "as new" condition\n• we\'ll inspect and test the item when it arrives');
    });

    it('renders nested {key} parameters in the same locale', () => {
      expect(t('en-GB', 'reason.FAULT_NOT_COVERED', { cause: { key: 'faultCauseName.accident' } })).to.equal("Our guarantee doesn't cover faults caused by accidental or deliberate damage.");
      expect(t('es-US', 'reason.FAULT_NOT_COVERED', { cause: { key: 'faultCauseName.accident' } })).to.equal('Nuestra garantía no cubre las fallas causadas por daños accidentales o intencionales.');
      expect(t('en-GB', 'corrected.reason', { reason: { key: 'reasonName.change-of-mind' } })).to.equal('OK — change of mind.');
      expect(t('en-US', 'decision.remedies.single', { remedy: { key: 'remedy.refund' } })).to.equal("You'll get a refund.");
      // A nested key with its own parameters.
      expect(t('en-GB', 'ask.item', { items: { key: 'list.item', params: { name: 'Cable' } } })).to.equal('Which item would you like to return?Cable');
      expect(renderParts('en-GB', [{ key: 'decision.approved', params: { item: 'Mouse' } }, { key: 'remedy.refund' }])).to.equal('Good news: you can return the Mouse.\n\na refund');
    });

    it('leaves a placeholder without a parameter visible', () => {
      expect(t('en-GB', 'ask.verify')).to.include('{orderNumber}');
      expect(t('es-US', 'ask.verify', { other: 'x' })).to.include('{orderNumber}');
      expect(t('en-GB', 'rma.issued', { rma: null })).to.equal('Your return is booked. Your RMA number is .');
    });

    it('returns the key itself for an unknown key', () => {
      expect(t('en-GB', 'no.such.key')).to.equal('no.such.key');
      expect(t('es-US', 'no.such.key', { a: 1 })).to.equal('no.such.key');
      expect(hasMessage('es-US', 'no.such.key')).to.equal(false);
      expect(hasMessage('es-US', 'greeting')).to.equal(true);
    });

    it('renders en-US with its own wording and en-GB for the rest', () => {
      expect(t('en-US', 'ask.verify', { orderNumber: 'IMP-1' })).to.include('ZIP code');
      expect(t('en-US', 'choice.yes')).to.equal(t('en-GB', 'choice.yes'));
    });
  });

  describe('negotiateLocale', () => {
    it('takes an exact match', () => {
      expect(negotiateLocale('es-US', 'en-GB')).to.equal('es-US');
      expect(negotiateLocale('en-US', 'en-GB')).to.equal('en-US');
      expect(negotiateLocale('en-GB', 'en-US')).to.equal('en-GB');
    });

    it('matches case-insensitively', () => {
      expect(negotiateLocale('ES-us', 'en-GB')).to.equal('es-US');
      expect(negotiateLocale('en-us', 'en-GB')).to.equal('en-US');
    });

    it('takes the same language: es-MX → es-US', () => {
      expect(negotiateLocale('es-MX', 'en-GB')).to.equal('es-US');
      expect(negotiateLocale('es', 'en-US')).to.equal('es-US');
    });

    it('prefers the fallback when it is the same language: en-AU → en-GB or en-US', () => {
      expect(negotiateLocale('en-AU', 'en-GB')).to.equal('en-GB');
      expect(negotiateLocale('en-AU', 'en-US')).to.equal('en-US');
    });

    it('takes the fallback for an unsupported language or no locale', () => {
      expect(negotiateLocale('fr-FR', 'en-GB')).to.equal('en-GB');
      expect(negotiateLocale('fr-FR', 'en-US')).to.equal('en-US');
      expect(negotiateLocale(undefined, 'en-US')).to.equal('en-US');
      expect(negotiateLocale(null, 'es-US')).to.equal('es-US');
      expect(negotiateLocale('', 'en-GB')).to.equal('en-GB');
      expect(negotiateLocale('fr-FR', 'de-DE'), 'an unsupported fallback').to.equal('en-GB');
    });
  });
});
