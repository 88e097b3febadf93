import { expect } from 'chai';
import { RollingWindow, latencySummary, percentile } from './static/js/stats.js';

describe('load-test statistics (web page)', () => {
  const cases: [string, number[], number, number][] = [
    ['the median of an odd count is the middle value', [1, 2, 3, 4, 5], 50, 3],
    ['the median of an even count is the lower middle value', [1, 2, 3, 4], 50, 2],
    ['p99 of 100 values is the 99th', Array.from({ length: 100 }, (_, i) => i + 1), 99, 99],
    ['p99 of 10 values is the largest', Array.from({ length: 10 }, (_, i) => i + 1), 99, 10],
    ['p0 is the smallest value', [4, 5, 6], 0, 4],
    ['a single value is every percentile', [7], 99, 7],
  ];
  for (const [name, sorted, p, expected] of cases) {
    it(`percentile: ${name}`, () => {
      expect(percentile(sorted, p)).to.equal(expected);
    });
  }

  it('reports NaN, not zero, for the percentile of no requests', () => {
    expect(percentile([], 50)).to.be.NaN;
  });

  it('summarises unsorted latencies numerically without reordering the input', () => {
    const latencies = [10, 9, 100, 2, 1];
    expect(latencySummary(latencies)).to.deep.equal({ count: 5, p50: 9, p99: 100 });
    expect(latencies).to.deep.equal([10, 9, 100, 2, 1]);
  });

  it('counts only the completions of the last second as throughput', () => {
    const window = new RollingWindow(1000);
    for (let t = 0; t < 3000; t += 10) window.add(t, t < 2000 ? 50 : 5);
    const live = window.summary(3000);
    expect(live.count).to.equal(99);
    expect(live.rps).to.equal(99);
    expect(live.p50).to.equal(5);
    expect(live.p99).to.equal(5);
  });

  it('shows an idle window as zero throughput once requests stop', () => {
    const window = new RollingWindow(1000);
    window.add(100, 3);
    expect(window.summary(500).count).to.equal(1);
    const idle = window.summary(5000);
    expect(idle.rps).to.equal(0);
    expect(idle.p50).to.be.NaN;
  });

  it('keeps memory bounded over a long run by forgetting old samples', () => {
    const window = new RollingWindow(1000);
    for (let t = 0; t < 100_000; t += 1) {
      window.add(t, 1);
      if (t % 100 === 0) window.summary(t);
    }
    expect(window.summary(100_000).count).to.equal(999);
    expect((window as unknown as { times: number[] }).times.length).to.be.below(5000);
  });
});
