import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { withDefaults } from '../api/riskmodel.js';
import { TerminalError } from '../errors.js';
import { resolveModel } from './model-source.js';
import { sha256 } from '../model/hash.js';
import { modelVersionOf } from '../model/served.js';
import { Reason } from '../api/reasons.js';
import { configMap, modelArtifact, riskModel, TEST_IMAGE } from '../testing/fixtures.js';

const spec = withDefaults(riskModel({ model: { version: 'v3', configMapRef: { name: 'risk-model' } } }).spec, TEST_IMAGE);

function problem(fn: () => unknown): TerminalError {
  try {
    fn();
  } catch (err) {
    if (err instanceof TerminalError) return err;
    throw err;
  }
  throw new Error('expected a TerminalError');
}

describe('model source', () => {
  it('uses the image model when no ConfigMap is referenced', () => {
    const plain = withDefaults(riskModel().spec, TEST_IMAGE);
    expect(resolveModel(plain, 'team-a', undefined)).to.deep.equal({ source: 'image' });
  });

  it('resolves a valid artifact with the hash of its bytes and the key defaulting to model.json', () => {
    const text = modelArtifact();
    const model = resolveModel(spec, 'team-a', configMap('risk-model', { 'model.json': text }));
    expect(model).to.include({ source: 'configMap', configMapName: 'risk-model', key: 'model.json', contentHash: sha256(text) });
  });

  const failures: [string, Record<string, string> | undefined, string, RegExp][] = [
    ['reports a missing ConfigMap by name and field', undefined, Reason.ConfigMapNotFound, /ConfigMap team-a\/risk-model \(spec.model.configMapRef.name\) does not exist/],
    ['reports a missing key and lists the keys that exist', { 'other.json': '{}' }, Reason.ModelKeyNotFound, /no key "model.json".*it has: other.json/],
    ['refuses text that is not JSON', { 'model.json': 'not json' }, Reason.InvalidModel, /not valid JSON/],
    ['refuses JSON that is not a model, naming what is wrong', { 'model.json': '{"classes": []}' }, Reason.InvalidModel, /invalid model artifact ConfigMap team-a\/risk-model key model.json: .*classes/],
  ];
  for (const [name, data, reason, message] of failures) {
    it(name, () => {
      const err = problem(() => resolveModel(spec, 'team-a', data && configMap('risk-model', data)));
      expect(err.reason).to.equal(reason);
      expect(err.message).to.match(message);
    });
  }

  it('refuses an artifact edited after training (its version no longer matches its content)', () => {
    const edited = JSON.parse(modelArtifact()) as { classes: string[] };
    edited.classes = [...edited.classes].reverse();
    const err = problem(() => resolveModel(spec, 'team-a', configMap('risk-model', { 'model.json': JSON.stringify(edited) })));
    expect(err.reason).to.equal(Reason.InvalidModel);
  });

  it('accepts a format-v1 raw-feature artifact, which the inference server still serves', () => {
    const text = readFileSync(new URL('../../inference/testdata/model-v1-raw-features.json', import.meta.url), 'utf8');
    const model = resolveModel(spec, 'team-a', configMap('risk-model', { 'model.json': text }));
    expect(model).to.include({ source: 'configMap', artifactVersion: 'sha256-0dc7bc8ee4615e00' });
  });

  it('refuses an artifact whose feature transform is broken, naming the field', () => {
    const broken = JSON.parse(modelArtifact()) as { transform: { bands: Record<string, unknown> } };
    delete broken.transform.bands.temperature;
    const err = problem(() => resolveModel(spec, 'team-a', configMap('risk-model', { 'model.json': JSON.stringify(broken) })));
    expect(err.reason).to.equal(Reason.InvalidModel);
    expect(err.message).to.match(/transform\.bands\.temperature: expected a list of \[upper bound, points\] bands/);
  });

  it('labels the model version with the user version and 8 hex digits of the content', () => {
    const model = resolveModel(spec, 'team-a', configMap('risk-model', { 'model.json': modelArtifact() }));
    expect(modelVersionOf(spec, model)).to.equal(`v3-${sha256(modelArtifact()).slice(0, 8)}`);
    expect(modelVersionOf(withDefaults(riskModel().spec, TEST_IMAGE), { source: 'image' })).to.match(/^v1-[0-9a-f]{8}$/);
  });
});
