// Which model revision the pods serve. Pure: from the user's resolved ConfigMap (or the problem
// with it), the snapshots that exist, what the stable Deployment serves now and the pin, it
// decides what the stable pods serve, which new revision a canary analyses first, and which
// snapshot must be written. A bad ConfigMap never stops the rest of the spec: the stable pods
// keep the last good snapshot and every other field still applies.

import type { ResolvedSpec, RiskModel, RevisionRecord } from '../api/riskmodel.js';
import type { ResolvedModel, Source } from './model-source.js';
import { modelVersionOf } from '../model/served.js';
import { Reason, type Problem } from '../api/reasons.js';
import type { Served, SnapshotServed } from '../model/served.js';
import { nextRevision, snapshotName, type Snapshot } from './snapshots.js';

/** The snapshot as pods serve it. */
export function servedFrom(s: Omit<Snapshot, 'uid'>): SnapshotServed {
  return { source: 'snapshot', snapshot: s.name, revision: s.revision, contentHash: s.contentHash, modelVersion: s.modelVersion };
}


export interface DeliveryInput {
  rm: RiskModel;
  spec: ResolvedSpec;
  source: Source;
  /** This RiskModel's snapshots as they exist now. */
  snapshots: readonly Snapshot[];
  /** What the stable Deployment serves now (servedBy). */
  stable: Served | undefined;
  history: readonly RevisionRecord[];
}

export interface DeliveryPlan {
  /** What the stable Deployment should serve; undefined when nothing valid was ever served (no Deployment is written). */
  stable?: Served;
  /** A new revision the canary analyses before the stable pods get it (strategy Canary). */
  candidate?: SnapshotServed;
  /** A snapshot to write before any pod may mount it. */
  create?: { snapshot: Omit<Snapshot, 'name' | 'uid'>; text: string };
  /** What is wrong (Degraded); the plan still serves the last good revision. */
  problem?: Problem;
  /** spec.model.revision, when it chose `stable`. */
  pinned?: number;
  /** What the stable Deployment served when the plan was made (the input's `stable`). */
  before?: Served;
}

/** The plan for one reconcile. Pure; never throws. */
export function planDelivery(given: DeliveryInput): DeliveryPlan {
  const plan = decide(given);
  return given.stable ? { ...plan, before: given.stable } : plan;
}

function decide(given: DeliveryInput): DeliveryPlan {
  const input = { ...given, stable: labelled(given.stable, given.snapshots) };
  const pin = input.spec.pinnedRevision;
  if (pin !== undefined) return checked(input, pinnedPlan(input, pin));
  const { source } = input;
  if ('problem' in source) return checked(input, lastGood(input, source.problem));
  if (source.source === 'image') return { stable: { source: 'image' } };
  return checked(input, contentPlan(input, source));
}

/** `stable` with the model version its snapshot recorded, when its own is unknown. */
function labelled(stable: Served | undefined, snapshots: readonly Snapshot[]): Served | undefined {
  if (stable?.source !== 'snapshot' || stable.modelVersion) return stable;
  return { ...stable, modelVersion: snapshots.find((s) => s.name === stable.snapshot)?.modelVersion ?? '' };
}

function keptRevisions(snapshots: readonly Snapshot[]): string {
  const kept = snapshots.map((s) => s.revision).sort((a, b) => a - b);
  return kept.length > 0 ? kept.join(', ') : 'none';
}

function pinnedPlan(input: DeliveryInput, revision: number): DeliveryPlan {
  const snapshot = input.snapshots.find((s) => s.revision === revision);
  if (snapshot) return { stable: servedFrom(snapshot), pinned: revision };
  const message = `spec.model.revision ${revision} is not kept; kept revisions: ${keptRevisions(input.snapshots)} (spec.revisionHistoryLimit ${input.spec.revisionHistoryLimit}); the pods keep serving what they serve`;
  return lastGood(input, { reason: Reason.RevisionNotFound, message });
}

/** The stable pods stay on what they serve (pods that start later mount the same snapshot). */
function lastGood(input: DeliveryInput, problem: Problem): DeliveryPlan {
  return { ...(input.stable ? { stable: input.stable } : {}), problem };
}

function contentPlan(input: DeliveryInput, source: Extract<ResolvedModel, { source: 'configMap' }>): DeliveryPlan {
  const { rm, spec, snapshots } = input;
  const existing = snapshots.find((s) => s.contentHash === source.contentHash);
  // The label follows the spec even for content already snapshotted (a relabel of the same bytes).
  const modelVersion = modelVersionOf(spec, source);
  const snapshot = { revision: existing?.revision ?? knownRevision(input, source.contentHash) ?? nextRevision(snapshots, input.history.map((h) => h.revision)), contentHash: source.contentHash, modelVersion };
  const served = servedFrom({ ...snapshot, name: snapshotName(rm.metadata.name, source.contentHash) });
  const create = existing ? {} : { create: { snapshot, text: source.text } };
  const stable = input.stable;
  const canary = spec.rollout.strategy === 'Canary' && stable !== undefined && !sameContent(stable, served);
  return canary ? { stable, candidate: served, ...create } : { stable: served, ...create };
}

/** The number content already had (its snapshot deleted by hand or pruned): what the stable pods or the history say. */
function knownRevision(input: DeliveryInput, contentHash: string): number | undefined {
  if (input.stable?.source === 'snapshot' && input.stable.contentHash === contentHash) return input.stable.revision;
  return [...input.history].reverse().find((h) => h.contentHash === contentHash)?.revision;
}

function sameContent(a: Served, b: Served): boolean {
  return a.source === b.source && (a.source === 'image' || a.contentHash === (b as SnapshotServed).contentHash);
}

