import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { defaultModel } from './default-model.js';
import { RAW_TRANSFORM, transformOf } from './features.js';
import { loadModelFile, MODEL_FORMAT, MODEL_FORMAT_V1, ModelLoadError, parseModel, withVersion, type Model } from './model.js';
import { predict } from './predict.js';

/** A raw-feature artifact written by `npm run train` before format v2. */
const V1_FIXTURE = fileURLToPath(new URL('./testdata/model-v1-raw-features.json', import.meta.url));

const clone = (m: Model): Record<string, unknown> => JSON.parse(JSON.stringify(m)) as Record<string, unknown>;
type Reference = { rows: number; features: Array<{ name: string; min: number; edges: number[]; fractions: number[] }>; classFractions: number[] };
const ref = (m: Record<string, unknown>): Reference => m.reference as Reference;

describe('model artifact', () => {
  const model = defaultModel();
  const dir = mkdtempSync(join(tmpdir(), 'riskmodel-model-'));

  it('round-trips through a JSON file unchanged', () => {
    const path = join(dir, 'model.json');
    writeFileSync(path, JSON.stringify(model, null, 2));
    expect(loadModelFile(path)).to.deep.equal(model);
  });

  it('keeps the version when only key order changes', () => {
    const reordered = Object.fromEntries(Object.entries(clone(model)).reverse());
    expect(parseModel(reordered).version).to.equal(model.version);
  });

  const broken: Array<[string, (m: Record<string, unknown>) => void, RegExp]> = [
    ['an unknown format', (m) => (m.format = 'other/v9'), /format: expected "riskmodel\.ordinal-logistic-regression\/v2" \(or the older "riskmodel\.ordinal-logistic-regression\/v1"\), got "other\/v9"; retrain with `npm run train -- --out model\.json`/],
    ['a hand-edited weight (version no longer matches)', (m) => ((m.thresholds as Array<{ intercept: number }>)[0]!.intercept = 3), /version: file says sha256-\w+ but its content hashes to sha256-\w+/],
    ['a missing feature', (m) => (m.features as unknown[]).pop(), /features: expected 5 entries/],
    ['a renamed feature', (m) => ((m.features as Array<{ name: string }>)[0]!.name = 'pulse'), /features\[0\]\.name: expected "heartRate"/],
    ['a zero standard deviation', (m) => ((m.standardization as { std: number[] }).std[1] = 0), /standardization\.std: every entry must be > 0/],
    ['a wrong number of class boundaries', (m) => (m.thresholds as unknown[]).pop(), /thresholds: expected one entry per class boundary \(2\)/],
    ['a non-numeric weight', (m) => ((m.thresholds as Array<{ weights: unknown[] }>)[1]!.weights[0] = 'x'), /thresholds\[1\]: expected \{intercept, weights\[2\]\}/],
    ['no accuracy', (m) => delete (m.metrics as Record<string, unknown>).accuracy, /metrics\.accuracy: expected a number in \[0, 1\]/],
    ['a drift reference that is not an object', (m) => (m.reference = [1, 2]), /reference: expected \{rows, bins, features, classFractions\} \(or no reference at all\)/],
    ['a drift reference of no rows', (m) => (ref(m).rows = 0), /reference\.rows: expected a whole number ≥ 1/],
    ['a drift reference missing a feature', (m) => ref(m).features.pop(), /reference\.features: expected 5 entries \(heartRate, systolicBP, diastolicBP, temperature, oxygenSaturation\)/],
    ['a drift reference with features out of order', (m) => ref(m).features.reverse(), /reference\.features\[0\]\.name: expected "heartRate"/],
    ['descending bin edges', (m) => ref(m).features[1]!.edges.reverse(), /reference\.features\[1\]\.edges: expected at most 99 finite numbers in strictly ascending order/],
    ['one bin fraction too few', (m) => ref(m).features[2]!.fractions.pop(), /reference\.features\[2\]\.fractions: expected 10 fractions in \[0, 1\]/],
    ['bin fractions that do not sum to 1', (m) => (ref(m).features[3]!.fractions[0]! += 0.1), /reference\.features\[3\]\.fractions: fractions must sum to 1/],
    ['a training range upside down', (m) => (ref(m).features[4]!.min = 1000), /reference\.features\[4\]: needs finite min ≤ max \(the training range\)/],
    ['class fractions for the wrong number of classes', (m) => ref(m).classFractions.pop(), /reference\.classFractions: expected 3 fractions in \[0, 1\]/],
  ];
  for (const [name, breakIt, message] of broken) {
    it(`rejects ${name} with a message saying what is wrong`, () => {
      const json = clone(model);
      breakIt(json);
      expect(() => parseModel(json, 'test.json')).to.throw(ModelLoadError, message);
    });
  }

  it('lists every problem at once', () => {
    const json = clone(model);
    json.format = 'x';
    json.classes = [];
    try {
      parseModel(json);
      expect.fail('parseModel accepted a broken model');
    } catch (err) {
      expect((err as ModelLoadError).problems.length).to.be.at.least(2);
    }
  });

  it('names the path when the file is missing or not JSON', () => {
    expect(() => loadModelFile(join(dir, 'absent.json'))).to.throw(/absent\.json: cannot read file/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"format":');
    expect(() => loadModelFile(bad)).to.throw(/bad\.json: not valid JSON/);
  });

  it('loads a format-v1 raw-feature artifact and serves exactly what it served before v2 existed', () => {
    const v1 = loadModelFile(V1_FIXTURE);
    expect(v1.format).to.equal(MODEL_FORMAT_V1);
    expect(v1.version).to.equal('sha256-0dc7bc8ee4615e00');
    expect(transformOf(v1)).to.deep.equal(RAW_TRANSFORM);
    // Recorded with the v1 code (commit f53fa2c) from this file.
    expect(predict(v1, { heartRate: 118, systolicBP: 96, diastolicBP: 61, temperature: 38.4, oxygenSaturation: 93 })).to.deep.equal({
      risk: 'Medium',
      confidence: 0.4471813767210413,
      probabilities: { Low: 0.15418001608793552, Medium: 0.4471813767210413, High: 0.3986386071910232 },
      contributions: { heartRate: 0.14963347204914945, systolicBP: 0.29386263393745315, diastolicBP: 0.02668041328434442, temperature: 0.2560820745524897, oxygenSaturation: 0.2737414061765633 },
      modelVersion: 'sha256-0dc7bc8ee4615e00',
    });
  });

  it('refuses a v1 artifact that carries v2 parts, saying which format to write', () => {
    const json = JSON.parse(readFileSync(V1_FIXTURE, 'utf8')) as Record<string, unknown>;
    json.transform = model.transform;
    expect(() => parseModel(json, 'old.json')).to.throw(ModelLoadError, /transform: not part of format "riskmodel\.ordinal-logistic-regression\/v1" \(write "riskmodel\.ordinal-logistic-regression\/v2"\)/);
  });

  it('refuses a v2 artifact without its transform or calibration', () => {
    const json = clone(model);
    delete json.transform;
    delete json.calibration;
    expect(() => parseModel(json, 'm.json')).to.throw(ModelLoadError, /transform: expected the feature transform.*calibration: expected \{method/);
  });

  it('round-trips the transform, calibration and evaluation of a v2 artifact', () => {
    const back = parseModel(JSON.parse(JSON.stringify(model)));
    expect(back.format).to.equal(MODEL_FORMAT);
    expect(back.transform).to.deep.equal(model.transform);
    expect(back.calibration).to.deep.equal(model.calibration);
    expect(back.metrics.reliability).to.deep.equal(model.metrics.reliability);
    expect(back.metrics.ceiling?.accuracy).to.equal(model.metrics.ceiling?.accuracy);
  });

  it('accepts an edited model once its version is recomputed', () => {
    const edited = withVersion({ ...model, thresholds: model.thresholds.map((t) => ({ ...t, intercept: t.intercept + 1 })) });
    expect(parseModel(clone(edited)).version).to.not.equal(model.version);
  });
});

describe('model artifact: drift reference', () => {
  const model = defaultModel();

  it('is written by training: ten quantile bins a feature (fewer where values tie), the training range, the predicted class shares', () => {
    const reference = model.reference;
    expect(reference?.rows).to.equal(model.training.trainSize);
    expect(reference?.bins).to.equal(10);
    expect(reference?.features.map((f) => f.name)).to.deep.equal(model.features.map((f) => f.name));
    for (const f of reference?.features ?? []) {
      expect(f.edges.length, f.name).to.be.within(1, 9);
      expect(f.fractions.reduce((s, x) => s + x, 0), f.name).to.be.closeTo(1, 1e-9);
      expect(f.min, f.name).to.be.at.most(f.edges[0] as number);
    }
    expect(reference?.classFractions.reduce((s, x) => s + x, 0)).to.be.closeTo(1, 1e-9);
  });

  it('is optional: an artifact without it still loads (drift is then reported as unavailable)', () => {
    const { reference: _dropped, version: _v, ...rest } = model;
    const old = withVersion(rest);
    expect(parseModel(JSON.parse(JSON.stringify(old))).reference).to.equal(undefined);
    expect(loadModelFile(V1_FIXTURE).reference).to.equal(undefined);
  });
});
