// Needs the local cluster with its real node. Canary rollouts (issue 10) on real pods: a new model
// first runs in a second Deployment behind the same Service; a canary whose model fails its smoke
// prediction, or whose pods answer 5xx above the threshold under real load, is rolled back on its
// own without touching the stable pods; a good canary is promoted under load with no request lost
// and the HPA's replica count held. The operator reads the canary's figures from the pods' own
// /metrics through the API server's pod proxy.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import type * as k8s from '@kubernetes/client-node';
import { FIELD_MANAGER, condition, type RiskModel, type RiskModelSpec } from '../operator/harness/api.js';
import { eventually, sleep } from '../operator/harness/eventually.js';
import { trainedArtifact } from '../operator/harness/fixtures.js';
import { startLoad } from '../../scripts/demo/load.js';
import { REPO_ROOT } from '../../scripts/lib/operator-process.js';
import { createRiskModel, errorProneArtifact, putModel, serviceUrl, smokeFailingArtifact, useRealNodeBed, type RealNodeBed } from './bed.js';
import {
  artifactVersion, canaryDeployment, canaryPods, eventLines, getRiskModel, podLives, servedVersions, snapshotName, stablePods, waitEvent, waitServiceAnswers, waitServing,
  type CanaryStatus, type DeliveredRiskModel,
} from './delivery.js';
import { underLoad } from './under-load.js';

/** Short analysis and timeouts so a canary decides within a minute on the shared 2 cores. */
const CANARY = { weight: 50, analysisSeconds: 20, readyTimeoutSeconds: 30, maxErrorRatio: 0.05, maxP99LatencyMs: 2000, minRequests: 0 };

/** Creates RiskModel `name` serving ConfigMap `<name>-model` with the Canary strategy and CANARY's settings. */
function createCanaryRiskModel(bed: RealNodeBed, name: string, scaling: Partial<RiskModelSpec>): Promise<RiskModel> {
  const spec = { ...scaling, rollout: { strategy: 'Canary', canary: CANARY } };
  return createRiskModel(bed, name, `${name}-model`, spec);
}

/** What a test saw of a canary, sampled every half second while it ran. */
interface CanaryWatch {
  /** Every status.canary seen, in order. */
  statuses: CanaryStatus[];
  /** When each of `statuses` was seen (ms since the epoch). */
  seenAt: number[];
  /** spec.replicas of the canary Deployment, each time it existed. */
  canaryReplicas: number[];
  /** spec.replicas of the stable Deployment at every sample. */
  stableReplicas: (number | undefined)[];
  /** The ConfigMaps the stable Deployment's pod template mounted at any sample. */
  stableSnapshots: Set<string>;
  /** When each canary phase was first seen (ms since the epoch). */
  firstSeen: Record<string, number>;
  /** Each canary pod seen: the snapshot it mounts and when it turned Ready (its condition's time, whole seconds). */
  canaryPods: Map<string, { snapshot: string; readyAt?: number }>;
}

type Done = (rm: DeliveredRiskModel, canary: k8s.V1Deployment | undefined) => boolean;

/** Samples the RiskModel and both Deployments every 500 ms until `done` holds; resolves with the last RiskModel and what was seen. */
async function watchCanary(bed: RealNodeBed, name: string, done: Done, timeoutMs = 240_000): Promise<{ rm: DeliveredRiskModel; watch: CanaryWatch }> {
  const watch: CanaryWatch = { statuses: [], seenAt: [], canaryReplicas: [], stableReplicas: [], stableSnapshots: new Set(), firstSeen: {}, canaryPods: new Map() };
  const rm = await eventually(`the canary of ${name} (status of the RiskModel)`, async (saw) => {
    const [current, stable, canary] = await Promise.all([getRiskModel(bed, name), bed.cluster.apps.readNamespacedDeployment({ namespace: bed.namespace, name }), canaryDeployment(bed, name)]);
    record(watch, current, stable, canary);
    recordPods(watch, await canaryPods(bed, name));
    saw(current.status);
    return done(current, canary) && current;
  }, { timeoutMs, intervalMs: 500 });
  return { rm, watch };
}

