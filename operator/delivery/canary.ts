// The canary step of a reconcile (strategy Canary): run a new revision in a second Deployment
// behind the same Service, judge the latest figures its analyzer loop measured of its pods
// (operator/delivery/analysis/analyzers.ts, outside the reconcile), and decide — promote, fail, or look
// again in CANARY_CHECK_MS. Level-based: the analysis' clock (startedAt, analysisStartedAt) lives
// in status.canary, keyed by the canary's pod template hash, so a new operator leader carries on
// and any change of model or pod spec restarts the analysis.

import type { V1Deployment } from '@kubernetes/client-node';
import type { CanaryFigures } from './analysis/figures.js';
import { type CanaryFiguresStatus, type CanaryStatus, type ResolvedSpec, type RevisionRecord } from '../api/riskmodel.js';
import { judge, type Judgement, type Timing } from './analysis/judge.js';
import { applyIfNeeded, removeOwned, type Scope } from '../runtime/child-writes.js';
import { rfc3339 } from '../model/conditions.js';
import { failedCanary, recordCanaryFailed, recordCanaryStart, type DeliveryPlan } from './plan.js';
import { servedBy, type Delivery, type Served, type SnapshotServed } from '../model/served.js';
import { canaryDeployment, canaryName, canaryReplicas } from '../model/desired.js';
import { podProblem } from '../model/pod-health.js';
import { EventReason, Reason, type Problem } from '../api/reasons.js';
import { rolloutComplete } from '../model/status.js';
import { CANARY_TEMPLATE_LABEL, canaryTemplateLabel, CONFIG_HASH_ANNOTATION, controlledBy, FAILED_CANARIES_ANNOTATION, LABEL_INSTANCE, TRACK_LABEL } from '../api/labels.js';
import { failedCanaryOf, withFailedCanary } from './failed-canaries.js';

/** How often a running canary is measured. */
export const CANARY_CHECK_MS = 5000;

/** What the canary step leaves for the rest of the delivery step (the Delivery fields it decides). */
export interface CanaryStep extends Pick<Delivery, 'canary' | 'problem' | 'requeueMs'> {
  /** What the stable Deployment serves after this step (the candidate once promoted). */
  stable?: Served;
  /** The history so far (settled once the stable children are applied). */
  history: RevisionRecord[];
  /** The content hash of the revision the canary runs, whose history entry stays open. */
  running?: string;
}

/** Runs, retires or skips the canary for this reconcile's plan. Throws only retryable errors. */
export async function stepCanary(scope: Scope, plan: DeliveryPlan, history: RevisionRecord[]): Promise<CanaryStep> {
  const { rm, ctx } = scope;
  const have = ctx.cache.deployment(rm.metadata.namespace, canaryName(rm.metadata.name));
  if (have && !controlledBy(rm, have)) {
    const message = `Deployment ${canaryName(rm.metadata.name)} exists and is not this RiskModel's canary; rename or delete it to use spec.rollout.strategy Canary`;
    return { ...stableOnly(plan, history), ...(plan.candidate ? { problem: { reason: Reason.InvalidChild, message } } : {}) };
  }
  if (!plan.candidate) return retire(scope, plan, history, have);
  return analyse(scope, { plan, candidate: plan.candidate, history, have });
}

function stableOnly(plan: DeliveryPlan, history: RevisionRecord[]): CanaryStep {
  return { ...(plan.stable ? { stable: plan.stable } : {}), history };
}

/** No canary wanted: one promoted keeps serving until every stable pod runs its revision, any other goes. */
async function retire(scope: Scope, plan: DeliveryPlan, history: RevisionRecord[], have: V1Deployment | undefined): Promise<CanaryStep> {
  if (!have) return stableOnly(plan, history);
  const { rm, ctx } = scope;
  const stable = ctx.cache.deployment(rm.metadata.namespace, rm.metadata.name);
  const promoting = promotingCanary(rm.status?.canary);
  const promoted = promoting !== undefined && same(servedBy(have), servedBy(stable));
  if (promoted && !rolloutComplete(stable)) return { ...stableOnly(plan, history), canary: promoting, requeueMs: CANARY_CHECK_MS };
  await dropCanary(scope, have, promoted ? 'promoted: every stable pod serves its revision' : 'no new revision to analyse');
  return stableOnly(plan, history);
}

/** The pods of the canary with this template: not a previous canary's, still draining while the canary Deployment rolls. */
function canarySelector(name: string, templateHash: string): string {
  return `${LABEL_INSTANCE}=${name},${TRACK_LABEL}=canary,${CANARY_TEMPLATE_LABEL}=${canaryTemplateLabel(templateHash)}`;
}

/** Stops measuring this RiskModel's canaries but the one of template `current` (none: all of them). */
function releaseOthers(scope: Scope, current?: string): void {
  scope.ctx.analyzer.release(scope.rm.metadata.namespace, scope.rm.metadata.name, current);
}

