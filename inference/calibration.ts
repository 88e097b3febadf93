// Post-hoc calibration, fitted on a validation split carved from the training part (never
// the hold-out set). Two parameters: a temperature that sharpens or softens every boundary's
// log-odds, and a floor, a share of probability spread evenly over the classes. The floor is
// there because the labels carry noise no model can predict (5% are moved to a neighbouring
// class on purpose): a logistic curve alone is either too gradual at the class boundaries or
// too certain far from them, and a temperature can only trade one for the other.

import { classProbabilities } from './predict.js';

export interface Calibration {
  method: 'temperature-and-floor';
  /** Each boundary's log-odds is divided by it before the sigmoid. */
  temperature: number;
  /** Class probabilities become (1 − floor)·p + floor / classes. */
  floor: number;
  /** Rows of the validation split it was fitted on. */
  validationRows: number;
}

/** The identity: probabilities exactly as the boundaries give them. */
export const UNCALIBRATED: Calibration = { method: 'temperature-and-floor', temperature: 1, floor: 0, validationRows: 0 };

const LOG_T_MIN = -5;
const LOG_T_MAX = 1.5;
const LOG_T_STEP = 0.05;
const FLOOR_MAX = 0.5;
const GOLDEN = (Math.sqrt(5) - 1) / 2;

/** Mean negative log-likelihood of `labels` under `calibration` applied to `scores`. */
export function calibrationLoss(scores: readonly (readonly number[])[], labels: readonly number[], calibration: Calibration): number {
  let sum = 0;
  scores.forEach((s, i) => (sum -= Math.log(Math.max(1e-300, classProbabilities(s, calibration)[labels[i] ?? 0] ?? 0))));
  return sum / Math.max(1, labels.length);
}

/** The floor minimizing the loss when each row's label has probability p[i] before the floor (a convex problem). */
function bestFloor(p: readonly number[], classes: number): { floor: number; loss: number } {
  const loss = (floor: number): number => {
    let sum = 0;
    for (const q of p) sum -= Math.log(Math.max(1e-300, (1 - floor) * q + floor / classes));
    return sum / Math.max(1, p.length);
  };
  // Golden-section search, reusing one of the two inner points each step.
  let [lo, hi] = [0, FLOOR_MAX];
  let a = hi - GOLDEN * (hi - lo);
  let b = lo + GOLDEN * (hi - lo);
  let [la, lb] = [loss(a), loss(b)];
  for (let i = 0; i < 40; i++) {
    if (la <= lb) {
      [hi, b, lb] = [b, a, la];
      a = hi - GOLDEN * (hi - lo);
      la = loss(a);
    } else {
      [lo, a, la] = [a, b, lb];
      b = lo + GOLDEN * (hi - lo);
      lb = loss(b);
    }
  }
  const floor = (lo + hi) / 2;
  return loss(0) <= loss(floor) ? { floor: 0, loss: loss(0) } : { floor, loss: loss(floor) };
}

/**
 * The temperature (on a log grid from e^-5 to e^1.5) and floor that minimize the negative
 * log-likelihood of `labels` (class indices) given each row's boundary log-odds. Deterministic.
 * Throws without rows.
 */
export function fitCalibration(scores: readonly (readonly number[])[], labels: readonly number[]): Calibration {
  if (scores.length === 0 || scores.length !== labels.length) throw new Error('calibration needs one label per scored validation row, and at least one row');
  const classes = (scores[0]?.length ?? 0) + 1;
  let best = { ...UNCALIBRATED, validationRows: labels.length };
  let bestLoss = calibrationLoss(scores, labels, best);
  for (let logT = LOG_T_MIN; logT <= LOG_T_MAX + 1e-9; logT += LOG_T_STEP) {
    const temperature = Math.exp(logT);
    const p = scores.map((s, i) => classProbabilities(s, { ...UNCALIBRATED, temperature })[labels[i] ?? 0] ?? 0);
    const { floor, loss } = bestFloor(p, classes);
    if (loss < bestLoss) {
      bestLoss = loss;
      best = { method: 'temperature-and-floor', temperature, floor, validationRows: labels.length };
    }
  }
  return best;
}