function record(watch: CanaryWatch, rm: DeliveredRiskModel, stable: k8s.V1Deployment, canary: k8s.V1Deployment | undefined): void {
  watch.stableReplicas.push(stable.spec?.replicas);
  for (const name of mountedConfigMaps(stable.spec?.template.spec)) watch.stableSnapshots.add(name);
  if (canary) watch.canaryReplicas.push(canary.spec?.replicas ?? 0);
  const status = rm.status?.canary;
  if (!status) return;
  watch.statuses.push(status);
  watch.seenAt.push(Date.now());
  watch.firstSeen[status.phase] ??= Date.now();
}

function recordPods(watch: CanaryWatch, pods: k8s.V1Pod[]): void {
  for (const pod of pods) {
    const ready = pod.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True')?.lastTransitionTime;
    watch.canaryPods.set(pod.metadata?.name ?? '', { snapshot: mountedConfigMaps(pod.spec)[0] ?? '', ...(ready ? { readyAt: new Date(ready).getTime() } : {}) });
  }
}

/** The ConfigMaps a pod spec (a pod's, or a Deployment's template's) mounts. */
function mountedConfigMaps(spec: k8s.V1PodSpec | undefined): string[] {
  return (spec?.volumes ?? []).flatMap((v) => (v.configMap?.name ? [v.configMap.name] : []));
}

/** The last figures of a canary that reported any. */
const lastFigures = (watch: CanaryWatch): CanaryStatus['figures'] => watch.statuses.filter((s) => s.figures).at(-1)?.figures;

/** Degraded=True, reason CanaryFailed, no canary in status or as a Deployment, and history records `revision` as FailedAnalysis. */
const failedCanary = (revision: number): Done => (rm, canary) =>
  condition(rm, 'Degraded')?.status === 'True' && condition(rm, 'Degraded')?.reason === 'CanaryFailed' && !rm.status?.canary && !canary &&
  (rm.status?.history ?? []).some((h) => h.revision === revision && h.result === 'FailedAnalysis');

/** Checks a rolled-back canary: its pods gone, the stable pods the very same ones on the good model, the failure recorded. */
async function expectRolledBack(bed: RealNodeBed, name: string, stable: { lives: Record<string, number>; artifact: string }, rm: DeliveredRiskModel): Promise<void> {
  await eventually('the canary pods gone', async () => (await canaryPods(bed, name)).length === 0, { timeoutMs: 90_000, intervalMs: 1000 });
  const pods = await stablePods(bed, name);
  expect(podLives(pods), 'stable pod UIDs and restart counts').to.deep.equal(stable.lives);
  expect(Object.values(await servedVersions(pods)), 'GET /model of the stable pods').to.deep.equal(pods.map(() => artifactVersion(stable.artifact)));
  expect(rm.status?.revision, 'status.revision').to.equal(1);
  const serving = (rm.status?.history ?? []).filter((h) => !h.result);
  expect(serving.map((h) => h.revision), 'history entries still serving').to.deep.equal([1]);
}

