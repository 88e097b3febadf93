// The operator's configuration: the one place that reads environment variables and flags.
// Every setting has an environment variable and a flag (`LEASE_NAME` ↔ `--lease-name`); a flag
// wins. Invalid values raise ConfigError naming the setting and what it accepts.

import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

export interface OperatorConfig {
  /** Kubeconfig file from --kubeconfig, if given. */
  kubeconfig: string | undefined;
  /** Kubeconfig files to try, in order: --kubeconfig, else $KUBECONFIG's list, else ~/.kube/config. */
  kubeconfigFiles: string[];
  /** The in-cluster API server (https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT), when in a pod. */
  inClusterServer: string | undefined;
  /** Namespaces to watch; empty means all. */
  watchNamespaces: string[];
  inferenceImage: string;
  /** True when neither INFERENCE_IMAGE nor --inference-image was given (the image is DEFAULT_INFERENCE_IMAGE). */
  inferenceImageDefaulted: boolean;
  logLevel: LogLevel;
  leaderElect: boolean;
  leaseName: string;
  leaseNamespace: string;
  leaseDurationSeconds: number;
  renewDeadlineSeconds: number;
  retryPeriodSeconds: number;
  /** This process's identity in the Lease. */
  identity: string;
  httpHost: string;
  /** Port for /healthz, /readyz and /metrics; 0 picks a free one (logged as `port`). */
  httpPort: number;
  resyncSeconds: number;
  maxConcurrentReconciles: number;
  /** A watch with no event (not even a bookmark) for this long is restarted. */
  watchIdleSeconds: number;
  /** How often the drift loops read each RiskModel's Ready pods' GET /drift (spec.monitoring.drift). */
  driftReadSeconds: number;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface ConfigDeps {
  hostname: () => string;
  homedir: () => string;
  pid: number;
  /** The namespace of the service account when running in a pod (the mounted namespace file). */
  inClusterNamespace: () => string | undefined;
  /** Whether a pod's service-account token is mounted (client-go's test for "in a cluster", with KUBERNETES_SERVICE_HOST). */
  hasServiceAccountToken: () => boolean;
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const IN_CLUSTER_NAMESPACE_FILE = `${SERVICE_ACCOUNT_DIR}/namespace`;

/** The real process: its hostname, pid and, inside a pod, the service account's namespace and token. */
export const processDeps: ConfigDeps = {
  hostname: () => os.hostname(),
  homedir: () => os.homedir(),
  pid: process.pid,
  inClusterNamespace: () => {
    try {
      return readFileSync(IN_CLUSTER_NAMESPACE_FILE, 'utf8').trim() || undefined;
    } catch {
      return undefined;
    }
  },
  hasServiceAccountToken: () => existsSync(`${SERVICE_ACCOUNT_DIR}/token`),
};

export const DEFAULT_INFERENCE_IMAGE = 'ghcr.io/riskmodel/riskmodel-inference:0.1.0';
export const DEFAULT_LEASE_NAMESPACE = 'riskmodel-system';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

type Source = Record<string, string | undefined>;

/** Settings, in the order `--help` lists them. */
export const SETTINGS: readonly { env: string; help: string }[] = [
  { env: 'KUBECONFIG', help: 'kubeconfig file(s) (default: ~/.kube/config, else the in-cluster service account)' },
  { env: 'WATCH_NAMESPACES', help: 'comma-separated namespaces to watch; empty = all (default: all)' },
  { env: 'INFERENCE_IMAGE', help: `image for RiskModels without spec.image (default: ${DEFAULT_INFERENCE_IMAGE})` },
  { env: 'LOG_LEVEL', help: `one of ${LOG_LEVELS.join(', ')} (default: info)` },
  { env: 'LEADER_ELECT', help: 'true or false: take part in leader election on a Lease (default: true in a pod, false outside a cluster)' },
  { env: 'LEASE_NAME', help: 'Lease name (default: riskmodel-operator)' },
  { env: 'LEASE_NAMESPACE', help: `Lease namespace (default: the pod's namespace, else ${DEFAULT_LEASE_NAMESPACE})` },
  { env: 'LEASE_DURATION_SECONDS', help: 'how long a Lease stays valid without renewal (default: 15)' },
  { env: 'RENEW_DEADLINE_SECONDS', help: 'the leader gives up when it cannot renew for this long (default: 10)' },
  { env: 'RETRY_PERIOD_SECONDS', help: 'interval between acquire/renew attempts (default: 2)' },
  { env: 'POD_NAME', help: 'identity in the Lease (default: hostname-pid)' },
  { env: 'HTTP_HOST', help: 'address for /healthz, /readyz, /metrics (default: 0.0.0.0)' },
  { env: 'HTTP_PORT', help: '0-65535, 0 = any free port (default: 8081)' },
  { env: 'RESYNC_SECONDS', help: 'reconcile each RiskModel again this long after its last reconcile, ≥ 0, 0 = only on changes (default: 300)' },
  { env: 'MAX_CONCURRENT_RECONCILES', help: 'parallel reconciles, 1-64 (default: 8)' },
  { env: 'WATCH_IDLE_SECONDS', help: 'restart a watch silent for this long, ≥ 10 (default: 300)' },
  { env: 'DRIFT_READ_SECONDS', help: 'read each RiskModel\'s pods\' input-drift windows this often, 1-3600 (default: 15)' },
];

const flagOf = (env: string): string => `--${env.toLowerCase().replaceAll('_', '-')}`;

/** Parses `--name value` and `--name=value` into env-style keys; throws on unknown flags. */
function parseFlags(argv: readonly string[]): Source {
  const known = new Map(SETTINGS.map((s) => [flagOf(s.env), s.env]));
  const out: Source = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag = '', inline] = arg.split(/=(.*)/s, 2);
    const env = known.get(flag);
    if (!env) throw new ConfigError(`unknown argument ${JSON.stringify(arg)}; allowed flags: ${[...known.keys()].join(', ')}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new ConfigError(`${flag} needs a value`);
    out[env] = value;
  }
  return out;
}

function integer(src: Source, name: string, fallback: number, [min, max]: [number, number]): number {
  const raw = src[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name}=${JSON.stringify(raw)} is invalid: expected an integer from ${min} to ${max}`);
  }
  return value;
}

