import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KWOK_PLACEMENT_ANNOTATIONS } from '../../localcluster/bootstrap.js';
import { clusterPaths, clusterStatus, startCluster, stopCluster } from '../../localcluster/cluster.js';
import { loadConfig } from '../../localcluster/config.js';
import type { ClusterMode } from '../../localcluster/topology.js';
import { imagesOnNode, type NodeImages } from '../../localcluster/images/on-node.js';
import { USAGE_CPU_ANNOTATION } from '../../localcluster/kwok-config.js';
import { kubectl } from './kube.js';
import type { KubeTarget } from './kube.js';
import { dim } from './narrate.js';

/** The cluster the demo runs on. */
export interface DemoCluster {
  target: KubeTarget;
  /** True when this run started the local cluster (so cleaning up stops it). */
  startedHere: boolean;
  description: string;
  /**
   * Sets the CPU usage kwok simulates for the pods matching `selector`. Only pods that exist
   * now are annotated, so callers repeat it while pods come and go.
   */
  setCpu: (namespace: string, selector: string, milliCores: number) => Promise<void>;
  /**
   * Annotations for the demo's namespace. On the local cluster they keep its pods on kwok nodes,
   * because its CPU load is simulated through kwok; empty on any other cluster.
   */
  namespaceAnnotations: Record<string, string>;
  /** True when the demo's pods run on the local cluster's real node. */
  realNode: boolean;
}

function simulatedCpu(target: KubeTarget) {
  return async (namespace: string, selector: string, milliCores: number): Promise<void> => {
    await kubectl(target, ['annotate', 'pods', '-n', namespace, '-l', selector, '--overwrite', `${USAGE_CPU_ANNOTATION}=${milliCores}m`]);
  };
}

/**
 * For --kwok: connects to the cluster in $KUBECONFIG (kubectl from PATH, else the local
 * cluster's), or uses the local one, building its binaries on first use with progress on stdout.
 */
export async function connectCluster(useCurrentContext: boolean): Promise<DemoCluster> {
  if (useCurrentContext) {
    const kubeconfig = process.env.KUBECONFIG?.split(':')[0] || join(homedir(), '.kube', 'config');
    if (!existsSync(kubeconfig)) throw new Error(`--use-current-context: no kubeconfig at ${kubeconfig} (set KUBECONFIG)`);
    const local = clusterPaths().kubectl;
    const target = { kubeconfig, kubectl: existsSync(local) ? local : 'kubectl' };
    const { stdout } = await kubectl(target, ['config', 'current-context']);
    return { target, startedHere: false, description: `context ${stdout.trim()}`, setCpu: simulatedCpu(target), namespaceAnnotations: {}, realNode: false };
  }
  return localCluster(false);
}

const log = (line: string): void => console.log(`      ${dim(line)}`);

/**
 * The local cluster: with `realNode`, one with the real node (started, or a kwok-only one
 * replaced); without, whatever healthy local cluster runs (its kwok nodes serve), else a quick
 * kwok-only one.
 */
async function localCluster(realNode: boolean): Promise<DemoCluster> {
  const running = realNode ? undefined : await clusterStatus();
  const mode: ClusterMode = realNode ? 'real-node' : running?.healthy ? (running.state?.mode ?? 'kwok-only') : 'kwok-only';
  const result = await startCluster({ log, mode });
  const target = { kubeconfig: result.paths.kubeconfig, kubectl: result.paths.kubectl };
  const description = result.alreadyRunning
    ? `the local cluster that was already running, API server ${result.state.server}`
    : `local cluster started in ${Math.round(result.ms / 1000)} s, API server ${result.state.server}`;
  const annotations = realNode ? {} : KWOK_PLACEMENT_ANNOTATIONS;
  return { target, startedHere: !result.alreadyRunning, description, setCpu: simulatedCpu(target), namespaceAnnotations: annotations, realNode };
}

/** The local cluster with its real node, started if needed. */
export function connectRealNodeCluster(): Promise<DemoCluster> {
  return localCluster(true);
}

/** Builds what changed of the images (npm run images) and imports them into the real node. */
export function demoImages(): Promise<NodeImages> {
  return imagesOnNode(loadConfig(), log);
}

/** Stops the local cluster (exactly the processes it started). Safe when none runs. */
export async function stopDemoCluster(): Promise<void> {
  await stopCluster({ log: (line) => console.log(`      ${dim(line)}`) });
}
