// The reconciler: one RiskModel key in, one Action out: look again after the resync period
// (a safety net for a missed watch event), or never for a RiskModel that is gone. Level-based —
// it reads the current state from the caches, never from the event that woke it — and every
// step is a named function. Writes happen only when something differs: children via server-side apply,
// status via the /status subresource, events on transitions.

import { splitKey, withDefaults, type Condition, type RiskModel, type RiskModelStatus } from './api/riskmodel.js';
import { findCondition } from './model/conditions.js';
import type { V1Deployment, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { applyIfNeeded, removeOwned, type Scope } from './runtime/child-writes.js';
import { CHILD_KINDS, type ChildKind } from './api/children.js';
import { byKind, desired } from './model/desired.js';
import { awaitChange, requeueAfter, TerminalError, type Action } from './errors.js';
import type { Child, ReconcileContext } from './runtime/context.js';
import type { Logger } from './logger.js';
import { ConditionType, EventReason, POD_REASONS, Reason } from './api/reasons.js';
import { deliver, settle, type Delivered } from './delivery/deliver.js';
import { deriveStatus, statusEqual, type Observed, type Outcome } from './model/status.js';

export interface ReconcileResult {
  /** When to reconcile this key again if no event does it sooner. */
  action: Action;
  /** True when a problem the user must fix stops part of the spec, or pods of it cannot run (Degraded). */
  degraded: boolean;
}

/** Brings one RiskModel's children and status in line with its spec. Throws only retryable errors. */
export async function reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult> {
  const { namespace, name } = splitKey(key);
  const cached = ctx.cache.riskModel(namespace, name);
  // Deleted: the garbage collector removes the children through their owner references.
  if (!cached || cached.metadata.deletionTimestamp) {
    ctx.log.debug('RiskModel deleted; leaving its children to the garbage collector', { namespace, name });
    ctx.analyzer.release(namespace, name);
    return { action: awaitChange(), degraded: false };
  }
  const rm = structuredClone(cached);
  const scope = { rm, ctx, log: ctx.log.child({ namespace, name }) };
  const { outcome, observed, requeueMs } = await converge(scope);
  const status = deriveStatus({ riskModel: rm, observed: withPods(observed, rm, ctx), outcome, inferenceImage: ctx.inferenceImage, now: ctx.now() });
  await publishStatus(rm, status, ctx, scope.log);
  await announceTransitions(rm, status, ctx);
  return { action: nextLook(ctx.resyncMs, requeueMs), degraded: findCondition(status.conditions, ConditionType.Degraded)?.status === 'True' };
}

/** The resync, or sooner while a canary runs. */
function nextLook(resyncMs: number, requeueMs: number | undefined): Action {
  const soonest = [resyncMs, requeueMs ?? 0].filter((ms) => ms > 0);
  return soonest.length > 0 ? requeueAfter(Math.min(...soonest)) : awaitChange();
}

interface Converged {
  outcome: Outcome;
  observed: Observed;
  requeueMs?: number;
}

async function converge(scope: Scope): Promise<Converged> {
  const { rm, ctx, log } = scope;
  const spec = withDefaults(rm.spec, ctx.inferenceImage);
  let delivered: Delivered | undefined;
  try {
    delivered = await deliver(scope, spec);
    const outcome: Outcome = { ...delivered.outcome };
    const stable = outcome.served;
    if (!stable) return { outcome, observed: observeChildren(rm, ctx), ...requeue(delivered) };
    const observed = await applyChildren(scope, desired(rm, { inferenceImage: ctx.inferenceImage }, stable));
    outcome.history = await settle(scope, spec, delivered);
    return { outcome, observed, ...requeue(delivered) };
  } catch (err) {
    if (!(err instanceof TerminalError)) throw err;
    // A refused child (the canary, or a stable one): that one is unchanged, the problem is
    // reported, and the history stays as it was (an outcome without one keeps status.history).
    log.warn('reconcile blocked', { reason: err.reason, error: err.message });
    const { history: _unsettled, ...before } = delivered?.outcome ?? {};
    return { outcome: { ...before, problem: { reason: err.reason, message: err.message } }, observed: observeChildren(rm, ctx), ...requeue(delivered) };
  }
}

function requeue(d: Delivered | undefined): { requeueMs?: number } {
  return d?.requeueMs === undefined ? {} : { requeueMs: d.requeueMs };
}

function observeChildren(rm: RiskModel, ctx: ReconcileContext): Observed {
  const { namespace, name } = rm.metadata;
  return observedOf((kind) => ctx.cache.child(kind, namespace, name));
}

/** Adds the RiskModel's pods (from the pod informer's cache: no list per reconcile) to what was observed. */
function withPods(observed: Observed, rm: RiskModel, ctx: ReconcileContext): Observed {
  return { ...observed, pods: ctx.cache.pods(rm.metadata.namespace, rm.metadata.name) };
}

function observedOf(stored: (kind: ChildKind) => Child | undefined): Observed {
  return { deployment: stored('Deployment') as V1Deployment | undefined, hpa: stored('HorizontalPodAutoscaler') as V2HorizontalPodAutoscaler | undefined };
}

/** Applies every desired child and deletes those of our kinds the RiskModel should no longer have. */
async function applyChildren(scope: Scope, want: ReturnType<typeof desired>): Promise<Observed> {
  const { rm, ctx } = scope;
  const { namespace, name } = rm.metadata;
  const wanted = byKind(want);
  const stored = await Promise.all(
    CHILD_KINDS.map((kind) => {
      const have = ctx.cache.child(kind, namespace, name);
      const child = wanted[kind];
      return child ? applyIfNeeded(scope, child, have) : removeUnwanted(scope, kind, have);
    }),
  );
  return observedOf((kind) => stored[CHILD_KINDS.indexOf(kind)]);
}

async function removeUnwanted(scope: Scope, kind: ChildKind, have: Child | undefined): Promise<undefined> {
  const message = `deleted ${kind} ${scope.rm.metadata.name} (the spec no longer asks for it)`;
  await removeOwned(scope, kind, have, { reason: EventReason.Deleted, message });
  return undefined;
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
