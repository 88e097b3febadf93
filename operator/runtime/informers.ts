// The operator's caches: one Reflector per watched resource and namespace (a single one across
// all namespaces when none are configured), the read-only Cache the reconciler reads, and
// `assume` for what the operator itself just wrote. Children are watched only with the
// operator's managed-by label, so the caches hold our objects, not every Deployment. ConfigMaps
// likewise: the model snapshots through a watch selected by their component label, and of the
// users' ConfigMaps only those a RiskModel names (configmap-watches.ts), never every ConfigMap.

import type { V1ConfigMap, V1Pod } from '@kubernetes/client-node';
import { type RiskModel } from '../api/riskmodel.js';
import type { OperatorConfig } from '../config.js';
import { CHILD_KINDS, CHILD_RESOURCES } from '../api/children.js';
import type { Cache, Child } from './context.js';
import type { Kube } from '../kube/client.js';
import { Reflector, type Handler, type KubeObject } from '../kube/reflector.js';
import { Resources, type ResourceType } from '../kube/resources.js';
import type { Logger } from '../logger.js';
import type { OperatorMetrics } from './metrics.js';
import { LABEL_COMPONENT, LABEL_INSTANCE, MANAGED_SELECTOR, SNAPSHOT_COMPONENT } from '../api/labels.js';
import { ConfigMapWatches, type WatchScope } from './configmap-watches.js';

/** Selects the model snapshots (and only ConfigMaps with their component label) in any namespace. */
const SNAPSHOT_WATCH_SELECTOR = `${LABEL_COMPONENT}=${SNAPSHOT_COMPONENT}`;
/** By-name ConfigMap watches before further names share one watch per namespace scope (configmap-watches.ts). */
export const CONFIGMAP_WATCH_LIMIT = 100;

/** Called for every change the watches see; handlers get cached objects and must not mutate them. */
export interface InformerHandlers {
  riskModel: Handler<RiskModel>;
  /** A child (operator/api/children.ts lists the kinds) carrying the managed-by label. */
  child: Handler<Child>;
  /** A model snapshot, or a ConfigMap some RiskModel names. */
  configMap: Handler<V1ConfigMap>;
  /** The watch of a named ConfigMap (`namespace/name`) has listed it, whether it exists or not. */
  configMapListed: (configMapKey: string) => void;
  /** A pod carrying the managed-by label (the inference pods of every RiskModel, canaries included). */
  pod: Handler<V1Pod>;
}

export interface InformerDeps {
  kube: Kube;
  config: Pick<OperatorConfig, 'watchNamespaces' | 'watchIdleSeconds'>;
  log: Logger;
  metrics: OperatorMetrics;
  /** By-name ConfigMap watches at most (default CONFIGMAP_WATCH_LIMIT). */
  configMapWatchLimit?: number;
}

export class Informers {
  /** Read access for the reconciler; an object this process just wrote is served until the watch catches up. */
  readonly cache: Cache;
  private readonly byKind = new Map<string, Reflector<KubeObject>[]>();
  private readonly named: ConfigMapWatches;

  constructor(
    private readonly deps: InformerDeps,
    handlers: InformerHandlers,
  ) {
    this.watch(Resources.riskModels, undefined, handlers.riskModel);
    for (const kind of CHILD_KINDS) this.watch(CHILD_RESOURCES[kind], MANAGED_SELECTOR, handlers.child);
    // ConfigMaps under this kind are the snapshots, so `assume` of a written snapshot lands here.
    this.watch(Resources.configMaps, SNAPSHOT_WATCH_SELECTOR, handlers.configMap);
    this.named = new ConfigMapWatches({
      reflect: (scope, onEvent, onSynced) => this.reflect(scope, onEvent, onSynced),
      scopeOf: (namespace) => (deps.config.watchNamespaces.length > 0 ? namespace : undefined),
      limit: deps.configMapWatchLimit ?? CONFIGMAP_WATCH_LIMIT,
      onEvent: handlers.configMap,
      onSynced: handlers.configMapListed,
    });
    // Only our pods (the template's managed-by label), so the cache holds the inference pods, not the cluster's.
    this.watch(Resources.pods, MANAGED_SELECTOR, handlers.pod);
    this.cache = {
      riskModel: this.finder(Resources.riskModels),
      configMap: (namespace, name) => this.named.get(namespace, name) ?? this.finder<V1ConfigMap & KubeObject>(Resources.configMaps)(namespace, name),
      child: (kind, namespace, name) => this.finder<Child & KubeObject>(CHILD_RESOURCES[kind])(namespace, name),
      deployment: this.finder(Resources.deployments),
      configMapsLabelled: (namespace, labels) => this.configMapsLabelled(namespace, labels),
      pods: (namespace, name) => this.podsOf(namespace, name),
    };
  }

  /** Starts every watch in the background (leader or not, so a standby takes over with warm caches). */
  start(): void {
    for (const r of this.all()) r.start();
  }

