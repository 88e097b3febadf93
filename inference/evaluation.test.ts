import { expect } from 'chai';
import { brierScore, evaluate, evaluateProbabilities, expectedCalibrationError, reliabilityTable } from './evaluation.js';

const CLASSES = ['Low', 'Medium', 'High'];

describe('evaluation', () => {
  it('reports per-class precision, recall and F1 from the confusion matrix', () => {
    // Low: 3 right, 1 called Medium; Medium: 1 right, 1 called Low; High: 1 right.
    const m = evaluate([0, 0, 0, 0, 1, 1, 2], [0, 0, 0, 1, 1, 0, 2], CLASSES);
    expect(m.confusionMatrix).to.deep.equal([[3, 1, 0], [1, 1, 0], [0, 0, 1]]);
    expect(m.accuracy).to.equal(5 / 7);
    expect(m.perClass.Low).to.deep.equal({ precision: 0.75, recall: 0.75, f1: 0.75, support: 4 });
    expect(m.perClass.Medium?.f1).to.be.closeTo(0.5, 1e-12);
    expect(m.perClass.High).to.deep.equal({ precision: 1, recall: 1, f1: 1, support: 1 });
  });

  it('gives a never-predicted class precision and F1 of 0 rather than NaN', () => {
    expect(evaluate([0, 1], [0, 0], CLASSES).perClass.Medium).to.deep.equal({ precision: 0, recall: 0, f1: 0, support: 1 });
  });

  it('scores certainty: Brier 0 when right for sure, 2 when wrong for sure', () => {
    expect(brierScore([0], [[1, 0, 0]])).to.equal(0);
    expect(brierScore([0], [[0, 1, 0]])).to.equal(2);
    expect(brierScore([1, 1], [[0.5, 0.5, 0], [0.5, 0.5, 0]])).to.equal(0.5);
  });

  it('bins calls by confidence and measures how far accuracy is from it', () => {
    // Four calls at 0.85 of which 3 are right (bin 0.8–0.9), two at 0.55, both right (bin 0.5–0.6).
    const p = [...Array<number[]>(4).fill([0.85, 0.1, 0.05]), [0.55, 0.45, 0], [0.55, 0.45, 0]];
    const table = reliabilityTable([0, 0, 0, 1, 0, 0], p);
    expect(table).to.have.length(10);
    expect(table[8]).to.deep.include({ count: 4, accuracy: 0.75 });
    expect(table[8]?.meanConfidence).to.be.closeTo(0.85, 1e-12);
    expect(table[5]).to.deep.include({ count: 2, accuracy: 1 });
    expect(table[0]).to.deep.equal({ lower: 0, upper: 0.1, count: 0, meanConfidence: null, accuracy: null });
    expect(expectedCalibrationError(table)).to.be.closeTo((4 * 0.1 + 2 * 0.45) / 6, 1e-12);
  });

  it('puts confidence 1 in the last bin', () => {
    expect(reliabilityTable([0], [[1, 0, 0]])[9]?.count).to.equal(1);
  });

  it('evaluates probabilities by their most probable class', () => {
    const m = evaluateProbabilities([0, 2], [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]], CLASSES);
    expect(m.accuracy).to.equal(1);
    expect(m.brierScore).to.be.closeTo((0.09 + 0.04 + 0.01 + 0.01 + 0.09 + 0.16) / 2, 1e-12);
    expect(m.expectedCalibrationError).to.be.closeTo((0.3 + 0.4) / 2, 1e-12);
  });
});
