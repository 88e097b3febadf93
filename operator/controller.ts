// The controller: watches, the work queue and the workers. Watch handlers only enqueue keys:
// a RiskModel's own key; for a child, its controller owner's key (from ownerReferences); for a
// ConfigMap, every RiskModel that references it (an index kept from the RiskModel cache).
// Workers run only while this process leads; caches run always, so a standby takes over warm.

import type { V1ConfigMap } from '@kubernetes/client-node';
import { keyOf, MANAGED_SELECTOR, type RiskModel } from './api.js';
import { CHILD_KINDS, CHILD_RESOURCES, childKindOf, type Child, type ChildKind } from './children.js';
import { ownerKey, specChanged } from './mapping.js';
import type { OperatorConfig } from './config.js';
import { errorPolicy } from './errors.js';
import { EventReason } from './reasons.js';
import type { Recorder } from './events.js';
import type { Kube } from './kube/client.js';
import { Reflector, type EventType, type KubeObject } from './kube/reflector.js';
import { Resources, type ResourceType } from './kube/resources.js';
import { ApplyWriter } from './kube/writer.js';
import type { Logger } from './logger.js';
import type { OperatorMetrics } from './metrics.js';
import { WorkQueue } from './queue.js';
import type { Cache, ReconcileContext } from './context.js';
import { reconcile } from './reconciler.js';

export interface ControllerDeps {
  kube: Kube;
  config: OperatorConfig;
  log: Logger;
  metrics: OperatorMetrics;
  events: Recorder;
  now?: () => Date;
}

type Watched<T extends KubeObject> = Reflector<T>[];

interface Runnable {
  start(): void;
  stop(): Promise<void>;
  hasSynced(): boolean;
}

export class Controller {
  private queue: WorkQueue | undefined;
  private workers: Promise<void>[] = [];
  private resync: ReturnType<typeof setInterval> | undefined;
  /** ConfigMap key → RiskModel keys referencing it, and the reverse. */
  private readonly byConfigMap = new Map<string, Set<string>>();
  private readonly refOf = new Map<string, string>();
  private readonly riskModels: Watched<RiskModel>;
  private readonly children: Map<ChildKind, Watched<Child & KubeObject>>;
  private readonly configMaps: Watched<V1ConfigMap>;
  private readonly ctx: ReconcileContext;

  constructor(private readonly deps: ControllerDeps) {
    const enqueueOwner = (_t: EventType, obj: KubeObject) => {
      const key = ownerKey(obj);
      if (key) this.enqueue(key);
    };
    this.riskModels = this.watch<RiskModel>(Resources.riskModels, undefined, (type, obj, old) => this.onRiskModel(type, obj, old));
    this.children = new Map(CHILD_KINDS.map((kind) => [kind, this.watch<Child & KubeObject>(CHILD_RESOURCES[kind], MANAGED_SELECTOR, enqueueOwner)]));
    this.configMaps = this.watch<V1ConfigMap>(Resources.configMaps, undefined, (_t, obj) => {
      for (const key of this.byConfigMap.get(keyOf(obj.metadata ?? {})) ?? []) this.enqueue(key);
    });
    const find =
      <T extends KubeObject>(list: Watched<T>) =>
      (ns: string, name: string): T | undefined =>
        this.forNamespace(list, ns)?.get(ns, name);
    const cache: Cache = {
      riskModel: find(this.riskModels),
      configMap: find(this.configMaps),
      child: (kind, ns, name) => find(this.children.get(kind) ?? [])(ns, name),
    };
    const assume = <T extends KubeObject>(list: Watched<T>, obj: T) => this.forNamespace(list, obj.metadata?.namespace)?.assume(obj);
    const writer = new ApplyWriter(deps.kube, {
      onApplied: (obj) => {
        const kind = childKindOf(obj);
        if (kind) assume(this.children.get(kind) ?? [], obj);
      },
      onStatus: (rm) => assume(this.riskModels, rm),
    });
    this.ctx = { cache, writer, events: deps.events, inferenceImage: deps.config.inferenceImage, now: deps.now ?? (() => new Date()), log: deps.log };
  }

  /** Starts every watch (leader or not). */
  start(): void {
    for (const r of this.all()) r.start();
  }

  /** True once every watch has listed its objects. */
  hasSynced(): boolean {
    return this.all().every((r) => r.hasSynced());
  }

  /** Starts the workers (on becoming leader): every RiskModel is queued once, then on events and each resync. */
  startWorkers(): void {
    if (this.queue) return;
    const queue = new WorkQueue({ onDepth: (n) => this.deps.metrics.queueDepth.set(n) });
    this.queue = queue;
    this.enqueueAll();
    this.workers = Array.from({ length: this.deps.config.maxConcurrentReconciles }, () => this.work(queue));
    const every = this.deps.config.resyncSeconds * 1000;
    if (every > 0) this.resync = setInterval(() => this.enqueueAll(), every);
  }

