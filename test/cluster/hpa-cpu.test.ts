// Needs the local cluster. Proof 4: the real HPA controller scales on CPU read through
// metrics-server, which scrapes the usage kwok simulates from pod annotations.
import { expect } from 'chai';
import { AppsV1Api, AutoscalingV2Api, type KubeConfig } from '@kubernetes/client-node';
import { clusterTimings, ensureCluster, freshNamespace, kubectl, setSimulatedCpu, waitFor } from '../support/cluster.js';
import { deployment, hpa } from './fixtures.js';

describe('local cluster: HPA on simulated CPU', () => {
  let kc: KubeConfig;
  let namespace: string;
  before(async () => {
    ({ kc } = await ensureCluster());
    namespace = await freshNamespace(kc, 'hpa-cpu');
  });

  const replicasOf = async (apps: AppsV1Api): Promise<number | undefined> =>
    (await apps.readNamespacedDeployment({ name: 'web', namespace })).spec?.replicas;

  it('scales up when pods use more CPU than the target and back down after the stabilization window', async function () {
    this.timeout(6 * 60_000);
    const apps = kc.makeApiClient(AppsV1Api);
    const autoscaling = kc.makeApiClient(AutoscalingV2Api);
    await apps.createNamespacedDeployment({ namespace, body: deployment('web', 2) });
    await waitFor(async () => (await apps.readNamespacedDeployment({ name: 'web', namespace })).status?.readyReplicas === 2, {
      timeoutMs: 60_000,
      what: '2 ready replicas of web',
    });
    await autoscaling.createNamespacedHorizontalPodAutoscaler({
      namespace,
      body: hpa('web', 'web', {
        minReplicas: 2,
        maxReplicas: 4,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
      }),
    });

    // 200m used of 100m requested: 200 % against a 50 % target.
    expect(await setSimulatedCpu(kc, namespace, 'app=web', 200)).to.have.length(2);
    const top = await waitFor(
      async () => {
        const r = await kubectl(['top', 'pods', '-n', namespace, '-l', 'app=web', '--no-headers']);
        return r.code === 0 && /\b200m\b/.test(r.stdout) && r.stdout;
      },
      { timeoutMs: 90_000, intervalMs: 2000, what: 'metrics-server to report 200m for the web pods (kubectl top)' },
    );
    expect(top).to.match(/200m/);
    await waitFor(async () => (await replicasOf(apps)) === 4, { timeoutMs: 90_000, intervalMs: 1000, what: 'the HPA to scale web up to maxReplicas 4' });
    const up = await autoscaling.readNamespacedHorizontalPodAutoscaler({ name: 'web', namespace });
    expect(up.status?.currentMetrics?.[0]?.resource?.current.averageUtilization).to.be.greaterThan(50);

    // Usage back down on every pod, including the two the HPA added.
    expect(await setSimulatedCpu(kc, namespace, 'app=web', 10)).to.have.length(4);
    const downStarted = Date.now();
    await waitFor(async () => (await replicasOf(apps)) === 2, {
      timeoutMs: 180_000,
      intervalMs: 1000,
      what: `the HPA to scale web back down to minReplicas 2 after its ${clusterTimings.hpa.downscaleStabilization} stabilization window`,
    });
    expect(Date.now() - downStarted).to.be.greaterThan(15_000);
  });
});
