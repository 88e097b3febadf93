// Desired state: what a RiskModel's Deployment, Service, HPA and, when they apply, its
// PodDisruptionBudget and NetworkPolicy should look like. Pure — no clock, environment or
// client — so every field is covered by table tests.
//
// The Deployment never carries `spec.replicas`: the HPA owns the replica count (see
// docs/operator.md, "Who owns spec.replicas"). Each child carries a `riskmodel.dev/spec-hash`
// of its own desired content so the reconciler can skip a write when nothing changed; the pod
// template carries `riskmodel.dev/config-hash` so pods roll exactly when a pod-affecting input
// (including the model's bytes) changes.

import type {
  V1Deployment,
  V1NetworkPolicy,
  V1PodDisruptionBudget,
  V1PodSpec,
  V1Service,
  V1TopologySpreadConstraint,
  V2HorizontalPodAutoscaler,
  V2MetricSpec,
} from '@kubernetes/client-node';
import { POD_METRICS, type ResolvedMetric, type ResolvedSpec, type RiskModel } from '../api/riskmodel.js';
import type { Child, ChildKind } from '../api/children.js';
import { hashOf } from './hash.js';
import { MODEL_FILE, servedAnnotations, type Served } from './served.js';
import { CANARY_TEMPLATE_LABEL, canaryTemplateLabel, CONFIG_HASH_ANNOTATION, labelsFor, ownerReference, selectorFor, SPEC_HASH_ANNOTATION, TRACK_LABEL } from '../api/labels.js';

export const CONTAINER_NAME = 'inference';
export const CONTAINER_PORT = 8080;
export const MODEL_DIR = '/etc/riskmodel';
/** The non-root numeric identity pods run as (Pod Security `restricted`). */
export const POD_UID = 10001;
/**
 * Shutdown timing given to the pods. On SIGTERM the server answers /readyz 503 but keeps
 * serving for the drain delay (endpoints drop the pod meanwhile: no preStop hook needed),
 * then lets in-flight requests finish; no request may take longer than the request timeout.
 * The kubelet's grace period covers both plus a margin, so it never kills a draining pod.
 */
export const SHUTDOWN = { drainDelaySeconds: 5, requestTimeoutSeconds: 10, marginSeconds: 5 } as const;
export const TERMINATION_GRACE_SECONDS = SHUTDOWN.drainDelaySeconds + SHUTDOWN.requestTimeoutSeconds + SHUTDOWN.marginSeconds;

function shutdownEnv(): Array<{ name: string; value: string }> {
  return [
    { name: 'SHUTDOWN_DRAIN_DELAY_MS', value: String(SHUTDOWN.drainDelaySeconds * 1000) },
    { name: 'SHUTDOWN_GRACE_MS', value: String(SHUTDOWN.requestTimeoutSeconds * 1000) },
    { name: 'REQUEST_TIMEOUT_MS', value: String(SHUTDOWN.requestTimeoutSeconds * 1000) },
  ];
}

export interface DesiredChildren {
  deployment: V1Deployment;
  service: V1Service;
  hpa: V2HorizontalPodAutoscaler;
  /** Absent when no budget applies: the reconciler then deletes one it made before. */
  podDisruptionBudget?: V1PodDisruptionBudget;
  /** Absent unless spec.networkPolicy is set. */
  networkPolicy?: V1NetworkPolicy;
}

/** The desired children by kind; undefined marks a kind the RiskModel must not have. */
export function byKind(c: DesiredChildren): Record<ChildKind, Child | undefined> {
  return { Deployment: c.deployment, Service: c.service, HorizontalPodAutoscaler: c.hpa, PodDisruptionBudget: c.podDisruptionBudget, NetworkPolicy: c.networkPolicy };
}

function metadataFor(rm: RiskModel, content: unknown): V1Deployment['metadata'] {
  return {
    name: rm.metadata.name,
    namespace: rm.metadata.namespace,
    labels: labelsFor(rm.metadata.name),
    annotations: { [SPEC_HASH_ANNOTATION]: hashOf(content) },
    ownerReferences: [ownerReference(rm)],
  };
}

function modelVolume(model: Served): Pick<V1PodSpec, 'volumes'> & { mounts: NonNullable<V1PodSpec['containers'][number]['volumeMounts']> } {
  const tmp = { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } };
  const tmpMount = { name: 'tmp', mountPath: '/tmp' };
  if (model.source === 'image') return { volumes: [tmp], mounts: [tmpMount] };
  return {
    // The operator's immutable snapshot, never the user's ConfigMap (operator/delivery/snapshots.ts).
    volumes: [{ name: 'model', configMap: { name: model.snapshot, items: [{ key: MODEL_FILE, path: MODEL_FILE }] } }, tmp],
    mounts: [{ name: 'model', mountPath: MODEL_DIR, readOnly: true }, tmpMount],
  };
}

