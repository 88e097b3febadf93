// The local cluster's configuration, read from the environment in this one place.
import { createHash } from 'node:crypto';
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
  /** Container image builds (`npm run images`). */
  images: ImagesConfig;
}

/** Where image builds keep their state and what of the machine they reuse. */
export interface ImagesConfig {
  /** Archives, their manifest and build logs: `<cacheDir>/images`. */
  dir: string;
  /** buildah's storage (layers, images), private to this project so the machine's default storage is untouched. */
  storageRoot: string;
  /** buildah's run-time state (locks, mount counts) for that storage; on tmpfs so a reboot clears it with the mounts it describes. */
  runRoot: string;
  /** The Node.js binary copied into the base image: the one running this tool. */
  nodeBinary: string;
  /** Folder of the npm package copied next to it. */
  npmDir: string;
  /** CA bundles handed to the builds (as build-time secrets only) so `npm ci` trusts the machine's TLS proxy. */
  caFiles: string[];
  /** The apt configuration folder whose sources the base image is bootstrapped from. */
  aptDir: string;
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
 * - `SSL_CERT_FILE` and `NODE_EXTRA_CA_CERTS`: CA bundles the image builds trust, default the
 *   system bundle `/etc/ssl/certs/ca-certificates.crt`.
 * - `npm_execpath` (set by `npm run`): locates npm; otherwise npm is looked for beside node.
 */
export function loadConfig(env: Env = process.env): LocalClusterConfig {
  const repoRoot = path.resolve(here, '..');
  const cacheHome = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  const cacheDir = path.resolve(env.RISKMODEL_CACHE_DIR || path.join(cacheHome, 'riskmodel-operator'));
  return {
    repoRoot,
    modulesDir: here,
    cacheDir,
    stateDir: path.resolve(env.LOCALCLUSTER_STATE_DIR || path.join(repoRoot, '.localcluster')),
    goBinary: env.GO || 'go',
    mode: /^(1|true|yes)$/i.test(env.LOCALCLUSTER_KWOK_ONLY ?? '') ? 'kwok-only' : 'real-node',
    images: imagesConfig(env, cacheDir),
  };
}

function imagesConfig(env: Env, cacheDir: string): ImagesConfig {
  const dir = path.join(cacheDir, 'images');
  const execPath = env.npm_execpath ?? '';
  const npmDir = /npm-cli\.js$/.test(execPath)
    ? path.resolve(path.dirname(execPath), '..')
    : path.resolve(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm');
  const caFiles = [env.SSL_CERT_FILE || '/etc/ssl/certs/ca-certificates.crt', env.NODE_EXTRA_CA_CERTS]
    .filter((f): f is string => Boolean(f))
    .map((f) => path.resolve(f));
  const storageRoot = path.join(dir, 'storage');
  // One run root per storage: two storages sharing one would share its mount-count records.
  const storageId = createHash('sha256').update(storageRoot).digest('hex').slice(0, 8);
  return {
    dir,
    storageRoot,
    runRoot: path.join(env.XDG_RUNTIME_DIR || '/run', `riskmodel-operator-buildah-${storageId}`),
    nodeBinary: process.execPath,
    npmDir,
    caFiles: [...new Set(caFiles)],
    aptDir: '/etc/apt',
  };
}