describe('real node: canary rollouts', function () {
  this.timeout(15 * 60_000);
  const bed = useRealNodeBed('canary');

  describe('a canary that fails its analysis', () => {
    const name = 'guarded';
    let good: string;
    let stable: { lives: Record<string, number>; artifact: string };

    before(async function () {
      this.timeout(300_000);
      good = await trainedArtifact(71);
      await putModel(bed, `${name}-model`, good);
      await createCanaryRiskModel(bed, name, { minReplicas: 2, maxReplicas: 2 });
      const { pods } = await waitServing(bed, name, { revision: 1, artifact: good, replicas: 2 });
      stable = { lives: podLives(pods), artifact: good };
    });

    it('is rolled back automatically when its model fails the smoke prediction: canary gone, stable pods never restarted, CanaryFailed with the figures, a Warning event', async () => {
      await putModel(bed, `${name}-model`, smokeFailingArtifact(good));
      const started = Date.now();
      const { rm, watch } = await watchCanary(bed, name, failedCanary(2));
      console.log(`      smoke-failing canary rolled back ${((Date.now() - started) / 1000).toFixed(0)} s after the edit; phases ${JSON.stringify(watch.firstSeen)}; Degraded: ${condition(rm, 'Degraded')?.message}`);
      expect(watch.statuses.map((s) => s.revision), 'status.canary.revision while it ran').to.include(2);
      expect(watch.canaryReplicas, 'the canary Deployment\'s replicas (50 % of 2)').to.include(1);
      expect(condition(rm, 'Degraded')?.message, 'Degraded names what failed').to.match(/smoke|ready|restart/i);
      const failed = rm.status?.history?.find((h) => h.revision === 2);
      expect(failed?.message, 'the history entry has the figures').to.match(/smoke|ready|restart/i);
      expect(Date.parse(failed?.endedAt ?? '')).to.be.at.least(Date.parse(failed?.startedAt ?? ''));
      await expectRolledBack(bed, name, stable, rm);
      await waitEvent(bed, name, /^Warning CanaryFailed: /);
      await waitEvent(bed, name, /^Normal CanaryStarted: /);

      // A failed revision is not tried again on the next resync (20 s here): it stays rolled back.
      const until = Date.now() + 25_000;
      const after = await watchCanary(bed, name, () => Date.now() > until);
      expect(after.watch.canaryReplicas, 'canary Deployments seen in the 25 s after the rollback').to.deep.equal([]);
      expect(after.watch.statuses, 'status.canary in the 25 s after the rollback').to.deep.equal([]);
      expect(podLives(await stablePods(bed, name))).to.deep.equal(stable.lives);
    });

    it('is rolled back automatically when its pods answer 5xx above maxErrorRatio under load: canary gone, stable pods never restarted, the error ratio in status and history', async () => {
      const revision = Math.max(...((await getRiskModel(bed, name)).status?.history ?? []).map((h) => h.revision)) + 1;
      // Two connections, each reconnecting every 100 requests (~3 s at 60/s), so the canary's pod gets its share soon after it is Ready.
      const load = await startLoad(await serviceUrl(bed, name), 60, 2);
      const started = Date.now();
      let outcome: { rm: DeliveredRiskModel; watch: CanaryWatch };
      let answers: Record<string, number>;
      try {
        await putModel(bed, `${name}-model`, errorProneArtifact(await rawFeaturesArtifact()));
        outcome = await watchCanary(bed, name, failedCanary(revision));
      } finally {
        answers = (await load.stop()).byCode;
      }
      const { rm, watch } = outcome;
      const message = condition(rm, 'Degraded')?.message ?? '';
      console.log(`      error-prone canary rolled back ${((Date.now() - started) / 1000).toFixed(0)} s after the edit; load answers ${JSON.stringify(answers)}; phases ${JSON.stringify(watch.firstSeen)}; last figures ${JSON.stringify(lastFigures(watch))}; Degraded: ${message}`);
      expect(answers['500'], 'answers 500 the load got (from the canary pod)').to.be.above(0);
      expect(message, 'the failure is the error ratio, not the smoke prediction or a restart').to.not.match(/smoke prediction failed|restart/);
      expectErrorRatio(message);
      expectErrorRatio(rm.status?.history?.find((h) => h.revision === revision)?.message ?? '');
      await expectRolledBack(bed, name, stable, rm);
      await waitEvent(bed, name, /^Warning CanaryFailed: .*5xx ratio/);
    });
  });

  describe('a good canary under load', () => {
    const name = 'promo';

    it('is promoted with 0 failed requests through the Service, the stable replica count the HPA set held throughout, and the canary gone', async () => {
      const [first, second] = (await Promise.all([81, 82].map(trainedArtifact))) as [string, string];
      await putModel(bed, `${name}-model`, first);
      await createCanaryRiskModel(bed, name, { minReplicas: 2, maxReplicas: 4, targetCPUUtilizationPercentage: 90 });
      await waitServing(bed, name, { revision: 1, artifact: first, replicas: 2 });
      const held = await eventually('the HPA\'s desired replicas on the stable Deployment', async (saw) => {
        const hpa = await bed.cluster.autoscaling.readNamespacedHorizontalPodAutoscaler({ namespace: bed.namespace, name });
        const replicas = (await bed.cluster.apps.readNamespacedDeployment({ namespace: bed.namespace, name })).spec?.replicas;
        saw({ hpa: hpa.status, replicas });
        return hpa.status?.desiredReplicas === replicas && replicas;
      });

      const url = await serviceUrl(bed, name);
      await waitServiceAnswers(url);
      let result: { rm: DeliveredRiskModel; watch: CanaryWatch } | undefined;
      const started = Date.now();
      const load = await underLoad(url, async () => {
        await putModel(bed, `${name}-model`, second);
        result = await watchCanary(bed, name, (rm, canary) => rm.status?.revision === 2 && !rm.status.canary && !canary);
        await waitServing(bed, name, { revision: 2, artifact: second, replicas: 2 });
      }, 60);
      const { rm, watch } = result as { rm: DeliveredRiskModel; watch: CanaryWatch };
      const analysisStarted = Date.parse(watch.statuses.find((s) => s.analysisStartedAt)?.analysisStartedAt ?? '');
      const decided = watch.firstSeen.Promoting ?? Date.now();
      console.log(`      canary promotion under load: ${load.sent} requests, ${load.lost} lost (${JSON.stringify(load.byCode)}) over ${((Date.now() - started) / 1000).toFixed(0)} s; analysis ${((decided - analysisStarted) / 1000).toFixed(0)} s; last figures ${JSON.stringify(lastFigures(watch))}; stable replicas sampled ${JSON.stringify([...new Set(watch.stableReplicas)])} ${watch.stableReplicas.length} times`);

      expect(load.lost, `failed requests (${JSON.stringify(load.byCode)})`).to.equal(0);
      expect(load.sent).to.be.above(60 * 20);
      expect(new Set(watch.stableReplicas), 'the stable Deployment\'s spec.replicas at every sample').to.deep.equal(new Set([held]));
      expectPassedAnalysis(watch);
      expect(decided - analysisStarted, 'ms between the analysis start and the promotion').to.be.at.least(CANARY.analysisSeconds * 1000 - 1000);
      expect(replicasOwners(await bed.cluster.apps.readNamespacedDeployment({ namespace: bed.namespace, name })), 'managers owning the stable spec.replicas').to.not.include(FIELD_MANAGER);
      expect(await canaryDeployment(bed, name)).to.equal(undefined);
      await eventually('the canary pods gone', async () => (await canaryPods(bed, name)).length === 0, { timeoutMs: 90_000, intervalMs: 1000 });
      expect(rm.status?.history?.map((h) => [h.revision, h.result])).to.deep.equal([[1, 'Superseded'], [2, undefined]]);
      const events = await eventLines(bed, name);
      expect(events.filter((l) => /^Normal Canary(Started|Promoted): /.test(l)).map((l) => l.split(':')[0]), JSON.stringify(events)).to.deep.equal(['Normal CanaryStarted', 'Normal CanaryPromoted']);
      expect(events.filter((l) => l.startsWith('Warning ')), 'Warning events').to.deep.equal([]);
    });

    it('restarts the analysis for the newest revision when the model changes during a canary, and promotes only that one', async () => {
      const [third, fourth] = (await Promise.all([83, 84].map(trainedArtifact))) as [string, string];
      await putModel(bed, `${name}-model`, third);
      const analysing = await watchCanary(bed, name, (rm) => rm.status?.canary?.revision === 3 && rm.status.canary.analysisStartedAt !== undefined);
      // Well into the first analysis, so a clock carried over from revision 3 shows.
      await sleep(8000);
      const changed = Date.now();
      await putModel(bed, `${name}-model`, fourth);
      const { rm, watch } = await watchCanary(bed, name, (r, canary) => r.status?.revision === 4 && !r.status.canary && !canary);
      console.log(`      analysis of revision 3 from ${analysing.rm.status?.canary?.analysisStartedAt}, model changed at ${new Date(changed).toISOString()}; canary status seen (mm:ss.t, revision, phase, ready/replicas, analysis since):\n        ${trail(watch).join('\n        ')}`);
      expectRestartedAnalysis(watch, { revision: 4, snapshot: snapshotName(name, fourth) }, changed);
      expect([...watch.stableSnapshots], 'snapshots the stable pods mounted').to.not.include(snapshotName(name, third));
      await waitServing(bed, name, { revision: 4, artifact: fourth, replicas: 2 });
      const history = rm.status?.history ?? [];
      expect(history.find((h) => h.revision === 3)?.endedAt, 'revision 3 ended').to.be.a('string');
      expect(history.filter((h) => !h.result).map((h) => h.revision), 'history entries still open').to.deep.equal([4]);
    });
  });
});

