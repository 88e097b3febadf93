// The reconciler: one RiskModel key in, one Action out: look again after the resync period
// (a safety net for a missed watch event), or never for a RiskModel that is gone. Level-based —
// it reads the current state from the caches, never from the event that woke it — and every
// step is a named function. Writes happen only when something differs: children via server-side apply,
// status via the /status subresource, events on transitions.

import { splitKey, withDefaults, type Condition, type RiskModel, type RiskModelStatus } from './api.js';
import { findCondition } from './conditions.js';
import type { V1Deployment, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { CHILD_KINDS, type ChildKind } from './children.js';
import { byKind, desired } from './desired.js';
import { difference, type Difference } from './drift.js';
import { ApiError, awaitChange, requeueAfter, TerminalError, type Action } from './errors.js';
import type { Child, ReconcileContext } from './context.js';
import type { Logger } from './logger.js';
import { resolveModel } from './model-source.js';
import { ConditionType, EventReason, Reason } from './reasons.js';
import { deriveStatus, statusEqual, type Observed, type Outcome } from './status.js';

export interface ReconcileResult {
  /** When to reconcile this key again if no event does it sooner. */
  action: Action;
  /** True when a problem the user must fix stopped the rollout (a terminal error). */
  degraded: boolean;
}

/** Brings one RiskModel's children and status in line with its spec. Throws only retryable errors. */
export async function reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult> {
  const { namespace, name } = splitKey(key);
  const cached = ctx.cache.riskModel(namespace, name);
  // Deleted: the garbage collector removes the children through their owner references.
  if (!cached || cached.metadata.deletionTimestamp) {
    ctx.log.debug('RiskModel deleted; leaving its children to the garbage collector', { namespace, name });
    return { action: awaitChange(), degraded: false };
  }
  const rm = structuredClone(cached);
  const log = ctx.log.child({ namespace, name });
  const { outcome, observed } = await converge(rm, ctx, log);
  const status = deriveStatus({ riskModel: rm, observed, outcome, inferenceImage: ctx.inferenceImage, now: ctx.now() });
  await publishStatus(rm, status, ctx, log);
  await announceTransitions(rm, status, ctx);
  return { action: ctx.resyncMs > 0 ? requeueAfter(ctx.resyncMs) : awaitChange(), degraded: 'problem' in outcome };
}

async function converge(rm: RiskModel, ctx: ReconcileContext, log: Logger): Promise<{ outcome: Outcome; observed: Observed }> {
  try {
    const spec = withDefaults(rm.spec, ctx.inferenceImage);
    const ref = spec.configMapRef;
    const model = resolveModel(spec, rm.metadata.namespace, ref && ctx.cache.configMap(rm.metadata.namespace, ref.name));
    return { outcome: { model }, observed: await applyChildren(rm, desired(rm, { inferenceImage: ctx.inferenceImage }, model), ctx, log) };
  } catch (err) {
    if (!(err instanceof TerminalError)) throw err;
    // A bad model: nothing was written, the running Deployment stays as it is. A refused child: that one is unchanged.
    log.warn('reconcile blocked', { reason: err.reason, error: err.message });
    return { outcome: { problem: { reason: err.reason, message: err.message } }, observed: observeChildren(rm, ctx) };
  }
}

function observeChildren(rm: RiskModel, ctx: ReconcileContext): Observed {
  const { namespace, name } = rm.metadata;
  return observedOf((kind) => ctx.cache.child(kind, namespace, name));
}

function observedOf(stored: (kind: ChildKind) => Child | undefined): Observed {
  return { deployment: stored('Deployment') as V1Deployment | undefined, hpa: stored('HorizontalPodAutoscaler') as V2HorizontalPodAutoscaler | undefined };
}

interface Scope {
  rm: RiskModel;
  ctx: ReconcileContext;
  log: Logger;
}

/** Applies every desired child and deletes those of our kinds the RiskModel should no longer have. */
async function applyChildren(rm: RiskModel, want: ReturnType<typeof desired>, ctx: ReconcileContext, log: Logger): Promise<Observed> {
  const { namespace, name } = rm.metadata;
  const scope = { rm, ctx, log };
  const wanted = byKind(want);
  const stored = await Promise.all(
    CHILD_KINDS.map((kind) => {
      const have = ctx.cache.child(kind, namespace, name);
      const child = wanted[kind];
      return child ? applyIfNeeded(scope, child, have) : removeIfOurs(scope, kind, have);
    }),
  );
  return observedOf((kind) => stored[CHILD_KINDS.indexOf(kind)]);
}

/** Deletes a child this RiskModel controls (never one someone else made under the same name). */
async function removeIfOurs({ rm, ctx, log }: Scope, kind: ChildKind, have: Child | undefined): Promise<undefined> {
  const controller = have?.metadata?.ownerReferences?.find((r) => r.controller);
  if (!have?.metadata?.uid || !rm.metadata.uid || controller?.uid !== rm.metadata.uid) return undefined;
  await ctx.writer.remove(kind, rm.metadata.namespace, rm.metadata.name, have.metadata.uid);
  log.info(`deleted ${kind}`, { kind, child: rm.metadata.name });
  await ctx.events.record(rm, 'Normal', EventReason.Deleted, `deleted ${kind} ${rm.metadata.name} (the spec no longer asks for it)`);
  return undefined;
}

const VERB = { missing: 'created', changed: 'updated', drifted: 'restored' } as const;

async function applyIfNeeded<T extends Child>({ rm, ctx, log }: Scope, want: T, have: T | undefined): Promise<T> {
  const diff = difference(want, have);
  if (diff === 'none' && have) return have;
  const kind = want.kind ?? 'object';
  try {
    const stored = await write(ctx, want, diff);
    const verb = VERB[diff === 'none' ? 'missing' : diff];
    const why = diff === 'drifted' ? ' (a managed field was changed outside the operator)' : '';
    log.info(`${verb} ${kind}`, { kind, child: want.metadata?.name });
    await ctx.events.record(rm, 'Normal', diff === 'missing' ? EventReason.Created : EventReason.Updated, `${verb} ${kind} ${want.metadata?.name}${why}`);
    return stored;
  } catch (err) {
    // 422: a value the CRD schema could not check (say an image reference) made the child invalid.
    if (err instanceof ApiError && err.code === 422) throw new TerminalError(Reason.InvalidChild, `the API server refused the ${kind}: ${err.message}`);
    throw err;
  }
}

/** Applies; a drifted child the server refuses (a hand edit collides with our list entries) is overwritten instead. */
async function write<T extends Child>(ctx: ReconcileContext, want: T, diff: Difference): Promise<T> {
  try {
    return await ctx.writer.apply(want);
  } catch (err) {
    // The same content was accepted before (the spec hash matches), so the edit is the problem.
    if (diff === 'drifted' && err instanceof ApiError && err.code === 422) return ctx.writer.overwrite(want);
    throw err;
  }
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
  const was = before(ConditionType.Degraded);
  if (degraded?.status === 'True' && !(was?.status === 'True' && was.message === degraded.message)) {
    await ctx.events.record(rm, 'Warning', degraded.reason, degraded.message);
  }
}

async function announceReady(rm: RiskModel, ready: Condition | undefined, was: Condition | undefined, ctx: ReconcileContext): Promise<void> {
  // The first "not ready yet" of a new RiskModel is not news.
  if (!ready || ready.status === was?.status || (ready.status !== 'True' && !was)) return;
  const up = ready.status === 'True';
  // A rollout briefly leaves Ready; that is expected, not a warning.
  const type = up || ready.reason === Reason.RollingOut ? 'Normal' : 'Warning';
  await ctx.events.record(rm, type, up ? EventReason.BecameReady : EventReason.NotReady, ready.message);
}
