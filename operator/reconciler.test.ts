import { expect } from 'chai';
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { CONFIG_HASH_ANNOTATION } from './api/labels.js';
import { findCondition } from './model/conditions.js';
import { ApiError } from './errors.js';
import { reconcile } from './reconciler.js';
import { Reason } from './api/reasons.js';
import { RESYNC_MS, setup } from './testing/fake-cluster.js';
import { configMap, modelArtifact, riskModel } from './testing/fixtures.js';

const withModel = (name = 'risk-model') => riskModel({ model: { version: 'v1', configMapRef: { name } } });

/** A pod of `deployment`'s current template whose container waits for `reason` (the kubelet's words in `message`). */
function waitingPod(deployment: V1Deployment, reason: string, message: string): V1Pod {
  const hash = deployment.spec!.template.metadata!.annotations![CONFIG_HASH_ANNOTATION]!;
  return {
    metadata: { name: 'demo-7d9f-x2x', namespace: 'team-a', labels: { 'app.kubernetes.io/instance': 'demo' }, annotations: { [CONFIG_HASH_ANNOTATION]: hash } },
    status: { phase: 'Pending', containerStatuses: [{ name: 'inference', image: 'nowhere/inference:0', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason, message } } }] },
  };
}

/** Completes the rollout, reconciles once, then checks two more reconciles (idle resyncs) write nothing. */
async function expectIdleAfterRollout(cluster: ReturnType<typeof setup>['cluster'], ctx: ReturnType<typeof setup>['ctx'], key: string): Promise<void> {
  cluster.rollOut('team-a', 'demo', 2);
  await reconcile(key, ctx);
  const before = cluster.writes();
  await reconcile(key, ctx);
  await reconcile(key, ctx);
  expect(cluster.writes(), 'writes on idle resyncs').to.equal(before);
}

