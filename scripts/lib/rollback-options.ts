// The rollback command's command line, read in one place into a typed configuration.

import { booleanFlag, parseCommandLine, stringFlag, UsageError, type FlagSpecs } from './args.js';

export interface RollbackOptions {
  /** The RiskModel to roll back. */
  name: string;
  /** The namespace asked for; `undefined` means the kubeconfig context's (or `default`). */
  namespace: string | undefined;
  /** The revision to pin; `undefined` means the previous one. */
  toRevision: number | undefined;
  /** Remove the pin instead of setting one. */
  unpin: boolean;
  /** A kubeconfig file; `undefined` means $KUBECONFIG, else ~/.kube/config, else in-cluster. */
  kubeconfig: string | undefined;
}

export type RollbackCommand = { help: true } | { help: false; options: RollbackOptions };

const FLAGS: FlagSpecs = {
  namespace: { type: 'string', short: 'n' },
  'to-revision': { type: 'string' },
  unpin: { type: 'boolean' },
  kubeconfig: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

export const ROLLBACK_HELP = `Usage: npm run rollback -- NAME [flags]

Returns the RiskModel NAME to its previous model revision (or to --to-revision N) by
pinning it: sets spec.model.revision with a JSON merge patch (field manager
riskmodel-rollback). The pods then serve that revision's snapshot whatever the
model ConfigMap holds now, even if it was changed or deleted. The previous revision
is the newest one in status.history before the one serving that served (not a
failed canary) and whose snapshot ConfigMap is still kept. Running it twice goes
back to where you were, like kubectl rollout undo. --unpin removes the pin, so the
RiskModel follows its ConfigMap again. Uses $KUBECONFIG (or ~/.kube/config) like
kubectl. Exit status: 0 done (or nothing to change), 1 the cluster refused or there
is no such revision, 2 bad usage or an unreadable kubeconfig.

Flags:
  -n, --namespace NS      the RiskModel's namespace (default: the kubeconfig
                          context's namespace, else default)
  --to-revision N         pin revision N (a whole number ≥ 1) instead of the previous
                          one; N must still be kept (a snapshot ConfigMap exists)
  --unpin                 remove spec.model.revision instead
  --kubeconfig PATH       kubeconfig file to use instead of $KUBECONFIG
  -h, --help              show this help

Examples:
  npm run rollback -- patient-risk-prod -n clinical
  npm run rollback -- patient-risk-prod -n clinical --to-revision 2
  npm run rollback -- patient-risk-prod -n clinical --unpin
`;

// RiskModel names are DNS-1035 labels (they name the Service); namespaces are DNS-1123 labels.
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Reads the rollback command's arguments; throws UsageError naming the argument and what it accepts. */
export function parseRollbackArgs(argv: readonly string[]): RollbackCommand {
  const { flags, positionals } = parseCommandLine(argv, FLAGS);
  if (booleanFlag(flags, 'help')) return { help: true };
  const toRevision = revisionFlag(stringFlag(flags, 'to-revision'));
  const unpin = booleanFlag(flags, 'unpin');
  if (unpin && toRevision !== undefined) throw new UsageError('give either --to-revision or --unpin, not both');
  const kubeconfig = stringFlag(flags, 'kubeconfig');
  if (kubeconfig === '') throw new UsageError('--kubeconfig needs a file path');
  return { help: false, options: { name: riskModelName(positionals), namespace: namespaceFlag(stringFlag(flags, 'namespace')), toRevision, unpin, kubeconfig } };
}

function riskModelName(positionals: readonly string[]): string {
  if (positionals.length === 0) throw new UsageError('name the RiskModel to roll back: npm run rollback -- NAME [-n NAMESPACE]');
  if (positionals.length > 1) throw new UsageError(`give one RiskModel name, got ${positionals.length}: ${positionals.map((p) => `"${p}"`).join(' ')}`);
  const name = positionals[0] ?? '';
  if (name.length > 63 || !DNS_1035_LABEL.test(name)) {
    throw new UsageError(`the RiskModel name must be a DNS-1035 label (lower-case letters, digits and '-', starting with a letter, at most 63 characters), got "${name}"`);
  }
  return name;
}

function namespaceFlag(namespace: string | undefined): string | undefined {
  if (namespace !== undefined && (namespace.length > 63 || !DNS_LABEL.test(namespace))) {
    throw new UsageError(`--namespace must be a namespace name (lower-case letters, digits and '-', at most 63 characters), got "${namespace}"`);
  }
  return namespace;
}

function revisionFlag(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`--to-revision must be a whole number ≥ 1 (a revision from status.history), got "${raw}"`);
  }
  return value;
}
