// Test support for suites that need the local Kubernetes cluster (test/cluster, test/operator,
// test/e2e) and for the demo. The cluster is the one `npm run cluster:up` starts (real etcd,
// kube-apiserver, kube-controller-manager, kube-scheduler, kwok fake nodes, metrics-server).
//
// API (all loopback, admin credentials from `.localcluster/kubeconfig`):
//   ensureCluster(): Promise<{ kubeconfigPath, kc }>
//       Reuses a healthy running cluster, or starts one (building binaries on a cold cache)
//       and remembers to stop it when the run ends (releaseCluster, called by cluster-hooks.ts).
//       Memoised: every caller in a run gets the same cluster.
//   freshNamespace(kc?, prefix = 'test', labels = {}, { placement = 'kwok' }): Promise<string>
//       Creates a uniquely named namespace (`<prefix>-<random>`), waits for its `default`
//       ServiceAccount (pods need it), and records it for deletion at the end of the run.
//       Call it in a `before` hook: one namespace per test file. Its pods go to kwok nodes
//       (the namespace carries KWOK_PLACEMENT_ANNOTATIONS); `placement: 'real-node'` leaves them
//       off, so the pods run on the real node (see docs/local-cluster.md, "Which node a pod gets").
//   realNode(): Promise<{ available: true } | { available: false; reason: string }>
//       Whether this run's cluster has the real node; data-plane suites skip with the reason if not.
//   deleteNamespace(kc, name): Promise<void> — deletes now (no wait); safe if already gone.
//   releaseNamespace(kc, name, timeoutMs = 120_000): Promise<void>
//       Deletes the namespace and waits until its pods are gone: a real-node file's pods hold the
//       node's CPU requests (2 cores) until they have terminated, so the next file would find the
//       node full. Call it in the `after` hook of a file whose pods run on the real node.
//   kubectl(args, { input? }): Promise<{ stdout, stderr, code }>
//       The kubectl built with the cluster, with the admin kubeconfig. Never throws on exit code.
//   kubectlOk(args, { input? }): Promise<string> — stdout, throws with stderr on non-zero exit.
//   waitFor(fn, { timeoutMs, intervalMs, what }): Promise<T>
//       Polls `fn` until it returns a truthy value and resolves with it; errors thrown by `fn`
//       count as "not yet". On timeout throws "timed out after N s waiting for <what>" with the
//       last value or error seen.
//   setSimulatedCpu(kc, namespace, labelSelector, milliCores): Promise<string[]>
//       Sets the CPU usage kwok reports for the matching pods (annotation kwok.x-k8s.io/usage-cpu,
//       read by kwok's default ClusterResourceUsage; metrics-server scrapes it every 10 s, so the
//       HPA sees it within ~20–30 s). Pods created later report 1m until annotated too. Returns the
//       names of the pods it annotated.
//   setSimulatedMemory(kc, namespace, labelSelector, quantity): same for memory (e.g. '256Mi').
//   clusterTimings: the HPA timings the controller-manager runs with (sync 3 s, downscale
//       stabilization 20 s) and the metrics resolution (10 s), for tests that reason about time.
import { randomBytes } from 'node:crypto';
import { CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { KWOK_PLACEMENT_ANNOTATIONS } from '../../localcluster/bootstrap.js';
import { clusterPaths, clusterStatus, startCluster, stopCluster } from '../../localcluster/cluster.js';
import { NodeClaimedError } from '../../localcluster/host.js';
import { runKubectl, type KubectlResult } from '../../localcluster/kubectl.js';
import { USAGE_CPU_ANNOTATION, USAGE_MEMORY_ANNOTATION } from '../../localcluster/kwok-config.js';
import { HPA_TIMINGS, METRIC_RESOLUTION } from '../../localcluster/topology.js';
import { waitFor } from '../../localcluster/wait.js';

export { waitFor, type WaitOptions } from '../../localcluster/wait.js';

export type { KubectlResult } from '../../localcluster/kubectl.js';

export const clusterTimings = { hpa: HPA_TIMINGS, metricResolution: METRIC_RESOLUTION };

export interface ClusterHandle {
  kubeconfigPath: string;
  kc: KubeConfig;
}

let cluster: Promise<ClusterHandle> | undefined;
let startedByThisRun = false;
let noRealNodeReason: string | undefined;
const namespacesToDelete = new Set<string>();

const log = (line: string): void => console.log(`[localcluster] ${line}`);

/** See the header: reuse or start the local cluster; memoised for the whole run. */
export function ensureCluster(): Promise<ClusterHandle> {
  cluster ??= (async () => {
    const status = await clusterStatus();
    if (!status.healthy) {
      log(status.state ? 'the recorded cluster is not healthy; restarting it' : 'no cluster running; starting one for this run');
      startedByThisRun = !(await startForRun()).alreadyRunning;
    }
    const running = await clusterStatus();
    noRealNodeReason ??= running.state?.mode === 'real-node' ? undefined : 'the cluster runs without the real node (kwok-only)';
    const kubeconfigPath = clusterPaths().kubeconfig;
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    return { kubeconfigPath, kc };
  })();
  cluster.catch(() => (cluster = undefined));
  return cluster;
}

/**
 * Starts the configured mode; when another checkout's cluster holds the machine's one real node,
 * starts kwok-only instead (saying so) so the kwok suites still run here.
 */
async function startForRun(): Promise<{ alreadyRunning: boolean }> {
  try {
    return await startCluster({ log });
  } catch (err) {
    if (!(err instanceof NodeClaimedError)) throw err;
    noRealNodeReason = `the real node runs in another checkout's cluster (${err.stateDir})`;
    log(`${noRealNodeReason}; starting a kwok-only cluster, the real-node suites will be skipped`);
    return startCluster({ log, mode: 'kwok-only' });
  }
}

/** See the header. */
export async function realNode(): Promise<{ available: true } | { available: false; reason: string }> {
  await ensureCluster();
  // CI must prove the data plane: there a missing real node fails the suites instead of skipping them.
  if (noRealNodeReason !== undefined && process.env.CI) throw new Error(`the real-node suites must run in CI, but ${noRealNodeReason}`);
  return noRealNodeReason === undefined ? { available: true } : { available: false, reason: noRealNodeReason };
}

/** Deletes the namespaces this run created and stops the cluster if this run started it. */
export async function releaseCluster(): Promise<void> {
  if (!cluster) return;
  const { kc } = await cluster;
  await Promise.all([...namespacesToDelete].map((ns) => deleteNamespace(kc, ns)));
  namespacesToDelete.clear();
  if (startedByThisRun) {
    log('stopping the cluster this run started');
    await stopCluster({ log });
  }
  cluster = undefined;
  startedByThisRun = false;
  noRealNodeReason = undefined;
}

/** Where a test namespace's pods run: kwok's simulated nodes, or the real node. */
export type Placement = 'kwok' | 'real-node';

/** See the header. */
export async function freshNamespace(kc?: KubeConfig, prefix = 'test', labels: Record<string, string> = {}, options: { placement?: Placement } = {}): Promise<string> {
  const config = kc ?? (await ensureCluster()).kc;
  const core = config.makeApiClient(CoreV1Api);
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  const annotations = (options.placement ?? 'kwok') === 'kwok' ? KWOK_PLACEMENT_ANNOTATIONS : {};
  await core.createNamespace({ body: { metadata: { name, labels: { 'riskmodel.dev/test': 'true', ...labels }, annotations } } });
  namespacesToDelete.add(name);
  await waitFor(async () => (await core.readNamespacedServiceAccount({ name: 'default', namespace: name })).metadata?.name, {
    timeoutMs: 30_000,
    intervalMs: 200,
    what: `the default ServiceAccount in namespace ${name}`,
  });
  return name;
}

/** See the header. */
export async function deleteNamespace(kc: KubeConfig, name: string): Promise<void> {
  namespacesToDelete.delete(name);
  try {
    await kc.makeApiClient(CoreV1Api).deleteNamespace({ name });
  } catch (err) {
    if ((err as { code?: number }).code !== 404) throw err;
  }
}

/** See the header. */
export async function releaseNamespace(kc: KubeConfig, name: string, timeoutMs = 120_000): Promise<void> {
  await deleteNamespace(kc, name);
  const core = kc.makeApiClient(CoreV1Api);
  await waitFor(async () => (await core.listNamespacedPod({ namespace: name })).items.length === 0, { timeoutMs, intervalMs: 1000, what: `the pods of namespace ${name} to be gone` });
}

/** See the header. */
export function kubectl(args: string[], options: { input?: string } = {}): Promise<KubectlResult> {
  const paths = clusterPaths();
  return runKubectl(paths.kubectl, paths.kubeconfig, args, options.input);
}

/** See the header. */
export async function kubectlOk(args: string[], options: { input?: string } = {}): Promise<string> {
  const result = await kubectl(args, options);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${result.code}: ${result.stderr.trim()}`);
  return result.stdout;
}

async function annotatePods(kc: KubeConfig, namespace: string, labelSelector: string, annotations: Record<string, string>): Promise<string[]> {
  const core = kc.makeApiClient(CoreV1Api);
  const pods = await core.listNamespacedPod({ namespace, labelSelector });
  const names = pods.items.filter((p) => !p.metadata?.deletionTimestamp).map((p) => p.metadata?.name as string);
  await Promise.all(
    names.map((name) =>
      core.patchNamespacedPod({ name, namespace, body: { metadata: { annotations } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)),
    ),
  );
  return names;
}

/** See the header. */
export function setSimulatedCpu(kc: KubeConfig, namespace: string, labelSelector: string, milliCores: number): Promise<string[]> {
  if (!Number.isInteger(milliCores) || milliCores < 0) throw new RangeError(`milliCores must be a whole number ≥ 0, got ${milliCores}`);
  return annotatePods(kc, namespace, labelSelector, { [USAGE_CPU_ANNOTATION]: `${milliCores}m` });
}

/** See the header. */
export function setSimulatedMemory(kc: KubeConfig, namespace: string, labelSelector: string, quantity: string): Promise<string[]> {
  if (!/^\d+(\.\d+)?(Ki|Mi|Gi|k|M|G)?$/.test(quantity)) throw new RangeError(`quantity must be a Kubernetes memory quantity such as 256Mi, got ${quantity}`);
  return annotatePods(kc, namespace, labelSelector, { [USAGE_MEMORY_ANNOTATION]: quantity });
}
