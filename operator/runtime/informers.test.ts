import { expect } from 'chai';
import type { V1Deployment, V1Pod, V1PodDisruptionBudget, V1Service } from '@kubernetes/client-node';
import type { RiskModel } from '../api/riskmodel.js';
import { Informers } from './informers.js';
import { Resources } from '../kube/resources.js';
import { OperatorMetrics } from './metrics.js';
import { FakeKube } from '../testing/fake-kube.js';
import { memoryLogger, settle } from '../testing/fakes.js';
import { riskModel } from '../testing/fixtures.js';

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
  const informers = new Informers({ kube, config: { watchNamespaces, watchIdleSeconds: 300 }, log: memoryLogger().log, metrics: new OperatorMetrics() }, { riskModel: ignore, child: ignore, configMap: ignore, pod: ignore });
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
