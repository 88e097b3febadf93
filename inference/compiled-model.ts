// The serving form of a model: weights in typed arrays, scratch buffers reused across
// rows, and a JSON writer specialised to the Prediction shape. It computes exactly what
// predict.ts's reference functions compute, in the same arithmetic order, so scores are
// bit-identical (a test pins that), and writes them as JSON bytes rounded to JSON_DECIMALS
// places; it exists because the batch route must score and serialize a row in well under
// a microsecond.

import { transformOf, type BandTable, type FeatureTransform } from './features.js';
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
  /** Scores valid vitals into the shared buffer and returns it. */
  score(vitals: Vitals): Scored;
  /** The scored row as a Prediction object, at full precision. */
  toPrediction(scored: Scored): Prediction;
  /**
   * Writes the scored row as UTF-8 JSON into `out` at `at` and returns the offset after it.
   * Numbers are rounded to JSON_DECIMALS places (see formatFixed); `out` must have
   * maxJsonBytes free from `at`. Throws NonFiniteScore when a number is NaN or ±∞.
   */
  writeJson(scored: Scored, out: Buffer, at: number): number;
  /** The scored row as JSON text, exactly the bytes writeJson writes. */
  toJson(scored: Scored): string;
  /** Upper bound on the bytes of one writeJson() result. */
  readonly maxJsonBytes: number;
}

/**
 * Decimal places of the probabilities, confidence and contributions in served JSON. Each is
 * within 5e-9 of the computed double, so probabilities still sum to 1 within 2e-8. Writing a
 * fixed precision with integer arithmetic costs a fraction of printing the shortest
 * round-trip form of a double, which was most of a batch request's CPU.
 */
export const JSON_DECIMALS = 8;
const SCALE = 10 ** JSON_DECIMALS;
/** Sign (or a space: JSON whitespace), "0." or "1.", then the decimals. */
export const NUMBER_WIDTH = JSON_DECIMALS + 3;
const PLACEHOLDER = ` 0.${'0'.repeat(JSON_DECIMALS)}`;

// The longest a double prints as, e.g. "-1.2345678901234567e-308": the fallback's bound.
const MAX_NUMBER_CHARS = 24;

/** `x` as a client reads it back from served JSON: rounded to JSON_DECIMALS places. */
export function asServed(x: number): number {
  const n = Math.round(Math.abs(x) * SCALE);
  return n === 0 ? 0 : (x < 0 ? -n : n) / SCALE;
}

/** A prediction as a client parses it from served JSON (every number through asServed). */
export function servedPrediction(p: Prediction): Prediction {
  const round = <K extends string>(values: Record<K, number>): Record<K, number> =>
    Object.fromEntries(Object.entries<number>(values).map(([k, v]) => [k, asServed(v)])) as Record<K, number>;
  return { ...p, confidence: asServed(p.confidence), probabilities: round(p.probabilities), contributions: round(p.contributions) };
}

/**
 * Overwrites the NUMBER_WIDTH bytes at `at` with `x` (in [-1, 1]) rounded to JSON_DECIMALS
 * places: " 0.57135323", "-0.15289354", " 1.00000000". Fixed width, so a row is a copied
 * template with its digits filled in.
 */
export function writeFixed(x: number, out: Buffer, at: number): void {
  // An int32 from here on: float modulo would be a library call.
  let n = Math.round((x < 0 ? -x : x) * SCALE) | 0;
  out[at] = x < 0 && n !== 0 ? 0x2d : 0x20; // '-' or ' '
  out[at + 1] = n === SCALE ? 0x31 : 0x30;
  if (n === SCALE) n = 0;
  for (let i = at + NUMBER_WIDTH - 1; i > at + 2; i--) {
    const q = (n / 10) | 0;
    out[i] = 0x30 + n - q * 10;
    n = q;
  }
}

function classWeightArrays(model: Model): Float64Array[] {
  return model.classes.map((_, c) => Float64Array.from(classWeights(model, c)));
}

/** Fills the standardized features and each vital's unnormalized contribution weights for a row. */
interface Transformer {
  /** Standardized features of `v` into z. */
  features(v: Vitals): void;
  /** Each vital's part of Σ w·z for the class weights `w`, into out (call after features()). */
  parts(w: Float64Array, out: Float64Array): void;
}

function rawTransformer(model: Model, z: Float64Array): Transformer {
  const [m0, m1, m2, m3, m4] = model.standardization.mean as [number, number, number, number, number];
  const [s0, s1, s2, s3, s4] = model.standardization.std as [number, number, number, number, number];
  return {
    features: (v) => {
      z[0] = (v.heartRate - m0) / s0;
      z[1] = (v.systolicBP - m1) / s1;
      z[2] = (v.diastolicBP - m2) / s2;
      z[3] = (v.temperature - m3) / s3;
      z[4] = (v.oxygenSaturation - m4) / s4;
    },
    parts: (w, out) => {
      for (let j = 0; j < N; j++) out[j] = (w[j] as number) * (z[j] as number);
    },
  };
}

