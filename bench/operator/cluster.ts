// Cluster plumbing for the benchmark: clients, kwok node capacity, namespaces, the CRD, and
// waiting helpers.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { KWOK_PLACEMENT_ANNOTATIONS, KWOK_TAINT, nodeManifest, nodeStatusPatch, NODE_ALLOCATABLE } from '../../localcluster/bootstrap.js';
import { KWOK_NODE_ANNOTATION } from '../../localcluster/topology.js';
import { REPO_ROOT } from '../../scripts/lib/operator-process.js';

/** The field manager of everything the benchmark applies itself (the CRD, the floor's children). */
export const FLOOR_MANAGER = 'riskmodel-bench-floor';

export interface Clients {
  kc: k8s.KubeConfig;
  objects: k8s.KubernetesObjectApi;
  core: k8s.CoreV1Api;
  custom: k8s.CustomObjectsApi;
}

export function makeClients(kubeconfig: string): Clients {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig);
  return { kc, objects: k8s.KubernetesObjectApi.makeApiClient(kc), core: kc.makeApiClient(k8s.CoreV1Api), custom: kc.makeApiClient(k8s.CustomObjectsApi) };
}

/** Extra kwok nodes the benchmark adds get indexes from here, clear of the cluster's own. */
export const FIRST_BENCH_NODE = 100;

/**
 * Adds fake kwok nodes until the cluster has room for `pods` more pods (each node takes
 * NODE_ALLOCATABLE.pods) and waits until they are Ready. Returns the names it created.
 */
export async function ensurePodCapacity(clients: Clients, pods: number): Promise<string[]> {
  const perNode = Number(NODE_ALLOCATABLE.pods);
  const { free, tainted } = await kwokCapacity(clients, perNode);
  const missing = Math.ceil(Math.max(0, pods + 20 - free) / perNode);
  const names: string[] = [];
  for (let k = 0; k < missing; k++) {
    // Tainted like the cluster's own kwok nodes, so only kwok-placed namespaces use them.
    const node = nodeManifest(FIRST_BENCH_NODE + k, { taint: tainted }) as unknown as k8s.V1Node;
    node.metadata!.labels = { ...node.metadata!.labels, 'riskmodel.dev/bench': 'true' };
    await clients.core.createNode({ body: node });
    await clients.core.patchNodeStatus({ name: node.metadata!.name!, body: JSON.parse(nodeStatusPatch()) as object }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    names.push(node.metadata!.name!);
  }
  if (missing > 0) console.log(`added ${missing} kwok nodes for ${pods} pods`);
  for (let i = 0; i < 120 && names.length > 0; i++) {
    const list = await clients.core.listNode({ labelSelector: 'riskmodel.dev/bench=true' });
    if (list.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length >= names.length) break;
    await sleep(1000);
  }
  return names;
}

/**
 * Free pod slots on the kwok nodes, and whether those nodes carry the kwok taint. Only kwok nodes
 * count: the benchmark's namespaces are placed on them, never on the real node.
 */
async function kwokCapacity(clients: Clients, perNode: number): Promise<{ free: number; tainted: boolean }> {
  const [nodes, running] = await Promise.all([clients.core.listNode(), clients.core.listPodForAllNamespaces({ fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed' })]);
  const kwokNodes = nodes.items.filter((n) => n.metadata?.annotations?.[KWOK_NODE_ANNOTATION] === 'fake');
  const kwokNames = new Set(kwokNodes.map((n) => n.metadata?.name));
  const used = running.items.filter((p) => kwokNames.has(p.spec?.nodeName)).length;
  const tainted = kwokNodes.some((n) => n.spec?.taints?.some((t) => t.key === KWOK_TAINT.key) ?? false);
  return { free: kwokNodes.length * perNode - used, tainted };
}

/** Deletes a namespace and waits until it is gone, so its pods free their node slots. */
export async function deleteNamespaceAndWait(clients: Clients, name: string): Promise<void> {
  await clients.core.deleteNamespace({ name }).catch(() => undefined);
  for (let i = 0; i < 600; i++) {
    try {
      await clients.core.readNamespace({ name });
    } catch {
      return;
    }
    await sleep(1000);
  }
  throw new Error(`namespace ${name} still exists 10 minutes after its deletion`);
}

export async function applyCrd(clients: Clients): Promise<void> {
  const text = await readFile(path.join(REPO_ROOT, 'crds/riskmodel.dev_riskmodels.yaml'), 'utf8');
  for (const doc of parseAllDocuments(text)) {
    const crd = doc.toJS() as k8s.KubernetesObject;
    // As plain JSON: the typed client's serializer drops the YAML's `x-kubernetes-int-or-string`
    // keys (its model spells them `x_kubernetes_int_or_string`), and the API server then refuses
    // the int-or-string fields as having no type.
    await clients.custom.patchClusterCustomObject(
      { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions', name: crd.metadata!.name!, body: crd, fieldManager: FLOOR_MANAGER, force: true },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply),
    );
  }
}

export async function createNamespace(clients: Clients, prefix: string): Promise<string> {
  // Hundreds of pods: on kwok's simulated nodes, never on the real node.
  const ns = await clients.core.createNamespace({ body: { metadata: { generateName: `${prefix}-`, annotations: KWOK_PLACEMENT_ANNOTATIONS } } });
  return ns.metadata!.name!;
}

export async function waitForCpuReadings(clients: Clients, namespace: string): Promise<void> {
  const autoscaling = clients.kc.makeApiClient(k8s.AutoscalingV2Api);
  for (let i = 0; i < 120; i++) {
    const list = await autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace });
    if (list.items.every((hpa) => hpa.status?.currentMetrics?.[0]?.resource?.current.averageUtilization !== undefined)) return;
    await sleep(1000);
  }
  console.log('  (some HPAs still had no CPU reading after 120 s; measuring anyway)');
}

export async function waitForChildren(clients: Clients, namespace: string, count: number): Promise<void> {
  const apps = clients.kc.makeApiClient(k8s.AppsV1Api);
  for (let i = 0; i < 300; i++) {
    const list = await apps.listNamespacedDeployment({ namespace });
    if (list.items.length === count) return;
    await sleep(1000);
  }
  throw new Error(`the garbage collector did not bring ${namespace} to ${count} Deployments in 300 s`);
}

/** Runs `task` for 0..n-1 with at most `limit` in flight. */
export async function pool(n: number, limit: number, task: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
}

/** `promise`, or a rejection naming `what` after `ms`; the timer never outlives the race. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
