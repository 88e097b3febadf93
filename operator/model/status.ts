// Status derivation: what `kubectl get riskmodel` shows, computed only from what the operator
// observed. Pure — the clock is an argument and conditions keep their transition times — so
// deriving twice from the same observation gives an equal status and no write.

import type { V1Deployment, V1Pod, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { endpointOf, type CanaryStatus, type Condition, type DriftStatus, type ResolvedSpec, type RiskModel, type RiskModelStatus } from '../api/riskmodel.js';
import { rfc3339, setCondition, type ConditionUpdate } from './conditions.js';
import { canonicalJson } from './hash.js';
import { modelVersionOf, type Delivery, type Served } from './served.js';
import { podProblem, templateHashOf } from './pod-health.js';
import { driftVerdict, type DriftFigures } from './input-drift.js';
import { autoscalingStatus, CPU_DEADBAND_POINTS, metricsProblem } from './autoscaling.js';
import { ConditionType, Reason, type Problem } from '../api/reasons.js';

export interface Observed {
  deployment?: V1Deployment;
  hpa?: V2HorizontalPodAutoscaler;
  /** The RiskModel's pods (stable and canary) from the pod informer; only those of the Deployment's current template are judged. */
  pods?: readonly V1Pod[];
}

export interface StatusInput {
  riskModel: RiskModel;
  observed: Observed;
  /** The RiskModel's spec with its defaults, resolved once per reconcile. */
  spec: ResolvedSpec;
  delivery: Delivery;
  /** The stable pods' latest input drift; undefined before the first reading (or with drift off). */
  drift?: DriftFigures;
  now: Date;
}

interface Counts {
  wanted: number;
  replicas: number;
  updated: number;
  ready: number;
  available: number;
  generation: number;
  observedGeneration: number;
}

function countsOf(d: V1Deployment): Counts {
  return { wanted: d.spec?.replicas ?? 1, generation: d.metadata?.generation ?? 0, ...statusCounts(d.status ?? {}) };
}

function statusCounts(s: NonNullable<V1Deployment['status']>): Omit<Counts, 'wanted' | 'generation'> {
  return {
    replicas: s.replicas ?? 0,
    updated: s.updatedReplicas ?? 0,
    ready: s.readyReplicas ?? 0,
    available: s.availableReplicas ?? 0,
    observedGeneration: s.observedGeneration ?? -1,
  };
}

/** kubectl's `rollout status` test: the controller saw the latest spec and every pod is updated and available. */
export function rolloutComplete(d: V1Deployment | undefined): boolean {
  if (!d) return false;
  const c = countsOf(d);
  return c.generation <= c.observedGeneration && c.updated >= c.wanted && c.replicas <= c.updated && c.available >= c.updated;
}

function rolloutStuck(d: V1Deployment): string | undefined {
  const progressing = d.status?.conditions?.find((c) => c.type === 'Progressing');
  return progressing?.reason === 'ProgressDeadlineExceeded' ? progressing.message : undefined;
}

function cpuUtilization(hpa: V2HorizontalPodAutoscaler | undefined): number | undefined {
  const cpu = hpa?.status?.currentMetrics?.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu');
  return cpu?.resource?.current.averageUtilization;
}

function timeString(value: unknown): string | undefined {
  if (value instanceof Date) return rfc3339(value);
  return typeof value === 'string' ? value : undefined;
}

type Verdict = { ready: ConditionUpdate; progressing: ConditionUpdate; degraded: ConditionUpdate };

const cond = (type: string, ok: boolean, reason: string, message: string): ConditionUpdate => ({ type, status: ok ? 'True' : 'False', reason, message });

/** What stops the spec: the reconcile's own problem, else pods of the current template that cannot run, else a rollout past its deadline, else request metrics the HPA cannot read. */
function problemOf(input: StatusInput): Problem | undefined {
  if (input.delivery.problem) return input.delivery.problem;
  const { deployment, pods } = input.observed;
  const stuckPods = podProblem(pods ?? [], templateHashOf(deployment));
  if (stuckPods) return stuckPods;
  const stuck = deployment && rolloutStuck(deployment);
  if (stuck) return { reason: Reason.RolloutStuck, message: stuck };
  return metricsProblem(input.spec, input.observed.hpa, input.now).problem;
}

function blockedVerdict(problem: Problem, serving: boolean): Verdict {
  const note = serving ? ' (the previous version keeps serving)' : '';
  return {
    // Not Ready: what the spec asks for is not what runs (so `kubectl wait --for=condition=Ready` waits for the fix).
    ready: cond(ConditionType.Ready, false, problem.reason, problem.message + note),
    progressing: cond(ConditionType.Progressing, false, Reason.Blocked, `rollout blocked: ${problem.message}`),
    degraded: cond(ConditionType.Degraded, true, problem.reason, problem.message),
  };
}

function rolloutVerdict(d: V1Deployment | undefined, minReplicas: number, pinned: number | undefined): Omit<Verdict, 'degraded'> {
  if (!d) {
    const msg = 'creating the Deployment';
    return { ready: cond(ConditionType.Ready, false, Reason.DeploymentMissing, msg), progressing: cond(ConditionType.Progressing, true, Reason.RollingOut, msg) };
  }
  const c = countsOf(d);
  if (!rolloutComplete(d)) {
    const msg = `rollout in progress: ${c.updated} of ${c.wanted} pods updated, ${c.available} available`;
    return { ready: cond(ConditionType.Ready, false, Reason.RollingOut, msg), progressing: cond(ConditionType.Progressing, true, Reason.RollingOut, msg) };
  }
  const progressing = cond(ConditionType.Progressing, false, Reason.RolloutComplete, 'every pod runs the current template');
  if (c.ready < minReplicas) {
    return { ready: cond(ConditionType.Ready, false, Reason.InsufficientReplicas, `${c.ready} of at least ${minReplicas} pods ready`), progressing };
  }
  const pin = pinned === undefined ? '' : `; pinned to revision ${pinned} by spec.model.revision`;
  return { ready: cond(ConditionType.Ready, true, Reason.Available, `${c.ready} pods ready (minimum ${minReplicas})${pin}`), progressing };
}

const NOT_DEGRADED = cond(ConditionType.Degraded, false, Reason.AsExpected, 'no problems detected');

/** While a canary is analysed the spec's newest revision is not what the stable pods run: not Ready yet, like a rollout. */
function canaryVerdict(canary: CanaryStatus): Verdict {
  const msg = `canary of revision ${canary.revision} ${canary.phase === 'Starting' ? 'starting' : 'under analysis'} (${canary.readyReplicas} of ${canary.replicas} pods ready): ${canary.message}`;
  return { ready: cond(ConditionType.Ready, false, Reason.CanaryAnalysis, msg), progressing: cond(ConditionType.Progressing, true, Reason.CanaryAnalysis, msg), degraded: NOT_DEGRADED };
}

function verdict(input: StatusInput, minReplicas: number): Verdict {
  const d = input.observed.deployment;
  const problem = problemOf(input);
  if (problem) return blockedVerdict(problem, d !== undefined && rolloutComplete(d) && countsOf(d).ready >= minReplicas);
  const canary = input.delivery.canary;
  if (canary && canary.phase !== 'Promoting') return canaryVerdict(canary);
  return { ...rolloutVerdict(d, minReplicas, input.delivery.pinned), degraded: NOT_DEGRADED };
}

/**
 * kstatus' Reconciling and Stalled, derived from the verdict so they never disagree with it:
 * Reconciling mirrors Progressing=True (a rollout or a canary under way), Stalled mirrors
 * Degraded=True (a problem only the user can fix), so kstatus reads InProgress and Failed.
 */
function kstatusPair(v: Verdict): [ConditionUpdate, ConditionUpdate] {
  const working = v.progressing.status === 'True';
  const stalled = v.degraded.status === 'True';
  return [
    cond(ConditionType.Reconciling, working, working ? v.progressing.reason : Reason.Reconciled, working ? v.progressing.message : stalled ? 'nothing to do until the problem is fixed (see Stalled)' : 'the children match the spec'),
    cond(ConditionType.Stalled, stalled, v.degraded.reason, v.degraded.message),
  ];
}

function autoscalerFigures(hpa: V2HorizontalPodAutoscaler | undefined): Pick<RiskModelStatus, 'desiredReplicas' | 'currentCPUUtilizationPercentage' | 'lastScaleTime'> {
  return { desiredReplicas: hpa?.status?.desiredReplicas, currentCPUUtilizationPercentage: cpuUtilization(hpa), lastScaleTime: timeString(hpa?.status?.lastScaleTime) };
}

function defined<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}

