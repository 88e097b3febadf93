// The RiskModel API (riskmodel.dev/v1alpha1) as TypeScript types, with the defaults the CRD
// schema also declares. The API server applies the schema defaults on write; `withDefaults`
// applies the same ones again so the operator behaves identically on objects that were
// stored before a default existed.

import type { V1Affinity, V1NetworkPolicyPeer, V1Toleration, V1TopologySpreadConstraint, V2HorizontalPodAutoscalerBehavior } from '@kubernetes/client-node';

export const GROUP = 'riskmodel.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = 'RiskModel';
export const PLURAL = 'riskmodels';

export const FIELD_MANAGER = 'riskmodel-operator';


export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer';
export const SERVICE_TYPES: readonly ServiceType[] = ['ClusterIP', 'NodePort', 'LoadBalancer'];

/** Resource name (cpu, memory, …) to quantity string. */
export type ResourceList = Record<string, string>;

export interface ResourceRequirements {
  requests?: ResourceList;
  limits?: ResourceList;
}

export interface ConfigMapRef {
  name: string;
  key?: string;
}

/** A count or a percentage such as "25%" (Kubernetes' IntOrString). */
export type IntOrPercent = number | string;

export type ImagePullPolicy = 'Always' | 'IfNotPresent' | 'Never';
export const IMAGE_PULL_POLICIES: readonly ImagePullPolicy[] = ['Always', 'IfNotPresent', 'Never'];

/** The only resource names a RiskModel may request or limit (the CRD refuses others). */
export const RESOURCE_NAMES = ['cpu', 'memory', 'ephemeral-storage'] as const;

export interface RollingUpdate {
  maxSurge?: IntOrPercent;
  maxUnavailable?: IntOrPercent;
}

export interface PodDisruptionBudgetSpec {
  /** False: no PodDisruptionBudget even with minReplicas ≥ 2. */
  enabled?: boolean;
  maxUnavailable?: IntOrPercent;
  minAvailable?: IntOrPercent;
}

export interface NetworkPolicySpec {
  /** Who may reach the inference port (at least one peer). */
  from: V1NetworkPolicyPeer[];
  /** Metrics scrapers, also let in to the inference port, which serves /metrics. */
  metricsFrom?: V1NetworkPolicyPeer[];
}

export type RolloutStrategy = 'RollingUpdate' | 'Canary';
export const ROLLOUT_STRATEGIES: readonly RolloutStrategy[] = ['RollingUpdate', 'Canary'];

/** Canary sizing and the thresholds its analysis enforces (see docs/operator.md, "Canary rollouts"). */
export interface CanarySpec {
  /** Canary pods as a percentage of the stable Deployment's replicas (at least one pod). */
  weight?: number;
  analysisSeconds?: number;
  readyTimeoutSeconds?: number;
  maxErrorRatio?: number;
  maxP99LatencyMs?: number;
  minRequests?: number;
}

export interface RolloutSpec {
  strategy?: RolloutStrategy;
  canary?: CanarySpec;
}

/** What the HPA scales on: CPU (metrics-server) or the pods' own request figures (a custom metrics API). */
export type MetricType = 'CPU' | 'RequestsPerSecond' | 'InFlightRequests';
export const METRIC_TYPES: readonly MetricType[] = ['CPU', 'RequestsPerSecond', 'InFlightRequests'];

/**
 * The per-pod metric each request-based type reads from custom.metrics.k8s.io: the names the
 * prometheus-adapter rules give the inference server's `http_requests_total` rate and
 * `http_requests_in_flight` gauge (localcluster/monitoring.ts; docs/operator.md for other clusters).
 */
export const POD_METRICS = { RequestsPerSecond: 'http_requests_per_second', InFlightRequests: 'http_requests_in_flight' } as const;

/** One entry of spec.autoscaling.metrics. */
export interface AutoscalingMetric {
  type: MetricType;
  /** CPU: percent of the CPU request (default spec.targetCPUUtilizationPercentage). */
  targetUtilizationPercentage?: number;
  /** RequestsPerSecond, InFlightRequests: the average per pod the HPA aims for. */
  targetAveragePerPod?: number;
}

