// The Open Inference Protocol (V2) REST routes, on both server paths, checked against the
// response shapes of the protocol's specification (kserve/open-inference-protocol,
// inference_rest.md), restated here from the spec text rather than copied from our code.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { DEFAULT_LIMITS } from '../config.js';
import { asServed } from '../compiled-model.js';
import { defaultModel } from '../default-model.js';
import { SERVER_VERSION } from '../oip/metadata.js';
import { predict } from '../predict.js';
import type { Vitals } from '../schema.js';
import { createInferenceServer } from '../server.js';
import { createApp } from './app.js';
import type { Lifecycle } from './context.js';

const model = defaultModel();
const NAME = 'sepsis-watch';
const limits = { ...DEFAULT_LIMITS, batchMaxInstances: 50 };
const rows: Vitals[] = [
  { heartRate: 120, systolicBP: 95, diastolicBP: 60, temperature: 38.5, oxygenSaturation: 92 },
  { heartRate: 72, systolicBP: 125, diastolicBP: 80, temperature: 36.9, oxygenSaturation: 98 },
  { heartRate: 135, systolicBP: 88, diastolicBP: 55, temperature: 39.4, oxygenSaturation: 88 },
];
const asRow = (v: Vitals): number[] => [v.heartRate, v.systolicBP, v.diastolicBP, v.temperature, v.oxygenSaturation];

// --- Shapes from the specification -------------------------------------------------------
type Json = Record<string, unknown>;
const isStringArray = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isShape = (v: unknown): boolean => Array.isArray(v) && v.every((x) => Number.isInteger(x));

/** $metadata_server_response = { "name": $string, "version": $string, "extensions": [$string, ...] } */
function specServerMetadata(b: Json): void {
  expect(b.name).to.be.a('string');
  expect(b.version).to.be.a('string');
  expect(isStringArray(b.extensions), 'extensions').to.be.true;
}

/** $metadata_tensor = { "name": $string, "datatype": $string, "shape": [$number, ...] }, -1 for variable dims. */
function specTensorMetadata(t: Json): void {
  expect(t.name).to.be.a('string');
  expect(t.datatype).to.be.oneOf(['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES']);
  expect(isShape(t.shape), 'shape').to.be.true;
}

/** $metadata_model_response = { "name", "versions" #optional, "platform", "inputs": [$metadata_tensor], "outputs": [$metadata_tensor] } */
function specModelMetadata(b: Json): void {
  expect(b.name).to.be.a('string');
  expect(b.platform).to.be.a('string');
  if (b.versions !== undefined) expect(isStringArray(b.versions)).to.be.true;
  for (const t of [...(b.inputs as Json[]), ...(b.outputs as Json[])]) specTensorMetadata(t);
}

/** $inference_response = { "model_name", "model_version" #optional, "id", "outputs": [$response_output] }, data row-major, shape matching. */
function specInferenceResponse(b: Json): void {
  expect(b.model_name).to.be.a('string');
  if (b.model_version !== undefined) expect(b.model_version).to.be.a('string');
  for (const o of b.outputs as Json[]) {
    expect(o.name).to.be.a('string');
    specTensorMetadata(o);
    const count = (o.shape as number[]).reduce((a, d) => a * d, 1);
    expect((o.data as unknown[]).flat(Infinity), `${String(o.name)} data`).to.have.length(count);
  }
}

/** $inference_error_response = { "error": <error message string> } */
const specError = (b: Json): void => void expect(b.error).to.be.a('string').and.not.equal('');

// --- Client ------------------------------------------------------------------------------
interface Reply {
  status: number;
  body: Json;
}

function call(base: string, path: string, body?: unknown): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const headers = text === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) };
    const req = http.request(`${base}${path}`, { method: text === undefined ? 'GET' : 'POST', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json }));
    });
    req.on('error', reject);
    req.end(text);
  });
}

const output = (b: Json, name: string): Json | undefined => (b.outputs as Json[]).find((o) => o.name === name);
const matrixInput = (data: unknown, shape = [rows.length, 5], datatype = 'FP64') => ({ inputs: [{ name: 'vitals', shape, datatype, data }] });
const columnInputs = (datatype = 'FP64') => ({
  inputs: model.features.map((f) => ({ name: f.name, shape: [rows.length], datatype, data: rows.map((r) => r[f.name]) })),
});

const variants: Array<[string, (lifecycle: Lifecycle) => http.Server]> = [
  ['express app (createApp)', (lifecycle) => http.createServer(createApp(model, { lifecycle, limits, modelName: NAME }))],
  ['fast-path server (createInferenceServer)', (lifecycle) => createInferenceServer(model, { lifecycle, limits, modelName: NAME }).server],
];

