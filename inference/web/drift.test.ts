import { expect } from 'chai';
import { binLabels, psiReading } from './static/js/drift.js';

describe('drift panel reading (web page)', () => {
  const cases: Array<[number | null, string, string]> = [
    [null, 'none', 'no rows yet'],
    [0, 'ok', 'PSI 0.000 · stable'],
    [0.0999, 'ok', 'PSI 0.100 · stable'],
    [0.1, 'warn', 'PSI 0.100 · moderate shift'],
    [0.25, 'warn', 'PSI 0.250 · moderate shift'],
    [0.2501, 'bad', 'PSI 0.250 · significant shift'],
    [4.6, 'bad', 'PSI 4.600 · significant shift'],
  ];
  for (const [psi, state, text] of cases) {
    it(`reads PSI ${psi} as ${state}: "${text}"`, () => {
      expect(psiReading(psi)).to.deep.equal({ state, text });
    });
  }

  it('labels bins from their edges, open at both ends', () => {
    expect(binLabels([72, 77, 80])).to.deep.equal(['< 72', '72–77', '77–80', '≥ 80']);
    expect(binLabels([])).to.deep.equal(['all']);
  });
});
