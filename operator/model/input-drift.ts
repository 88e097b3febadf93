// Input drift of a RiskModel, from what its pods report (GET /drift: the bin fractions of their
// last scored rows next to the training ones). Pure. The pods' windows are summed as counts
// (fraction × rows) before PSI is computed, so two pods of 500 rows weigh as one of 1000, and
// PSI uses the inference server's own function and floor (inference/drift/psi.ts).

import type { DriftStatus, FeatureDriftStatus, ResolvedSpec } from '../api/riskmodel.js';
import { ConditionType, Reason } from '../api/reasons.js';
import type { ConditionUpdate } from './conditions.js';
import { psi } from '../../inference/drift/psi.js';

/** What one pod's GET /drift says, as far as the operator reads it. */
export type PodDrift =
  | { available: false; reason: string }
  | {
      available: true;
      rows: number;
      features: Array<{ name: string; training: number[]; recent: number[]; outOfRange: number }>;
      predictions: { training: number[]; recent: number[] };
    };

const isNumbers = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));

function featureOf(f: unknown): Feature | undefined {
  const { name, training, recent, outOfRange } = (f ?? {}) as Record<string, unknown>;
  if (typeof name !== 'string' || !isNumbers(training) || !isNumbers(recent) || typeof outOfRange !== 'number') return undefined;
  return { name, training, recent, outOfRange };
}

type Feature = Extract<PodDrift, { available: true }>['features'][number];

function featuresOf(value: unknown): Feature[] | undefined {
  const features = Array.isArray(value) ? value.map(featureOf) : [];
  return features.length > 0 && features.every((f): f is Feature => f !== undefined) ? features : undefined;
}

function predictionsOf(value: unknown): { training: number[]; recent: number[] } | undefined {
  const { training, recent } = (value ?? {}) as Record<string, unknown>;
  return isNumbers(training) && isNumbers(recent) ? { training, recent } : undefined;
}

/** A pod's GET /drift answer as the operator reads it; undefined when it is not one. Pure. */
export function podDriftOf(answer: unknown): PodDrift | undefined {
  const a = (answer ?? {}) as Record<string, unknown>;
  if (a.available === false) return { available: false, reason: typeof a.reason === 'string' ? a.reason : 'drift unavailable' };
  const rows = ((a.window ?? {}) as Record<string, unknown>).rows;
  const features = featuresOf(a.features);
  const predictions = predictionsOf(a.predictions);
  if (a.available !== true || typeof rows !== 'number' || !features || !predictions) return undefined;
  return { available: true, rows, features, predictions };
}

/** The RiskModel's drift over every reporting pod's window. */
export interface DriftFigures {
  pods: number;
  rows: number;
  /** Worst first; empty when no pod had a reference to compare with. */
  features: FeatureDriftStatus[];
  predictionsPsi?: number;
  /** Why no pod reported drift, when none did. */
  unavailable?: string;
}

type Available = Extract<PodDrift, { available: true }>;

/** Before the first reading and while no pod answers: the same words, so the first reading of pods still starting writes nothing new. */
const NO_REPORT = 'no ready pod has reported its input drift yet (the operator reads GET /drift every 15 s)';

/** PSI to two decimals: finer changes are noise next to a threshold of 0.1 or more, and would rewrite status. */
const round = (x: number) => Math.round(x * 100) / 100;

/** counts[i] += fractions[i] · rows, bins of the first report deciding the length. */
function addCounts(into: number[], fractions: readonly number[], rows: number): number[] {
  return fractions.map((f, i) => (into[i] ?? 0) + f * rows);
}

function featureFigures(reports: readonly Available[]): FeatureDriftStatus[] {
  const first = reports[0]?.features ?? [];
  return first
    .map((feature, j) => {
      let counts: number[] = [];
      let outOfRange = 0;
      for (const r of reports) {
        const f = r.features[j];
        if (f?.name !== feature.name || f.recent.length !== feature.training.length) continue;
        counts = addCounts(counts, f.recent, r.rows);
        outOfRange += f.outOfRange;
      }
      return { name: feature.name, psi: round(psi(feature.training, counts)), outOfRange };
    })
    .filter((f) => Number.isFinite(f.psi))
    .sort((a, b) => b.psi - a.psi);
}