  /** Stops every watch; resolves when they have ended. */
  async stop(): Promise<void> {
    await Promise.all([...this.all().map((r) => r.stop()), this.named.stop()]);
  }

  /**
   * True once every watch but those of named ConfigMaps has listed its objects. A named
   * ConfigMap's watch starts whenever a RiskModel first names it; `configMapListed` says when.
   */
  hasSynced(): boolean {
    return this.all().every((r) => r.hasSynced());
  }

  /** Starts watching a ConfigMap (`namespace/name`) a RiskModel names; idempotent. */
  watchConfigMap(configMapKey: string): void {
    this.named.watch(configMapKey);
  }

  /** Stops watching a ConfigMap no RiskModel names any more; its cached copy goes. */
  unwatchConfigMap(configMapKey: string): void {
    this.named.unwatch(configMapKey);
  }

  /** Whether the named ConfigMap's watch has listed it, so its absence from the cache means it does not exist. */
  configMapListed(configMapKey: string): boolean {
    return this.named.synced(configMapKey);
  }

  /** How many ConfigMap watches run for named ConfigMaps (for tests and the docs' bound). */
  get namedConfigMapWatches(): number {
    return this.named.watchCount;
  }

  /** Every cached RiskModel; callers must not mutate them. */
  riskModels(): RiskModel[] {
    return (this.byKind.get(Resources.riskModels.kind) ?? []).flatMap((r) => r.list() as RiskModel[]);
  }

  /** Records an object the API server returned from a write, in the cache of its kind and namespace; other objects are ignored. */
  assume(obj: KubeObject): void {
    this.forNamespace(obj.kind ?? '', obj.metadata?.namespace)?.assume(obj);
  }

  /** From the snapshots' cache and the named ConfigMaps': the only ConfigMaps the operator sees. */
  private configMapsLabelled(namespace: string, labels: Record<string, string>): V1ConfigMap[] {
    const snapshots = (this.forNamespace(Resources.configMaps.kind, namespace)?.list() ?? []) as V1ConfigMap[];
    const seen = new Set(snapshots.map((cm) => cm.metadata?.name));
    const all = [...snapshots, ...this.named.list(namespace).filter((cm) => !seen.has(cm.metadata?.name))];
    const wanted = Object.entries(labels);
    return all.filter((cm) => cm.metadata?.namespace === namespace && wanted.every(([k, v]) => cm.metadata?.labels?.[k] === v));
  }

  private podsOf(namespace: string, name: string): V1Pod[] {
    const all = (this.forNamespace(Resources.pods.kind, namespace)?.list() ?? []) as V1Pod[];
    return all.filter((p) => p.metadata?.namespace === namespace && p.metadata.labels?.[LABEL_INSTANCE] === name);
  }

  private watch<T extends KubeObject>(resource: ResourceType, labelSelector: string | undefined, onEvent: Handler<T>): void {
    const { watchNamespaces } = this.deps.config;
    const namespaces: (string | undefined)[] = watchNamespaces.length > 0 ? watchNamespaces : [undefined];
    const reflectors = namespaces.map((namespace) => this.reflector(resource, { namespace, ...(labelSelector ? { labelSelector } : {}) }, onEvent));
    this.byKind.set(resource.kind, reflectors as unknown as Reflector<KubeObject>[]);
  }

  /** A started reflector of ConfigMaps in one scope, for configmap-watches.ts; same watchdog, backoff and relist as every other. */
  private reflect(scope: WatchScope, onEvent: Handler<V1ConfigMap>, onSynced: () => void): Reflector<V1ConfigMap> {
    const reflector = this.reflector(Resources.configMaps, { ...scope, onSynced }, onEvent);
    reflector.start();
    return reflector;
  }

  private reflector<T extends KubeObject>(
    resource: ResourceType,
    options: { namespace: string | undefined; labelSelector?: string; fieldSelector?: string; onSynced?: () => void },
    onEvent: Handler<T>,
  ): Reflector<T> {
    const { config, kube, log, metrics } = this.deps;
    const { namespace, ...selectors } = options;
    return new Reflector<T>({
      kube,
      resource,
      ...(namespace ? { namespace } : {}),
      ...selectors,
      idleMs: config.watchIdleSeconds * 1000,
      log,
      onEvent,
      onRestart: (reason) => metrics.watchRestarts.inc({ resource: resource.plural, reason }),
    });
  }

  private finder<T extends KubeObject>(resource: ResourceType): (namespace: string, name: string) => T | undefined {
    return (namespace, name) => this.forNamespace(resource.kind, namespace)?.get(namespace, name) as T | undefined;
  }

  private forNamespace(kind: string, namespace: string | undefined): Reflector<KubeObject> | undefined {
    const reflectors = this.byKind.get(kind);
    const { watchNamespaces } = this.deps.config;
    return watchNamespaces.length === 0 ? reflectors?.[0] : reflectors?.[watchNamespaces.indexOf(namespace ?? '')];
  }

  private all(): Reflector<KubeObject>[] {
    return [...this.byKind.values()].flat();
  }
}
