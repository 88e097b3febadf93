// Training: stratified hold-out split, the feature transform, standardization, then ordinal
// logistic regression with one ml-logistic-regression binary model per class boundary
// (explicit intercept column, labels 0/1), calibration on a validation split of the training
// part, evaluation beside a raw-feature baseline and the labelling rule, the drift reference
// (inference/drift/reference.ts), artifact. Ordinal rather than the library's one-vs-all:
// risk levels are ordered, and one-vs-all cannot carve the middle class out of a single
// deterioration axis (it scored 3 points below scikit-learn on the same split).

import LogisticRegression from 'ml-logistic-regression';
import { Matrix } from 'ml-matrix';
import { fitReference } from './drift/reference.js';
import { fitCalibration, UNCALIBRATED, type Calibration } from './calibration.js';
import { earlyWarningRisk } from './early-warning.js';
import { evaluate, evaluateProbabilities } from './evaluation.js';
import { earlyWarningTransform, featureValues, RAW_TRANSFORM, vitalTerms, type FeatureTransform } from './features.js';
import type { PatientRecord } from './generator.js';
import { withVersion, type LinearScore, type Model, MODEL_FORMAT, type ModelMetrics, type TrainingParams } from './model.js';
import { argmax, classProbabilities, standardize, thresholdScores } from './predict.js';
import { mulberry32 } from './random.js';
import { CLASS_NAMES, FEATURE_NAMES, FEATURES, type Vitals } from './schema.js';

export interface TrainOptions {
  seed: number;
  labelNoise: number;
  testFraction?: number;
  numSteps?: number;
  learningRate?: number;
  /** What the weights see; default: the early-warning transform. */
  transform?: FeatureTransform;
}

export const DEFAULT_TEST_FRACTION = 0.2;
/** Share of the training part held out to fit the calibration. */
export const VALIDATION_FRACTION = 0.2;
/**
 * Fewer validation rows than this fit no calibration (it stays the identity, with
 * validationRows 0): on a handful of rows that happen to be all right, the likelihood is best
 * at certainty, and the model would serve probabilities of exactly 0 and 1.
 */
export const MIN_CALIBRATION_ROWS = 50;
// `learningRate` is the step on the mean gradient. The library sums the gradient over rows
// instead, so it is given learningRate / rows: otherwise the same setting that converges on
// 800 rows would diverge on 8,000. On standardized data 4 is stable (1k and 10k records, raw
// and derived features). At 1.6, 300 steps left the early-warning model's "≥ High" boundary
// just above an aggregate of 7 on seed 1 (a point below the rule's accuracy); at 4 they reach
// the rule's accuracy on seeds 42, 1, 7 and 2026.
export const DEFAULT_NUM_STEPS = 300;
export const DEFAULT_LEARNING_RATE = 4;

export interface Split {
  train: PatientRecord[];
  test: PatientRecord[];
}

/**
 * Per-class shuffled split (seeded) so each class keeps its share in both parts; records
 * keep their original order within each part. Deterministic.
 */
export function stratifiedSplit(records: readonly PatientRecord[], testFraction: number, seed: number): Split {
  const uniform = mulberry32(seed ^ 0x5eed);
  const isTest = new Array<boolean>(records.length).fill(false);
  for (const label of CLASS_NAMES) {
    const indices = records.flatMap((r, i) => (r.label === label ? [i] : []));
    for (let i = indices.length - 1; i > 0; i--) {
      const j = Math.floor(uniform() * (i + 1));
      [indices[i], indices[j]] = [indices[j] ?? 0, indices[i] ?? 0];
    }
    indices.slice(0, Math.round(indices.length * testFraction)).forEach((i) => (isTest[i] = true));
  }
  return { train: records.filter((_, i) => !isTest[i]), test: records.filter((_, i) => isTest[i]) };
}

