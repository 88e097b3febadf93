// Classification and calibration metrics for a hold-out set.

export interface ClassMetrics {
  precision: number;
  recall: number;
  /** Harmonic mean of precision and recall; 0 when both are 0. */
  f1: number;
  support: number;
}

/** One confidence bin of a reliability table: how often calls made with this confidence were right. */
export interface ReliabilityBin {
  /** Confidence range [lower, upper); the last bin includes 1. */
  lower: number;
  upper: number;
  count: number;
  /** Mean confidence and accuracy of the rows in the bin; null for an empty bin. */
  meanConfidence: number | null;
  accuracy: number | null;
}

export interface EvaluationMetrics {
  /** Fraction of hold-out rows predicted correctly. */
  accuracy: number;
  /** Keyed by class name. */
  perClass: Record<string, ClassMetrics>;
  /** confusionMatrix[actual][predicted], rows and columns in class order. */
  confusionMatrix: number[][];
  testSize: number;
  /** Mean over rows of Σ_k (p_k − [k = actual])², 0 (perfect) to 2; absent when there are no probabilities. */
  brierScore?: number;
  /** Σ over bins of (rows in bin / rows) · |accuracy − mean confidence|, on the predicted class's probability. */
  expectedCalibrationError?: number;
  reliability?: ReliabilityBin[];
}

export const RELIABILITY_BINS = 10;

const ratio = (num: number, den: number): number => (den === 0 ? 0 : num / den);

/**
 * Accuracy, per-class precision/recall/F1 and the confusion matrix from label indices
 * 0..classes.length-1. Precision of a class never predicted is reported as 0.
 */
export function evaluate(actual: readonly number[], predicted: readonly number[], classes: readonly string[]): EvaluationMetrics {
  const k = classes.length;
  const matrix = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  actual.forEach((a, i) => {
    const row = matrix[a];
    const p = predicted[i] ?? -1;
    if (row && p >= 0 && p < k) row[p] = (row[p] ?? 0) + 1;
  });
  const cell = (a: number, p: number): number => matrix[a]?.[p] ?? 0;
  let correct = 0;
  const perClass: Record<string, ClassMetrics> = {};
  classes.forEach((name, c) => {
    const tp = cell(c, c);
    correct += tp;
    const predictedAs = matrix.reduce((sum, row) => sum + (row[c] ?? 0), 0);
    const support = (matrix[c] ?? []).reduce((sum, v) => sum + v, 0);
    const precision = ratio(tp, predictedAs);
    const recall = ratio(tp, support);
    perClass[name] = { precision, recall, f1: ratio(2 * precision * recall, precision + recall), support };
  });
  return { accuracy: ratio(correct, actual.length), perClass, confusionMatrix: matrix, testSize: actual.length };
}

/** Index of the largest value; the first one wins a tie. */
function top(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if ((values[i] ?? -Infinity) > (values[best] ?? -Infinity)) best = i;
  return best;
}

/** Multi-class Brier score: mean squared distance between the probabilities and the one-hot label. */
export function brierScore(actual: readonly number[], probabilities: readonly (readonly number[])[]): number {
  let sum = 0;
  probabilities.forEach((p, i) => p.forEach((q, k) => (sum += (q - (k === actual[i] ? 1 : 0)) ** 2)));
  return ratio(sum, actual.length);
}

/** Reliability table of the predicted class's probability in RELIABILITY_BINS equal-width bins. */
export function reliabilityTable(actual: readonly number[], probabilities: readonly (readonly number[])[]): ReliabilityBin[] {
  const sums = Array.from({ length: RELIABILITY_BINS }, () => ({ count: 0, confidence: 0, correct: 0 }));
  probabilities.forEach((p, i) => {
    const best = top(p);
    const confidence = p[best] ?? 0;
    const bin = sums[Math.min(RELIABILITY_BINS - 1, Math.floor(confidence * RELIABILITY_BINS))];
    if (!bin) return;
    bin.count++;
    bin.confidence += confidence;
    if (best === actual[i]) bin.correct++;
  });
  return sums.map((s, b) => ({
    lower: b / RELIABILITY_BINS,
    upper: (b + 1) / RELIABILITY_BINS,
    count: s.count,
    meanConfidence: s.count === 0 ? null : s.confidence / s.count,
    accuracy: s.count === 0 ? null : s.correct / s.count,
  }));
}

/** Expected calibration error of a reliability table. */
export function expectedCalibrationError(table: readonly ReliabilityBin[]): number {
  const rows = table.reduce((n, b) => n + b.count, 0);
  return ratio(table.reduce((sum, b) => sum + b.count * Math.abs((b.accuracy ?? 0) - (b.meanConfidence ?? 0)), 0), rows);
}

/**
 * Everything evaluate() reports, for the predicted (most probable) classes, plus Brier score,
 * expected calibration error and the reliability table. Pure.
 */
export function evaluateProbabilities(actual: readonly number[], probabilities: readonly (readonly number[])[], classes: readonly string[]): EvaluationMetrics {
  const reliability = reliabilityTable(actual, probabilities);
  return {
    ...evaluate(actual, probabilities.map(top), classes),
    brierScore: brierScore(actual, probabilities),
    expectedCalibrationError: expectedCalibrationError(reliability),
    reliability,
  };
}
