import { expect } from 'chai';
import { startHttpServer } from './http-server.js';
import { OperatorMetrics } from './metrics.js';

describe('operator HTTP server', () => {
  it('binds a free port when asked for port 0 and serves the probes and Prometheus metrics', async () => {
    let ready = false;
    const metrics = new OperatorMetrics();
    const server = await startHttpServer('127.0.0.1', 0, { healthy: () => true, ready: () => ready }, metrics);
    try {
      expect(server.port).to.be.greaterThan(0);
      const get = (path: string) => fetch(`http://127.0.0.1:${server.port}${path}`);
      expect((await get('/healthz')).status).to.equal(200);
      expect((await get('/readyz')).status).to.equal(503);
      ready = true;
      expect((await get('/readyz')).status).to.equal(200);
      metrics.reconciles.inc({ result: 'success' });
      metrics.leader.set(1);
      const res = await get('/metrics');
      expect(res.headers.get('content-type')).to.match(/^text\/plain/);
      const text = await res.text();
      for (const name of ['riskmodel_operator_reconcile_total{result="success"} 1', 'riskmodel_operator_leader 1', 'riskmodel_operator_queue_depth 0', 'riskmodel_operator_reconcile_duration_seconds_bucket', 'riskmodel_operator_process_resident_memory_bytes']) {
        expect(text).to.include(name);
      }
      expect((await get('/nope')).status).to.equal(404);
      expect((await fetch(`http://127.0.0.1:${server.port}/healthz`, { method: 'POST' })).status).to.equal(405);
    } finally {
      await server.close();
    }
  });
});
