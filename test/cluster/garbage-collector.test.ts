// Needs the local cluster. Proof 5: the real garbage collector removes dependents of a deleted owner.
import { expect } from 'chai';
import { AppsV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { ensureCluster, freshNamespace, waitFor } from '../support/cluster.js';
import { deployment } from './fixtures.js';

describe('local cluster: garbage collection', () => {
  let kc: KubeConfig;
  let namespace: string;
  before(async () => {
    ({ kc } = await ensureCluster());
    namespace = await freshNamespace(kc, 'gc');
  });

  it('deletes the ReplicaSet and pods of a deleted Deployment', async () => {
    const apps = kc.makeApiClient(AppsV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    await apps.createNamespacedDeployment({ namespace, body: deployment('web', 2) });
    await waitFor(async () => (await core.listNamespacedPod({ namespace, labelSelector: 'app=web' })).items.length === 2, {
      timeoutMs: 60_000,
      what: '2 pods of web',
    });
    expect((await apps.listNamespacedReplicaSet({ namespace })).items).to.have.length(1);

    await apps.deleteNamespacedDeployment({ name: 'web', namespace });

    await waitFor(async () => (await apps.listNamespacedReplicaSet({ namespace })).items.length === 0, { timeoutMs: 60_000, what: 'the ReplicaSet to be collected' });
    await waitFor(async () => (await core.listNamespacedPod({ namespace, labelSelector: 'app=web' })).items.length === 0, { timeoutMs: 90_000, what: 'the pods to be collected' });
  });

  it('deletes an object whose ownerReference points at a deleted owner', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const owner = await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'owner' } } });
    await core.createNamespacedConfigMap({
      namespace,
      body: {
        metadata: {
          name: 'dependent',
          ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata?.uid ?? '' }],
        },
      },
    });
    await core.deleteNamespacedConfigMap({ name: 'owner', namespace });
    await waitFor(
      async () => !(await core.listNamespacedConfigMap({ namespace })).items.some((c) => c.metadata?.name === 'dependent'),
      { timeoutMs: 60_000, what: 'ConfigMap dependent to be collected' },
    );
  });
});