/** An autoscaling metric with its target resolved. */
export type ResolvedMetric = { type: 'CPU'; targetUtilizationPercentage: number } | { type: 'RequestsPerSecond' | 'InFlightRequests'; targetAveragePerPod: number };

/** Input drift monitoring (see docs/operator.md, "Input drift"). */
export interface DriftSpec {
  enabled?: boolean;
  /** PSI above which a feature has drifted (0.1: watch, 0.25: major shift is the usual reading). */
  psiThreshold?: number;
  /** Rows, summed over the pods' windows, before drift is judged. */
  minRows?: number;
  /** Rows each pod's window holds (DRIFT_WINDOW_ROWS). */
  windowRows?: number;
}

export interface RiskModelSpec {
  /** `revision` pins a snapshot (a rollback): served whatever the ConfigMap holds. */
  model: { version: string; configMapRef?: ConfigMapRef; revision?: number };
  revisionHistoryLimit?: number;
  rollout?: RolloutSpec;
  image?: string;
  imagePullPolicy?: ImagePullPolicy;
  imagePullSecrets?: { name: string }[];
  minReplicas?: number;
  maxReplicas?: number;
  targetCPUUtilizationPercentage?: number;
  scaleDownStabilizationSeconds?: number;
  behavior?: V2HorizontalPodAutoscalerBehavior;
  resources?: ResourceRequirements;
  service?: { type?: ServiceType; port?: number };
  nodeSelector?: Record<string, string>;
  tolerations?: V1Toleration[];
  affinity?: V1Affinity;
  topologySpreadConstraints?: V1TopologySpreadConstraint[];
  priorityClassName?: string;
  rollingUpdate?: RollingUpdate;
  podDisruptionBudget?: PodDisruptionBudgetSpec;
  networkPolicy?: NetworkPolicySpec;
  monitoring?: { drift?: DriftSpec };
  /** Several metrics: the HPA takes the largest replica count any of them asks for. */
  autoscaling?: { metrics?: AutoscalingMetric[] };
}

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

/** How a revision stopped serving. */
export type RevisionResult = 'Superseded' | 'RolledBack' | 'FailedAnalysis';

/** One model revision in status.history. */
export interface RevisionRecord {
  revision: number;
  modelVersion: string;
  contentHash: string;
  snapshot?: string;
  startedAt: string;
  endedAt?: string;
  result?: RevisionResult;
  message?: string;
  /** For FailedAnalysis: the canary's pod template hash (the same content and template are not tried again). */
  templateHash?: string;
  /** True when the revision started as a canary; it served the stable pods only once promoted. */
  canary?: boolean;
  /** When its canary passed and the stable pods started rolling to it. */
  promotedAt?: string;
}

/** What the operator measured on the canary pods (operator/delivery/analysis/figures.ts computes it); no ratio or latency before the first request. */
export interface CanaryFiguresStatus {
  pods: number;
  readyPods: number;
  restarts: number;
  requests: number;
  errors: number;
  errorRatio?: number;
  p99LatencyMs?: number;
  smoke: { passed: boolean; message: string };
}

export type CanaryPhase = 'Starting' | 'Analyzing' | 'Promoting';

export interface CanaryStatus {
  revision: number;
  phase: CanaryPhase;
  /** The canary's pod template hash: a change (new model or pod spec) restarts the analysis. */
  templateHash: string;
  startedAt: string;
  analysisStartedAt?: string;
  replicas: number;
  readyReplicas: number;
  message: string;
  figures?: CanaryFiguresStatus;
}

/** One feature's drift as the operator computed it over the pods' windows. */
export interface FeatureDriftStatus {
  name: string;
  psi: number;
  /** Rows in the windows with this feature outside the training range. */
  outOfRange: number;
}