/** The user's spread constraints, or the default; a constraint without a labelSelector counts this RiskModel's pods. */
function spreadFor(name: string, spec: ResolvedSpec): V1TopologySpreadConstraint[] {
  return spec.scheduling.topologySpreadConstraints.map((c) => ({ ...c, labelSelector: c.labelSelector ?? { matchLabels: selectorFor(name) } }));
}

/** Scheduling and pull settings of the pod, only those that are set (so an unset field stays the API server's default). */
function placement(name: string, spec: ResolvedSpec): Partial<V1PodSpec> {
  const { nodeSelector, tolerations, affinity, priorityClassName } = spec.scheduling;
  const optional = { nodeSelector, tolerations, affinity, priorityClassName, imagePullSecrets: spec.imagePullSecrets };
  return { ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)), topologySpreadConstraints: spreadFor(name, spec) };
}

/** `name` is the RiskModel's: the Open Inference Protocol routes serve the model under it. */
function podSpec(name: string, spec: ResolvedSpec, model: Served): V1PodSpec {
  const { volumes, mounts } = modelVolume(model);
  // Each pod's drift window (0: not tracked, when spec.monitoring.drift is off).
  const driftRows = spec.drift.enabled ? spec.drift.windowRows : 0;
  const env = [{ name: 'PORT', value: String(CONTAINER_PORT) }, { name: 'MODEL_NAME', value: name }, ...shutdownEnv(), { name: 'DRIFT_WINDOW_ROWS', value: String(driftRows) }];
  if (model.source === 'snapshot') env.push({ name: 'MODEL_PATH', value: `${MODEL_DIR}/${MODEL_FILE}` });
  const probe = (path: string) => ({ httpGet: { path, port: 'http' }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 });
  return {
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
    securityContext: { runAsNonRoot: true, runAsUser: POD_UID, runAsGroup: POD_UID, seccompProfile: { type: 'RuntimeDefault' } },
    ...placement(name, spec),
    containers: [
      {
        name: CONTAINER_NAME,
        image: spec.image,
        imagePullPolicy: spec.imagePullPolicy,
        ports: [{ name: 'http', containerPort: CONTAINER_PORT, protocol: 'TCP' }],
        env,
        readinessProbe: probe('/readyz'),
        livenessProbe: { ...probe('/healthz'), initialDelaySeconds: 10, periodSeconds: 10 },
        resources: spec.resources,
        securityContext: {
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          capabilities: { drop: ['ALL'] },
        },
        volumeMounts: mounts,
      },
    ],
    volumes,
  };
}

/**
 * The pod template hash: everything that reaches a pod, plus the model's content hash, so a
 * new artifact under the same ConfigMap name still rolls the pods. Pure and deterministic.
 */
export function configHash(pod: V1PodSpec, model: Served): string {
  return hashOf({ pod, model: model.source === 'snapshot' ? model.contentHash : 'image' });
}


export type Track = 'stable' | 'canary';

/** The name of a RiskModel's canary Deployment. */
export function canaryName(name: string): string {
  return `${name}-canary`;
}

function templateFor(rm: RiskModel, spec: ResolvedSpec, model: Served, track: Track): NonNullable<V1Deployment['spec']>['template'] {
  const pod = podSpec(rm.metadata.name, spec, model);
  const hash = configHash(pod, model);
  const canary: Record<string, string> = track === 'canary' ? { [CANARY_TEMPLATE_LABEL]: canaryTemplateLabel(hash) } : {};
  return {
    metadata: { labels: { ...labelsFor(rm.metadata.name), [TRACK_LABEL]: track, ...canary }, annotations: { [CONFIG_HASH_ANNOTATION]: hash, ...servedAnnotations(model) } },
    spec: pod,
  };
}

function deploymentFor(rm: RiskModel, spec: ResolvedSpec, model: Served): V1Deployment {
  const body: V1Deployment['spec'] = {
    // No `replicas`: the HPA owns it (docs/operator.md). The selector also matches canary pods (it is immutable, and older than canaries).
    selector: { matchLabels: selectorFor(rm.metadata.name) },
    revisionHistoryLimit: 5,
    strategy: { type: 'RollingUpdate', rollingUpdate: { ...spec.rollingUpdate } },
    template: templateFor(rm, spec, model, 'stable'),
  };
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: metadataFor(rm, body), spec: body };
}