function boolean(src: Source, name: string, fallback: boolean): boolean {
  const raw = src[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['true', '1', 'yes'].includes(raw)) return true;
  if (['false', '0', 'no'].includes(raw)) return false;
  throw new ConfigError(`${name}=${JSON.stringify(src[name])} is invalid: expected true or false`);
}

function oneOf<T extends string>(src: Source, name: string, allowed: readonly T[], fallback: T): T {
  const raw = src[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new ConfigError(`${name}=${JSON.stringify(raw)} is invalid: expected one of ${allowed.join(', ')}`);
  return raw as T;
}

function dnsLabel(name: string, value: string): string {
  if (!DNS_LABEL.test(value) || value.length > 63) {
    throw new ConfigError(`${name}=${JSON.stringify(value)} is invalid: expected a DNS label (lowercase letters, digits, '-', at most 63 characters)`);
  }
  return value;
}

function text(src: Source, name: string, fallback: string): string {
  const raw = src[name]?.trim();
  return raw === undefined || raw === '' ? fallback : raw;
}

function namespaces(src: Source): string[] {
  const raw = src.WATCH_NAMESPACES ?? '';
  const list = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return [...new Set(list.map((ns) => dnsLabel('WATCH_NAMESPACES', ns)))];
}

function kubeconfigFiles(src: Source, flag: string | undefined, home: string): string[] {
  if (flag) return [flag];
  const list = (src.KUBECONFIG ?? '').split(path.delimiter).filter((f) => f.trim() !== '');
  return list.length > 0 ? list : [path.join(home, '.kube', 'config')];
}

function inClusterServer(src: Source): string | undefined {
  const host = src.KUBERNETES_SERVICE_HOST;
  if (!host) return undefined;
  return `https://${host.includes(':') ? `[${host}]` : host}:${src.KUBERNETES_SERVICE_PORT ?? '443'}`;
}

function leaderTiming(src: Source): Pick<OperatorConfig, 'leaseDurationSeconds' | 'renewDeadlineSeconds' | 'retryPeriodSeconds'> {
  const leaseDurationSeconds = integer(src, 'LEASE_DURATION_SECONDS', 15, [2, 3600]);
  const renewDeadlineSeconds = integer(src, 'RENEW_DEADLINE_SECONDS', 10, [1, 3600]);
  const retryPeriodSeconds = integer(src, 'RETRY_PERIOD_SECONDS', 2, [1, 3600]);
  if (renewDeadlineSeconds >= leaseDurationSeconds) {
    throw new ConfigError(`RENEW_DEADLINE_SECONDS (${renewDeadlineSeconds}) must be less than LEASE_DURATION_SECONDS (${leaseDurationSeconds})`);
  }
  if (retryPeriodSeconds >= renewDeadlineSeconds) {
    throw new ConfigError(`RETRY_PERIOD_SECONDS (${retryPeriodSeconds}) must be less than RENEW_DEADLINE_SECONDS (${renewDeadlineSeconds})`);
  }
  return { leaseDurationSeconds, renewDeadlineSeconds, retryPeriodSeconds };
}

/**
 * In a pod: the API server's address is in the environment and the service-account token is
 * mounted. Outside a cluster (`npm run operator` on a laptop) leader election defaults to off,
 * as in kubebuilder projects: a single local process needs no Lease, and the Lease namespace
 * does not exist on a fresh cluster. The install manifests turn it on explicitly.
 */
function inCluster(src: Source, deps: ConfigDeps): boolean {
  return inClusterServer(src) !== undefined && deps.hasServiceAccountToken();
}

/**
 * Builds the configuration from environment variables and command-line flags (flags win).
 * Pure apart from the injected deps. Throws ConfigError for any invalid value.
 */
export function loadConfig(env: Source, argv: readonly string[], deps: ConfigDeps): OperatorConfig {
  const src: Source = { ...env, ...parseFlags(argv) };
  const flagKubeconfig = argv.some((a) => a.startsWith('--kubeconfig')) ? src.KUBECONFIG : undefined;
  return {
    kubeconfig: flagKubeconfig,
    kubeconfigFiles: kubeconfigFiles(src, flagKubeconfig, deps.homedir()),
    inClusterServer: inClusterServer(src),
    watchNamespaces: namespaces(src),
    inferenceImage: text(src, 'INFERENCE_IMAGE', DEFAULT_INFERENCE_IMAGE),
    inferenceImageDefaulted: text(src, 'INFERENCE_IMAGE', '') === '',
    logLevel: oneOf(src, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    leaderElect: boolean(src, 'LEADER_ELECT', inCluster(src, deps)),
    leaseName: dnsLabel('LEASE_NAME', text(src, 'LEASE_NAME', 'riskmodel-operator')),
    leaseNamespace: dnsLabel('LEASE_NAMESPACE', text(src, 'LEASE_NAMESPACE', deps.inClusterNamespace() ?? DEFAULT_LEASE_NAMESPACE)),
    ...leaderTiming(src),
    identity: text(src, 'POD_NAME', `${deps.hostname()}-${deps.pid}`),
    httpHost: text(src, 'HTTP_HOST', '0.0.0.0'),
    httpPort: integer(src, 'HTTP_PORT', 8081, [0, 65535]),
    resyncSeconds: integer(src, 'RESYNC_SECONDS', 300, [0, 86_400]),
    maxConcurrentReconciles: integer(src, 'MAX_CONCURRENT_RECONCILES', 8, [1, 64]),
    watchIdleSeconds: integer(src, 'WATCH_IDLE_SECONDS', 300, [10, 86_400]),
    driftReadSeconds: integer(src, 'DRIFT_READ_SECONDS', 15, [1, 3600]),
  };
}

/** `--help` text. */
export function usage(): string {
  const lines = SETTINGS.map((s) => `  ${flagOf(s.env).padEnd(30)} ${s.env.padEnd(26)} ${s.help}`);
  return ['Usage: npm run operator -- [flags]   (each flag also reads the environment variable shown)', '', ...lines].join('\n');
}
