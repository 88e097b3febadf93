import { expect } from 'chai';
import { binFractions, binIndex, psi, PSI_FLOOR, quantileEdges } from './psi.js';

describe('population stability index', () => {
  // Worked by hand: PSI = Σ (a − e) · ln(a / e), fractions floored at 1e-4.
  const cases: Array<[string, number[], number[], number]> = [
    ['is 0 for identical distributions', [0.2, 0.3, 0.5], [0.2, 0.3, 0.5], 0],
    ['is (0.25 − 0.5)·ln(0.5) + (0.75 − 0.5)·ln(1.5) for a half/half reference seen as a quarter/three quarters', [0.5, 0.5], [0.25, 0.75], 0.274653072],
    ['normalizes counts to fractions on each side first', [50, 50], [1, 3], 0.274653072],
    ['reads four even bins seen as 10/20/30/40 % as 0.228', [0.25, 0.25, 0.25, 0.25], [0.1, 0.2, 0.3, 0.4], 0.228217410],
    ['reads three even classes seen as 60/30/10 % as 0.441', [1, 1, 1], [0.6, 0.3, 0.1], 0.441182116],
    ['floors an empty recent bin at 1e-4: (1e-4 − 0.1)·ln(1e-4 / 0.1) + 0.1·ln(1 / 0.9)', [0.1, 0.9], [0, 1], 0.700620804],
    ['floors an empty training bin at 1e-4: (0.5 − 1e-4)·ln(0.5 / 1e-4) + (0.5 − 1)·ln(0.5)', [0, 1], [0.5, 0.5], 4.604318467],
    ['adds nothing for a bin empty on both sides', [0, 0.5, 0.5], [0, 0.5, 0.5], 0],
  ];
  for (const [name, expected, actual, value] of cases) {
    it(name, () => {
      expect(psi(expected, actual)).to.be.closeTo(value, 1e-8);
    });
  }

  it('documents its floor as 1e-4', () => {
    expect(PSI_FLOOR).to.equal(1e-4);
  });

  const undefinedCases: Array<[string, number[], number[]]> = [
    ['bins of different lengths', [0.5, 0.5], [1]],
    ['no bins', [], []],
    ['an empty recent side', [0.5, 0.5], [0, 0]],
    ['an empty reference side', [0, 0], [1, 1]],
  ];
  for (const [name, expected, actual] of undefinedCases) {
    it(`is NaN, not a number that reads as no drift, for ${name}`, () => {
      expect(psi(expected, actual)).to.be.NaN;
    });
  }
});

describe('quantile binning', () => {
  const bins: Array<[string, number[], number, number]> = [
    ['puts a value below the first edge in bin 0', [10, 20, 30], 5, 0],
    ['puts a value equal to an edge in the bin above it', [10, 20, 30], 20, 2],
    ['puts a value between edges in the bin between them', [10, 20, 30], 25, 2],
    ['puts a value above the last edge in the last bin', [10, 20, 30], 99, 3],
    ['puts everything in bin 0 when there are no edges', [], 42, 0],
  ];
  for (const [name, edges, x, expected] of bins) {
    it(`binIndex ${name}`, () => {
      expect(binIndex(edges, x)).to.equal(expected);
    });
  }

  const edges: Array<[string, number[], number, number[]]> = [
    ['cuts 1..10 into ten bins of one value', [10, 9, 8, 7, 6, 5, 4, 3, 2, 1], 10, [2, 3, 4, 5, 6, 7, 8, 9, 10]],
    ['cuts 1..20 into four bins of five values', Array.from({ length: 20 }, (_, i) => i + 1), 4, [6, 11, 16]],
    ['collapses tied quantiles, so a feature with three values gets three bins', [1, 1, 1, 1, 2, 2, 2, 3, 3, 3], 10, [2, 3]],
    ['gives a constant feature no edges (one bin)', [7, 7, 7, 7], 10, []],
    ['gives one bin when one is asked for', [1, 2, 3], 1, []],
  ];
  for (const [name, values, n, expected] of edges) {
    it(`quantileEdges ${name}`, () => {
      expect(quantileEdges(values, n)).to.deep.equal(expected);
    });
  }

  it('measures the training fraction of each bin with the same binning', () => {
    const values = [1, 1, 1, 1, 2, 2, 2, 3, 3, 3];
    expect(binFractions(quantileEdges(values, 10), values)).to.deep.equal([0.4, 0.3, 0.3]);
  });

  it('refuses no values and a bin count below 1, naming the argument', () => {
    expect(() => quantileEdges([], 10)).to.throw(/no values/);
    expect(() => quantileEdges([1], 0)).to.throw(/bins must be an integer ≥ 1, got 0/);
  });
});