function replicaCounts(d: V1Deployment | undefined): Pick<RiskModelStatus, 'replicas' | 'readyReplicas'> {
  const counts = d ? countsOf(d) : undefined;
  return { replicas: counts?.replicas ?? 0, readyReplicas: counts?.ready ?? 0 };
}

/** The published CPU figure, unless the new reading is within the deadband of it. */
function dampedCpu(previous: number | undefined, observed: number | undefined): number | undefined {
  if (previous === undefined || observed === undefined) return observed;
  return Math.abs(observed - previous) < CPU_DEADBAND_POINTS ? previous : observed;
}

/**
 * The status a RiskModel should have after this observation. Pure. `modelVersion` follows the
 * resolved model; while a problem blocks the rollout it keeps the previous value (what still
 * runs). Conditions keep their lastTransitionTime unless their status flips. The autoscaler's
 * readings (currentCPUUtilizationPercentage, status.autoscaling) move on their own only beyond
 * their deadband (autoscaling.ts); with any other change they are exact.
 */
export function deriveStatus(input: StatusInput): RiskModelStatus {
  const rm = input.riskModel;
  const spec = input.spec;
  const generation = rm.metadata.generation ?? 0;
  const drift = driftFigures(input, verdictConditions(input, generation));
  const exact = defined({
    observedGeneration: generation,
    ...replicaCounts(input.observed.deployment),
    ...autoscalerFigures(input.observed.hpa),
    modelVersion: servedVersion(spec, input.delivery.served) ?? rm.status?.modelVersion,
    ...deliveryFigures(input.delivery, rm.status),
    endpoint: endpointOf(rm.metadata.name, rm.metadata.namespace, spec.service.port),
    drift: drift.status,
    autoscaling: autoscalingStatus(spec, input.observed.hpa),
    conditions: drift.conditions,
  });
  const damped = defined({
    ...exact,
    currentCPUUtilizationPercentage: dampedCpu(rm.status?.currentCPUUtilizationPercentage, exact.currentCPUUtilizationPercentage),
    autoscaling: autoscalingStatus(spec, input.observed.hpa, rm.status?.autoscaling?.metrics),
  });
  return statusEqual(rm.status, damped) ? damped : exact;
}

