// The feature transform: what the logistic regression sees of a patient. A raw-feature model
// sees the five vitals; an early-warning model sees, for every vital, its band points under
// the early-warning bands (how far outside the normal band it is, in either direction) and
// sums them over the vitals into a few derived features. The transform is part of the model
// artifact, so the server, the operator's validator and the page's explanation all read the
// same definition.

import { BANDS } from './early-warning.js';
import { FEATURE_NAMES, type FeatureName, type Vitals } from './schema.js';

/** [upper bound inclusive, points] bands checked in order; null: no upper bound (the last band). */
export type BandTable = Array<[number | null, number]>;

/**
 * A derived feature: a sum over the vitals of one term per vital — its band points, or 1
 * when its points are at least `atLeast` (and 0 otherwise).
 */
export interface DerivedFeature {
  name: string;
  term: 'points' | 'atLeast';
  atLeast?: number;
  description: string;
}

export type FeatureTransform =
  | { kind: 'raw' }
  | { kind: 'early-warning-points'; bands: Record<FeatureName, BandTable>; derived: DerivedFeature[] };

/** The transform of format-v1 artifacts, which have none recorded: the standardized vitals. */
export const RAW_TRANSFORM: FeatureTransform = { kind: 'raw' };

/** A model's feature transform: v1 artifacts record none and see the raw vitals. */
export function transformOf(model: { transform?: FeatureTransform }): FeatureTransform {
  return model.transform ?? RAW_TRANSFORM;
}

const DERIVED: readonly DerivedFeature[] = [
  { name: 'earlyWarningScore', term: 'points', description: 'sum over the vitals of their band points (0 in the normal band, up to 3 far outside it, either direction)' },
  { name: 'vitalsScoring3', term: 'atLeast', atLeast: 3, description: 'number of vitals in a 3-point band' },
];

/** The early-warning transform with the labelling rule's bands (inference/early-warning.ts). */
export function earlyWarningTransform(): FeatureTransform {
  const bands = {} as Record<FeatureName, BandTable>;
  for (const name of FEATURE_NAMES) bands[name] = BANDS[name].map(([upper, points]) => [Number.isFinite(upper) ? upper : null, points]);
  return { kind: 'early-warning-points', bands, derived: DERIVED.map((d) => ({ ...d })) };
}

/** Names of the model's input columns after the transform, in weight order. */
export function featureNames(transform: FeatureTransform): string[] {
  return transform.kind === 'raw' ? [...FEATURE_NAMES] : transform.derived.map((d) => d.name);
}

/** Points of the first band whose upper bound is at or above `value`. Pure. */
export function bandPoints(table: BandTable, value: number): number {
  for (const [upper, points] of table) if (upper === null || value <= upper) return points;
  return table[table.length - 1]?.[1] ?? 0;
}

function term(feature: DerivedFeature, points: number): number {
  if (feature.term === 'points') return points;
  return points >= (feature.atLeast ?? Infinity) ? 1 : 0;
}

/**
 * terms[f][v]: vital v's part of feature f, so that feature f is the sum of its row. For the
 * raw transform feature f is vital f itself. Pure.
 */
export function vitalTerms(transform: FeatureTransform, vitals: Vitals): number[][] {
  if (transform.kind === 'raw') return FEATURE_NAMES.map((f) => FEATURE_NAMES.map((v) => (v === f ? vitals[v] : 0)));
  const points = FEATURE_NAMES.map((v) => bandPoints(transform.bands[v], vitals[v]));
  return transform.derived.map((d) => points.map((p) => term(d, p)));
}

/** The feature values before standardization, in featureNames() order. Pure. */
export function featureValues(transform: FeatureTransform, vitals: Vitals): number[] {
  if (transform.kind === 'raw') return FEATURE_NAMES.map((v) => vitals[v]);
  return vitalTerms(transform, vitals).map((row) => {
    let sum = 0;
    for (const t of row) sum += t;
    return sum;
  });
}

type Problems = string[];
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isFinite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function checkBands(name: string, table: unknown, problems: Problems): void {
  const where = `transform.bands.${name}`;
  if (!Array.isArray(table) || table.length === 0) {
    problems.push(`${where}: expected a list of [upper bound, points] bands`);
    return;
  }
  let previous = -Infinity;
  table.forEach((band: unknown, i) => {
    const last = i === table.length - 1;
    const ok = Array.isArray(band) && band.length === 2 && isFinite(band[1]) && band[1] >= 0 && (last ? band[0] === null : isFinite(band[0]) && band[0] > previous);
    if (!ok) problems.push(`${where}[${i}]: expected [${last ? 'null' : 'an upper bound above the previous one'}, points >= 0]`);
    else if (!last) previous = band[0] as number;
  });
}

function checkDerived(derived: unknown, problems: Problems): number {
  if (!Array.isArray(derived) || derived.length === 0) {
    problems.push('transform.derived: expected at least one derived feature');
    return 0;
  }
  const names = new Set<string>();
  derived.forEach((d: unknown, i) => {
    const where = `transform.derived[${i}]`;
    if (!isRecord(d) || typeof d.name !== 'string' || d.name === '' || names.has(d.name)) problems.push(`${where}.name: expected a unique non-empty name`);
    else names.add(d.name);
    if (!isRecord(d) || (d.term !== 'points' && d.term !== 'atLeast')) problems.push(`${where}.term: expected "points" or "atLeast"`);
    else if (d.term === 'atLeast' && !isFinite(d.atLeast)) problems.push(`${where}.atLeast: expected a number of points`);
  });
  return derived.length;
}

/**
 * Checks a transform read from JSON (undefined: the raw transform of v1 artifacts) and
 * returns its feature count, or 0 after recording what is wrong in `problems`.
 */
export function checkTransform(json: unknown, problems: Problems): number {
  if (json === undefined) return FEATURE_NAMES.length;
  if (!isRecord(json) || (json.kind !== 'raw' && json.kind !== 'early-warning-points')) {
    problems.push('transform.kind: expected "raw" or "early-warning-points"');
    return 0;
  }
  if (json.kind === 'raw') return FEATURE_NAMES.length;
  const before = problems.length;
  if (!isRecord(json.bands)) problems.push(`transform.bands: expected bands for ${FEATURE_NAMES.join(', ')}`);
  else for (const name of FEATURE_NAMES) checkBands(name, json.bands[name], problems);
  const count = checkDerived(json.derived, problems);
  return problems.length === before ? count : 0;
}
