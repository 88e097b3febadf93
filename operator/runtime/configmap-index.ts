// Which RiskModels read their model from which ConfigMap, so that a ConfigMap event wakes
// exactly those RiskModels. Kept up to date from RiskModel events; plain data, no I/O.

import { keyOf, type RiskModel } from '../api/riskmodel.js';
import type { ChangeType } from '../kube/reflector.js';

/** The `namespace/name` of the ConfigMap the RiskModel reads after this event; undefined once it is deleted or when it names none. Pure. */
export function configMapKeyOf(type: ChangeType, rm: RiskModel): string | undefined {
  const name = type === 'delete' ? undefined : rm.spec?.model?.configMapRef?.name;
  return name ? keyOf({ namespace: rm.metadata.namespace, name }) : undefined;
}

export class ConfigMapIndex {
  private readonly readers = new Map<string, Set<string>>();
  private readonly readsFrom = new Map<string, string>();

  /** Records that the RiskModel reads `configMapKey` (undefined: none), replacing what it read before. */
  set(riskModelKey: string, configMapKey: string | undefined): void {
    const previous = this.readsFrom.get(riskModelKey);
    if (previous === configMapKey) return;
    if (previous) this.unlink(riskModelKey, previous);
    if (!configMapKey) return;
    this.readsFrom.set(riskModelKey, configMapKey);
    this.readers.set(configMapKey, (this.readers.get(configMapKey) ?? new Set()).add(riskModelKey));
  }

  /** Keys of the RiskModels that read the ConfigMap, in the order they started reading it. */
  readersOf(configMapKey: string): string[] {
    return [...(this.readers.get(configMapKey) ?? [])];
  }

  /** How many ConfigMaps are indexed (a deleted reference leaves nothing behind). */
  get size(): number {
    return this.readers.size;
  }

  private unlink(riskModelKey: string, configMapKey: string): void {
    this.readsFrom.delete(riskModelKey);
    const keys = this.readers.get(configMapKey);
    keys?.delete(riskModelKey);
    if (keys?.size === 0) this.readers.delete(configMapKey);
  }
}
