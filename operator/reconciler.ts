// The reconciler: one RiskModel key in, one Action out, read like a table of contents (spec →
// plan → step → status): look again after the resync period (a safety net for a missed watch
// event), or never for a RiskModel that is gone. Level-based — it reads the current state from
// the caches, never from the event that woke it — and every step is a named function. Writes
// happen only when something differs: children via server-side apply, status via the /status
// subresource, events on transitions.

import { splitKey, withDefaults, type Condition, type RiskModel, type RiskModelStatus } from './api/riskmodel.js';
import { ConditionType, EventReason, POD_REASONS, Reason } from './api/reasons.js';
import { sourceOf } from './delivery/model-source.js';
import { ownSnapshots, snapshotSelector } from './delivery/snapshots.js';
import { planDelivery, type DeliveryPlan } from './delivery/plan.js';
import { deliver } from './delivery/step.js';
import { findCondition } from './model/conditions.js';
import { servedBy } from './model/served.js';
import { templateHashOf } from './model/pod-health.js';
import type { DriftFigures } from './model/input-drift.js';
import { LABEL_INSTANCE, TRACK_LABEL } from './api/labels.js';
import { deriveStatus, statusEqual, type Observed } from './model/status.js';
import { metricsProblem } from './model/autoscaling.js';
import type { Scope } from './runtime/child-writes.js';
import type { ReconcileContext } from './runtime/context.js';
import { awaitChange, requeueAfter, type Action } from './errors.js';
import type { Logger } from './logger.js';

export interface ReconcileResult {
  /** When to reconcile this key again if no event does it sooner. */
  action: Action;
  /** True when a problem the user must fix stops part of the spec, or pods of it cannot run (Degraded). */
  degraded: boolean;
}

/**
 * Brings one RiskModel's children and status in line with its spec: resolve the spec once, plan
 * the model delivery (pure), carry it out (the one effectful step), derive status (pure), publish
 * it and announce what changed. Throws only retryable errors.
 */
export async function reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult> {
  const { namespace, name } = splitKey(key);
  const cached = ctx.cache.riskModel(namespace, name);
  // Deleted: the garbage collector removes the children through their owner references.
  if (!cached || cached.metadata.deletionTimestamp) {
    ctx.log.debug('RiskModel deleted; leaving its children to the garbage collector', { namespace, name });
    ctx.analyzer.release(namespace, name);
    ctx.drift.release(namespace, name);
    return { action: awaitChange(), degraded: false };
  }
  const rm = structuredClone(cached);
  const scope: Scope = { rm, spec: withDefaults(rm.spec, ctx.inferenceImage), ctx, log: ctx.log.child({ namespace, name }) };
  const { delivery, observed } = await deliver(scope, planFor(scope));
  const drift = observeDrift(scope, observed);
  const status = deriveStatus({ riskModel: rm, spec: scope.spec, observed: withPods(observed, rm, ctx), delivery, ...(drift ? { drift } : {}), now: ctx.now() });
  await publishStatus(rm, status, ctx, scope.log);
  await announceTransitions(rm, status, ctx);
  const sooner = [delivery.requeueMs, metricsProblem(scope.spec, observed.hpa, ctx.now()).recheckMs];
  return { action: nextLook(ctx.resyncMs, sooner), degraded: findCondition(status.conditions, ConditionType.Degraded)?.status === 'True' };
}

/** The delivery plan from what the caches hold: the user's model, this RiskModel's snapshots, what its stable Deployment serves. */
function planFor({ rm, spec, ctx }: Scope): DeliveryPlan {
  const { namespace, name } = rm.metadata;
  const ref = spec.configMapRef;
  const source = sourceOf(spec, namespace, ref && ctx.cache.configMap(namespace, ref.name));
  const snapshots = ownSnapshots(rm, ctx.cache.configMapsLabelled(namespace, snapshotSelector(name))).map((k) => k.snapshot);
  const stable = servedBy(ctx.cache.deployment(namespace, name));
  return planDelivery({ rm, spec, source, snapshots, stable, history: rm.status?.history ?? [] });
}

/**
 * The stable pods' latest input drift, read outside the reconcile by a loop per pod template
 * (started here, the previous template's stopped); none while drift is off or nothing is served.
 */