/** status.drift: the inputs the pods scored lately against the model's training data. */
export interface DriftStatus {
  /** Rows in the pods' windows, summed, and the pods that reported. */
  rows: number;
  pods: number;
  /** Worst first. */
  features: FeatureDriftStatus[];
  /** PSI of the predicted classes against their shares on the training rows. */
  predictionsPsi?: number;
  /** When InputDrift turned True; absent while it is not. */
  since?: string;
  /** One line for `kubectl get -o wide`. */
  summary: string;
}

/** One metric the HPA scales on, as it last read it (status.autoscaling). */
export interface MetricStatus {
  type: MetricType;
  /** The HPA's current reading: percent of the CPU request for CPU, the average per pod otherwise; absent until it has one. */
  current?: number;
  target: number;
}

export interface RiskModelStatus {
  observedGeneration?: number;
  replicas?: number;
  readyReplicas?: number;
  desiredReplicas?: number;
  currentCPUUtilizationPercentage?: number;
  modelVersion?: string;
  endpoint?: string;
  conditions?: Condition[];
  lastScaleTime?: string;
  /** The revision the stable pods serve. */
  revision?: number;
  history?: RevisionRecord[];
  canary?: CanaryStatus;
  drift?: DriftStatus;
  /** Each metric the HPA scales on (spec.autoscaling.metrics, or CPU for the short form): reading and target, and a one-line summary (the Scaling column). */
  autoscaling?: { metrics: MetricStatus[]; summary: string };
}

export interface ObjectMeta {
  name: string;
  namespace: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  deletionTimestamp?: string;
}

export interface RiskModel {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  metadata: ObjectMeta;
  spec: RiskModelSpec;
  status?: RiskModelStatus;
}

/** A spec with every optional field resolved. */
export interface ResolvedSpec {
  modelVersion: string;
  /** spec.model.revision: serve this snapshot whatever the ConfigMap holds. */
  pinnedRevision?: number;
  revisionHistoryLimit: number;
  rollout: { strategy: RolloutStrategy; canary: Required<CanarySpec> };
  configMapRef?: { name: string; key: string };
  image: string;
  minReplicas: number;
  maxReplicas: number;
  targetCPUUtilizationPercentage: number;
  /** What the HPA scales on: spec.autoscaling.metrics, or CPU at targetCPUUtilizationPercentage (the short form). */
  metrics: ResolvedMetric[];
  scaleDownStabilizationSeconds: number;
  /** The HPA's behavior: the user's, with scaleDownStabilizationSeconds as the default scale-down window. */
  behavior: V2HorizontalPodAutoscalerBehavior;
  resources: ResourceRequirements;
  service: { type: ServiceType; port: number };
  imagePullPolicy: ImagePullPolicy;
  imagePullSecrets?: { name: string }[];
  scheduling: Scheduling;
  rollingUpdate: Required<RollingUpdate>;
  /** Absent when no budget applies (disabled, or fewer than two replicas to protect). */
  podDisruptionBudget?: { maxUnavailable: IntOrPercent } | { minAvailable: IntOrPercent };
  networkPolicy?: NetworkPolicySpec;
  drift: Required<DriftSpec>;
}

/** Where pods may run. `topologySpreadConstraints` lack a labelSelector only where the pods' own selector goes. */
export interface Scheduling {
  nodeSelector?: Record<string, string>;
  tolerations?: V1Toleration[];
  affinity?: V1Affinity;
  topologySpreadConstraints: V1TopologySpreadConstraint[];
  priorityClassName?: string;
}

