// Proof 2 (cluster): the real HPA controller follows the RiskModel's replica bounds, and the
// RiskModel's status follows the HPA and the Deployment.
import { expect } from 'chai';
import { eventually } from './harness/eventually.js';
import { riskModel } from './harness/fixtures.js';
import { useTestbed } from './harness/testbed.js';

describe('operator on the local cluster: replica bounds', function () {
  const bed = useTestbed({ operator: true });
  const name = 'scaled';

  before(async function () {
    await bed.cluster.createRiskModel(riskModel(bed.namespace, name, { minReplicas: 2, maxReplicas: 5 }));
    await bed.waitForRiskModel(name, 'Ready with 2 ready replicas', (rm) => rm.status?.readyReplicas === 2);
  });

  it('scales the Deployment to 3 through the HPA when minReplicas goes from 2 to 3, and status follows', async function () {
    await bed.cluster.patchRiskModelSpec(bed.namespace, name, { minReplicas: 3 });
    const hpa = await eventually('the HPA to carry minReplicas 3', async () => {
      const { hpa } = await bed.cluster.children(bed.namespace, name);
      return hpa?.spec?.minReplicas === 3 && hpa;
    });
    expect(hpa.spec?.maxReplicas).to.equal(5);
    await eventually('the Deployment to run 3 ready replicas', async (saw) => {
      const { deployment } = await bed.cluster.children(bed.namespace, name);
      saw(deployment?.status);
      return deployment?.spec?.replicas === 3 && deployment.status?.readyReplicas === 3;
    });
    const rm = await bed.waitForRiskModel(name, 'status at 3 ready replicas and Ready', (r) => r.status?.readyReplicas === 3 && r.status.replicas === 3);
    expect(rm.status?.desiredReplicas).to.equal(3);
    expect(rm.status?.lastScaleTime, 'lastScaleTime from the HPA').to.be.a('string');
    expect(rm.status?.observedGeneration).to.equal(rm.metadata.generation);
    expect(rm.status?.conditions?.find((c) => c.type === 'Ready')?.status).to.equal('True');
  });

  it('scales down to maxReplicas when maxReplicas is lowered below the current count', async function () {
    await bed.cluster.patchRiskModelSpec(bed.namespace, name, { minReplicas: 1, maxReplicas: 2 });
    await eventually('the Deployment to shrink to 2 ready replicas', async (saw) => {
      const { deployment } = await bed.cluster.children(bed.namespace, name);
      saw(deployment?.status);
      return deployment?.spec?.replicas === 2 && deployment.status?.replicas === 2 && deployment.status.readyReplicas === 2;
    });
    const rm = await bed.waitForRiskModel(name, 'status at 2 replicas', (r) => r.status?.replicas === 2 && r.status.readyReplicas === 2);
    expect(rm.status?.desiredReplicas).to.equal(2);
    expect(rm.status?.conditions?.find((c) => c.type === 'Ready')?.status).to.equal('True');
    const pods = await bed.cluster.pods(bed.namespace, name);
    expect(pods.filter((p) => !p.metadata?.deletionTimestamp)).to.have.length(2);
  });
});
