// The effectful step of model delivery, after its pure plan (operator/delivery/plan.ts): write
// the snapshot the plan creates before any pod may mount it, run the canary step (canary.ts),
// apply the children for what the stable pods serve, then settle the history, say what changed
// in events and prune snapshots beyond spec.revisionHistoryLimit. It returns the one Delivery
// value status is derived from (operator/model/status.ts).

import type { RevisionRecord } from '../api/riskmodel.js';
import { stepCanary, type CanaryStep } from './canary.js';
import { applyChildren, observeChildren, removeOwned, type Scope } from '../runtime/child-writes.js';
import { rfc3339 } from '../model/conditions.js';
import { desired } from '../model/desired.js';
import { previousRevision, settleHistory, type DeliveryPlan } from './plan.js';
import type { Delivery, Served } from '../model/served.js';
import type { Observed } from '../model/status.js';
import { TerminalError } from '../errors.js';
import { EventReason } from '../api/reasons.js';
import { ownSnapshots, prunable, snapshotConfigMap, snapshotSelector } from './snapshots.js';

export interface Stepped {
  delivery: Delivery;
  /** The children as stored after the step (or as cached, when nothing was applied). */
  observed: Observed;
}

/**
 * Carries out `plan`. A write the API server refuses (TerminalError: the canary or a stable
 * child) becomes the problem, with the history 'unchanged'; the children keep what they had.
 * Throws only retryable errors.
 */
export async function deliver(scope: Scope, plan: DeliveryPlan): Promise<Stepped> {
  const { rm, ctx, log } = scope;
  let step: CanaryStep | undefined;
  try {
    if (plan.problem) log.warn('model not rolled out', { reason: plan.problem.reason, error: plan.problem.message });
    if (plan.create) await writeSnapshot(scope, plan.create);
    step = await stepCanary(scope, plan, [...(rm.status?.history ?? [])]);
    if (!step.stable) return { delivery: { ...concluded(plan, step), history: step.history }, observed: observeChildren(rm, ctx) };
    const observed = await applyChildren(scope, desired(rm, scope.spec, step.stable));
    return { delivery: { ...concluded(plan, step), history: await settle(scope, plan, step, step.stable) }, observed };
  } catch (err) {
    if (!(err instanceof TerminalError)) throw err;
    log.warn('reconcile blocked', { reason: err.reason, error: err.message });
    const before = step ? concluded(plan, step) : {};
    return { delivery: { ...before, history: 'unchanged', problem: { reason: err.reason, message: err.message } }, observed: observeChildren(rm, ctx) };
  }
}

/** The Delivery fields but the history: what the stable pods serve, the canary, the problem (the plan's first), the pin, when to look again. */
function concluded(plan: DeliveryPlan, step: CanaryStep): Omit<Delivery, 'history'> {
  return defined({ served: step.stable, problem: plan.problem ?? step.problem, canary: step.canary, pinned: plan.pinned, requeueMs: step.requeueMs });
}

/** `obj` without its undefined fields (exactOptionalPropertyTypes). */
function defined<T extends object>(obj: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}

async function writeSnapshot(scope: Scope, create: NonNullable<DeliveryPlan['create']>): Promise<void> {
  const { rm, ctx, log } = scope;
  const cm = await ctx.writer.apply(snapshotConfigMap(rm, create.snapshot, create.text));
  const from = rm.spec.model.configMapRef ? ` from ConfigMap ${rm.spec.model.configMapRef.name}` : '';
  log.info('created model snapshot', { snapshot: cm.metadata?.name, revision: create.snapshot.revision });
  await ctx.events.record(rm, 'Normal', EventReason.SnapshotCreated, `snapshot ${cm.metadata?.name} holds revision ${create.snapshot.revision} (${create.snapshot.modelVersion})${from}`);
}

/**
 * After the stable children were applied: the history entry of what they serve, an event when
 * that changed, and the pruning of old snapshots. Returns the history for status.
 */
async function settle(scope: Scope, plan: DeliveryPlan, step: CanaryStep, served: Served): Promise<RevisionRecord[]> {
  const how = plan.pinned !== undefined ? 'RolledBack' : 'Superseded';
  const history = settleHistory(step.history, served, { ...(step.running ? { running: step.running } : {}), how, now: rfc3339(scope.ctx.now()) });
  await announceServing(scope, plan, served);
  await prune(scope, plan, served, history);
  return history;
}

async function announceServing(scope: Scope, plan: DeliveryPlan, served: Served): Promise<void> {
  const before = plan.before;
  if (served.source !== 'snapshot' || (before?.source === 'snapshot' && before.contentHash === served.contentHash)) return;
  const was = before?.source === 'snapshot' ? `; was revision ${before.revision}` : '';
  const what = `revision ${served.revision} (${served.modelVersion})`;
  if (plan.pinned !== undefined) {
    await scope.ctx.events.record(scope.rm, 'Normal', EventReason.RolledBack, `rolled back to ${what}, pinned by spec.model.revision${was}`);
  } else {
    await scope.ctx.events.record(scope.rm, 'Normal', EventReason.RevisionServing, `stable pods rolling to ${what}${was}`);
  }
}

function snapshotOfServed(served: Served | undefined): string | undefined {
  return served?.source === 'snapshot' ? served.snapshot : undefined;
}

/** The snapshots never pruned: the one serving, the one served before this reconcile and in the history before it, a canary's. */
function protectedSnapshots(plan: DeliveryPlan, served: Served, history: readonly RevisionRecord[]): Set<string> {
  const current = served.source === 'snapshot' ? served.revision : undefined;
  const names = [snapshotOfServed(served), snapshotOfServed(plan.before), plan.candidate?.snapshot, previousRevision(history, current)?.snapshot];
  return new Set(names.filter((n): n is string => n !== undefined));
}

/** Deletes snapshots beyond the limit; never the one serving, the one before it, a canary's or a pinned one. */
async function prune(scope: Scope, plan: DeliveryPlan, served: Served, history: readonly RevisionRecord[]): Promise<void> {
  const { rm, ctx, spec } = scope;
  const kept = ownSnapshots(rm, ctx.cache.configMapsLabelled(rm.metadata.namespace, snapshotSelector(rm.metadata.name)));
  const keep = protectedSnapshots(plan, served, history);
  for (const s of prunable(kept.map((k) => k.snapshot), keep, spec.revisionHistoryLimit)) {
    const object = kept.find((k) => k.snapshot.name === s.name)?.object;
    const message = `deleted snapshot ${s.name} of revision ${s.revision} (beyond spec.revisionHistoryLimit ${spec.revisionHistoryLimit})`;
    await removeOwned(scope, 'ConfigMap', object, { reason: EventReason.SnapshotPruned, message });
  }
}
