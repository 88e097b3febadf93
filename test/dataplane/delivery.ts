// What safe model delivery (issue 10) shows a user on the real node: the operator's model
// snapshots, status.history, the canary, the RiskModel's events, and the model each pod really
// serves (asked on the pod's own address on the cluster bridge, not through the Service, so every
// pod is checked).
import { createHash } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';
import type { CanaryStatus, RevisionRecord } from '../../operator/api/riskmodel.js';
import { CONTAINER_PORT } from '../../operator/model/desired.js';
import { GROUP, isReady, LABELS, PLURAL, VERSION, type RiskModel } from '../operator/harness/api.js';
import { eventually } from '../operator/harness/eventually.js';
import { livePods, predictOnce, type RealNodeBed } from './bed.js';

export type { CanaryStatus, RevisionRecord };

// The label and annotation names DESIGN-10 documents, spelled out (not imported from the operator)
// so that a change of the documented API fails these tests.
export const SNAPSHOT_COMPONENT = 'model-snapshot';
export const COMPONENT_LABEL = 'app.kubernetes.io/component';
export const REVISION_LABEL = 'riskmodel.dev/revision';
export const TRACK_LABEL = 'riskmodel.dev/track';
export const CONTENT_HASH_ANNOTATION = 'riskmodel.dev/content-hash';
export const MODEL_VERSION_ANNOTATION = 'riskmodel.dev/model-version';

/** A RiskModel with the delivery fields of spec and status (the harness type has them). */
export type DeliveredRiskModel = RiskModel;

/** The artifact's own `version` field: what the pods' GET /model answers for it. */
export function artifactVersion(artifact: string): string {
  return (JSON.parse(artifact) as { version: string }).version;
}

/** SHA-256 of the artifact text, hex: a snapshot's content hash. */
export function contentHash(artifact: string): string {
  return createHash('sha256').update(artifact).digest('hex');
}

/** The snapshot ConfigMap's name for `artifact` of RiskModel `name`. */
export function snapshotName(name: string, artifact: string): string {
  return `${name}-model-${contentHash(artifact).slice(0, 10)}`;
}

export function getRiskModel(bed: RealNodeBed, name: string): Promise<DeliveredRiskModel> {
  return bed.cluster.getRiskModel(bed.namespace, name);
}

