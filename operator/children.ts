// The kinds of object a RiskModel owns, in one list: the watches, the cache, the writer and the
// reconciler all follow it, so a new kind of child is an entry here plus its builder in desired.ts.

import type { V1Deployment, V1NetworkPolicy, V1PodDisruptionBudget, V1Service, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { Resources, type ResourceType } from './kube/resources.js';

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

/** The child kind of an object, or undefined for any other kind. */
export function childKindOf(obj: { kind?: string }): ChildKind | undefined {
  return CHILD_KINDS.find((k) => k === obj.kind);
}
