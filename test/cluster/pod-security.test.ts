// Needs the local cluster. Proof 6: Pod Security admission enforces the restricted profile.
import { expect } from 'chai';
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { ensureCluster, freshNamespace, waitFor } from '../support/cluster.js';

const image = 'registry.example/app:1';

const privileged: V1Pod = {
  metadata: { name: 'privileged' },
  spec: { containers: [{ name: 'app', image, securityContext: { privileged: true } }] },
};

const restricted: V1Pod = {
  metadata: { name: 'restricted' },
  spec: {
    securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [
      {
        name: 'app',
        image,
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true },
      },
    ],
  },
};

describe('local cluster: Pod Security admission', () => {
  let kc: KubeConfig;
  let namespace: string;
  before(async () => {
    ({ kc } = await ensureCluster());
    namespace = await freshNamespace(kc, 'psa', { 'pod-security.kubernetes.io/enforce': 'restricted' });
  });

  it('refuses a privileged pod in a namespace enforcing the restricted profile', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const error = await core.createNamespacedPod({ namespace, body: privileged }).then(
      () => undefined,
      (err: unknown) => err as { code?: number; body?: string },
    );
    expect(error, 'the privileged pod was admitted').to.not.equal(undefined);
    expect(error?.code).to.equal(403);
    const message = (JSON.parse(String(error?.body)) as { message: string }).message;
    expect(message).to.match(/violates PodSecurity "restricted:latest"/);
    expect(message).to.match(/must not set securityContext\.privileged=true/);
  });

  it('admits a pod that meets the restricted profile and kwok runs it', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespacedPod({ namespace, body: restricted });
    await waitFor(async () => (await core.readNamespacedPod({ name: 'restricted', namespace })).status?.phase === 'Running', {
      timeoutMs: 60_000,
      what: 'pod restricted to be Running',
    });
  });
});
