// Needs the local cluster with its real node. Safe model delivery (issue 10) as a user sees it on
// real pods: a bad edit of the model ConfigMap never reaches a pod while other spec changes still
// apply; each good model leaves an immutable snapshot and a history entry, and
// revisionHistoryLimit prunes the old ones but never the serving or previous one; `npm run
// rollback` brings the previous model back after the user's ConfigMap is gone. Every pod is asked
// which model it serves (GET /model on its own address).
import { spawn } from 'node:child_process';
import { expect } from 'chai';
import type * as k8s from '@kubernetes/client-node';
import { clusterPaths } from '../../localcluster/cluster.js';
import { REPO_ROOT } from '../../scripts/lib/operator-process.js';
import { apiStatus, condition, LABELS } from '../operator/harness/api.js';
import { eventually, sleep } from '../operator/harness/eventually.js';
import { trainedArtifact } from '../operator/harness/fixtures.js';
import { kubectlOk } from '../support/cluster.js';
import { createRiskModel, putModel, useRealNodeBed, type RealNodeBed } from './bed.js';
import {
  artifactVersion, COMPONENT_LABEL, CONTENT_HASH_ANNOTATION, contentHash, eventLines, getRiskModel, MODEL_VERSION_ANNOTATION, patchSpec, podLives,
  podReady,   REVISION_LABEL, servedVersions, snapshotName, snapshotRevisions, snapshots, SNAPSHOT_COMPONENT, stablePods, waitEvent, waitServing,
  type DeliveredRiskModel, type RevisionRecord,
} from './delivery.js';

/** Whether Degraded is True for the RiskModel's current generation. */
function degraded(rm: DeliveredRiskModel): boolean {
  return condition(rm, 'Degraded')?.status === 'True' && rm.status?.observedGeneration === rm.metadata.generation;
}

/** The ConfigMap volumes of a pod's spec, by ConfigMap name. */
function mountedConfigMaps(pod: k8s.V1Pod): string[] {
  return (pod.spec?.volumes ?? []).flatMap((v) => (v.configMap?.name ? [v.configMap.name] : []));
}

/** Waits for `replicas` ready stable pods after a minReplicas change made while Degraded, Degraded still True. */
function waitScaled(bed: RealNodeBed, name: string, replicas: number): Promise<{ rm: DeliveredRiskModel; pods: k8s.V1Pod[] }> {
  return eventually(`${replicas} ready stable pods after minReplicas ${replicas}, still Degraded`, async (saw) => {
    const rm = await getRiskModel(bed, name);
    const pods = await stablePods(bed, name);
    const hpa = await bed.cluster.autoscaling.readNamespacedHorizontalPodAutoscaler({ namespace: bed.namespace, name });
    saw({ hpaMin: hpa.spec?.minReplicas, readyReplicas: rm.status?.readyReplicas, pods: pods.length, conditions: rm.status?.conditions });
    const scaled = [hpa.spec?.minReplicas, rm.status?.readyReplicas, pods.length, pods.filter(podReady).length].every((n) => n === replicas);
    return scaled && degraded(rm) && { rm, pods };
  }, { timeoutMs: 180_000, intervalMs: 1000 });
}