/** The canary statuses seen, one line each change: time seen, revision, phase, ready/replicas, analysis start. */
function trail(watch: CanaryWatch): string[] {
  const time = (ms: number | undefined): string => new Date(ms ?? 0).toISOString().slice(14, 21);
  const lines = watch.statuses.map((c) => `r${c.revision} ${c.phase} ${c.readyReplicas}/${c.replicas} since ${c.analysisStartedAt?.slice(14, 19) ?? '-'}`);
  return lines.flatMap((line, i) => (line === lines[i - 1] ? [] : [`${time(watch.seenAt[i])} ${line}`]));
}

/**
 * Checks the canary of `revision` (pods mounting `snapshot`) analysed from the change at `changed`
 * (ms) on, once its own pods were Ready, and was promoted no sooner than a full analysis window
 * after the change.
 */
function expectRestartedAnalysis(watch: CanaryWatch, want: { revision: number; snapshot: string }, changed: number): void {
  const { revision } = want;
  expect(watch.statuses.map((c) => c.revision), 'status.canary.revision after the change').to.include(revision);
  const restarted = Date.parse(watch.statuses.find((c) => c.revision === revision && c.analysisStartedAt)?.analysisStartedAt ?? '');
  // analysisStartedAt has whole seconds: the new analysis cannot start before the second of the change.
  expect(restarted, `analysisStartedAt of revision ${revision} (ms)`).to.be.at.least(Math.floor(changed / 1000) * 1000);
  const pods = [...watch.canaryPods.values()].filter((p) => p.snapshot === want.snapshot);
  expect(pods, `canary pods of revision ${revision} seen`).to.not.have.length(0);
  const allReady = Math.max(...pods.map((p) => p.readyAt ?? Infinity));
  expect(restarted, `analysisStartedAt of revision ${revision} vs when its canary pods were all Ready (${new Date(allReady).toISOString()})`).to.be.at.least(allReady);
  const promoting = watch.statuses.findIndex((c) => c.revision === revision && c.phase === 'Promoting');
  expect(promoting, `revision ${revision} reached Promoting`).to.be.at.least(0);
  expect((watch.seenAt[promoting] ?? 0) - changed, `ms from the change to revision ${revision} promoting`).to.be.at.least(CANARY.analysisSeconds * 1000);
}

