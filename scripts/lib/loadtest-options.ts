// The load test's command line, read in one place into a typed configuration.

import { booleanFlag, numberFlag, parseFlags, stringFlag, UsageError, type FlagSpecs } from './args.js';

export interface LoadtestOptions {
  /** The server's base URL (scheme, host, port); requests go to `path` on it. */
  url: URL;
  path: string;
  /** Requests a second across all connections; `undefined` sends as fast as the server answers. */
  rate: number | undefined;
  durationSeconds: number;
  connections: number;
  /** Patients per request to the batch endpoint; `undefined` sends one patient to `/predict`. */
  batch: number | undefined;
  timeoutSeconds: number;
  /** Seed of the random patients, for a repeatable load. */
  seed: number | undefined;
  /**
   * Requests after which a connection is closed and opened again; `undefined` keeps connections
   * open. A Service balances connections, not requests: without reconnecting, pods added by an
   * autoscaler mid-run never get a share.
   */
  reconnectEvery: number | undefined;
  allowRemote: boolean;
  /** Print the summary as JSON (for CI and scripts) instead of text. */
  json: boolean;
}

export type LoadtestCommand = { help: true } | { help: false; options: LoadtestOptions };

export const DEFAULT_URL = 'http://127.0.0.1:8080';

const FLAGS: FlagSpecs = {
  url: { type: 'string' },
  rate: { type: 'string' },
  duration: { type: 'string' },
  connections: { type: 'string' },
  path: { type: 'string' },
  batch: { type: 'string' },
  timeout: { type: 'string' },
  seed: { type: 'string' },
  reconnect: { type: 'string' },
  'allow-remote': { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

export const LOADTEST_HELP = `Usage: npm run loadtest -- [flags]

Sends randomised patient vitals to an inference endpoint with autocannon, prints
progress every second and a summary (req/s, latency percentiles, status codes, errors).
Exit status: 0 passed; 1 if any answer was a 5xx, any request failed to connect or
timed out, or nothing listens at --url (so CI can use it); 2 on a bad flag or a target
that is neither loopback nor the local cluster's; 130 when stopped with Ctrl-C.

Flags:
  --url URL            server base URL, http or https, no path
                       (default ${DEFAULT_URL})
  --rate N             requests per second across all connections, 1–100000
                       (default: as fast as the server answers)
  --duration S         seconds to run, 1–3600 (default 10)
  --connections N      concurrent connections, 1–1000 (default 8; at most --rate)
  --path P             request path starting with / (default /predict, or
                       /predict/batch with --batch)
  --batch N            send {instances:[…]} of N patients a request, 1–10000
  --timeout S          seconds to wait for an answer before counting a timeout,
                       1–120 (default 10)
  --seed N             seed for the random patients, 0–4294967295 (default: random)
  --reconnect N        close each connection after N requests and open a new one, 1–1000000
                       (default: keep them open). Through a Service, which balances
                       connections, this lets pods added during the run get a share
  --allow-remote       allow any target. Without it only 127.0.0.0/8, ::1, names
                       resolving to them, and pod or Service addresses of the local
                       cluster (10.250.0.0/24, 10.96.0.0/16) that the kernel routes to
                       its bridge are accepted: a Service ClusterIP, or a port-forward
                       (kubectl port-forward svc/NAME 8080:8080)
  --json               print the summary as JSON on stdout
  -h, --help           show this help

Examples:
  npm run loadtest -- --url http://127.0.0.1:8080 --rate 200 --duration 30
  npm run loadtest -- --batch 50 --rate 20 --duration 60
  npm run loadtest -- --url http://$(kubectl get svc NAME -o jsonpath='{.spec.clusterIP}'):8080 --rate 300
`;

/** Reads the load test's flags; throws UsageError naming the flag and what it accepts. */
export function parseLoadtestArgs(argv: readonly string[]): LoadtestCommand {
  const flags = parseFlags(argv, FLAGS);
  if (booleanFlag(flags, 'help')) return { help: true };
  const batch = numberFlag(flags, 'batch', { min: 1, max: 10_000, integer: true, unit: 'patients' });
  return {
    help: false,
    options: {
      url: baseUrl(stringFlag(flags, 'url') ?? DEFAULT_URL),
      path: requestPath(stringFlag(flags, 'path') ?? (batch === undefined ? '/predict' : '/predict/batch')),
      rate: numberFlag(flags, 'rate', { min: 1, max: 100_000, integer: true, unit: 'requests a second' }),
      durationSeconds: numberFlag(flags, 'duration', { min: 1, max: 3600, integer: true, unit: 'seconds' }, 10),
      connections: numberFlag(flags, 'connections', { min: 1, max: 1000, integer: true }, 8),
      batch,
      timeoutSeconds: numberFlag(flags, 'timeout', { min: 1, max: 120, integer: true, unit: 'seconds' }, 10),
      seed: numberFlag(flags, 'seed', { min: 0, max: 2 ** 32 - 1, integer: true }),
      reconnectEvery: numberFlag(flags, 'reconnect', { min: 1, max: 1_000_000, integer: true, unit: 'requests' }),
      allowRemote: booleanFlag(flags, 'allow-remote'),
      json: booleanFlag(flags, 'json'),
    },
  };
}

function baseUrl(raw: string): URL {
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  // `localhost:8080` parses as the scheme "localhost:", so both cases get the same message.
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new UsageError(`--url must be an http:// or https:// URL such as ${DEFAULT_URL}, got "${raw}"`);
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    throw new UsageError(`--url is the server's base URL without a path (got "${raw}"); give the path with --path`);
  }
  return url;
}

function requestPath(raw: string): string {
  if (!raw.startsWith('/') || /\s/.test(raw)) throw new UsageError(`--path must start with / and contain no spaces, got "${raw}"`);
  return raw;
}
