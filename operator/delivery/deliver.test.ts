import { expect } from 'chai';
import type { V1Deployment } from '@kubernetes/client-node';
import { keyOf, type RiskModel, type RiskModelSpec } from '../api/riskmodel.js';
import { findCondition } from '../model/conditions.js';
import { ApiError } from '../errors.js';
import { reconcile } from '../reconciler.js';
import { EventReason, Reason } from '../api/reasons.js';
import { setup } from '../testing/fake-cluster.js';
import { configMap, modelArtifact, riskModel } from '../testing/fixtures.js';

const withModel = (spec: Partial<RiskModelSpec> = {}) => riskModel({ model: { version: 'v1', configMapRef: { name: 'risk-model' } }, ...spec });
const mounted = (d: V1Deployment | undefined) => d?.spec?.template.spec?.volumes?.find((v) => v.name === 'model')?.configMap?.name;

/** A RiskModel reconciled against the fake cluster, with helpers to change its model and spec. */
function world(spec: Partial<RiskModelSpec> = {}) {
  const rm = withModel(spec);
  const w = setup(rm);
  const put = (text: string) => w.cluster.configMaps.set('team-a/risk-model', configMap('risk-model', { 'model.json': text }));
  const current = () => w.cluster.riskModel('team-a', 'demo')!;
  const edit = (change: (rm: RiskModel) => void) => {
    const next = structuredClone(current());
    change(next);
    next.metadata.generation = (next.metadata.generation ?? 1) + 1;
    w.cluster.riskModels.set(keyOf(next.metadata), next);
  };
  const run = async () => {
    const result = await reconcile(w.key, w.ctx);
    return result;
  };
  const snapshots = () => w.cluster.configMapsLabelled('team-a', { 'app.kubernetes.io/component': 'model-snapshot' });
  const later = (seconds: number) => {
    w.clock.now = new Date(w.clock.now.getTime() + seconds * 1000);
  };
  return { ...w, put, current, edit, run, snapshots, later };
}

