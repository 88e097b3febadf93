// Typed access to the cluster for the operator's cluster tests: the RiskModel custom resource
// and the children the operator is supposed to create for it.
import * as k8s from '@kubernetes/client-node';

import { API_VERSION, FIELD_MANAGER, GROUP, PLURAL, VERSION } from '../../../operator/api/riskmodel.js';
import type { CanaryStatus, RevisionRecord } from '../../../operator/api/riskmodel.js';
import { CONFIG_HASH_ANNOTATION, LABEL_INSTANCE, LABEL_MANAGED_BY, LABEL_NAME } from '../../../operator/api/labels.js';

// The operator's own API constants, so a rename there cannot leave the tests checking the old value.
export { API_VERSION, CONFIG_HASH_ANNOTATION, FIELD_MANAGER, GROUP, PLURAL, VERSION };
export const LABELS = { name: LABEL_NAME, instance: LABEL_INSTANCE, managedBy: LABEL_MANAGED_BY } as const;

/** Loosely typed on purpose: tests also send values the API server must refuse. */
export interface RiskModelSpec {
  model: { version?: string; configMapRef?: { name: string; key?: string }; revision?: number };
  revisionHistoryLimit?: number;
  rollout?: { strategy?: string; canary?: Record<string, number> };
  image?: string;
  imagePullPolicy?: string;
  imagePullSecrets?: { name?: string }[];
  minReplicas?: number;
  maxReplicas?: number;
  targetCPUUtilizationPercentage?: number;
  scaleDownStabilizationSeconds?: number;
  behavior?: k8s.V2HorizontalPodAutoscalerBehavior;
  resources?: k8s.V1ResourceRequirements;
  service?: { type?: string; port?: number };
  nodeSelector?: Record<string, string>;
  tolerations?: k8s.V1Toleration[];
  affinity?: k8s.V1Affinity;
  topologySpreadConstraints?: Partial<k8s.V1TopologySpreadConstraint>[];
  priorityClassName?: string;
  rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string };
  podDisruptionBudget?: { enabled?: boolean; maxUnavailable?: number | string; minAvailable?: number | string };
  networkPolicy?: { from?: k8s.V1NetworkPolicyPeer[]; metricsFrom?: k8s.V1NetworkPolicyPeer[] } | null;
  autoscaling?: { metrics?: Array<{ type?: string; targetUtilizationPercentage?: number; targetAveragePerPod?: number }> };
  monitoring?: { drift?: { enabled?: boolean; psiThreshold?: number; minRows?: number; windowRows?: number } };
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
}

export interface RiskModelStatus {
  observedGeneration?: number;
  replicas?: number;
  readyReplicas?: number;
  desiredReplicas?: number;
  currentCPUUtilizationPercentage?: number;
  /** What the HPA scales on, each metric's reading and target; `summary` is the SCALING column. */
  autoscaling?: { metrics?: Array<{ type: string; current?: number; target: number }>; summary?: string };
  modelVersion?: string;
  endpoint?: string;
  conditions?: Condition[];
  lastScaleTime?: string;
  revision?: number;
  history?: RevisionRecord[];
  canary?: CanaryStatus;
}

export interface RiskModel extends k8s.KubernetesObject {
  metadata: k8s.V1ObjectMeta & { name: string; namespace: string };
  spec: RiskModelSpec;
  status?: RiskModelStatus;
}

/** API clients for one identity (the admin by default; the operator's ServiceAccount in one test). */
export class Cluster {
  readonly objects: k8s.KubernetesObjectApi;
  readonly core: k8s.CoreV1Api;
  readonly apps: k8s.AppsV1Api;
  readonly autoscaling: k8s.AutoscalingV2Api;
  readonly coordination: k8s.CoordinationV1Api;
  readonly policy: k8s.PolicyV1Api;
  readonly networking: k8s.NetworkingV1Api;
  readonly scheduling: k8s.SchedulingV1Api;
  readonly custom: k8s.CustomObjectsApi;
  readonly kc: k8s.KubeConfig;

  constructor(readonly kubeconfigPath: string) {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    this.kc = kc;
    this.objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    this.core = kc.makeApiClient(k8s.CoreV1Api);
    this.apps = kc.makeApiClient(k8s.AppsV1Api);
    this.autoscaling = kc.makeApiClient(k8s.AutoscalingV2Api);
    this.coordination = kc.makeApiClient(k8s.CoordinationV1Api);
    this.policy = kc.makeApiClient(k8s.PolicyV1Api);
    this.networking = kc.makeApiClient(k8s.NetworkingV1Api);
    this.scheduling = kc.makeApiClient(k8s.SchedulingV1Api);
    this.custom = kc.makeApiClient(k8s.CustomObjectsApi);
  }