/** Deletes the canary Deployment (if this RiskModel controls it) and stops measuring its pods. */
async function dropCanary(scope: Scope, have: V1Deployment | undefined, why: string): Promise<void> {
  await removeOwned(scope, 'Deployment', have, { reason: EventReason.Deleted, message: `deleted canary Deployment ${canaryName(scope.rm.metadata.name)} (${why})` });
  releaseOthers(scope);
}

function promotingCanary(canary: CanaryStatus | undefined): CanaryStatus | undefined {
  return canary?.phase === 'Promoting' ? canary : undefined;
}

function same(a: Served | undefined, b: Served | undefined): boolean {
  return a?.source === 'snapshot' && b?.source === 'snapshot' && a.contentHash === b.contentHash;
}

interface Analysis {
  plan: DeliveryPlan;
  candidate: SnapshotServed;
  history: RevisionRecord[];
  have: V1Deployment | undefined;
}

interface Target {
  want: V1Deployment;
  replicas: number;
  templateHash: string;
}

/** The canary Deployment for the stable pods' current (HPA-set) count. */
function targetOf(scope: Scope, candidate: SnapshotServed): Target {
  const { rm, ctx, spec } = scope;
  const stable = ctx.cache.deployment(rm.metadata.namespace, rm.metadata.name);
  const replicas = canaryReplicas(stable?.spec?.replicas ?? spec.minReplicas, spec.rollout.canary.weight);
  const want = canaryDeployment(rm, spec, candidate, replicas);
  return { want, replicas, templateHash: want.spec?.template.metadata?.annotations?.[CONFIG_HASH_ANNOTATION] ?? '' };
}

async function analyse(scope: Scope, a: Analysis): Promise<CanaryStep> {
  const { rm } = scope;
  const target = targetOf(scope, a.candidate);
  const failed = failedCanaryOf(rm, a.candidate.contentHash, target.templateHash) ?? failedCanary(a.history, a.candidate.contentHash, target.templateHash);
  if (failed) {
    await dropCanary(scope, a.have, 'its revision failed analysis');
    return { ...stableOnly(a.plan, a.history), problem: failureProblem(a.candidate, failed.message ?? 'analysis failed') };
  }
  const previous = rm.status?.canary?.templateHash === target.templateHash ? rm.status.canary : undefined;
  if (!previous) await announceStart(scope, a.candidate, target.replicas, a.plan.stable);
  await applyIfNeeded(scope, target.want, a.have);
  const verdict = measure(scope, { candidate: a.candidate, target, previous });
  return conclude(scope, { ...a, history: recordCanaryStart(a.history, a.candidate, verdict.status.startedAt) }, verdict);
}

/** Figures before the analyzer's first measurement of a canary ends. */
const NOT_MEASURED: CanaryFigures = { pods: 0, readyPods: 0, restarts: 0, requests: 0, errors: 0, errorRatio: null, p99LatencyMs: null, smoke: { passed: true, message: 'not measured yet' } };

/** The latest figures of the canary of this template; its analyzer loop starts on the first call, and the others stop. */
function latestFigures(scope: Scope, templateHash: string): CanaryFigures {
  const { namespace, name } = scope.rm.metadata;
  releaseOthers(scope, templateHash);
  return scope.ctx.analyzer.observe({ namespace, name, templateHash, selector: canarySelector(name, templateHash) })?.figures ?? NOT_MEASURED;
}

/** Judges the canary's latest figures; the analysis window opens once every canary pod is Ready. */
function measure(scope: Scope, m: { candidate: SnapshotServed; target: Target; previous: CanaryStatus | undefined }): Verdict {
  const { ctx } = scope;
  const { canary } = scope.spec.rollout;
  const figures = latestFigures(scope, m.target.templateHash);
  const now = ctx.now();
  const startedAt = m.previous?.startedAt ?? rfc3339(now);
  const allReady = figures.pods >= m.target.replicas && figures.readyPods >= m.target.replicas;
  const analysisStartedAt = m.previous?.analysisStartedAt ?? (allReady ? rfc3339(now) : undefined);
  const judgement = stuckPods(scope, m.target.templateHash) ?? judge(figures, canary, timingOf(canary, { startedAt, analysisStartedAt, now }));
  const status: CanaryStatus = {
    revision: m.candidate.revision,
    phase: analysisStartedAt ? 'Analyzing' : 'Starting',
    templateHash: m.target.templateHash,
    startedAt,
    ...(analysisStartedAt ? { analysisStartedAt } : {}),
    replicas: m.target.replicas,
    readyReplicas: figures.readyPods,
    message: judgement.message,
    figures: statusFigures(figures),
  };
  return { judgement, status, templateHash: m.target.templateHash };
}

