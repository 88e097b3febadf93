import { KubeConfig } from '@kubernetes/client-node';
import { expect } from 'chai';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describeListError, listRiskModels, NO_CRD_MESSAGE, snapshotSource, type RiskModelLister } from './riskmodel-source.js';
import type { Scope } from './riskmodel-view.js';
import { startFakeApi, type FakeApi } from './testing/fake-riskmodel-api.js';

const ward: Scope = { allNamespaces: false, namespace: 'ward-3' };
const now = (): Date => new Date('2026-11-27T08:00:00Z');

function kubeConfigFor(server: string): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kubeConfig;
}

// A port nothing listens on: bind one, note it, close it.
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('snapshotSource against an API server', () => {
  let api: FakeApi;
  beforeEach(async () => { api = await startFakeApi(); });
  afterEach(async () => { await api.close(); });

  it('lists the RiskModels of the namespace, sorted by name', async () => {
    const snapshot = await snapshotSource(() => kubeConfigFor(api.url), ward, { timeoutMs: 5000, now })();
    expect(snapshot.error).to.be.undefined;
    expect(snapshot.scope).to.deep.equal(ward);
    expect(snapshot.models.map((model) => `${model.namespace}/${model.name}`)).to.deep.equal(['ward-3/sepsis', 'ward-3/triage']);
    expect(snapshot.models[0]).to.include({ replicas: 2, maxReplicas: 5, modelVersion: 'v2-3f2a9c1' });
  });

  it('lists every namespace with an all-namespaces scope', async () => {
    const snapshot = await snapshotSource(() => kubeConfigFor(api.url), { allNamespaces: true }, { timeoutMs: 5000, now })();
    expect(snapshot.scope).to.deep.equal({ allNamespaces: true });
    expect(snapshot.models).to.have.length(2);
  });

  it('says to install the CRD when the server has no riskmodels resource', async () => {
    api.setMode('no-crd');
    const snapshot = await snapshotSource(() => kubeConfigFor(api.url), ward, { timeoutMs: 5000, now })();
    expect(snapshot.error).to.equal(NO_CRD_MESSAGE);
    expect(NO_CRD_MESSAGE).to.equal("the server doesn't have a resource type riskmodels: install the CRD with kubectl apply -f crds/");
  });

  it('passes on the API server\'s reason when listing is forbidden', async () => {
    api.setMode('forbidden');
    const snapshot = await snapshotSource(() => kubeConfigFor(api.url), ward, { timeoutMs: 5000, now })();
    expect(snapshot.error).to.equal('not allowed to list riskmodels.riskmodel.dev in namespace ward-3 (403 Forbidden): '
      + 'riskmodels.riskmodel.dev is forbidden: User "viewer" cannot list resource "riskmodels" in API group "riskmodel.dev"');
  });

  it('keeps the last RiskModels it saw while later lists fail, and recovers', async () => {
    const source = snapshotSource(() => kubeConfigFor(api.url), ward, { timeoutMs: 5000, now });
    const first = await source();
    api.setMode('no-crd');
    const failed = await source();
    expect(failed.error).to.equal(NO_CRD_MESSAGE);
    expect(failed.models).to.deep.equal(first.models);
    api.setMode('ok');
    expect((await source()).error).to.be.undefined;
  });
});

describe('snapshotSource when the cluster is unreachable or slow', () => {
  it('says the cluster cannot be reached when nothing listens on the server address', async () => {
    const server = `http://127.0.0.1:${await closedPort()}`;
    const snapshot = await snapshotSource(() => kubeConfigFor(server), ward, { timeoutMs: 5000, now })();
    expect(snapshot.error).to.equal(`cannot reach the cluster at ${server} (ECONNREFUSED): is it running, and is KUBECONFIG pointing at it?`);
    expect(snapshot.models).to.deep.equal([]);
  });

  it('says when the API server is too slow to answer', async () => {
    const hanging: RiskModelLister = {
      listNamespacedCustomObject: () => new Promise(() => undefined),
      listClusterCustomObject: () => new Promise(() => undefined),
    };
    const snapshot = await snapshotSource(() => kubeConfigFor('https://10.0.0.1:6443'), ward, { timeoutMs: 50, now, api: hanging })();
    expect(snapshot.error).to.equal('the API server at https://10.0.0.1:6443 did not answer within 0.05 s');
  });

  it('loads the kubeconfig again after a network error, following a cluster that moved', async () => {
    const api = await startFakeApi();
    let server = `http://127.0.0.1:${await closedPort()}`;
    let loads = 0;
    const source = snapshotSource(() => { loads++; return kubeConfigFor(server); }, ward, { timeoutMs: 5000, now });
    expect((await source()).error).to.match(/^cannot reach the cluster/);
    server = api.url;
    const recovered = await source();
    await api.close();
    expect(recovered.error).to.be.undefined;
    expect(recovered.models).to.have.length(2);
    expect(loads).to.equal(2);
  });

  it('keeps its client while the cluster answers, errors included', async () => {
    const api = await startFakeApi('no-crd');
    let loads = 0;
    const source = snapshotSource(() => { loads++; return kubeConfigFor(api.url); }, ward, { timeoutMs: 5000, now });
    await source();
    await source();
    await api.close();
    expect(loads).to.equal(1);
  });

});

describe('describeListError', () => {
  const cases: Array<[string, unknown, string]> = [
    ['refused credentials', { code: 401, body: '{"kind":"Status","message":"Unauthorized"}' },
      'the cluster refused our credentials (401 Unauthorized): check the user in your kubeconfig: Unauthorized'],
    ['a server error with a text body', { code: 503, body: 'upstream connect error' }, 'the API server answered 503: upstream connect error'],
    ['any other failure', new Error('self-signed certificate in certificate chain'),
      'cannot list riskmodels from https://k8s:6443: self-signed certificate in certificate chain'],
  ];
  for (const [what, err, message] of cases) {
    it(`explains ${what}`, () => expect(describeListError(err, ward, 'https://k8s:6443')).to.equal(message));
  }
});

describe('listRiskModels', () => {
  it('sorts by namespace then name and skips a list without items', async () => {
    const items = [
      { metadata: { namespace: 'b', name: 'x' } }, { metadata: { namespace: 'a', name: 'z' } }, { metadata: { namespace: 'a', name: 'y' } },
    ];
    const lister: RiskModelLister = {
      listNamespacedCustomObject: () => Promise.resolve({}),
      listClusterCustomObject: () => Promise.resolve({ items }),
    };
    expect((await listRiskModels(lister, { allNamespaces: true }, 1000)).map((model) => `${model.namespace}/${model.name}`))
      .to.deep.equal(['a/y', 'a/z', 'b/x']);
    expect(await listRiskModels(lister, ward, 1000)).to.deep.equal([]);
  });
});
