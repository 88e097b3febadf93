import http from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import winston from 'winston';
import { Writable } from 'node:stream';
import { DEFAULT_LIMITS } from '../config.js';
import { defaultModel } from '../default-model.js';
import { parseModel, withVersion } from '../model.js';
import { servedPrediction } from '../compiled-model.js';
import { predict as referencePredict } from '../predict.js';
import { createInferenceServer, smokePrediction } from '../server.js';
import { errorProneArtifact } from '../../scripts/lib/faulty-artifacts.js';
import { SMOKE_HEADER, SMOKE_PATIENT } from '../schema.js';
import { Telemetry } from '../telemetry.js';
import { createApp } from './app.js';
import type { Lifecycle } from './context.js';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: () => Record<string, unknown>;
}

interface Sent {
  method?: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
  /** Send the body in pieces without a content-length. */
  chunked?: boolean;
}

function send(base: string, path: string, opts: Sent = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...opts.headers };
    if (opts.body !== undefined && !opts.chunked) headers['content-length'] = Buffer.byteLength(opts.body);
    const req = http.request(`${base}${path}`, { method: opts.method ?? 'GET', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> });
      });
    });
    req.on('error', reject);
    if (opts.chunked && opts.body !== undefined) {
      const body = Buffer.from(opts.body);
      for (let i = 0; i < body.length; i += 4096) req.write(body.subarray(i, i + 4096));
    } else if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const postJson = (base: string, path: string, body: unknown): Promise<Reply> =>
  send(base, path, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: JSON_HEADERS });

/** Polls `check` every 10 ms until it holds; fails after 2 s. */
async function waitUntil(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met within 2 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** What a client parses from the server: the reference prediction, rounded as served. */
const predict: typeof referencePredict = (m, v) => servedPrediction(referencePredict(m, v));

const patient = { heartRate: 120, systolicBP: 95, diastolicBP: 60, temperature: 38.5, oxygenSaturation: 92 };

function staticDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'riskmodel-static-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>risk</title>');
  writeFileSync(join(dir, 'app.js'), 'console.log(1);');
  return dir;
}