function timingOf(canary: ResolvedSpec['rollout']['canary'], t: { startedAt: string; analysisStartedAt: string | undefined; now: Date }): Timing {
  return {
    sinceCreatedSeconds: secondsSince(t.startedAt, t.now),
    analysisElapsedSeconds: t.analysisStartedAt === undefined ? undefined : secondsSince(t.analysisStartedAt, t.now),
    analysisSeconds: canary.analysisSeconds,
    readyTimeoutSeconds: canary.readyTimeoutSeconds,
  };
}

/**
 * A failing judgement when a canary pod cannot run (an image it cannot pull, a crash loop, no
 * node, …: operator/model/pod-health.ts), so the canary fails at once, in the kubelet's words, instead of
 * after readyTimeoutSeconds. Read from the pod informer's cache, like the stable pods' health.
 */
function stuckPods(scope: Scope, templateHash: string): Judgement | undefined {
  const { rm, ctx } = scope;
  const canaryPods = ctx.cache.pods(rm.metadata.namespace, rm.metadata.name).filter((p) => p.metadata?.labels?.[TRACK_LABEL] === 'canary');
  const problem = podProblem(canaryPods, templateHash);
  if (!problem) return undefined;
  const message = `${problem.reason}: ${problem.message}`;
  return { verdict: 'fail', message, failed: [message] };
}

interface Verdict {
  judgement: Judgement;
  status: CanaryStatus;
  templateHash: string;
}

async function conclude(scope: Scope, a: Analysis, v: Verdict): Promise<CanaryStep> {
  const { rm, ctx } = scope;
  const what = `canary of revision ${a.candidate.revision} (${a.candidate.modelVersion})`;
  if (v.judgement.verdict === 'fail') {
    const message = v.judgement.message;
    await recordFailure(scope, a.candidate, { message, templateHash: v.templateHash });
    await dropCanary(scope, ctx.cache.deployment(rm.metadata.namespace, canaryName(rm.metadata.name)), 'analysis failed');
    const history = recordCanaryFailed(a.history, a.candidate, rfc3339(ctx.now()), { message, templateHash: v.templateHash });
    return { ...stableOnly(a.plan, history), problem: failureProblem(a.candidate, message) };
  }
  if (v.judgement.verdict === 'pass') {
    await ctx.events.record(rm, 'Normal', EventReason.CanaryPromoted, `${what} passed its analysis (${v.judgement.message}); rolling the stable pods to it`);
    return { stable: a.candidate, history: a.history, canary: { ...v.status, phase: 'Promoting' }, requeueMs: CANARY_CHECK_MS, running: a.candidate.contentHash };
  }
  return { ...stableOnly(a.plan, a.history), canary: v.status, requeueMs: CANARY_CHECK_MS, running: a.candidate.contentHash };
}

/** Records the failure on the RiskModel before anything else, so no later reconcile (of any leader) tries this canary again. */
async function recordFailure(scope: Scope, candidate: SnapshotServed, failure: { message: string; templateHash: string }): Promise<void> {
  const { rm, ctx } = scope;
  const entry = { contentHash: candidate.contentHash, templateHash: failure.templateHash, revision: candidate.revision, message: failure.message, at: rfc3339(ctx.now()) };
  await ctx.writer.annotate(rm, { [FAILED_CANARIES_ANNOTATION]: withFailedCanary(rm, entry) });
}

/** The figures as status shows them: rounded, and without the ratio and latency before the first request. */
function statusFigures(f: CanaryFigures): CanaryFiguresStatus {
  const { errorRatio, p99LatencyMs, ...counts } = f;
  return {
    ...counts,
    ...(errorRatio === null ? {} : { errorRatio: Math.round(errorRatio * 1e4) / 1e4 }),
    ...(p99LatencyMs === null ? {} : { p99LatencyMs: Math.round(p99LatencyMs * 10) / 10 }),
  };
}

function failureProblem(candidate: SnapshotServed, message: string): Problem {
  return { reason: Reason.CanaryFailed, message: `canary of revision ${candidate.revision} (${candidate.modelVersion}) failed: ${message}; change the model or the pod spec to try again` };
}

async function announceStart(scope: Scope, candidate: SnapshotServed, replicas: number, stable: Served | undefined): Promise<void> {
  const beside = stable?.source === 'snapshot' ? `revision ${stable.revision}` : 'the current model';
  const message = `canary of revision ${candidate.revision} (${candidate.modelVersion}) started: ${replicas} pod(s) beside the stable pods serving ${beside}`;
  await scope.ctx.events.record(scope.rm, 'Normal', EventReason.CanaryStarted, message);
}

function secondsSince(time: string, now: Date): number {
  return Math.max(0, (now.getTime() - Date.parse(time)) / 1000);
}