export const DEFAULTS = {
  configMapKey: 'model.json',
  minReplicas: 2,
  maxReplicas: 5,
  targetCPUUtilizationPercentage: 70,
  scaleDownStabilizationSeconds: 300,
  requests: { cpu: '100m', memory: '128Mi' },
  limits: { cpu: '200m', memory: '256Mi' },
  /** Added when the user's resources name ephemeral-storage in neither requests nor limits: /tmp (64Mi) plus rotated logs. */
  ephemeralStorage: { request: '128Mi', limit: '256Mi' },
  revisionHistoryLimit: 3,
  rolloutStrategy: 'RollingUpdate' as RolloutStrategy,
  canary: { weight: 20, analysisSeconds: 60, readyTimeoutSeconds: 120, maxErrorRatio: 0.01, maxP99LatencyMs: 500, minRequests: 0 },
  serviceType: 'ClusterIP' as ServiceType,
  servicePort: 80,
  imagePullPolicy: 'IfNotPresent' as ImagePullPolicy,
  rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 },
  pdbMaxUnavailable: 1,
  /** Spread over nodes, preferring but never requiring it, so a single-node cluster still schedules. */
  topologySpread: { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' },
  drift: { enabled: true, psiThreshold: 0.2, minRows: 1000, windowRows: 5000 },
} as const;

/** Resolves every default, taking the image from the operator's configuration when unset. Pure. */
export function withDefaults(spec: RiskModelSpec, defaultImage: string): ResolvedSpec {
  const ref = spec.model.configMapRef;
  return {
    modelVersion: spec.model.version,
    ...(ref ? { configMapRef: { name: ref.name, key: ref.key ?? DEFAULTS.configMapKey } } : {}),
    ...deliveryWithDefaults(spec),
    image: spec.image ?? defaultImage,
    ...scalingWithDefaults(spec),
    resources: resourcesWithDefaults(spec.resources),
    service: { type: spec.service?.type ?? DEFAULTS.serviceType, port: spec.service?.port ?? DEFAULTS.servicePort },
    ...podWithDefaults(spec),
    ...budgetWithDefaults(spec),
    ...(spec.networkPolicy ? { networkPolicy: structuredClone(spec.networkPolicy) } : {}),
    drift: { ...DEFAULTS.drift, ...spec.monitoring?.drift },
  };
}

function deliveryWithDefaults(spec: RiskModelSpec): Pick<ResolvedSpec, 'pinnedRevision' | 'revisionHistoryLimit' | 'rollout'> {
  const rollout = spec.rollout ?? {};
  return {
    ...(spec.model.revision !== undefined ? { pinnedRevision: spec.model.revision } : {}),
    revisionHistoryLimit: spec.revisionHistoryLimit ?? DEFAULTS.revisionHistoryLimit,
    rollout: { strategy: rollout.strategy ?? DEFAULTS.rolloutStrategy, canary: { ...DEFAULTS.canary, ...rollout.canary } },
  };
}

function podWithDefaults(spec: RiskModelSpec): Pick<ResolvedSpec, 'imagePullPolicy' | 'imagePullSecrets' | 'scheduling' | 'rollingUpdate'> {
  const { maxSurge, maxUnavailable } = spec.rollingUpdate ?? {};
  return {
    imagePullPolicy: spec.imagePullPolicy ?? DEFAULTS.imagePullPolicy,
    ...(spec.imagePullSecrets ? { imagePullSecrets: structuredClone(spec.imagePullSecrets) } : {}),
    scheduling: schedulingWithDefaults(spec),
    rollingUpdate: { maxSurge: maxSurge ?? DEFAULTS.rollingUpdate.maxSurge, maxUnavailable: maxUnavailable ?? DEFAULTS.rollingUpdate.maxUnavailable },
  };
}

/**
 * Like the CRD default, cpu and memory are all or nothing, so a user's request above our default
 * limit stays valid. Ephemeral storage is added on its own when the user names it nowhere.
 */
function resourcesWithDefaults(resources: ResourceRequirements | undefined): ResourceRequirements {
  const out: ResourceRequirements = resources ? structuredClone(resources) : { requests: { ...DEFAULTS.requests }, limits: { ...DEFAULTS.limits } };
  const storage = 'ephemeral-storage';
  if (out.requests?.[storage] === undefined && out.limits?.[storage] === undefined) {
    out.requests = { ...out.requests, [storage]: DEFAULTS.ephemeralStorage.request };
    out.limits = { ...out.limits, [storage]: DEFAULTS.ephemeralStorage.limit };
  }
  return out;
}