/** Adds SnapshotMissing when the stable revision's snapshot is gone and nothing in this plan recreates it. */
function checked(input: DeliveryInput, plan: DeliveryPlan): DeliveryPlan {
  const stable = plan.stable;
  if (plan.problem || stable?.source !== 'snapshot') return plan;
  const exists = input.snapshots.some((s) => s.name === stable.snapshot) || plan.create?.snapshot.contentHash === stable.contentHash;
  if (exists) return plan;
  const message = `snapshot ConfigMap ${stable.snapshot} of revision ${stable.revision} was deleted; running pods keep their copy but new pods cannot start: put the same artifact back in the ConfigMap, or pin another revision (spec.model.revision)`;
  return { ...plan, problem: { reason: Reason.SnapshotMissing, message } };
}

/** Most history entries kept in status. */
export const HISTORY_LIMIT = 10;

/** Keeps at most HISTORY_LIMIT entries, dropping the oldest finished ones first. */
function trimmed(history: RevisionRecord[]): RevisionRecord[] {
  const excess = history.length - HISTORY_LIMIT;
  if (excess <= 0) return history;
  const drop = new Set(history.map((h, i) => (h.endedAt ? i : -1)).filter((i) => i >= 0).slice(0, excess));
  return history.filter((_, i) => !drop.has(i));
}

const isOpen = (h: RevisionRecord) => h.endedAt === undefined;

function entryOf(served: SnapshotServed, now: string): RevisionRecord {
  return { revision: served.revision, modelVersion: served.modelVersion, contentHash: served.contentHash, snapshot: served.snapshot, startedAt: now };
}

/**
 * History once the stable pods serve `stable`: it has an open entry (a promoted canary's entry
 * carries on, keeping the time the canary started), and every other open entry — but the
 * canary still `running` (its content hash) — ends with `how`. Idempotent. Pure.
 */
export function settleHistory(history: readonly RevisionRecord[], stable: Served | undefined, at: { running?: string; how: 'Superseded' | 'RolledBack'; now: string }): RevisionRecord[] {
  const { running, how, now } = at;
  const stableHash = stable?.source === 'snapshot' ? stable.contentHash : undefined;
  const keep = (h: RevisionRecord) => h.contentHash === stableHash || h.contentHash === running;
  const ended = history.map((h) => (isOpen(h) && !keep(h) ? { ...h, endedAt: now, result: how } : h));
  if (stable?.source !== 'snapshot') return trimmed(ended);
  if (!ended.some((h) => isOpen(h) && h.contentHash === stableHash)) return trimmed([...ended, entryOf(stable, now)]);
  // The stable pods now serve what a canary ran: it is promoted.
  return trimmed(ended.map((h) => (isOpen(h) && h.contentHash === stableHash && h.canary && !h.promotedAt ? { ...h, promotedAt: now } : h)));
}

/** History with an open entry for the canary of `candidate` (started at `startedAt`). Pure. */
export function recordCanaryStart(history: readonly RevisionRecord[], candidate: SnapshotServed, startedAt: string): RevisionRecord[] {
  if (history.some((h) => isOpen(h) && h.contentHash === candidate.contentHash)) return [...history];
  return trimmed([...history, { ...entryOf(candidate, startedAt), canary: true }]);
}

/** History after the canary of `candidate` failed its analysis with `message` (the canary's pod template hash recorded). Pure. */
export function recordCanaryFailed(history: readonly RevisionRecord[], candidate: SnapshotServed, now: string, failure: { message: string; templateHash: string }): RevisionRecord[] {
  const base = history.some((h) => isOpen(h) && h.contentHash === candidate.contentHash) ? [...history] : [...history, { ...entryOf(candidate, now), canary: true }];
  return trimmed(base.map((h) => (isOpen(h) && h.contentHash === candidate.contentHash ? { ...h, endedAt: now, result: 'FailedAnalysis' as const, message: failure.message, templateHash: failure.templateHash } : h)));
}

/** The failed analysis of this content with this canary pod template, if the history has one: such a canary is not tried again. */
export function failedCanary(history: readonly RevisionRecord[], contentHash: string, templateHash: string): RevisionRecord | undefined {
  return [...history].reverse().find((h) => h.result === 'FailedAnalysis' && h.contentHash === contentHash && h.templateHash === templateHash);
}

/** The fields of a history entry that say whether it served (the rollback command reads them from JSON too). */
export interface ServedMarks {
  revision: number;
  canary?: boolean;
  promotedAt?: string;
  result?: string;
}

/** True when the entry's revision served the stable pods (a canary only once promoted). */
export function servedStable(h: ServedMarks): boolean {
  return h.result !== 'FailedAnalysis' && (h.canary !== true || h.promotedAt !== undefined);
}

/**
 * The revision served before the current one: the newest entry before the current one's that
 * served the stable pods, of another revision, accepted by `kept` (default: any). The rollback
 * target; its snapshot is never pruned. Pure.
 */
export function previousRevision<T extends ServedMarks>(history: readonly T[], current: number | undefined, kept: (h: T) => boolean = () => true): T | undefined {
  const at = current === undefined ? -1 : history.findLastIndex((h) => h.revision === current);
  const before = at < 0 ? history : history.slice(0, at);
  return [...before].reverse().find((h) => h.revision !== current && servedStable(h) && kept(h));
}

/** What a new RiskModel's first reconcile serves for a resolved model (no snapshots yet): for tools that render children offline. Pure. */
export function firstServed(rm: RiskModel, spec: ResolvedSpec, source: ResolvedModel): Served | undefined {
  return planDelivery({ rm, spec, source, snapshots: [], stable: undefined, history: [] }).stable;
}
