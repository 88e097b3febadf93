// The cluster `npm run deploy` / `undeploy` work on, and the kubectl they run there: the local
// cluster (its admin kubeconfig and the kubectl built with it), or the current context of
// $KUBECONFIG (or ~/.kube/config) with the kubectl on PATH.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { clusterPaths, clusterStatus } from '../../localcluster/cluster.js';
import type { LocalClusterConfig } from '../../localcluster/config.js';
import { onPath } from '../../localcluster/node.js';
import { currentServer, kubeconfigPath, sameServer } from './cluster-target.js';
import type { Kubectl } from './operator-install.js';
import { commandOptions, type Command } from './args.js';
import { messageOf } from '../../operator/messages.js';

/** A failure whose message is for the user as is. */
export class TargetError extends Error {}

export interface Target {
  kubectl: Kubectl;
  /** The kubectl binary and the kubeconfig it is given (undefined: kubectl's own default). */
  binary: string;
  kubeconfig: string | undefined;
  /** The API server of the kubeconfig's current context, for messages. */
  server: string | undefined;
  /** True for the local cluster with its real node. */
  local: boolean;
}

/** Runs `binary [--kubeconfig=F] args`, feeding `input`; resolves with stdout, rejects with kubectl's stderr. */
export function kubectlAt(binary: string, kubeconfig: string | undefined): Kubectl {
  return (args, input) => new Promise((resolve, reject) => {
    const child = spawn(binary, [...(kubeconfig === undefined ? [] : [`--kubeconfig=${kubeconfig}`]), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (err) => reject(new Error(`cannot run ${binary}: ${err.message}`)));
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`kubectl ${args.join(' ')} failed: ${briefly(stderr) || `exit ${code ?? 'by signal'}`}`))));
    child.stdin.end(input ?? '');
  });
}

/** kubectl's error output without repeated lines (client-go repeats a connection error per API group), at most 6 lines. */
function briefly(stderr: string): string {
  const lines = [...new Set(stderr.split('\n').map((l) => l.trim()).filter((l) => l !== ''))];
  return [...lines.slice(0, 6), ...(lines.length > 6 ? [`… ${lines.length - 6} more lines`] : [])].join('\n');
}

/** The running local cluster's server when it has its real node, else undefined. */
async function localServer(config: LocalClusterConfig): Promise<string | undefined> {
  const status = await clusterStatus(config);
  return status.healthy && status.state?.mode === 'real-node' ? status.state.server : undefined;
}

/** The local cluster with its real node; throws TargetError saying how to start it. */
export async function localTarget(config: LocalClusterConfig): Promise<Target> {
  const server = await localServer(config);
  if (server === undefined) {
    throw new TargetError('no local cluster with its real node is running here: start it with `npm run cluster:up` (for another cluster, give --image-prefix: see --help)');
  }
  const paths = clusterPaths(config);
  return { kubectl: kubectlAt(paths.kubectl, paths.kubeconfig), binary: paths.kubectl, kubeconfig: paths.kubeconfig, server, local: true };
}

/** The current context of $KUBECONFIG (or ~/.kube/config), with the kubectl on PATH, else the local cluster's kubectl. */
export function currentContextTarget(config: LocalClusterConfig, env: NodeJS.ProcessEnv = process.env): Target {
  const built = clusterPaths(config).kubectl;
  const binary = onPath('kubectl', env) ?? (existsSync(built) ? built : undefined);
  if (binary === undefined) throw new TargetError('kubectl is not on PATH: install a kubectl matching your cluster');
  const file = kubeconfigPath({ env: env.KUBECONFIG, home: os.homedir() });
  const server = currentServer(existsSync(file) ? readFileSync(file, 'utf8') : '');
  if (server === undefined) {
    throw new TargetError(`no cluster to work on: ${existsSync(file) ? `the current context of ${file} names no API server` : `${file} does not exist`} and no local cluster runs (set KUBECONFIG, or start one with npm run cluster:up)`);
  }
  return { kubectl: kubectlAt(binary, undefined), binary, kubeconfig: env.KUBECONFIG, server, local: false };
}

/**
 * For commands that act on whatever is installed (undeploy): $KUBECONFIG when set, else the
 * local cluster when it runs, else ~/.kube/config.
 */
export async function installedTarget(config: LocalClusterConfig, env: NodeJS.ProcessEnv = process.env): Promise<Target> {
  if (!env.KUBECONFIG && (await localServer(config)) !== undefined) return localTarget(config);
  const target = currentContextTarget(config, env);
  const local = await localServer(config);
  return { ...target, local: sameServer(target.server, local) };
}

/**
 * Runs `npm run deploy` or `undeploy`: --help and usage errors (exit 2) through commandOptions,
 * then `action`; a TargetError is printed as is, any other failure with "failed:". Sets the exit code.
 */
export function runCommand<T extends object>(name: string, parse: () => Command<T>, help: string, action: (options: T) => Promise<void>): void {
  const exit = async (): Promise<number> => {
    const options = commandOptions(name, parse, help);
    if ('exitCode' in options) return options.exitCode;
    try {
      await action(options);
      return 0;
    } catch (err) {
      console.error(`${name}: ${err instanceof TargetError ? err.message : `failed: ${messageOf(err)}`}`);
      return 1;
    }
  };
  exit().then(
    (code) => { process.exitCode = code; },
    (err: unknown) => {
      console.error(`${name}: unexpected failure: ${messageOf(err)}`);
      process.exitCode = 1;
    },
  );
}
