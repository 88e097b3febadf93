// The real-node demo's model-revision steps, under the load step 5 started: a canary that
// catches a model answering 5xx (the operator analyses it from its pods' own /metrics through the
// API server's pod proxy), and the one-command rollback to the model step 3 served. On --kwok
// there are no such steps: kwok pods answer no HTTP, so there is nothing to analyse.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RevisionRecord } from '../../operator/api/riskmodel.js';
import { CONTAINER_PORT, canaryName } from '../../operator/model/desired.js';
import { errorProneArtifact } from '../lib/faulty-artifacts.js';
import { assertLocalTarget } from '../lib/local-target.js';
import { getJson, kubectl, waitFor } from './kube.js';
import { between, type LoadTotals, type RunningLoad } from './load.js';
import { block, info, ok, step } from './narrate.js';
import { instanceSelector, type DemoPlan } from './real-steps.js';
import { canaryFailure, canaryLine, historyEntry, newestEvent, podChanges, podLives, type EventList, type PodChanges, type PodList } from './revisions.js';
import { rolledOut, type RiskModelObject } from './riskmodel.js';
import { runNode } from './run.js';
import { getDeploy, getRm, MODEL_KEY, printRiskModels, rmArgs, storeModel, type DemoContext } from './steps.js';
import { TRACK_LABEL } from '../../operator/api/labels.js';

const REPO_ROOT = join(import.meta.dirname, '../..');
/**
 * The good model the faulty one is made from. It must see the raw vitals: on the early-warning
 * features the demo trains, the smoke patient's contributions would be non-finite too, and the
 * smoke prediction, not the load's 5xx answers, would fail the canary.
 */
const RAW_FEATURES_MODEL = join(REPO_ROOT, 'inference/testdata/model-v1-raw-features.json');
/** Step 7's rollout: half the stable pods' count as canary pods; any 5xx ratio above 1 % fails it. */
export const DEMO_CANARY = { weight: 50, analysisSeconds: 20, readyTimeoutSeconds: 90, maxErrorRatio: 0.01, minRequests: 20 };
/** Requests sent just before the last pod of a retired set went away are answered within this margin. */
const SETTLE_MS = 2000;

const trackSelector = (name: string, track: 'stable' | 'canary'): string => `${instanceSelector(name)},${TRACK_LABEL}=${track}`;
const seconds = (since: number): number => Math.round((Date.now() - since) / 100) / 10;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function trackPods(ctx: DemoContext, name: string, track: 'stable' | 'canary'): Promise<PodList> {
  return getJson<PodList>(ctx.target, ['pods', '-n', ctx.namespace, '-l', trackSelector(name, track)]);
}

async function eventLine(ctx: DemoContext, name: string, reason: string): Promise<string | undefined> {
  const events = await getJson<EventList>(ctx.target, ['events', '-n', ctx.namespace, '--field-selector', `involvedObject.kind=RiskModel,involvedObject.name=${name},reason=${reason}`]);
  return newestEvent(events, reason);
}

/** The canary Deployment and every canary pod are gone (terminating ones included). */
async function canaryGone(ctx: DemoContext, name: string): Promise<true | undefined> {
  const { stdout } = await kubectl(ctx.target, ['get', 'deployment', canaryName(name), '-n', ctx.namespace, '--ignore-not-found', '-o', 'name']);
  const pods = await trackPods(ctx, name, 'canary');
  return stdout.trim() === '' && pods.items.length === 0 ? true : undefined;
}

/** What the canary step hands on: how many of the load's requests failed while it ran. */
export interface CanaryOutcome {
  failed: number;
}

interface CanaryWatch {
  phases: string[];
  lastLine: string;
  canaryPods: number;
}