/** Ready, Progressing, Degraded and the kstatus pair from the verdict, transition times kept. */
function verdictConditions(input: StatusInput, generation: number): Condition[] | undefined {
  const v = verdict(input, input.spec.minReplicas);
  let conditions = input.riskModel.status?.conditions;
  for (const update of [v.ready, v.progressing, v.degraded, ...kstatusPair(v)]) conditions = setCondition(conditions, update, generation, input.now);
  return conditions;
}

/**
 * InputDrift and status.drift: status.drift is kept as published until a reading replaces it,
 * and both go when spec.monitoring.drift is off. Never touches another condition.
 */
function driftFigures(input: StatusInput, conditions: Condition[] | undefined): { conditions: Condition[] | undefined; status?: DriftStatus } {
  const { riskModel: rm, spec } = input;
  if (!spec.drift.enabled) return { conditions: conditions?.filter((c) => c.type !== ConditionType.InputDrift) };
  const verdict = driftVerdict(input.drift, spec.drift, rm.status?.drift, rfc3339(input.now));
  const status = verdict.status ?? rm.status?.drift;
  return { conditions: setCondition(conditions, verdict.condition, rm.metadata.generation ?? 0, input.now), ...(status ? { status } : {}) };
}

/** Revision, history and canary; a revision or history this reconcile did not establish stays as published. */
function deliveryFigures(delivery: Delivery, previous: RiskModelStatus | undefined): Pick<RiskModelStatus, 'revision' | 'history' | 'canary'> {
  const served = delivery.served;
  const revision = served ? (served.source === 'snapshot' ? served.revision : undefined) : previous?.revision;
  const history = delivery.history === 'unchanged' ? previous?.history : delivery.history;
  return { revision, history: history?.length ? history : undefined, canary: delivery.canary };
}

function servedVersion(spec: ResolvedSpec, served: Served | undefined): string | undefined {
  if (!served) return undefined;
  return served.source === 'snapshot' ? served.modelVersion : modelVersionOf(spec, { source: 'image' });
}

/** True when two statuses are semantically equal (key order ignored). */
export function statusEqual(a: RiskModelStatus | undefined, b: RiskModelStatus | undefined): boolean {
  return canonicalJson(a ?? {}) === canonicalJson(b ?? {});
}
