import { expect } from 'chai';
import type { LoadtestSummary } from '../lib/loadtest-run.js';
import { startServer } from '../../inference/server.js';
import { mergeSummaries, startLayeredLoad } from './layers.js';
import type { LoadTotals, RunningLoad } from './load.js';

function summary(over: Partial<LoadtestSummary>): LoadtestSummary {
  return {
    target: 'http://10.96.0.10:8080/predict', durationSeconds: 60, rate: 600, connections: 16, batch: undefined, responses: 36_000, requestsPerSecond: 600,
    latencyMs: { mean: 4, p50: 3, p90: 6, p99: 20, max: 80 }, status: { '1xx': 0, '2xx': 36_000, '3xx': 0, '4xx': 0, '5xx': 0 }, byCode: { 200: 36_000 },
    connectionErrors: 0, timeouts: 0, sampleBodies: {}, interrupted: true, ...over,
  };
}

describe('demo layered load', () => {
  it('merges layers: counts, codes, errors and rates add up over the longest duration, latency percentiles are the worst layer\'s', () => {
    const merged = mergeSummaries([
      summary({}),
      summary({
        durationSeconds: 30, rate: 600, responses: 18_010, latencyMs: { mean: 10, p50: 2, p90: 9, p99: 35, max: 50 },
        status: { '1xx': 0, '2xx': 18_000, '3xx': 0, '4xx': 0, '5xx': 10 }, byCode: { 200: 18_000, 500: 10 }, connectionErrors: 2, timeouts: 1,
        sampleBodies: { 500: 'boom' },
      }),
    ]);
    expect(merged).to.include({ layers: 2, durationSeconds: 60, rate: 1200, connections: 32, responses: 54_010, connectionErrors: 2, timeouts: 1 });
    expect(merged.requestsPerSecond).to.be.closeTo(900.2, 0.1);
    expect(merged.status).to.deep.equal({ '1xx': 0, '2xx': 54_000, '3xx': 0, '4xx': 0, '5xx': 10 });
    expect(merged.byCode).to.deep.equal({ 200: 54_000, 500: 10 });
    expect(merged.latencyMs).to.deep.include({ p50: 3, p90: 9, p99: 35, max: 80 });
    expect(merged.latencyMs.mean).to.be.closeTo((4 * 36_000 + 10 * 18_010) / 54_010, 1e-9);
    expect(merged.sampleBodies).to.deep.equal({ 500: 'boom' });
  });

  it('keeps a single layer\'s summary as it was', () => {
    const one = summary({});
    expect(mergeSummaries([one])).to.deep.equal({ ...one, layers: 1 });
  });

  it('sums the layers\' running totals and rates, and stops every layer once', async () => {
    const stops: number[] = [];
    const fake = (rate: number): RunningLoad => ({
      totals: (): LoadTotals => ({ ok: rate * 10, failed: rate === 300 ? 1 : 0 }),
      stop: () => { stops.push(rate); return Promise.resolve(summary({ rate, responses: rate })); },
    });
    const load = await startLayeredLoad(new URL('http://127.0.0.1:1'), 600, (_url, rate) => Promise.resolve(fake(rate)));
    await load.add(300);
    expect(load.rate()).to.equal(900);
    expect(load.totals()).to.deep.equal({ ok: 9000, failed: 1 });
    const first = await load.stop();
    const again = await load.stop();
    expect(first).to.equal(again);
    expect(stops).to.deep.equal([600, 300]);
    expect(first).to.include({ layers: 2, rate: 900, responses: 900 });
    const err = await load.add(100).then(() => undefined, (e: unknown) => e as Error);
    expect(err?.message).to.equal('the load has stopped');
  });

  it('sends the sum of its layers\' rates to a real server', async function () {
    this.timeout(15_000);
    const server = await startServer();
    try {
      const load = await startLayeredLoad(new URL(server.url), 50);
      await load.add(50);
      await new Promise((r) => setTimeout(r, 1500));
      const during = load.totals();
      const merged = await load.stop();
      expect(during.ok).to.be.within(100, 250);
      expect(merged.layers).to.equal(2);
      expect(merged.rate).to.equal(100);
      expect(merged.status['2xx']).to.be.at.least(during.ok);
    } finally {
      await server.close();
    }
  });
});
