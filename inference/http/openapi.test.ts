import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { DEFAULT_LIMITS } from '../config.js';
import { defaultModel } from '../default-model.js';
import { startServer, type StartedServer } from '../server.js';
import { ROUTES } from './routes.js';

type Doc = { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };

const METHODS = new Set(['get', 'post', 'put', 'delete', 'patch', 'head', 'options']);
/** "METHOD path" of every operation (path-level `parameters` are not operations). */
const operations = (doc: Doc): Array<[string, string, { responses: Record<string, unknown> }]> =>
  Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).filter(([m]) => METHODS.has(m)).map(([m, op]) => [m.toUpperCase(), path, op] as [string, string, { responses: Record<string, unknown> }]));

const patient = { heartRate: 120, systolicBP: 95, diastolicBP: 60, temperature: 38.5, oxygenSaturation: 92 };
const json = { 'content-type': 'application/json' };

const version = defaultModel().version;
const READINESS = ['/readyz', '/v2/health/ready', '/v2/models/{name}/ready', '/v2/models/{name}/versions/{version}/ready'];
/** A request path for a route template: the served model's name and version filled in. */
const concrete = (route: string, name = 'patient-risk'): string => route.replace('{name}', name).replace('{version}', version);
const infer = { inputs: [{ name: 'vitals', shape: [1, 5], datatype: 'FP64', data: [120, 95, 60, 38.5, 92] }] };

/** One request per (route, method, status) the server can produce; labels are "METHOD path status". */
function probes(limit: number): Array<[string, string, RequestInit]> {
  const post = (body: string, headers: Record<string, string> = json): RequestInit => ({ method: 'POST', body, headers });
  const cases: Array<[string, string, RequestInit]> = [
    ['GET / 200', '/', {}],
    ['GET /healthz 200', '/healthz', {}],
    ['GET /readyz 200', '/readyz', {}],
    ['GET /stats 200', '/stats', {}],
    ['GET /metrics 200', '/metrics', {}],
    ['GET /model 200', '/model', {}],
    ['GET /drift 200', '/drift', {}],
    ['GET /examples 200', '/examples?count=3', {}],
    ['GET /examples 400', '/examples?count=5000', {}],
    ['GET /openapi.json 200', '/openapi.json', {}],
  ];
  for (const [path, body] of [['/predict', patient], ['/predict/batch', { instances: [patient] }]] as const) {
    cases.push(
      [`POST ${path} 200`, path, post(JSON.stringify(body))],
      [`POST ${path} 400`, path, post('{')],
      [`POST ${path} 413`, path, post(JSON.stringify({ pad: 'x'.repeat(limit) }))],
      [`POST ${path} 415`, path, post('{}', { 'content-type': 'text/plain' })],
    );
  }
  return [...cases, ...v2Probes(limit, post)];
}

/** The Open Inference Protocol routes' probes, then a wrong method and an unknown sub-path of every route. */
function v2Probes(limit: number, post: (body: string, headers?: Record<string, string>) => RequestInit): Array<[string, string, RequestInit]> {
  const cases: Array<[string, string, RequestInit]> = [];
  for (const route of ['/v2/models/{name}/infer', '/v2/models/{name}/versions/{version}/infer']) {
    cases.push(
      [`POST ${route} 200`, concrete(route), post(JSON.stringify(infer))],
      [`POST ${route} 400`, concrete(route), post(JSON.stringify({ inputs: [] }))],
      [`POST ${route} 404`, concrete(route, 'other'), post(JSON.stringify(infer))],
      [`POST ${route} 413`, concrete(route), post(JSON.stringify({ pad: 'x'.repeat(limit) }))],
      [`POST ${route} 415`, concrete(route), post('{}', { 'content-type': 'text/plain' })],
    );
  }
  for (const route of Object.keys(ROUTES).filter((r) => r.startsWith('/v2') && !r.endsWith('/infer'))) {
    cases.push([`GET ${route} 200`, concrete(route), {}]);
    if (route.includes('{name}')) cases.push([`GET ${route} 404`, concrete(route, 'other'), {}]);
  }
  for (const route of Object.keys(ROUTES)) {
    const path = concrete(route);
    const wrong = ROUTES[route]?.includes('GET') ? 'PUT' : 'GET';
    cases.push([`${ROUTES[route]?.[0]} ${route} 405`, path, { method: wrong }], [`${ROUTES[route]?.[0]} ${route} 404`, `${path === '/' ? '' : path}/nope`, {}]);
  }
  return cases;
}

describe('OpenAPI document', function () {
  this.timeout(30_000);
  let server: StartedServer;
  let doc: Doc;
  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'riskmodel-static-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html>');
    server = await startServer({ staticDir: dir });
    doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as Doc;
  });
  after(() => server.close());

  it('is OpenAPI 3 and describes exactly the routes and methods the server has', () => {
    expect((doc as unknown as { openapi: string }).openapi).to.match(/^3\./);
    const described = operations(doc).map(([m, path]) => `${m} ${path}`);
    const served = Object.entries(ROUTES).flatMap(([path, methods]) => methods.map((m) => `${m} ${path}`));
    expect(described.sort()).to.deep.equal(served.sort());
  });

  it('describes every status the server answers, and the server answers every status described', async () => {
    const limit = Math.max(DEFAULT_LIMITS.predictBodyBytes, DEFAULT_LIMITS.batchBodyBytes);
    const observed = new Set<string>();
    for (const [label, path, init] of probes(limit)) {
      const res = await fetch(`${server.url}${path}`, init);
      await res.arrayBuffer();
      const [method, route] = label.split(' ');
      // A 404 belongs to the route it was probed under, as described.
      observed.add(`${method} ${route} ${res.status}`);
    }
    const described = operations(doc).flatMap(([m, path, op]) => Object.keys(op.responses).map((status) => `${m} ${path} ${status}`));
    // 503 from the readiness routes is covered below, it needs a draining server.
    const draining = READINESS.map((route) => `GET ${route} 503`);
    expect([...new Set([...observed, ...draining])].sort()).to.deep.equal(described.sort());
  });

  it('answers 503 on every readiness route while draining, as described', async () => {
    const other = await startServer();
    other.inference.serving.ctx.lifecycle.shuttingDown = true;
    for (const route of READINESS) expect((await fetch(`${other.url}${concrete(route)}`)).status, route).to.equal(503);
    await other.close();
  });

  it('takes feature ranges and limits from the model and configuration served', () => {
    const schemas = (doc as unknown as { components: { schemas: Record<string, { properties: Record<string, Record<string, unknown>> }> } }).components.schemas;
    const model = defaultModel();
    for (const f of model.features) expect(schemas.Vitals?.properties[f.name]).to.include({ minimum: f.min, maximum: f.max });
    expect(schemas.BatchRequest?.properties.instances).to.include({ maxItems: DEFAULT_LIMITS.batchMaxInstances });
  });
});

describe('GET /metrics', () => {
  it('passes promtool check metrics', async function () {
    const promtool = spawnSync('promtool', ['--version']);
    if (promtool.error) throw new Error('promtool is not installed: apt-get install prometheus (scripts/setup.sh does this)');
    const server = await startServer();
    try {
      await fetch(`${server.url}/predict`, { method: 'POST', headers: json, body: JSON.stringify(patient) });
      await fetch(`${server.url}/nope`);
      const text = await (await fetch(`${server.url}/metrics`)).text();
      const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect(check.status, `${check.stdout}${check.stderr}`).to.equal(0);
      expect(`${check.stdout}${check.stderr}`.trim()).to.equal('');
    } finally {
      await server.close();
    }
  });
});
