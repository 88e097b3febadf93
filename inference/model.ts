// The model artifact: one JSON file holding everything needed to serve and explain the
// model. Its `version` is a hash of the rest of its content, so two files with the same
// version make the same predictions.
//
// Format v2 records the feature transform and the calibration. Format v1 artifacts (raw
// vitals, uncalibrated, from before the transform existed) still load and serve unchanged:
// they read as the raw transform with no calibration.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Calibration } from './calibration.js';
import { checkReference, type DriftReference } from './drift/reference.js';
import type { EvaluationMetrics } from './evaluation.js';
import { checkTransform, type FeatureTransform } from './features.js';
import { FEATURE_NAMES, type FeatureSpec } from './schema.js';

export const MODEL_FORMAT = 'riskmodel.ordinal-logistic-regression/v2';
export const MODEL_FORMAT_V1 = 'riskmodel.ordinal-logistic-regression/v1';
const FORMATS: readonly string[] = [MODEL_FORMAT, MODEL_FORMAT_V1];

export interface TrainingParams {
  algorithm: string;
  samples: number;
  seed: number;
  labelNoise: number;
  testFraction: number;
  numSteps: number;
  learningRate: number;
  trainSize: number;
  /** v2: the share of the training part held out to fit the calibration, and the rows left to fit the weights. */
  validationFraction?: number;
  fitSize?: number;
}

/** A linear log-odds over standardized features: intercept + Σ weights[j]·z[j]. */
export interface LinearScore {
  intercept: number;
  weights: number[];
}

/** Hold-out figures of the model, and beside them what it is measured against. */
export interface ModelMetrics extends EvaluationMetrics {
  /** The same model before calibration. */
  uncalibrated?: Pick<EvaluationMetrics, 'accuracy' | 'brierScore' | 'expectedCalibrationError'>;
  /** A raw-vitals model trained in the same run on the whole training part, uncalibrated. */
  baseline?: EvaluationMetrics & { description: string };
  /** The labelling rule itself on the same hold-out rows against their noisy labels: the best to expect. */
  ceiling?: EvaluationMetrics & { description: string };
}

export interface Model {
  format: typeof MODEL_FORMAT | typeof MODEL_FORMAT_V1;
  version: string;
  classes: string[];
  /** The inputs: the five vitals with units and allowed ranges. */
  features: FeatureSpec[];
  /** What the weights see of the vitals; absent in v1 artifacts (the raw vitals). */
  transform?: FeatureTransform;
  /**
   * Of the transformed features: mean and std, and (derived features only) vitalMeans[f][v],
   * the training mean of vital v's term of feature f, from which per-vital contributions are
   * measured.
   */
  standardization: { mean: number[]; std: number[]; vitalMeans?: number[][] };
  /**
   * Ordinal (cumulative) logistic regression: thresholds[k] gives the log-odds that the
   * risk is at least classes[k + 1], so there are classes.length - 1 of them.
   */
  thresholds: LinearScore[];
  /** Absent in v1 artifacts (uncalibrated). */
  calibration?: Calibration;
  metrics: ModelMetrics;
  training: TrainingParams;
  /**
   * What the training rows looked like, for drift monitoring. Optional in either format:
   * artifacts trained before it existed serve unchanged, with drift reported as unavailable.
   */
  reference?: DriftReference;
}

export type UnversionedModel = Omit<Model, 'version'>;

/**
 * JSON with object keys sorted at every level, so a hash of it ignores key order; undefined
 * members are dropped and undefined array items become null, as JSON.stringify does. Pure.
 * The operator hashes its desired children with it too (operator/model/hash.ts).
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Content hash of everything but `version`: 'sha256-' + 16 hex digits. Deterministic. */
export function modelVersion(model: UnversionedModel | Model): string {
  const { version: _ignored, ...content } = model as Model;
  return `sha256-${createHash('sha256').update(canonicalJson(content)).digest('hex').slice(0, 16)}`;
}

/** Attaches the content-derived version. */
export function withVersion(model: UnversionedModel): Model {
  return { ...model, version: modelVersion(model) };
}

/** Raised when a model artifact is unreadable or inconsistent; the message lists every problem. */
export class ModelLoadError extends Error {
  constructor(source: string, readonly problems: string[]) {
    super(`invalid model artifact ${source}: ${problems.join('; ')}`);
    this.name = 'ModelLoadError';
  }
}

type Problems = string[];

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isFiniteArray = (v: unknown, length: number): v is number[] =>
  Array.isArray(v) && v.length === length && v.every((x) => typeof x === 'number' && Number.isFinite(x));

function checkFeatures(features: unknown, problems: Problems): void {
  if (!Array.isArray(features) || features.length !== FEATURE_NAMES.length) {
    problems.push(`features: expected ${FEATURE_NAMES.length} entries (${FEATURE_NAMES.join(', ')})`);
    return;
  }
  features.forEach((f: unknown, i) => {
    const name = FEATURE_NAMES[i];
    if (!isRecord(f) || f.name !== name) problems.push(`features[${i}].name: expected "${name}"`);
    else if (typeof f.min !== 'number' || typeof f.max !== 'number' || !(f.min < f.max)) {
      problems.push(`features[${i}]: needs numeric min < max`);
    } else if (typeof f.unit !== 'string') problems.push(`features[${i}].unit: expected a string`);
  });
}