function observeDrift({ rm, spec, ctx }: Scope, observed: Observed): DriftFigures | undefined {
  const { namespace, name } = rm.metadata;
  const templateHash = templateHashOf(observed.deployment);
  if (!spec.drift.enabled || !templateHash) {
    ctx.drift.release(namespace, name);
    return undefined;
  }
  ctx.drift.release(namespace, name, templateHash);
  return ctx.drift.observe({ namespace, name, templateHash, selector: `${LABEL_INSTANCE}=${name},${TRACK_LABEL}=stable` })?.figures;
}

/** The resync, or sooner while a canary runs or a request metric's grace runs out. */
function nextLook(resyncMs: number, sooner: ReadonlyArray<number | undefined>): Action {
  const soonest = [resyncMs, ...sooner].filter((ms): ms is number => ms !== undefined && ms > 0);
  return soonest.length > 0 ? requeueAfter(Math.min(...soonest)) : awaitChange();
}

/** Adds the RiskModel's pods (from the pod informer's cache: no list per reconcile) to what was observed. */
function withPods(observed: Observed, rm: RiskModel, ctx: ReconcileContext): Observed {
  return { ...observed, pods: ctx.cache.pods(rm.metadata.namespace, rm.metadata.name) };
}

async function publishStatus(rm: RiskModel, status: RiskModelStatus, ctx: ReconcileContext, log: Logger): Promise<void> {
  if (statusEqual(rm.status, status)) return;
  await ctx.writer.applyStatus(rm, status);
  log.debug('status updated', { ready: findCondition(status.conditions, ConditionType.Ready)?.reason });
}

/** Events for condition changes: Ready flips, and a new or changed Degraded problem. */
async function announceTransitions(rm: RiskModel, status: RiskModelStatus, ctx: ReconcileContext): Promise<void> {
  const now = (type: string) => findCondition(status.conditions, type);
  const before = (type: string) => findCondition(rm.status?.conditions, type);
  await announceReady(rm, now(ConditionType.Ready), before(ConditionType.Ready), ctx);
  const degraded = now(ConditionType.Degraded);
  if (degraded?.status === 'True' && newProblem(degraded, before(ConditionType.Degraded))) {
    await ctx.events.record(rm, 'Warning', degraded.reason, degraded.message);
  }
  await announceDrift(rm, now(ConditionType.InputDrift), before(ConditionType.InputDrift), ctx);
}

/** A Warning when InputDrift turns True, a Normal event when a drift clears (True → False). */
async function announceDrift(rm: RiskModel, drift: Condition | undefined, was: Condition | undefined, ctx: ReconcileContext): Promise<void> {
  if (drift?.status === 'True' && was?.status !== 'True') await ctx.events.record(rm, 'Warning', EventReason.InputDriftDetected, drift.message);
  if (drift?.status === 'False' && was?.status === 'True') await ctx.events.record(rm, 'Normal', EventReason.InputDriftCleared, drift.message);
}

/**
 * Whether a Degraded=True condition is news: a new reason, or a new message for a problem of the
 * spec. A pod problem is one cause however its kubelet words change (ErrImagePull and
 * ImagePullBackOff alternate, back-off delays grow), so it gets one event, not one per message.
 */
function newProblem(degraded: Condition, was: Condition | undefined): boolean {
  if (was?.status !== 'True' || was.reason !== degraded.reason) return true;
  return !POD_REASONS.has(degraded.reason) && was.message !== degraded.message;
}

async function announceReady(rm: RiskModel, ready: Condition | undefined, was: Condition | undefined, ctx: ReconcileContext): Promise<void> {
  // The first "not ready yet" of a new RiskModel is not news.
  if (!ready || ready.status === was?.status || (ready.status !== 'True' && !was)) return;
  const up = ready.status === 'True';
  // A rollout briefly leaves Ready; that is expected, not a warning.
  const type = up || ready.reason === Reason.RollingOut || ready.reason === Reason.CanaryAnalysis ? 'Normal' : 'Warning';
  await ctx.events.record(rm, type, up ? EventReason.BecameReady : EventReason.NotReady, ready.message);
}