function listenOn(server: http.Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

const model = defaultModel();
const limits = { ...DEFAULT_LIMITS, predictBodyBytes: 1024, batchMaxInstances: 50, batchBodyBytes: 64 * 1024 };

// Every behaviour is checked on both the express app alone and the server whose
// node:http listener answers the prediction routes before express.
const variants: Array<[string, (deps: { lifecycle: Lifecycle; dir: string }) => http.Server]> = [
  ['express app (createApp)', ({ lifecycle, dir }) => http.createServer(createApp(model, { lifecycle, limits, staticDir: dir }))],
  ['fast-path server (createInferenceServer)', ({ lifecycle, dir }) => createInferenceServer(model, { lifecycle, limits, staticDir: dir }).server],
];

for (const [variant, build] of variants) {
  describe(`HTTP API via the ${variant}`, () => {
    let server: http.Server;
    let base: string;
    const lifecycle: Lifecycle = { ready: true, shuttingDown: false, startedAt: Date.now() };

    before(async () => {
      server = build({ lifecycle, dir: staticDir() });
      base = await listenOn(server);
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));
    afterEach(() => {
      lifecycle.ready = true;
      lifecycle.shuttingDown = false;
    });

    describe('POST /predict', () => {
      it('answers risk, confidence, probabilities, contributions and the model version', async () => {
        const res = await postJson(base, '/predict', patient);
        expect(res.status).to.equal(200);
        expect(res.headers['content-type']).to.match(/^application\/json/);
        expect(res.json()).to.deep.equal(JSON.parse(JSON.stringify(predict(model, patient))));
      });

      it('accepts a charset parameter and a +json media type', async () => {
        for (const type of ['application/json; charset=utf-8', 'application/vnd.api+json']) {
          const res = await send(base, '/predict', { method: 'POST', body: JSON.stringify(patient), headers: { 'content-type': type } });
          expect(res.status, type).to.equal(200);
        }
      });

      it('answers the same with a query string', async () => {
        const res = await postJson(base, '/predict?explain=1', patient);
        expect(res.status).to.equal(200);
        expect(res.json().risk).to.equal(predict(model, patient).risk);
      });

      it('lists every invalid field at once with its allowed range (400)', async () => {
        const res = await postJson(base, '/predict', '{"heartRate":"fast","systolicBP":300,"temperature":1e999,"age":3}');
        expect(res.status).to.equal(400);
        expect(res.json()).to.deep.equal({
          error: 'invalid request',
          details: [
            { field: 'heartRate', message: 'must be a number between 20 and 250 bpm, got string' },
            { field: 'systolicBP', message: 'must be between 50 and 260 mmHg, got 300' },
            { field: 'diastolicBP', message: 'is required: a number between 20 and 160 mmHg' },
            { field: 'temperature', message: 'must be a finite number between 30 and 45 °C' },
            { field: 'oxygenSaturation', message: 'is required: a number between 50 and 100 %' },
            { field: 'age', message: 'is not a known field; allowed: heartRate, systolicBP, diastolicBP, temperature, oxygenSaturation' },
          ],
        });
      });

      it('rejects a body that is not an object (400)', async () => {
        for (const body of ['[1,2]', '42', 'null', '"x"']) {
          const res = await postJson(base, '/predict', body);
          expect(res.status, body).to.equal(400);
          expect((res.json().details as Array<{ field: string }>)[0]?.field).to.equal('body');
        }
      });

      it('rejects malformed and empty JSON (400)', async () => {
        for (const body of ['{"heartRate":', '']) {
          const res = await postJson(base, '/predict', body);
          expect(res.status).to.equal(400);
          expect(res.json().error).to.equal('malformed JSON');
        }
      });

      it('rejects a missing or non-JSON content type (415)', async () => {
        const types: Array<Record<string, string>> = [{}, { 'content-type': 'text/plain' }, { 'content-type': 'application/x-www-form-urlencoded' }];
        for (const headers of types) {
          const res = await send(base, '/predict', { method: 'POST', body: JSON.stringify(patient), headers });
          expect(res.status).to.equal(415);
          expect(res.json()).to.have.property('error', 'unsupported media type');
        }
      });

      it('rejects a body over the limit, declared or streamed (413)', async () => {
        const big = JSON.stringify({ ...patient, pad: 'x'.repeat(2000) });
        for (const chunked of [false, true]) {
          const res = await send(base, '/predict', { method: 'POST', body: big, headers: JSON_HEADERS, chunked });
          expect(res.status, `chunked ${chunked}`).to.equal(413);
          expect(res.json()).to.deep.equal({ error: 'payload too large', details: [{ field: 'body', message: 'must be at most 1024 bytes' }] });
        }
      });

      it('answers 405 with an Allow header to other methods', async () => {
        const res = await send(base, '/predict');
        expect(res.status).to.equal(405);
        expect(res.headers.allow).to.equal('POST');
        expect(res.json().error).to.equal('method not allowed');
      });
    });

    describe('POST /predict/batch', () => {
      it('answers predictions in request order, each equal to a single prediction', async () => {
        const instances = [patient, { ...patient, heartRate: 70, temperature: 37, oxygenSaturation: 98, systolicBP: 125 }, patient];
        const res = await postJson(base, '/predict/batch', { instances });
        expect(res.status).to.equal(200);
        expect(res.json()).to.deep.equal(JSON.parse(JSON.stringify({ predictions: instances.map((v) => predict(model, v)) })));
      });

      it('answers many concurrent batches each with its own predictions (response buffers are reused only once sent)', async () => {
        const batches = Array.from({ length: 12 }, (_, b) => Array.from({ length: 50 }, (_, i) => ({ ...patient, heartRate: 40 + b * 10 + (i % 7), temperature: 36 + (i % 5) / 2 })));
        const replies = await Promise.all(batches.map((instances) => postJson(base, '/predict/batch', { instances })));
        replies.forEach((res, b) => expect(res.json(), `batch ${b}`).to.deep.equal({ predictions: (batches[b] ?? []).map((v) => predict(model, v)) }));
      });

      it('names invalid rows by index (400)', async () => {
        const res = await postJson(base, '/predict/batch', { instances: [patient, { ...patient, oxygenSaturation: 101 }, 'x'] });
        expect(res.status).to.equal(400);
        expect((res.json().details as Array<{ field: string }>).map((d) => d.field)).to.deep.equal(['instances[1].oxygenSaturation', 'instances[2]']);
      });

      it('rejects more instances than the limit (400) and bodies over the batch limit (413)', async () => {
        const tooMany = await postJson(base, '/predict/batch', { instances: Array.from({ length: 51 }, () => patient) });
        expect(tooMany.status).to.equal(400);
        expect(tooMany.json().details).to.deep.equal([{ field: 'instances', message: 'must hold 1 to 50 patients, got 51' }]);
        const huge = await postJson(base, '/predict/batch', { instances: Array.from({ length: 1000 }, () => patient) });
        expect(huge.status).to.equal(413);
      });

      it('rejects a non-JSON content type (415)', async () => {
        const res = await send(base, '/predict/batch', { method: 'POST', body: '{}', headers: { 'content-type': 'text/csv' } });
        expect(res.status).to.equal(415);
      });
    });

    describe('operational routes', () => {
      it('answers /healthz with 200', async () => {
        const res = await send(base, '/healthz');
        expect([res.status, res.json()]).to.deep.equal([200, { status: 'ok' }]);
      });

      it('answers /readyz 200 when ready, 503 before and while shutting down', async () => {
        expect((await send(base, '/readyz')).status).to.equal(200);
        lifecycle.ready = false;
        const before = await send(base, '/readyz');
        expect(before.status).to.equal(503);
        expect(before.json().details).to.deep.equal([{ field: 'readiness', message: 'model not loaded or smoke prediction not yet passed' }]);
        lifecycle.ready = true;
        lifecycle.shuttingDown = true;
        const draining = await send(base, '/readyz');
        expect(draining.status).to.equal(503);
        expect(draining.headers.connection).to.equal('close');
      });

      it('serves the model card without raw weights', async () => {
        const card = (await send(base, '/model')).json();
        expect(card).to.include({ version: model.version, format: model.format });
        expect(card.classes).to.deep.equal(['Low', 'Medium', 'High']);
        expect(card.features).to.deep.equal(model.features);
        expect(card.metrics).to.deep.equal(model.metrics);
        expect(card.training).to.deep.equal(model.training);
        expect(card.transform).to.deep.equal(model.transform);
        expect(card.calibration).to.deep.equal(model.calibration);
        expect(card).to.not.have.property('thresholds');
      });

      it('reports status for the web page in /stats, counting requests', async () => {
        await postJson(base, '/predict', patient);
        const first = (await send(base, '/stats')).json();
        await postJson(base, '/predict', patient);
        const second = (await send(base, '/stats')).json();
        expect(first).to.include({ healthy: true, ready: true, modelVersion: model.version });
        expect(second.requestsServed).to.equal((first.requestsServed as number) + 2);
        const latency = second.latencyMs as { p50: number; p99: number };
        expect(latency.p50).to.be.above(0);
        expect(latency.p99).to.be.at.least(latency.p50);
        expect(second.uptimeSeconds).to.be.a('number');
      });

      it('exposes Prometheus metrics including the requests just made', async () => {
        await postJson(base, '/predict', patient);
        const res = await send(base, '/metrics');
        expect(res.status).to.equal(200);
        expect(res.headers['content-type']).to.match(/^text\/plain; version=0\.0\.4/);
        expect(res.text).to.match(/http_requests_total\{route="\/predict",method="POST",status="200"\} \d+/);
        expect(res.text).to.match(/predictions_total\{risk="High"\} \d+/);
        expect(res.text).to.contain(`model_info{version="${model.version}"`);
        expect(res.text).to.contain('process_cpu_seconds_total');
      });

      it('serves the web page and its assets with content types and revalidation', async () => {
        const page = await send(base, '/');
        expect(page.status).to.equal(200);
        expect(page.headers['content-type']).to.match(/^text\/html/);
        expect(page.headers['cache-control']).to.equal('no-cache');
        const script = await send(base, '/app.js');
        expect(script.headers['content-type']).to.match(/javascript/);
      });

      it('answers unknown routes with 404 JSON, whatever the method', async () => {
        for (const method of ['GET', 'POST']) {
          const res = await send(base, '/v2/predict', { method, body: '{}', headers: JSON_HEADERS });
          expect(res.status).to.equal(404);
          expect(res.json().error).to.equal('not found');
        }
      });

      it('answers a wrong method on a GET route with 405 and Allow: GET, HEAD', async () => {
        const res = await send(base, '/healthz', { method: 'DELETE' });
        expect(res.status).to.equal(405);
        expect(res.headers.allow).to.equal('GET, HEAD');
      });
    });

    describe('load accounting: the in-flight gauge, smoke requests and the drift window', () => {
      const metric = async (pattern: RegExp): Promise<number> => Number(pattern.exec((await send(base, '/metrics')).text)?.[1] ?? 0);
      const inFlight = () => metric(/^http_requests_in_flight (\d+)$/m);
      const driftRows = async (): Promise<number> => ((await send(base, '/drift')).json().window as { rows: number }).rows;
      const infer = { inputs: [{ name: 'vitals', shape: [2, 5], datatype: 'FP64', data: [120, 95, 60, 38.5, 92, 70, 120, 80, 37, 98] }] };
      const scoring: Array<[string, unknown, number]> = [
        ['/predict', patient, 1],
        ['/predict/batch', { instances: [patient, SMOKE_PATIENT, patient] }, 3],
        ['/v2/models/patient-risk/infer', infer, 2],
      ];

      for (const [path, body, rows] of scoring) {
        it(`feeds the ${rows} row(s) of POST ${path} to the drift window`, async () => {
          const before = await driftRows();
          expect((await postJson(base, path, body)).status).to.equal(200);
          expect(await driftRows()).to.equal(before + rows);
        });
      }

      it('feeds no rows from rejected requests, probes, /metrics or the model card', async () => {
        const before = await driftRows();
        await postJson(base, '/predict', { ...patient, heartRate: 999 });
        await postJson(base, '/predict/batch', { instances: [patient, { ...patient, heartRate: 'x' }] });
        for (const path of ['/healthz', '/readyz', '/metrics', '/model', '/v2/health/ready', '/v2/models/patient-risk']) await send(base, path);
        expect(await driftRows()).to.equal(before);
      });

      it('shows the drift report in the model card and the OIP model metadata', async () => {
        await postJson(base, '/predict', patient);
        const card = (await send(base, '/model')).json();
        expect(card.drift).to.deep.include({ available: true, psiFloor: 1e-4 });
        const parameters = (await send(base, '/v2/models/patient-risk')).json().parameters as Record<string, unknown>;
        expect(parameters).to.include({ input_drift: 'available', input_drift_window_capacity: 5000 });
        expect(parameters.input_drift_window_rows).to.be.above(0);
        expect(parameters.input_drift_psi_oxygenSaturation).to.be.a('number').and.at.least(0);
      });

      it('answers a smoke request as usual but counts it nowhere: request metrics, predictions, drift', async () => {
        const counters = async () => {
          const text = (await send(base, '/metrics')).text;
          const sum = (re: RegExp) => [...text.matchAll(re)].reduce((s, m) => s + Number(m[1]), 0);
          return {
            requests: sum(/^http_requests_total\{route="(?:\/predict|\/predict\/batch|\/v2\/models\/\{name\}\/infer|\/model)",.*\} (\d+)$/gm),
            durations: sum(/^http_request_duration_seconds_count\{route="(?:\/predict|\/predict\/batch|\/v2\/models\/\{name\}\/infer|\/model)",.*\} (\d+)$/gm),
            predictions: sum(/^predictions_total\{.*\} (\d+)$/gm),
            drift: await driftRows(),
          };
        };
        const before = await counters();
        const smoke = { ...JSON_HEADERS, [SMOKE_HEADER]: '1' };
        for (const [path, body] of scoring) {
          const res = await send(base, path, { method: 'POST', body: JSON.stringify(body), headers: smoke });
          const normal = await postJson(base, path, body);
          expect(res.status, path).to.equal(200);
          expect(res.text, path).to.equal(normal.text);
        }
        expect((await send(base, '/model', { headers: { [SMOKE_HEADER]: 'operator' } })).status).to.equal(200);
        const after = await counters();
        // Only the three normal requests (and their six rows) were counted.
        expect(after).to.deep.equal({ requests: before.requests + 3, durations: before.durations + 3, predictions: before.predictions + 6, drift: before.drift + 6 });
      });

      it('counts a prediction in flight while its body is still arriving, and not the /metrics request itself', async () => {
        expect(await inFlight()).to.equal(0);
        const req = http.request(`${base}/predict`, { method: 'POST', headers: JSON_HEADERS, agent: false });
        const answered = new Promise<number>((resolve, reject) => {
          req.on('response', (res) => (res.resume(), resolve(res.statusCode ?? 0)));
          req.on('error', reject);
        });
        req.write(JSON.stringify(patient).slice(0, 10));
        await waitUntil(async () => (await inFlight()) === 1);
        req.end(JSON.stringify(patient).slice(10));
        expect(await answered).to.equal(200);
        expect(await inFlight()).to.equal(0);
      });

      it('takes every other route out of flight once answered (model card, examples, 404, 405, static files)', async () => {
        for (const path of ['/model', '/drift', '/examples?count=3', '/nowhere', '/', '/openapi.json']) await send(base, path);
        await send(base, '/healthz', { method: 'DELETE' });
        await postJson(base, '/predict', '{');
        expect(await inFlight()).to.equal(0);
      });

      it('takes a request out of flight when its client breaks off', async () => {
        const req = http.request(`${base}/predict/batch`, { method: 'POST', headers: JSON_HEADERS, agent: false });
        req.on('error', () => undefined);
        req.write('{"instances":[');
        await waitUntil(async () => (await inFlight()) === 1);
        req.destroy();
        await waitUntil(async () => (await inFlight()) === 0);
      });

      it('does not count a smoke request in flight', async () => {
        const req = http.request(`${base}/predict`, { method: 'POST', headers: { ...JSON_HEADERS, [SMOKE_HEADER]: '1' }, agent: false });
        const answered = new Promise<void>((resolve) => req.on('response', (res) => (res.resume(), resolve())));
        req.write('{"heartRate":');
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(await inFlight()).to.equal(0);
        req.end('120,"systolicBP":95,"diastolicBP":60,"temperature":38.5,"oxygenSaturation":92}');
        await answered;
      });
    });

    it('never answers 5xx to hostile input', async () => {
      const bodies = ['{"__proto__":{"x":1}}', '{"constructor":{}}', '\u0000', '{"heartRate":1e309}', '[]'.repeat(100), '{"instances":{"length":5}}'];
      for (const path of ['/predict', '/predict/batch']) {
        for (const body of bodies) {
          const res = await postJson(base, path, body);
          expect(res.status, `${path} ${body}`).to.be.within(400, 499);
        }
      }
    });
  });
}

describe('request logging', () => {
  it('writes one JSON line a request at debug level', async () => {
    const lines: string[] = [];
    const stream = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) });
    const logger = winston.createLogger({ level: 'debug', format: winston.format.json(), transports: [new winston.transports.Stream({ stream })] });
    const { server } = createInferenceServer(model, { logger, telemetry: new Telemetry(model, { processMetrics: false }), lifecycle: { ready: true, shuttingDown: false, startedAt: 0 } });
    const base = await listenOn(server);
    await postJson(base, '/predict', patient);
    await send(base, '/healthz');
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries.map((e) => [e.message, e.path, e.status])).to.deep.equal([
      ['request', '/predict', 200],
      ['request', '/healthz', 200],
    ]);
  });
});

