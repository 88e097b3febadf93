// Proof (cluster): the production controls reach the cluster and do their job there. The
// disruption budget makes the API server refuse an eviction that would take a second pod; the
// default spread puts the pods on different kwok nodes; the scheduling fields reach the pods;
// the HPA carries the full behavior; the optional children come and go with the spec.
import { expect } from 'chai';
import * as k8s from '@kubernetes/client-node';
import { eventually } from './harness/eventually.js';
import { riskModel } from './harness/fixtures.js';
import { useTestbed } from './harness/testbed.js';

const running = (pods: k8s.V1Pod[]) => pods.filter((p) => !p.metadata?.deletionTimestamp && p.status?.phase === 'Running');
const isPolicy = (p: k8s.V2HPAScalingPolicy | undefined, type: string, value: number) => p?.type === type && p.value === value;

describe('operator on the local cluster: production controls', function () {
  const bed = useTestbed({ operator: true });

  describe('the PodDisruptionBudget', function () {
    const name = 'budgeted';

    before(async function () {
      await bed.cluster.createRiskModel(riskModel(bed.namespace, name, { minReplicas: 2, maxReplicas: 4 }));
      await bed.waitForReady(name);
    });

    it('exists for minReplicas 2 with maxUnavailable 1, owned by the RiskModel and selecting its pods', async function () {
      const pdb = await eventually('the PodDisruptionBudget to see 2 healthy pods', async (saw) => {
        const { podDisruptionBudget } = await bed.cluster.children(bed.namespace, name);
        saw(podDisruptionBudget?.status);
        return podDisruptionBudget?.status?.currentHealthy === 2 && podDisruptionBudget.status.disruptionsAllowed === 1 && podDisruptionBudget;
      });
      expect(pdb.spec?.maxUnavailable).to.equal(1);
      expect(pdb.spec?.selector?.matchLabels).to.deep.equal({ 'app.kubernetes.io/name': 'riskmodel-inference', 'app.kubernetes.io/instance': name });
      expect(pdb.metadata?.ownerReferences?.[0]).to.include({ kind: 'RiskModel', name, controller: true });
    });

    it('lets an eviction take one pod and refuses the next one while the budget is spent, as a node drain would see', async function () {
      const pods = running(await bed.cluster.pods(bed.namespace, name));
      expect(pods).to.have.length(2);
      // Like `kubectl drain`: cordon first, so the replacement cannot come up and refill the budget at once.
      const nodes = (await bed.cluster.core.listNode({ labelSelector: 'type=kwok' })).items.map((n) => n.metadata!.name!);
      const cordon = (unschedulable: boolean) =>
        Promise.all(nodes.map((node) => bed.cluster.core.patchNode({ name: node, body: { spec: { unschedulable } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch))));
      await cordon(true);
      try {
        const first = await bed.cluster.evict(bed.namespace, pods[0]!.metadata!.name!);
        const second = await bed.cluster.evict(bed.namespace, pods[1]!.metadata!.name!);
        expect([first, second]).to.deep.equal([201, 429]);
        const { podDisruptionBudget } = await bed.cluster.children(bed.namespace, name);
        expect(podDisruptionBudget?.status?.disruptionsAllowed).to.equal(0);
      } finally {
        await cordon(false);
      }
      // The replacement comes up and the budget allows one disruption again.
      await eventually('the budget to recover after the replacement pod is ready', async (saw) => {
        const { podDisruptionBudget } = await bed.cluster.children(bed.namespace, name);
        saw(podDisruptionBudget?.status);
        return podDisruptionBudget?.status?.currentHealthy === 2 && podDisruptionBudget.status.disruptionsAllowed === 1;
      });
    });

    it('restores a hand-edited maxUnavailable', async function () {
      await bed.cluster.policy.patchNamespacedPodDisruptionBudget(
        { namespace: bed.namespace, name, body: { spec: { maxUnavailable: 2 } }, fieldManager: 'kubectl-edit' },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
      await eventually('maxUnavailable to be 1 again', async (saw) => {
        const { podDisruptionBudget } = await bed.cluster.children(bed.namespace, name);
        saw(podDisruptionBudget?.spec);
        return podDisruptionBudget?.spec?.maxUnavailable === 1;
      });
    });

    it('is deleted when minReplicas drops to 1 and comes back at 2', async function () {
      await bed.cluster.patchRiskModelSpec(bed.namespace, name, { minReplicas: 1 });
      await eventually('the PodDisruptionBudget to be deleted', async () => (await bed.cluster.children(bed.namespace, name)).podDisruptionBudget === undefined);
      const events = await bed.cluster.eventsFor(bed.namespace, 'RiskModel', name);
      expect(events.map((e) => e.reason)).to.include('Deleted');
      await bed.cluster.patchRiskModelSpec(bed.namespace, name, { minReplicas: 2 });
      await eventually('the PodDisruptionBudget to be back', async () => (await bed.cluster.children(bed.namespace, name)).podDisruptionBudget !== undefined);
    });

    it('is deleted when the spec disables it', async function () {
      await bed.cluster.patchRiskModelSpec(bed.namespace, name, { podDisruptionBudget: { enabled: false } });
      await eventually('the PodDisruptionBudget to be deleted', async () => (await bed.cluster.children(bed.namespace, name)).podDisruptionBudget === undefined);
    });
  });

  describe('scheduling', function () {
    const name = 'spread';
    let className: string;

    before(async function () {
      className = `${bed.namespace}-serving`;
      await bed.cluster.scheduling.createPriorityClass({ body: { metadata: { name: className }, value: 1000, description: 'test' } });
      await bed.cluster.createRiskModel(
        riskModel(bed.namespace, name, {
          minReplicas: 3,
          maxReplicas: 3,
          priorityClassName: className,
          nodeSelector: { type: 'kwok' },
          tolerations: [{ key: 'riskmodel.dev/test', operator: 'Exists', effect: 'NoSchedule' }],
        }),
      );
      await bed.waitForReady(name);
    });

    after(async function () {
      if (className) await bed.cluster.scheduling.deletePriorityClass({ name: className });
    });

    it('gives the pods the default spread over kubernetes.io/hostname and places them on different kwok nodes', async function () {
      const { deployment } = await bed.cluster.children(bed.namespace, name);
      expect(deployment?.spec?.template.spec?.topologySpreadConstraints).to.deep.equal([
        { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'riskmodel-inference', 'app.kubernetes.io/instance': name } } },
      ]);
      const pods = running(await bed.cluster.pods(bed.namespace, name));
      const nodes = await bed.cluster.core.listNode({ labelSelector: 'type=kwok' });
      expect(pods).to.have.length(3);
      expect(new Set(pods.map((p) => p.spec?.nodeName)).size).to.equal(Math.min(3, nodes.items.length));
    });

    it('passes the priority class, node selector, tolerations, pull policy and ephemeral storage through to the pods', async function () {
      const pods = running(await bed.cluster.pods(bed.namespace, name));
      expect(pods).to.not.be.empty;
      const spec = pods[0]!.spec!;
      expect(spec).to.deep.include({ priorityClassName: className, priority: 1000, nodeSelector: { type: 'kwok' } });
      expect(spec.tolerations).to.deep.include({ key: 'riskmodel.dev/test', operator: 'Exists', effect: 'NoSchedule' });
      const container = spec.containers[0]!;
      expect(container.imagePullPolicy).to.equal('IfNotPresent');
      expect(container.resources).to.deep.include({ requests: { cpu: '100m', memory: '128Mi', 'ephemeral-storage': '128Mi' } });
      expect(container.resources?.limits).to.deep.include({ 'ephemeral-storage': '256Mi' });
    });
  });

  describe('the HPA behavior', function () {
    const name = 'behaved';
    const behavior = {
      scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] },
      scaleDown: { selectPolicy: 'Min', policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] },
    };

    before(async function () {
      await bed.cluster.createRiskModel(riskModel(bed.namespace, name, { minReplicas: 1, scaleDownStabilizationSeconds: 120, behavior }));
    });

    it('round-trips: the RiskModel stores it as given and the HPA carries it, with the simple form as the scale-down window', async function () {
      const stored = await bed.cluster.getRiskModel(bed.namespace, name);
      expect(stored.spec.behavior).to.deep.equal(behavior);
      const hpa = await eventually('the HPA to exist', async () => (await bed.cluster.children(bed.namespace, name)).hpa);
      expect(hpa.spec?.behavior?.scaleUp).to.deep.equal(behavior.scaleUp);
      expect(hpa.spec?.behavior?.scaleDown).to.deep.equal({ ...behavior.scaleDown, stabilizationWindowSeconds: 120 });
    });

    it('follows a change of the behavior', async function () {
      await bed.cluster.patchRiskModelSpec(bed.namespace, name, { behavior: { ...behavior, scaleDown: { stabilizationWindowSeconds: 30, policies: [{ type: 'Percent', value: 50, periodSeconds: 30 }] } } });
      await eventually('the HPA to carry the new scale-down rules', async (saw) => {
        const down = (await bed.cluster.children(bed.namespace, name)).hpa?.spec?.behavior?.scaleDown;
        saw(down);
        return down?.stabilizationWindowSeconds === 30 && isPolicy(down.policies?.[0], 'Percent', 50);
      });
    });
  });

  describe('the NetworkPolicy', function () {
    const name = 'fenced';

    it('is made only when spec.networkPolicy is set, lets in the listed peers on the inference port, and goes when the field is removed', async function () {
      await bed.cluster.createRiskModel(riskModel(bed.namespace, name, { minReplicas: 1 }));
      await eventually('the Deployment to exist', async () => (await bed.cluster.children(bed.namespace, name)).deployment);
      expect((await bed.cluster.children(bed.namespace, name)).networkPolicy).to.equal(undefined);
      const from = [{ podSelector: { matchLabels: { role: 'client' } } }];
      const metricsFrom = [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }];
      await bed.cluster.patchRiskModelSpec(bed.namespace, name, { networkPolicy: { from, metricsFrom } });
      const policy = await eventually('the NetworkPolicy to exist', async () => (await bed.cluster.children(bed.namespace, name)).networkPolicy);
      expect(policy.spec?.policyTypes).to.deep.equal(['Ingress']);
      // client-node names the field `_from` (`from` is a reserved word in its generator).
      expect(policy.spec?.ingress?.map((rule) => ({ from: rule._from, ports: rule.ports }))).to.deep.equal([
        { from, ports: [{ protocol: 'TCP', port: 8080 }] },
        { from: metricsFrom, ports: [{ protocol: 'TCP', port: 8080 }] },
      ]);
      await bed.cluster.patchRiskModelSpec(bed.namespace, name, { networkPolicy: null });
      await eventually('the NetworkPolicy to be deleted', async () => (await bed.cluster.children(bed.namespace, name)).networkPolicy === undefined);
    });
  });
});
