// The local cluster's configuration, read from the environment in this one place.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the tooling keeps its files; every other module receives this instead of reading the environment. */
export interface LocalClusterConfig {
  /** The repository root (the folder holding package.json). */
  repoRoot: string;
  /** Folder of the Go wrapper modules (this folder). */
  modulesDir: string;
  /** Root of the binary cache, outside the repository; one sub-folder per component version. */
  cacheDir: string;
  /** Runtime state: PKI, kubeconfigs, etcd data, logs, PIDs. Git-ignored. */
  stateDir: string;
  /** The `go` command used to build the components. */
  goBinary: string;
  /** What `cluster:up` starts unless told otherwise: kwok nodes plus a real node, or kwok nodes only. */
  mode: 'real-node' | 'kwok-only';
}

type Env = Record<string, string | undefined>;

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Reads the configuration. Recognised variables (all optional):
 * - `RISKMODEL_CACHE_DIR`: binary cache root, default `$XDG_CACHE_HOME/riskmodel-operator`
 *   or `~/.cache/riskmodel-operator`.
 * - `LOCALCLUSTER_STATE_DIR`: state folder, default `<repo>/.localcluster`.
 * - `GO`: the go command, default `go` from PATH.
 * - `LOCALCLUSTER_KWOK_ONLY`: `1` or `true` starts clusters without the real node (like `cluster:up -- --kwok-only`).
 */
export function loadConfig(env: Env = process.env): LocalClusterConfig {
  const repoRoot = path.resolve(here, '..');
  const cacheHome = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return {
    repoRoot,
    modulesDir: here,
    cacheDir: path.resolve(env.RISKMODEL_CACHE_DIR || path.join(cacheHome, 'riskmodel-operator')),
    stateDir: path.resolve(env.LOCALCLUSTER_STATE_DIR || path.join(repoRoot, '.localcluster')),
    goBinary: env.GO || 'go',
    mode: /^(1|true|yes)$/i.test(env.LOCALCLUSTER_KWOK_ONLY ?? '') ? 'kwok-only' : 'real-node',
  };
}
