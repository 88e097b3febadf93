// Needs the local cluster. Proof 1: the API server is ready and runs the pinned Kubernetes version.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { VersionApi, type KubeConfig } from '@kubernetes/client-node';
import { requiredVersion } from '../../localcluster/components.js';
import { clusterPaths } from '../../localcluster/cluster.js';
import { ensureCluster, freshNamespace, kubectl } from '../support/cluster.js';

const pinned = requiredVersion(readFileSync(fileURLToPath(new URL('../../localcluster/kubernetes/go.mod', import.meta.url)), 'utf8'), 'k8s.io/kubernetes');

describe('local cluster: API server', () => {
  let kc: KubeConfig;
  before(async () => {
    ({ kc } = await ensureCluster());
    await freshNamespace(kc, 'apiserver');
  });

  it('reports ready on /readyz with every check passing', async () => {
    const result = await kubectl(['get', '--raw', '/readyz?verbose']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.match(/readyz check passed/);
    expect(result.stdout).to.match(/\[\+\]etcd ok/);
  });

  it('serves the Kubernetes version pinned in localcluster/kubernetes/go.mod', async () => {
    const info = await kc.makeApiClient(VersionApi).getCode();
    expect(pinned).to.equal('v1.37.2');
    expect(info.gitVersion).to.equal(pinned);
    expect(`${info.major}.${info.minor}`).to.equal('1.37');
  });

  it('listens on loopback only', () => {
    const server = new URL(kc.getCurrentCluster()?.server ?? '');
    expect(server.hostname).to.equal('127.0.0.1');
    expect(clusterPaths().kubeconfig).to.match(/\.localcluster\/kubeconfig$/);
  });
});