function schedulingWithDefaults(spec: RiskModelSpec): Scheduling {
  const copy = <T>(value: T | undefined) => (value === undefined ? undefined : structuredClone(value));
  const scheduling: Scheduling = { topologySpreadConstraints: copy(spec.topologySpreadConstraints) ?? [{ ...DEFAULTS.topologySpread }] };
  if (spec.nodeSelector) scheduling.nodeSelector = copy(spec.nodeSelector);
  if (spec.tolerations) scheduling.tolerations = copy(spec.tolerations);
  if (spec.affinity) scheduling.affinity = copy(spec.affinity);
  if (spec.priorityClassName) scheduling.priorityClassName = spec.priorityClassName;
  return scheduling;
}

/**
 * A budget protects replicas only when there are at least two: with one, maxUnavailable 1 allows
 * every eviction anyway and minAvailable 1 would block node drains for good.
 */
function budgetWithDefaults(spec: RiskModelSpec): Pick<ResolvedSpec, 'podDisruptionBudget'> {
  const pdb = spec.podDisruptionBudget;
  if (pdb?.enabled === false || (spec.minReplicas ?? DEFAULTS.minReplicas) < 2) return {};
  if (pdb?.minAvailable !== undefined) return { podDisruptionBudget: { minAvailable: pdb.minAvailable } };
  return { podDisruptionBudget: { maxUnavailable: pdb?.maxUnavailable ?? DEFAULTS.pdbMaxUnavailable } };
}

/** The metrics the HPA scales on: the list when given (a CPU entry's target defaults to the short form), else CPU alone. */
function metricsWithDefaults(spec: RiskModelSpec, cpu: number): ResolvedMetric[] {
  const given = spec.autoscaling?.metrics;
  if (!given?.length) return [{ type: 'CPU', targetUtilizationPercentage: cpu }];
  return given.map((m): ResolvedMetric => (m.type === 'CPU' ? { type: 'CPU', targetUtilizationPercentage: m.targetUtilizationPercentage ?? cpu } : { type: m.type, targetAveragePerPod: m.targetAveragePerPod ?? 1 /* the CRD requires it; 1 only for an object it never checked */ }));
}

function scalingWithDefaults(spec: RiskModelSpec): Pick<ResolvedSpec, 'minReplicas' | 'maxReplicas' | 'targetCPUUtilizationPercentage' | 'metrics' | 'scaleDownStabilizationSeconds' | 'behavior'> {
  const scaleDownStabilizationSeconds = spec.scaleDownStabilizationSeconds ?? DEFAULTS.scaleDownStabilizationSeconds;
  const behavior = structuredClone(spec.behavior ?? {});
  // The simple form is the default of the full one: behavior.scaleDown.stabilizationWindowSeconds wins when set.
  behavior.scaleDown = { stabilizationWindowSeconds: scaleDownStabilizationSeconds, ...behavior.scaleDown };
  const targetCPUUtilizationPercentage = spec.targetCPUUtilizationPercentage ?? DEFAULTS.targetCPUUtilizationPercentage;
  return {
    minReplicas: spec.minReplicas ?? DEFAULTS.minReplicas,
    maxReplicas: spec.maxReplicas ?? DEFAULTS.maxReplicas,
    targetCPUUtilizationPercentage,
    metrics: metricsWithDefaults(spec, targetCPUUtilizationPercentage),
    scaleDownStabilizationSeconds,
    behavior,
  };
}

/** `namespace/name`, the queue key of a namespaced object. */
export function keyOf(meta: { namespace?: string; name?: string }): string {
  return `${meta.namespace ?? ''}/${meta.name ?? ''}`;
}

/** Splits a queue key; throws on a key without exactly one slash. */
export function splitKey(key: string): { namespace: string; name: string } {
  const parts = key.split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1]) throw new Error(`malformed key ${JSON.stringify(key)}`);
  return { namespace: parts[0], name: parts[1] };
}

/** The Service's in-cluster URL, as published in `status.endpoint`. */
export function endpointOf(name: string, namespace: string, port: number): string {
  return `http://${name}.${namespace}.svc.cluster.local:${port}`;
}
