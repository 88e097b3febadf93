import { expect } from 'chai';
import { startServer } from '../../inference/server.js';
import { addProgress, between, startLoad } from './load.js';

describe('demo load', () => {
  it('counts 2xx answers as served and every other answer, connection error or timeout as lost', () => {
    const totals = addProgress({ ok: 10, failed: 1 }, { second: 3, responses: 9, status: { '1xx': 0, '2xx': 6, '3xx': 0, '4xx': 1, '5xx': 2 }, errors: 4 });
    expect(totals).to.deep.equal({ ok: 16, failed: 8 });
    expect(between({ ok: 10, failed: 1 }, totals)).to.deep.equal({ ok: 6, failed: 7 });
  });

  it('refuses a target that is neither loopback nor the local cluster\'s before sending anything', async () => {
    const err = await startLoad(new URL('http://192.0.2.10:8080'), 10).then(() => undefined, (e: unknown) => e as Error);
    expect(err?.message).to.match(/^refusing to send load to 192\.0\.2\.10/);
  });

  it('sends load at the asked rate until stopped, with running totals that agree with the summary', async function () {
    this.timeout(15_000);
    const server = await startServer();
    try {
      const load = await startLoad(new URL(server.url), 100, 4);
      await new Promise((r) => setTimeout(r, 1500));
      const during = load.totals();
      const summary = await load.stop();
      expect(during.ok).to.be.within(80, 200);
      expect(during.failed).to.equal(0);
      expect(summary.status['2xx']).to.be.at.least(during.ok);
      expect(summary.interrupted).to.equal(true);
    } finally {
      await server.close();
    }
  });
});
