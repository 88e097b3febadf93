// Writes with server-side apply under the operator's field manager. `force` takes back fields
// someone changed by hand (that is drift correction); fields we never send — above all
// Deployment.spec.replicas — stay with whoever owns them (the HPA). A child the spec no
// longer asks for is deleted with a UID precondition, so a namesake made since is left alone.

import { API_VERSION, FIELD_MANAGER, KIND, type RiskModel, type RiskModelStatus } from '../api.js';
import { OWNED_RESOURCES, ownedKindOf, type Owned, type OwnedKind } from '../children.js';
import type { Writer } from '../context.js';
import { ApiError } from '../errors.js';
import { PatchType, type Kube } from './client.js';
import { objectPath, Resources, type ResourceType } from './resources.js';

function resourceOf(obj: Owned, verb: string): ResourceType {
  const kind = ownedKindOf(obj);
  if (!kind) throw new Error(`cannot ${verb} kind ${obj.kind}`);
  return OWNED_RESOURCES[kind];
}

export interface AppliedHooks {
  /** Receives every object the server returned, so caches can assume it before the watch delivers it. */
  onApplied(obj: Owned): void;
  onStatus(rm: RiskModel): void;
}

export class ApplyWriter implements Writer {
  constructor(
    private readonly kube: Kube,
    private readonly hooks: AppliedHooks,
  ) {}

  async apply<T extends Owned>(obj: T): Promise<T> {
    const resource = resourceOf(obj, 'apply');
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

  async overwrite<T extends Owned>(obj: T): Promise<T> {
    const resource = resourceOf(obj, 'patch');
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

  async remove(kind: OwnedKind, namespace: string, name: string, uid: string): Promise<void> {
    try {
      await this.kube.request({
        method: 'DELETE',
        path: objectPath(OWNED_RESOURCES[kind], namespace, name),
        body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid }, propagationPolicy: 'Background' },
      });
    } catch (err) {
      // 404: already gone. 409: the UID precondition failed, so the name now holds another object.
      if (err instanceof ApiError && (err.code === 404 || err.code === 409)) return;
      throw err;
    }
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