/** Column means and population standard deviations (a constant column gets std 1). */
export function fitStandardization(rows: readonly (readonly number[])[]): { mean: number[]; std: number[] } {
  const width = rows[0]?.length ?? 0;
  const column = (j: number): number[] => rows.map((r) => r[j] ?? 0);
  const mean = Array.from({ length: width }, (_, j) => column(j).reduce((s, x) => s + x, 0) / rows.length);
  const std = mean.map((m, j) => {
    const variance = column(j).reduce((s, x) => s + (x - m) ** 2, 0) / rows.length;
    return variance > 0 ? Math.sqrt(variance) : 1;
  });
  return { mean, std };
}

/** The transform's standardization on these rows, with each vital's mean term for derived features. */
export function fitTransformStandardization(transform: FeatureTransform, rows: readonly Vitals[]): Model['standardization'] {
  const fitted = fitStandardization(rows.map((v) => featureValues(transform, v)));
  if (transform.kind === 'raw') return fitted;
  const terms = rows.map((v) => vitalTerms(transform, v));
  const vitalMeans = transform.derived.map((_, f) => FEATURE_NAMES.map((_, v) => terms.reduce((s, t) => s + (t[f]?.[v] ?? 0), 0) / rows.length));
  return { ...fitted, vitalMeans };
}

/** Rows [1, z1..zn] for the library, which has no intercept term of its own. */
export function designMatrix(model: Pick<Model, 'standardization' | 'transform'>, rows: readonly Vitals[]): Matrix {
  return new Matrix(rows.map((v) => [1, ...standardize(model, v)]));
}

const labelIndex = (r: PatientRecord): number => CLASS_NAMES.indexOf(r.label);

export interface TrainResult {
  model: Model;
  /** The trained library objects, one a threshold, kept so tests can compare them with our scoring. */
  classifiers: LogisticRegression[];
  /** train: the whole training part (the baseline's rows); test: the hold-out set. */
  split: Split;
  /** The training part again, as the rows the weights were fitted on and the calibration rows. */
  validation: Split;
  trainingMs: number;
}

/**
 * One binary library model for "label ≥ boundary". With labels 0/1 the library's first
 * sub-model is trained with class 0 as 0, so its weights already give log-odds of 1.
 */
function fitThreshold(x: Matrix, labels: number[], boundary: number, params: StepParams): LogisticRegression {
  const binary = labels.map((l) => (l >= boundary ? 1 : 0));
  if (!binary.includes(0) || !binary.includes(1)) {
    throw new Error(`training data must contain every class (${CLASS_NAMES.join(', ')}) to fit the ≥ ${CLASS_NAMES[boundary]} boundary`);
  }
  const classifier = new LogisticRegression({ numSteps: params.numSteps, learningRate: params.learningRate / labels.length });
  classifier.train(x, Matrix.columnVector(binary));
  return classifier;
}

function toLinearScore(classifier: LogisticRegression): LinearScore {
  const [intercept = 0, ...weights] = classifier.classifiers[0]?.weights.to1DArray() ?? [];
  return { intercept, weights };
}

type StepParams = Pick<TrainingParams, 'numSteps' | 'learningRate'>;
export type Fitted = Pick<Model, 'transform' | 'standardization' | 'thresholds'> & { classifiers: LogisticRegression[] };

/**
 * Standardization and one boundary model per class boundary, fitted on `rows` seen through
 * `transform`, uncalibrated (what training was before calibration and the baseline). Throws
 * when the rows lack a class. Deterministic.
 */
export function fitOrdinal(transform: FeatureTransform, rows: readonly PatientRecord[], params: StepParams = { numSteps: DEFAULT_NUM_STEPS, learningRate: DEFAULT_LEARNING_RATE }): Fitted {
  const standardization = fitTransformStandardization(transform, rows.map((r) => r.vitals));
  const x = designMatrix({ standardization, transform }, rows.map((r) => r.vitals));
  const labels = rows.map(labelIndex);
  const classifiers = CLASS_NAMES.slice(1).map((_, k) => fitThreshold(x, labels, k + 1, params));
  return { transform, standardization, thresholds: classifiers.map(toLinearScore), classifiers };
}

