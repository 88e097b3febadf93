// An in-memory cluster for reconciler tests: the caches the reconciler reads, a writer that
// behaves like server-side apply for our purposes (immutable ConfigMaps included), and a canary
// analyzer whose figures a test sets. Not used at run time.

import type { V1ConfigMap, V1Deployment, V1Pod, V1Service, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import type { CanaryFigures } from '../delivery/analysis/figures.js';
import { keyOf, type RiskModel, type RiskModelStatus } from '../api/riskmodel.js';
import type { ChildKind, Owned, OwnedKind } from '../api/children.js';
import type { FigureSource, LoopRef, Measurement } from '../runtime/measuring-loops.js';
import type { DriftFigures } from '../model/input-drift.js';
import type { Cache, Child, ReconcileContext, Writer } from '../runtime/context.js';
import { ApiError } from '../errors.js';
import { RecordingRecorder, memoryLogger } from './fakes.js';
import { riskModel, TEST_IMAGE } from './fixtures.js';
import { LABEL_INSTANCE } from '../api/labels.js';

export const RESYNC_MS = 300_000;

/** A cluster in memory: caches the reconciler reads, and a writer that behaves like SSA for our purposes. */
export class FakeCluster implements Cache, Writer {
  riskModels = new Map<string, RiskModel>();
  configMaps = new Map<string, V1ConfigMap>();
  children = new Map<string, Child>();
  applied: Child[] = [];
  overwritten: Child[] = [];
  removed: string[] = [];
  statusWrites: RiskModelStatus[] = [];
  /** Annotations set on the RiskModel, one entry a write. */
  annotations: Array<Record<string, string>> = [];
  failApply: ApiError | undefined;
  private rv = 1000;

  riskModel = (ns: string, name: string) => this.riskModels.get(`${ns}/${name}`);
  configMap = (ns: string, name: string) => this.configMaps.get(`${ns}/${name}`);
  deployment = (ns: string, name: string) => this.children.get(`Deployment/${ns}/${name}`) as V1Deployment | undefined;
  service = (ns: string, name: string) => this.children.get(`Service/${ns}/${name}`) as V1Service | undefined;
  hpa = (ns: string, name: string) => this.children.get(`HorizontalPodAutoscaler/${ns}/${name}`) as V2HorizontalPodAutoscaler | undefined;
  child = (kind: ChildKind, ns: string, name: string) => this.children.get(`${kind}/${ns}/${name}`);
  /** Pods a test puts here, by `namespace/name`; `pods()` selects them by the instance label like the informer. */
  podObjects = new Map<string, V1Pod>();
  pods = (ns: string, name: string) =>
    [...this.podObjects.values()].filter((p) => p.metadata?.namespace === ns && p.metadata.labels?.[LABEL_INSTANCE] === name);
  configMapsLabelled = (ns: string, labels: Record<string, string>) =>
    [...this.configMaps.values()].filter((cm) => cm.metadata?.namespace === ns && Object.entries(labels).every(([k, v]) => cm.metadata?.labels?.[k] === v));

  apply<T extends Owned>(obj: T): Promise<T> {
    if (this.failApply) return Promise.reject(this.failApply);
    if (obj.kind === 'ConfigMap') return Promise.resolve(this.storeConfigMap(obj as V1ConfigMap) as T);
    this.applied.push(structuredClone(obj as Child));
    const key = `${obj.kind}/${keyOf(obj.metadata ?? {})}`;
    const stored = this.storedAs(obj, this.children.get(key) as V1Deployment | undefined);
    this.children.set(key, stored);
    return Promise.resolve(stored);
  }

  snapshotsWritten: V1ConfigMap[] = [];

  private storeConfigMap(cm: V1ConfigMap): V1ConfigMap {
    const key = keyOf(cm.metadata ?? {});
    const existing = this.configMaps.get(key);
    if (existing?.immutable && JSON.stringify(existing.data) !== JSON.stringify(cm.data)) throw new ApiError(422, 'Invalid', 'field is immutable when `immutable` is set');
    const stored = { ...structuredClone(cm), metadata: { ...cm.metadata, uid: existing?.metadata?.uid ?? `uid-${++this.rv}`, resourceVersion: String(++this.rv) } };
    this.snapshotsWritten.push(stored);
    this.configMaps.set(key, stored);
    return stored;
  }

  /** What the API server would store for an apply of `obj` over `existing`. */
  private storedAs<T extends Owned>(obj: T, existing: V1Deployment | undefined): T {
    const stored = structuredClone(obj) as T & V1Deployment;
    const meta = stored.metadata!;
    meta.resourceVersion = String(++this.rv);
    meta.uid = existing?.metadata?.uid ?? `uid-${this.rv}`;
    if (obj.kind === 'Deployment') asDeploymentController(stored, existing);
    if (existing?.status) stored.status = existing.status;
    return stored;
  }

  overwrite<T extends Owned>(obj: T): Promise<T> {
    this.overwritten.push(structuredClone(obj as Child));
    const stored = structuredClone(obj);
    this.children.set(`${obj.kind}/${keyOf(obj.metadata ?? {})}`, stored);
    return Promise.resolve(stored);
  }

  remove(kind: OwnedKind, ns: string, name: string, uid: string): Promise<void> {
    const key = `${kind}/${ns}/${name}`;
    if (this.children.get(key)?.metadata?.uid === uid) this.children.delete(key);
    if (kind === 'ConfigMap' && this.configMaps.get(`${ns}/${name}`)?.metadata?.uid === uid) this.configMaps.delete(`${ns}/${name}`);
    this.removed.push(key);
    return Promise.resolve();
  }

  applyStatus(rm: RiskModel, status: RiskModelStatus): Promise<void> {
    this.statusWrites.push(structuredClone(status));
    const stored = this.riskModels.get(keyOf(rm.metadata));
    if (stored) this.riskModels.set(keyOf(rm.metadata), { ...stored, status: structuredClone(status) });
    return Promise.resolve();
  }

  annotate(rm: RiskModel, annotations: Record<string, string>): Promise<void> {
    this.annotations.push(structuredClone(annotations));
    const stored = this.riskModels.get(keyOf(rm.metadata));
    if (stored) this.riskModels.set(keyOf(rm.metadata), { ...stored, metadata: { ...stored.metadata, annotations: { ...stored.metadata.annotations, ...annotations } } });
    return Promise.resolve();
  }

  /** Every write a reconcile made: applies of children and of model snapshots, overwrites, deletions and status writes. */
  writes(): number {
    return this.applied.length + this.snapshotsWritten.length + this.overwritten.length + this.removed.length + this.statusWrites.length + this.annotations.length;
  }

  /** Marks the Deployment rolled out with `ready` ready pods at the HPA's replica count. */
  rollOut(ns: string, name: string, ready: number): void {
    const d = this.deployment(ns, name)!;
    const replicas = d.spec?.replicas ?? 1;
    d.status = { observedGeneration: d.metadata?.generation ?? 1, replicas, updatedReplicas: replicas, readyReplicas: ready, availableReplicas: ready };
  }
}

/** Canary figures as a test sets them, as if measured just now; `measured` counts the reads. */
export class FakeAnalyzer implements FigureSource<CanaryFigures> {
  figures: CanaryFigures = { pods: 0, readyPods: 0, restarts: 0, requests: 0, errors: 0, errorRatio: null, p99LatencyMs: null, smoke: { passed: true, message: 'no pods yet' } };
  measured = 0;

  forgotten = 0;

  /** The label selectors read, in order. */
  selectors: string[] = [];

  observe(canary: LoopRef): Measurement<CanaryFigures> {
    this.measured++;
    this.selectors.push(canary.selector);
    return { figures: structuredClone(this.figures), at: new Date(0) };
  }

  release(): void {
    this.forgotten++;
  }
}

/** Drift figures as a test sets them (undefined: not measured yet); `refs` records what was observed, `released` the releases. */
export class FakeDrift implements FigureSource<DriftFigures> {
  figures: DriftFigures | undefined;
  refs: LoopRef[] = [];
  released = 0;

  observe(ref: LoopRef): Measurement<DriftFigures> | undefined {
    this.refs.push(ref);
    return this.figures ? { figures: structuredClone(this.figures), at: new Date(0) } : undefined;
  }

  release(): void {
    this.released++;
  }
}

export function setup(rm: RiskModel = riskModel()) {
  const cluster = new FakeCluster();
  cluster.riskModels.set(keyOf(rm.metadata), rm);
  const events = new RecordingRecorder();
  const analyzer = new FakeAnalyzer();
  const clock = { now: new Date('2026-05-01T00:00:00Z') };
  const drift = new FakeDrift();
  const ctx: ReconcileContext = { cache: cluster, writer: cluster, events, inferenceImage: TEST_IMAGE, now: () => clock.now, log: memoryLogger().log, resyncMs: RESYNC_MS, analyzer, drift };
  return { cluster, events, ctx, analyzer, drift, clock, key: keyOf(rm.metadata) };
}


/**
 * Like the API server: fields we do not send keep their owner's value (replicas: the HPA's), and
 * a new pod template is a generation the Deployment controller has yet to observe.
 */
function asDeploymentController(stored: V1Deployment, existing: V1Deployment | undefined): void {
  const spec = stored.spec!;
  const before = existing ?? { spec: { replicas: 1, template: spec.template, selector: spec.selector }, metadata: { generation: 1 } };
  spec.replicas ??= before.spec!.replicas;
  const newTemplate = JSON.stringify(before.spec!.template) !== JSON.stringify(spec.template);
  stored.metadata!.generation = (before.metadata!.generation ?? 1) + (newTemplate ? 1 : 0);
}
