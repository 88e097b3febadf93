// `npm run train`: generate the synthetic data set, train, evaluate, write the model
// artifact (and optionally the data as CSV), print a summary (cli/train-summary.ts).

import { writeFileSync } from 'node:fs';
import { splitToCsv } from '../dataset-csv.js';
import { generatePatients } from '../generator.js';
import { train } from '../training.js';
import { parseTrainArgs, UsageError, USAGE } from './train-args.js';
import { summary } from './train-summary.js';

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
