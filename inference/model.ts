// The model artifact: one JSON file holding everything needed to serve and explain the
// model. Its `version` is a hash of the rest of its content, so two files with the same
// version make the same predictions.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { EvaluationMetrics } from './evaluation.js';
import { FEATURE_NAMES, type FeatureSpec } from './schema.js';

export const MODEL_FORMAT = 'riskmodel.ordinal-logistic-regression/v1';

export interface TrainingParams {
  algorithm: string;
  samples: number;
  seed: number;
  labelNoise: number;
  testFraction: number;
  numSteps: number;
  learningRate: number;
  trainSize: number;
}

/** A linear log-odds over standardized features: intercept + Σ weights[j]·z[j]. */
export interface LinearScore {
  intercept: number;
  weights: number[];
}

export interface Model {
  format: typeof MODEL_FORMAT;
  version: string;
  classes: string[];
  features: FeatureSpec[];
  standardization: { mean: number[]; std: number[] };
  /**
   * Ordinal (cumulative) logistic regression: thresholds[k] gives the log-odds that the
   * risk is at least classes[k + 1], so there are classes.length - 1 of them.
   */
  thresholds: LinearScore[];
  metrics: EvaluationMetrics;
  training: TrainingParams;
}

export type UnversionedModel = Omit<Model, 'version'>;

/**
 * JSON with object keys sorted at every level, so a hash of it ignores key order; undefined
 * members are dropped and undefined array items become null, as JSON.stringify does. Pure.
 * The operator hashes its desired children with it too (operator/hash.ts).
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

function checkStandardization(s: unknown, problems: Problems): void {
  const n = FEATURE_NAMES.length;
  if (!isRecord(s) || !isFiniteArray(s.mean, n) || !isFiniteArray(s.std, n)) {
    problems.push(`standardization: expected {mean, std}, each ${n} finite numbers`);
  } else if (s.std.some((x) => x <= 0)) problems.push('standardization.std: every entry must be > 0');
}

function checkThresholds(t: unknown, classCount: number, problems: Problems): void {
  if (!Array.isArray(t) || t.length !== classCount - 1) {
    problems.push(`thresholds: expected one entry per class boundary (${Math.max(0, classCount - 1)})`);
    return;
  }
  t.forEach((entry: unknown, i) => {
    const ok = isRecord(entry) && isFiniteArray([entry.intercept], 1) && isFiniteArray(entry.weights, FEATURE_NAMES.length);
    if (!ok) problems.push(`thresholds[${i}]: expected {intercept, weights[${FEATURE_NAMES.length}]} of finite numbers`);
  });
}

function checkHeader(m: Record<string, unknown>, problems: Problems): number {
  if (m.format !== MODEL_FORMAT) problems.push(`format: expected "${MODEL_FORMAT}", got ${JSON.stringify(m.format)}`);
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
  checkStandardization(json.standardization, problems);
  checkThresholds(json.thresholds, classCount, problems);
  checkMetrics(json, problems);
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