/** Writes the error-prone model into the user's ConfigMap; returns its artifact version. */
async function publishFaultyModel(ctx: DemoContext, configMap: string): Promise<string> {
  const file = join(ctx.workDir, 'model-error-prone.json');
  const artifact = errorProneArtifact(readFileSync(RAW_FEATURES_MODEL, 'utf8'));
  writeFileSync(file, artifact);
  info(`$ kubectl create configmap ${configMap} --from-file=${MODEL_KEY}=${file} --dry-run=client -o yaml | kubectl apply --server-side -f -`);
  await storeModel(ctx, configMap, file);
  const version = (JSON.parse(artifact) as { version: string }).version;
  ok(`model ${version} → ConfigMap ${configMap}: it passes every validator and both smoke predictions, and answers 500 to almost every other patient`);
  return version;
}

/** Polls until Degraded=True CanaryFailed names a revision newer than `newest`; prints the canary's progress meanwhile. */
async function awaitCanaryFailure(ctx: DemoContext, name: string, newest: number): Promise<{ rm: RiskModelObject; entry: RevisionRecord; message: string; watch: CanaryWatch }> {
  const watch: CanaryWatch = { phases: [], lastLine: '', canaryPods: 0 };
  const failed = await waitFor(async () => {
    const rm = await getRm(ctx, name);
    observeCanary(rm, watch);
    const message = canaryFailure(rm);
    const entry = [...(rm.status?.history ?? [])].reverse().find((h) => h.result === 'FailedAnalysis' && h.revision > newest);
    return message && entry ? { rm, entry, message } : undefined;
  }, { what: 'the canary to fail its analysis (Degraded=True, reason CanaryFailed)', timeoutMs: 240_000, intervalMs: 1000 });
  return { ...failed, watch };
}

/** Notes the canary's phases and pod count, and prints status.canary whenever it says something new. */
function observeCanary(rm: RiskModelObject, watch: CanaryWatch): void {
  const canary = rm.status?.canary;
  if (!canary) return;
  if (watch.phases.at(-1) !== canary.phase) watch.phases.push(canary.phase);
  watch.canaryPods = Math.max(watch.canaryPods, canary.replicas);
  const line = canaryLine(rm);
  if (line !== watch.lastLine) info(line);
  watch.lastLine = line;
}

function describeStable(changes: PodChanges, count: number): string {
  if (changes.unchanged) return `the ${count} stable pods are the very same (same UIDs, no container restarted)`;
  return `the stable pods changed: gone ${changes.gone.join(', ') || '-'}, new ${changes.added.join(', ') || '-'}, restarted ${changes.restarted.join(', ') || '-'}`;
}

/**
 * Step 7: strategy Canary, then a model that answers 5xx into the ConfigMap. Waits for the
 * operator to fail the canary, for its Deployment and pods to go, and counts the load's failures.
 */
export async function canaryCatchesBadModel(ctx: DemoContext, plan: DemoPlan, load: RunningLoad): Promise<CanaryOutcome> {
  const { name, configMap } = plan;
  step(7, 'A canary catches a bad model',
    'Real: with spec.rollout.strategy Canary a new model first runs in a second Deployment beside the stable pods, behind the same Service;',
    'the operator reads the canary pods\' own /metrics and a smoke prediction through the API server\'s pod proxy and fails it on the 5xx ratio.');
  const before = await getRm(ctx, name);
  const newest = Math.max(0, ...(before.status?.history ?? []).map((h) => h.revision));
  const stableBefore = podLives(await trackPods(ctx, name, 'stable'));
  const patch = JSON.stringify({ spec: { rollout: { strategy: 'Canary', canary: DEMO_CANARY } } });
  info(`$ kubectl patch riskmodel ${name} --type=merge -p '${patch}'`);
  await kubectl(ctx.target, ['patch', ...rmArgs(ctx, name), '--type=merge', '-p', patch]);
  const startTotals = load.totals();
  const start = Date.now();
  const version = await publishFaultyModel(ctx, configMap);
  const failure = await awaitCanaryFailure(ctx, name, newest);
  const failedAfter = seconds(start);
  await waitFor(() => canaryGone(ctx, name), { what: `the canary Deployment ${canaryName(name)} and its pods to be gone`, timeoutMs: 120_000, intervalMs: 1000 });
  await sleep(SETTLE_MS);
  const during = between(startTotals, load.totals());
  const changes = podChanges(stableBefore, podLives(await trackPods(ctx, name, 'stable')));
  const rm = await getRm(ctx, name);
  await narrateCanary(ctx, { rm, failure, changes, stableCount: Object.keys(stableBefore).length, failedAfter, during, start });
  ctx.report('canary', {
    revision: failure.entry.revision, artifactVersion: version, reason: 'CanaryFailed', message: failure.message, historyResult: failure.entry.result,
    historyMessage: failure.entry.message, phasesSeen: failure.watch.phases, canaryPods: failure.watch.canaryPods, canaryGone: true,
    stablePodsUnchanged: changes.unchanged, stablePods: Object.keys(stableBefore).length, stableChanges: changes,
    servingRevision: rm.status?.revision, servingModelVersion: rm.status?.modelVersion, secondsToFail: failedAfter, seconds: seconds(start),
    requests: during.ok + during.failed, failed: during.failed,
  });
  return { failed: during.failed };
}

