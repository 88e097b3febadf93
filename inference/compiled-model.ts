// The serving form of a model: weights in typed arrays, scratch buffers reused across
// rows, and a JSON writer specialised to the Prediction shape. It computes exactly what
// predict.ts's reference functions compute, in the same arithmetic order, so results are
// bit-identical (a test pins that); it exists because the batch route must score and
// serialize a row in about a microsecond.

import type { Model } from './model.js';
import { classWeights, type Prediction } from './predict.js';
import { FEATURE_NAMES, type FeatureName, type Vitals } from './schema.js';

const N = FEATURE_NAMES.length;

/** Results of the last `score` call; overwritten by the next one. */
export interface Scored {
  best: number;
  probabilities: Float64Array;
  contributions: Float64Array;
}

export interface CompiledModel {
  readonly model: Model;
  /** True when every JSON this model writes is ASCII, so it can be sent as latin1 bytes without UTF-8 encoding. */
  readonly asciiJson: boolean;
  /** Scores valid vitals into the shared buffer and returns it. */
  score(vitals: Vitals): Scored;
  /** The scored row as a Prediction object. */
  toPrediction(scored: Scored): Prediction;
  /** The scored row as JSON, byte-identical to JSON.stringify(toPrediction(scored)). */
  toJson(scored: Scored): string;
  /** Upper bound on the UTF-8 bytes of one toJson() result. */
  readonly maxJsonBytes: number;
}

// The longest a double prints as, e.g. "-1.2345678901234567e-308".
const MAX_NUMBER_CHARS = 24;

function classWeightArrays(model: Model): Float64Array[] {
  return model.classes.map((_, c) => Float64Array.from(classWeights(model, c)));
}

function standardizeInto(model: Model, z: Float64Array): (v: Vitals) => void {
  const [m0, m1, m2, m3, m4] = model.standardization.mean as [number, number, number, number, number];
  const [s0, s1, s2, s3, s4] = model.standardization.std as [number, number, number, number, number];
  return (v) => {
    z[0] = (v.heartRate - m0) / s0;
    z[1] = (v.systolicBP - m1) / s1;
    z[2] = (v.diastolicBP - m2) / s2;
    z[3] = (v.temperature - m3) / s3;
    z[4] = (v.oxygenSaturation - m4) / s4;
  };
}

/** Cumulative sigmoids → clamped class probabilities, as classProbabilities() does. */
function probabilitiesInto(scores: Float64Array, raw: Float64Array, out: Float64Array): number {
  const t = scores.length;
  let previous = 1;
  for (let k = 0; k < t; k++) {
    const atLeast = 1 / (1 + Math.exp(-(scores[k] as number)));
    raw[k] = Math.max(0, previous - atLeast);
    previous = atLeast;
  }
  raw[t] = Math.max(0, previous);
  let total = 0;
  for (let k = 0; k <= t; k++) total += raw[k] as number;
  let best = 0;
  for (let k = 0; k <= t; k++) {
    out[k] = (raw[k] as number) / total;
    if ((out[k] as number) > (out[best] as number)) best = k;
  }
  return best;
}

function sharesInto(weights: Float64Array, z: Float64Array, out: Float64Array): void {
  let total = 0;
  for (let j = 0; j < N; j++) {
    out[j] = (weights[j] as number) * (z[j] as number);
    total += Math.abs(out[j] as number);
  }
  for (let j = 0; j < N; j++) out[j] = total === 0 ? 0 : (out[j] as number) / total;
}

function jsonWriter(model: Model): { toJson: (s: Scored) => string; maxJsonBytes: number } {
  const risks = model.classes.map((c) => `{"risk":${JSON.stringify(c)},"confidence":`);
  const probKeys = model.classes.map((c, i) => `${i === 0 ? ',"probabilities":{' : ','}${JSON.stringify(c)}:`);
  const featureKeys = FEATURE_NAMES.map((f, j) => `${j === 0 ? '},"contributions":{' : ','}${JSON.stringify(f)}:`);
  const tail = `},"modelVersion":${JSON.stringify(model.version)}}`;
  const toJson = (s: Scored): string => {
    let out = (risks[s.best] as string) + String(s.probabilities[s.best]);
    for (let i = 0; i < probKeys.length; i++) out += (probKeys[i] as string) + String(s.probabilities[i]);
    for (let j = 0; j < N; j++) out += (featureKeys[j] as string) + String(s.contributions[j]);
    return out + tail;
  };
  const fixed = [Math.max(...risks.map((r) => Buffer.byteLength(r))), ...[...probKeys, ...featureKeys, tail].map((f) => Buffer.byteLength(f))];
  const maxJsonBytes = fixed.reduce((a, b) => a + b, 0) + (1 + probKeys.length + N) * MAX_NUMBER_CHARS;
  return { toJson, maxJsonBytes };
}

/** Compiles a validated model for serving. */
export function compileModel(model: Model): CompiledModel {
  const t = model.thresholds.length;
  const weights = model.thresholds.map((th) => Float64Array.from(th.weights));
  const intercepts = Float64Array.from(model.thresholds, (th) => th.intercept);
  const perClass = classWeightArrays(model);
  const z = new Float64Array(N);
  const scores = new Float64Array(t);
  const raw = new Float64Array(t + 1);
  const scored: Scored = { best: 0, probabilities: new Float64Array(t + 1), contributions: new Float64Array(N) };
  const standardize = standardizeInto(model, z);
  const score = (vitals: Vitals): Scored => {
    standardize(vitals);
    for (let k = 0; k < t; k++) {
      const w = weights[k] as Float64Array;
      let s = 0;
      s += intercepts[k] as number;
      for (let j = 0; j < N; j++) s += (z[j] as number) * (w[j] as number);
      scores[k] = s;
    }
    scored.best = probabilitiesInto(scores, raw, scored.probabilities);
    sharesInto(perClass[scored.best] as Float64Array, z, scored.contributions);
    return scored;
  };
  const toPrediction = (s: Scored): Prediction => {
    const probabilities: Record<string, number> = {};
    model.classes.forEach((name, i) => (probabilities[name] = s.probabilities[i] as number));
    const contributions = {} as Record<FeatureName, number>;
    FEATURE_NAMES.forEach((name, j) => (contributions[name] = s.contributions[j] as number));
    const risk = model.classes[s.best] as string;
    return { risk, confidence: s.probabilities[s.best] as number, probabilities, contributions, modelVersion: model.version };
  };
  // eslint-disable-next-line no-control-regex
  const asciiJson = /^[\x00-\x7f]*$/.test(JSON.stringify([model.classes, model.version]));
  return { model, asciiJson, score, toPrediction, ...jsonWriter(model) };
}
