/**
 * A decision in words (machines/explain.ts): a referral for facts the customer could not give names them.
 */
import { expect } from 'chai';
import { explainDecision } from '../../machines/explain.js';
import { renderParts } from '../../src/i18n/index.js';
import type { Decision } from '../../src/policy/decision.js';
import type { Order, OrderItem } from '../../src/orders.js';

const item = { name: 'Aero 15 notebook', sku: 'NB', category: 'notebook' } as unknown as OrderItem;
const order = { currency: 'GBP', items: [item] } as unknown as Order;
const referral = { outcome: 'referred', reasons: [{ code: 'FACTS_UNAVAILABLE', params: { fields: 'sealBroken,activationStripDamaged' } }], remedies: [] } as unknown as Decision;

describe('explaining a decision', () => {
  it('a referral for facts the customer could not give names them, in each language', () => {
    expect(renderParts('en-GB', explainDecision(referral, order, item))).to.include(
      'Without knowing whether the seal has been broken and whether the strip on the activation card has been scratched off,',
    );
    expect(renderParts('es-US', explainDecision(referral, order, item))).to.include('Sin saber si se rompió el sello y si se raspó la franja de la tarjeta de activación,');
  });
});