interface CanaryNarration {
  rm: RiskModelObject;
  failure: { entry: RevisionRecord; message: string; watch: CanaryWatch };
  changes: PodChanges;
  stableCount: number;
  failedAfter: number;
  during: LoadTotals;
  start: number;
}

async function narrateCanary(ctx: DemoContext, n: CanaryNarration): Promise<void> {
  const { rm, failure, during } = n;
  const name = rm.metadata.name;
  ok(`${n.failedAfter} s after the edit: Degraded=True, reason CanaryFailed: ${failure.message}`);
  info(`status.history: revision ${failure.entry.revision} (${failure.entry.modelVersion}) ${failure.entry.result}: ${failure.entry.message ?? ''}`);
  info(`event: ${await eventLine(ctx, name, 'CanaryFailed') ?? '(none yet)'}`);
  ok(`canary Deployment ${canaryName(name)} and its ${failure.watch.canaryPods} pod(s) are gone; ${describeStable(n.changes, n.stableCount)}; `
    + `they still serve revision ${rm.status?.revision} (${rm.status?.modelVersion})`);
  await printRiskModels(ctx);
  const total = during.ok + during.failed;
  const share = total === 0 ? 0 : (100 * during.failed) / total;
  ok(`the load while the canary ran (${seconds(n.start)} s, until its last pod was gone): ${total} requests, ${during.failed} failed (${share.toFixed(1)} %)`);
  info('Those failures are expected, and the point of a canary: the Service sent the canary pods their share of the load, and they answered');
  info('500 to it until the operator measured the 5xx ratio and deleted them, and while they drained. A plain rolling update would have');
  info('sent every request to this model.');
}

/** Each stable pod's GET /model version (pod IPs on the cluster bridge; checked local before any request). */
async function servedVersions(ctx: DemoContext, name: string): Promise<string[]> {
  const pods = (await trackPods(ctx, name, 'stable')).items.filter((p) => !p.metadata.deletionTimestamp);
  return Promise.all(pods.map(async (pod) => {
    const ip = pod.status?.podIP;
    if (!ip) throw new Error(`pod ${pod.metadata.name} has no IP yet`);
    await assertLocalTarget(ip);
    const res = await fetch(`http://${ip}:${CONTAINER_PORT}/model`, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`GET /model on pod ${pod.metadata.name} answered ${res.status}`);
    return ((await res.json()) as { version: string }).version;
  }));
}

/**
 * Done: status says the target revision, the Deployment is rolled out at `held` pods with no
 * other pod left (terminating ones included), and every pod's /model serves the target. (Not
 * "a new ReplicaSet": going back to a pod template that ran before, the Deployment controller
 * scales its old ReplicaSet up again.)
 */
