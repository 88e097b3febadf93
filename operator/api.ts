// The RiskModel API (riskmodel.dev/v1alpha1) as TypeScript types, with the defaults the CRD
// schema also declares. The API server applies the schema defaults on write; `withDefaults`
// applies the same ones again so the operator behaves identically on objects that were
// stored before a default existed.

export const GROUP = 'riskmodel.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = 'RiskModel';
export const PLURAL = 'riskmodels';

export const FIELD_MANAGER = 'riskmodel-operator';
export const CONFIG_HASH_ANNOTATION = 'riskmodel.dev/config-hash';
export const SPEC_HASH_ANNOTATION = 'riskmodel.dev/spec-hash';

export const LABEL_NAME = 'app.kubernetes.io/name';
export const LABEL_INSTANCE = 'app.kubernetes.io/instance';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const APP_NAME = 'riskmodel-inference';
export const MANAGED_BY = 'riskmodel-operator';
/** Selects every child object this operator writes, in any namespace. */
export const MANAGED_SELECTOR = `${LABEL_MANAGED_BY}=${MANAGED_BY}`;

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

export interface RiskModelSpec {
  model: { version: string; configMapRef?: ConfigMapRef };
  image?: string;
  minReplicas?: number;
  maxReplicas?: number;
  targetCPUUtilizationPercentage?: number;
  scaleDownStabilizationSeconds?: number;
  resources?: ResourceRequirements;
  service?: { type?: ServiceType; port?: number };
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
  configMapRef?: { name: string; key: string };
  image: string;
  minReplicas: number;
  maxReplicas: number;
  targetCPUUtilizationPercentage: number;
  scaleDownStabilizationSeconds: number;
  resources: ResourceRequirements;
  service: { type: ServiceType; port: number };
}

export const DEFAULTS = {
  configMapKey: 'model.json',
  minReplicas: 2,
  maxReplicas: 5,
  targetCPUUtilizationPercentage: 70,
  scaleDownStabilizationSeconds: 300,
  requests: { cpu: '100m', memory: '128Mi' },
  limits: { cpu: '200m', memory: '256Mi' },
  serviceType: 'ClusterIP' as ServiceType,
  servicePort: 80,
} as const;

/** Resolves every default, taking the image from the operator's configuration when unset. Pure. */
export function withDefaults(spec: RiskModelSpec, defaultImage: string): ResolvedSpec {
  const ref = spec.model.configMapRef;
  return {
    modelVersion: spec.model.version,
    ...(ref ? { configMapRef: { name: ref.name, key: ref.key ?? DEFAULTS.configMapKey } } : {}),
    image: spec.image ?? defaultImage,
    ...scalingWithDefaults(spec),
    // Like the CRD default: all or nothing, so a user's request above our default limit stays valid.
    resources: spec.resources ? structuredClone(spec.resources) : { requests: { ...DEFAULTS.requests }, limits: { ...DEFAULTS.limits } },
    service: { type: spec.service?.type ?? DEFAULTS.serviceType, port: spec.service?.port ?? DEFAULTS.servicePort },
  };
}

function scalingWithDefaults(spec: RiskModelSpec): Pick<ResolvedSpec, 'minReplicas' | 'maxReplicas' | 'targetCPUUtilizationPercentage' | 'scaleDownStabilizationSeconds'> {
  return {
    minReplicas: spec.minReplicas ?? DEFAULTS.minReplicas,
    maxReplicas: spec.maxReplicas ?? DEFAULTS.maxReplicas,
    targetCPUUtilizationPercentage: spec.targetCPUUtilizationPercentage ?? DEFAULTS.targetCPUUtilizationPercentage,
    scaleDownStabilizationSeconds: spec.scaleDownStabilizationSeconds ?? DEFAULTS.scaleDownStabilizationSeconds,
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
