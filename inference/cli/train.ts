// `npm run train`: generate the synthetic data set, train, evaluate, write the model
// artifact (and optionally the data as CSV), print a summary.

import { writeFileSync } from 'node:fs';
import { splitToCsv } from '../dataset-csv.js';
import { generatePatients } from '../generator.js';
import { train, type TrainResult } from '../training.js';
import { parseTrainArgs, UsageError, USAGE, type TrainArgs } from './train-args.js';

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** Human-readable evaluation summary for the terminal. */
export function summary(result: TrainResult, args: TrainArgs): string {
  const { model, trainingMs } = result;
  const m = model.metrics;
  const lines = [
    `trained ${model.version} on ${model.training.trainSize} of ${args.samples} records in ${Math.round(trainingMs)} ms`,
    `hold-out accuracy ${pct(m.accuracy)} on ${m.testSize} records`,
    ...model.classes.map((c) => {
      const k = m.perClass[c];
      return `  ${c.padEnd(7)} precision ${pct(k?.precision ?? 0)}  recall ${pct(k?.recall ?? 0)}  support ${k?.support ?? 0}`;
    }),
    `confusion matrix (rows actual, columns predicted: ${model.classes.join(', ')}):`,
    ...m.confusionMatrix.map((row) => `  ${row.map((n) => String(n).padStart(5)).join('')}`),
    `model written to ${args.out}`,
  ];
  if (args.dataOut) lines.push(`data written to ${args.dataOut}`);
  return lines.join('\n');
}

function run(argv: readonly string[]): void {
  const args = parseTrainArgs(argv);
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const records = generatePatients({ samples: args.samples, seed: args.seed, labelNoise: args.labelNoise });
  const result = train(records, args);
  writeFileSync(args.out, `${JSON.stringify(result.model, null, 2)}\n`);
  if (args.dataOut) writeFileSync(args.dataOut, splitToCsv(result.split));
  console.log(summary(result, args));
}

try {
  run(process.argv.slice(2));
} catch (err) {
  if (err instanceof UsageError) {
    console.error(`error: ${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  console.error(`error: ${(err as Error).message}`);
  process.exit(1);
}
