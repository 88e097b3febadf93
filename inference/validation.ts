// Request validation. Every problem is reported at once, each naming its field and the
// allowed range, so a client fixes a request in one round trip.

import type { Model } from './model.js';
import type { FeatureSpec, Vitals } from './schema.js';

export interface FieldProblem {
  field: string;
  message: string;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; details: FieldProblem[] };

const describe = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);
const rangeText = (f: FeatureSpec): string => `between ${f.min} and ${f.max} ${f.unit}`;

function checkFeature(f: FeatureSpec, value: unknown, field: string): FieldProblem | undefined {
  if (value === undefined) return { field, message: `is required: a number ${rangeText(f)}` };
  if (typeof value !== 'number') return { field, message: `must be a number ${rangeText(f)}, got ${describe(value)}` };
  if (!Number.isFinite(value)) return { field, message: `must be a finite number ${rangeText(f)}` };
  if (value < f.min || value > f.max) return { field, message: `must be ${rangeText(f)}, got ${value}` };
  return undefined;
}

/**
 * Checks one patient object against the model's feature schema: object shape, required
 * and unknown fields, number type, finiteness, allowed range, and diastolic below systolic.
 * `prefix` names the row in batch errors (e.g. "instances[3].").
 */
export function validateVitals(features: readonly FeatureSpec[], body: unknown, prefix = ''): Validated<Vitals> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, details: [{ field: prefix ? prefix.slice(0, -1) : 'body', message: `must be a JSON object with ${features.map((f) => f.name).join(', ')}, got ${describe(body)}` }] };
  }
  const record = body as Record<string, unknown>;
  const details = fieldProblems(features, record, prefix);
  if (details.length > 0) return { ok: false, details };
  const vitals = record as Vitals;
  if (vitals.diastolicBP >= vitals.systolicBP) {
    return { ok: false, details: [{ field: `${prefix}diastolicBP`, message: `must be below systolicBP (${vitals.systolicBP} mmHg), got ${vitals.diastolicBP}` }] };
  }
  return { ok: true, value: vitals };
}

/** Every missing, mistyped, out-of-range and unknown field of the record. */
function fieldProblems(features: readonly FeatureSpec[], record: Record<string, unknown>, prefix: string): FieldProblem[] {
  const details: FieldProblem[] = [];
  for (const f of features) {
    const problem = checkFeature(f, record[f.name], prefix + f.name);
    if (problem) details.push(problem);
  }
  const known = new Set<string>(features.map((f) => f.name));
  for (const key of Object.keys(record)) {
    if (!known.has(key)) details.push({ field: prefix + key, message: `is not a known field; allowed: ${[...known].join(', ')}` });
  }
  return details;
}

function checkInstancesShape(body: unknown, maxInstances: number): FieldProblem | unknown[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { field: 'body', message: `must be a JSON object {"instances": [...]}, got ${describe(body)}` };
  }
  const record = body as Record<string, unknown>;
  const extra = Object.keys(record).find((k) => k !== 'instances');
  if (extra !== undefined) return { field: extra, message: 'is not a known field; allowed: instances' };
  const instances = record.instances;
  if (!Array.isArray(instances)) return { field: 'instances', message: `must be an array of 1 to ${maxInstances} patients, got ${describe(instances)}` };
  if (instances.length === 0 || instances.length > maxInstances) {
    return { field: 'instances', message: `must hold 1 to ${maxInstances} patients, got ${instances.length}` };
  }
  return instances as unknown[];
}

/** Checks `{instances: [...]}`; row problems carry the row index in their field name. */
export function validateBatch(model: Pick<Model, 'features'>, body: unknown, maxInstances: number): Validated<Vitals[]> {
  const shape = checkInstancesShape(body, maxInstances);
  if (!Array.isArray(shape)) return { ok: false, details: [shape] };
  const rows: Vitals[] = [];
  const details: FieldProblem[] = [];
  shape.forEach((row, i) => {
    const result = validateVitals(model.features, row, `instances[${i}].`);
    if (result.ok) rows.push(result.value);
    else details.push(...result.details);
  });
  return details.length > 0 ? { ok: false, details } : { ok: true, value: rows };
}

/** Enumerable keys (a parsed JSON object has only its own), counted without building an array: the batch route's hot path. */
function keyCount(r: Record<string, unknown>): number {
  let keys = 0;
  for (const _key in r) keys++;
  return keys;
}

/**
 * A quick yes/no check that accepts exactly what validateVitals accepts, without building
 * messages; the batch route runs it on every row and falls back to validateVitals only
 * to explain a rejection.
 */
export function vitalsGate(features: readonly FeatureSpec[]): (row: unknown) => row is Vitals {
  const byName = new Map(features.map((f) => [f.name, f]));
  const range = (name: string): [number, number] => [byName.get(name as FeatureSpec['name'])?.min ?? NaN, byName.get(name as FeatureSpec['name'])?.max ?? NaN];
  const [hr0, hr1] = range('heartRate');
  const [sys0, sys1] = range('systolicBP');
  const [dia0, dia1] = range('diastolicBP');
  const [t0, t1] = range('temperature');
  const [o0, o1] = range('oxygenSaturation');
  const inRange = (v: unknown, lo: number, hi: number): boolean => typeof v === 'number' && v >= lo && v <= hi;
  return (row): row is Vitals => {
    if (typeof row !== 'object' || row === null || Array.isArray(row)) return false;
    const r = row as Record<string, unknown>;
    return (
      keyCount(r) === features.length &&
      inRange(r.heartRate, hr0, hr1) &&
      inRange(r.systolicBP, sys0, sys1) &&
      inRange(r.diastolicBP, dia0, dia1) &&
      inRange(r.temperature, t0, t1) &&
      inRange(r.oxygenSaturation, o0, o1) &&
      (r.diastolicBP as number) < (r.systolicBP as number)
    );
  };
}
