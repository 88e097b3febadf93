import { expect } from 'chai';
import type { V1ConfigMap, V1Deployment, V1Pod, V1PodDisruptionBudget, V1Service } from '@kubernetes/client-node';
import type { RiskModel } from '../api/riskmodel.js';
import { Informers } from './informers.js';
import { collectionPath, objectPath, Resources } from '../kube/resources.js';
import type { ChangeType } from '../kube/reflector.js';
import { snapshotSelector } from '../delivery/snapshots.js';
import { OperatorMetrics } from './metrics.js';
import { FakeKube } from '../testing/fake-kube.js';
import { memoryLogger, settle } from '../testing/fakes.js';
import { configMap, riskModel } from '../testing/fixtures.js';

const ignore = () => undefined;
const child = <T>(kind: string, name: string, namespace: string, rv: string): T => ({ kind, metadata: { name, namespace, resourceVersion: rv } }) as T;

const pod = (name: string, namespace: string, labels: Record<string, string>): V1Pod => ({ kind: 'Pod', metadata: { name, namespace, labels, resourceVersion: '7' } });

async function synced(watchNamespaces: string[]) {
  const kube = new FakeKube();
  kube.seed(Resources.riskModels, [riskModel({}, 'demo', 'team-a')]);
  const ours = { 'app.kubernetes.io/managed-by': 'riskmodel-operator' };
  kube.seed(Resources.pods, [
    pod('demo-1', 'team-a', { ...ours, 'app.kubernetes.io/instance': 'demo' }),
    pod('demo-canary-1', 'team-a', { ...ours, 'app.kubernetes.io/instance': 'demo', 'riskmodel.dev/track': 'canary' }),
    pod('other-1', 'team-a', { ...ours, 'app.kubernetes.io/instance': 'other' }),
    pod('demo-elsewhere', 'team-b', { ...ours, 'app.kubernetes.io/instance': 'demo' }),
    pod('not-ours', 'team-a', { 'app.kubernetes.io/instance': 'demo' }),
  ]);
  const informers = new Informers({ kube, config: { watchNamespaces, watchIdleSeconds: 300 }, log: memoryLogger().log, metrics: new OperatorMetrics() }, { riskModel: ignore, child: ignore, configMap: ignore, configMapListed: ignore, pod: ignore });
  informers.start();
  while (!informers.hasSynced()) await settle();
  return informers;
}

describe('informers (the caches the reconciler reads)', () => {
  for (const namespaces of [[], ['team-b', 'team-a']]) {
    const scope = namespaces.length === 0 ? 'watching all namespaces' : 'watching two namespaces';
    it(`serves each object this process wrote from the cache of its own kind and namespace, ${scope}`, async () => {
      const informers = await synced(namespaces);
      informers.assume(child<V1Deployment>('Deployment', 'demo', 'team-a', '500'));
      informers.assume(child<V1Service>('Service', 'other', 'team-b', '501'));
      informers.assume(child<V1PodDisruptionBudget>('PodDisruptionBudget', 'demo', 'team-b', '503'));
      informers.assume({ ...riskModel({}, 'demo', 'team-a'), metadata: { ...riskModel().metadata, resourceVersion: '502' } });
      const { cache } = informers;
      expect(cache.child('Deployment', 'team-a', 'demo')?.metadata?.resourceVersion).to.equal('500');
      expect(cache.child('Service', 'team-b', 'other')?.metadata?.resourceVersion).to.equal('501');
      expect(cache.child('PodDisruptionBudget', 'team-b', 'demo')?.metadata?.resourceVersion).to.equal('503');
      expect(cache.riskModel('team-a', 'demo')?.metadata.resourceVersion).to.equal('502');
      expect(cache.child('Service', 'team-a', 'demo')).to.be.undefined;
      expect(cache.child('HorizontalPodAutoscaler', 'team-a', 'demo')).to.be.undefined;
      await informers.stop();
    });
  }

  it('ignores a written object of a kind or namespace it does not watch', async () => {
    const informers = await synced(['team-a']);
    informers.assume(child<V1Deployment>('Deployment', 'demo', 'team-z', '500'));
    informers.assume(child<V1Deployment>('Pod', 'demo', 'team-a', '500'));
    expect(informers.cache.child('Deployment', 'team-z', 'demo')).to.be.undefined;
    await informers.stop();
  });

  it('serves a RiskModel\'s pods (stable and canary) from the watch of pods carrying the managed-by label, by instance label and namespace', async () => {
    const informers = await synced([]);
    expect(informers.cache.pods('team-a', 'demo').map((p) => p.metadata?.name).sort()).to.deep.equal(['demo-1', 'demo-canary-1']);
    expect(informers.cache.pods('team-b', 'demo').map((p) => p.metadata?.name)).to.deep.equal(['demo-elsewhere']);
    expect(informers.cache.pods('team-a', 'nobody')).to.deep.equal([]);
    await informers.stop();
  });

  it('lists every cached RiskModel across its namespaces', async () => {
    const informers = await synced([]);
    expect(informers.riskModels().map((rm: RiskModel) => rm.metadata.name)).to.deep.equal(['demo']);
    await informers.stop();
  });
});

