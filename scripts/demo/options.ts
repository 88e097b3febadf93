/** Command-line options of `npm run demo`. Pure: parsing never touches the process. */
export interface DemoOptions {
  mode: 'run' | 'down' | 'help';
  /** Clean up everything at the end instead of leaving it running. */
  once: boolean;
  /** Use the cluster in $KUBECONFIG instead of the local one. */
  useCurrentContext: boolean;
  namespace: string;
  /** Port of the locally started inference server (0 = any free port). */
  port: number;
  /** Where to write a JSON report of every step's outcome (for the end-to-end test). */
  report?: string;
}

export const DEMO_USAGE = `Usage: npm run demo [-- options]

Runs the whole system on a local Kubernetes control plane (built from upstream sources
the first time): installs the CRD and RBAC, starts the operator, trains a model, applies
a RiskModel, rescales it, autoscales it under simulated CPU load, rolls out a new model,
and serves predictions locally.

Options:
  --once                  clean up everything at the end (default: leave it running)
  --down                  stop what an earlier demo left running, and the local cluster
  --use-current-context   use the cluster in $KUBECONFIG instead of the local one
  --namespace NAME        namespace for the demo's RiskModel (default: riskmodel-demo)
  --port N                port of the local inference server, 0-65535 (default: 8080; 0 = any free port)
  --report FILE           write each step's outcome as JSON to FILE
  --help                  show this help`;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export class DemoUsageError extends Error {}

/** Parses argv (without node and script); throws DemoUsageError naming the bad flag. */
export function parseDemoArgs(argv: readonly string[]): DemoOptions {
  const opts: DemoOptions = { mode: 'run', once: false, useCurrentContext: false, namespace: 'riskmodel-demo', port: 8080 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new DemoUsageError(`${arg} needs a value`);
      return v;
    };
    const set = Object.hasOwn(FLAGS, arg) ? FLAGS[arg] : undefined;
    if (!set) throw new DemoUsageError(`unknown option ${JSON.stringify(arg)}; allowed: --once, --down, --use-current-context, --namespace, --port, --report, --help`);
    set(opts, value);
  }
  return opts;
}

/** What each flag does to the options; `value` takes the flag's argument. */
const FLAGS: Record<string, (opts: DemoOptions, value: () => string) => void> = {
  '--once': (o) => (o.once = true),
  '--down': (o) => (o.mode = 'down'),
  '--help': (o) => (o.mode = 'help'),
  '-h': (o) => (o.mode = 'help'),
  '--use-current-context': (o) => (o.useCurrentContext = true),
  '--namespace': (o, value) => (o.namespace = parseNamespace(value())),
  '--port': (o, value) => (o.port = parsePort(value())),
  '--report': (o, value) => (o.report = value()),
};

function parseNamespace(v: string): string {
  if (!DNS_LABEL.test(v)) throw new DemoUsageError(`--namespace must be a DNS label (lower-case letters, digits and '-', at most 63), got ${JSON.stringify(v)}`);
  return v;
}

function parsePort(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw new DemoUsageError(`--port must be an integer from 0 to 65535, got ${JSON.stringify(v)}`);
  return n;
}
