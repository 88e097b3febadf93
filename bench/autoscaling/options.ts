// The command line of `npm run bench:autoscaling`: the load rate, the two targets and the
// durations, read with the scripts' strict flag parser (every mistake names the flag and what it
// accepts).
import { booleanFlag, numberFlag, parseFlags, stringFlag, UsageError, type Command, type FlagSpecs } from '../../scripts/lib/args.js';

/** Both RiskModels scale between these (the machine has 2 cores: three small pods fit beside the cluster). */
export const MIN_REPLICAS = 1;
export const MAX_REPLICAS = 3;

export interface Options {
  /** Requests a second sent to each RiskModel's Service while it scales up and holds. */
  rate: number;
  /** RequestsPerSecond targetAveragePerPod. */
  rpsTarget: number;
  /** CPU targetUtilizationPercentage (samples/riskmodel-demo.yaml's targetCPUUtilizationPercentage). */
  cpuTarget: number;
  /** scaleDownStabilizationSeconds of both. */
  windowSeconds: number;
  /** How long the load keeps going once maxReplicas are Ready (or the wait for them ended), sampling what the HPA reads. */
  holdSeconds: number;
  /** How long the load waits for maxReplicas Ready before the row says "not reached". */
  upTimeoutSeconds: number;
  /** Where to write the figures as JSON, if anywhere. */
  json?: string;
}

const FLAGS: FlagSpecs = {
  rate: { type: 'string' },
  'rps-target': { type: 'string' },
  'cpu-target': { type: 'string' },
  window: { type: 'string' },
  hold: { type: 'string' },
  'up-timeout': { type: 'string' },
  json: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

export const DEFAULTS = { rate: 120, rpsTarget: 40, cpuTarget: 50, windowSeconds: 20, holdSeconds: 45, upTimeoutSeconds: 180 } as const;

export const HELP = `Usage: npm run bench:autoscaling [-- options]

On the local cluster's real node, one after the other: a RiskModel scaling on CPU, then one scaling
on RequestsPerSecond, both minReplicas ${MIN_REPLICAS} / maxReplicas ${MAX_REPLICAS}, each sent the same steady load (autocannon,
POST /predict to its Service's ClusterIP). For each: time from load start to the first scale-up and
to maxReplicas Ready, requests lost, what the HPA reads per pod against the target, time back to
minReplicas after the load stops, and the machine's load in each phase. Starts the cluster if none
runs (and stops it again); everything it creates is in its own namespace, deleted at the end.

Options:
  --rate N          requests a second sent to each (1–1000, default ${DEFAULTS.rate})
  --rps-target N    RequestsPerSecond targetAveragePerPod (0.1–1000, default ${DEFAULTS.rpsTarget}); rate / target must
                    exceed ${MAX_REPLICAS - 1} so that the rate needs maxReplicas ${MAX_REPLICAS}
  --cpu-target N    CPU targetUtilizationPercentage (1–100, default ${DEFAULTS.cpuTarget}: the demo sample's)
  --window S        scaleDownStabilizationSeconds of both (0–600, default ${DEFAULTS.windowSeconds})
  --hold S          seconds the load goes on after scale-up, reading the HPA; the
                    readings reported are the second half's (10–600, default ${DEFAULTS.holdSeconds})
  --up-timeout S    seconds the load waits for maxReplicas Ready (30–1800, default ${DEFAULTS.upTimeoutSeconds})
  --json FILE       also write the figures as JSON to FILE
  -h, --help        this text
`;

/** Reads the command line. Pure; throws UsageError naming the flag and its allowed values. */
export function parseOptions(argv: readonly string[]): Command<Options> {
  const flags = parseFlags(argv, FLAGS);
  if (booleanFlag(flags, 'help')) return { help: true };
  const options: Options = {
    rate: numberFlag(flags, 'rate', { min: 1, max: 1000, integer: true, unit: 'requests a second' }, DEFAULTS.rate),
    rpsTarget: numberFlag(flags, 'rps-target', { min: 0.1, max: 1000, integer: false, unit: 'requests a second per pod' }, DEFAULTS.rpsTarget),
    cpuTarget: numberFlag(flags, 'cpu-target', { min: 1, max: 100, integer: true, unit: '% of the CPU request' }, DEFAULTS.cpuTarget),
    windowSeconds: numberFlag(flags, 'window', { min: 0, max: 600, integer: true, unit: 'seconds' }, DEFAULTS.windowSeconds),
    holdSeconds: numberFlag(flags, 'hold', { min: 10, max: 600, integer: true, unit: 'seconds' }, DEFAULTS.holdSeconds),
    upTimeoutSeconds: numberFlag(flags, 'up-timeout', { min: 30, max: 1800, integer: true, unit: 'seconds' }, DEFAULTS.upTimeoutSeconds),
  };
  const json = stringFlag(flags, 'json');
  if (json !== undefined) options.json = json;
  if (options.rate / options.rpsTarget <= MAX_REPLICAS - 1) {
    const wanted = Math.ceil(options.rate / options.rpsTarget);
    throw new UsageError(`--rps-target ${options.rpsTarget} at --rate ${options.rate} asks for ${wanted} replica${wanted === 1 ? '' : 's'}; rate / target must exceed ${MAX_REPLICAS - 1} (a target below ${options.rate / (MAX_REPLICAS - 1)}) so that the rate needs maxReplicas ${MAX_REPLICAS}`);
  }
  return { help: false, options };
}
