import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { defaultModel } from './default-model.js';
import { loadModelFile, ModelLoadError, parseModel, withVersion, type Model } from './model.js';

const clone = (m: Model): Record<string, unknown> => JSON.parse(JSON.stringify(m)) as Record<string, unknown>;

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

  it('accepts an edited model once its version is recomputed', () => {
    const edited = withVersion({ ...model, thresholds: model.thresholds.map((t) => ({ ...t, intercept: t.intercept + 1 })) });
    expect(parseModel(clone(edited)).version).to.not.equal(model.version);
  });
});
