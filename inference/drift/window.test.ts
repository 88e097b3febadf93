import { expect } from 'chai';
import { DriftWindow, type Binning } from './window.js';

// Two features: a cut at 10 and 20 (three bins, training range 0–30), and one cut at 5 (range 0–9).
const binnings: Binning[] = [
  { edges: [10, 20], min: 0, max: 30 },
  { edges: [5], min: 0, max: 9 },
];

function windowWith(capacity: number, rows: Array<[number, number, number]>): DriftWindow {
  const w = new DriftWindow(binnings, 3, capacity);
  for (const [a, b, cls] of rows) w.add([a, b], 0, cls);
  return w;
}

describe('drift window', () => {
  it('counts each row in its bin per feature and its predicted class', () => {
    const w = windowWith(10, [[5, 1, 0], [15, 6, 2], [25, 7, 2]]);
    expect(w.snapshot()).to.deep.equal({ rows: 3, bins: [[1, 1, 1], [1, 2]], classes: [1, 0, 2], outOfRange: [0, 0] });
  });

  it('forgets the oldest row once full, so it holds exactly the last `capacity` rows', () => {
    const w = windowWith(2, [[5, 1, 0], [15, 6, 1], [25, 7, 2]]);
    expect(w.snapshot()).to.deep.equal({ rows: 2, bins: [[0, 1, 1], [0, 2]], classes: [0, 1, 1], outOfRange: [0, 0] });
  });

  it('counts rows outside the training range in the window and since start', () => {
    const w = windowWith(2, [[-1, 1, 0], [31, 10, 0], [5, 1, 0], [5, 1, 0]]);
    expect(w.snapshot().outOfRange).to.deep.equal([0, 0]);
    expect(Array.from(w.outOfRangeTotal)).to.deep.equal([2, 1]);
    const recent = windowWith(2, [[5, 1, 0], [-1, 1, 0], [31, 10, 0]]);
    expect(recent.snapshot().outOfRange).to.deep.equal([2, 1]);
  });

  it('puts an out-of-range value in the end bin of its side, as the reference does', () => {
    expect(windowWith(5, [[-50, 100, 0]]).snapshot().bins).to.deep.equal([[1, 0, 0], [0, 1]]);
  });

  it('reads a row out of a row-major matrix at its offset', () => {
    const w = new DriftWindow(binnings, 3, 4);
    const matrix = Float64Array.from([5, 1, 25, 7]);
    w.add(matrix, 2, 1);
    expect(w.snapshot().bins).to.deep.equal([[0, 0, 1], [0, 1]]);
  });

  it('keeps counts exact over many wraps of the ring', () => {
    const w = new DriftWindow(binnings, 3, 7);
    for (let i = 0; i < 1000; i++) w.add([i % 30, i % 10, i % 3], 0, i % 3);
    const expected = new DriftWindow(binnings, 3, 7);
    for (let i = 993; i < 1000; i++) expected.add([i % 30, i % 10, i % 3], 0, i % 3);
    expect(w.snapshot()).to.deep.equal({ ...expected.snapshot() });
  });

  it('refuses a capacity below 1', () => {
    expect(() => new DriftWindow(binnings, 3, 0)).to.throw(/capacity must be a whole number ≥ 1, got 0/);
  });
});
