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
  artifactVersion, canaryDeployment, canaryPods, eventLines, getRiskModel, podLives, servedVersions, stablePods, waitEvent, waitServing,
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
  /** spec.replicas of the canary Deployment, each time it existed. */
  canaryReplicas: number[];
  /** spec.replicas of the stable Deployment at every sample. */
  stableReplicas: (number | undefined)[];
  /** When each canary phase was first seen (ms since the epoch). */
  firstSeen: Record<string, number>;
}

type Done = (rm: DeliveredRiskModel, canary: k8s.V1Deployment | undefined) => boolean;

/** Samples the RiskModel and both Deployments every 500 ms until `done` holds; resolves with the last RiskModel and what was seen. */
async function watchCanary(bed: RealNodeBed, name: string, done: Done, timeoutMs = 240_000): Promise<{ rm: DeliveredRiskModel; watch: CanaryWatch }> {
  const watch: CanaryWatch = { statuses: [], canaryReplicas: [], stableReplicas: [], firstSeen: {} };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [rm, stable, canary] = await Promise.all([getRiskModel(bed, name), bed.cluster.apps.readNamespacedDeployment({ namespace: bed.namespace, name }), canaryDeployment(bed, name)]);
    record(watch, rm, stable, canary);
    if (done(rm, canary)) return { rm, watch };
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s watching the canary of ${name}; last status ${JSON.stringify(rm.status)}`);
    await sleep(500);
  }
}

function record(watch: CanaryWatch, rm: DeliveredRiskModel, stable: k8s.V1Deployment, canary: k8s.V1Deployment | undefined): void {
  watch.stableReplicas.push(stable.spec?.replicas);
  if (canary) watch.canaryReplicas.push(canary.spec?.replicas ?? 0);
  const status = rm.status?.canary;
  if (!status) return;
  watch.statuses.push(status);
  watch.firstSeen[status.phase] ??= Date.now();
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

      let result: { rm: DeliveredRiskModel; watch: CanaryWatch } | undefined;
      const started = Date.now();
      const load = await underLoad(await serviceUrl(bed, name), async () => {
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
  });
});

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
