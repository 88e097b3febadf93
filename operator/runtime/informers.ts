// The operator's caches: one Reflector per watched resource and namespace (a single one across
// all namespaces when none are configured), the read-only Cache the reconciler reads, and
// `assume` for what the operator itself just wrote. Children are watched only with the
// operator's managed-by label, so the caches hold our objects, not every Deployment.

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
import { LABEL_INSTANCE, MANAGED_SELECTOR } from '../api/labels.js';

/** Called for every change the watches see; handlers get cached objects and must not mutate them. */
export interface InformerHandlers {
  riskModel: Handler<RiskModel>;
  /** A child (operator/api/children.ts lists the kinds) carrying the managed-by label. */
  child: Handler<Child>;
  configMap: Handler<V1ConfigMap>;
  /** A pod carrying the managed-by label (the inference pods of every RiskModel, canaries included). */
  pod: Handler<V1Pod>;
}

export interface InformerDeps {
  kube: Kube;
  config: Pick<OperatorConfig, 'watchNamespaces' | 'watchIdleSeconds'>;
  log: Logger;
  metrics: OperatorMetrics;
}

export class Informers {
  /** Read access for the reconciler; an object this process just wrote is served until the watch catches up. */
  readonly cache: Cache;
  private readonly byKind = new Map<string, Reflector<KubeObject>[]>();

  constructor(
    private readonly deps: InformerDeps,
    handlers: InformerHandlers,
  ) {
    this.watch(Resources.riskModels, undefined, handlers.riskModel);
    for (const kind of CHILD_KINDS) this.watch(CHILD_RESOURCES[kind], MANAGED_SELECTOR, handlers.child);
    this.watch(Resources.configMaps, undefined, handlers.configMap);
    // Only our pods (the template's managed-by label), so the cache holds the inference pods, not the cluster's.
    this.watch(Resources.pods, MANAGED_SELECTOR, handlers.pod);
    this.cache = {
      riskModel: this.finder(Resources.riskModels),
      configMap: this.finder(Resources.configMaps),
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
    await Promise.all(this.all().map((r) => r.stop()));
  }

  /** True once every watch has listed its objects. */
  hasSynced(): boolean {
    return this.all().every((r) => r.hasSynced());
  }

  /** Every cached RiskModel; callers must not mutate them. */
  riskModels(): RiskModel[] {
    return (this.byKind.get(Resources.riskModels.kind) ?? []).flatMap((r) => r.list() as RiskModel[]);
  }

  /** Records an object the API server returned from a write, in the cache of its kind and namespace; other objects are ignored. */
  assume(obj: KubeObject): void {
    this.forNamespace(obj.kind ?? '', obj.metadata?.namespace)?.assume(obj);
  }

  private configMapsLabelled(namespace: string, labels: Record<string, string>): V1ConfigMap[] {
    const all = (this.forNamespace(Resources.configMaps.kind, namespace)?.list() ?? []) as V1ConfigMap[];
    const wanted = Object.entries(labels);
    return all.filter((cm) => cm.metadata?.namespace === namespace && wanted.every(([k, v]) => cm.metadata?.labels?.[k] === v));
  }

  private podsOf(namespace: string, name: string): V1Pod[] {
    const all = (this.forNamespace(Resources.pods.kind, namespace)?.list() ?? []) as V1Pod[];
    return all.filter((p) => p.metadata?.namespace === namespace && p.metadata.labels?.[LABEL_INSTANCE] === name);
  }

  private watch<T extends KubeObject>(resource: ResourceType, labelSelector: string | undefined, onEvent: Handler<T>): void {
    const { config, kube, log, metrics } = this.deps;
    const namespaces: (string | undefined)[] = config.watchNamespaces.length > 0 ? config.watchNamespaces : [undefined];
    const reflectors = namespaces.map(
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
    this.byKind.set(resource.kind, reflectors as unknown as Reflector<KubeObject>[]);
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
