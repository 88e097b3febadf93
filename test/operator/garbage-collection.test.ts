// Proof 7 (cluster): deleting a RiskModel removes everything made for it, through the real
// garbage collector following the owner references.
import { expect } from 'chai';
import { eventually, sleep } from './harness/eventually.js';
import { riskModel } from './harness/fixtures.js';
import { useTestbed } from './harness/testbed.js';

describe('operator on the local cluster: deletion', function () {
  const bed = useTestbed({ operator: true });

  it('removes the Deployment, Service, HPA, ReplicaSets and pods when the RiskModel is deleted', async function () {
    await bed.cluster.createRiskModel(riskModel(bed.namespace, 'doomed'));
    await bed.cluster.createRiskModel(riskModel(bed.namespace, 'survivor'));
    await bed.waitForReady('doomed');
    await bed.waitForReady('survivor');
    expect(await bed.cluster.pods(bed.namespace, 'doomed')).to.have.length(2);

    await bed.cluster.deleteRiskModel(bed.namespace, 'doomed');
    await eventually('every child of the deleted RiskModel to be gone', async (saw) => {
      const { deployment, service, hpa, podDisruptionBudget } = await bed.cluster.children(bed.namespace, 'doomed');
      const replicaSets = await bed.cluster.replicaSets(bed.namespace, 'doomed');
      const pods = await bed.cluster.pods(bed.namespace, 'doomed');
      const left = { deployment: !!deployment, service: !!service, hpa: !!hpa, podDisruptionBudget: !!podDisruptionBudget, replicaSets: replicaSets.length, pods: pods.length };
      saw(left);
      return !deployment && !service && !hpa && !podDisruptionBudget && replicaSets.length === 0 && pods.length === 0;
    });

    // The operator must not resurrect children of a RiskModel that is gone: first see that it
    // reconciled the deleted RiskModel (the children's delete events wake it), then that nothing came back.
    await bed.operator.waitForLog((e) => e.message === 'RiskModel deleted; leaving its children to the garbage collector' && e.name === 'doomed', 30_000, 'the operator to see the deletion');
    await sleep(3_000);
    const again = await bed.cluster.children(bed.namespace, 'doomed');
    expect(again).to.deep.equal({ deployment: undefined, service: undefined, hpa: undefined, podDisruptionBudget: undefined, networkPolicy: undefined });
    const survivor = await bed.cluster.children(bed.namespace, 'survivor');
    expect(survivor.deployment?.status?.readyReplicas, 'the other RiskModel is untouched').to.equal(2);
  });
});
