import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { ApiError } from '../errors.js';
import { KubeClient } from './client.js';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

describe('KubeClient requests', () => {
  let server: http.Server;
  let client: KubeClient;
  let handler: Handler;
  let accepted: string | undefined;

  before(async () => {
    server = http.createServer((req, res) => {
      accepted = req.headers.accept;
      handler(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    client = KubeClient.create({ server: `http://127.0.0.1:${port}`, tls: {}, headers: () => Promise.resolve({}), source: 'test' });
  });
  after(async () => {
    client.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const answer = (status: number, body: string, type = 'application/json'): Handler => (_req, res) => {
    res.writeHead(status, { 'content-type': type });
    res.end(body);
  };

  it('answers requests while 40 watches stay open (watches no longer take the 32 sockets requests use, which left requests queued behind them)', async () => {
    handler = (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      if (req.url?.includes('watch=true')) res.write('');
      else res.end('{"kind":"ConfigMapList","items":[]}');
    };
    const watches = Array.from({ length: 40 }, (_, i) => client.watch(`/api/v1/namespaces/a/configmaps`, { fieldSelector: `metadata.name=cm-${i}` }, () => undefined));
    for (const w of watches) w.done.catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const answered = await Promise.race([client.request({ method: 'GET', path: '/api/v1/namespaces/a/configmaps' }), new Promise((resolve) => setTimeout(() => resolve('queued'), 2000))]);
    for (const w of watches) w.abort();
    expect(answered).to.deep.equal({ kind: 'ConfigMapList', items: [] });
  });

  it('answers requests while 40 reads of pods through the pod proxy hang (they have their own sockets, so pods that do not answer never queue reconciles)', async () => {
    const hanging: http.ServerResponse[] = [];
    handler = (req, res) => {
      if (req.url?.includes('/proxy/')) hanging.push(res);
      else answer(200, '{"kind":"PodList","items":[]}')(req, res);
    };
    const reads = Array.from({ length: 40 }, (_, i) => client.request({ method: 'GET', path: `/api/v1/namespaces/a/pods/p-${i}:8080/proxy/drift`, timeoutMs: 5000, pool: 'pods' }).catch(() => 'failed'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const answered = await Promise.race([client.request({ method: 'GET', path: '/api/v1/namespaces/a/pods' }), new Promise((resolve) => setTimeout(() => resolve('queued'), 2000))]);
    expect(answered).to.deep.equal({ kind: 'PodList', items: [] });
    expect(hanging.length, 'the pod pool is capped').to.equal(16);
    handler = answer(200, '{}');
    for (const res of hanging) res.destroy();
    await Promise.all(reads);
  });

  it('parses a JSON answer by default', async () => {
    handler = answer(200, '{"kind":"PodList","items":[]}');
    expect(await client.request({ method: 'GET', path: '/api/v1/pods' })).to.deep.equal({ kind: 'PodList', items: [] });
    expect(accepted).to.equal('application/json');
  });

  it('resolves the body unparsed with responseType text, asking for text', async () => {
    const metrics = '# TYPE up gauge\nup 1\n';
    handler = answer(200, metrics, 'text/plain; version=0.0.4');
    expect(await client.request<string>({ method: 'GET', path: '/api/v1/namespaces/a/pods/p:8080/proxy/metrics', responseType: 'text' })).to.equal(metrics);
    expect(accepted).to.match(/^text\/plain/);
  });

  it("throws ApiError with the API server's Status message and reason", async () => {
    handler = answer(503, '{"kind":"Status","reason":"ServiceUnavailable","message":"error trying to reach service: connection refused","code":503}');
    const err = await client.request({ method: 'GET', path: '/x', responseType: 'text' }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ApiError).and.to.include({ code: 503, statusReason: 'ServiceUnavailable', message: 'error trying to reach service: connection refused' });
  });

  it('throws ApiError whose message is the body when the body has no message (a pod answering through the proxy)', async () => {
    handler = answer(500, '{"error":"the model produced a non-finite score","details":[]}');
    const err = await client.request({ method: 'POST', path: '/x', body: {} }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ApiError).and.to.include({ code: 500, statusReason: 'Internal Server Error', message: '{"error":"the model produced a non-finite score","details":[]}' });
  });

  it('says only the status for an empty error body', async () => {
    handler = answer(404, '');
    const err = await client.request({ method: 'GET', path: '/x' }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ApiError).and.to.include({ code: 404, message: 'HTTP 404' });
  });

  it('rejects a body over maxResponseBytes', async () => {
    handler = answer(200, 'x'.repeat(200_000), 'text/plain');
    const err = await client.request({ method: 'GET', path: '/big', responseType: 'text', maxResponseBytes: 64 * 1024 }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(Error).and.to.have.property('message', 'response body larger than 65536 bytes');
  });

  it('accepts a body of exactly maxResponseBytes', async () => {
    handler = answer(200, 'x'.repeat(1000), 'text/plain');
    expect(await client.request<string>({ method: 'GET', path: '/fits', responseType: 'text', maxResponseBytes: 1000 })).to.have.length(1000);
  });

  it('rejects when the answer does not come within timeoutMs', async () => {
    handler = () => undefined;
    const err = await client.request({ method: 'GET', path: '/slow', timeoutMs: 100 }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(Error).and.to.have.property('message', 'GET /slow timed out after 100 ms');
  });
});
