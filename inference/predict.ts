// Scoring. The weights are plain number arrays and the arithmetic is written out, since
// ml-logistic-regression's matrix path costs far more per row than the maths itself.
// Each threshold's score is summed in the same order as the library's matrix product, so
// its decision equals the library's `predict` (a test pins that).
//
// The model is ordinal: thresholds[k] is the log-odds that risk ≥ classes[k + 1], over the
// standardized features of the model's transform (inference/features.ts). Class
// probabilities are differences of those cumulative probabilities, then calibrated.

import type { Calibration } from './calibration.js';
import { featureValues, transformOf, vitalTerms } from './features.js';
import type { Model } from './model.js';
import { FEATURE_NAMES, type FeatureName, type Vitals } from './schema.js';

export interface Prediction {
  risk: string;
  /** Probability of the predicted class. */
  confidence: number;
  /** Per class, summing to 1. */
  probabilities: Record<string, number>;
  /**
   * Each vital's signed share of the score that placed the patient in the predicted class
   * (intercept excluded; a vital's share is the sum over the features derived from it):
   * positive pushes towards it; absolute values sum to 1.
   */
  contributions: Record<FeatureName, number>;
  modelVersion: string;
}

type Scoring = Pick<Model, 'standardization' | 'transform'>;

/** Standardized feature vector, in the transform's feature order. */
export function standardize(model: Scoring, vitals: Vitals): number[] {
  const { mean, std } = model.standardization;
  return featureValues(transformOf(model), vitals).map((x, j) => (x - (mean[j] ?? 0)) / (std[j] ?? 1));
}

/** Log-odds of "risk at least the next class" for every threshold. */
export function thresholdScores(model: Pick<Model, 'thresholds'>, z: readonly number[]): number[] {
  return model.thresholds.map(({ intercept, weights }) => {
    let s = 0;
    s += intercept;
    for (let j = 0; j < weights.length; j++) s += (z[j] ?? 0) * (weights[j] ?? 0);
    return s;
  });
}

export const sigmoid = (s: number): number => 1 / (1 + Math.exp(-s));

/**
 * Class probabilities from cumulative ones (each boundary's log-odds divided by the
 * calibration's temperature). Thresholds are fitted separately, so where their lines cross a
 * middle class could go negative: it is clamped to 0 and the rest renormalized; then the
 * calibration's floor is spread over the classes. The sum stays 1.
 */
export function classProbabilities(scores: readonly number[], calibration?: Calibration): number[] {
  const temperature = calibration?.temperature ?? 1;
  const floor = calibration?.floor ?? 0;
  const atLeast = [1, ...scores.map((s) => sigmoid(s / temperature)), 0];
  const raw = scores.map((_, k) => Math.max(0, (atLeast[k] ?? 0) - (atLeast[k + 1] ?? 0)));
  raw.push(Math.max(0, atLeast[scores.length] ?? 0));
  const total = raw.reduce((sum, p) => sum + p, 0);
  return raw.map((p) => (1 - floor) * (p / total) + floor / raw.length);
}

/** Index of the largest value; the first one wins a tie. */
export function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if ((values[i] ?? -Infinity) > (values[best] ?? -Infinity)) best = i;
  return best;
}

/**
 * Per-feature weights of the score that placed the patient in class c: the boundary just
 * below c ("at least c"), or for the lowest class the first boundary negated ("not above").
 */
export function classWeights(model: Pick<Model, 'thresholds'>, c: number): number[] {
  const boundary = model.thresholds[c === 0 ? 0 : c - 1]?.weights ?? [];
  return boundary.map((w) => (c === 0 ? -w : w));
}

/**
 * Each vital's part of Σ_f weights[f]·z[f]: for raw features weights[v]·z[v]; for derived
 * ones Σ_f weights[f]·(term[f][v] − vitalMeans[f][v]) / std[f], which sums over the vitals to
 * the same total because a derived feature is the sum of its vitals' terms.
 */
export function vitalParts(model: Scoring, weights: readonly number[], vitals: Vitals, z: readonly number[]): number[] {
  const transform = transformOf(model);
  if (transform.kind === 'raw') return FEATURE_NAMES.map((_, v) => (weights[v] ?? 0) * (z[v] ?? 0));
  const terms = vitalTerms(transform, vitals);
  const { std, vitalMeans } = model.standardization;
  return FEATURE_NAMES.map((_, v) => {
    let part = 0;
    terms.forEach((row, f) => (part += (weights[f] ?? 0) * (((row[v] ?? 0) - (vitalMeans?.[f]?.[v] ?? 0)) / (std[f] ?? 1))));
    return part;
  });
}

function contributionShares(parts: readonly number[]): Record<FeatureName, number> {
  const total = parts.reduce((sum, p) => sum + Math.abs(p), 0);
  const out = {} as Record<FeatureName, number>;
  FEATURE_NAMES.forEach((name, j) => (out[name] = total === 0 ? 0 : (parts[j] ?? 0) / total));
  return out;
}

/** Risk class, probabilities and per-vital explanation for already-validated vitals. Pure. */
export function predict(model: Model, vitals: Vitals): Prediction {
  const z = standardize(model, vitals);
  const probs = classProbabilities(thresholdScores(model, z), model.calibration);
  const best = argmax(probs);
  const probabilities: Record<string, number> = {};
  model.classes.forEach((name, i) => (probabilities[name] = probs[i] ?? 0));
  return {
    risk: model.classes[best] ?? '',
    confidence: probs[best] ?? 0,
    probabilities,
    contributions: contributionShares(vitalParts(model, classWeights(model, best), vitals, z)),
    modelVersion: model.version,
  };
}