/**
 * The drift of the pods' windows together. Reports of pods whose model has no reference (or
 * with drift off) are left out; when none is left, `unavailable` says why.
 */
export function combineDrift(reports: readonly PodDrift[]): DriftFigures {
  const available = reports.filter((r): r is Available => r.available);
  if (available.length === 0) {
    const reason = reports.find((r): r is Extract<PodDrift, { available: false }> => !r.available)?.reason ?? NO_REPORT;
    return { pods: 0, rows: 0, features: [], unavailable: reason };
  }
  const rows = available.reduce((sum, r) => sum + r.rows, 0);
  let predictions: number[] = [];
  for (const r of available) predictions = addCounts(predictions, r.predictions.recent, r.rows);
  const predictionsPsi = round(psi(available[0]!.predictions.training, predictions));
  return { pods: available.length, rows, features: featureFigures(available), ...(Number.isFinite(predictionsPsi) ? { predictionsPsi } : {}) };
}

export interface DriftVerdict {
  condition: ConditionUpdate;
  /** status.drift; undefined when nothing was measured yet. */
  status?: DriftStatus;
}

const condition = (status: ConditionUpdate['status'], reason: string, message: string): ConditionUpdate => ({ type: ConditionType.InputDrift, status, reason, message });

function listed(features: readonly FeatureDriftStatus[]): string {
  return features.map((f) => `${f.name} ${f.psi.toFixed(2)}`).join(', ');
}

/** status.drift's figures, and the words saying what they were measured over. */
function measured(figures: DriftFigures): { base: Omit<DriftStatus, 'summary'>; over: string } {
  const base = { rows: figures.rows, pods: figures.pods, features: figures.features, ...(figures.predictionsPsi === undefined ? {} : { predictionsPsi: figures.predictionsPsi }) };
  return { base, over: `(${figures.rows} rows from ${figures.pods} pod${figures.pods === 1 ? '' : 's'})` };
}

function unavailable(reason: string): DriftVerdict {
  return { condition: condition('Unknown', Reason.DriftUnavailable, reason), ...(reason === NO_REPORT ? {} : { status: { rows: 0, pods: 0, features: [], summary: 'unavailable' } }) };
}

function tooFew(figures: DriftFigures, spec: ResolvedSpec['drift'], base: Omit<DriftStatus, 'summary'>, over: string): DriftVerdict {
  const message = `${figures.rows} of the ${spec.minRows} rows (spec.monitoring.drift.minRows) needed to judge drift ${over}`;
  return { condition: condition('Unknown', Reason.TooFewRows, message), status: { ...base, summary: `too few rows (${figures.rows}/${spec.minRows})` } };
}

function withinThreshold(figures: DriftFigures, spec: ResolvedSpec['drift'], base: Omit<DriftStatus, 'summary'>, over: string): DriftVerdict {
  const worst = figures.features[0];
  const largest = worst ? `largest PSI ${worst.psi.toFixed(2)} (${worst.name})` : 'no feature measured';
  return { condition: condition('False', Reason.NoDrift, `every feature within PSI ${spec.psiThreshold}: ${largest} ${over}`), status: { ...base, summary: worst ? `none (max ${worst.psi.toFixed(2)})` : 'none' } };
}

/**
 * InputDrift and status.drift from the latest figures (undefined before the first reading), the
 * spec and the published drift status (whose `since` carries on while the drift lasts). `now` is
 * RFC 3339. Pure.
 */
export function driftVerdict(figures: DriftFigures | undefined, spec: ResolvedSpec['drift'], previous: DriftStatus | undefined, now: string): DriftVerdict {
  if (!figures || figures.unavailable !== undefined) return unavailable(figures?.unavailable ?? NO_REPORT);
  const { base, over } = measured(figures);
  if (figures.rows < spec.minRows) return tooFew(figures, spec, base, over);
  const drifted = figures.features.filter((f) => f.psi > spec.psiThreshold);
  if (drifted.length === 0) return withinThreshold(figures, spec, base, over);
  const since = previous?.since ?? now;
  return { condition: condition('True', Reason.DriftDetected, `PSI above ${spec.psiThreshold}: ${listed(drifted)} ${over}`), status: { ...base, since, summary: listed(drifted) } };
}
