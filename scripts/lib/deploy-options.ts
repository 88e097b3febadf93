// The command lines of `npm run deploy` and `npm run undeploy`, read in one place into typed
// options, and the image names a registry install runs. Pure.

import { booleanFlag, numberFlag, parseFlags, stringFlag, UsageError, type FlagSpecs } from './args.js';

/** Where the images come from: the local cluster's node (built and imported here), or a registry the user pushed to. */
export type ImageSource = { kind: 'local' } | { kind: 'registry'; prefix: string; tag: string };

export interface DeployOptions {
  images: ImageSource;
  /** Namespaces the operator watches; empty watches all. */
  watchNamespaces: string[];
  /** Seconds to wait for the 2 ready replicas, and again for the Lease. */
  timeoutSeconds: number;
}

export interface UndeployOptions {
  /** Also delete the CRD, and with it every RiskModel and their children. */
  crd: boolean;
  timeoutSeconds: number;
}

export type DeployCommand = { help: true } | { help: false; options: DeployOptions };
export type UndeployCommand = { help: true } | { help: false; options: UndeployOptions };

export const DEPLOY_IMAGES = { operator: 'riskmodel-operator', inference: 'riskmodel-inference' } as const;

const DEPLOY_FLAGS: FlagSpecs = {
  'image-prefix': { type: 'string' },
  tag: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
  'watch-namespaces': { type: 'string' },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

const UNDEPLOY_FLAGS: FlagSpecs = {
  crd: { type: 'boolean' },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

/** `npm run deploy -- --help`; `version` is the package version (the default tag). */
export const deployHelp = (version: string): string => `Usage: npm run deploy -- [flags]

Installs the operator in a cluster from config/default (kubectl apply --server-side -k of an
overlay written to .localcluster/deploy/), waits for its 2 replicas to be ready and for one of
them to hold the Lease riskmodel-system/riskmodel-operator, and prints how to apply a sample.
Running it again updates the install.

On the local cluster (the default; start it with npm run cluster:up): builds what changed of
the images (npm run images), imports them into the real node, and runs them.

On any other cluster: give --image-prefix. Nothing is built or pushed; the overlay runs
PREFIX/riskmodel-operator:TAG and PREFIX/riskmodel-inference:TAG, applied to the current
context of $KUBECONFIG (or ~/.kube/config) with the kubectl on PATH. Build and push the two
images first (README, "Run it on a real cluster").

Flags:
  --image-prefix REGISTRY/PATH  the registry path the images were pushed to (another cluster)
  --tag TAG                     their tag, with --image-prefix (default: the package version, ${version})
  -n, --namespace NS            watch only this namespace
  --watch-namespaces NS[,NS]    watch only these namespaces (default: all)
  --timeout S                   seconds to wait for the replicas and for the Lease, 10–3600 (default 300)
  -h, --help                    show this help
`;

export const UNDEPLOY_HELP = `Usage: npm run undeploy -- [flags]

Removes what npm run deploy installed (config/default: the namespace riskmodel-system with the
operator's Deployment, ServiceAccount, Role and Lease, its ClusterRole and ClusterRoleBinding)
and waits until the operator's pods are gone. The RiskModel CRD, and so every RiskModel and the
inference pods they run, is kept unless --crd is given.

Uses $KUBECONFIG when set, else the local cluster's kubeconfig when it runs, else
~/.kube/config.

Flags:
  --crd          also delete the CRD: every RiskModel and its Deployment, Service and HPA go with it
  --timeout S    seconds to wait for the deletion, 10–3600 (default 300)
  -h, --help     show this help
`;

// A Kubernetes namespace is a DNS label (RFC 1123).
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// A registry path without a tag or digest: host[:port]/path, lowercase path components.
const IMAGE_PREFIX = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const TIMEOUT = { min: 10, max: 3600, integer: true, unit: 'seconds' };

function watchNamespaces(namespace: string | undefined, list: string | undefined): string[] {
  if (namespace !== undefined && list !== undefined) throw new UsageError('give either --namespace or --watch-namespaces, not both');
  const names = (namespace ?? list ?? '').split(',').map((n) => n.trim()).filter((n) => n !== '');
  const flag = namespace !== undefined ? '--namespace' : '--watch-namespaces';
  const bad = names.find((n) => n.length > 63 || !DNS_LABEL.test(n));
  if (bad !== undefined) throw new UsageError(`${flag}: "${bad}" is not a namespace name (lowercase letters, digits and '-', at most 63 characters)`);
  if ((namespace ?? list) !== undefined && names.length === 0) throw new UsageError(`${flag} needs at least one namespace (leave it out to watch all)`);
  return [...new Set(names)];
}

function imageSource(prefix: string | undefined, tag: string | undefined, defaultTag: string): ImageSource {
  if (prefix === undefined) {
    if (tag !== undefined) throw new UsageError('--tag goes with --image-prefix (the local cluster runs the images npm run images built, tagged by content)');
    return { kind: 'local' };
  }
  const trimmed = prefix.replace(/\/+$/, '');
  if (!IMAGE_PREFIX.test(trimmed) || !trimmed.includes('/')) {
    throw new UsageError(`--image-prefix must be a registry path such as registry.example.com/team (no tag, lowercase), got "${prefix}"`);
  }
  const chosen = tag ?? defaultTag;
  if (!TAG.test(chosen)) throw new UsageError(`--tag must be an image tag (letters, digits, '_', '.', '-', at most 128), got "${chosen}"`);
  return { kind: 'registry', prefix: trimmed, tag: chosen };
}

/** Reads `npm run deploy`'s flags; `defaultTag` is the package version. Throws UsageError naming the flag. */
export function parseDeployArgs(argv: readonly string[], defaultTag: string): DeployCommand {
  const flags = parseFlags(argv, DEPLOY_FLAGS);
  if (booleanFlag(flags, 'help')) return { help: true };
  return {
    help: false,
    options: {
      images: imageSource(stringFlag(flags, 'image-prefix'), stringFlag(flags, 'tag'), defaultTag),
      watchNamespaces: watchNamespaces(stringFlag(flags, 'namespace'), stringFlag(flags, 'watch-namespaces')),
      timeoutSeconds: numberFlag(flags, 'timeout', TIMEOUT, 300),
    },
  };
}

/** Reads `npm run undeploy`'s flags. Throws UsageError naming the flag. */
export function parseUndeployArgs(argv: readonly string[]): UndeployCommand {
  const flags = parseFlags(argv, UNDEPLOY_FLAGS);
  if (booleanFlag(flags, 'help')) return { help: true };
  return { help: false, options: { crd: booleanFlag(flags, 'crd'), timeoutSeconds: numberFlag(flags, 'timeout', TIMEOUT, 300) } };
}

/** The two image refs a registry install runs: `PREFIX/riskmodel-operator:TAG`, `PREFIX/riskmodel-inference:TAG`. */
export function registryImages(source: { prefix: string; tag: string }): { operator: string; inference: string } {
  return {
    operator: `${source.prefix}/${DEPLOY_IMAGES.operator}:${source.tag}`,
    inference: `${source.prefix}/${DEPLOY_IMAGES.inference}:${source.tag}`,
  };
}