const holdOutScores = (fitted: Fitted, rows: readonly PatientRecord[]): number[][] => rows.map((r) => thresholdScores(fitted, standardize(fitted, r.vitals)));

function trainingParams(records: readonly PatientRecord[], options: TrainOptions, split: Split, validation: Split): TrainingParams {
  return {
    algorithm: 'ordinal (cumulative) logistic regression; each boundary fitted by ml-logistic-regression 2.0.0',
    samples: records.length,
    seed: options.seed,
    labelNoise: options.labelNoise,
    testFraction: options.testFraction ?? DEFAULT_TEST_FRACTION,
    numSteps: options.numSteps ?? DEFAULT_NUM_STEPS,
    learningRate: options.learningRate ?? DEFAULT_LEARNING_RATE,
    trainSize: split.train.length,
    validationFraction: VALIDATION_FRACTION,
    fitSize: validation.train.length,
  };
}

const BASELINE = 'raw vitals (standardized), same algorithm and steps, fitted on the whole training part, uncalibrated';
const CEILING = 'the labelling rule (inference/early-warning.ts) applied to the hold-out rows, scored against their noisy labels';

/** Hold-out figures of the model, its uncalibrated self, the raw-feature baseline and the rule. */
function holdOutMetrics(test: readonly PatientRecord[], fitted: Fitted, calibration: Calibration, baseline: Fitted): ModelMetrics {
  const actual = test.map(labelIndex);
  const scores = holdOutScores(fitted, test);
  const calibrated = evaluateProbabilities(actual, scores.map((s) => classProbabilities(s, calibration)), CLASS_NAMES);
  const raw = evaluateProbabilities(actual, scores.map((s) => classProbabilities(s)), CLASS_NAMES);
  const baselineMetrics = evaluateProbabilities(actual, holdOutScores(baseline, test).map((s) => classProbabilities(s)), CLASS_NAMES);
  const rule = evaluate(actual, test.map((r) => CLASS_NAMES.indexOf(earlyWarningRisk(r.vitals))), CLASS_NAMES);
  return {
    ...calibrated,
    uncalibrated: { accuracy: raw.accuracy, brierScore: raw.brierScore, expectedCalibrationError: raw.expectedCalibrationError },
    baseline: { description: BASELINE, ...baselineMetrics },
    ceiling: { description: CEILING, ...rule },
  };
}

/**
 * Trains and evaluates on a stratified split: the weights on part of the training part, the
 * calibration on the rest of it (the validation split), the raw-feature baseline on all of
 * it; every figure is on the hold-out set. Throws when the data lacks a class. Deterministic.
 */
export function train(records: readonly PatientRecord[], options: TrainOptions): TrainResult {
  const started = performance.now();
  const split = stratifiedSplit(records, options.testFraction ?? DEFAULT_TEST_FRACTION, options.seed);
  const validation = stratifiedSplit(split.train, VALIDATION_FRACTION, options.seed + 1);
  const params = trainingParams(records, options, split, validation);
  const fitted = fitOrdinal(options.transform ?? earlyWarningTransform(), validation.train, params);
  const calibration = validation.test.length >= MIN_CALIBRATION_ROWS
    ? fitCalibration(holdOutScores(fitted, validation.test), validation.test.map(labelIndex))
    : UNCALIBRATED;
  const baseline = fitOrdinal(RAW_TRANSFORM, split.train, params);
  const predicted = holdOutScores(fitted, split.train).map((s) => argmax(classProbabilities(s, calibration)));
  const model = withVersion({
    format: MODEL_FORMAT,
    classes: [...CLASS_NAMES],
    features: FEATURES.map((f) => ({ ...f })),
    transform: fitted.transform,
    standardization: fitted.standardization,
    thresholds: fitted.thresholds,
    calibration,
    metrics: holdOutMetrics(split.test, fitted, calibration, baseline),
    training: params,
    reference: fitReference(split.train.map((r) => r.vitals), predicted, CLASS_NAMES.length),
  });
  return { model, classifiers: fitted.classifiers, split, validation, trainingMs: performance.now() - started };
}
