// The drift reference a model artifact carries: what the training rows looked like, per
// feature (quantile bin edges, the training fraction in each bin, the training range) and
// as predictions (the share of each predicted class on the training rows). The server
// compares the rows it scores with it (drift/monitor.ts). Optional in the artifact: an
// artifact without it serves as before, with drift reported as unavailable.

import { FEATURE_NAMES, type FeatureName, type Vitals } from '../schema.js';
import { binFractions, quantileEdges } from './psi.js';

/** Quantile bins a feature is cut into at training (fewer when the feature has few distinct values). */
export const REFERENCE_BINS = 10;
/** Most edges a feature may have in an artifact: bounds the per-row cost and the window's byte per feature. */
export const MAX_EDGES = 99;
const SUM_TOLERANCE = 1e-6;

export interface FeatureReference {
  name: FeatureName;
  /** The smallest and largest training value: rows outside are counted as out of range. */
  min: number;
  max: number;
  /** Ascending interior cut points; bin i holds values with i edges ≤ them. */
  edges: number[];
  /** Training fraction per bin: edges.length + 1 entries summing to 1. */
  fractions: number[];
}

export interface DriftReference {
  /** Training rows the reference was measured on. */
  rows: number;
  /** The bins asked for; a feature with few distinct values may have fewer. */
  bins: number;
  /** One entry per feature, in FEATURE_NAMES order. */
  features: FeatureReference[];
  /** Share of each predicted class on the training rows, in the model's class order. */
  classFractions: number[];
}

/**
 * The reference of `rows` (the training rows) and `predicted` (the model's predicted class
 * index for each row, of `classCount` classes). Deterministic; throws on no rows.
 */
export function fitReference(rows: readonly Vitals[], predicted: readonly number[], classCount: number, bins = REFERENCE_BINS): DriftReference {
  if (rows.length === 0) throw new Error('fitReference: no training rows');
  const features = FEATURE_NAMES.map((name): FeatureReference => {
    const values = rows.map((r) => r[name]);
    const edges = quantileEdges(values, bins);
    return { name, min: Math.min(...values), max: Math.max(...values), edges, fractions: binFractions(edges, values) };
  });
  const counts = new Array<number>(classCount).fill(0);
  for (const c of predicted) counts[c] = (counts[c] ?? 0) + 1;
  return { rows: rows.length, bins, features, classFractions: counts.map((n) => n / predicted.length) };
}

type Problems = string[];

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isFinite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** Pushes a problem unless `values` is `length` fractions in [0, 1] summing to 1. */
function checkFractions(values: unknown, length: number, field: string, problems: Problems): void {
  const ok = Array.isArray(values) && values.length === length && values.every((x) => isFinite(x) && x >= 0 && x <= 1);
  if (!ok) problems.push(`${field}: expected ${length} fractions in [0, 1]`);
  else if (Math.abs(values.reduce((s: number, x: number) => s + x, 0) - 1) > SUM_TOLERANCE) problems.push(`${field}: fractions must sum to 1`);
}

function checkEdges(edges: unknown, field: string, problems: Problems): edges is number[] {
  const ok = Array.isArray(edges) && edges.length <= MAX_EDGES && edges.every((x, i) => isFinite(x) && (i === 0 || x > (edges[i - 1] as number)));
  if (!ok) problems.push(`${field}: expected at most ${MAX_EDGES} finite numbers in strictly ascending order`);
  return ok;
}

function checkFeature(f: unknown, i: number, problems: Problems): void {
  const field = `reference.features[${i}]`;
  const name = FEATURE_NAMES[i];
  if (!isRecord(f) || f.name !== name) {
    problems.push(`${field}.name: expected "${name}"`);
    return;
  }
  if (!isFinite(f.min) || !isFinite(f.max) || f.min > f.max) problems.push(`${field}: needs finite min ≤ max (the training range)`);
  if (checkEdges(f.edges, `${field}.edges`, problems)) checkFractions(f.fractions, f.edges.length + 1, `${field}.fractions`, problems);
}

/**
 * Checks an artifact's `reference` section (see DriftReference) for a model of `classCount`
 * classes, pushing one problem per bad field, each naming the field and what it accepts.
 */
export function checkReference(ref: unknown, classCount: number, problems: Problems): void {
  if (!isRecord(ref)) {
    problems.push('reference: expected {rows, bins, features, classFractions} (or no reference at all)');
    return;
  }
  if (!Number.isInteger(ref.rows) || (ref.rows as number) < 1) problems.push('reference.rows: expected a whole number ≥ 1');
  if (!Number.isInteger(ref.bins) || (ref.bins as number) < 1 || (ref.bins as number) > MAX_EDGES + 1) problems.push(`reference.bins: expected a whole number from 1 to ${MAX_EDGES + 1}`);
  if (!Array.isArray(ref.features) || ref.features.length !== FEATURE_NAMES.length) {
    problems.push(`reference.features: expected ${FEATURE_NAMES.length} entries (${FEATURE_NAMES.join(', ')})`);
  } else ref.features.forEach((f: unknown, i) => checkFeature(f, i, problems));
  checkFractions(ref.classFractions, classCount, 'reference.classFractions', problems);
}
