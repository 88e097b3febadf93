import { expect } from 'chai';
import { Registry } from 'prom-client';
import type { Vitals } from '../schema.js';
import { DRIFT_UNAVAILABLE, DriftMonitor, driftReport } from './monitor.js';
import { fitReference, type DriftReference } from './reference.js';

const CLASSES = ['Low', 'Medium', 'High'];
const vitals = (heartRate: number, oxygenSaturation = 95): Vitals => ({ heartRate, systolicBP: 120, diastolicBP: 70, temperature: 37, oxygenSaturation });
// heartRate 60..79 (ten bins of two values), oxygenSaturation 90..99.
const training = Array.from({ length: 20 }, (_, i) => vitals(60 + i, 90 + (i % 10)));
const reference: DriftReference = fitReference(training, training.map((_, i) => (i < 10 ? 0 : 1)), 3);

describe('drift report', () => {
  it('has null PSI and zero recent fractions while the window is empty', () => {
    const report = driftReport(reference, CLASSES, { rows: 0, bins: reference.features.map((f) => new Array<number>(f.fractions.length).fill(0)), classes: [0, 0, 0], outOfRange: [0, 0, 0, 0, 0] }, 100);
    if (!report.available) throw new Error('expected an available report');
    expect(report.window).to.deep.equal({ capacity: 100, rows: 0 });
    expect(report.features.map((f) => f.psi)).to.deep.equal([null, null, null, null, null]);
    expect(report.predictions.psi).to.equal(null);
    expect(report.features[0]?.recent).to.deep.equal(new Array(10).fill(0));
  });

  it('reads traffic drawn like the training rows as PSI 0', () => {
    const monitor = new DriftMonitor({ reference, classes: CLASSES }, 100);
    training.forEach((v, i) => monitor.observe(v, i < 10 ? 0 : 1));
    const report = monitor.report();
    if (!report.available) throw new Error('expected an available report');
    for (const f of report.features) expect(f.psi, f.name).to.be.closeTo(0, 1e-12);
    expect(report.predictions.psi).to.be.closeTo(0, 1e-12);
  });

  it('reads every row in one tenth of a feature as a large PSI naming that feature, and counts rows out of range', () => {
    const monitor = new DriftMonitor({ reference, classes: CLASSES }, 100);
    for (let i = 0; i < 10; i++) monitor.observe(vitals(65, 80), 0);
    const report = monitor.report();
    if (!report.available) throw new Error('expected an available report');
    const [heartRate, , , , spo2] = report.features;
    // One bin at 100 % against 10 %, nine empty ones floored at 1e-4 against 10 %.
    const expected = (1 - 0.1) * Math.log(1 / 0.1) + 9 * (1e-4 - 0.1) * Math.log(1e-4 / 0.1);
    expect(heartRate?.psi).to.be.closeTo(expected, 1e-9);
    expect(heartRate?.outOfRange).to.equal(0);
    expect(spo2?.outOfRange).to.equal(10);
    expect(spo2?.recent[0]).to.equal(1);
  });

  const unavailable: Array<[string, DriftReference | undefined, number, string]> = [
    ['an artifact without a reference', undefined, 100, DRIFT_UNAVAILABLE.noReference],
    ['a window of 0 rows (tracking off)', reference, 0, DRIFT_UNAVAILABLE.disabled],
  ];
  for (const [name, ref, rows, reason] of unavailable) {
    it(`is unavailable, saying why, for ${name}, and ignores rows`, async () => {
      const monitor = new DriftMonitor({ reference: ref, classes: CLASSES }, rows);
      monitor.observe(vitals(70), 0);
      monitor.observeMatrixRow([70, 120, 70, 37, 95], 0, 0);
      expect(monitor.active).to.equal(false);
      expect(monitor.report()).to.deep.equal({ available: false, reason });
      const registry = new Registry();
      monitor.register(registry);
      const text = await registry.metrics();
      expect(text).to.contain('model_input_drift_available 0');
      expect(text).to.not.contain('model_input_drift_psi');
    });
  }
});

describe('drift metrics', () => {
  it('exports PSI per feature, the prediction PSI, the window and rows out of range', async () => {
    const monitor = new DriftMonitor({ reference, classes: CLASSES }, 100);
    const registry = new Registry();
    monitor.register(registry);
    const empty = await registry.metrics();
    expect(empty).to.contain('model_input_drift_available 1');
    expect(empty).to.contain('model_input_drift_window_capacity 100');
    expect(empty).to.contain('model_input_drift_window_rows 0');
    expect(empty).to.not.match(/model_input_drift_psi\{/);
    expect(empty).to.contain('model_input_out_of_range_total{feature="heartRate"} 0');
    for (let i = 0; i < 3; i++) monitor.observe(vitals(200), 2);
    const text = await registry.metrics();
    expect(text).to.contain('model_input_drift_window_rows 3');
    expect(text).to.match(/model_input_drift_psi\{feature="heartRate"\} \d+\.\d+/);
    expect(text).to.contain('model_input_drift_psi{feature="systolicBP"} 0');
    expect(text).to.match(/model_prediction_drift_psi \d+\.\d+/);
    expect(text).to.contain('model_input_out_of_range_total{feature="heartRate"} 3');
    // A second scrape adds nothing to the counter.
    expect(await registry.metrics()).to.contain('model_input_out_of_range_total{feature="heartRate"} 3');
  });
});
