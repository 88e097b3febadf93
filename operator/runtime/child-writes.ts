// Writing one owned object the way the reconciler does it: server-side apply only when it
// differs from the cached one, announced as an event; deletion only of an object this
// RiskModel controls (UID precondition). Shared by the children, the canary and the snapshots;
// `applyChildren` writes every kind of child a RiskModel has, in one pass.

import type { ResolvedSpec, RiskModel } from '../api/riskmodel.js';
import { controlledBy } from '../api/labels.js';
import type { V1Deployment, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { CHILD_KINDS, type Child, type ChildKind, type Owned, type OwnedKind } from '../api/children.js';
import { byKind, type DesiredChildren } from '../model/desired.js';
import type { Observed } from '../model/status.js';
import type { ReconcileContext } from './context.js';
import { difference, type Difference } from '../model/child-drift.js';
import { ApiError, TerminalError } from '../errors.js';
import type { Logger } from '../logger.js';
import { EventReason, Reason } from '../api/reasons.js';

/** One reconcile's RiskModel (a copy), its spec with defaults applied once, what it may use, its logger. */
export interface Scope {
  rm: RiskModel;
  spec: ResolvedSpec;
  ctx: ReconcileContext;
  log: Logger;
}

const VERB = { missing: 'created', changed: 'updated', drifted: 'restored' } as const;

/** Applies `want` unless the cached `have` already matches; returns the stored object. A 422 becomes a TerminalError (InvalidChild). */
export async function applyIfNeeded<T extends Owned>(scope: Scope, want: T, have: T | undefined): Promise<T> {
  const diff = difference(want, have);
  if (diff === 'none' && have) return have;
  const kind = want.kind ?? 'object';
  try {
    const stored = await write(scope.ctx, want, diff);
    await announceWrite(scope, want, diff === 'none' ? 'missing' : diff);
    return stored;
  } catch (err) {
    // 422: a value the CRD schema could not check (say an image reference) made the child invalid.
    if (err instanceof ApiError && err.code === 422) throw new TerminalError(Reason.InvalidChild, `the API server refused the ${kind}: ${err.message}`);
    throw err;
  }
}

async function announceWrite({ rm, ctx, log }: Scope, obj: Owned, diff: Exclude<Difference, 'none'>): Promise<void> {
  const kind = obj.kind ?? 'object';
  const verb = VERB[diff];
  const why = diff === 'drifted' ? ' (a managed field was changed outside the operator)' : '';
  log.info(`${verb} ${kind}`, { kind, child: obj.metadata?.name });
  await ctx.events.record(rm, 'Normal', diff === 'missing' ? EventReason.Created : EventReason.Updated, `${verb} ${kind} ${obj.metadata?.name}${why}`);
}

/** Applies; a drifted child the server refuses (a hand edit collides with our list entries) is overwritten instead. */
async function write<T extends Owned>(ctx: ReconcileContext, want: T, diff: Difference): Promise<T> {
  try {
    return await ctx.writer.apply(want);
  } catch (err) {
    // The same content was accepted before (the spec hash matches), so the edit is the problem.
    if (diff === 'drifted' && err instanceof ApiError && err.code === 422) return ctx.writer.overwrite(want);
    throw err;
  }
}

/**
 * Deletes `obj` if this RiskModel controls it (never one someone else made under the same name)
 * and records `event` with `message`. Returns whether it deleted.
 */
export async function removeOwned(scope: Scope, kind: OwnedKind, obj: Owned | undefined, event: { reason: string; message: string }): Promise<boolean> {
  const { rm, ctx, log } = scope;
  if (!obj?.metadata?.uid || !controlledBy(rm, obj)) return false;
  const name = obj.metadata.name ?? '';
  await ctx.writer.remove(kind, rm.metadata.namespace, name, obj.metadata.uid);
  log.info(`deleted ${kind}`, { kind, child: name });
  await ctx.events.record(rm, 'Normal', event.reason, event.message);
  return true;
}

/** The stable Deployment and the HPA as the caches hold them (what status reads). */
export function observeChildren(rm: RiskModel, ctx: ReconcileContext): Observed {
  const { namespace, name } = rm.metadata;
  return observedOf((kind) => ctx.cache.child(kind, namespace, name));
}

function observedOf(stored: (kind: ChildKind) => Child | undefined): Observed {
  return { deployment: stored('Deployment') as V1Deployment | undefined, hpa: stored('HorizontalPodAutoscaler') as V2HorizontalPodAutoscaler | undefined };
}

/** Applies every desired child and deletes those of our kinds the RiskModel should no longer have; returns them as stored. */
export async function applyChildren(scope: Scope, want: DesiredChildren): Promise<Observed> {
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
