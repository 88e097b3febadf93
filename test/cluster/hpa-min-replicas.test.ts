// Needs the local cluster. Proof 3: the real HPA controller enforces minReplicas on its own,
// even when the metric it is given is served by no metrics API at all.
import { expect } from 'chai';
import { AppsV1Api, AutoscalingV2Api, type KubeConfig } from '@kubernetes/client-node';
import { ensureCluster, freshNamespace, waitFor } from '../support/cluster.js';
import { deployment, hpa } from './fixtures.js';

describe('local cluster: HPA bounds', () => {
  let kc: KubeConfig;
  let namespace: string;
  before(async () => {
    ({ kc } = await ensureCluster());
    namespace = await freshNamespace(kc, 'hpa-min');
  });

  it('scales a 2-replica Deployment up to an HPA minReplicas of 3 without any metrics', async () => {
    const apps = kc.makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({ namespace, body: deployment('web', 2) });
    // A per-pod custom metric: nothing serves custom.metrics.k8s.io here, so only the bounds can act.
    await kc.makeApiClient(AutoscalingV2Api).createNamespacedHorizontalPodAutoscaler({
      namespace,
      body: hpa('web', 'web', {
        minReplicas: 3,
        maxReplicas: 5,
        metrics: [{ type: 'Pods', pods: { metric: { name: 'requests_per_second' }, target: { type: 'AverageValue', averageValue: '10' } } }],
      }),
    });

    const scaled = await waitFor(
      async () => {
        const d = await apps.readNamespacedDeployment({ name: 'web', namespace });
        return d.spec?.replicas === 3 && d.status?.readyReplicas === 3 && d;
      },
      { timeoutMs: 90_000, what: 'deployment web to be scaled to 3 ready replicas by the HPA' },
    );
    expect(scaled.spec?.replicas).to.equal(3);
  });
});
