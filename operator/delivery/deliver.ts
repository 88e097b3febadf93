// The model-delivery part of a reconcile: resolve the user's ConfigMap, plan which revision the
// stable pods serve (operator/delivery/plan.ts), write a new snapshot before any pod may mount it,
// run the canary step, and — once the stable children are applied — settle the history, say
// what changed in events and prune snapshots beyond spec.revisionHistoryLimit.

import type { V1ConfigMap } from '@kubernetes/client-node';
import type { ResolvedSpec, RevisionRecord, RiskModel } from '../api/riskmodel.js';
import { stepCanary } from './canary.js';
import { controlledBy, removeOwned, type Scope } from '../runtime/child-writes.js';
import { rfc3339 } from '../model/conditions.js';
import type { ReconcileContext } from '../runtime/context.js';
import { planDelivery, previousRevision, settleHistory, type DeliveryPlan, type Source } from './plan.js';
import { servedBy, type Served } from '../model/served.js';
import { TerminalError } from '../errors.js';
import { resolveModel } from './model-source.js';
import { EventReason } from '../api/reasons.js';
import { prunable, snapshotConfigMap, snapshotOf, snapshotSelector, type Snapshot } from './snapshots.js';
import type { Outcome } from '../model/status.js';

export interface Delivered {
  outcome: Outcome;
  plan: DeliveryPlan;
  /** What the stable Deployment served before this reconcile. */
  before?: Served;
  /** Content hash of the revision a canary runs now. */
  running?: string;
  requeueMs?: number;
}

interface Kept {
  snapshot: Snapshot;
  object: V1ConfigMap;
}

/** This RiskModel's snapshots from the cache: only ConfigMaps it controls, with the labels a snapshot has. */
function snapshotsOf(ctx: ReconcileContext, rm: RiskModel): Kept[] {
  const { namespace, name } = rm.metadata;
  return ctx.cache.configMapsLabelled(namespace, snapshotSelector(name)).flatMap((object) => {
    const snapshot = controlledBy(rm, object) ? snapshotOf(object, name) : undefined;
    return snapshot ? [{ snapshot, object }] : [];
  });
}

function resolveSource(spec: ResolvedSpec, rm: RiskModel, ctx: ReconcileContext): Source {
  const ref = spec.configMapRef;
  try {
    return resolveModel(spec, rm.metadata.namespace, ref && ctx.cache.configMap(rm.metadata.namespace, ref.name));
  } catch (err) {
    if (err instanceof TerminalError) return { problem: { reason: err.reason, message: err.message } };
    throw err;
  }
}

/** Plans the revision, writes a new snapshot, runs the canary step. Throws only retryable errors. */
export async function deliver(scope: Scope, spec: ResolvedSpec): Promise<Delivered> {
  const { rm, ctx } = scope;
  const history = rm.status?.history ?? [];
  const before = servedBy(ctx.cache.deployment(rm.metadata.namespace, rm.metadata.name));
  const snapshots = snapshotsOf(ctx, rm).map((k) => k.snapshot);
  const plan = planDelivery({ rm, spec, source: resolveSource(spec, rm, ctx), snapshots, stable: before, history });
  if (plan.problem) scope.log.warn('model not rolled out', { reason: plan.problem.reason, error: plan.problem.message });
  if (plan.create) await writeSnapshot(scope, plan.create);
  const step = await stepCanary(scope, spec, plan, [...history]);
  const outcome = defined({ history: step.history, served: step.stable, problem: plan.problem ?? step.problem, canary: step.canary, pinned: plan.pinned });
  return defined({ outcome, plan, before, running: step.running, requeueMs: step.requeueMs });
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
export async function settle(scope: Scope, spec: ResolvedSpec, d: Delivered): Promise<RevisionRecord[]> {
  const served = d.outcome.served;
  const how = d.plan.pinned !== undefined ? 'RolledBack' : 'Superseded';
  const history = settleHistory(d.outcome.history ?? [], served, { ...(d.running ? { running: d.running } : {}), how, now: rfc3339(scope.ctx.now()) });
  if (served) await announceServing(scope, d, served);
  await prune(scope, spec, d, history);
  return history;
}

async function announceServing(scope: Scope, d: Delivered, served: Served): Promise<void> {
  if (served.source !== 'snapshot' || (d.before?.source === 'snapshot' && d.before.contentHash === served.contentHash)) return;
  const was = d.before?.source === 'snapshot' ? `; was revision ${d.before.revision}` : '';
  const what = `revision ${served.revision} (${served.modelVersion})`;
  if (d.plan.pinned !== undefined) {
    await scope.ctx.events.record(scope.rm, 'Normal', EventReason.RolledBack, `rolled back to ${what}, pinned by spec.model.revision${was}`);
  } else {
    await scope.ctx.events.record(scope.rm, 'Normal', EventReason.RevisionServing, `stable pods rolling to ${what}${was}`);
  }
}

function snapshotOfServed(served: Served | undefined): string | undefined {
  return served?.source === 'snapshot' ? served.snapshot : undefined;
}

/** The snapshots never pruned: the one serving, the one served before this reconcile and in the history before it, a canary's. */
function protectedSnapshots(d: Delivered, history: readonly RevisionRecord[]): Set<string> {
  const served = d.outcome.served;
  const current = served?.source === 'snapshot' ? served.revision : undefined;
  const names = [snapshotOfServed(served), snapshotOfServed(d.before), d.plan.candidate?.snapshot, previousRevision(history, current)?.snapshot];
  return new Set(names.filter((n): n is string => n !== undefined));
}

/** Deletes snapshots beyond the limit; never the one serving, the one before it, a canary's or a pinned one. */
async function prune(scope: Scope, spec: ResolvedSpec, d: Delivered, history: readonly RevisionRecord[]): Promise<void> {
  const kept = snapshotsOf(scope.ctx, scope.rm);
  const keep = protectedSnapshots(d, history);
  for (const s of prunable(kept.map((k) => k.snapshot), keep, spec.revisionHistoryLimit)) {
    const object = kept.find((k) => k.snapshot.name === s.name)?.object;
    const message = `deleted snapshot ${s.name} of revision ${s.revision} (beyond spec.revisionHistoryLimit ${spec.revisionHistoryLimit})`;
    await removeOwned(scope, 'ConfigMap', object, { reason: EventReason.SnapshotPruned, message });
  }
}
