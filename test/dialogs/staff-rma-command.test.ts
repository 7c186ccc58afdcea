/** The Teams desk's `rma` command reads the same order, SKU and reason staff may give over HTTP (CONTRACT section 8). */
import { expect } from 'chai';
import { rmaCommand } from '../../dialogs/staff.js';

describe('staff desk: the rma command', () => {
  it('reads the remedy and the note as before', () => {
    expect(rmaCommand(['refund', 'goodwill', 'gesture'])).to.deep.equal({ ok: true, body: { remedy: 'refund', note: 'goodwill gesture' } });
    expect(rmaCommand(['repair'])).to.deep.equal({ ok: true, body: { remedy: 'repair', note: null } });
  });

  it('reads order=, sku= and reason= right after the remedy, in any order', () => {
    expect(rmaCommand(['Refund', 'reason=Faulty', 'order=UK-100234', 'sku=HP-200', 'vouched', 'by', 'phone'])).to.deep.equal({
      ok: true,
      body: { remedy: 'refund', orderNumber: 'UK-100234', sku: 'HP-200', reason: 'faulty', note: 'vouched by phone' },
    });
  });

  it('leaves an = in the note alone', () => {
    expect(rmaCommand(['refund', 'price', 'order=UK-1', 'x=y'])).to.deep.equal({ ok: true, body: { remedy: 'refund', note: 'price order=UK-1 x=y' } });
  });

  it('refuses an unknown reason or an empty option', () => {
    expect(rmaCommand(['refund', 'reason=broken'])).to.deep.equal({ ok: false, option: 'reason=broken' });
    expect(rmaCommand(['refund', 'order='])).to.deep.equal({ ok: false, option: 'order=' });
  });
});