  /** Stops handing out keys and waits for reconciles in flight to finish. */
  async stopWorkers(): Promise<void> {
    if (this.resync) clearInterval(this.resync);
    this.resync = undefined;
    this.queue?.shutdown();
    this.queue = undefined;
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers);
    this.deps.metrics.queueDepth.set(0);
  }

  /** Stops workers and watches. */
  async stop(): Promise<void> {
    await this.stopWorkers();
    await Promise.all(this.all().map((r) => r.stop()));
  }

  private all(): Runnable[] {
    return [...this.riskModels, ...[...this.children.values()].flat(), ...this.configMaps];
  }

  private watch<T extends KubeObject>(resource: ResourceType, labelSelector: string | undefined, onEvent: (type: EventType, obj: T, old: T | undefined) => void): Watched<T> {
    const { config, kube, log, metrics } = this.deps;
    const namespaces: (string | undefined)[] = config.watchNamespaces.length > 0 ? config.watchNamespaces : [undefined];
    return namespaces.map(
      (namespace) =>
        new Reflector<T>({
          kube,
          resource,
          ...(namespace ? { namespace } : {}),
          ...(labelSelector ? { labelSelector } : {}),
          idleMs: config.watchIdleSeconds * 1000,
          log,
          onEvent,
          onRestart: (reason) => metrics.watchRestarts.inc({ resource: resource.plural, reason }),
        }),
    );
  }

  private forNamespace<T extends KubeObject>(list: Watched<T>, namespace: string | undefined): Reflector<T> | undefined {
    const { watchNamespaces } = this.deps.config;
    return watchNamespaces.length === 0 ? list[0] : list[watchNamespaces.indexOf(namespace ?? '')];
  }

  private onRiskModel(type: EventType, rm: RiskModel, old: RiskModel | undefined): void {
    const key = keyOf(rm.metadata);
    const ref = type === 'delete' ? undefined : rm.spec?.model?.configMapRef?.name;
    this.index(key, ref ? `${rm.metadata.namespace}/${ref}` : undefined);
    if (type !== 'update' || specChanged(rm, old)) this.enqueue(key);
  }

  /** Keeps the ConfigMap → RiskModels index in step with the RiskModel's reference. */
  private index(key: string, configMapKey: string | undefined): void {
    const previous = this.refOf.get(key);
    if (previous === configMapKey) return;
    if (previous) this.byConfigMap.get(previous)?.delete(key);
    if (!configMapKey) {
      this.refOf.delete(key);
      return;
    }
    this.refOf.set(key, configMapKey);
    this.byConfigMap.set(configMapKey, (this.byConfigMap.get(configMapKey) ?? new Set()).add(key));
  }

  private enqueue(key: string): void {
    this.queue?.add(key);
  }

  private enqueueAll(): void {
    for (const r of this.riskModels) for (const rm of r.list()) this.enqueue(keyOf(rm.metadata));
  }

  private async work(queue: WorkQueue): Promise<void> {
    for (let key = await queue.get(); key !== undefined; key = await queue.get()) {
      await this.process(queue, key);
      queue.done(key);
    }
  }

  private async process(queue: WorkQueue, key: string): Promise<void> {
    const { metrics, log } = this.deps;
    const stopTimer = metrics.reconcileDuration.startTimer();
    try {
      const { action, degraded } = await reconcile(key, this.ctx);
      queue.forget(key);
      if ('requeueAfterMs' in action) queue.addAfter(key, action.requeueAfterMs);
      metrics.reconciles.inc({ result: degraded ? 'terminal' : 'requeueAfterMs' in action ? 'requeue' : 'success' });
    } catch (err) {
      const attempts = queue.countFailure(key);
      const action = errorPolicy(err, attempts);
      const retryInMs = 'requeueAfterMs' in action ? action.requeueAfterMs : undefined;
      const [namespace = '', name = ''] = key.split('/');
      const message = (err as Error).message;
      log.error('reconcile failed', { namespace, name, attempt: attempts, retryInMs, error: message });
      if (retryInMs !== undefined) queue.addAfter(key, retryInMs);
      const rm = this.ctx.cache.riskModel(namespace, name);
      if (rm) await this.deps.events.record(rm, 'Warning', EventReason.ReconcileError, message);
      metrics.reconciles.inc({ result: retryInMs === undefined ? 'terminal' : 'error' });
    } finally {
      stopTimer();
    }
  }
}
