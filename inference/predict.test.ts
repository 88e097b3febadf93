import { expect } from 'chai';
import { defaultModel } from './default-model.js';
import { withVersion, type Model } from './model.js';
import { UNCALIBRATED } from './calibration.js';
import { RAW_TRANSFORM } from './features.js';
import { classProbabilities, classWeights, predict, sigmoid, standardize, vitalParts } from './predict.js';
import { FEATURES, FEATURE_NAMES, type Vitals } from './schema.js';

const normal: Vitals = { heartRate: 75, systolicBP: 125, diastolicBP: 80, temperature: 37, oxygenSaturation: 98 };

/** A raw-feature, uncalibrated model with round numbers, so expected outputs can be worked out by hand. */
function handModel(): Model {
  const base = defaultModel();
  return withVersion({
    ...base,
    transform: RAW_TRANSFORM,
    calibration: UNCALIBRATED,
    standardization: { mean: [80, 120, 80, 37, 97], std: [10, 10, 10, 1, 1] },
    thresholds: [
      { intercept: 0, weights: [1, 0, 0, 0, 0] },
      { intercept: -2, weights: [1, 0, 0, 0, 0] },
    ],
  });
}

describe('predict', () => {
  const model = defaultModel();

  const cases: Array<[string, Vitals, string]> = [
    ['calls a patient with normal vitals Low', normal, 'Low'],
    ['calls a feverish, tachycardic, hypotensive, hypoxic patient High', { heartRate: 140, systolicBP: 85, diastolicBP: 50, temperature: 39.5, oxygenSaturation: 88 }, 'High'],
    ['calls a moderately unwell patient Medium', { heartRate: 115, systolicBP: 100, diastolicBP: 65, temperature: 38.3, oxygenSaturation: 94 }, 'Medium'],
    ['calls the lowest allowed vitals High', { heartRate: 20, systolicBP: 50, diastolicBP: 20, temperature: 30, oxygenSaturation: 50 }, 'High'],
  ];
  for (const [name, vitals, risk] of cases) {
    it(name, () => {
      const p = predict(model, vitals);
      expect(p.risk).to.equal(risk);
      expect(p.confidence).to.equal(p.probabilities[risk]);
      expect(p.modelVersion).to.equal(model.version);
    });
  }

  it('works out the hand-made model by hand: z = 0 gives P(≥Medium) = 0.5, P(≥High) = σ(-2)', () => {
    const p = predict(handModel(), { ...normal, heartRate: 80 });
    const high = sigmoid(-2);
    expect(p.probabilities.Low).to.be.closeTo(0.5, 1e-12);
    expect(p.probabilities.Medium).to.be.closeTo(0.5 - high, 1e-12);
    expect(p.probabilities.High).to.be.closeTo(high, 1e-12);
    expect(p.risk).to.equal('Low');
  });

  it('gives probabilities that sum to 1 across the whole allowed range', () => {
    const corners = [0, 0.25, 0.5, 0.75, 1];
    for (const t of corners) {
      for (const s of corners) {
        const vitals = Object.fromEntries(FEATURES.map((f, j) => [f.name, f.min + (j % 2 ? t : s) * (f.max - f.min)])) as Vitals;
        const p = predict(model, vitals);
        const total = Object.values(p.probabilities).reduce((a, b) => a + b, 0);
        expect(total).to.be.closeTo(1, 1e-12);
        expect(Object.values(p.probabilities).every((x) => x >= 0 && x <= 1)).to.be.true;
      }
    }
  });

  it("explains the prediction: contributions are signed shares whose sizes sum to 1", () => {
    const p = predict(model, { heartRate: 140, systolicBP: 85, diastolicBP: 50, temperature: 39.5, oxygenSaturation: 88 });
    expect(Object.keys(p.contributions)).to.deep.equal([...FEATURE_NAMES]);
    const total = Object.values(p.contributions).reduce((a, b) => a + Math.abs(b), 0);
    expect(total).to.be.closeTo(1, 1e-12);
    // Low SpO2 and high temperature push towards High.
    expect(p.contributions.oxygenSaturation).to.be.above(0);
    expect(p.contributions.temperature).to.be.above(0);
  });

  it('explains a Medium prediction by the vital furthest outside its normal band', () => {
    // Band points 2 + 1 + 0 + 1 + 1 = 5: Medium under the rule.
    const p = predict(model, { heartRate: 115, systolicBP: 104, diastolicBP: 70, temperature: 38.4, oxygenSaturation: 95 });
    expect(p.risk).to.equal('Medium');
    // Measured from the average training patient: 2 points push up, a normal vital pulls down.
    expect(p.contributions.heartRate).to.be.above(0);
    expect(p.contributions.diastolicBP).to.be.below(0);
    const largest = Math.max(...Object.values(p.contributions));
    expect(p.contributions.heartRate).to.equal(largest);
  });

  // The rule calls a single vital scoring 3 Medium; the raw-feature model called these Low.
  const extremes: Array<[string, Partial<Vitals>]> = [
    ['systolic 260 mmHg', { systolicBP: 260 }],
    ['pulse 35 bpm', { heartRate: 35 }],
    ['temperature 34.5 °C', { temperature: 34.5 }],
  ];
  for (const [name, change] of extremes) {
    it(`calls ${name} with every other vital normal Medium, not Low`, () => {
      const p = predict(model, { ...normal, ...change });
      expect(p.risk).to.equal('Medium');
      expect(Object.entries(p.contributions).sort((a, b) => b[1] - a[1])[0]?.[0]).to.equal(Object.keys(change)[0]);
    });
  }

  it("splits each derived feature's part of the score over the vitals without losing any of it", () => {
    const vitals = { heartRate: 135, systolicBP: 88, diastolicBP: 55, temperature: 36.5, oxygenSaturation: 96 };
    const z = standardize(model, vitals);
    for (let c = 0; c < model.classes.length; c++) {
      const weights = classWeights(model, c);
      const whole = weights.reduce((sum, w, f) => sum + w * (z[f] ?? NaN), 0);
      const parts = vitalParts(model, weights, vitals, z);
      expect(parts.reduce((a, b) => a + b, 0)).to.be.closeTo(whole, 1e-12);
    }
  });

  it('explains a Low prediction by what kept the patient below Medium', () => {
    const p = predict(model, { ...normal, oxygenSaturation: 99, temperature: 36.6 });
    expect(p.risk).to.equal('Low');
    expect(p.contributions.oxygenSaturation).to.be.above(0);
    expect(p.contributions.temperature).to.be.above(0);
  });

  it('attributes the whole score to the only feature with a weight in the hand-made model', () => {
    const p = predict(handModel(), { ...normal, heartRate: 130 });
    expect(p.risk).to.equal('High');
    expect(p.contributions).to.deep.equal({ heartRate: 1, systolicBP: 0, diastolicBP: 0, temperature: 0, oxygenSaturation: 0 });
  });

  it('is pure: same input, same output, input untouched', () => {
    const input = { ...normal };
    expect(predict(model, input)).to.deep.equal(predict(model, input));
    expect(input).to.deep.equal(normal);
  });
});

describe('classProbabilities', () => {
  it('turns cumulative probabilities into class probabilities', () => {
    const [low, medium, high] = classProbabilities([0, -2]);
    expect(low).to.be.closeTo(0.5, 1e-12);
    expect(medium).to.be.closeTo(0.5 - sigmoid(-2), 1e-12);
    expect(high).to.be.closeTo(sigmoid(-2), 1e-12);
  });

  it('clamps a middle class to 0 where the boundaries cross, keeping the sum at 1', () => {
    const probs = classProbabilities([-1, 2]);
    expect(probs[1]).to.equal(0);
    expect(probs.reduce((a, b) => a + b, 0)).to.be.closeTo(1, 1e-12);
  });
});