describe('reconciler', () => {
  it('creates the Deployment, Service, HPA and PodDisruptionBudget of a new RiskModel and reports it Progressing', async () => {
    const { cluster, events, ctx, key } = setup();
    const result = await reconcile(key, ctx);
    expect(cluster.applied.map((c) => c.kind).sort()).to.deep.equal(['Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Service']);
    expect(result).to.deep.equal({ action: { requeueAfterMs: RESYNC_MS }, degraded: false });
    expect(findCondition(cluster.statusWrites.at(-1)!.conditions, 'Progressing')).to.include({ status: 'True' });
    expect(events.events.map((e) => e.reason)).to.deep.equal(['Created', 'Created', 'Created', 'Created']);
  });

  it('deletes the PodDisruptionBudget when minReplicas drops to 1, with a Normal event, and writes nothing more after', async () => {
    const { cluster, events, ctx, key } = setup();
    await reconcile(key, ctx);
    cluster.riskModels.get(key)!.spec.minReplicas = 1;
    await reconcile(key, ctx);
    expect(cluster.child('PodDisruptionBudget', 'team-a', 'demo')).to.equal(undefined);
    expect(cluster.removed).to.deep.equal(['PodDisruptionBudget/team-a/demo']);
    expect(events.events.filter((e) => e.reason === 'Deleted')).to.deep.equal([{ name: 'demo', type: 'Normal', reason: 'Deleted', message: 'deleted PodDisruptionBudget demo (the spec no longer asks for it)' }]);
    const before = cluster.writes() + cluster.removed.length;
    await reconcile(key, ctx);
    expect(cluster.writes() + cluster.removed.length).to.equal(before);
  });

  it('creates a NetworkPolicy when spec.networkPolicy is set and deletes it when the field is removed', async () => {
    const { cluster, ctx, key } = setup(riskModel({ networkPolicy: { from: [{ podSelector: { matchLabels: { role: 'client' } } }] } }));
    await reconcile(key, ctx);
    expect(cluster.child('NetworkPolicy', 'team-a', 'demo')).not.to.equal(undefined);
    delete cluster.riskModels.get(key)!.spec.networkPolicy;
    await reconcile(key, ctx);
    expect(cluster.child('NetworkPolicy', 'team-a', 'demo')).to.equal(undefined);
  });

  it('leaves alone a PodDisruptionBudget of the same name that it does not control', async () => {
    const { cluster, ctx, key } = setup(riskModel({ podDisruptionBudget: { enabled: false } }));
    const foreign = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'demo', namespace: 'team-a', uid: 'someone-else' }, spec: { maxUnavailable: 0 } };
    cluster.children.set('PodDisruptionBudget/team-a/demo', foreign);
    await reconcile(key, ctx);
    expect(cluster.removed).to.deep.equal([]);
    expect(cluster.child('PodDisruptionBudget', 'team-a', 'demo')).to.equal(foreign);
  });

  it('turns Degraded with one Warning event while a pod cannot pull its image, however the kubelet\'s words change, and recovers by itself', async () => {
    const { cluster, events, ctx, key } = setup();
    await reconcile(key, ctx);
    const deployment = cluster.deployment('team-a', 'demo')!;
    const degraded = () => findCondition(cluster.riskModels.get(key)!.status?.conditions, 'Degraded');
    cluster.podObjects.set('team-a/p', waitingPod(deployment, 'ErrImagePull', 'failed to pull and unpack image "nowhere/inference:0"'));
    expect((await reconcile(key, ctx)).degraded).to.equal(true);
    expect(degraded()).to.include({ status: 'True', reason: Reason.ImagePullFailed });
    expect(degraded()!.message).to.match(/^pod demo-7d9f-x2x container inference cannot pull image "nowhere\/inference:0": ErrImagePull/);
    cluster.podObjects.set('team-a/p', waitingPod(deployment, 'ImagePullBackOff', 'Back-off pulling image "nowhere/inference:0"'));
    await reconcile(key, ctx);
    expect(degraded()!.message).to.match(/ImagePullBackOff: Back-off pulling image/);
    expect(events.events.filter((e) => e.type === 'Warning').map((e) => e.reason)).to.deep.equal([Reason.ImagePullFailed]);
    cluster.podObjects.clear();
    cluster.rollOut('team-a', 'demo', 2);
    await reconcile(key, ctx);
    expect(degraded()).to.include({ status: 'False', reason: Reason.AsExpected });
    expect(findCondition(cluster.riskModels.get(key)!.status?.conditions, 'Ready')).to.include({ status: 'True' });
  });

  it('writes nothing on a reconcile that finds everything as desired (an idle resync)', async () => {
    const { cluster, ctx, key } = setup();
    await reconcile(key, ctx);
    await expectIdleAfterRollout(cluster, ctx, key);
  });

  it('writes nothing, not even a model snapshot, on an idle resync of a RiskModel whose model is in a ConfigMap', async () => {
    const { cluster, ctx, key } = setup(withModel());
    cluster.configMaps.set('team-a/risk-model', configMap('risk-model', { 'model.json': modelArtifact(3) }));
    await reconcile(key, ctx);
    expect(cluster.snapshotsWritten, 'the first reconcile snapshots the model').to.have.length(1);
    await expectIdleAfterRollout(cluster, ctx, key);
    expect(cluster.snapshotsWritten).to.have.length(1);
  });

  it('reports Ready once the rollout completes with minReplicas ready pods, with a Normal event', async () => {
    const { cluster, events, ctx, key } = setup();
    await reconcile(key, ctx);
    cluster.deployment('team-a', 'demo')!.spec!.replicas = 2;
    cluster.rollOut('team-a', 'demo', 2);
    await reconcile(key, ctx);
    const status = cluster.riskModel('team-a', 'demo')!.status!;
    expect(findCondition(status.conditions, 'Ready')).to.include({ status: 'True', reason: Reason.Available });
    expect(status).to.include({ replicas: 2, readyReplicas: 2, endpoint: 'http://demo.team-a.svc.cluster.local:80' });
    expect(events.events.at(-1)).to.include({ type: 'Normal', reason: 'Ready' });
  });

  it('keeps the HPA-owned replica count when the model changes: the applied Deployment has no replicas', async () => {
    const rm = withModel();
    const { cluster, ctx, key } = setup(rm);
    cluster.configMaps.set('team-a/risk-model', configMap('risk-model', { 'model.json': modelArtifact(1) }));
    await reconcile(key, ctx);
    const created = cluster.applied.find((c) => c.kind === 'Deployment') as V1Deployment;
    cluster.deployment('team-a', 'demo')!.spec!.replicas = 4; // the HPA scaled up
    const hashBefore = cluster.deployment('team-a', 'demo')!.spec!.template.metadata!.annotations![CONFIG_HASH_ANNOTATION];
    cluster.configMaps.set('team-a/risk-model', configMap('risk-model', { 'model.json': modelArtifact(2) }));
    cluster.applied = [];
    await reconcile(key, ctx);
    expect(cluster.applied.map((c) => c.kind)).to.deep.equal(['Deployment']);
    const rolled = cluster.applied[0] as V1Deployment;
    expect(rolled.spec!.template.metadata!.annotations![CONFIG_HASH_ANNOTATION]).not.to.equal(hashBefore);
    // Server-side apply leaves a field alone only if the apply omits it: the HPA keeps the count
    // because neither the create nor the rollout sends one. (What the API server then stores is
    // the API server's business; the cluster test rollout.test.ts checks that.)
    expect(created.spec).not.to.have.property('replicas');
    expect(rolled.spec).not.to.have.property('replicas');
  });

  it('restores a hand-edited HPA maxReplicas and touches nothing else', async () => {
    const { cluster, ctx, key } = setup();
    await reconcile(key, ctx);
    cluster.hpa('team-a', 'demo')!.spec!.maxReplicas = 50;
    cluster.applied = [];
    await reconcile(key, ctx);
    expect(cluster.applied.map((c) => c.kind)).to.deep.equal(['HorizontalPodAutoscaler']);
    expect(cluster.hpa('team-a', 'demo')!.spec!.maxReplicas).to.equal(5);
  });

  it('restores a hand-renumbered Service port even though server-side apply refuses the duplicate port name', async () => {
    const { cluster, ctx, key } = setup();
    await reconcile(key, ctx);
    cluster.service('team-a', 'demo')!.spec!.ports![0]!.port = 9999;
    cluster.failApply = new ApiError(422, 'Invalid', 'Service "demo" is invalid: spec.ports[1].name: Duplicate value: "http"');
    const result = await reconcile(key, ctx);
    expect(result.degraded).to.be.false;
    expect(cluster.overwritten.map((c) => c.kind)).to.deep.equal(['Service']);
    expect(cluster.service('team-a', 'demo')!.spec!.ports).to.deep.equal([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
  });

  it('recreates a deleted Service', async () => {
    const { cluster, ctx, key } = setup();
    await reconcile(key, ctx);
    cluster.children.delete('Service/team-a/demo');
    await reconcile(key, ctx);
    expect(cluster.service('team-a', 'demo')).not.to.be.undefined;
  });

  it('reports a missing ConfigMap as Degraded with a Warning event, creates nothing, and retries only at the resync', async () => {
    const { cluster, events, ctx, key } = setup(withModel('absent'));
    const result = await reconcile(key, ctx);
    expect(cluster.applied).to.deep.equal([]);
    expect(result).to.deep.equal({ action: { requeueAfterMs: RESYNC_MS }, degraded: true });
    const degraded = findCondition(cluster.statusWrites.at(-1)!.conditions, 'Degraded');
    expect(degraded).to.include({ status: 'True', reason: Reason.ConfigMapNotFound });
    expect(degraded!.message).to.match(/ConfigMap team-a\/absent/);
    expect(events.events).to.deep.include({ name: 'demo', type: 'Warning', reason: Reason.ConfigMapNotFound, message: degraded!.message });
  });

  it('never rolls out an invalid model: the running Deployment is left exactly as it was', async () => {
    const rm = withModel();
    const { cluster, ctx, key } = setup(rm);
    cluster.configMaps.set('team-a/risk-model', configMap('risk-model', { 'model.json': modelArtifact() }));
    await reconcile(key, ctx);
    cluster.rollOut('team-a', 'demo', 2);
    const before = structuredClone(cluster.deployment('team-a', 'demo'));
    cluster.configMaps.set('team-a/risk-model', configMap('risk-model', { 'model.json': '{"weights": "nonsense"}' }));
    cluster.applied = [];
    await reconcile(key, ctx);
    expect(cluster.applied).to.deep.equal([]);
    expect(cluster.deployment('team-a', 'demo')).to.deep.equal(before);
    const status = cluster.riskModel('team-a', 'demo')!.status!;
    expect(findCondition(status.conditions, 'Degraded')).to.include({ status: 'True', reason: Reason.InvalidModel });
    expect(findCondition(status.conditions, 'Ready')).to.include({ status: 'False', reason: Reason.InvalidModel });
    expect(status).to.include({ readyReplicas: 2 });
  });

  it('recovers when the ConfigMap appears', async () => {
    const { cluster, ctx, key } = setup(withModel());
    await reconcile(key, ctx);
    cluster.configMaps.set('team-a/risk-model', configMap('risk-model', { 'model.json': modelArtifact() }));
    await reconcile(key, ctx);
    expect(cluster.applied).to.have.length(4);
    expect(findCondition(cluster.riskModel('team-a', 'demo')!.status!.conditions, 'Degraded')).to.include({ status: 'False', reason: Reason.AsExpected });
  });

  it('does not repeat the Warning event when the same problem is seen again', async () => {
    const { events, ctx, key } = setup(withModel('absent'));
    await reconcile(key, ctx);
    await reconcile(key, ctx);
    await reconcile(key, ctx);
    expect(events.events.filter((e) => e.type === 'Warning')).to.have.length(1);
  });

  it('turns a child the API server refuses as invalid into Degraded instead of retrying', async () => {
    const { cluster, ctx, key } = setup(riskModel({ image: 'UPPER CASE is not an image' }));
    cluster.failApply = new ApiError(422, 'Invalid', 'Deployment.apps "demo" is invalid: spec.template.spec.containers[0].image: Invalid value');
    const result = await reconcile(key, ctx);
    expect(result.degraded).to.be.true;
    expect(findCondition(cluster.statusWrites.at(-1)!.conditions, 'Degraded')).to.include({ reason: Reason.InvalidChild });
  });

  it('lets transient API errors escape so the error policy backs off', async () => {
    const { cluster, ctx, key } = setup();
    cluster.failApply = new ApiError(503, 'ServiceUnavailable', 'etcd leader changed');
    let caught: unknown;
    await reconcile(key, ctx).catch((err: unknown) => (caught = err));
    expect(caught).to.be.instanceOf(ApiError);
  });

  it('does nothing for a RiskModel that is gone or being deleted, and asks never to look at it again (the garbage collector removes children)', async () => {
    const { cluster, ctx, key } = setup();
    cluster.riskModels.get(key)!.metadata.deletionTimestamp = '2026-05-01T00:00:00Z';
    expect(await reconcile(key, ctx)).to.deep.equal({ action: { awaitChange: true }, degraded: false });
    expect(await reconcile('team-a/never-existed', ctx)).to.deep.equal({ action: { awaitChange: true }, degraded: false });
    expect(cluster.writes()).to.equal(0);
  });

  it('waits for events only when resync is off', async () => {
    const { ctx, key } = setup();
    expect((await reconcile(key, { ...ctx, resyncMs: 0 })).action).to.deep.equal({ awaitChange: true });
  });

  it('never mutates the cached RiskModel', async () => {
    const { cluster, ctx, key } = setup();
    const cached = cluster.riskModels.get(key)!;
    const snapshot = structuredClone(cached);
    await reconcile(key, ctx);
    expect(cached).to.deep.equal(snapshot);
  });
});