/** Band upper bounds (Infinity for the open last band) and points, one pair per vital. */
function bandArrays(bands: Record<FeatureName, BandTable>): Array<{ upper: Float64Array; points: Float64Array }> {
  return FEATURE_NAMES.map((name) => ({
    upper: Float64Array.from(bands[name], ([u]) => (u === null ? Infinity : u)),
    points: Float64Array.from(bands[name], ([, p]) => p),
  }));
}

function pointsOf(band: { upper: Float64Array; points: Float64Array }, x: number): number {
  const n = band.upper.length;
  for (let i = 0; i < n; i++) if (x <= (band.upper[i] as number)) return band.points[i] as number;
  return band.points[n - 1] as number;
}

/** The early-warning transform in typed arrays; the same arithmetic, in the same order, as features.ts and predict.ts. */
function derivedTransformer(model: Model, transform: Extract<FeatureTransform, { kind: 'early-warning-points' }>, z: Float64Array): Transformer {
  const bands = bandArrays(transform.bands);
  const f = transform.derived.length;
  const atLeast = Float64Array.from(transform.derived, (d) => (d.term === 'points' ? NaN : (d.atLeast ?? Infinity)));
  const mean = Float64Array.from(model.standardization.mean);
  const std = Float64Array.from(model.standardization.std);
  const vitalMeans = Float64Array.from((model.standardization.vitalMeans ?? []).flat());
  const points = new Float64Array(N);
  const terms = new Float64Array(f * N);
  const features = (v: Vitals): void => {
    points[0] = pointsOf(bands[0] as (typeof bands)[number], v.heartRate);
    points[1] = pointsOf(bands[1] as (typeof bands)[number], v.systolicBP);
    points[2] = pointsOf(bands[2] as (typeof bands)[number], v.diastolicBP);
    points[3] = pointsOf(bands[3] as (typeof bands)[number], v.temperature);
    points[4] = pointsOf(bands[4] as (typeof bands)[number], v.oxygenSaturation);
    for (let k = 0; k < f; k++) {
      const a = atLeast[k] as number;
      let sum = 0;
      for (let j = 0; j < N; j++) {
        const p = points[j] as number;
        const t = a !== a ? p : p >= a ? 1 : 0; // NaN: the term is the points themselves
        terms[k * N + j] = t;
        sum += t;
      }
      z[k] = (sum - (mean[k] as number)) / (std[k] as number);
    }
  };
  const parts = (w: Float64Array, out: Float64Array): void => {
    for (let j = 0; j < N; j++) {
      let part = 0;
      for (let k = 0; k < f; k++) part += (w[k] as number) * (((terms[k * N + j] as number) - (vitalMeans[k * N + j] as number)) / (std[k] as number));
      out[j] = part;
    }
  };
  return { features, parts };
}

function transformerFor(model: Model, z: Float64Array): Transformer {
  const transform = transformOf(model);
  return transform.kind === 'raw' ? rawTransformer(model, z) : derivedTransformer(model, transform, z);
}

/** Cumulative sigmoids (log-odds over the temperature) → clamped, floored class probabilities, as classProbabilities() does. */
function probabilitiesInto(scores: Float64Array, raw: Float64Array, out: Float64Array, calibration: { temperature: number; floor: number }): number {
  const t = scores.length;
  const { temperature, floor } = calibration;
  let previous = 1;
  for (let k = 0; k < t; k++) {
    const atLeast = 1 / (1 + Math.exp(-((scores[k] as number) / temperature)));
    raw[k] = Math.max(0, previous - atLeast);
    previous = atLeast;
  }
  raw[t] = Math.max(0, previous);
  let total = 0;
  for (let k = 0; k <= t; k++) total += raw[k] as number;
  let best = 0;
  for (let k = 0; k <= t; k++) {
    out[k] = (1 - floor) * ((raw[k] as number) / total) + floor / (t + 1);
    if ((out[k] as number) > (out[best] as number)) best = k;
  }
  return best;
}

/**
 * A scored number that is NaN or ±∞: the model artifact, not the request, is at fault (e.g. a
 * standard deviation so small that two features standardise to +∞ and −∞). Thrown by the
 * writers only on their slow path, so the check costs the hot path nothing.
 */
export class NonFiniteScore extends Error {
  constructor() {
    super('the model produced a non-finite score');
    this.name = 'NonFiniteScore';
  }
}