/** Runs `npm run rollback -- ARGS` against the local cluster (its admin kubeconfig in $KUBECONFIG). */
function rollbackCommand(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'rollback', '--', ...args], {
      cwd: REPO_ROOT, env: { ...process.env, KUBECONFIG: clusterPaths().kubeconfig }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

/** Checks one snapshot ConfigMap: immutable, owned by the RiskModel, labelled, holding `artifact` as revision `revision`. */
function expectSnapshot(snapshot: k8s.V1ConfigMap, rm: DeliveredRiskModel, artifact: string, revision: number): void {
  const name = rm.metadata.name;
  const meta = snapshot.metadata ?? {};
  const what = `snapshot ${meta.name}`;
  expect(meta.name, what).to.equal(snapshotName(name, artifact));
  expect(snapshot.immutable, `${what} immutable`).to.equal(true);
  expect(snapshot.data, `${what} data`).to.deep.equal({ 'model.json': artifact });
  expect(meta.ownerReferences, `${what} owners`).to.have.length(1);
  expect(meta.ownerReferences?.[0], `${what} owner`).to.include({ apiVersion: rm.apiVersion, kind: 'RiskModel', name, uid: rm.metadata.uid, controller: true });
  expect(meta.labels, `${what} labels`).to.include({
    [LABELS.name]: 'riskmodel-inference', [LABELS.instance]: name, [LABELS.managedBy]: 'riskmodel-operator',
    [COMPONENT_LABEL]: SNAPSHOT_COMPONENT, [REVISION_LABEL]: String(revision),
  });
  expect(meta.annotations, `${what} annotations`).to.include({ [CONTENT_HASH_ANNOTATION]: contentHash(artifact) });
  expect(meta.annotations?.[MODEL_VERSION_ANNOTATION], `${what} model version`).to.match(/^v1-[0-9a-f]{8}$/);
}

/** Checks a SnapshotCreated event names each snapshot and a RevisionServing event came for each. */
async function expectSnapshotEvents(bed: RealNodeBed, name: string, names: string[]): Promise<void> {
  const events = await eventLines(bed, name);
  for (const snapshot of names) {
    expect(events.some((l) => l.startsWith('Normal SnapshotCreated: ') && l.includes(snapshot)), `a SnapshotCreated event naming ${snapshot} in ${JSON.stringify(events)}`).to.be.true;
  }
  expect(events.filter((l) => l.startsWith('Normal RevisionServing: ')), 'RevisionServing events').to.have.length.of.at.least(names.length);
}

/** The HTTP status of replacing a ConfigMap's model.json with `artifact` (200 when allowed). */
function editStatus(bed: RealNodeBed, configMap: k8s.V1ConfigMap, artifact: string): Promise<number | undefined> {
  const body = { ...configMap, data: { 'model.json': artifact } };
  return bed.cluster.core.replaceNamespacedConfigMap({ namespace: bed.namespace, name: configMap.metadata?.name ?? '', body }).then(() => 200, apiStatus);
}

/** Checks status.history against the artifacts that served, oldest first; the last one serves. */
function expectHistory(history: RevisionRecord[], name: string, served: { revision: number; artifact: string; result?: string }[]): void {
  expect(history.map((h) => [h.revision, h.result]), 'history: revision and result').to.deep.equal(served.map((s) => [s.revision, s.result]));
  for (const [i, h] of history.entries()) {
    const s = served[i] as (typeof served)[number];
    expect(h.contentHash, `history[${i}].contentHash`).to.equal(contentHash(s.artifact));
    expect(h.snapshot, `history[${i}].snapshot`).to.equal(snapshotName(name, s.artifact));
    expect(h.modelVersion, `history[${i}].modelVersion`).to.match(/^v1-[0-9a-f]{8}$/);
    expect(Date.parse(h.startedAt), `history[${i}].startedAt`).to.be.a('number').and.not.NaN;
    if (i === history.length - 1) {
      expect(h.endedAt, 'the serving revision has no endedAt').to.equal(undefined);
    } else {
      expect(Date.parse(h.endedAt ?? ''), `history[${i}].endedAt`).to.be.at.least(Date.parse(h.startedAt));
      expect(Date.parse((history[i + 1] as RevisionRecord).startedAt), `history[${i + 1}].startedAt`).to.be.at.least(Date.parse(h.startedAt));
    }
  }
}

describe('real node: model snapshots, history and rollback', function () {
  this.timeout(15 * 60_000);
  const bed = useRealNodeBed('delivery');

  it('never lets an invalid ConfigMap edit reach a pod: raising minReplicas still scales, every pod old and new serves the last good model, and Degraded names the problem', async () => {
    const good = await trainedArtifact(41);
    await putModel(bed, 'frozen-model', good);
    await createRiskModel(bed, 'frozen', 'frozen-model', { minReplicas: 2, maxReplicas: 4 });
    const first = await waitServing(bed, 'frozen', { revision: 1, artifact: good, replicas: 2 });
    const oldPods = first.pods.map((p) => p.metadata?.uid);

    await putModel(bed, 'frozen-model', JSON.stringify({ version: 'broken', weights: 'not a model' }));
    const bad = await eventually('Degraded=True after the bad edit', async (saw) => {
      const rm = await getRiskModel(bed, 'frozen');
      saw(rm.status?.conditions);
      return degraded(rm) && rm;
    });
    expect(condition(bad, 'Degraded')?.reason).to.equal('InvalidModel');
    expect(condition(bad, 'Degraded')?.message).to.include('frozen-model');

    await patchSpec(bed, 'frozen', { minReplicas: 3 });
    const scaled = await waitScaled(bed, 'frozen', 3);
    const served = await servedVersions(scaled.pods);
    console.log(`      after the bad edit and minReplicas 3: ${JSON.stringify(served)}`);
    expect(scaled.pods.map((p) => p.metadata?.uid), 'the two pods from before are still there').to.include.members(oldPods);
    expect(Object.values(served), 'GET /model of every pod, old and new').to.deep.equal([good, good, good].map(artifactVersion));
    for (const pod of scaled.pods) expect(mountedConfigMaps(pod), `ConfigMaps pod ${pod.metadata?.name} mounts`).to.deep.equal([snapshotName('frozen', good)]);
    expect(scaled.rm.status?.revision).to.equal(1);
    expect(scaled.rm.status?.modelVersion).to.equal(first.rm.status?.modelVersion);
    expect(condition(scaled.rm, 'Degraded')?.reason, 'Degraded still names the bad artifact').to.equal('InvalidModel');
    expect(condition(scaled.rm, 'Degraded')?.message).to.include('frozen-model');
  });

  describe('three good models, then a lower revisionHistoryLimit', () => {
    const name = 'hist';
    let models: string[];

    before(async function () {
      this.timeout(120_000);
      models = await Promise.all([51, 52, 53].map(trainedArtifact));
    });

    it('keeps an immutable, owned, labelled snapshot of each model and a history of the three, the last one serving', async () => {
      await putModel(bed, `${name}-model`, models[0] as string);
      await createRiskModel(bed, name, `${name}-model`, { minReplicas: 1, maxReplicas: 1 });
      await waitServing(bed, name, { revision: 1, artifact: models[0] as string, replicas: 1 });
      for (const [i, artifact] of models.entries()) {
        if (i === 0) continue;
        await putModel(bed, `${name}-model`, artifact);
        await waitServing(bed, name, { revision: i + 1, artifact, replicas: 1 });
      }
      const rm = await getRiskModel(bed, name);
      const kept = await snapshots(bed, name);
      expect(kept.map((c) => c.metadata?.name)).to.deep.equal(models.map((m) => snapshotName(name, m)));
      for (const [i, snapshot] of kept.entries()) expectSnapshot(snapshot, rm, models[i] as string, i + 1);
      expectHistory(rm.status?.history ?? [], name, [
        { revision: 1, artifact: models[0] as string, result: 'Superseded' },
        { revision: 2, artifact: models[1] as string, result: 'Superseded' },
        { revision: 3, artifact: models[2] as string },
      ]);
      expect(rm.status?.history?.[2]?.modelVersion).to.equal(rm.status?.modelVersion);

      await expectSnapshotEvents(bed, name, models.map((m) => snapshotName(name, m)));
      const describe = await kubectlOk(['describe', 'riskmodel', '-n', bed.namespace, name]);
      expect(describe).to.match(/History:/).and.match(/Superseded/).and.include(snapshotName(name, models[2] as string));
      expect(await editStatus(bed, kept[0] as k8s.V1ConfigMap, models[2] as string), 'the API server refuses an edit of a snapshot').to.equal(422);
    });

    it('prunes the oldest snapshot at revisionHistoryLimit 2, keeps the serving and previous ones, and leaves the pods alone', async () => {
      const before = podLives(await stablePods(bed, name));
      await patchSpec(bed, name, { revisionHistoryLimit: 2 });
      await eventually('only the snapshots of revisions 2 and 3 left', async (saw) => {
        const revisions = await snapshotRevisions(bed, name);
        saw(revisions);
        return revisions.join() === '2,3';
      }, { timeoutMs: 60_000, intervalMs: 1000 });
      await waitEvent(bed, name, new RegExp(`^Normal SnapshotPruned: .*${snapshotName(name, models[0] as string)}`));
      const { rm, pods } = await waitServing(bed, name, { revision: 3, artifact: models[2] as string, replicas: 1 });
      expect(podLives(pods), 'pod UIDs and restart counts').to.deep.equal(before);
      expect(rm.status?.history?.at(-1)?.revision).to.equal(3);
      expect(rm.status?.history?.at(-1)?.result).to.equal(undefined);
    });

    it('serves an earlier kept revision again from its own snapshot when the ConfigMap gets its content back, and a limit of 1 still keeps the serving and previous snapshots', async () => {
      await putModel(bed, `${name}-model`, models[1] as string);
      const back = await waitServing(bed, name, { revision: 2, artifact: models[1] as string, replicas: 1 });
      expect(await snapshotRevisions(bed, name), 'no new snapshot for content already kept').to.deep.equal([2, 3]);
      expect(back.pods.flatMap(mountedConfigMaps)).to.deep.equal([snapshotName(name, models[1] as string)]);
      expect(back.rm.status?.history?.slice(-2).map((h) => [h.revision, h.result])).to.deep.equal([[3, 'Superseded'], [2, undefined]]);

      const patched = await patchSpec(bed, name, { revisionHistoryLimit: 1 });
      await eventually('the limit of 1 observed', async () => (await getRiskModel(bed, name)).status?.observedGeneration === patched.metadata.generation);
      await sleep(5000);
      expect(await snapshotRevisions(bed, name), 'snapshots of the serving revision (2) and the previous one (3)').to.deep.equal([2, 3]);
    });
  });

  it('rolls back with npm run rollback after the user\'s ConfigMap was deleted: every pod serves the previous model again, and history and events say so', async () => {
    const [first, second] = (await Promise.all([61, 62].map(trainedArtifact))) as [string, string];
    await putModel(bed, 'back-model', first);
    await createRiskModel(bed, 'back', 'back-model', { minReplicas: 2, maxReplicas: 2 });
    await waitServing(bed, 'back', { revision: 1, artifact: first, replicas: 2 });
    await putModel(bed, 'back-model', second);
    await waitServing(bed, 'back', { revision: 2, artifact: second, replicas: 2 });

    await bed.cluster.core.deleteNamespacedConfigMap({ namespace: bed.namespace, name: 'back-model' });
    const gone = await eventually('Degraded=True for the deleted ConfigMap', async (saw) => {
      const rm = await getRiskModel(bed, 'back');
      saw(rm.status?.conditions);
      return degraded(rm) && condition(rm, 'Degraded')?.reason === 'ConfigMapNotFound' && rm;
    });
    expect(gone.status?.revision).to.equal(2);
    expect(Object.values(await servedVersions(await stablePods(bed, 'back'))), 'pods keep the model while the ConfigMap is gone').to.deep.equal([second, second].map(artifactVersion));

    const started = Date.now();
    const run = await rollbackCommand(['back', '-n', bed.namespace]);
    expect(run.code, run.output).to.equal(0);
    expect((await getRiskModel(bed, 'back')).spec.model.revision, 'spec.model.revision after the rollback').to.equal(1);
    const { rm } = await waitServing(bed, 'back', { revision: 1, artifact: first, replicas: 2 });
    console.log(`      rollback: '${run.output.trim()}'; both pods on revision 1 ${((Date.now() - started) / 1000).toFixed(0)} s after the command`);

    const history = rm.status?.history ?? [];
    const left = history.filter((h) => h.revision === 2).at(-1);
    expect(left?.result, `the left revision in ${JSON.stringify(history)}`).to.equal('RolledBack');
    expect(Date.parse(left?.endedAt ?? ''), 'its endedAt').to.be.at.least(Date.parse(left?.startedAt ?? ''));
    expect(history.at(-1), 'the last history entry: revision 1 serving').to.include({ revision: 1, contentHash: contentHash(first), snapshot: snapshotName('back', first) });
    expect(history.at(-1)?.result).to.equal(undefined);
    await waitEvent(bed, 'back', /^Normal RolledBack: .*\b1\b/);
    const describe = await kubectlOk(['describe', 'riskmodel', '-n', bed.namespace, 'back']);
    expect(describe).to.match(/RolledBack/);
  });

  it('keeps serving the pinned revision when a new model ConfigMap appears, and serves the new model once npm run rollback -- --unpin removes the pin', async () => {
    const [first, third] = (await Promise.all([61, 63].map(trainedArtifact))) as [string, string];
    const pinned = podLives(await stablePods(bed, 'back'));
    await putModel(bed, 'back-model', third);
    // The operator sees a ConfigMap change within a second (it watches them); 10 s leaves it time to act wrongly.
    await sleep(10_000);
    const held = await waitServing(bed, 'back', { revision: 1, artifact: first, replicas: 2 });
    expect(podLives(held.pods), 'the pinned pods, untouched by the new ConfigMap').to.deep.equal(pinned);

    const run = await rollbackCommand(['back', '-n', bed.namespace, '--unpin']);
    expect(run.code, run.output).to.equal(0);
    expect((await getRiskModel(bed, 'back')).spec.model.revision, 'spec.model.revision after --unpin').to.equal(undefined);
    const { rm } = await waitServing(bed, 'back', { revision: 3, artifact: third, replicas: 2 });
    expect(rm.status?.history?.at(-1)).to.include({ revision: 3, contentHash: contentHash(third) });
    await waitEvent(bed, 'back', /^Normal RevisionServing: .*revision 3\b/);
  });
});
