// Model snapshots: once an artifact passes validation, the operator copies it into an
// operator-owned, immutable ConfigMap named by its content hash, and pods mount only those.
// A later edit of the user's ConfigMap — good or bad — can then never reach a pod that starts
// (a scale-up, a restart, a node loss) until the operator has validated and rolled it out.
// Pure: names, the ConfigMap body, reading one back, and which ones to prune.

import type { V1ConfigMap } from '@kubernetes/client-node';
import type { RiskModel } from '../api/riskmodel.js';
import { MODEL_FILE } from '../model/served.js';
import { controlledBy, CONTENT_HASH_ANNOTATION, LABEL_COMPONENT, LABEL_INSTANCE, labelsFor, MODEL_VERSION_ANNOTATION, ownerReference, REVISION_LABEL, SNAPSHOT_COMPONENT } from '../api/labels.js';

/** Hex digits of the content hash in a snapshot's name. */
const NAME_HASH = 10;

/** A snapshot as the operator reads it back. */
export interface Snapshot {
  name: string;
  revision: number;
  contentHash: string;
  modelVersion: string;
  uid?: string;
}

/** `<riskmodel>-model-<10 hex digits of the artifact's SHA-256>`. */
export function snapshotName(riskModel: string, contentHash: string): string {
  return `${riskModel}-model-${contentHash.slice(0, NAME_HASH)}`;
}

/** The label selector of a RiskModel's snapshots. */
export function snapshotSelector(riskModel: string): Record<string, string> {
  return { [LABEL_INSTANCE]: riskModel, [LABEL_COMPONENT]: SNAPSHOT_COMPONENT };
}

/** The immutable ConfigMap holding `text` as revision `snapshot.revision` of the RiskModel. */
export function snapshotConfigMap(rm: RiskModel, snapshot: Omit<Snapshot, 'name' | 'uid'>, text: string): V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: snapshotName(rm.metadata.name, snapshot.contentHash),
      namespace: rm.metadata.namespace,
      labels: { ...labelsFor(rm.metadata.name), [LABEL_COMPONENT]: SNAPSHOT_COMPONENT, [REVISION_LABEL]: String(snapshot.revision) },
      annotations: { [CONTENT_HASH_ANNOTATION]: snapshot.contentHash, [MODEL_VERSION_ANNOTATION]: snapshot.modelVersion },
      ownerReferences: [ownerReference(rm)],
    },
    immutable: true,
    data: { [MODEL_FILE]: text },
  };
}

function revisionOf(labels: Record<string, string>): number | undefined {
  const revision = Number(labels[REVISION_LABEL]);
  return Number.isInteger(revision) && revision >= 1 ? revision : undefined;
}

function isSnapshotOf(labels: Record<string, string>, riskModel: string): boolean {
  return labels[LABEL_INSTANCE] === riskModel && labels[LABEL_COMPONENT] === SNAPSHOT_COMPONENT;
}

/** The snapshot a ConfigMap records, or undefined when it is not one of `riskModel`'s (or lacks its labels). */
export function snapshotOf(cm: V1ConfigMap, riskModel: string): Snapshot | undefined {
  const meta = cm.metadata ?? {};
  const labels = meta.labels ?? {};
  if (!isSnapshotOf(labels, riskModel) || !meta.name) return undefined;
  const revision = revisionOf(labels);
  const { [CONTENT_HASH_ANNOTATION]: contentHash, [MODEL_VERSION_ANNOTATION]: modelVersion = '' } = meta.annotations ?? {};
  if (revision === undefined || !contentHash) return undefined;
  return { name: meta.name, revision, contentHash, modelVersion, ...(meta.uid ? { uid: meta.uid } : {}) };
}

/**
 * The snapshots to delete: all but the `limit` newest revisions, never one named in `keep`
 * (the revision serving, the one before it, a canary, a pinned one). Pure; order of the input
 * does not matter.
 */
export function prunable(snapshots: readonly Snapshot[], keep: ReadonlySet<string>, limit: number): Snapshot[] {
  const newestFirst = [...snapshots].sort((a, b) => b.revision - a.revision);
  return newestFirst.slice(Math.max(limit, 0)).filter((s) => !keep.has(s.name));
}

/** The number a new revision gets: one above every revision a snapshot or the history knows. */
export function nextRevision(snapshots: readonly Snapshot[], historyRevisions: readonly number[]): number {
  return Math.max(0, ...snapshots.map((s) => s.revision), ...historyRevisions) + 1;
}

/** A snapshot with the ConfigMap it was read from (to delete it with a UID precondition). */
export interface Kept {
  snapshot: Snapshot;
  object: V1ConfigMap;
}

/** This RiskModel's snapshots among `configMaps` (its snapshot-labelled ones): only those it controls that read back as snapshots. */
export function ownSnapshots(rm: RiskModel, configMaps: readonly V1ConfigMap[]): Kept[] {
  return configMaps.flatMap((object) => {
    const snapshot = controlledBy(rm, object) ? snapshotOf(object, rm.metadata.name) : undefined;
    return snapshot ? [{ snapshot, object }] : [];
  });
}
