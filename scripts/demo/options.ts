/** Command-line options of `npm run demo`. Pure: parsing never touches the process. */
export interface DemoOptions {
  mode: 'run' | 'down' | 'help';
  /** Clean up everything at the end instead of leaving it running. */
  once: boolean;
  /** Use the cluster in $KUBECONFIG instead of the local one. */
  useCurrentContext: boolean;
  /**
   * The quick simulated run: pods on kwok nodes (no containers), CPU set through kwok, the
   * operator and the step-8 inference server as local processes. Default: the real node.
   */
  kwok: boolean;
  /**
   * What step 5's HPA scales on. `requests`: the sample's RequestsPerSecond target, read from the
   * pods' own request counter through Prometheus and prometheus-adapter; `cpu`: the sample's CPU
   * target (spec.autoscaling removed), with the closed-loop ramp. --kwok is always `cpu`: kwok pods
   * answer no HTTP, so they count no requests.
   */
  scaleOn: ScaleOn;
  /** Requests a second the real-node demo sends through the Service from step 5 on (with `cpu`, where its ramp starts). */
  rate: number;
  /** With `cpu`: the most requests a second step 5's ramp may raise the load to (steps 6-8 keep what it reached). */
  maxRate: number;
  namespace: string;
  /** Local port of the last step's port-forward (real node, step 10) or inference server (--kwok, step 8); 0 = any free port. */
  port: number;
  /** Where to write a JSON report of every step's outcome (for the end-to-end test). */
  report?: string;
}

export type ScaleOn = 'requests' | 'cpu';
export const SCALE_ON: readonly ScaleOn[] = ['requests', 'cpu'];

export const DEFAULT_RATE = 600;
/** The default cap of step 5's ramp (a higher --rate raises it to that rate). */
export const DEFAULT_MAX_RATE = 2400;

export const DEMO_USAGE = `Usage: npm run demo [-- options]

Runs the whole system on a local Kubernetes cluster (built from upstream sources the first
time) with a real worker node: builds the images (npm run images), installs the operator
in the cluster with kubectl apply -k config/default, trains a model, applies a RiskModel
whose pods run the inference image, rescales it, autoscales it under real load sent through
its Service (the HPA scales on the pods' requests a second, through Prometheus and
prometheus-adapter; or, with --scale-on cpu, on their CPU while the load rises from --rate
until the HPA wants maxReplicas, up to --max-rate), rolls out a new model under that load
counting lost requests, lets a canary catch a model that answers 5xx, rolls back to the first
model with npm run rollback, lets it scale down, and queries it through its Service.

Options:
  --once                  clean up everything at the end (default: leave it running)
  --down                  stop what an earlier demo left running, and the local cluster
  --kwok                  the quick simulated run: pods on kwok nodes, CPU simulated, the operator
                          and the inference server as local processes (no images, no real node)
  --scale-on requests|cpu what step 5's HPA scales on (default: requests): requests a second per pod
                          (the sample's RequestsPerSecond target), or CPU (the sample's CPU target,
                          spec.autoscaling removed; the load then ramps, see --max-rate). --kwok: cpu
  --rate N                requests a second of the real load, 10-5000 (default: ${DEFAULT_RATE}); steps 5-8
                          send it (with --scale-on cpu: where step 5's ramp starts)
  --max-rate N            with --scale-on cpu: the most requests a second step 5 may raise the load to,
                          10-5000 and at least --rate (default: ${DEFAULT_MAX_RATE}, or --rate when higher)
  --use-current-context   use the cluster in $KUBECONFIG instead of the local one (with --kwok only)
  --namespace NAME        namespace for the demo's RiskModel (default: riskmodel-demo)
  --port N                local port of the last step (the port-forward, or with --kwok the inference
                          server), 0-65535 (default: 8080; 0 = any free port)
  --report FILE           write each step's outcome as JSON to FILE
  --help                  show this help`;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export class DemoUsageError extends Error {}