/** A good model on raw features (no derived ones): errorProneArtifact needs one so the smoke patient's contributions stay finite. */
function rawFeaturesArtifact(): Promise<string> {
  return readFile(path.join(REPO_ROOT, 'inference/testdata/model-v1-raw-features.json'), 'utf8');
}

/** Checks `message` reports a 5xx ratio above CANARY.maxErrorRatio over at least one request of real load (the operator's own smoke predictions are not counted). */
function expectErrorRatio(message: string): void {
  const figures = /5xx ratio ([\d.]+) \((\d+) of (\d+) requests?\)/.exec(message);
  expect(figures, `the 5xx ratio in ${JSON.stringify(message)}`).to.not.equal(null);
  expect(Number(figures?.[1]), 'the 5xx ratio reported').to.be.above(CANARY.maxErrorRatio);
  expect(Number(figures?.[3]), 'the requests it is measured over').to.be.at.least(1);
}

/** Checks the sampled canary ran at 1 pod (50 % of 2), reached Analyzing, answered requests without errors and passed its smoke prediction. */
function expectPassedAnalysis(watch: CanaryWatch): void {
  expect(watch.canaryReplicas, 'the canary Deployment\'s replicas (50 % of 2)').to.include(1);
  expect(Object.keys(watch.firstSeen), 'canary phases seen').to.include('Analyzing');
  const figures: Partial<NonNullable<CanaryStatus['figures']>> = lastFigures(watch) ?? {};
  expect(figures.requests, 'requests the canary answered, read from its pods').to.be.above(0);
  expect(figures.errors, 'its errors').to.equal(0);
  expect(figures.smoke?.passed, 'its smoke prediction').to.equal(true);
}

/** The field managers whose managedFields entry on the Deployment owns spec.replicas. */
function replicasOwners(deployment: k8s.V1Deployment): string[] {
  const owns = (fields: unknown): boolean => Boolean((fields as { 'f:spec'?: { 'f:replicas'?: unknown } } | undefined)?.['f:spec']?.['f:replicas']);
  return (deployment.metadata?.managedFields ?? []).filter((m) => owns(m.fieldsV1)).map((m) => m.manager ?? '');
}
