import { expect } from 'chai';
import { earlyWarningRisk } from './early-warning.js';
import { generatePatients, type PatientRecord } from './generator.js';
import { predict, sigmoid, standardize, thresholdScores } from './predict.js';
import { featureNames, transformOf } from './features.js';
import { CLASS_NAMES } from './schema.js';
import { designMatrix, fitStandardization, stratifiedSplit, train, type TrainResult } from './training.js';

describe('training', function () {
  // Several trainings; allow for a busy machine.
  this.timeout(60_000);
  let records: PatientRecord[];
  let result: TrainResult;
  before(() => {
    records = generatePatients({ samples: 1000, seed: 42 });
    result = train(records, { seed: 42, labelNoise: 0.05 });
  });

  it('splits every class 80/20 (stratified), disjoint and complete', () => {
    const { train: tr, test } = stratifiedSplit(records, 0.2, 42);
    expect(tr.length + test.length).to.equal(records.length);
    expect(new Set([...tr, ...test]).size).to.equal(records.length);
    for (const c of CLASS_NAMES) {
      const all = records.filter((r) => r.label === c).length;
      expect(test.filter((r) => r.label === c).length).to.equal(Math.round(all * 0.2));
    }
  });

  it('splits the same way for the same seed and differently for another', () => {
    expect(stratifiedSplit(records, 0.2, 42).test).to.deep.equal(stratifiedSplit(records, 0.2, 42).test);
    expect(stratifiedSplit(records, 0.2, 43).test).to.not.deep.equal(stratifiedSplit(records, 0.2, 42).test);
  });

  it('standardizes the transformed columns of the rows it fitted on to mean 0 and standard deviation 1', () => {
    const rows = result.validation.train.map((r) => r.vitals);
    const z = rows.map((v) => standardize(result.model, v));
    expect(z[0]).to.have.length(featureNames(transformOf(result.model)).length);
    (z[0] ?? []).forEach((_, j) => {
      const col = z.map((row) => row[j] ?? NaN);
      const mean = col.reduce((a, b) => a + b, 0) / col.length;
      const sd = Math.sqrt(col.reduce((a, b) => a + (b - mean) ** 2, 0) / col.length);
      expect(mean).to.be.closeTo(0, 1e-9);
      expect(sd).to.be.closeTo(1, 1e-9);
    });
  });

  it('gives a constant column a standard deviation of 1 instead of dividing by zero', () => {
    const rows = [records[0]?.vitals, records[0]?.vitals].filter((v) => v !== undefined);
    expect(fitStandardization(rows.map((v) => Object.values(v))).std).to.deep.equal([1, 1, 1, 1, 1]);
  });

  it("scores every hold-out row exactly as ml-logistic-regression's predict does, boundary by boundary", () => {
    const x = designMatrix(result.model, result.split.test.map((r) => r.vitals));
    result.classifiers.forEach((classifier, k) => {
      const library = classifier.predict(x);
      const libraryProbability = classifier.classifiers[0]?.testScores(x) ?? [];
      result.split.test.forEach((r, row) => {
        const s = thresholdScores(result.model, standardize(result.model, r.vitals))[k] ?? NaN;
        expect(s > 0 ? 1 : 0, `boundary ${k}, row ${row}`).to.equal(library[row]);
        expect(sigmoid(s)).to.be.closeTo(libraryProbability[row] ?? NaN, 1e-12);
      });
    });
  });

  it('reports hold-out accuracy, per-class precision/recall and a confusion matrix that agree', () => {
    const m = result.model.metrics;
    const predicted = result.split.test.map((r) => predict(result.model, r.vitals).risk);
    const correct = predicted.filter((p, i) => p === result.split.test[i]?.label).length;
    expect(m.accuracy).to.equal(correct / result.split.test.length);
    expect(m.confusionMatrix.flat().reduce((a, b) => a + b, 0)).to.equal(m.testSize);
    const high = m.perClass.High;
    expect(high?.recall).to.equal((m.confusionMatrix[2]?.[2] ?? 0) / (high?.support ?? 1));
  });

  it('beats always answering the majority class by a wide margin', () => {
    const majority = result.split.test.filter((r) => r.label === 'Low').length / result.split.test.length;
    expect(result.model.metrics.accuracy).to.be.above(majority + 0.1);
  });

  it('derives the version from the content: same data, same version; other seed, other version', () => {
    expect(train(records, { seed: 42, labelNoise: 0.05 }).model.version).to.equal(result.model.version);
    const other = train(generatePatients({ samples: 300, seed: 1 }), { seed: 1, labelNoise: 0.05 });
    expect(other.model.version).to.not.equal(result.model.version);
  });

  it('fits the calibration on validation rows carved from the training part, never on hold-out rows', () => {
    const { train: fit, test: validation } = result.validation;
    expect(fit.length + validation.length).to.equal(result.split.train.length);
    expect(result.model.calibration?.validationRows).to.equal(validation.length);
    const holdOut = new Set(result.split.test);
    expect(validation.some((r) => holdOut.has(r))).to.be.false;
    expect(fit.some((r) => holdOut.has(r))).to.be.false;
  });

  it('reports the raw-feature baseline and the labelling rule on the same hold-out rows', () => {
    const { baseline, ceiling } = result.model.metrics;
    expect(baseline?.testSize).to.equal(result.split.test.length);
    expect(ceiling?.testSize).to.equal(result.split.test.length);
    const ruleRight = result.split.test.filter((r) => earlyWarningRisk(r.vitals) === r.label).length;
    expect(ceiling?.accuracy).to.equal(ruleRight / result.split.test.length);
    expect(baseline?.reliability).to.have.length(10);
  });

  it('refuses data that lacks a class, naming the classes it needs', () => {
    const lowOnly = records.filter((r) => r.label === 'Low');
    expect(() => train(lowOnly, { seed: 1, labelNoise: 0 })).to.throw(/must contain every class \(Low, Medium, High\)/);
  });
});
