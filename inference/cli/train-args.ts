// Flags of `npm run train`, parsed without side effects so they can be table-tested.

import { DEFAULT_LABEL_NOISE, DEFAULT_SAMPLES, DEFAULT_SEED } from '../generator.js';
import { DEFAULT_LEARNING_RATE, DEFAULT_NUM_STEPS, DEFAULT_TEST_FRACTION } from '../training.js';

export interface TrainArgs {
  samples: number;
  seed: number;
  out: string;
  dataOut: string | undefined;
  numSteps: number;
  learningRate: number;
  testFraction: number;
  labelNoise: number;
  help: boolean;
}

export const USAGE = `Usage: npm run train -- [options]
  --samples N          records to generate (integer 30..1000000, default ${DEFAULT_SAMPLES})
  --seed S             generator and split seed (integer 0..4294967295, default ${DEFAULT_SEED})
  --out PATH           model artifact to write (default model.json)
  --data-out PATH      also write the data set as CSV with label and split columns
  --steps N            gradient steps per class boundary (integer 1..1000000, default ${DEFAULT_NUM_STEPS})
  --learning-rate X    step on the mean gradient (number > 0 and <= 10, default ${DEFAULT_LEARNING_RATE})
  --test-fraction X    hold-out share (number > 0 and < 1, default ${DEFAULT_TEST_FRACTION})
  --label-noise X      share of labels moved to a neighbouring class (0..0.5, default ${DEFAULT_LABEL_NOISE})
  --help               show this help`;

/** Raised for a bad command line; the message says which flag and what it accepts. */
export class UsageError extends Error {
  override name = 'UsageError';
}

type NumberFlag = 'samples' | 'seed' | 'numSteps' | 'learningRate' | 'testFraction' | 'labelNoise';

interface NumberRule {
  key: NumberFlag;
  integer: boolean;
  accepts: (v: number) => boolean;
  range: string;
}

const NUMBER_FLAGS: Record<string, NumberRule> = {
  '--samples': { key: 'samples', integer: true, accepts: (v) => v >= 30 && v <= 1_000_000, range: 'an integer from 30 to 1000000' },
  '--seed': { key: 'seed', integer: true, accepts: (v) => v >= 0 && v <= 0xffffffff, range: 'an integer from 0 to 4294967295' },
  '--steps': { key: 'numSteps', integer: true, accepts: (v) => v >= 1 && v <= 1_000_000, range: 'an integer from 1 to 1000000' },
  '--learning-rate': { key: 'learningRate', integer: false, accepts: (v) => v > 0 && v <= 10, range: 'a number > 0 and <= 10' },
  '--test-fraction': { key: 'testFraction', integer: false, accepts: (v) => v > 0 && v < 1, range: 'a number > 0 and < 1' },
  '--label-noise': { key: 'labelNoise', integer: false, accepts: (v) => v >= 0 && v <= 0.5, range: 'a number from 0 to 0.5' },
};

function parseNumber(flag: string, rule: NumberRule, raw: string): number {
  const value = raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isFinite(value) || (rule.integer && !Number.isInteger(value)) || !rule.accepts(value)) {
    throw new UsageError(`${flag} must be ${rule.range}, got "${raw}"`);
  }
  return value;
}

function defaults(): TrainArgs {
  return {
    samples: DEFAULT_SAMPLES,
    seed: DEFAULT_SEED,
    out: 'model.json',
    dataOut: undefined,
    numSteps: DEFAULT_NUM_STEPS,
    learningRate: DEFAULT_LEARNING_RATE,
    testFraction: DEFAULT_TEST_FRACTION,
    labelNoise: DEFAULT_LABEL_NOISE,
    help: false,
  };
}

function applyFlag(args: TrainArgs, flag: string, value: string): void {
  const rule = NUMBER_FLAGS[flag];
  if (rule) args[rule.key] = parseNumber(flag, rule, value);
  else if (flag === '--out') args.out = value;
  else if (flag === '--data-out') args.dataOut = value;
  else throw new UsageError(`unknown option ${flag}`);
}

const isFlag = (flag: string): boolean => NUMBER_FLAGS[flag] !== undefined || flag === '--out' || flag === '--data-out';

/** Splits `--flag=value` or `--flag value`; returns the flag, its value and how many tokens it used. */
function takeFlag(argv: readonly string[], i: number): { flag: string; value: string; used: number } {
  const token = argv[i] ?? '';
  if (!token.startsWith('--')) throw new UsageError(`unexpected argument "${token}"`);
  const eq = token.indexOf('=');
  const flag = eq >= 0 ? token.slice(0, eq) : token;
  if (!isFlag(flag)) throw new UsageError(`unknown option ${flag}`);
  const value = eq >= 0 ? token.slice(eq + 1) : argv[i + 1];
  if (!usable(value, eq >= 0)) throw new UsageError(`${flag} needs a value`);
  return { flag, value, used: eq >= 0 ? 1 : 2 };
}

/** A flag's value is missing when empty, or when the next token is another flag. */
const usable = (value: string | undefined, inline: boolean): value is string => value !== undefined && value !== '' && (inline || !value.startsWith('--'));

/** Parses argv (without node and script); accepts `--flag value` and `--flag=value`. Throws UsageError. */
export function parseTrainArgs(argv: readonly string[]): TrainArgs {
  const args = defaults();
  for (let i = 0; i < argv.length; ) {
    if (argv[i] === '--help' || argv[i] === '-h') {
      args.help = true;
      i++;
      continue;
    }
    const { flag, value, used } = takeFlag(argv, i);
    applyFlag(args, flag, value);
    i += used;
  }
  return args;
}
