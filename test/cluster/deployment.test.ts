// Needs the local cluster. Proof 2: the real deployment and replicaset controllers and scheduler
// place a Deployment's pods on kwok's fake nodes, and kwok reports them Running and Ready.
import { expect } from 'chai';
import { AppsV1Api, CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { ensureCluster, freshNamespace, waitFor } from '../support/cluster.js';
import { deployment } from './fixtures.js';

const readyOf = (conditions: { type: string; status: string }[] | undefined): string | undefined => conditions?.find((c) => c.type === 'Ready')?.status;

async function expectReadyOnKwokNode(core: CoreV1Api, pod: V1Pod): Promise<void> {
  expect(pod.status?.phase).to.equal('Running');
  expect(readyOf(pod.status?.conditions)).to.equal('True');
  const node = await core.readNode({ name: pod.spec?.nodeName ?? '' });
  expect(node.metadata?.annotations?.['kwok.x-k8s.io/node']).to.equal('fake');
  expect(readyOf(node.status?.conditions)).to.equal('True');
}

describe('local cluster: Deployments on kwok nodes', () => {
  let kc: KubeConfig;
  let namespace: string;
  before(async () => {
    ({ kc } = await ensureCluster());
    namespace = await freshNamespace(kc, 'deploy');
  });

  it('runs a Deployment of 2 replicas as 2 Ready pods scheduled onto kwok nodes', async () => {
    const apps = kc.makeApiClient(AppsV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    await apps.createNamespacedDeployment({ namespace, body: deployment('web', 2) });

    const ready = await waitFor(
      async () => {
        const d = await apps.readNamespacedDeployment({ name: 'web', namespace });
        return d.status?.readyReplicas === 2 && d;
      },
      { timeoutMs: 60_000, what: 'deployment web to have 2 ready replicas' },
    );
    expect(ready.status?.availableReplicas).to.equal(2);

    const pods = (await core.listNamespacedPod({ namespace, labelSelector: 'app=web' })).items;
    expect(pods).to.have.length(2);
    for (const pod of pods) await expectReadyOnKwokNode(core, pod);
  });
});
