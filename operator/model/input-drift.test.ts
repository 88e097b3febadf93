import { expect } from 'chai';
import { defaultModel } from '../../inference/default-model.js';
import { DriftMonitor } from '../../inference/drift/monitor.js';
import { psi } from '../../inference/drift/psi.js';
import { patientSource } from '../../inference/generator.js';
import { predict } from '../../inference/predict.js';
import type { Vitals } from '../../inference/schema.js';
import { DEFAULTS } from '../api/riskmodel.js';
import { combineDrift, driftVerdict, podDriftOf, type DriftFigures, type PodDrift } from './input-drift.js';

const model = defaultModel();
const spec = { ...DEFAULTS.drift };
const NOW = '2026-05-01T00:00:00Z';

/** What a pod running the default model reports after scoring `rows` patients of `seed`, shifted by `shift`. */
function podReport(rows: number, seed: number, shift: (v: Vitals) => Vitals = (v) => v): PodDrift {
  const monitor = new DriftMonitor(model, rows);
  const next = patientSource(seed);
  for (let i = 0; i < rows; i++) {
    const v = shift(next());
    monitor.observe(v, model.classes.indexOf(predict(model, v).risk));
  }
  return podDriftOf(JSON.parse(JSON.stringify(monitor.report())))!;
}

const lowOxygen = (v: Vitals): Vitals => ({ ...v, oxygenSaturation: v.oxygenSaturation - 4 });

describe('input drift over the pods (combineDrift)', () => {
  it('sums the pods\' windows as counts: PSI is that of their rows together, as the inference server computes it', () => {
    const a = podReport(600, 1, lowOxygen);
    const b = podReport(400, 2);
    const figures = combineDrift([a, b]);
    expect(figures).to.include({ pods: 2, rows: 1000 });
    const oxygen = (r: PodDrift) => (r.available ? r.features.find((f) => f.name === 'oxygenSaturation')! : undefined)!;
    const counts = oxygen(a).recent.map((f, i) => f * 600 + oxygen(b).recent[i]! * 400);
    const expected = Math.round(psi(oxygen(a).training, counts) * 100) / 100;
    expect(figures.features.find((f) => f.name === 'oxygenSaturation')?.psi).to.equal(expected);
  });

  it('lists the features worst first, with the shifted one on top and the rows outside the training range', () => {
    const figures = combineDrift([podReport(1000, 3, lowOxygen)]);
    expect(figures.features[0]).to.include({ name: 'oxygenSaturation' });
    expect(figures.features[0]!.psi).to.be.above(0.25);
    expect(figures.features.map((f) => f.psi)).to.deep.equal([...figures.features.map((f) => f.psi)].sort((x, y) => y - x));
  });

  it('keeps PSI of training-like rows far below the default threshold', () => {
    const figures = combineDrift([podReport(1000, 4), podReport(1000, 5)]);
    expect(figures.features[0]!.psi).to.be.below(0.05);
    expect(figures.predictionsPsi).to.be.below(0.05);
  });

  it('leaves out pods without a reference and says why when no pod has one', () => {
    const none: PodDrift = { available: false, reason: 'the model artifact has no drift reference' };
    expect(combineDrift([none])).to.deep.equal({ pods: 0, rows: 0, features: [], unavailable: 'the model artifact has no drift reference' });
    expect(combineDrift([none, podReport(100, 6)])).to.include({ pods: 1, rows: 100 });
    expect(combineDrift([]).unavailable).to.match(/^no ready pod has reported its input drift yet/);
  });
});

describe('a pod\'s GET /drift as the operator reads it (podDriftOf)', () => {
  it('reads the inference server\'s own report, and its reason when drift is unavailable', () => {
    expect(podReport(50, 7)).to.include({ available: true, rows: 50 });
    expect(podDriftOf({ available: false, reason: 'off' })).to.deep.equal({ available: false, reason: 'off' });
  });

  const malformed: Array<[string, unknown]> = [
    ['no body', undefined],
    ['a list', []],
    ['no window', { available: true, features: [], predictions: { training: [1], recent: [1] } }],
    ['a feature without numbers', { available: true, window: { rows: 5 }, features: [{ name: 'x', training: ['a'], recent: [1], outOfRange: 0 }], predictions: { training: [1], recent: [1] } }],
    ['no predictions', { available: true, window: { rows: 5 }, features: [{ name: 'x', training: [1], recent: [1], outOfRange: 0 }] }],
  ];
  for (const [name, answer] of malformed) it(`refuses an answer with ${name}`, () => expect(podDriftOf(answer)).to.equal(undefined));
});

describe('InputDrift and status.drift (driftVerdict)', () => {
  const figures = (worst: number, rows = 2000): DriftFigures => ({ pods: 2, rows, features: [{ name: 'oxygenSaturation', psi: worst, outOfRange: 3 }, { name: 'heartRate', psi: 0.25, outOfRange: 0 }, { name: 'temperature', psi: 0.01, outOfRange: 0 }], predictionsPsi: 0.3 });
  const cases: Array<[string, DriftFigures | undefined, string, string, RegExp, string | undefined]> = [
    ['is Unknown before the first reading, with no status.drift', undefined, 'Unknown', 'DriftUnavailable', /^no ready pod has reported/, undefined],
    ['is Unknown with the pods\' reason when their model has no reference', { pods: 0, rows: 0, features: [], unavailable: 'no reference' }, 'Unknown', 'DriftUnavailable', /^no reference$/, 'unavailable'],
    ['is Unknown until the windows hold minRows rows', figures(0.9, 999), 'Unknown', 'TooFewRows', /^999 of the 1000 rows \(spec\.monitoring\.drift\.minRows\) needed to judge drift \(999 rows from 2 pods\)$/, 'too few rows (999/1000)'],
    ['is True naming every feature above the threshold, worst first', figures(0.83), 'True', 'DriftDetected', /^PSI above 0\.2: oxygenSaturation 0\.83, heartRate 0\.25 \(2000 rows from 2 pods\)$/, 'oxygenSaturation 0.83, heartRate 0.25'],
    ['is False when every feature is within the threshold, naming the largest', { ...figures(0.05), features: [{ name: 'oxygenSaturation', psi: 0.05, outOfRange: 0 }] }, 'False', 'NoDrift', /^every feature within PSI 0\.2: largest PSI 0\.05 \(oxygenSaturation\)/, 'none (max 0.05)'],
  ];
  for (const [name, given, status, reason, message, summary] of cases) {
    it(name, () => {
      const v = driftVerdict(given, spec, undefined, NOW);
      expect(v.condition).to.include({ type: 'InputDrift', status, reason });
      expect(v.condition.message).to.match(message);
      expect(v.status?.summary).to.equal(summary);
    });
  }

  it('keeps the time the drift began while it lasts, and drops it once it clears', () => {
    const first = driftVerdict(figures(0.5), spec, undefined, NOW).status!;
    expect(first.since).to.equal(NOW);
    const later = driftVerdict(figures(0.6), spec, first, '2026-05-01T01:00:00Z').status!;
    expect(later.since).to.equal(NOW);
    const cleared = driftVerdict({ ...figures(0.05), features: [] }, spec, later, '2026-05-01T02:00:00Z').status!;
    expect(cleared.since).to.equal(undefined);
  });

  it('judges against the spec\'s own threshold', () => {
    expect(driftVerdict(figures(0.3), { ...spec, psiThreshold: 0.5 }, undefined, NOW).condition.status).to.equal('False');
  });
});