for (const [variant, build] of variants) {
  describe(`Open Inference Protocol via the ${variant}`, () => {
    let server: http.Server;
    let base: string;
    const lifecycle: Lifecycle = { ready: true, shuttingDown: false, startedAt: 0 };
    before(async () => {
      server = build(lifecycle);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));
    afterEach(() => Object.assign(lifecycle, { ready: true, shuttingDown: false }));

    it('describes the server at GET /v2 as the spec shapes it, with the package version', async () => {
      const { status, body } = await call(base, '/v2');
      expect(status).to.equal(200);
      specServerMetadata(body);
      const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
      expect(body).to.deep.equal({ name: 'riskmodel-inference', version: pkg.version, extensions: [] });
      expect(SERVER_VERSION).to.equal(pkg.version);
    });

    it('answers live, and ready only while ready and not draining', async () => {
      expect(await call(base, '/v2/health/live')).to.deep.equal({ status: 200, body: { live: true } });
      expect(await call(base, '/v2/health/ready')).to.deep.equal({ status: 200, body: { ready: true } });
      for (const path of [`/v2/models/${NAME}/ready`, `/v2/models/${NAME}/versions/${model.version}/ready`]) {
        expect(await call(base, path)).to.deep.equal({ status: 200, body: { name: NAME, ready: true } });
        lifecycle.ready = false;
        expect((await call(base, path)).status, 'before the smoke prediction').to.equal(503);
        lifecycle.ready = true;
        lifecycle.shuttingDown = true;
        const draining = await call(base, path);
        expect(draining.status, 'draining').to.equal(503);
        specError(draining.body);
        expect((await call(base, '/v2/health/ready')).status).to.equal(503);
        lifecycle.shuttingDown = false;
      }
    });

    it('gives model metadata with the name, version, feature order, units, ranges and outputs', async () => {
      for (const path of [`/v2/models/${NAME}`, `/v2/models/${NAME}/versions/${model.version}`]) {
        const { status, body } = await call(base, path);
        expect(status).to.equal(200);
        specModelMetadata(body);
        expect(body).to.include({ name: NAME });
        expect(body.versions).to.deep.equal([model.version]);
        const inputs = body.inputs as Json[];
        expect(inputs[0]).to.deep.include({ name: 'vitals', datatype: 'FP64', shape: [-1, 5] });
        expect((inputs[0]?.parameters as Json).features).to.equal('heartRate,systolicBP,diastolicBP,temperature,oxygenSaturation');
        expect(inputs[1]).to.deep.equal({ name: 'heartRate', datatype: 'FP64', shape: [-1], parameters: { unit: 'bpm', min: 20, max: 250, description: 'Pulse rate' } });
        expect((body.outputs as Json[]).map((o) => [o.name, o.datatype, o.shape])).to.deep.equal([
          ['risk', 'BYTES', [-1]],
          ['confidence', 'FP64', [-1]],
          ['probabilities', 'FP64', [-1, 3]],
        ]);
      }
    });

    it('answers 404 naming the served model for an unknown model or version', async () => {
      for (const path of ['/v2/models/other', '/v2/models/other/ready', `/v2/models/${NAME}/versions/v9`, `/v2/models/${NAME}/versions/v9/ready`]) {
        const { status, body } = await call(base, path);
        expect(status, path).to.equal(404);
        specError(body);
      }
      const infer = await call(base, '/v2/models/other/infer', matrixInput(rows.map(asRow)));
      expect(infer.status).to.equal(404);
      expect(infer.body.error).to.equal(`unknown model "other"; this server serves "${NAME}"`);
      expect((await call(base, `/v2/models/${NAME}/versions/v9/infer`, matrixInput(rows.map(asRow)))).status).to.equal(404);
    });

    it('infers an [N, 5] FP64 input, nested or flat, equal to /predict, echoing the id', async () => {
      const nested = await call(base, `/v2/models/${NAME}/infer`, { id: 'req-7', ...matrixInput(rows.map(asRow)) });
      const flat = await call(base, `/v2/models/${NAME}/versions/${model.version}/infer`, { id: 'req-7', ...matrixInput(rows.flatMap(asRow)) });
      expect(nested.status).to.equal(200);
      specInferenceResponse(nested.body);
      expect(flat.body).to.deep.equal(nested.body);
      expect(nested.body).to.include({ model_name: NAME, model_version: model.version, id: 'req-7' });
      const expected = rows.map((r) => predict(model, r));
      expect(output(nested.body, 'risk')).to.deep.equal({ name: 'risk', datatype: 'BYTES', shape: [3], data: expected.map((p) => p.risk) });
      expect(output(nested.body, 'confidence')).to.deep.equal({ name: 'confidence', datatype: 'FP64', shape: [3], data: expected.map((p) => asServed(p.confidence)) });
      expect(output(nested.body, 'probabilities')).to.deep.equal({
        name: 'probabilities',
        datatype: 'FP64',
        shape: [3, 3],
        parameters: { classes: 'Low,Medium,High' },
        data: expected.flatMap((p) => model.classes.map((c) => asServed(p.probabilities[c] ?? NaN))),
      });
    });

    it('infers one [N] input per feature, in FP32 or an integer type where the values are whole, like the matrix form', async () => {
      const matrix = await call(base, `/v2/models/${NAME}/infer`, matrixInput(rows.map(asRow)));
      expect((await call(base, `/v2/models/${NAME}/infer`, columnInputs('FP32'))).body).to.deep.equal(matrix.body);
      const whole = rows.map((r) => ({ ...r, temperature: Math.round(r.temperature) }));
      const ints = { inputs: model.features.map((f) => ({ name: f.name, shape: [whole.length], datatype: 'INT32', data: whole.map((r) => r[f.name]) })) };
      const res = await call(base, `/v2/models/${NAME}/infer`, ints);
      expect(res.status).to.equal(200);
      expect(output(res.body, 'risk')?.data).to.deep.equal(whole.map((r) => predict(model, r).risk));
      const fractional = await call(base, `/v2/models/${NAME}/infer`, columnInputs('INT64'));
      expect(fractional.status).to.equal(400);
      expect((fractional.body.details as Json[])[0]).to.deep.equal({ field: 'temperature[0]', message: 'must be an integer for an integer datatype, got 38.5' });
    });

    it('returns only the outputs the request names, in the model order', async () => {
      const res = await call(base, `/v2/models/${NAME}/infer`, { ...matrixInput(rows.map(asRow)), outputs: [{ name: 'probabilities' }, { name: 'risk' }] });
      expect((res.body.outputs as Json[]).map((o) => o.name)).to.deep.equal(['risk', 'probabilities']);
      const bad = await call(base, `/v2/models/${NAME}/infer`, { ...matrixInput(rows.map(asRow)), outputs: [{ name: 'logits' }] });
      expect(bad.status).to.equal(400);
      expect(bad.body.details).to.deep.equal([{ field: 'outputs[0].name', message: 'must be one of risk, confidence, probabilities, got "logits"' }]);
    });

    it('names the input, row, feature and allowed range of every bad value at once (400)', async () => {
      const data = [asRow(rows[0] as Vitals), [300, 95, 60, 38.5, 92], [72, 120, 130, 'hot', 98]];
      const res = await call(base, `/v2/models/${NAME}/infer`, matrixInput(data));
      expect(res.status).to.equal(400);
      specError(res.body);
      expect(res.body.error).to.equal('invalid inference request: vitals[1].heartRate must be between 20 and 250 bpm, got 300 (and 2 more problems, listed in details)');
      expect(res.body.details).to.deep.equal([
        { field: 'vitals[1].heartRate', message: 'must be between 20 and 250 bpm, got 300' },
        { field: 'vitals[2].temperature', message: 'must be a number between 30 and 45 °C, got string' },
        { field: 'vitals[2].diastolicBP', message: 'must be below systolicBP (120 mmHg), got 130' },
      ]);
    });

    const malformed: Array<[string, unknown, string]> = [
      ['no inputs', { inputs: [] }, 'inputs'],
      ['a wrong width', matrixInput([[1, 2, 3]], [1, 3]), 'vitals.shape'],
      ['data that does not fill the shape', matrixInput([1, 2, 3], [1, 5]), 'vitals.data'],
      ['an unsupported datatype', matrixInput(rows.map(asRow), [3, 5], 'BYTES'), 'vitals.datatype'],
      ['more rows than allowed', matrixInput(Array.from({ length: 51 }, () => asRow(rows[0] as Vitals)), [51, 5]), 'vitals.shape'],
      ['a missing per-feature input', { inputs: columnInputs().inputs.slice(1) }, 'heartRate'],
      ['an unknown input', { inputs: [...columnInputs().inputs, { name: 'age', shape: [3], datatype: 'FP64', data: [1, 2, 3] }] }, 'age'],
      ['a numeric id', { id: 7, ...matrixInput(rows.map(asRow)) }, 'id'],
    ];
    for (const [what, body, field] of malformed) {
      it(`rejects ${what} with a 400 naming ${field}`, async () => {
        const res = await call(base, `/v2/models/${NAME}/infer`, body);
        expect(res.status).to.equal(400);
        specError(res.body);
        expect((res.body.details as Json[]).map((d) => d.field)).to.include(field);
      });
    }

    it('rejects malformed JSON and a non-JSON body like the other routes', async () => {
      expect((await call(base, `/v2/models/${NAME}/infer`, '{"inputs":')).status).to.equal(400);
    });
  });
}
