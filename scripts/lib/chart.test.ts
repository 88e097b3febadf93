import { expect } from 'chai';
import { lastSamples, peak, sparkline } from './chart.js';

describe('sparkline', () => {
  const cases: Array<[string, Array<number | undefined>, number, string]> = [
    ['draws replicas 1 to 5 on a 0–5 scale as rising bars', [1, 2, 3, 4, 5], 5, '▂▄▅▇█'],
    ['draws zero and the scale maximum as the lowest and highest bars', [0, 10], 10, '▁█'],
    ['caps values above the scale at a full bar', [12], 10, '█'],
    ['leaves a gap where a sample is missing', [2, undefined, 2], 4, '▅ ▅'],
    ['draws everything as the lowest bar when the scale is empty', [0, 3], 0, '▁▁'],
    ['draws nothing for no samples', [], 5, ''],
  ];
  for (const [name, values, max, expected] of cases) {
    it(name, () => expect(sparkline(values, max)).to.equal(expected));
  }

  it('gives the same value the same bar wherever it sits in the series', () => {
    const line = sparkline([3, 1, 3, 5, 3], 5);
    expect(line[0]).to.equal(line[2]).and.to.equal(line[4]);
  });
});

describe('lastSamples', () => {
  it('keeps the newest samples when there are more than fit', () => {
    expect(lastSamples([1, 2, 3, 4, 5], 3)).to.deep.equal([3, 4, 5]);
  });

  it('pads a short series on the left so it grows from the right edge', () => {
    expect(lastSamples([1, 2], 4)).to.deep.equal([undefined, undefined, 1, 2]);
  });

  it('returns nothing for a width of zero', () => {
    expect(lastSamples([1, 2], 0)).to.deep.equal([]);
  });
});

describe('peak', () => {
  it('returns the largest present sample above the floor', () => {
    expect(peak([2, undefined, 7, 3], 5)).to.equal(7);
  });

  it('returns the floor when every sample is missing or smaller', () => {
    expect(peak([undefined, 1], 5)).to.equal(5);
  });
});
