/**
 * Table-driven tests: one `it` per row, named by its input, so a failing row says which phrasing.
 */
import { expect } from 'chai';

export function table<I, O>(title: string, rows: readonly (readonly [I, O])[], fn: (input: I) => unknown): void {
  describe(title, () => {
    for (const [input, expected] of rows) {
      it(`${JSON.stringify(input)} → ${JSON.stringify(expected)}`, () => {
        expect(fn(input)).to.deep.equal(expected);
      });
    }
  });
}