/**
 * The canary Deployment: the stable pod spec serving `model`, `replicas` pods that carry the
 * canary track label (the Service selects them too). Pure.
 */
export function canaryDeployment(rm: RiskModel, spec: ResolvedSpec, model: Served, replicas: number): V1Deployment {
  const body: V1Deployment['spec'] = {
    replicas,
    selector: { matchLabels: { ...selectorFor(rm.metadata.name), [TRACK_LABEL]: 'canary' } },
    revisionHistoryLimit: 1,
    strategy: { type: 'RollingUpdate', rollingUpdate: { ...spec.rollingUpdate } },
    template: templateFor(rm, spec, model, 'canary'),
  };
  const metadata = { ...metadataFor(rm, body), name: canaryName(rm.metadata.name) };
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { ...metadata, labels: { ...metadata.labels, [TRACK_LABEL]: 'canary' } }, spec: body };
}

/** Canary pods for `stableReplicas` stable pods at `weight` percent: rounded up, at least one. Pure. */
export function canaryReplicas(stableReplicas: number, weight: number): number {
  return Math.max(1, Math.ceil((Math.max(stableReplicas, 0) * weight) / 100));
}

function serviceFor(rm: RiskModel, spec: ResolvedSpec): V1Service {
  const body: V1Service['spec'] = {
    type: spec.service.type,
    selector: selectorFor(rm.metadata.name),
    ports: [{ name: 'http', port: spec.service.port, targetPort: 'http', protocol: 'TCP' }],
  };
  return { apiVersion: 'v1', kind: 'Service', metadata: metadataFor(rm, body), spec: body };
}

/** A number as a Kubernetes quantity: whole numbers as they are, others in thousandths (`2.5` → `2500m`). */
export function quantityOf(n: number): string {
  return Number.isInteger(n) ? String(n) : `${Math.round(n * 1000)}m`;
}

/** One HPA metric: CPU from metrics-server, the request figures as Pods metrics from a custom metrics API. */
function hpaMetric(m: ResolvedMetric): V2MetricSpec {
  if (m.type === 'CPU') return { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: m.targetUtilizationPercentage } } };
  return { type: 'Pods', pods: { metric: { name: POD_METRICS[m.type] }, target: { type: 'AverageValue', averageValue: quantityOf(m.targetAveragePerPod) } } };
}

function hpaFor(rm: RiskModel, spec: ResolvedSpec): V2HorizontalPodAutoscaler {
  const body: V2HorizontalPodAutoscaler['spec'] = {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: rm.metadata.name },
    minReplicas: spec.minReplicas,
    maxReplicas: spec.maxReplicas,
    metrics: spec.metrics.map(hpaMetric),
    behavior: spec.behavior,
  };
  return { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: metadataFor(rm, body), spec: body };
}

function budgetFor(rm: RiskModel, spec: ResolvedSpec): V1PodDisruptionBudget | undefined {
  if (!spec.podDisruptionBudget) return undefined;
  const body: V1PodDisruptionBudget['spec'] = { selector: { matchLabels: selectorFor(rm.metadata.name) }, ...spec.podDisruptionBudget };
  return { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: metadataFor(rm, body), spec: body };
}

/** Ingress only, to the inference port: from the listed peers, and from the metrics scrapers (the same port serves /metrics). */
function networkPolicyFor(rm: RiskModel, spec: ResolvedSpec): V1NetworkPolicy | undefined {
  if (!spec.networkPolicy) return undefined;
  const ports = [{ protocol: 'TCP', port: CONTAINER_PORT }];
  const { from, metricsFrom } = spec.networkPolicy;
  const ingress = [{ from, ports }, ...(metricsFrom?.length ? [{ from: metricsFrom, ports }] : [])];
  const body: V1NetworkPolicy['spec'] = { podSelector: { matchLabels: selectorFor(rm.metadata.name) }, policyTypes: ['Ingress'], ingress };
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: metadataFor(rm, body), spec: body };
}

/**
 * The children a RiskModel should have, given its spec with defaults applied (withDefaults, once
 * per reconcile) and the model its stable pods serve. Pure: the same inputs give byte-identical objects; the input is never mutated.
 */
export function desired(rm: RiskModel, spec: ResolvedSpec, model: Served): DesiredChildren {
  const children: DesiredChildren = { deployment: deploymentFor(rm, spec, model), service: serviceFor(rm, spec), hpa: hpaFor(rm, spec) };
  const podDisruptionBudget = budgetFor(rm, spec);
  const networkPolicy = networkPolicyFor(rm, spec);
  return { ...children, ...(podDisruptionBudget ? { podDisruptionBudget } : {}), ...(networkPolicy ? { networkPolicy } : {}) };
}
