import type { RiskModel } from '../../operator/api/riskmodel.js';

/** A RiskModel as kubectl returns it (the operator's own type, so the two cannot drift apart). */
export type RiskModelObject = RiskModel;

/** The parts of Deployment objects the demo reads. */
export interface DeploymentObject {
  metadata: { generation?: number };
  spec: { replicas?: number; template: { metadata?: { annotations?: Record<string, string> } } };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
  };
}

export interface ReplicaSetList {
  items: Array<{ metadata: { name: string; creationTimestamp?: string }; spec: { replicas?: number }; status?: { replicas?: number } }>;
}

export { isReady } from '../../operator/model/conditions.js';

/** The condition of a type, formatted as `Type=Status (Reason: message)` for narration. */
export function describeCondition(rm: RiskModelObject, type: string): string {
  const c = rm.status?.conditions?.find((x) => x.type === type);
  if (!c) return `${type}=<none>`;
  return `${type}=${c.status}${c.reason ? ` (${c.reason}${c.message ? `: ${c.message}` : ''})` : ''}`;
}

/** True when the Deployment's rollout is complete at `replicas` replicas. */
export function rolledOut(d: DeploymentObject, replicas: number): boolean {
  const s = d.status ?? {};
  return (
    s.observedGeneration === d.metadata.generation &&
    d.spec.replicas === replicas &&
    s.updatedReplicas === replicas &&
    s.availableReplicas === replicas &&
    s.replicas === replicas
  );
}
