// The controller's wiring, in-process: real informers, index, queue, workers, reconciler and
// writer against the in-memory API server. Each test names a path from a watch event to a
// write that a wiring mistake would break.
import { expect } from 'chai';
import type { V1Deployment, V1PodDisruptionBudget } from '@kubernetes/client-node';
import { type RiskModel } from '../api/riskmodel.js';
import { CHILD_KINDS, CHILD_RESOURCES, type ChildKind } from '../api/children.js';
import { findCondition } from '../model/conditions.js';
import { loadConfig } from '../config.js';
import { Controller } from './controller.js';
import { collectionPath, objectPath, Resources } from '../kube/resources.js';
import { OperatorMetrics } from './metrics.js';
import { FakeKube } from '../testing/fake-kube.js';
import { memoryLogger, RecordingRecorder, settle } from '../testing/fakes.js';
import { configMap, modelArtifact, riskModel } from '../testing/fixtures.js';
import { CONFIG_HASH_ANNOTATION } from '../api/labels.js';
import type { RequestSpec } from '../kube/client.js';

const readingWeights = (name = 'demo', configMapName = 'weights') => riskModel({ model: { version: 'v1', configMapRef: { name: configMapName } } }, name);
const weights = (name = 'weights', seed = 1) => configMap(name, { 'model.json': modelArtifact(seed) });
/** The field selectors of the open ConfigMap watches: one `metadata.name=NAME` per named ConfigMap. */
const namedWatches = (kube: FakeKube) => kube.watches.filter((w) => !w.closed && w.path.endsWith('/configmaps') && w.query.fieldSelector !== undefined).map((w) => w.query.fieldSelector);
/** Every status the operator wrote for the RiskModel, in order. */
const statusWrites = (kube: FakeKube) => kube.writes().filter((w) => w.path.endsWith('/status')).map((w) => (w.body as RiskModel).status);
const isNamedList = (spec: RequestSpec) => spec.method === 'GET' && spec.path.endsWith('/configmaps') && spec.query?.fieldSelector !== undefined;

const noDeps = { hostname: () => 'test', homedir: () => '/nonexistent', pid: 1, inClusterNamespace: () => undefined, hasServiceAccountToken: () => false };

function setup(env: Record<string, string> = {}) {
  const kube = new FakeKube();
  const config = loadConfig({ RESYNC_SECONDS: '0', ...env }, [], noDeps);
  const events = new RecordingRecorder();
  const controller = new Controller({ kube, config, log: memoryLogger().log, metrics: new OperatorMetrics(), events });
  return { kube, controller, events };
}

/** Lets the fake's answers and the workers run until `done` holds. */
async function until(what: string, done: () => boolean): Promise<void> {
  for (let i = 0; i < 50 && !done(); i++) await settle();
  if (!done()) throw new Error(`timed out waiting for ${what}`);
}

async function running(controller: Controller): Promise<void> {
  controller.start();
  await until('the caches to sync', () => controller.hasSynced());
  controller.startWorkers();
}

