// The watches of the users' ConfigMaps: only those some RiskModel names (the ConfigMap index
// says which). Each named ConfigMap gets a list+watch of its own, in its namespace with
// `fieldSelector=metadata.name=NAME` — the API has no "name in (a, b)" selector, so one name is
// one watch. Past `limit` names, further names are served instead by a list+watch of every
// ConfigMap of their namespace scope (one per scope), running while any such name exists: the
// number of watches stays bounded, and past the limit the cost is what watching every ConfigMap
// cost before. Only named ConfigMaps are ever handed out or passed to the event handler.

import type { V1ConfigMap } from '@kubernetes/client-node';
import { keyOf, splitKey } from '../api/riskmodel.js';
import type { Handler, Reflector } from '../kube/reflector.js';

/** Which ConfigMaps one reflector lists and watches: in `namespace` (undefined: all), optionally one by name. */
export interface WatchScope {
  namespace: string | undefined;
  fieldSelector?: string;
}

export interface ConfigMapWatchOptions {
  /** A started reflector of the ConfigMaps of `scope`, calling `onSynced` once its first list is stored. */
  reflect(scope: WatchScope, onEvent: Handler<V1ConfigMap>, onSynced: () => void): Reflector<V1ConfigMap>;
  /** The namespace the overflow watch of a namespace covers: itself with WATCH_NAMESPACES, undefined (all) without. */
  scopeOf(namespace: string): string | undefined;
  /** At most this many by-name watches. */
  limit: number;
  /** Every change of a named ConfigMap; handlers get cached objects and must not mutate them. */
  onEvent: Handler<V1ConfigMap>;
  /** The watch serving the ConfigMap `namespace/name` has listed it (present or not). */
  onSynced(configMapKey: string): void;
}

interface Overflow {
  reflector: Reflector<V1ConfigMap>;
  keys: Set<string>;
}

export class ConfigMapWatches {
  private readonly byName = new Map<string, Reflector<V1ConfigMap>>();
  /** The names past the limit, by the scope of the watch serving them ('' for all namespaces). */
  private readonly overflow = new Map<string, Overflow>();
  private readonly retiring = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly opts: ConfigMapWatchOptions) {}

  /** Starts watching the ConfigMap `namespace/name` (no-op when it is watched already or after stop). */
  watch(configMapKey: string): void {
    if (this.stopped || this.serving(configMapKey)) return;
    const { namespace, name } = splitKey(configMapKey);
    if (this.byName.size >= this.opts.limit) {
      this.joinOverflow(configMapKey, namespace);
      return;
    }
    const onSynced = () => this.opts.onSynced(configMapKey);
    this.byName.set(configMapKey, this.opts.reflect({ namespace, fieldSelector: `metadata.name=${name}` }, this.opts.onEvent, onSynced));
  }

  /** Stops watching the ConfigMap; its cached copy is dropped. No-op for one not watched. */
  unwatch(configMapKey: string): void {
    const own = this.byName.get(configMapKey);
    if (own) {
      this.byName.delete(configMapKey);
      this.retire(own);
      return;
    }
    const scope = this.scopeKey(configMapKey);
    const shared = this.overflow.get(scope);
    if (!shared?.keys.delete(configMapKey) || shared.keys.size > 0) return;
    this.overflow.delete(scope);
    this.retire(shared.reflector);
  }

  /** The cached named ConfigMap; undefined when absent or not watched. Callers must not mutate it. */
  get(namespace: string, name: string): V1ConfigMap | undefined {
    return this.serving(keyOf({ namespace, name }))?.get(namespace, name);
  }

  /** True once the watch serving the ConfigMap has listed it; false for a ConfigMap not watched. */
  synced(configMapKey: string): boolean {
    return this.serving(configMapKey)?.hasSynced() ?? false;
  }

  /** The cached named ConfigMaps of `namespace`. */
  list(namespace: string): V1ConfigMap[] {
    const keys = [...this.byName.keys(), ...[...this.overflow.values()].flatMap((o) => [...o.keys])];
    return keys.filter((key) => splitKey(key).namespace === namespace).flatMap((key) => this.get(namespace, splitKey(key).name) ?? []);
  }

  /** How many watches run: one per name up to the limit, plus one per namespace scope past it. */
  get watchCount(): number {
    return this.byName.size + this.overflow.size;
  }

  /** Stops every watch; resolves when they (and those stopped before) have ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    const all = [...this.byName.values(), ...[...this.overflow.values()].map((o) => o.reflector)];
    this.byName.clear();
    this.overflow.clear();
    await Promise.all([...all.map((r) => r.stop()), ...this.retiring]);
  }

  private serving(configMapKey: string): Reflector<V1ConfigMap> | undefined {
    const shared = this.overflow.get(this.scopeKey(configMapKey));
    return this.byName.get(configMapKey) ?? (shared?.keys.has(configMapKey) ? shared.reflector : undefined);
  }

  private scopeKey(configMapKey: string): string {
    return this.opts.scopeOf(splitKey(configMapKey).namespace) ?? '';
  }

  private joinOverflow(configMapKey: string, namespace: string): void {
    const scope = this.scopeKey(configMapKey);
    const existing = this.overflow.get(scope);
    if (existing) {
      existing.keys.add(configMapKey);
      return;
    }
    const keys = new Set([configMapKey]);
    // Every ConfigMap of the scope comes through; only the named ones go on.
    const onEvent: Handler<V1ConfigMap> = (type, cm, old) => {
      if (keys.has(keyOf(cm.metadata ?? {}))) this.opts.onEvent(type, cm, old);
    };
    const onSynced = () => {
      for (const key of keys) this.opts.onSynced(key);
    };
    this.overflow.set(scope, { keys, reflector: this.opts.reflect({ namespace: this.opts.scopeOf(namespace) }, onEvent, onSynced) });
  }

  private retire(reflector: Reflector<V1ConfigMap>): void {
    const done = reflector.stop().finally(() => this.retiring.delete(done));
    this.retiring.add(done);
  }
}