describe('batch answers for a model with non-ASCII class names', () => {
  it('are valid UTF-8 JSON equal to single predictions', async () => {
    const renamed = withVersion({ ...model, classes: ['Niedrig', 'Mäßig', 'Hoch'] });
    const { server } = createInferenceServer(renamed, { telemetry: new Telemetry(renamed, { processMetrics: false }), lifecycle: { ready: true, shuttingDown: false, startedAt: 0 } });
    const base = await listenOn(server);
    const instances = Array.from({ length: 300 }, (_, i) => ({ ...patient, heartRate: 60 + (i % 100) }));
    const res = await postJson(base, '/predict/batch', { instances });
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(res.status).to.equal(200);
    expect(res.json()).to.deep.equal(JSON.parse(JSON.stringify({ predictions: instances.map((v) => predict(renamed, v)) })));
    expect(res.text).to.contain('Mäßig');
  });
});

// Regression: a model whose scores overflow to ∞ − ∞ was answered 200 with null numbers on
// /predict and /predict/batch, and 200 with the NaN written as 0 on v2 infer.
describe('a model that produces non-finite scores for some patients', () => {
  const faulty = parseModel(JSON.parse(errorProneArtifact(readFileSync(new URL('../testdata/model-v1-raw-features.json', import.meta.url), 'utf8'))));
  const smokePatient = SMOKE_PATIENT;
  const infer = { inputs: [{ name: 'vitals', shape: [1, 5], datatype: 'FP64', data: [[80, 120, 80, 37, 97]] }] };
  const builds: Array<[string, (lifecycle: Lifecycle) => http.Server]> = [
    ['express app (createApp)', (lifecycle) => http.createServer(createApp(faulty, { lifecycle, limits, modelName: 'risk' }))],
    ['fast-path server (createInferenceServer)', (lifecycle) => createInferenceServer(faulty, { lifecycle, limits, modelName: 'risk' }).server],
  ];

  it('passes the server smoke prediction, so its pods turn Ready', () => {
    expect(() => smokePrediction(faulty)).not.to.throw();
  });

  for (const [variant, build] of builds) {
    describe(`via the ${variant}`, () => {
      let server: http.Server;
      let base: string;
      before(async () => {
        server = build({ ready: true, shuttingDown: false, startedAt: 0 });
        base = await listenOn(server);
      });
      after(() => new Promise<void>((resolve) => server.close(() => resolve())));

      it('answers the smoke patient with finite probabilities', async () => {
        const res = await postJson(base, '/predict', smokePatient);
        expect(res.status).to.equal(200);
        expect(Object.values(res.json().probabilities as Record<string, number>).every(Number.isFinite)).to.equal(true);
      });

      it('answers 500 "the model produced a non-finite score" on /predict, /predict/batch and both v2 infer routes, whatever the outputs asked', async () => {
        const answers = [
          await postJson(base, '/predict', patient),
          await postJson(base, '/predict', { ...smokePatient, heartRate: 90 }),
          await postJson(base, '/predict/batch', { instances: [smokePatient, patient] }),
          await postJson(base, '/v2/models/risk/infer', infer),
          await postJson(base, `/v2/models/risk/versions/${faulty.version}/infer`, infer),
          await postJson(base, '/v2/models/risk/infer', { ...infer, outputs: [{ name: 'risk' }] }),
        ];
        expect(answers.map((r) => [r.status, r.json().error])).to.deep.equal(Array(6).fill([500, 'the model produced a non-finite score']));
      });

      it('counts those answers as 5xx in its metrics', async () => {
        await postJson(base, '/predict', patient);
        const metrics = await send(base, '/metrics');
        expect(metrics.text).to.match(/http_requests_total\{route="\/predict",method="POST",status="500"\} [1-9]/);
      });
    });
  }
});
