import { expect } from 'chai';
import { calibrationLoss, fitCalibration, UNCALIBRATED } from './calibration.js';
import { classProbabilities } from './predict.js';
import { mulberry32 } from './random.js';

/** Boundary scores spread over [-6, 6] and labels drawn from the given calibration's probabilities. */
function sample(rows: number, temperature: number, floor: number, seed: number): { scores: number[][]; labels: number[] } {
  const uniform = mulberry32(seed);
  const scores: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < rows; i++) {
    const x = uniform() * 12 - 6;
    const s = [x + 1.5, x - 1.5];
    const p = classProbabilities(s, { ...UNCALIBRATED, temperature, floor });
    const u = uniform();
    scores.push(s);
    labels.push(u < (p[0] ?? 0) ? 0 : u < (p[0] ?? 0) + (p[1] ?? 0) ? 1 : 2);
  }
  return { scores, labels };
}

describe('calibration', function () {
  this.timeout(20_000);

  it('recovers the temperature and floor that generated the labels', () => {
    const { scores, labels } = sample(4000, 0.5, 0.1, 3);
    const fitted = fitCalibration(scores, labels);
    expect(fitted.temperature).to.be.closeTo(0.5, 0.06);
    expect(fitted.floor).to.be.closeTo(0.1, 0.02);
    expect(fitted.validationRows).to.equal(4000);
  });

  it('stays close to the identity on labels the scores already describe', () => {
    const { scores, labels } = sample(4000, 1, 0, 4);
    const fitted = fitCalibration(scores, labels);
    expect(fitted.temperature).to.be.closeTo(1, 0.1);
    expect(fitted.floor).to.be.below(0.01);
  });

  it('never fits worse than no calibration on the rows it was fitted on', () => {
    const { scores, labels } = sample(300, 2, 0.2, 5);
    expect(calibrationLoss(scores, labels, fitCalibration(scores, labels))).to.be.below(calibrationLoss(scores, labels, UNCALIBRATED));
  });

  it('keeps the probabilities a distribution, the floor included', () => {
    const p = classProbabilities([4, 1], { ...UNCALIBRATED, temperature: 0.25, floor: 0.06 });
    expect(p.reduce((a, b) => a + b, 0)).to.be.closeTo(1, 1e-12);
    expect(Math.min(...p)).to.be.at.least(0.02);
    expect(Math.max(...p)).to.be.at.most(1 - 0.04);
  });

  it('refuses to fit without rows', () => {
    expect(() => fitCalibration([], [])).to.throw(/at least one row/);
  });
});
