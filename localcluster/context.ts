// One cluster's configuration resolved into what every lifecycle step needs: its file layout,
// the components and their binaries, and the paths handed to users and tests.
import { binaryPaths, components, type BinaryPaths, type Component } from './components.js';
import { loadConfig, type LocalClusterConfig } from './config.js';
import type { ProbeTls } from './health.js';
import { IDENTITIES, pkiPaths } from './pki.js';
import { layout, type Layout } from './topology.js';

/** Where a user or a test finds the cluster's files and tools. */
export interface ClusterPaths {
  stateDir: string;
  /** Admin kubeconfig (cluster-admin through the system:masters group). */
  kubeconfig: string;
  logsDir: string;
  /** The kubectl built with the cluster, same version as the API server. */
  kubectl: string;
  binaries: BinaryPaths;
}

export interface Context {
  config: LocalClusterConfig;
  layout: Layout;
  list: Component[];
  binaries: BinaryPaths;
  paths: ClusterPaths;
}

/** The context of the cluster `config` describes (default: the environment's). Reads only the wrapper go.mod files. */
export function context(config = loadConfig()): Context {
  const l = layout(config.stateDir);
  const list = components(config);
  const binaries = binaryPaths(list);
  return {
    config,
    layout: l,
    list,
    binaries,
    paths: { stateDir: l.stateDir, kubeconfig: l.adminKubeconfig, logsDir: l.logsDir, kubectl: binaries.kubectl, binaries },
  };
}

/** The admin client certificate, for health probes of components that want one. */
export function adminTls(l: Layout): ProbeTls {
  const pki = pkiPaths(l.pkiDir);
  return { ca: pki.caCert, cert: pki.cert(IDENTITIES.admin), key: pki.key(IDENTITIES.admin) };
}