/** True when every value is a finite number (not NaN, not ±∞). */
export function allFinite(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}

function sharesInto(parts: Float64Array, out: Float64Array): void {
  let total = 0;
  for (let j = 0; j < N; j++) total += Math.abs(parts[j] as number);
  for (let j = 0; j < N; j++) out[j] = total === 0 ? 0 : (parts[j] as number) / total;
}

/** A row's JSON for one predicted class, with placeholders, and where each number goes. */
interface RowTemplate {
  bytes: Buffer;
  /** Byte offsets: confidence, each class probability, each feature contribution. */
  slots: Int32Array;
}

function rowTemplate(model: Model, best: number): RowTemplate {
  const pieces = [`{"risk":${JSON.stringify(model.classes[best])},"confidence":`];
  model.classes.forEach((c, i) => pieces.push(`${i === 0 ? ',"probabilities":{' : ','}${JSON.stringify(c)}:`));
  FEATURE_NAMES.forEach((f, j) => pieces.push(`${j === 0 ? '},"contributions":{' : ','}${JSON.stringify(f)}:`));
  const slots = new Int32Array(pieces.length);
  let at = 0;
  const text = pieces.map((piece, k) => {
    slots[k] = at += Buffer.byteLength(piece);
    at += NUMBER_WIDTH;
    return piece + PLACEHOLDER;
  });
  return { bytes: Buffer.from(`${text.join('')}},"modelVersion":${JSON.stringify(model.version)}}`), slots };
}

function inUnitRange(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) if (!((values[i] as number) >= -1 && (values[i] as number) <= 1)) return false;
  return true;
}

function jsonWriter(model: Model, toPrediction: (s: Scored) => Prediction): Pick<CompiledModel, 'writeJson' | 'toJson' | 'maxJsonBytes'> {
  const templates = model.classes.map((_, c) => rowTemplate(model, c));
  const t = model.classes.length;
  const writeJson = (s: Scored, out: Buffer, at: number): number => {
    const { probabilities: p, contributions: w } = s;
    // Shares and probabilities are in [-1, 1] by construction; anything else comes from a
    // broken model file: a finite value is still written as valid JSON, in full.
    if (!inUnitRange(p) || !inUnitRange(w)) {
      if (!allFinite(p) || !allFinite(w)) throw new NonFiniteScore();
      return at + out.write(JSON.stringify(toPrediction(s)), at, 'utf8');
    }
    const { bytes, slots } = templates[s.best] as RowTemplate;
    out.set(bytes, at);
    writeFixed(p[s.best] as number, out, at + (slots[0] as number));
    for (let k = 0; k < t; k++) writeFixed(p[k] as number, out, at + (slots[1 + k] as number));
    for (let j = 0; j < N; j++) writeFixed(w[j] as number, out, at + (slots[1 + t + j] as number));
    return at + bytes.length;
  };
  const fixed = Math.max(...templates.map((r) => r.bytes.length - r.slots.length * NUMBER_WIDTH));
  const maxJsonBytes = fixed + (1 + t + N) * MAX_NUMBER_CHARS;
  const scratch = Buffer.allocUnsafe(maxJsonBytes);
  const toJson = (s: Scored): string => scratch.toString('utf8', 0, writeJson(s, scratch, 0));
  return { writeJson, toJson, maxJsonBytes };
}

/** Compiles a validated model for serving. */
export function compileModel(model: Model): CompiledModel {
  const t = model.thresholds.length;
  const weights = model.thresholds.map((th) => Float64Array.from(th.weights));
  const intercepts = Float64Array.from(model.thresholds, (th) => th.intercept);
  const perClass = classWeightArrays(model);
  const f = weights[0]?.length ?? 0;
  const z = new Float64Array(f);
  const scores = new Float64Array(t);
  const raw = new Float64Array(t + 1);
  const parts = new Float64Array(N);
  const calibration = { temperature: model.calibration?.temperature ?? 1, floor: model.calibration?.floor ?? 0 };
  const scored: Scored = { best: 0, probabilities: new Float64Array(t + 1), contributions: new Float64Array(N) };
  const transformer = transformerFor(model, z);
  const score = (vitals: Vitals): Scored => {
    transformer.features(vitals);
    for (let k = 0; k < t; k++) {
      const w = weights[k] as Float64Array;
      let s = 0;
      s += intercepts[k] as number;
      for (let j = 0; j < f; j++) s += (z[j] as number) * (w[j] as number);
      scores[k] = s;
    }
    scored.best = probabilitiesInto(scores, raw, scored.probabilities, calibration);
    transformer.parts(perClass[scored.best] as Float64Array, parts);
    sharesInto(parts, scored.contributions);
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
  return { model, score, toPrediction, ...jsonWriter(model, toPrediction) };
}
