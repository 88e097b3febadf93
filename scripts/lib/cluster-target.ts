// Which cluster a script talks to: the kubeconfig kubectl would read, the API server its current
// context names, and whether that is the local cluster (whose real node has the images
// `npm run images` built) or another one (which must pull images from a registry). Pure.

import path from 'node:path';
import { parse } from 'yaml';

/** Where to look for the kubeconfig, as kubectl does. */
export interface KubeconfigSources {
  /** A `--kubeconfig` flag's value, if given. */
  flag?: string | undefined;
  /** `$KUBECONFIG`, if set: a list separated by the platform's path delimiter. */
  env?: string | undefined;
  home: string;
}

/** The kubeconfig file whose current context counts: the flag, else $KUBECONFIG's first file, else ~/.kube/config. */
export function kubeconfigPath(sources: KubeconfigSources): string {
  if (sources.flag) return sources.flag;
  const first = (sources.env ?? '').split(path.delimiter).find((f) => f.trim() !== '');
  return first ?? path.join(sources.home, '.kube', 'config');
}

interface Named<T> { name?: string; context?: T; cluster?: T }
interface KubeconfigDoc {
  'current-context'?: string;
  contexts?: Named<{ cluster?: string }>[];
  clusters?: Named<{ server?: string }>[];
}

/** The API server URL of the kubeconfig's current context; undefined when the text names none. Never throws. */
export function currentServer(kubeconfigText: string): string | undefined {
  let doc: KubeconfigDoc | null;
  try {
    doc = parse(kubeconfigText) as KubeconfigDoc | null;
  } catch {
    return undefined;
  }
  const contextName = doc?.['current-context'];
  const context = doc?.contexts?.find((c) => c.name === contextName)?.context;
  return doc?.clusters?.find((c) => c.name === context?.cluster)?.cluster?.server;
}

/** True when two API server URLs name the same scheme, host and port (https's 443 may be left out). */
export function sameServer(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  try {
    const [x, y] = [new URL(a), new URL(b)];
    return x.protocol === y.protocol && x.hostname === y.hostname && x.port === y.port;
  } catch {
    return false;
  }
}

/** The local cluster as its state records it, when one runs healthy. */
export interface LocalCluster {
  server: string;
  mode: 'real-node' | 'kwok-only';
}

/**
 * Where the kubeconfig in use points: `local-real-node` (pods run on the real node, which has the
 * images `npm run images` imported), `local-kwok` (simulated pods: no image is pulled), or `other`.
 */
export type TargetKind = 'local-real-node' | 'local-kwok' | 'other';

export function targetKind(server: string | undefined, local: LocalCluster | undefined): TargetKind {
  if (!local || !sameServer(server, local.server)) return 'other';
  return local.mode === 'real-node' ? 'local-real-node' : 'local-kwok';
}

/**
 * The value of `--name value` or `--name=value` in `argv` (the operator's own flag syntax), or
 * undefined when absent or given without a value.
 */
export function flagValue(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === name) return argv[i + 1];
    if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1);
  }
  return undefined;
}
