// Pure event-to-key mapping for the watches: which RiskModel an event concerns, and whether
// it is worth a reconcile.

import type { V1OwnerReference, V1Pod } from '@kubernetes/client-node';
import { API_VERSION, KIND, type RiskModel } from '../api/riskmodel.js';
import type { KubeObject } from '../kube/reflector.js';
import { LABEL_INSTANCE } from '../api/labels.js';

/** False for a RiskModel update that changed only status (such as our own write): no reconcile needed. */
export function specChanged(obj: RiskModel, old: RiskModel | undefined): boolean {
  if (!old) return true;
  const m = obj.metadata;
  const o = old.metadata;
  return m.generation !== o.generation || m.deletionTimestamp !== o.deletionTimestamp || JSON.stringify(m.labels) !== JSON.stringify(o.labels) || JSON.stringify(m.annotations) !== JSON.stringify(o.annotations);
}

/** The `namespace/name` key of the RiskModel that controls a child, from its owner references. */
export function ownerKey(obj: KubeObject & { metadata?: { ownerReferences?: V1OwnerReference[] } }): string | undefined {
  const owner = obj.metadata?.ownerReferences?.find((r) => r.controller && r.kind === KIND && r.apiVersion === API_VERSION);
  return owner ? `${obj.metadata?.namespace ?? ''}/${owner.name}` : undefined;
}

/**
 * The key of the RiskModel whose pod this is, from the instance label its template sets (a pod's
 * owner is a ReplicaSet, not the RiskModel). Undefined for a pod without it.
 */
export function podOwnerKey(pod: V1Pod): string | undefined {
  const name = pod.metadata?.labels?.[LABEL_INSTANCE];
  return name ? `${pod.metadata?.namespace ?? ''}/${name}` : undefined;
}
