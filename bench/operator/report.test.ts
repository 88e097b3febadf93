import { expect } from 'chai';
import { parseMemory, percentile } from './report.js';

describe('bench: figures', () => {
  const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);
  const cases: [string, number[], number, number][] = [
    ['p50 of 1..100 is 50', oneToHundred, 50, 50],
    ['p99 of 1..100 is 99', oneToHundred, 99, 99],
    ['p100 is the maximum', oneToHundred, 100, 100],
    ['p99 of 50 edits is the largest (nearest rank)', Array.from({ length: 50 }, (_, i) => 50 - i), 99, 50],
    ['order does not matter', [5, 1, 4, 2, 3], 50, 3],
  ];
  for (const [name, values, p, expected] of cases) it(name, () => expect(percentile(values, p)).to.equal(expected));

  it('gives NaN for no values instead of a figure', () => expect(percentile([], 50)).to.be.NaN);

  it('reads resident and peak memory from /proc/<pid>/status in MiB', () => {
    const status = 'Name:\tnode\nVmPeak:\t 1234567 kB\nVmHWM:\t  147456 kB\nVmRSS:\t  110592 kB\nThreads:\t11\n';
    expect(parseMemory(status)).to.deep.equal({ rssMb: 108, hwmMb: 144 });
  });

  it('gives NaN for a field the status lacks', () => expect(parseMemory('Name:\tnode\n').rssMb).to.be.NaN);
});
