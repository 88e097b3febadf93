// Drift in one pod: the model's reference (drift/reference.ts) against a window of the rows
// this pod scored (drift/window.ts), reported as PSI per feature and for the predicted
// classes, in GET /drift, the model card and on /metrics.

import { Counter, Gauge, type Registry } from 'prom-client';
import type { Model } from '../model.js';
import { FEATURE_NAMES, type Vitals } from '../schema.js';
import { psi, PSI_FLOOR } from './psi.js';
import type { DriftReference } from './reference.js';
import { DriftWindow, type WindowCounts } from './window.js';

/** Rows the drift window holds unless DRIFT_WINDOW_ROWS says otherwise. */
export const DEFAULT_DRIFT_WINDOW_ROWS = 5000;

export const DRIFT_UNAVAILABLE = {
  disabled: 'drift tracking is off (DRIFT_WINDOW_ROWS=0)',
  noReference: 'the model artifact has no drift reference (trained before drift monitoring existed); retrain with `npm run train` to get one',
} as const;

export interface FeatureDrift {
  name: string;
  /** null while the window is empty. */
  psi: number | null;
  /** The reference's interior bin edges. */
  edges: number[];
  /** Fraction per bin: on the training rows, and in the window (all 0 while it is empty). */
  training: number[];
  recent: number[];
  trainingRange: { min: number; max: number };
  /** Rows in the window with this feature outside the training range. */
  outOfRange: number;
}

export type DriftReport =
  | { available: false; reason: string }
  | {
      available: true;
      window: { capacity: number; rows: number };
      psiFloor: number;
      features: FeatureDrift[];
      predictions: { classes: string[]; psi: number | null; training: number[]; recent: number[] };
    };

const fractions = (counts: readonly number[], rows: number): number[] => counts.map((c) => (rows > 0 ? c / rows : 0));
const psiOrNull = (expected: readonly number[], counts: readonly number[], rows: number): number | null => (rows > 0 ? psi(expected, counts) : null);

/** The report for a window's `counts` against `reference`. Pure. */
export function driftReport(reference: DriftReference, classes: readonly string[], counts: WindowCounts, capacity: number): DriftReport {
  const { rows } = counts;
  const features = reference.features.map((f, j): FeatureDrift => {
    const bins = counts.bins[j] ?? [];
    return {
      name: f.name,
      psi: psiOrNull(f.fractions, bins, rows),
      edges: f.edges,
      training: f.fractions,
      recent: fractions(bins, rows),
      trainingRange: { min: f.min, max: f.max },
      outOfRange: counts.outOfRange[j] ?? 0,
    };
  });
  return {
    available: true,
    window: { capacity, rows },
    psiFloor: PSI_FLOOR,
    features,
    predictions: { classes: [...classes], psi: psiOrNull(reference.classFractions, counts.classes, rows), training: reference.classFractions, recent: fractions(counts.classes, rows) },
  };
}

/**
 * One pod's drift tracker. `windowRows` 0 turns it off; a model without a reference leaves it
 * off too. Either way `active` is false, observe* do nothing and the report says why.
 */
export class DriftMonitor {
  private readonly window: DriftWindow | undefined;
  private readonly reference: DriftReference | undefined;
  private readonly row = new Float64Array(FEATURE_NAMES.length);
  /** False when rows are not tracked; the hot path checks it before building anything. */
  readonly active: boolean;

  constructor(private readonly model: Pick<Model, 'reference' | 'classes'>, windowRows = DEFAULT_DRIFT_WINDOW_ROWS) {
    this.reference = model.reference;
    if (windowRows > 0 && this.reference) {
      this.window = new DriftWindow(this.reference.features, model.classes.length, windowRows);
    }
    this.active = this.window !== undefined;
  }

  /** Adds one scored row (validated vitals and the predicted class index). */
  observe(v: Vitals, cls: number): void {
    if (!this.window) return;
    const row = this.row;
    row[0] = v.heartRate;
    row[1] = v.systolicBP;
    row[2] = v.diastolicBP;
    row[3] = v.temperature;
    row[4] = v.oxygenSaturation;
    this.window.add(row, 0, cls);
  }

  /** Adds row `r` of a row-major matrix whose columns are the features in FEATURE_NAMES order. */
  observeMatrixRow(matrix: ArrayLike<number>, r: number, cls: number): void {
    this.window?.add(matrix, r * this.row.length, cls);
  }

  /** The current report; says why when drift is unavailable. */
  report(): DriftReport {
    if (!this.reference) return { available: false, reason: DRIFT_UNAVAILABLE.noReference };
    if (!this.window) return { available: false, reason: DRIFT_UNAVAILABLE.disabled };
    return driftReport(this.reference, this.model.classes, this.window.snapshot(), this.window.capacity);
  }

  /** Registers the drift metrics on `registry`; their values are computed when scraped. */
  register(registry: Registry): void {
    const registers = [registry];
    const report = (): DriftReport => this.report();
    const window = this.window;
    new Gauge({ name: 'model_input_drift_available', help: 'Whether input drift is measured (1), or not: no drift reference in the artifact, or DRIFT_WINDOW_ROWS=0 (0).', registers }).set(this.active ? 1 : 0);
    if (!window) return;
    new Gauge({ name: 'model_input_drift_window_capacity', help: 'Scored rows the drift window holds when full (DRIFT_WINDOW_ROWS).', registers }).set(window.capacity);
    new Gauge({ name: 'model_input_drift_window_rows', help: 'Scored rows in the drift window now.', registers, collect() { this.set(window.rows); } });
    new Gauge({
      name: 'model_input_drift_psi',
      help: 'Population stability index of each input feature over the drift window against the training rows (absent while the window is empty).',
      labelNames: ['feature'],
      registers,
      collect() {
        this.reset();
        const r = report();
        if (r.available) for (const f of r.features) if (f.psi !== null) this.set({ feature: f.name }, f.psi);
      },
    });
    new Gauge({
      name: 'model_prediction_drift_psi',
      help: 'Population stability index of the predicted classes over the drift window against the training rows (absent while the window is empty).',
      registers,
      collect() {
        this.reset();
        const r = report();
        if (r.available && r.predictions.psi !== null) this.set(r.predictions.psi);
      },
    });
    this.registerOutOfRange(registry, window);
  }

  private registerOutOfRange(registry: Registry, window: DriftWindow): void {
    const names = this.reference?.features.map((f) => f.name) ?? [];
    const flushed = new Float64Array(names.length);
    new Counter({
      name: 'model_input_out_of_range_total',
      help: "Scored rows with the feature outside the training rows' range, since start.",
      labelNames: ['feature'],
      registers: [registry],
      collect() {
        names.forEach((feature, j) => {
          const total = window.outOfRangeTotal[j] as number;
          this.inc({ feature }, total - (flushed[j] as number));
          flushed[j] = total;
        });
      },
    });
  }
}