/** Merge-patches the RiskModel's spec, as `kubectl patch --type merge` does. */
export async function patchSpec(bed: RealNodeBed, name: string, spec: Record<string, unknown>): Promise<DeliveredRiskModel> {
  return (await bed.cluster.custom.patchNamespacedCustomObject(
    { group: GROUP, version: VERSION, namespace: bed.namespace, plural: PLURAL, name, body: { spec } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  )) as DeliveredRiskModel;
}

/** The operator's snapshot ConfigMaps of RiskModel `name`, lowest revision first. */
export async function snapshots(bed: RealNodeBed, name: string): Promise<k8s.V1ConfigMap[]> {
  const list = await bed.cluster.core.listNamespacedConfigMap({ namespace: bed.namespace, labelSelector: `${LABELS.instance}=${name},${COMPONENT_LABEL}=${SNAPSHOT_COMPONENT}` });
  const revision = (c: k8s.V1ConfigMap): number => Number(c.metadata?.labels?.[REVISION_LABEL]);
  return list.items.sort((a, b) => revision(a) - revision(b));
}

/** The revision numbers the snapshots carry in their label, lowest first. */
export async function snapshotRevisions(bed: RealNodeBed, name: string): Promise<number[]> {
  return (await snapshots(bed, name)).map((c) => Number(c.metadata?.labels?.[REVISION_LABEL]));
}

/** Pods of the stable Deployment (not the canary) that are not being deleted. */
export async function stablePods(bed: RealNodeBed, name: string): Promise<k8s.V1Pod[]> {
  return (await livePods(bed, name)).filter((p) => !p.metadata?.deletionTimestamp && p.metadata?.labels?.[TRACK_LABEL] !== 'canary');
}

/** Pods of the canary Deployment, including ones being deleted. */
export async function canaryPods(bed: RealNodeBed, name: string): Promise<k8s.V1Pod[]> {
  return (await livePods(bed, name)).filter((p) => p.metadata?.labels?.[TRACK_LABEL] === 'canary');
}

/** The canary Deployment `<name>-canary`, or undefined when there is none. */
export async function canaryDeployment(bed: RealNodeBed, name: string): Promise<k8s.V1Deployment | undefined> {
  try {
    return await bed.cluster.apps.readNamespacedDeployment({ namespace: bed.namespace, name: `${name}-canary` });
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}

/** The model version one pod serves: its own GET /model, on its pod IP. */
export async function servedVersion(pod: k8s.V1Pod): Promise<string> {
  const res = await fetch(`http://${pod.status?.podIP}:${CONTAINER_PORT}/model`, { signal: AbortSignal.timeout(5000) });
  if (res.status !== 200) throw new Error(`GET /model on pod ${pod.metadata?.name} answered ${res.status}`);
  return ((await res.json()) as { version: string }).version;
}

/** Pod name to the model version it serves, for every pod given. */
export async function servedVersions(pods: k8s.V1Pod[]): Promise<Record<string, string>> {
  return Object.fromEntries(await Promise.all(pods.map(async (p) => [p.metadata?.name ?? '', await servedVersion(p)] as const)));
}

/** The pod's Ready condition is True. */
export const podReady = (p: k8s.V1Pod): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

export interface Serving {
  /** status.revision expected. */
  revision: number;
  /** The artifact every stable pod must answer in GET /model. */
  artifact: string;
  /** Stable pods expected, all Ready. */
  replicas: number;
}

/**
 * Waits until RiskModel `name` is Ready at its generation with status.revision as expected, no
 * canary, exactly `replicas` stable pods, all Ready, and every one of them answering the
 * artifact's version in GET /model. Resolves with the RiskModel and those pods.
 */
export function waitServing(bed: RealNodeBed, name: string, want: Serving, timeoutMs = 240_000): Promise<{ rm: DeliveredRiskModel; pods: k8s.V1Pod[] }> {
  const version = artifactVersion(want.artifact);
  return eventually(`RiskModel ${name} serving revision ${want.revision} (${version}) on ${want.replicas} ready pods`, async (saw) => {
    const rm = await getRiskModel(bed, name);
    const pods = await stablePods(bed, name);
    if (!settled(rm, pods, want)) {
      saw({ revision: rm.status?.revision, canary: rm.status?.canary, pods: pods.map((p) => [p.metadata?.name, podReady(p)]), conditions: rm.status?.conditions });
      return false;
    }
    const served = await servedVersions(pods);
    saw({ waiting: `every pod on ${version}`, served });
    return Object.values(served).every((v) => v === version) && { rm, pods };
  }, { timeoutMs, intervalMs: 1000 });
}

/** Ready at its generation on the wanted revision, no canary, the wanted number of stable pods, all Ready. */
function settled(rm: DeliveredRiskModel, pods: k8s.V1Pod[], want: Serving): boolean {
  const status = rm.status ?? {};
  return isReady(rm) && status.revision === want.revision && !status.canary && pods.length === want.replicas && pods.every(podReady);
}

/** Pod UID to its container's restart count: compare two of these to prove no pod was replaced or restarted. */
export function podLives(pods: k8s.V1Pod[]): Record<string, number> {
  return Object.fromEntries(pods.map((p) => [p.metadata?.uid ?? '', p.status?.containerStatuses?.[0]?.restartCount ?? 0]));
}

/** The RiskModel's events as `Type Reason: message`, oldest first. */
export async function eventLines(bed: RealNodeBed, name: string): Promise<string[]> {
  const events = await bed.cluster.eventsFor(bed.namespace, 'RiskModel', name);
  const time = (e: k8s.CoreV1Event): number => new Date(e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? 0).getTime();
  return events.sort((a, b) => time(a) - time(b)).map((e) => `${e.type} ${e.reason}: ${e.message ?? ''}`);
}

/** Waits for an event of RiskModel `name` whose line (`Type Reason: message`) matches `pattern`. */
export function waitEvent(bed: RealNodeBed, name: string, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
  return eventually(`an event of RiskModel ${name} matching ${pattern}`, async (saw) => {
    const lines = await eventLines(bed, name);
    saw(lines);
    return lines.find((l) => pattern.test(l)) ?? false;
  }, { timeoutMs, intervalMs: 1000 });
}

/**
 * Waits until a prediction through the Service at `url` answers 200: the pods can be Ready a moment
 * before kube-proxy has programmed their endpoints, and a load started then counts refused requests.
 */
export function waitServiceAnswers(url: URL, timeoutMs = 30_000): Promise<true> {
  return eventually(`a 200 prediction through the Service at ${url.href}`, async (saw) => {
    const answer = await predictOnce(url);
    saw(answer);
    return answer.status === 200;
  }, { timeoutMs, intervalMs: 500 }).then(() => true);
}
