// REST paths of the resource types the operator reads and writes.

import { GROUP, PLURAL, VERSION } from '../api/riskmodel.js';

export interface ResourceType {
  /** API group; '' for the core group. */
  group: string;
  version: string;
  plural: string;
  kind: string;
}

export const Resources = {
  riskModels: { group: GROUP, version: VERSION, plural: PLURAL, kind: 'RiskModel' },
  deployments: { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment' },
  services: { group: '', version: 'v1', plural: 'services', kind: 'Service' },
  hpas: { group: 'autoscaling', version: 'v2', plural: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler' },
  podDisruptionBudgets: { group: 'policy', version: 'v1', plural: 'poddisruptionbudgets', kind: 'PodDisruptionBudget' },
  networkPolicies: { group: 'networking.k8s.io', version: 'v1', plural: 'networkpolicies', kind: 'NetworkPolicy' },
  configMaps: { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap' },
  pods: { group: '', version: 'v1', plural: 'pods', kind: 'Pod' },
  events: { group: '', version: 'v1', plural: 'events', kind: 'Event' },
  leases: { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease' },
} as const satisfies Record<string, ResourceType>;

const base = (r: ResourceType): string => (r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`);

/** The collection path, namespaced or across all namespaces when `namespace` is undefined. */
export function collectionPath(r: ResourceType, namespace?: string): string {
  return namespace === undefined ? `${base(r)}/${r.plural}` : `${base(r)}/namespaces/${encodeURIComponent(namespace)}/${r.plural}`;
}

/** One object's path, optionally a subresource such as `status`. */
export function objectPath(r: ResourceType, namespace: string, name: string, subresource?: string): string {
  const path = `${collectionPath(r, namespace)}/${encodeURIComponent(name)}`;
  return subresource ? `${path}/${subresource}` : path;
}

/** `apiVersion` as written in objects of this type. */
export function apiVersionOf(r: ResourceType): string {
  return r.group === '' ? r.version : `${r.group}/${r.version}`;
}
