/** docs/machine.md is the machine's own chart: regenerate it with `npm run diagram` when this fails. */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { machineDoc, machineMermaid } from '../../machines/diagram.js';
import { ROOT } from '../../src/paths.js';

describe('docs/machine.md', () => {
  it('is the chart of machines/returns.machine.ts as it is now (run `npm run diagram`)', () => {
    const written = readFileSync(join(ROOT, 'docs', 'machine.md'), 'utf8');
    expect(written === machineDoc(), 'docs/machine.md is stale: run `npm run diagram`').to.equal(true);
  });

  it('shows the flow with its history state, every step state and the ways out', () => {
    const m = machineMermaid();
    expect(m).to.match(/^stateDiagram-v2/);
    for (const s of ['flow_hist', 'flow_askVerify', 'flow_askFact', 'flow_checkFact', 'offer', 'handoff_active', 'ended']) expect(m).to.include(s);
    expect(m).to.include('handoff_active --> flow_hist: AGENT_RELEASED');
    expect(m).to.include('returns_any --> handoff: MESSAGE [wantsPerson]');
  });
});
