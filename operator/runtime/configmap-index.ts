// Which RiskModels read their model from which ConfigMap, so that a ConfigMap event wakes
// exactly those RiskModels, and which ConfigMaps are named at all, so that only those are
// watched. Kept up to date from RiskModel events; plain data, no I/O.

import { keyOf, type RiskModel } from '../api/riskmodel.js';
import type { ChangeType } from '../kube/reflector.js';

/** The `namespace/name` of the ConfigMap the RiskModel reads after this event; undefined once it is deleted or when it names none. Pure. */
export function configMapKeyOf(type: ChangeType, rm: RiskModel): string | undefined {
  const name = type === 'delete' ? undefined : rm.spec?.model?.configMapRef?.name;
  return name ? keyOf({ namespace: rm.metadata.namespace, name }) : undefined;
}

/** What a `set` changed in the set of named ConfigMaps: one gained its first reader, one lost its last. */
export interface NamedChange {
  /** A ConfigMap no RiskModel read before and one does now: start watching it. */
  named?: string;
  /** A ConfigMap some RiskModel read before and none does now: stop watching it. */
  unnamed?: string;
}

export class ConfigMapIndex {
  private readonly readers = new Map<string, Set<string>>();
  private readonly readsFrom = new Map<string, string>();

  /**
   * Records that the RiskModel reads `configMapKey` (undefined: none), replacing what it read
   * before. Returns the ConfigMaps that became named or unnamed by this (both when a RiskModel
   * alone moves from one to another; neither when nothing changed).
   */
  set(riskModelKey: string, configMapKey: string | undefined): NamedChange {
    const previous = this.readsFrom.get(riskModelKey);
    if (previous === configMapKey) return {};
    const change: NamedChange = {};
    if (previous && this.unlink(riskModelKey, previous)) change.unnamed = previous;
    if (!configMapKey) return change;
    this.readsFrom.set(riskModelKey, configMapKey);
    const readers = this.readers.get(configMapKey) ?? new Set();
    if (readers.size === 0) change.named = configMapKey;
    this.readers.set(configMapKey, readers.add(riskModelKey));
    return change;
  }

  /** Keys of the RiskModels that read the ConfigMap, in the order they started reading it. */
  readersOf(configMapKey: string): string[] {
    return [...(this.readers.get(configMapKey) ?? [])];
  }

  /** The `namespace/name` of the ConfigMap the RiskModel reads, if any. */
  configMapOf(riskModelKey: string): string | undefined {
    return this.readsFrom.get(riskModelKey);
  }

  /** How many ConfigMaps are indexed (a deleted reference leaves nothing behind). */
  get size(): number {
    return this.readers.size;
  }

  /** Forgets that the RiskModel reads the ConfigMap; true when that was its last reader. */
  private unlink(riskModelKey: string, configMapKey: string): boolean {
    this.readsFrom.delete(riskModelKey);
    const keys = this.readers.get(configMapKey);
    keys?.delete(riskModelKey);
    if (keys?.size !== 0) return false;
    this.readers.delete(configMapKey);
    return true;
  }
}
