// Proof 3 (cluster): children deleted or edited by hand are put back by the operator.
import { expect } from 'chai';
import * as k8s from '@kubernetes/client-node';
import { eventually } from './harness/eventually.js';
import { riskModel } from './harness/fixtures.js';
import { useTestbed } from './harness/testbed.js';

/** The promise: a hand-edited managed field is restored within 5 s. */
const RESTORE_WITHIN_MS = 5_000;

describe('operator on the local cluster: drift', function () {
  const bed = useTestbed({ operator: true });
  const name = 'drifty';
  const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

  before(async function () {
    await bed.cluster.createRiskModel(riskModel(bed.namespace, name, { minReplicas: 2, maxReplicas: 4, service: { port: 8081 } }));
    await bed.waitForReady(name);
  });

  const kinds = [
    ['Deployment', (ns: string) => bed.cluster.apps.deleteNamespacedDeployment({ namespace: ns, name })],
    ['Service', (ns: string) => bed.cluster.core.deleteNamespacedService({ namespace: ns, name })],
    ['HorizontalPodAutoscaler', (ns: string) => bed.cluster.autoscaling.deleteNamespacedHorizontalPodAutoscaler({ namespace: ns, name })],
  ] as const;

  for (const [kind, remove] of kinds) {
    it(`recreates a deleted ${kind}`, async function () {
      const before = await childOf(kind);
      await remove(bed.namespace);
      const recreated = await eventually(`the ${kind} to come back`, async (saw) => {
        const child = await childOf(kind);
        saw(child?.metadata?.uid);
        return child && child.metadata?.uid !== before?.metadata?.uid && !child.metadata?.deletionTimestamp && child;
      }, { timeoutMs: 30_000 });
      expect(recreated.metadata?.ownerReferences?.[0]?.name).to.equal(name);
      await bed.waitForRiskModel(name, 'Ready again with 2 ready replicas', (rm) => rm.status?.readyReplicas === 2 && rm.status.conditions?.find((c) => c.type === 'Ready')?.status === 'True');
    });
  }

  it('restores a hand-edited HPA maxReplicas within 5 seconds', async function () {
    await bed.cluster.autoscaling.patchNamespacedHorizontalPodAutoscaler(
      { namespace: bed.namespace, name, body: { spec: { maxReplicas: 9 } }, fieldManager: 'kubectl-edit' },
      mergePatch,
    );
    const edited = Date.now();
    await eventually('the HPA maxReplicas to be 4 again', async (saw) => {
      const { hpa } = await bed.cluster.children(bed.namespace, name);
      saw(hpa?.spec?.maxReplicas);
      return hpa?.spec?.maxReplicas === 4;
    }, { timeoutMs: RESTORE_WITHIN_MS, intervalMs: 100 });
    console.log(`      HPA maxReplicas restored ${Date.now() - edited} ms after the edit`);
  });

  it('restores a hand-edited Service port within 5 seconds', async function () {
    const { service } = await bed.cluster.children(bed.namespace, name);
    const ports = service!.spec!.ports!.map((p) => ({ ...p, port: 9999 }));
    await bed.cluster.core.patchNamespacedService({ namespace: bed.namespace, name, body: { spec: { ports } }, fieldManager: 'kubectl-edit' }, mergePatch);
    // Server-side apply restores the operator's port; a port the editor added stays theirs.
    const target = service!.spec!.ports![0]!.targetPort;
    await eventually('the Service to serve port 8081 again', async (saw) => {
      const { service: now } = await bed.cluster.children(bed.namespace, name);
      saw(now?.spec?.ports);
      return now?.spec?.ports?.some((p) => p.port === 8081 && p.targetPort === target);
    }, { timeoutMs: RESTORE_WITHIN_MS, intervalMs: 100 });
  });

  async function childOf(kind: (typeof kinds)[number][0]): Promise<k8s.KubernetesObject | undefined> {
    const children = await bed.cluster.children(bed.namespace, name);
    return { Deployment: children.deployment, Service: children.service, HorizontalPodAutoscaler: children.hpa }[kind];
  }
});
