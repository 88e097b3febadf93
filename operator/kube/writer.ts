// Writes with server-side apply under the operator's field manager. `force` takes back fields
// someone changed by hand (that is drift correction); fields we never send — above all
// Deployment.spec.replicas — stay with whoever owns them (the HPA).

import { API_VERSION, FIELD_MANAGER, KIND, type RiskModel, type RiskModelStatus } from '../api.js';
import type { Child, Writer } from '../context.js';
import { PatchType, type Kube } from './client.js';
import { CHILD_RESOURCES, objectPath, Resources, type ResourceType } from './resources.js';

const RESOURCE_BY_KIND: Record<string, ResourceType> = Object.fromEntries(CHILD_RESOURCES.map((r) => [r.kind, r]));

export interface AppliedHooks {
  /** Receives every object the server returned, so caches can assume it before the watch delivers it. */
  onApplied(obj: Child): void;
  onStatus(rm: RiskModel): void;
}

export class ApplyWriter implements Writer {
  constructor(
    private readonly kube: Kube,
    private readonly hooks: AppliedHooks,
  ) {}

  async apply<T extends Child>(obj: T): Promise<T> {
    const resource = RESOURCE_BY_KIND[obj.kind ?? ''];
    if (!resource) throw new Error(`cannot apply kind ${obj.kind}`);
    const stored = await this.kube.request<T>({
      method: 'PATCH',
      path: objectPath(resource, obj.metadata?.namespace ?? '', obj.metadata?.name ?? ''),
      query: { fieldManager: FIELD_MANAGER, force: true },
      contentType: PatchType.apply,
      body: obj,
    });
    this.hooks.onApplied(stored);
    return stored;
  }

  async overwrite<T extends Child>(obj: T): Promise<T> {
    const resource = RESOURCE_BY_KIND[obj.kind ?? ''];
    if (!resource) throw new Error(`cannot patch kind ${obj.kind}`);
    const stored = await this.kube.request<T>({
      method: 'PATCH',
      path: objectPath(resource, obj.metadata?.namespace ?? '', obj.metadata?.name ?? ''),
      query: { fieldManager: FIELD_MANAGER },
      contentType: PatchType.merge,
      body: obj,
    });
    this.hooks.onApplied(stored);
    return stored;
  }

  async applyStatus(rm: RiskModel, status: RiskModelStatus): Promise<void> {
    const { name, namespace } = rm.metadata;
    const stored = await this.kube.request<RiskModel>({
      method: 'PATCH',
      path: objectPath(Resources.riskModels, namespace, name, 'status'),
      query: { fieldManager: FIELD_MANAGER, force: true },
      contentType: PatchType.apply,
      body: { apiVersion: API_VERSION, kind: KIND, metadata: { name, namespace }, status },
    });
    this.hooks.onStatus(stored);
  }
}
