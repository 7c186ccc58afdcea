/**
 * Questions only when they apply (issues 11 and 12): a pack says, as data, which categories have an
 * activation key card or a serial label; the engine asks about one only where the product can have
 * it, and a fact the case does state still counts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { PACKS_DIR } from '../../src/paths.js';
import { CATEGORIES, caseSchema, type ConditionField } from '../../src/policy/case.js';
import { appliesTo, compilePack, decide, productHas, type CompiledPack } from '../../src/policy/engine.js';
import { loadPack, validatePack } from '../../src/policy/packs.js';
import { goodCase, type CasePatch, type Category, type PackId } from '../support/cases.js';
import { caseArb } from './arbitraries.js';

const run = (pack: PackId, patch: CasePatch, unknown: ConditionField[] = []) => decide(caseSchema.parse(goodCase(pack, patch, unknown)), loadPack(pack));

function packData(id: PackId): Record<string, unknown> & { features: Record<string, { categories: string[] }> } {
  return parseYaml(readFileSync(join(PACKS_DIR, `${id}.yaml`), 'utf8'));
}

function compiled(data: unknown): CompiledPack {
  const r = validatePack(data);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return compilePack(r.pack);
}

describe('features: the activation key card (uk-online change of mind)', () => {
  // "…the silver strip on the back of your Software Product Activation Key card…": games on disc have one.
  for (const category of ['media', 'software', 'notebook'] as Category[]) {
    it(`${category}: the strip unknown → incomplete, needs ["activationStripDamaged"]; damaged → rejected; intact → approved`, () => {
      const unknown = run('uk-online', { product: { category } }, ['activationStripDamaged']);
      expect(unknown.outcome).to.equal('incomplete');
      expect(unknown.needs).to.deep.equal(['activationStripDamaged']);
      const damaged = run('uk-online', { product: { category }, condition: { activationStripDamaged: true } });
      expect(damaged.outcome).to.equal('rejected');
      expect(damaged.reasons.map((r) => r.code)).to.include('ACTIVATION_STRIP_DAMAGED');
      expect(run('uk-online', { product: { category }, condition: { activationStripDamaged: false } }).outcome).to.equal('approved');
    });
  }
  for (const category of ['headphones', 'memory-card', 'peripheral'] as Category[]) {
    it(`${category}: no card, so the strip is never asked (approved with it unknown), and a stated damaged strip still rejects`, () => {
      const d = run('uk-online', { product: { category } }, ['activationStripDamaged']);
      expect(d.outcome).to.equal('approved');
      expect(d.needs).to.deep.equal([]);
      expect(run('uk-online', { product: { category }, condition: { activationStripDamaged: true } }).outcome).to.equal('rejected');
    });
  }
  it("media with everything unknown asks the seal, use and the strip, in the pack's question order", () => {
    const d = run('uk-online', { product: { category: 'media' } }, ['sealBroken', 'activationStripDamaged', 'used']);
    expect(d.needs).to.deep.equal(['sealBroken', 'used', 'activationStripDamaged']);
  });
});

describe('features: the serial number label', () => {
  for (const pack of ['uk-online', 'impress-us'] as PackId[]) {
    for (const category of ['headphones', 'memory-card', 'media'] as Category[]) {
      for (const reason of ['change-of-mind', 'faulty', 'misdescribed', 'transit-damage'] as const) {
        it(`${pack} ${reason}, ${category}: the serial label is never asked; stated removed, it still rejects`, () => {
          const d = run(pack, { reason, product: { category } }, ['serialLabelIntact']);
          expect(d.needs).not.to.include('serialLabelIntact');
          expect(d.outcome).not.to.equal('incomplete');
          expect(run(pack, { reason, product: { category }, condition: { serialLabelIntact: false } }).outcome).to.equal('rejected');
        });
      }
    }
    for (const category of ['notebook', 'peripheral', 'component'] as Category[]) {
      it(`${pack}, ${category}: the serial label is asked when unknown`, () => {
        const d = run(pack, { reason: 'misdescribed', product: { category } }, ['serialLabelIntact']);
        expect(d.outcome).to.equal('incomplete');
        expect(d.needs).to.include('serialLabelIntact');
      });
    }
  }
  it('impress-us: a memory card is not told to keep a serial label it does not have; a notebook is', () => {
    expect(run('impress-us', { product: { category: 'memory-card' } }).conditions).not.to.include('serial-label-intact');
    expect(run('impress-us', { product: { category: 'notebook' } }).conditions).to.include('serial-label-intact');
  });
});

describe('features: never a question the product cannot have, over the property case set', () => {
  it('needs never names a fact whose feature the category lacks (both packs)', () => {
    fc.assert(
      fc.property(caseArb(), (c) => {
        const pack = loadPack(c.policy);
        const d = decide(c, pack);
        for (const f of d.needs) expect(appliesTo(pack, c.product.category, f), `${c.policy} ${c.product.category} asks ${f}`).to.equal(true);
      }),
      { numRuns: 1500 },
    );
  });
});

describe('features: the pack says it as data, not code', () => {
  it('appliesTo / productHas read the pack', () => {
    const uk = loadPack('uk-online');
    expect(productHas(uk, 'media', 'activation-card')).to.equal(true);
    expect(productHas(uk, 'headphones', 'activation-card')).to.equal(false);
    expect(productHas(uk, 'headphones', 'serial-label')).to.equal(false);
    expect(productHas(uk, 'notebook', 'no-such-feature')).to.equal(false);
    expect(appliesTo(uk, 'headphones', 'serialLabelIntact')).to.equal(false);
    expect(appliesTo(uk, 'notebook', 'serialLabelIntact')).to.equal(true);
    expect(appliesTo(uk, 'media', 'activationStripDamaged')).to.equal(true);
    expect(appliesTo(uk, 'peripheral', 'used')).to.equal(true);
    for (const category of CATEGORIES) expect(appliesTo(uk, category, 'sealBroken')).to.equal(true);
  });

  it('a copy of uk-online that gives headphones a serial label asks it; one without media in activation-card does not ask the strip', () => {
    const data = packData('uk-online');
    data.features['serial-label']!.categories.push('headphones');
    data.features['activation-card']!.categories = data.features['activation-card']!.categories.filter((c) => c !== 'media');
    const pack = compiled(data);
    const headphones = decide(caseSchema.parse(goodCase('uk-online', { reason: 'misdescribed', product: { category: 'headphones' } }, ['serialLabelIntact'])), pack);
    expect(headphones.needs).to.deep.equal(['serialLabelIntact']);
    const media = decide(caseSchema.parse(goodCase('uk-online', { product: { category: 'media' } }, ['activationStripDamaged'])), pack);
    expect(media.outcome).to.equal('approved');
  });

  it('validate: a rule naming a feature the pack does not define, and a fact settled by two features, are problems with their paths', () => {
    const data = packData('impress-us') as Record<string, unknown> & { rules: { id: string; when?: unknown }[]; features: Record<string, unknown> };
    const i = data.rules.findIndex((r) => r.id === 'serial-label-kept');
    data.rules[i]!.when = { productHas: 'serial-lable' };
    data.features['also-serial'] = { categories: ['notebook'], otherwise: { serialLabelIntact: true } };
    const r = validatePack(data);
    expect(r.ok).to.equal(false);
    const paths = r.ok ? [] : r.problems.map((p) => p.path);
    expect(paths).to.include(`pack.rules[${i}].when.productHas`);
    expect(paths).to.include('pack.features.also-serial.otherwise.serialLabelIntact');
  });
});
