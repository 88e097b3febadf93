// Needs the local cluster. Proof 7: ServiceAccount tokens authenticate and RBAC authorises them.
import { expect } from 'chai';
import { CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { ensureCluster, freshNamespace, waitFor } from '../support/cluster.js';

/** A KubeConfig for the same cluster that authenticates with a bearer token only. */
function tokenConfig(admin: KubeConfig, token: string): KubeConfig {
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error('admin kubeconfig has no current cluster');
  const kc = new KubeConfig();
  kc.loadFromClusterAndUser(cluster, { name: 'reader', token });
  return kc;
}

describe('local cluster: ServiceAccount tokens and RBAC', () => {
  let admin: KubeConfig;
  let namespace: string;
  before(async () => {
    ({ kc: admin } = await ensureCluster());
    namespace = await freshNamespace(admin, 'rbac');
  });

  it('answers 403 to a ServiceAccount without a Role and 200 once a RoleBinding grants it', async () => {
    const core = admin.makeApiClient(CoreV1Api);
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'reader' } } });
    const request = await core.createNamespacedServiceAccountToken({
      name: 'reader',
      namespace,
      body: { spec: { audiences: [], expirationSeconds: 600 } },
    });
    const asReader = tokenConfig(admin, request.status?.token ?? '').makeApiClient(CoreV1Api);

    const denied = await asReader.listNamespacedPod({ namespace }).then(
      () => undefined,
      (err: unknown) => err as { code?: number; body?: string },
    );
    expect(denied?.code).to.equal(403);
    expect(String(denied?.body)).to.include(`system:serviceaccount:${namespace}:reader`);

    const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace,
      body: { metadata: { name: 'pod-reader' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] },
    });
    await rbac.createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name: 'reader-reads-pods' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace }],
      },
    });

    const pods = await waitFor(() => asReader.listNamespacedPod({ namespace }), { timeoutMs: 10_000, intervalMs: 200, what: 'the RoleBinding to take effect' });
    expect(pods.items).to.be.an('array');
    const secrets = await asReader.listNamespacedSecret({ namespace }).then(() => 200, (err: unknown) => (err as { code?: number }).code);
    expect(secrets, 'the Role grants pods only').to.equal(403);
  });
});