  /** Creates the RiskModel, returning what the API server stored (defaults applied). */
  async createRiskModel(rm: RiskModel): Promise<RiskModel> {
    return (await this.custom.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: rm.metadata.namespace,
      plural: PLURAL,
      body: rm,
    })) as RiskModel;
  }

  async getRiskModel(namespace: string, name: string): Promise<RiskModel> {
    return (await this.custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name })) as RiskModel;
  }

  async listRiskModels(namespace: string): Promise<RiskModel[]> {
    const list = (await this.custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL })) as {
      items: RiskModel[];
    };
    return list.items;
  }

  /** Merge-patches the RiskModel's spec, as a user editing it would. */
  async patchRiskModelSpec(namespace: string, name: string, spec: Partial<RiskModelSpec>): Promise<RiskModel> {
    return (await this.custom.patchNamespacedCustomObject(
      { group: GROUP, version: VERSION, namespace, plural: PLURAL, name, body: { spec } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    )) as RiskModel;
  }

  async deleteRiskModel(namespace: string, name: string): Promise<void> {
    await this.custom.deleteNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name });
  }

  /** The children, or undefined for each one that does not exist. */
  async children(namespace: string, name: string): Promise<Children> {
    const [deployment, service, hpa, podDisruptionBudget, networkPolicy] = await Promise.all([
      orUndefined(this.apps.readNamespacedDeployment({ namespace, name })),
      orUndefined(this.core.readNamespacedService({ namespace, name })),
      orUndefined(this.autoscaling.readNamespacedHorizontalPodAutoscaler({ namespace, name })),
      orUndefined(this.policy.readNamespacedPodDisruptionBudget({ namespace, name })),
      orUndefined(this.networking.readNamespacedNetworkPolicy({ namespace, name })),
    ]);
    return { deployment, service, hpa, podDisruptionBudget, networkPolicy };
  }

  /** Asks the API server to evict a pod, as `kubectl drain` does; resolves with the HTTP status (201 evicted, 429 refused by a budget). */
  async evict(namespace: string, pod: string): Promise<number> {
    try {
      await this.core.createNamespacedPodEviction({ namespace, name: pod, body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod, namespace } } });
      return 201;
    } catch (err) {
      const code = apiStatus(err);
      if (code === undefined) throw err;
      return code;
    }
  }

  /** ReplicaSets of one RiskModel's Deployment, oldest first. */
  async replicaSets(namespace: string, name: string): Promise<k8s.V1ReplicaSet[]> {
    const list = await this.apps.listNamespacedReplicaSet({ namespace, labelSelector: `${LABELS.instance}=${name}` });
    return list.items.sort((a, b) => (a.metadata?.creationTimestamp?.getTime() ?? 0) - (b.metadata?.creationTimestamp?.getTime() ?? 0));
  }

  async pods(namespace: string, name: string): Promise<k8s.V1Pod[]> {
    return (await this.core.listNamespacedPod({ namespace, labelSelector: `${LABELS.instance}=${name}` })).items;
  }

  /** Events (core/v1 view, which also shows events.k8s.io ones) about one object. */
  async eventsFor(namespace: string, kind: string, name: string): Promise<k8s.CoreV1Event[]> {
    const list = await this.core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.kind=${kind},involvedObject.name=${name}` });
    return list.items;
  }
}

export interface Children {
  deployment?: k8s.V1Deployment;
  service?: k8s.V1Service;
  hpa?: k8s.V2HorizontalPodAutoscaler;
  podDisruptionBudget?: k8s.V1PodDisruptionBudget;
  networkPolicy?: k8s.V1NetworkPolicy;
}

/** The condition of `type`, if the status has it. */
export function condition(rm: RiskModel, type: string): Condition | undefined {
  return rm.status?.conditions?.find((c) => c.type === type);
}

export { isReady } from '../../../operator/model/conditions.js';

/** The HTTP status of a failed API call, or undefined when it did not fail that way. */
export function apiStatus(err: unknown): number | undefined {
  return err instanceof k8s.ApiException ? err.code : undefined;
}

/** The server's message for a failed API call (the Status body's `message`). */
export function apiMessage(err: unknown): string {
  if (!(err instanceof k8s.ApiException)) return String(err);
  const body: unknown = err.body;
  if (typeof body === 'string') {
    try {
      const parsed = JSON.parse(body) as { message?: string };
      return parsed.message ?? body;
    } catch {
      return body;
    }
  }
  return JSON.stringify(body);
}

async function orUndefined<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (err) {
    if (apiStatus(err) === 404) return undefined;
    throw err;
  }
}
