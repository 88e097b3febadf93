// The timed parts: the floor (children applied directly), the operator from apply to Ready,
// and spec edit → HPA updated latency.
import { performance } from 'node:perf_hooks';
import * as k8s from '@kubernetes/client-node';
import { API_VERSION, GROUP, KIND, PLURAL, VERSION, withDefaults, type RiskModel as OperatorRiskModel } from '../../operator/api/riskmodel.js';
import { byKind, desired } from '../../operator/model/desired.js';
import { FLOOR_MANAGER, pool, sleep, withTimeout, type Clients } from './cluster.js';
import type { Options } from './options.js';
import type { OperatorProcess } from '../../scripts/lib/operator-process.js';
import type { Figures } from './report.js';
import { openWatch, watchUntil } from './watch.js';
import { difference, operatorWriteRequests, serverWrites, WriteCounter } from './writes.js';
import { waitForChildren, waitForCpuReadings } from './cluster.js';
import { isReady } from '../../operator/model/conditions.js';

export const IMAGE = 'riskmodel-inference:bench';
export const CONCURRENCY = 32;

export const benchName = (i: number): string => `bench-${String(i).padStart(4, '0')}`;

export function riskModel(namespace: string, i: number, minReplicas: number): OperatorRiskModel {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name: benchName(i), namespace },
    spec: { model: { version: 'bench' }, minReplicas, maxReplicas: 5, scaleDownStabilizationSeconds: 0 },
  };
}

/** A Deployment counts as ready like a RiskModel does: rolled out, with ≥ min ready pods. */
export function deploymentReady(deployment: k8s.V1Deployment, min: number): boolean {
  const status = deployment.status ?? {};
  return (status.observedGeneration ?? 0) >= (deployment.metadata?.generation ?? 1) && (status.readyReplicas ?? 0) >= min && status.updatedReplicas === status.replicas;
}

/** Floor: one client applies the operator's exact children (minus owner references) with SSA. */
export async function measureFloor(clients: Clients, namespace: string, options: Options): Promise<number> {
  const ready = new Set<string>();
  const allReady = watchUntil(clients.kc, `/apis/apps/v1/namespaces/${namespace}/deployments`, (obj) => {
    if (deploymentReady(obj, options.minReplicas)) ready.add(obj.metadata!.name!);
    return ready.size === options.count;
  }, 1_800_000);
  const start = performance.now();
  await pool(options.count, CONCURRENCY, async (i) => {
    const rm = { ...riskModel(namespace, i, options.minReplicas), metadata: { name: benchName(i), namespace, uid: 'floor' } };
    const children = desired(rm, withDefaults(rm.spec, IMAGE), { source: 'image' });
    // Every child the operator would write (a PodDisruptionBudget too at minReplicas ≥ 2), so the floor does the same work.
    for (const child of Object.values(byKind(children)).filter((c) => c !== undefined) as k8s.KubernetesObject[]) {
      const copy = structuredClone(child);
      delete copy.metadata!.ownerReferences;
      await clients.objects.patch(copy, undefined, undefined, FLOOR_MANAGER, true, k8s.PatchStrategy.ServerSideApply);
    }
  });
  await allReady;
  return performance.now() - start;
}

/** The operator: N RiskModels created by one client, timed until every one reports Ready. */
export async function measureOperator(clients: Clients, namespace: string, options: Options): Promise<number> {
  const ready = new Set<string>();
  const allReady = watchUntil(clients.kc, `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${PLURAL}`, (obj) => {
    if (isReady(obj as OperatorRiskModel)) ready.add(obj.metadata!.name!);
    return ready.size === options.count;
  }, 1_800_000);
  const start = performance.now();
  const progress = setInterval(() => console.log(`  ${ready.size}/${options.count} Ready after ${((performance.now() - start) / 1000).toFixed(0)} s`), 10_000);
  try {
    await pool(options.count, CONCURRENCY, (i) =>
      clients.custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, body: riskModel(namespace, i, options.minReplicas) }),
    );
    await allReady;
    return performance.now() - start;
  } finally {
    clearInterval(progress);
  }
}

/**
 * Sequential maxReplicas edits on one RiskModel, each timed from sending the PATCH until an
 * already-open watch on its HPA delivers the new value.
 */
export async function measureEdits(clients: Clients, namespace: string, options: Options): Promise<number[]> {
  const name = benchName(0);
  let expected = -1;
  let seen: () => void = () => undefined;
  let opened: () => void = () => undefined;
  const watchOpen = new Promise<void>((resolve) => (opened = resolve));
  const watch = await openWatch(clients.kc, `/apis/autoscaling/v2/namespaces/${namespace}/horizontalpodautoscalers`, { fieldSelector: `metadata.name=${name}` }, (_phase, obj) => {
    opened();
    if ((obj as k8s.V2HorizontalPodAutoscaler).spec?.maxReplicas === expected) seen();
  });
  try {
    await watchOpen;
    const latencies: number[] = [];
    for (let i = 0; i < options.edits; i++) {
      const max = i % 2 === 0 ? 6 : 5;
      const updated = new Promise<void>((resolve) => (seen = resolve));
      expected = max;
      const start = performance.now();
      await clients.custom.patchNamespacedCustomObject(
        { group: GROUP, version: VERSION, namespace, plural: PLURAL, name, body: { spec: { maxReplicas: max } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
      await withTimeout(updated, 30_000, `the HPA to show maxReplicas ${max}`);
      latencies.push(performance.now() - start);
      await sleep(100);
    }
    return latencies;
  } finally {
    watch.close();
  }
}

/**
 * Shrinks to `idleCount` RiskModels, waits until the operator has been quiet for 10 s, then
 * counts writes for `idleSeconds`.
 */
export async function measureIdle(
  clients: Clients,
  namespace: string,
  options: Options,
  operator: OperatorProcess,
): Promise<Pick<Figures, 'idleOperatorWrites' | 'idleOperatorRequests' | 'idleServerWrites'>> {
  const counter = new WriteCounter();
  await counter.open(clients.kc, namespace);
  try {
    await pool(options.count - options.idleCount, CONCURRENCY, (j) =>
      clients.custom.deleteNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name: benchName(options.idleCount + j) }),
    );
    await waitForChildren(clients, namespace, options.idleCount);
    // Idle means converged: every HPA has its first CPU reading (status mirrors it) and the operator has been quiet for 15 s.
    await waitForCpuReadings(clients, namespace);
    const settleDeadline = Date.now() + 180_000;
    while (Date.now() - counter.lastWriteAt < 15_000 && Date.now() < settleDeadline) await sleep(1000);
    counter.reset();
    const [before, ownBefore] = await Promise.all([serverWrites(clients.kc), operatorWriteRequests(operator)]);
    await sleep(options.idleSeconds * 1000);
    const [after, ownAfter] = await Promise.all([serverWrites(clients.kc), operatorWriteRequests(operator)]);
    console.log(`  RiskModel status fields the operator changed in the window: ${JSON.stringify(counter.changedFields)}`);
    return { idleOperatorWrites: { ...counter.counts }, idleOperatorRequests: difference(ownAfter, ownBefore), idleServerWrites: difference(after, before) };
  } finally {
    counter.close();
  }
}