describe('model delivery (snapshots, history, rollback)', () => {
  it('mounts an immutable, owned snapshot of the artifact in the pods, never the user ConfigMap', async () => {
    const w = world();
    w.put(modelArtifact(1));
    await w.run();
    const snapshot = w.snapshots()[0]!;
    expect(snapshot.immutable).to.equal(true);
    expect(snapshot.data).to.deep.equal({ 'model.json': modelArtifact(1) });
    expect(snapshot.metadata!.ownerReferences![0]).to.include({ kind: 'RiskModel', name: 'demo', controller: true });
    expect(snapshot.metadata!.labels).to.include({ 'app.kubernetes.io/instance': 'demo', 'riskmodel.dev/revision': '1' });
    expect(mounted(w.cluster.deployment('team-a', 'demo'))).to.equal(snapshot.metadata!.name);
    expect(w.current().status).to.include({ revision: 1 });
    expect(w.events.events.map((e) => e.reason)).to.include(EventReason.SnapshotCreated);
  });

  it('keeps the last good snapshot for every pod and still applies minReplicas while the ConfigMap holds an invalid artifact', async () => {
    const w = world();
    w.put(modelArtifact(1));
    await w.run();
    w.cluster.rollOut('team-a', 'demo', 2);
    const good = mounted(w.cluster.deployment('team-a', 'demo'));
    const goodVersion = w.current().status?.modelVersion;
    w.put('{"weights": "nonsense"}');
    w.edit((rm) => (rm.spec.minReplicas = 4));
    const result = await w.run();
    expect(result.degraded).to.equal(true);
    expect(w.cluster.hpa('team-a', 'demo')?.spec?.minReplicas).to.equal(4);
    expect(mounted(w.cluster.deployment('team-a', 'demo'))).to.equal(good);
    const status = w.current().status!;
    expect(status.modelVersion).to.equal(goodVersion);
    expect(findCondition(status.conditions, 'Degraded')).to.include({ status: 'True', reason: Reason.InvalidModel });
    expect(w.snapshots()).to.have.length(1);
  });

  it('records one revision per good model change, prunes beyond revisionHistoryLimit, and never deletes the one serving or the one before', async () => {
    const w = world();
    for (const seed of [1, 2, 3]) {
      w.put(modelArtifact(seed));
      await w.run();
      w.cluster.rollOut('team-a', 'demo', 2);
    }
    expect(w.snapshots().map((s) => s.metadata?.labels?.['riskmodel.dev/revision']).sort()).to.deep.equal(['1', '2', '3']);
    const history = w.current().status!.history!;
    expect(history.map((h) => [h.revision, h.result])).to.deep.equal([[1, 'Superseded'], [2, 'Superseded'], [3, undefined]]);
    w.edit((rm) => (rm.spec.revisionHistoryLimit = 2));
    await w.run();
    expect(w.snapshots().map((s) => s.metadata?.labels?.['riskmodel.dev/revision']).sort()).to.deep.equal(['2', '3']);
    w.edit((rm) => (rm.spec.revisionHistoryLimit = 1));
    await w.run();
    expect(w.snapshots(), 'the previous revision is kept whatever the limit').to.have.length(2);
    expect(w.events.events.filter((e) => e.reason === EventReason.SnapshotPruned)).to.have.length(1);
  });

  it('rolls back to a pinned revision after the user ConfigMap was deleted, and the history says RolledBack', async () => {
    const w = world();
    for (const seed of [1, 2]) {
      w.put(modelArtifact(seed));
      await w.run();
      w.cluster.rollOut('team-a', 'demo', 2);
    }
    const first = w.snapshots().find((s) => s.metadata?.labels?.['riskmodel.dev/revision'] === '1')!.metadata!.name;
    w.cluster.configMaps.delete('team-a/risk-model');
    w.edit((rm) => (rm.spec.model.revision = 1));
    const result = await w.run();
    expect(result.degraded).to.equal(false);
    expect(mounted(w.cluster.deployment('team-a', 'demo'))).to.equal(first);
    const status = w.current().status!;
    expect(status.revision).to.equal(1);
    expect(status.history!.map((h) => [h.revision, h.result])).to.deep.equal([[1, 'Superseded'], [2, 'RolledBack'], [1, undefined]]);
    expect(w.events.events.find((e) => e.reason === EventReason.RolledBack)?.message).to.match(/rolled back to revision 1 .*was revision 2/);
  });

  it('refuses a pin to a revision that is not kept, naming the kept ones, and keeps serving', async () => {
    const w = world();
    w.put(modelArtifact(1));
    await w.run();
    const serving = mounted(w.cluster.deployment('team-a', 'demo'));
    w.edit((rm) => (rm.spec.model.revision = 7));
    await w.run();
    const degraded = findCondition(w.current().status!.conditions, 'Degraded');
    expect(degraded).to.include({ status: 'True', reason: Reason.RevisionNotFound });
    expect(degraded?.message).to.contain('spec.model.revision 7 is not kept; kept revisions: 1');
    expect(mounted(w.cluster.deployment('team-a', 'demo'))).to.equal(serving);
  });

  it('keeps status.history and the revision when the API server refuses a child (nothing is lost on a 422)', async () => {
    const w = world();
    for (const seed of [1, 2]) {
      w.put(modelArtifact(seed));
      await w.run();
      w.cluster.rollOut('team-a', 'demo', 2);
    }
    const before = structuredClone(w.current().status!);
    w.edit((rm) => (rm.spec.maxReplicas = 9));
    w.cluster.failApply = new ApiError(422, 'Invalid', 'spec.maxReplicas: Invalid value');
    const result = await w.run();
    expect(result.degraded).to.equal(true);
    const status = w.current().status!;
    expect(status.history).to.deep.equal(before.history);
    expect(status.revision).to.equal(2);
    expect(findCondition(status.conditions, 'Degraded')).to.include({ reason: Reason.InvalidChild });
  });

  it('recreates a hand-deleted snapshot under its own revision from the ConfigMap, without rolling the pods', async () => {
    const w = world();
    w.put(modelArtifact(1));
    await w.run();
    const template = structuredClone(w.cluster.deployment('team-a', 'demo')!.spec!.template);
    const name = mounted(w.cluster.deployment('team-a', 'demo'))!;
    w.cluster.configMaps.delete(`team-a/${name}`);
    await w.run();
    expect(w.snapshots().map((s) => [s.metadata?.name, s.metadata?.labels?.['riskmodel.dev/revision']])).to.deep.equal([[name, '1']]);
    expect(w.cluster.deployment('team-a', 'demo')!.spec!.template).to.deep.equal(template);
    expect(w.current().status).to.include({ revision: 1 });
  });

  it('refuses a pin to a revision whose snapshot was deleted by hand (RevisionNotFound), the user ConfigMap gone too', async () => {
    const w = world();
    w.put(modelArtifact(1));
    await w.run();
    const name = mounted(w.cluster.deployment('team-a', 'demo'))!;
    w.cluster.configMaps.delete(`team-a/${name}`);
    w.cluster.configMaps.delete('team-a/risk-model');
    w.edit((rm) => (rm.spec.model.revision = 1));
    await w.run();
    expect(findCondition(w.current().status!.conditions, 'Degraded')).to.include({ status: 'True', reason: Reason.RevisionNotFound });
  });

  it('does not roll the pods when only the model version label changes', async () => {
    const w = world();
    w.put(modelArtifact(1));
    await w.run();
    const template = structuredClone(w.cluster.deployment('team-a', 'demo')!.spec!.template);
    w.edit((rm) => (rm.spec.model.version = 'v1.1'));
    await w.run();
    expect(w.cluster.deployment('team-a', 'demo')!.spec!.template).to.deep.equal(template);
    expect(w.current().status?.modelVersion).to.match(/^v1\.1-/);
  });
});

