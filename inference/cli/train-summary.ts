// What `npm run train` prints: the model's hold-out figures beside the raw-feature baseline
// trained in the same run and the labelling rule's own (the ceiling), then calibration.

import type { EvaluationMetrics } from '../evaluation.js';
import type { Model } from '../model.js';
import type { TrainResult } from '../training.js';

const pct = (x: number | undefined): string => (x === undefined ? '–' : `${(x * 100).toFixed(1)}%`);
const num = (x: number | undefined): string => (x === undefined ? '–' : x.toFixed(3));

function perClassLines(model: Model, m: EvaluationMetrics): string[] {
  return model.classes.map((c) => {
    const k = m.perClass[c];
    return `  ${c.padEnd(7)} precision ${pct(k?.precision)}  recall ${pct(k?.recall)}  F1 ${pct(k?.f1)}  support ${k?.support ?? 0}`;
  });
}

/** One comparison row: accuracy, recall of every class but the first, Brier, ECE. */
function row(label: string, model: Model, m: EvaluationMetrics | undefined): string {
  if (!m) return `  ${label.padEnd(26)} –`;
  const recalls = model.classes.slice(1).map((c) => `${c} recall ${pct(m.perClass[c]?.recall)}  `).join('');
  return `  ${label.padEnd(26)} accuracy ${pct(m.accuracy)}  ${m.perClass[model.classes[1] ?? ''] ? recalls : ''}Brier ${num(m.brierScore)}  ECE ${num(m.expectedCalibrationError)}`;
}

function reliabilityLines(m: EvaluationMetrics): string[] {
  return (m.reliability ?? [])
    .filter((b) => b.count > 0)
    .map((b) => `  ${b.lower.toFixed(1)}–${b.upper.toFixed(1)}  ${String(b.count).padStart(4)} calls  mean confidence ${pct(b.meanConfidence ?? undefined)}  right ${pct(b.accuracy ?? undefined)}`);
}

/** Human-readable evaluation summary for the terminal. */
export function summary(result: TrainResult, args: { samples: number; out: string; dataOut?: string | undefined }): string {
  const { model, trainingMs } = result;
  const m = model.metrics;
  const t = model.training;
  const c = model.calibration;
  const lines = [
    `trained ${model.version} on ${t.trainSize} of ${args.samples} records (weights on ${t.fitSize ?? t.trainSize}, calibration on ${c?.validationRows ?? 0}) in ${Math.round(trainingMs)} ms`,
    `hold-out (${m.testSize} records), early-warning features, calibrated:`,
    ...perClassLines(model, m),
    `confusion matrix (rows actual, columns predicted: ${model.classes.join(', ')}):`,
    ...m.confusionMatrix.map((r) => `  ${r.map((n) => String(n).padStart(5)).join('')}`),
    'compared on the same hold-out rows:',
    row('this model', model, m),
    row('before calibration', model, m.uncalibrated && { ...m, ...m.uncalibrated, perClass: {} }),
    row('raw-feature baseline', model, m.baseline),
    row('labelling rule (ceiling)', model, m.ceiling),
    c ? `calibration: temperature ${c.temperature.toFixed(3)}, floor ${c.floor.toFixed(3)}; reliability (10 bins, empty ones left out):` : 'calibration: none',
    ...reliabilityLines(m),
    `model written to ${args.out}`,
  ];
  if (args.dataOut) lines.push(`data written to ${args.dataOut}`);
  return lines.join('\n');
}
