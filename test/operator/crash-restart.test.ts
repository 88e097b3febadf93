// Proof 11 (cluster): an operator killed mid-convergence and restarted finishes the job with
// no duplicate or orphaned objects.
import { expect } from 'chai';
import type * as k8s from '@kubernetes/client-node';
import { LABELS, isReady, type RiskModel } from './harness/api.js';
import { eventually } from './harness/eventually.js';
import { riskModel } from './harness/fixtures.js';
import { useTestbed } from './harness/testbed.js';

const COUNT = 20;
const managed = `${LABELS.managedBy}=riskmodel-operator`;

describe('operator on the local cluster: killed and restarted while 20 RiskModels converge', function () {
  const bed = useTestbed({ operator: true });
  const names = Array.from({ length: COUNT }, (_, i) => `fleet-${String(i).padStart(2, '0')}`);
  let models: RiskModel[];

  before(async function () {
    this.timeout(600_000);
    await Promise.all(names.map((name) => bed.cluster.createRiskModel(riskModel(bed.namespace, name, { minReplicas: 1, maxReplicas: 2 }))));
    const started = await eventually('the operator to have created some Deployments', async () => {
      const list = await bed.cluster.apps.listNamespacedDeployment({ namespace: bed.namespace, labelSelector: managed });
      return list.items.length >= 3 && list.items.length;
    }, { intervalMs: 50 });
    const readyAtKill = (await bed.cluster.listRiskModels(bed.namespace)).filter(isReady).length;
    await bed.operator.kill();
    console.log(`      killed the operator with ${started}+ Deployments created and ${readyAtKill}/${COUNT} RiskModels Ready`);
    await bed.startOperator();
    models = await eventually(`all ${COUNT} RiskModels to be Ready`, async (saw) => {
      const list = await bed.cluster.listRiskModels(bed.namespace);
      saw(`${list.filter(isReady).length} Ready of ${list.length}`);
      return list.length === COUNT && list.every(isReady) && list;
    }, { timeoutMs: 300_000, intervalMs: 1000 });
  });

  it('ends with every RiskModel Ready at its minReplicas', function () {
    expect(models.map((rm) => rm.metadata.name).sort()).to.deep.equal(names);
    expect(models.map((rm) => rm.status?.readyReplicas)).to.deep.equal(names.map(() => 1));
  });

  it('leaves exactly one Deployment, Service and HPA per RiskModel, each controlled by it', async function () {
    const uids = new Map(models.map((rm) => [rm.metadata.name, rm.metadata.uid]));
    const [deployments, services, hpas] = await Promise.all([
      bed.cluster.apps.listNamespacedDeployment({ namespace: bed.namespace }),
      bed.cluster.core.listNamespacedService({ namespace: bed.namespace }),
      bed.cluster.autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace: bed.namespace }),
    ]);
    for (const [kind, items] of [['Deployments', deployments.items], ['Services', services.items], ['HPAs', hpas.items]] as const) {
      expect(items.map((o) => o.metadata?.name).sort(), kind).to.deep.equal(names);
      for (const item of items as k8s.KubernetesObject[]) {
        const owners = item.metadata?.ownerReferences?.filter((ref) => ref.controller) ?? [];
        expect(owners.map((ref) => [ref.kind, ref.name, ref.uid]), `${kind} ${item.metadata?.name}`).to.deep.equal([
          ['RiskModel', item.metadata?.name, uids.get(item.metadata?.name ?? '')],
        ]);
      }
    }
  });

  it('leaves one ReplicaSet and one pod per RiskModel: the restart rolled nothing', async function () {
    const replicaSets = (await bed.cluster.apps.listNamespacedReplicaSet({ namespace: bed.namespace, labelSelector: `${LABELS.name}=riskmodel-inference` })).items;
    expect(replicaSets.map((rs) => rs.metadata?.ownerReferences?.[0]?.name).sort()).to.deep.equal(names);
    const pods = await eventually('terminating pods to be gone', async () => {
      const list = (await bed.cluster.core.listNamespacedPod({ namespace: bed.namespace })).items;
      return list.every((pod) => !pod.metadata?.deletionTimestamp) && list;
    });
    expect(pods.map((pod) => pod.metadata?.labels?.[LABELS.instance]).sort()).to.deep.equal(names);
  });
});