describe('canary rollouts', () => {
  const canarySpec: Partial<RiskModelSpec> = { rollout: { strategy: 'Canary', canary: { weight: 50, analysisSeconds: 30, readyTimeoutSeconds: 60, maxErrorRatio: 0.05, maxP99LatencyMs: 200, minRequests: 10 } } };
  const healthy = { pods: 2, readyPods: 2, restarts: 0, requests: 100, errors: 0, errorRatio: 0, p99LatencyMs: 12, smoke: { passed: true, message: 'every canary pod answered' } };

  async function servingTwo() {
    const w = world(canarySpec);
    w.put(modelArtifact(1));
    await w.run();
    w.cluster.deployment('team-a', 'demo')!.spec!.replicas = 4; // the HPA's count
    w.cluster.rollOut('team-a', 'demo', 4);
    await w.run();
    return w;
  }

  it('moves a Deployment from before snapshots (mounting the user ConfigMap) to a snapshot without a canary', async () => {
    const w = world(canarySpec);
    w.put(modelArtifact(1));
    await w.run();
    const legacy = w.cluster.deployment('team-a', 'demo')!;
    const template = legacy.spec!.template;
    template.metadata!.annotations = { 'riskmodel.dev/config-hash': 'old' };
    template.spec!.volumes = [{ name: 'model', configMap: { name: 'risk-model' } }];
    w.put(modelArtifact(2));
    await w.run();
    expect(w.cluster.deployment('team-a', 'demo-canary')).to.equal(undefined);
    expect(mounted(w.cluster.deployment('team-a', 'demo'))).to.match(/^demo-model-/);
    expect(w.current().status).to.include({ revision: 2 });
  });

  it('skips the canary on the first deployment and runs a new revision in a second Deployment sized to the weight', async () => {
    const w = await servingTwo();
    expect(w.cluster.deployment('team-a', 'demo-canary')).to.equal(undefined);
    const stable = structuredClone(w.cluster.deployment('team-a', 'demo'));
    w.put(modelArtifact(2));
    const result = await w.run();
    const canary = w.cluster.deployment('team-a', 'demo-canary')!;
    expect(canary.spec?.replicas).to.equal(2);
    expect(canary.spec?.selector.matchLabels).to.include({ 'riskmodel.dev/track': 'canary' });
    expect(mounted(canary)).to.not.equal(mounted(stable));
    expect(w.cluster.deployment('team-a', 'demo')!.spec!.template).to.deep.equal(stable!.spec!.template);
    expect(w.current().status?.canary).to.include({ revision: 2, phase: 'Starting' });
    expect(findCondition(w.current().status!.conditions, 'Ready')).to.include({ status: 'False', reason: Reason.CanaryAnalysis });
    expect(result.action).to.deep.equal({ requeueAfterMs: 5000 });
  });

  it('promotes a canary that passes its analysis, holds the HPA replica count, and deletes the canary once the stable pods run it', async () => {
    const w = await servingTwo();
    w.put(modelArtifact(2));
    await w.run();
    w.analyzer.figures = healthy;
    await w.run();
    expect(w.current().status?.canary).to.include({ phase: 'Analyzing' });
    w.later(31);
    await w.run();
    const stable = w.cluster.deployment('team-a', 'demo')!;
    expect(mounted(stable)).to.equal(mounted(w.cluster.deployment('team-a', 'demo-canary')));
    expect(stable.spec?.replicas).to.equal(4);
    expect(w.current().status).to.include({ revision: 2 });
    expect(w.current().status?.canary).to.include({ phase: 'Promoting' });
    await w.run();
    expect(w.cluster.deployment('team-a', 'demo-canary'), 'kept while the stable pods roll').to.not.equal(undefined);
    w.cluster.rollOut('team-a', 'demo', 4);
    await w.run();
    expect(w.cluster.deployment('team-a', 'demo-canary')).to.equal(undefined);
    expect(w.current().status?.canary).to.equal(undefined);
    expect(w.current().status!.history!.map((h) => [h.revision, h.result])).to.deep.equal([[1, 'Superseded'], [2, undefined]]);
    expect(w.events.events.map((e) => e.reason)).to.include.members([EventReason.CanaryStarted, EventReason.CanaryPromoted]);
  });

  it('rolls back a canary whose pods answer errors above the threshold, leaves the stable pods alone and does not try it again', async () => {
    const w = await servingTwo();
    const stable = structuredClone(w.cluster.deployment('team-a', 'demo'));
    w.put(modelArtifact(2));
    await w.run();
    w.analyzer.figures = { ...healthy, errors: 40, errorRatio: 0.4 };
    const result = await w.run();
    expect(result.degraded).to.equal(true);
    expect(w.cluster.deployment('team-a', 'demo-canary')).to.equal(undefined);
    expect(w.cluster.deployment('team-a', 'demo')!.spec!.template).to.deep.equal(stable!.spec!.template);
    const status = w.current().status!;
    const degraded = findCondition(status.conditions, 'Degraded');
    expect(degraded).to.include({ status: 'True', reason: Reason.CanaryFailed });
    expect(degraded?.message).to.contain('0.4');
    expect(status.history!.at(-1)).to.include({ revision: 2, result: 'FailedAnalysis' });
    expect(w.events.events.find((e) => e.reason === Reason.CanaryFailed)?.type).to.equal('Warning');
    const measured = w.analyzer.measured;
    await w.run();
    expect(w.cluster.deployment('team-a', 'demo-canary')).to.equal(undefined);
    expect(w.analyzer.measured).to.equal(measured);
  });

  it('fails a canary whose pod cannot pull its image at once, in the kubelet\'s words, and leaves the stable pods alone', async () => {
    const w = await servingTwo();
    const stable = structuredClone(w.cluster.deployment('team-a', 'demo'));
    w.put(modelArtifact(2));
    await w.run();
    const canary = w.cluster.deployment('team-a', 'demo-canary')!;
    const hash = canary.spec!.template.metadata!.annotations!['riskmodel.dev/config-hash']!;
    w.cluster.podObjects.set('team-a/demo-canary-1', {
      metadata: { name: 'demo-canary-1', namespace: 'team-a', labels: { 'app.kubernetes.io/instance': 'demo', 'riskmodel.dev/track': 'canary' }, annotations: { 'riskmodel.dev/config-hash': hash } },
      status: { phase: 'Pending', containerStatuses: [{ name: 'inference', image: 'nowhere/x:1', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ErrImagePull', message: 'not found' } } }] },
    });
    const result = await w.run();
    expect(result.degraded).to.equal(true);
    expect(w.cluster.deployment('team-a', 'demo-canary')).to.equal(undefined);
    expect(w.cluster.deployment('team-a', 'demo')!.spec!.template).to.deep.equal(stable!.spec!.template);
    const degraded = findCondition(w.current().status!.conditions, 'Degraded');
    expect(degraded).to.include({ status: 'True', reason: Reason.CanaryFailed });
    expect(degraded?.message).to.contain('ImagePullFailed: pod demo-canary-1 container inference cannot pull image "nowhere/x:1": ErrImagePull: not found');
    expect(w.current().status!.history!.at(-1)).to.include({ revision: 2, result: 'FailedAnalysis' });
  });

  it('restarts the analysis when the spec changes the canary pod template mid-analysis', async () => {
    const w = await servingTwo();
    w.put(modelArtifact(2));
    await w.run();
    w.analyzer.figures = healthy;
    await w.run();
    const first = w.current().status!.canary!;
    w.later(20);
    w.edit((rm) => (rm.spec.resources = { requests: { cpu: '150m', memory: '128Mi' }, limits: { cpu: '300m', memory: '256Mi' } }));
    await w.run();
    const second = w.current().status!.canary!;
    expect(second.templateHash).to.not.equal(first.templateHash);
    expect(Date.parse(second.analysisStartedAt!)).to.be.greaterThan(Date.parse(first.analysisStartedAt!));
    w.later(15);
    await w.run();
    expect(w.current().status?.canary?.phase, '15 s into a restarted 30 s window').to.equal('Analyzing');
    const [before, after] = [w.analyzer.selectors[0]!, w.analyzer.selectors.at(-1)!];
    expect(after, 'only the new template\'s pods are measured, not the previous canary pods still draining').to.match(/riskmodel\.dev\/canary-template=[0-9a-f]{16}$/);
    expect(after).to.not.equal(before);
    const pods = w.cluster.deployment('team-a', 'demo-canary')!.spec!.template.metadata!.labels!;
    expect(after).to.contain(`riskmodel.dev/canary-template=${pods['riskmodel.dev/canary-template']}`);
  });
});