const deployment = (kube: FakeKube, name = 'demo', ns = 'team-a') => kube.get<V1Deployment>(Resources.deployments, ns, name);
const child = (kube: FakeKube, kind: ChildKind, name = 'demo', ns = 'team-a') => kube.get(CHILD_RESOURCES[kind], ns, name);
/** The kinds of child the RiskModel has, in children.ts's order. */
const childrenOf = (kube: FakeKube, name = 'demo', ns = 'team-a') => CHILD_KINDS.filter((kind) => child(kube, kind, name, ns) !== undefined);
/** The children of a RiskModel with minReplicas ≥ 2 (the default) and no spec.networkPolicy. */
const DEFAULT_CHILDREN: ChildKind[] = ['Deployment', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget'];
const hasDefaultChildren = (kube: FakeKube, name = 'demo', ns = 'team-a') => childrenOf(kube, name, ns).length === DEFAULT_CHILDREN.length;
const withNetworkPolicy = () => riskModel({ networkPolicy: { from: [{ podSelector: { matchLabels: { role: 'client' } } }] } });

describe('controller wiring (in-process, against the in-memory API server)', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  function started(env: Record<string, string> = {}) {
    const s = setup(env);
    stop = () => s.controller.stop();
    return s;
  }

  it('creates the Deployment, Service, HPA and PodDisruptionBudget of a RiskModel that existed before the workers started', async () => {
    const { kube, controller } = started();
    kube.seed(Resources.riskModels, [riskModel()]);
    await running(controller);
    await until('the children and a status', () => hasDefaultChildren(kube) && kube.get<RiskModel>(Resources.riskModels, 'team-a', 'demo')?.status !== undefined);
    expect(childrenOf(kube)).to.deep.equal(DEFAULT_CHILDREN);
    const rm = kube.get<RiskModel>(Resources.riskModels, 'team-a', 'demo')!;
    expect(findCondition(rm.status?.conditions, 'Progressing')).to.include({ status: 'True' });
  });

  it('reconciles a RiskModel created while it runs', async () => {
    const { kube, controller } = started();
    await running(controller);
    await kube.request({ method: 'POST', path: collectionPath(Resources.riskModels, 'team-a'), body: riskModel({}, 'late') });
    await until('the new RiskModel\'s children', () => hasDefaultChildren(kube, 'late'));
  });

  for (const kind of CHILD_KINDS) {
    it(`brings back a ${kind} deleted by hand: the ${kind}'s delete event wakes its owner`, async () => {
      const { kube, controller } = started();
      kube.seed(Resources.riskModels, [withNetworkPolicy()]);
      await running(controller);
      await until('every kind of child', () => childrenOf(kube).length === CHILD_KINDS.length);
      await kube.request({ method: 'DELETE', path: objectPath(CHILD_RESOURCES[kind], 'team-a', 'demo') });
      expect(child(kube, kind)).to.be.undefined;
      await until(`the ${kind} to come back`, () => child(kube, kind) !== undefined);
    });
  }

  it('deletes the PodDisruptionBudget, and only it, when an update lowers minReplicas to 1, and the delete coming back through its watch does not recreate it', async () => {
    const { kube, controller } = started();
    kube.seed(Resources.riskModels, [riskModel()]);
    await running(controller);
    await until('the children', () => hasDefaultChildren(kube));
    const pdb = kube.get<V1PodDisruptionBudget>(Resources.podDisruptionBudgets, 'team-a', 'demo')!;
    const rm = kube.get<RiskModel>(Resources.riskModels, 'team-a', 'demo')!;
    await kube.request({ method: 'PATCH', path: objectPath(Resources.riskModels, 'team-a', 'demo'), contentType: 'application/merge-patch+json', body: { spec: { ...rm.spec, minReplicas: 1 } } });
    await until('the PodDisruptionBudget to go', () => child(kube, 'PodDisruptionBudget') === undefined);
    for (let i = 0; i < 5; i++) await settle();
    expect(childrenOf(kube)).to.deep.equal(['Deployment', 'Service', 'HorizontalPodAutoscaler']);
    expect(kube.writes().filter((w) => w.method === 'DELETE').map((w) => [w.path, w.body])).to.deep.equal([
      [objectPath(Resources.podDisruptionBudgets, 'team-a', 'demo'), { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: pdb.metadata?.uid }, propagationPolicy: 'Background' }],
    ]);
  });

  it('rolls out the model when the ConfigMap the RiskModel reads appears, through the ConfigMap index', async () => {
    const { kube, controller } = started();
    kube.seed(Resources.riskModels, [riskModel({ model: { version: 'v1', configMapRef: { name: 'weights' } } })]);
    await running(controller);
    await until('a Degraded status', () => findCondition(kube.get<RiskModel>(Resources.riskModels, 'team-a', 'demo')?.status?.conditions, 'Degraded')?.status === 'True');
    expect(deployment(kube)).to.be.undefined;
    await kube.request({ method: 'POST', path: collectionPath(Resources.configMaps, 'team-a'), body: configMap('weights', { 'model.json': modelArtifact() }) });
    await until('the Deployment', () => deployment(kube) !== undefined);
    expect(deployment(kube)!.spec!.template.metadata!.annotations).to.have.property(CONFIG_HASH_ANNOTATION);
  });

  it('sends no more writes once converged, although its own writes come back through the watches', async () => {
    const { kube, controller } = started();
    kube.seed(Resources.riskModels, [riskModel()]);
    await running(controller);
    await until('the children', () => hasDefaultChildren(kube));
    await settle();
    const writes = kube.writes().length;
    expect(writes).to.equal(DEFAULT_CHILDREN.length + 1); // an apply per child and one status patch
    for (let i = 0; i < 5; i++) await settle();
    expect(kube.writes()).to.have.length(writes);
  });

  it('reconciles only while it leads: nothing before startWorkers, nothing after stopWorkers', async () => {
    const { kube, controller } = started();
    kube.seed(Resources.riskModels, [riskModel()]);
    controller.start();
    await until('the caches to sync', () => controller.hasSynced());
    for (let i = 0; i < 3; i++) await settle();
    expect(kube.writes()).to.deep.equal([]);
    controller.startWorkers();
    await until('the children', () => hasDefaultChildren(kube));
    await controller.stopWorkers();
    await kube.request({ method: 'POST', path: collectionPath(Resources.riskModels, 'team-a'), body: riskModel({}, 'while-following') });
    for (let i = 0; i < 3; i++) await settle();
    expect(childrenOf(kube, 'while-following')).to.deep.equal([]);
  });

  it('watches only the configured namespaces, with one cache each', async () => {
    const { kube, controller } = started({ WATCH_NAMESPACES: 'team-a,team-c' });
    kube.seed(Resources.riskModels, [riskModel({}, 'a', 'team-a'), riskModel({}, 'b', 'team-b'), riskModel({}, 'c', 'team-c')]);
    await running(controller);
    await until('the children in team-a and team-c', () => hasDefaultChildren(kube, 'a', 'team-a') && hasDefaultChildren(kube, 'c', 'team-c'));
    for (let i = 0; i < 3; i++) await settle();
    expect(childrenOf(kube, 'b', 'team-b')).to.deep.equal([]);
    expect(kube.watches.filter((w) => !w.closed).map((w) => w.path)).to.include.members([collectionPath(Resources.deployments, 'team-a'), collectionPath(Resources.deployments, 'team-c')]);
  });

  describe('the ConfigMaps a RiskModel names, watched by name', () => {
    it('does not report a ConfigMap that exists as ConfigMapNotFound while its first list is slow: the RiskModel waits, and the list wakes it', async () => {
      const { kube, controller, events } = started();
      kube.seed(Resources.configMaps, [weights()]);
      kube.seed(Resources.riskModels, [readingWeights()]);
      const release = kube.hold(isNamedList);
      const stopController = stop;
      stop = async () => {
        release(); // a stop waits for the list in flight
        await stopController?.();
      };
      await running(controller);
      for (let i = 0; i < 5; i++) await settle();
      expect(kube.writes()).to.deep.equal([]);
      expect(events.events).to.deep.equal([]);
      release();
      await until('the Deployment', () => deployment(kube) !== undefined);
      await until('a status', () => statusWrites(kube).length > 0);
      expect(events.events.filter((e) => e.type === 'Warning')).to.deep.equal([]);
      for (const status of statusWrites(kube)) expect(findCondition(status?.conditions, 'Degraded')).to.include({ status: 'False' });
    });

    it('wakes the RiskModel when its ConfigMap is deleted: Degraded with ConfigMapNotFound and one Warning event', async () => {
      const { kube, controller, events } = started();
      kube.seed(Resources.configMaps, [weights()]);
      kube.seed(Resources.riskModels, [readingWeights()]);
      await running(controller);
      await until('the Deployment', () => deployment(kube) !== undefined);
      await kube.request({ method: 'DELETE', path: objectPath(Resources.configMaps, 'team-a', 'weights') });
      const degraded = () => findCondition(kube.get<RiskModel>(Resources.riskModels, 'team-a', 'demo')?.status?.conditions, 'Degraded');
      await until('Degraded', () => degraded()?.status === 'True');
      expect(degraded()).to.include({ reason: 'ConfigMapNotFound' });
      expect(events.events.filter((e) => e.type === 'Warning').map((e) => e.reason)).to.deep.equal(['ConfigMapNotFound']);
    });

    it('watches a ConfigMap only while a RiskModel names it: an edit naming another moves the watch, the last reader\'s deletion ends it', async () => {
      const { kube, controller } = started();
      kube.seed(Resources.configMaps, [weights('old'), weights('new', 2), weights('nobodys', 3)]);
      kube.seed(Resources.riskModels, [readingWeights('demo', 'old'), readingWeights('second', 'old')]);
      await running(controller);
      await until('the Deployments', () => deployment(kube) !== undefined && deployment(kube, 'second') !== undefined);
      expect(namedWatches(kube)).to.deep.equal(['metadata.name=old']);
      const rm = kube.get<RiskModel>(Resources.riskModels, 'team-a', 'demo')!;
      await kube.request({ method: 'PATCH', path: objectPath(Resources.riskModels, 'team-a', 'demo'), contentType: 'application/merge-patch+json', body: { spec: { ...rm.spec, model: { version: 'v1', configMapRef: { name: 'new' } } } } });
      await until('a watch of the new ConfigMap', () => namedWatches(kube).includes('metadata.name=new'));
      expect(namedWatches(kube)).to.have.members(['metadata.name=old', 'metadata.name=new']);
      await kube.request({ method: 'DELETE', path: objectPath(Resources.riskModels, 'team-a', 'second') });
      await until('the old ConfigMap\'s watch to end', () => !namedWatches(kube).includes('metadata.name=old'));
      expect(namedWatches(kube)).to.deep.equal(['metadata.name=new']);
      expect(kube.served.filter((key) => key.endsWith('/nobodys'))).to.deep.equal([]);
    });

    it('after a restart reads the named ConfigMap and the snapshots again and writes nothing', async () => {
      const first = setup();
      first.kube.seed(Resources.configMaps, [weights()]);
      first.kube.seed(Resources.riskModels, [readingWeights()]);
      await running(first.controller);
      await until('the children and a status', () => hasDefaultChildren(first.kube) && statusWrites(first.kube).length > 0);
      for (let i = 0; i < 5; i++) await settle();
      await first.controller.stop();
      const writes = first.kube.writes().length;
      const events = new RecordingRecorder();
      const second = new Controller({ kube: first.kube, config: loadConfig({ RESYNC_SECONDS: '0' }, [], noDeps), log: memoryLogger().log, metrics: new OperatorMetrics(), events });
      stop = () => second.stop();
      await running(second);
      await until('the named ConfigMap listed again', () => namedWatches(first.kube).length === 1);
      for (let i = 0; i < 10; i++) await settle();
      expect(first.kube.writes()).to.have.length(writes);
      expect(events.events).to.deep.equal([]);
    });
  });
});
