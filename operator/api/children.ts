// The kinds of object a RiskModel owns, in one list: the watches, the cache, the writer and the
// reconciler all follow it, so a new kind of child is an entry here plus its builder in desired.ts.

import type { V1ConfigMap, V1Deployment, V1NetworkPolicy, V1PodDisruptionBudget, V1Service, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { Resources, type ResourceType } from '../kube/resources.js';

export type Child = V1Deployment | V1Service | V2HorizontalPodAutoscaler | V1PodDisruptionBudget | V1NetworkPolicy;

/** Each child kind's REST resource. */
export const CHILD_RESOURCES = {
  Deployment: Resources.deployments,
  Service: Resources.services,
  HorizontalPodAutoscaler: Resources.hpas,
  PodDisruptionBudget: Resources.podDisruptionBudgets,
  NetworkPolicy: Resources.networkPolicies,
} as const satisfies Record<string, ResourceType>;

export type ChildKind = keyof typeof CHILD_RESOURCES;

export const CHILD_KINDS = Object.keys(CHILD_RESOURCES) as ChildKind[];

/** Everything the operator writes: the children, and model snapshots (ConfigMaps named by content, operator/delivery/snapshots.ts). */
export type Owned = Child | V1ConfigMap;

export const OWNED_RESOURCES = { ...CHILD_RESOURCES, ConfigMap: Resources.configMaps } as const satisfies Record<string, ResourceType>;

export type OwnedKind = keyof typeof OWNED_RESOURCES;

/** The owned kind of an object, or undefined for any other kind. */
export function ownedKindOf(obj: { kind?: string }): OwnedKind | undefined {
  return (Object.keys(OWNED_RESOURCES) as OwnedKind[]).find((k) => k === obj.kind);
}

/** The child kind of an object, or undefined for any other kind. */
export function childKindOf(obj: { kind?: string }): ChildKind | undefined {
  return CHILD_KINDS.find((k) => k === obj.kind);
}
