// The controller: the caches, the ConfigMap index and the workers put together. Watch handlers
// only enqueue keys: a RiskModel's own key; for a child, its controller owner's key (from
// ownerReferences); for a ConfigMap, every RiskModel that reads it. The same RiskModel events
// that keep the index start the watch of a ConfigMap when a first RiskModel names it and stop it
// when the last one no longer does; a RiskModel whose ConfigMap has not been listed yet is not
// reconciled (it would read "ConfigMapNotFound" for a ConfigMap that exists) until that list
// wakes it. Each reconcile schedules its key's resync itself (see the reconciler's Action), so
// resyncs spread out over the period instead of queueing every RiskModel at once. Workers run
// only while this process leads; the caches run always, so a standby takes over warm.

import { PodAnalyzer } from '../delivery/analysis/pod-analyzer.js';
import { MeasuringLoops } from './measuring-loops.js';
import { DriftReader } from './drift-reader.js';
import type { CanaryFigures } from '../delivery/analysis/figures.js';
import type { DriftFigures } from '../model/input-drift.js';
import { canonicalJson } from '../model/hash.js';
import { CANARY_CHECK_MS } from '../delivery/canary.js';
import { keyOf, type RiskModel } from '../api/riskmodel.js';
import { ConfigMapIndex, configMapKeyOf } from './configmap-index.js';
import type { OperatorConfig } from '../config.js';
import type { ReconcileContext } from './context.js';
import type { Recorder } from './events.js';
import { Informers } from './informers.js';
import type { Kube } from '../kube/client.js';
import type { ChangeType } from '../kube/reflector.js';
import { ApplyWriter } from '../kube/writer.js';
import type { Logger } from '../logger.js';
import { ownerKey, podOwnerKey, specChanged } from './mapping.js';
import type { OperatorMetrics } from './metrics.js';
import { EventReason } from '../api/reasons.js';
import { reconcile, type ReconcileResult } from '../reconciler.js';
import { awaitChange } from '../errors.js';
import { Workers } from './workers.js';

export interface ControllerDeps {
  kube: Kube;
  config: OperatorConfig;
  log: Logger;
  metrics: OperatorMetrics;
  events: Recorder;
  now?: () => Date;
}

export class Controller {
  private workers: Workers | undefined;
  private readonly index = new ConfigMapIndex();
  private readonly informers: Informers;
  private readonly ctx: ReconcileContext;
  private readonly analyzers: MeasuringLoops<CanaryFigures>;
  private readonly drift: MeasuringLoops<DriftFigures>;

  constructor(private readonly deps: ControllerDeps) {
    this.informers = new Informers(deps, {
      riskModel: (type, rm, old) => this.onRiskModel(type, rm, old),
      child: (_type, obj) => this.enqueue(ownerKey(obj)),
      configMap: (_type, cm) => {
        for (const key of this.index.readersOf(keyOf(cm.metadata ?? {}))) this.enqueue(key);
        // A model snapshot (deleted or relabelled by hand) wakes the RiskModel that owns it.
        this.enqueue(ownerKey(cm));
      },
      configMapListed: (configMapKey) => {
        for (const key of this.index.readersOf(configMapKey)) this.enqueue(key);
      },
      // A pod that cannot pull, crashes or cannot be scheduled changes the RiskModel's status.
      pod: (_type, pod) => this.enqueue(podOwnerKey(pod)),
    });
    const writer = new ApplyWriter(deps.kube, { onApplied: (obj) => this.informers.assume(obj), onStatus: (rm) => this.informers.assume(rm) });
    const { inferenceImage, resyncSeconds } = deps.config;
    const now = deps.now ?? (() => new Date());
    const onMeasured = (key: string) => this.enqueue(key);
    this.analyzers = new MeasuringLoops({ measurer: new PodAnalyzer(deps.kube, deps.log), intervalMs: CANARY_CHECK_MS, now, log: deps.log, onMeasured });
    // Drift wakes its RiskModel only when the figures changed: an idle model's drift is read, not reconciled, every 15 s.
    this.drift = new MeasuringLoops({ measurer: new DriftReader(deps.kube, deps.log, (namespace, name) => this.informers.cache.pods(namespace, name)), intervalMs: deps.config.driftReadSeconds * 1000, now, log: deps.log, onMeasured, changed: (a, b) => canonicalJson(a) !== canonicalJson(b) });
    this.ctx = { cache: this.informers.cache, writer, events: deps.events, inferenceImage, now, log: deps.log, resyncMs: resyncSeconds * 1000, analyzer: this.analyzers, drift: this.drift };
  }

  /** Starts every watch (leader or not). */
  start(): void {
    this.informers.start();
  }

  /** True once every watch has listed its objects. */
  hasSynced(): boolean {
    return this.informers.hasSynced();
  }

  /** Starts the workers (on becoming leader): every RiskModel is queued once, then on events and when its resync is due. Idempotent. */
  startWorkers(): void {
    if (this.workers) return;
    const { config, log, metrics } = this.deps;
    this.workers = new Workers({ reconcile: (key) => this.reconcileListed(key), report: (key, message) => this.report(key, message), log, metrics, concurrency: config.maxConcurrentReconciles });
    for (const rm of this.informers.riskModels()) this.enqueue(keyOf(rm.metadata));
  }

  /** Stops handing out keys, waits for reconciles in flight to finish, and stops measuring canaries (a new leader measures them afresh). */
  async stopWorkers(): Promise<void> {
    const workers = this.workers;
    this.workers = undefined;
    await workers?.stop();
    await Promise.all([this.analyzers.stopAll(), this.drift.stopAll()]);
  }

  /** Stops workers and watches. */
  async stop(): Promise<void> {
    await this.stopWorkers();
    await this.informers.stop();
  }

  private onRiskModel(type: ChangeType, rm: RiskModel, old: RiskModel | undefined): void {
    const key = keyOf(rm.metadata);
    const { named, unnamed } = this.index.set(key, configMapKeyOf(type, rm));
    if (unnamed) this.informers.unwatchConfigMap(unnamed);
    if (named) this.informers.watchConfigMap(named);
    if (type !== 'update' || specChanged(rm, old)) this.enqueue(key);
  }

  /**
   * Reconciles the key once the ConfigMap its RiskModel reads has been listed. Before that, an
   * empty cache would mean "not listed yet", not "does not exist": the reconcile waits, and the
   * list's end enqueues the key again (configMapListed above).
   */
  private async reconcileListed(key: string): Promise<ReconcileResult> {
    const configMap = this.index.configMapOf(key);
    if (configMap && !this.informers.configMapListed(configMap)) {
      this.deps.log.debug('waiting for the ConfigMap to be listed', { key, configMap });
      return { action: awaitChange(), degraded: false };
    }
    return reconcile(key, this.ctx);
  }

  private enqueue(key: string | undefined): void {
    if (key) this.workers?.add(key);
  }

  private async report(key: string, message: string): Promise<void> {
    const [namespace = '', name = ''] = key.split('/');
    const rm = this.ctx.cache.riskModel(namespace, name);
    if (rm) await this.deps.events.record(rm, 'Warning', EventReason.ReconcileError, message);
  }
}