function checkVitalMeans(means: unknown, n: number, problems: Problems): void {
  if (!Array.isArray(means) || means.length !== n || !means.every((row) => isFiniteArray(row, FEATURE_NAMES.length))) {
    problems.push(`standardization.vitalMeans: expected ${n} rows of ${FEATURE_NAMES.length} finite numbers (one per derived feature and vital)`);
  }
}

function checkStandardization(s: unknown, n: number, derived: boolean, problems: Problems): void {
  if (!isRecord(s) || !isFiniteArray(s.mean, n) || !isFiniteArray(s.std, n)) {
    problems.push(`standardization: expected {mean, std}, each ${n} finite numbers (one per transformed feature)`);
    return;
  }
  if (s.std.some((x) => x <= 0)) problems.push('standardization.std: every entry must be > 0');
  if (derived) checkVitalMeans(s.vitalMeans, n, problems);
}

function checkCalibration(c: unknown, problems: Problems): void {
  const ok = isRecord(c) && c.method === 'temperature-and-floor' && isFiniteArray([c.temperature, c.floor, c.validationRows], 3);
  if (!ok) problems.push('calibration: expected {method: "temperature-and-floor", temperature, floor, validationRows}');
  else if (!((c.temperature as number) > 0) || !((c.floor as number) >= 0 && (c.floor as number) < 1)) {
    problems.push('calibration: temperature must be > 0 and floor in [0, 1)');
  }
}

/** Checks the v2-only parts (v1 has none of them) and returns the transformed feature count, 0 if unusable. */
function checkFormatParts(m: Record<string, unknown>, problems: Problems): number {
  if (m.format === MODEL_FORMAT_V1) {
    for (const key of ['transform', 'calibration']) {
      if (m[key] !== undefined) problems.push(`${key}: not part of format "${MODEL_FORMAT_V1}" (write "${MODEL_FORMAT}")`);
    }
    return FEATURE_NAMES.length;
  }
  if (m.transform === undefined) problems.push('transform: expected the feature transform');
  checkCalibration(m.calibration, problems);
  return m.transform === undefined ? 0 : checkTransform(m.transform, problems);
}

function checkThresholds(t: unknown, classCount: number, n: number, problems: Problems): void {
  if (!Array.isArray(t) || t.length !== classCount - 1) {
    problems.push(`thresholds: expected one entry per class boundary (${Math.max(0, classCount - 1)})`);
    return;
  }
  t.forEach((entry: unknown, i) => {
    const ok = isRecord(entry) && isFiniteArray([entry.intercept], 1) && isFiniteArray(entry.weights, n);
    if (!ok) problems.push(`thresholds[${i}]: expected {intercept, weights[${n}]} of finite numbers`);
  });
}

function checkHeader(m: Record<string, unknown>, problems: Problems): number {
  if (!FORMATS.includes(m.format as string)) {
    problems.push(`format: expected "${MODEL_FORMAT}" (or the older "${MODEL_FORMAT_V1}"), got ${JSON.stringify(m.format)}; retrain with \`npm run train -- --out model.json\``);
  }
  if (typeof m.version !== 'string') problems.push('version: expected a string');
  const classes = m.classes;
  if (!Array.isArray(classes) || classes.length < 2 || !classes.every((c) => typeof c === 'string')) {
    problems.push('classes: expected at least two class names');
    return 0;
  }
  return classes.length;
}

function checkMetrics(m: Record<string, unknown>, problems: Problems): void {
  const accuracy = isRecord(m.metrics) ? m.metrics.accuracy : undefined;
  if (typeof accuracy !== 'number' || accuracy < 0 || accuracy > 1) problems.push('metrics.accuracy: expected a number in [0, 1]');
  if (!isRecord(m.training)) problems.push('training: expected the training parameters');
}

/** Validates parsed JSON as a model; throws ModelLoadError naming every problem. */
export function parseModel(json: unknown, source = '(inline)'): Model {
  if (!isRecord(json)) throw new ModelLoadError(source, ['expected a JSON object']);
  const problems: Problems = [];
  const classCount = checkHeader(json, problems);
  checkFeatures(json.features, problems);
  const n = checkFormatParts(json, problems);
  if (n > 0) {
    const derived = isRecord(json.transform) && json.transform.kind !== 'raw';
    checkStandardization(json.standardization, n, derived, problems);
    checkThresholds(json.thresholds, classCount, n, problems);
  }
  checkMetrics(json, problems);
  if (json.reference !== undefined) checkReference(json.reference, classCount, problems);
  if (problems.length === 0) {
    const expected = modelVersion(json as unknown as Model);
    if (json.version !== expected) {
      problems.push(`version: file says ${String(json.version)} but its content hashes to ${expected} (edited after training?)`);
    }
  }
  if (problems.length > 0) throw new ModelLoadError(source, problems);
  return json as unknown as Model;
}

/** Reads and validates a model file; throws ModelLoadError for a missing, non-JSON or invalid file. */
export function loadModelFile(path: string): Model {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ModelLoadError(path, [`cannot read file: ${(err as Error).message}`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ModelLoadError(path, [`not valid JSON: ${(err as Error).message}`]);
  }
  return parseModel(json, path);
}
