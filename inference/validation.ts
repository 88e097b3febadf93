// Request validation. Every problem is reported at once, each naming its field and the
// allowed range, so a client fixes a request in one round trip.

import type { Model } from './model.js';
import type { FeatureSpec, Vitals } from './schema.js';

export interface FieldProblem {
  field: string;
  message: string;
}

/** Problems listed in one answer at most; the rest are only counted, so an error stays small. */
export const MAX_LISTED_PROBLEMS = 100;

export interface Rejection {
  ok: false;
  /** The first MAX_LISTED_PROBLEMS problems. */
  details: FieldProblem[];
  /** Every problem found, listed or not. */
  total: number;
  /** Batch only: rows with at least one problem. */
  invalidRows?: number;
}

export type Validated<T> = { ok: true; value: T } | Rejection;

/** Collects problems, keeping the first `cap` and counting all. */
export class ProblemList {
  readonly listed: FieldProblem[] = [];
  total = 0;

  constructor(private readonly cap = MAX_LISTED_PROBLEMS) {}

  add(field: string, message: string): void {
    this.total++;
    if (this.listed.length < this.cap) this.listed.push({ field, message });
  }

  rejection(invalidRows?: number): Rejection {
    const out: Rejection = { ok: false, details: this.listed, total: this.total };
    if (invalidRows !== undefined) out.invalidRows = invalidRows;
    return out;
  }
}

const describe = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);
const rangeText = (f: FeatureSpec): string => `between ${f.min} and ${f.max} ${f.unit}`;
// A client's own key is echoed in the error: a 4 MiB key must not become a 4 MiB answer.
const MAX_KEY_CHARS = 64;
const keyText = (key: string): string => (key.length > MAX_KEY_CHARS ? `${key.slice(0, MAX_KEY_CHARS)}…` : key);

/** Why `value` is not an acceptable value of feature `f`, or undefined if it is. */
export function featureProblem(f: FeatureSpec, value: unknown): string | undefined {
  if (value === undefined) return `is required: a number ${rangeText(f)}`;
  if (typeof value !== 'number') return `must be a number ${rangeText(f)}, got ${describe(value)}`;
  if (!Number.isFinite(value)) return `must be a finite number ${rangeText(f)}`;
  if (value < f.min || value > f.max) return `must be ${rangeText(f)}, got ${value}`;
  return undefined;
}

/** Adds diastolic ≥ systolic when both are otherwise acceptable; true if it added one. */
export function checkPressures(vitals: Partial<Record<string, unknown>>, okFields: ReadonlySet<string>, field: string, problems: ProblemList): boolean {
  const { systolicBP, diastolicBP } = vitals as { systolicBP: number; diastolicBP: number };
  if (!okFields.has('systolicBP') || !okFields.has('diastolicBP') || diastolicBP < systolicBP) return false;
  problems.add(field, `must be below systolicBP (${systolicBP} mmHg), got ${diastolicBP}`);
  return true;
}

/** Adds every problem of one patient object to `problems`; true if it had none. */
function collectVitals(features: readonly FeatureSpec[], body: unknown, prefix: string, problems: ProblemList): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    problems.add(prefix ? prefix.slice(0, -1) : 'body', `must be a JSON object with ${features.map((f) => f.name).join(', ')}, got ${describe(body)}`);
    return false;
  }
  const record = body as Record<string, unknown>;
  const before = problems.total;
  const okFields = new Set<string>();
  for (const f of features) {
    const message = featureProblem(f, record[f.name]);
    if (message) problems.add(prefix + f.name, message);
    else okFields.add(f.name);
  }
  const known = new Set<string>(features.map((f) => f.name));
  for (const key of Object.keys(record)) {
    if (!known.has(key)) problems.add(prefix + keyText(key), `is not a known field; allowed: ${[...known].join(', ')}`);
  }
  checkPressures(record, okFields, `${prefix}diastolicBP`, problems);
  return problems.total === before;
}

/**
 * Checks one patient object against the model's feature schema: object shape, required
 * and unknown fields, number type, finiteness, allowed range, and diastolic below systolic,
 * all reported at once (the first MAX_LISTED_PROBLEMS listed, all counted).
 */
export function validateVitals(features: readonly FeatureSpec[], body: unknown): Validated<Vitals> {
  const problems = new ProblemList();
  return collectVitals(features, body, '', problems) ? { ok: true, value: body as Vitals } : problems.rejection();
}

function checkInstancesShape(body: unknown, maxInstances: number): FieldProblem | unknown[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { field: 'body', message: `must be a JSON object {"instances": [...]}, got ${describe(body)}` };
  }
  const record = body as Record<string, unknown>;
  const extra = Object.keys(record).find((k) => k !== 'instances');
  if (extra !== undefined) return { field: keyText(extra), message: 'is not a known field; allowed: instances' };
  const instances = record.instances;
  if (!Array.isArray(instances)) return { field: 'instances', message: `must be an array of 1 to ${maxInstances} patients, got ${describe(instances)}` };
  if (instances.length === 0 || instances.length > maxInstances) {
    return { field: 'instances', message: `must hold 1 to ${maxInstances} patients, got ${instances.length}` };
  }
  return instances as unknown[];
}

/**
 * Checks `{instances: [...]}`; row problems carry the row index in their field name. A
 * rejection lists the first MAX_LISTED_PROBLEMS problems and counts all and the rows affected.
 */
export function validateBatch(model: Pick<Model, 'features'>, body: unknown, maxInstances: number): Validated<Vitals[]> {
  const shape = checkInstancesShape(body, maxInstances);
  if (!Array.isArray(shape)) return { ok: false, details: [shape], total: 1 };
  const problems = new ProblemList();
  let invalidRows = 0;
  shape.forEach((row, i) => {
    if (!collectVitals(model.features, row, `instances[${i}].`, problems)) invalidRows++;
  });
  return invalidRows > 0 ? problems.rejection(invalidRows) : { ok: true, value: shape as Vitals[] };
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
    let keys = 0;
    for (const _key in r) keys++;
    return (
      keys === features.length &&
      inRange(r.heartRate, hr0, hr1) &&
      inRange(r.systolicBP, sys0, sys1) &&
      inRange(r.diastolicBP, dia0, dia1) &&
      inRange(r.temperature, t0, t1) &&
      inRange(r.oxygenSaturation, o0, o1) &&
      (r.diastolicBP as number) < (r.systolicBP as number)
    );
  };
}
