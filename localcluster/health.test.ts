import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitHealthy } from './health.js';

const noTls = { ca: '', cert: '', key: '' };

describe('waitHealthy (a component\'s health check while it starts)', () => {
  let server: http.Server;
  let url: string;
  let answers: number[];
  beforeEach(async () => {
    answers = [];
    server = http.createServer((_req, res) => {
      res.statusCode = answers.shift() ?? 200;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`;
  });
  afterEach(() => new Promise((resolve) => server.close(resolve)));

  it('resolves once the endpoint answers 200', async () => {
    answers = [503, 503];
    await waitHealthy('etcd', url, noTls, { timeoutMs: 5000, stillRunning: () => true });
    expect(answers).to.deep.equal([]);
  });

  it('fails at once when the process exits while starting, instead of waiting out the timeout', async () => {
    answers = Array<number>(100).fill(503);
    const started = Date.now();
    const err = await waitHealthy('kwok', url, noTls, { timeoutMs: 60_000, stillRunning: () => false }).catch((e: unknown) => e);
    expect((err as Error).message).to.equal('kwok exited while starting');
    expect(Date.now() - started).to.be.below(2000);
  });

  it('names the URL and its last answer on timeout', async () => {
    answers = Array<number>(100).fill(503);
    const err = await waitHealthy('kube-scheduler', url, noTls, { timeoutMs: 300, stillRunning: () => true }).catch((e: unknown) => e);
    expect((err as Error).message).to.equal(`kube-scheduler did not become healthy within 0.3 s (${url} last answered 503)`);
  });
});