/** Parses argv (without node and script); throws DemoUsageError naming the bad flag. */
export function parseDemoArgs(argv: readonly string[]): DemoOptions {
  // maxRate 0: not given; resolved after every flag is read (it depends on --rate).
  // scaleOn undefined: not given; requests on the real node, cpu with --kwok.
  const opts: Omit<DemoOptions, 'scaleOn'> & { scaleOn?: ScaleOn } = { mode: 'run', once: false, useCurrentContext: false, kwok: false, rate: DEFAULT_RATE, maxRate: 0, namespace: 'riskmodel-demo', port: 8080 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new DemoUsageError(`${arg} needs a value`);
      return v;
    };
    // Own keys only: "constructor" or "__proto__" must be unknown options, not Object.prototype's.
    const set = Object.hasOwn(FLAGS, arg) ? FLAGS[arg] : undefined;
    if (!set) throw new DemoUsageError(`unknown option ${JSON.stringify(arg)}; allowed: --once, --down, --kwok, --scale-on, --rate, --max-rate, --use-current-context, --namespace, --port, --report, --help`);
    set(opts, value);
  }
  const scaleOn = resolveScaleOn(opts.scaleOn, opts.kwok);
  opts.maxRate = resolveMaxRate(opts.maxRate, opts.rate, scaleOn);
  if (opts.useCurrentContext && !opts.kwok && opts.mode === 'run') {
    throw new DemoUsageError('--use-current-context needs --kwok: the real-node demo imports its images into the local cluster\'s node, which another cluster does not have');
  }
  return { ...opts, scaleOn };
}

/** --max-rate as given (0: not given), or its default; only the CPU ramp has a cap. */
function resolveMaxRate(given: number, rate: number, scaleOn: ScaleOn): number {
  if (given !== 0 && scaleOn !== 'cpu') {
    throw new DemoUsageError('--max-rate is the cap of the CPU ramp (--scale-on cpu); scaling on requests a second sends --rate, whatever a request costs in CPU here');
  }
  if (given === 0) return Math.max(DEFAULT_MAX_RATE, rate);
  if (given < rate) throw new DemoUsageError(`--max-rate (${given}) must be at least --rate (${rate}): the ramp starts at --rate and only rises`);
  return given;
}

/** --scale-on as given, or its default: requests on the real node, cpu with --kwok (which cannot count requests). */
function resolveScaleOn(given: ScaleOn | undefined, kwok: boolean): ScaleOn {
  if (given === 'requests' && kwok) throw new DemoUsageError('--scale-on requests needs the real node: kwok pods answer no HTTP, so they count no requests (use --scale-on cpu, the default with --kwok)');
  return given ?? (kwok ? 'cpu' : 'requests');
}

/** What each flag does to the options; `value` takes the flag's argument. */
const FLAGS: Record<string, (opts: Omit<DemoOptions, 'scaleOn'> & { scaleOn?: ScaleOn }, value: () => string) => void> = {
  '--once': (o) => (o.once = true),
  '--down': (o) => (o.mode = 'down'),
  '--help': (o) => (o.mode = 'help'),
  '-h': (o) => (o.mode = 'help'),
  '--use-current-context': (o) => (o.useCurrentContext = true),
  '--kwok': (o) => (o.kwok = true),
  '--namespace': (o, value) => (o.namespace = parseNamespace(value())),
  '--port': (o, value) => (o.port = parsePort(value())),
  '--scale-on': (o, value) => (o.scaleOn = parseScaleOn(value())),
  '--rate': (o, value) => (o.rate = parseRate('--rate', value())),
  '--max-rate': (o, value) => (o.maxRate = parseRate('--max-rate', value())),
  '--report': (o, value) => (o.report = value()),
};

function parseScaleOn(v: string): ScaleOn {
  const found = SCALE_ON.find((s) => s === v);
  if (!found) throw new DemoUsageError(`--scale-on must be one of ${SCALE_ON.join(', ')}, got ${JSON.stringify(v)}`);
  return found;
}

function parseRate(flag: string, v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 10 || n > 5000) throw new DemoUsageError(`${flag} must be an integer from 10 to 5000 requests a second, got ${JSON.stringify(v)}`);
  return n;
}

function parsePort(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw new DemoUsageError(`--port must be an integer from 0 to 65535, got ${JSON.stringify(v)}`);
  return n;
}

function parseNamespace(v: string): string {
  if (!DNS_LABEL.test(v)) throw new DemoUsageError(`--namespace must be a DNS label (lower-case letters, digits and '-', at most 63), got ${JSON.stringify(v)}`);
  return v;
}