async function rolledBack(ctx: DemoContext, plan: DemoPlan, held: number): Promise<string[] | undefined> {
  const rm = await getRm(ctx, plan.name);
  if (rm.status?.observedGeneration !== rm.metadata.generation || rm.status?.revision !== plan.first.revision) return undefined;
  if (!rolledOut(await getDeploy(ctx, plan.name), held)) return undefined;
  const pods = await getJson<PodList>(ctx.target, ['pods', '-n', ctx.namespace, '-l', instanceSelector(plan.name)]);
  if (pods.items.length !== held) return undefined;
  const versions = await servedVersions(ctx, plan.name);
  return versions.length === held && versions.every((v) => v === plan.first.artifactVersion) ? versions : undefined;
}

/** Step 8: `npm run rollback` pins the revision before step 6's; the stable pods roll back to it under the load. */
export async function rollBackInOneCommand(ctx: DemoContext, plan: DemoPlan, load: RunningLoad): Promise<void> {
  const { name } = plan;
  step(8, 'One-command rollback',
    'Real: npm run rollback reads status.history and sets spec.model.revision to the previous revision; the operator rolls the stable',
    'pods back to that revision\'s immutable snapshot (no canary: it served before), as any rolling update, under the same load. Every request is counted.');
  const from = await getRm(ctx, name);
  const held = (await getDeploy(ctx, name)).spec.replicas ?? plan.max;
  const startTotals = load.totals();
  const start = Date.now();
  info(`$ npm run rollback -- ${name} -n ${ctx.namespace}`);
  const said = await runNode(['--import', 'tsx', join(REPO_ROOT, 'scripts/rollback.ts'), name, '-n', ctx.namespace], { ...process.env, KUBECONFIG: ctx.target.kubeconfig });
  block(said);
  const versions = await waitFor(() => rolledBack(ctx, plan, held), {
    what: `every stable pod to serve revision ${plan.first.revision} (${plan.first.artifactVersion}) and the other pods to be gone`,
    timeoutMs: 300_000, intervalMs: 2000, onPoll: () => ctx.live(),
  });
  const took = seconds(start);
  await sleep(SETTLE_MS);
  const during = between(startTotals, load.totals());
  const rm = await getRm(ctx, name);
  await narrateRollback(ctx, rm, { versions, took, during });
  ctx.report('rollback', {
    fromRevision: from.status?.revision, toRevision: rm.status?.revision, pinned: rm.spec.model.revision, modelVersion: rm.status?.modelVersion,
    artifactVersion: versions[0], podsServing: versions.length, history: (rm.status?.history ?? []).map((h) => ({ revision: h.revision, modelVersion: h.modelVersion, result: h.result })),
    fromResult: historyEntry(rm, from.status?.revision ?? 0)?.result,
    event: await eventLine(ctx, name, 'RolledBack'), output: said.trim(), seconds: took, requests: during.ok + during.failed, failed: during.failed,
  });
}

async function narrateRollback(ctx: DemoContext, rm: RiskModelObject, r: { versions: string[]; took: number; during: LoadTotals }): Promise<void> {
  const name = rm.metadata.name;
  ok(`${r.took} s after the command: all ${r.versions.length} stable pods answer GET /model with ${r.versions[0]}: revision ${rm.status?.revision} (${rm.status?.modelVersion}), pinned by spec.model.revision`);
  const jsonpath = '{range .status.history[*]}{.revision}{"\\t"}{.modelVersion}{"\\t"}{.startedAt}{"\\t"}{.result}{"\\n"}{end}';
  info(`$ kubectl get riskmodel ${name} -o jsonpath='${jsonpath}'`);
  block((await kubectl(ctx.target, ['get', ...rmArgs(ctx, name), '-o', `jsonpath=${jsonpath}`])).stdout);
  info(`event: ${await eventLine(ctx, name, 'RolledBack') ?? '(none yet)'}`);
  await printRiskModels(ctx);
  ok(`requests during the rollback: ${r.during.ok + r.during.failed}, failed: ${r.during.failed}`);
}