/** A model snapshot of RiskModel `demo` as the operator labels it (operator/delivery/snapshots.ts). */
const snapshot = (name: string, namespace = 'team-a'): V1ConfigMap => ({
  ...configMap(name, { 'model.json': '{}' }, namespace),
  metadata: { name, namespace, labels: { 'app.kubernetes.io/instance': 'demo', 'app.kubernetes.io/component': 'model-snapshot', 'app.kubernetes.io/managed-by': 'riskmodel-operator' } },
});

/** Informers over a cluster holding ConfigMaps nobody names (Helm's, kube-root-ca.crt), one named one and a snapshot. */
async function withConfigMaps(options: { watchNamespaces?: string[]; limit?: number } = {}) {
  const kube = new FakeKube();
  kube.seed(Resources.configMaps, [
    configMap('kube-root-ca.crt', { 'ca.crt': 'x' }),
    configMap('kube-root-ca.crt', { 'ca.crt': 'x' }, 'team-b'),
    configMap('sh.helm.release.v1', { release: 'x' }),
    configMap('weights', { 'model.json': '{}' }),
    configMap('other-weights', { 'model.json': '{}' }, 'team-b'),
    snapshot('demo-model-0123456789'),
  ]);
  const seen: [ChangeType, string][] = [];
  const listed: string[] = [];
  const informers = new Informers(
    { kube, config: { watchNamespaces: options.watchNamespaces ?? [], watchIdleSeconds: 300 }, log: memoryLogger().log, metrics: new OperatorMetrics(), ...(options.limit === undefined ? {} : { configMapWatchLimit: options.limit }) },
    {
      riskModel: ignore,
      child: ignore,
      pod: ignore,
      configMap: (type, cm) => seen.push([type, `${cm.metadata?.namespace}/${cm.metadata?.name}`]),
      configMapListed: (key) => listed.push(key),
    },
  );
  informers.start();
  while (!informers.hasSynced()) await settle();
  return { kube, informers, seen, listed };
}

async function listedAll(listed: string[], keys: string[]): Promise<void> {
  for (let i = 0; i < 20 && !keys.every((k) => listed.includes(k)); i++) await settle();
  expect(listed).to.include.members(keys);
}

const configMapWatches = (kube: FakeKube) => kube.watches.filter((w) => w.path.endsWith('/configmaps') && !w.closed);
const servedConfigMaps = (kube: FakeKube) => kube.served.filter((k) => k.startsWith(`${collectionPath(Resources.configMaps)}|`)).map((k) => k.split('|')[1]);

