// Classification metrics for a hold-out set.

export interface ClassMetrics {
  precision: number;
  recall: number;
  support: number;
}

export interface EvaluationMetrics {
  /** Fraction of hold-out rows predicted correctly. */
  accuracy: number;
  /** Keyed by class name. */
  perClass: Record<string, ClassMetrics>;
  /** confusionMatrix[actual][predicted], rows and columns in class order. */
  confusionMatrix: number[][];
  testSize: number;
}

const ratio = (num: number, den: number): number => (den === 0 ? 0 : num / den);

/**
 * Accuracy, per-class precision/recall and the confusion matrix from label indices
 * 0..classes.length-1. Precision of a class never predicted is reported as 0.
 */
export function evaluate(actual: number[], predicted: number[], classes: readonly string[]): EvaluationMetrics {
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
    perClass[name] = { precision: ratio(tp, predictedAs), recall: ratio(tp, support), support };
  });
  return { accuracy: ratio(correct, actual.length), perClass, confusionMatrix: matrix, testSize: actual.length };
}
