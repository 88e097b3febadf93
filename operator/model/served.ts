// What a pod template serves — the model built into the image or an operator snapshot — as its
// annotations record it. Pure: desired state writes it, delivery and status read it back.

import type { V1Deployment } from '@kubernetes/client-node';
import type { CanaryStatus, ResolvedSpec, RevisionRecord } from '../api/riskmodel.js';
import type { Problem } from '../api/reasons.js';
import { sha256 } from './hash.js';
import { CONTENT_HASH_ANNOTATION, REVISION_ANNOTATION, SNAPSHOT_ANNOTATION } from '../api/labels.js';

/** The key of the artifact in a snapshot ConfigMap, and the file name pods mount it as. */
export const MODEL_FILE = 'model.json';
/** A revision held in a snapshot, as pods mount it. */
export interface SnapshotServed {
  source: 'snapshot';
  snapshot: string;
  revision: number;
  contentHash: string;
  modelVersion: string;
}

/** What a pod template serves: the model built into the image, or a snapshot. */
export type Served = { source: 'image' } | SnapshotServed;


/**
 * The pod-template annotations that record `served` (none for the image's model). Not the model
 * version label: relabelling the same bytes must not roll the pods.
 */
export function servedAnnotations(served: Served): Record<string, string> {
  if (served.source === 'image') return {};
  return {
    [REVISION_ANNOTATION]: String(served.revision),
    [SNAPSHOT_ANNOTATION]: served.snapshot,
    [CONTENT_HASH_ANNOTATION]: served.contentHash,
  };
}

/**
 * What a Deployment's pods serve, read from its template (modelVersion is left empty: the snapshot
 * records it); undefined when there is no Deployment or its template predates snapshots (it
 * mounts the user's ConfigMap directly).
 */
export function servedBy(d: V1Deployment | undefined): Served | undefined {
  const template = d?.spec?.template;
  if (!template) return undefined;
  const recorded = snapshotAnnotations(template.metadata?.annotations ?? {});
  if (recorded) return recorded;
  const volumes = template.spec?.volumes ?? [];
  return volumes.some((v) => v.configMap) ? undefined : { source: 'image' };
}

function snapshotAnnotations(a: Record<string, string>): SnapshotServed | undefined {
  const revision = Number(a[REVISION_ANNOTATION]);
  const { [SNAPSHOT_ANNOTATION]: snapshot, [CONTENT_HASH_ANNOTATION]: contentHash } = a;
  return snapshot && contentHash && Number.isInteger(revision) ? { source: 'snapshot', snapshot, revision, contentHash, modelVersion: '' } : undefined;
}

/** Hex digits of the content hash in `status.modelVersion`. */
const SHORT_HASH = 8;

/**
 * `status.modelVersion`: the user's label plus a short hash of what the pods load — the
 * artifact's bytes, or, for the model built into the image, the image reference.
 */
export function modelVersionOf(spec: ResolvedSpec, model: { source: 'image' } | { source: 'configMap'; contentHash: string }): string {
  const content = model.source === 'configMap' ? model.contentHash : sha256(`image:${spec.image}`);
  return `${spec.modelVersion}-${content.slice(0, SHORT_HASH)}`;
}

/**
 * What model delivery concluded in one reconcile: the one value that goes from the delivery
 * step (operator/delivery/step.ts) to status. The history change is explicit: a reconcile whose
 * write was refused settles nothing and says 'unchanged'.
 */
export interface Delivery {
  /** What the stable pods serve; absent when nothing valid ever was, or unknown after a refused write. */
  served?: Served;
  /** status.history after this reconcile, or 'unchanged' (the published one stays). */
  history: RevisionRecord[] | 'unchanged';
  /** status.canary; absent when no canary runs. */
  canary?: CanaryStatus;
  /** What the user must fix (Degraded); the rest of the spec still applied. */
  problem?: Problem;
  /** spec.model.revision, when it chose what the stable pods serve. */
  pinned?: number;
  /** Look again this soon (a canary runs or is being retired); absent: at the resync. */
  requeueMs?: number;
}