describe('informers: only the ConfigMaps the operator needs', () => {
  it('never lists, watches or caches a ConfigMap that no RiskModel names and that is no snapshot', async () => {
    const { kube, informers, listed } = await withConfigMaps();
    informers.watchConfigMap('team-a/weights');
    await listedAll(listed, ['team-a/weights']);
    await kube.request({ method: 'POST', path: collectionPath(Resources.configMaps, 'team-a'), body: configMap('created-later-by-helm', { x: 'y' }) });
    expect(servedConfigMaps(kube)).to.have.members(['team-a/demo-model-0123456789', 'team-a/weights']);
    expect(informers.cache.configMap('team-a', 'sh.helm.release.v1')).to.be.undefined;
    expect(informers.cache.configMap('team-a', 'kube-root-ca.crt')).to.be.undefined;
    expect(informers.cache.configMap('team-a', 'created-later-by-helm')).to.be.undefined;
    // Every ConfigMap request was filtered by the server: the snapshot label or one name.
    const configMapRequests = [...kube.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/configmaps')).map((r) => r.query ?? {}), ...configMapWatches(kube).map((w) => w.query)];
    for (const query of configMapRequests) expect(query.labelSelector ?? query.fieldSelector, JSON.stringify(query)).to.be.a('string');
    await informers.stop();
  });

  it('caches a named ConfigMap through a watch of that one name in its namespace, and tells when it was listed', async () => {
    const { kube, informers, listed, seen } = await withConfigMaps();
    expect(informers.configMapListed('team-a/weights')).to.equal(false);
    informers.watchConfigMap('team-a/weights');
    await listedAll(listed, ['team-a/weights']);
    expect(informers.configMapListed('team-a/weights')).to.equal(true);
    expect(informers.cache.configMap('team-a', 'weights')?.data).to.deep.equal({ 'model.json': '{}' });
    expect(seen).to.deep.include(['add', 'team-a/weights']);
    const named = configMapWatches(kube).filter((w) => w.query.fieldSelector !== undefined);
    expect(named.map((w) => [w.path, w.query.fieldSelector])).to.deep.equal([[collectionPath(Resources.configMaps, 'team-a'), 'metadata.name=weights']]);
    await informers.stop();
  });

  it('sees a named ConfigMap created after the RiskModel named it (listed absent first), and its deletion', async () => {
    const { kube, informers, listed, seen } = await withConfigMaps();
    informers.watchConfigMap('team-a/late');
    await listedAll(listed, ['team-a/late']);
    expect(informers.cache.configMap('team-a', 'late')).to.be.undefined;
    await kube.request({ method: 'POST', path: collectionPath(Resources.configMaps, 'team-a'), body: configMap('late', { 'model.json': '{}' }) });
    expect(informers.cache.configMap('team-a', 'late')).to.not.be.undefined;
    await kube.request({ method: 'DELETE', path: objectPath(Resources.configMaps, 'team-a', 'late') });
    expect(informers.cache.configMap('team-a', 'late')).to.be.undefined;
    expect(seen.filter(([, key]) => key === 'team-a/late').map(([type]) => type)).to.deep.equal(['add', 'delete']);
    await informers.stop();
  });

  it('stops the watch of a ConfigMap no longer named and forgets it: later changes reach nobody', async () => {
    const { kube, informers, listed, seen } = await withConfigMaps();
    informers.watchConfigMap('team-a/weights');
    await listedAll(listed, ['team-a/weights']);
    informers.unwatchConfigMap('team-a/weights');
    await settle();
    expect(configMapWatches(kube).filter((w) => w.query.fieldSelector !== undefined)).to.deep.equal([]);
    expect(informers.namedConfigMapWatches).to.equal(0);
    expect(informers.cache.configMap('team-a', 'weights')).to.be.undefined;
    const before = seen.length;
    await kube.request({ method: 'PATCH', path: objectPath(Resources.configMaps, 'team-a', 'weights'), contentType: 'application/merge-patch+json', body: { data: { 'model.json': '[]' } } });
    expect(seen).to.have.length(before);
    await informers.stop();
  });

  it('caches model snapshots through one watch selected by the snapshot component label, and serves the snapshots this process wrote', async () => {
    const { kube, informers } = await withConfigMaps();
    const snapshotWatches = configMapWatches(kube).filter((w) => w.query.labelSelector !== undefined);
    expect(snapshotWatches.map((w) => [w.path, w.query.labelSelector])).to.deep.equal([[collectionPath(Resources.configMaps), 'app.kubernetes.io/component=model-snapshot']]);
    expect(informers.cache.configMapsLabelled('team-a', snapshotSelector('demo')).map((cm) => cm.metadata?.name)).to.deep.equal(['demo-model-0123456789']);
    expect(informers.cache.configMap('team-a', 'demo-model-0123456789')).to.not.be.undefined;
    await kube.request({ method: 'POST', path: collectionPath(Resources.configMaps, 'team-a'), body: snapshot('demo-model-abcdefabcd') });
    informers.assume({ ...snapshot('demo-model-fedcbafedc'), metadata: { ...snapshot('demo-model-fedcbafedc').metadata, resourceVersion: '900' } });
    expect(informers.cache.configMapsLabelled('team-a', snapshotSelector('demo')).map((cm) => cm.metadata?.name).sort()).to.deep.equal(['demo-model-0123456789', 'demo-model-abcdefabcd', 'demo-model-fedcbafedc']);
    expect(informers.cache.configMapsLabelled('team-b', snapshotSelector('demo'))).to.deep.equal([]);
    await informers.stop();
  });

  it('relists a named ConfigMap after 410 Gone, by name again, like every other watch', async () => {
    const { kube, informers, listed } = await withConfigMaps();
    informers.watchConfigMap('team-a/weights');
    await listedAll(listed, ['team-a/weights']);
    const [watch] = configMapWatches(kube).filter((w) => w.query.fieldSelector !== undefined);
    kube.replaceSilently(Resources.configMaps, kube.list<V1ConfigMap>(Resources.configMaps).filter((cm) => cm.metadata?.name !== 'weights'));
    watch!.push('ERROR', { code: 410, message: 'too old resource version' });
    for (let i = 0; i < 5 && informers.cache.configMap('team-a', 'weights'); i++) await settle();
    expect(informers.cache.configMap('team-a', 'weights')).to.be.undefined;
    const relists = kube.requests.filter((r) => r.method === 'GET' && r.query?.fieldSelector === 'metadata.name=weights');
    expect(relists).to.have.length(2);
    await informers.stop();
  });

  for (const [scope, watchNamespaces, overflowPaths] of [
    ['across all namespaces', [], [collectionPath(Resources.configMaps)]],
    ['with two watched namespaces', ['team-a', 'team-b'], [collectionPath(Resources.configMaps, 'team-a'), collectionPath(Resources.configMaps, 'team-b')]],
  ] as const) {
    it(`past the limit of by-name watches, serves further names from one watch per namespace scope, ${scope}, handing out only named ConfigMaps`, async () => {
      const { kube, informers, listed, seen } = await withConfigMaps({ watchNamespaces: [...watchNamespaces], limit: 1 });
      informers.watchConfigMap('team-a/weights');
      informers.watchConfigMap('team-b/other-weights');
      informers.watchConfigMap('team-a/late');
      await listedAll(listed, ['team-a/weights', 'team-b/other-weights', 'team-a/late']);
      const overflow = configMapWatches(kube).filter((w) => w.query.labelSelector === undefined && w.query.fieldSelector === undefined);
      expect(overflow.map((w) => w.path)).to.have.members([...overflowPaths]);
      expect(informers.namedConfigMapWatches).to.equal(1 + overflowPaths.length);
      expect(informers.cache.configMap('team-b', 'other-weights')).to.not.be.undefined;
      expect(informers.cache.configMap('team-a', 'sh.helm.release.v1')).to.be.undefined;
      expect(seen.map(([, key]) => key)).to.not.include('team-a/sh.helm.release.v1');
      await kube.request({ method: 'POST', path: collectionPath(Resources.configMaps, 'team-a'), body: configMap('late', { 'model.json': '{}' }) });
      expect(informers.cache.configMap('team-a', 'late')).to.not.be.undefined;
      informers.unwatchConfigMap('team-b/other-weights');
      informers.unwatchConfigMap('team-a/late');
      await settle();
      expect(informers.namedConfigMapWatches).to.equal(1);
      expect(configMapWatches(kube).filter((w) => w.query.labelSelector === undefined && w.query.fieldSelector === undefined)).to.deep.equal([]);
      await informers.stop();
    });
  }
});
