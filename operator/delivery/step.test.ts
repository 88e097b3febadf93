import { expect } from 'chai';
import { findCondition } from '../model/conditions.js';
import { ApiError } from '../errors.js';
import { EventReason, Reason } from '../api/reasons.js';
import { modelArtifact } from '../testing/fixtures.js';
import { mounted, world } from '../testing/delivery-world.js';

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