describe('reconciler: input drift', () => {
  const drifted = { pods: 2, rows: 2000, features: [{ name: 'oxygenSaturation', psi: 0.83, outOfRange: 12 }, { name: 'heartRate', psi: 0.02, outOfRange: 0 }], predictionsPsi: 0.4 };
  const calm = { ...drifted, features: [{ name: 'heartRate', psi: 0.03, outOfRange: 0 }, { name: 'oxygenSaturation', psi: 0.02, outOfRange: 0 }] };

  async function serving() {
    const w = setup();
    await reconcile(w.key, w.ctx);
    w.cluster.rollOut('team-a', 'demo', 2);
    await reconcile(w.key, w.ctx);
    const status = () => w.cluster.riskModel('team-a', 'demo')!.status!;
    return { ...w, status };
  }

  it('reads the drift of the stable pods of the current template only, by their instance and track', async () => {
    const w = await serving();
    const ref = w.drift.refs.at(-1)!;
    const hash = w.cluster.deployment('team-a', 'demo')!.spec!.template.metadata!.annotations![CONFIG_HASH_ANNOTATION];
    expect(ref).to.deep.equal({ namespace: 'team-a', name: 'demo', templateHash: hash, selector: 'app.kubernetes.io/instance=demo,riskmodel.dev/track=stable' });
    expect(findCondition(w.status().conditions, 'InputDrift')).to.include({ status: 'Unknown', reason: Reason.DriftUnavailable });
  });

  it('turns InputDrift True naming the drifted feature, with one Warning event, and leaves Ready and Degraded as they were', async () => {
    const w = await serving();
    const ready = findCondition(w.status().conditions, 'Ready');
    w.drift.figures = drifted;
    const result = await reconcile(w.key, w.ctx);
    await reconcile(w.key, w.ctx);
    const status = w.status();
    expect(findCondition(status.conditions, 'InputDrift')).to.include({ status: 'True', reason: Reason.DriftDetected, message: 'PSI above 0.2: oxygenSaturation 0.83 (2000 rows from 2 pods)' });
    expect(findCondition(status.conditions, 'Ready')).to.deep.equal(ready);
    expect(findCondition(status.conditions, 'Degraded')).to.include({ status: 'False' });
    expect(result.degraded).to.equal(false);
    expect(status.drift).to.deep.include({ rows: 2000, pods: 2, summary: 'oxygenSaturation 0.83', since: '2026-05-01T00:00:00Z' });
    expect(w.events.events.filter((e) => e.reason === 'InputDriftDetected').map((e) => e.type)).to.deep.equal(['Warning']);
  });

  it('says when the drift clears, with a Normal event, and writes nothing more while nothing changes', async () => {
    const w = await serving();
    w.drift.figures = drifted;
    await reconcile(w.key, w.ctx);
    w.drift.figures = calm;
    await reconcile(w.key, w.ctx);
    expect(findCondition(w.status().conditions, 'InputDrift')).to.include({ status: 'False', reason: Reason.NoDrift });
    expect(w.status().drift?.since).to.equal(undefined);
    expect(w.events.events.filter((e) => e.reason === 'InputDriftCleared').map((e) => e.type)).to.deep.equal(['Normal']);
    const writes = w.cluster.writes();
    await reconcile(w.key, w.ctx);
    expect(w.cluster.writes()).to.equal(writes);
  });

  it('stops reading drift and drops InputDrift and status.drift when spec.monitoring.drift is off, and tells the pods to keep no window', async () => {
    const w = await serving();
    w.drift.figures = drifted;
    await reconcile(w.key, w.ctx);
    const rm = structuredClone(w.cluster.riskModel('team-a', 'demo')!);
    rm.spec.monitoring = { drift: { enabled: false } };
    rm.metadata.generation = 2;
    w.cluster.riskModels.set('team-a/demo', rm);
    const released = w.drift.released;
    await reconcile(w.key, w.ctx);
    expect(w.drift.released).to.be.above(released);
    expect(findCondition(w.status().conditions, 'InputDrift')).to.equal(undefined);
    expect(w.status().drift).to.equal(undefined);
    const env = w.cluster.deployment('team-a', 'demo')!.spec!.template.spec!.containers[0]!.env!;
    expect(env.find((e) => e.name === 'DRIFT_WINDOW_ROWS')?.value).to.equal('0');
  });
});
