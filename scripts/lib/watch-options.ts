// The watch view's command line, read in one place into a typed configuration.

import { booleanFlag, numberFlag, parseFlags, stringFlag, UsageError, type FlagSpecs } from './args.js';

export interface WatchOptions {
  /** The namespace asked for; `undefined` means the kubeconfig context's (or `default`). */
  namespace: string | undefined;
  allNamespaces: boolean;
  intervalSeconds: number;
  /** Points kept per RiskModel for the charts. */
  samples: number;
  /** One compact line per RiskModel per interval even on a terminal. */
  plain: boolean;
  /** Print one snapshot and exit (1 if the cluster could not be listed). */
  once: boolean;
}

export type WatchCommand = { help: true } | { help: false; options: WatchOptions };

const FLAGS: FlagSpecs = {
  namespace: { type: 'string', short: 'n' },
  'all-namespaces': { type: 'boolean', short: 'A' },
  interval: { type: 'string' },
  samples: { type: 'string' },
  plain: { type: 'boolean' },
  once: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

export const WATCH_HELP = `Usage: npm run watch -- [flags]

A live view of the RiskModels in a namespace: min/max, replicas, ready, desired, CPU
against the target, the Ready/Progressing/Degraded conditions, the model version, and
charts of replicas, desired replicas and CPU over time. Uses $KUBECONFIG (or
~/.kube/config) like kubectl. On a terminal it redraws in place; otherwise (or with
--plain) it prints one line per RiskModel per interval. Ctrl-C exits.
If the cluster is unreachable or the CRD is missing it says so and keeps retrying.

Flags:
  -n, --namespace NS      namespace to show (default: the kubeconfig context's
                          namespace, else default)
  -A, --all-namespaces    show RiskModels in every namespace
  --interval S            seconds between polls, 0.2–60 (default 1)
  --samples N             chart history per RiskModel, 10–10000 samples (default 300)
  --plain                 print compact lines even on a terminal
  --once                  print one snapshot and exit (exit 1 if listing failed)
  -h, --help              show this help
`;

// Kubernetes namespace names are DNS labels (RFC 1123).
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Reads the watch view's flags; throws UsageError naming the flag and what it accepts. */
export function parseWatchArgs(argv: readonly string[]): WatchCommand {
  const flags = parseFlags(argv, FLAGS);
  if (booleanFlag(flags, 'help')) return { help: true };
  const namespace = stringFlag(flags, 'namespace');
  const allNamespaces = booleanFlag(flags, 'all-namespaces');
  if (namespace !== undefined && allNamespaces) throw new UsageError('give either --namespace or --all-namespaces, not both');
  if (namespace !== undefined && (namespace.length > 63 || !DNS_LABEL.test(namespace))) {
    throw new UsageError(`--namespace must be a namespace name (lower-case letters, digits and '-', at most 63 characters), got "${namespace}"`);
  }
  return {
    help: false,
    options: {
      namespace,
      allNamespaces,
      intervalSeconds: numberFlag(flags, 'interval', { min: 0.2, max: 60, integer: false, unit: 'seconds' }, 1),
      samples: numberFlag(flags, 'samples', { min: 10, max: 10_000, integer: true }, 300),
      plain: booleanFlag(flags, 'plain'),
      once: booleanFlag(flags, 'once'),
    },
  };
}
