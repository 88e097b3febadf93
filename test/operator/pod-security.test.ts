// Proof 9 (cluster): RiskModel pods pass Pod Security admission at the `restricted` level.
import { expect } from 'chai';
import { apiMessage, apiStatus } from './harness/api.js';
import { riskModel } from './harness/fixtures.js';
import { useTestbed } from './harness/testbed.js';

describe('operator on the local cluster: Pod Security restricted', function () {
  const bed = useTestbed({
    operator: true,
    namespaceLabels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest' },
  });

  it('refuses a non-compliant pod in this namespace (enforcement is on)', async function () {
    const error = await bed.cluster.core
      .createNamespacedPod({
        namespace: bed.namespace,
        body: { metadata: { name: 'privileged' }, spec: { containers: [{ name: 'c', image: 'busybox', securityContext: { privileged: true } }] } },
      })
      .catch((err: unknown) => err);
    expect(apiStatus(error)).to.equal(403);
    expect(apiMessage(error)).to.include('restricted');
  });

  it('admits the pods of a RiskModel, which become Ready', async function () {
    await bed.cluster.createRiskModel(riskModel(bed.namespace, 'locked-down', { minReplicas: 2 }));
    const ready = await bed.waitForReady('locked-down');
    expect(ready.status?.readyReplicas).to.equal(2);
    const pods = await bed.cluster.pods(bed.namespace, 'locked-down');
    expect(pods).to.have.length(2);
    for (const pod of pods) {
      expect(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status, pod.metadata?.name).to.equal('True');
    }
    const refusals = (await bed.cluster.core.listNamespacedEvent({ namespace: bed.namespace, fieldSelector: 'reason=FailedCreate' })).items;
    expect(refusals.map((e) => e.message)).to.deep.equal([]);
  });
});
