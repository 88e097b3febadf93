// Writes with server-side apply under the operator's field manager. `force` takes back fields
// someone changed by hand (that is drift correction); fields we never send — above all
// Deployment.spec.replicas — stay with whoever owns them (the HPA). A child the spec no
// longer asks for is deleted with a UID precondition, so a namesake made since is left alone.

import { API_VERSION, FIELD_MANAGER, KIND, type RiskModel, type RiskModelStatus } from '../api/riskmodel.js';
import { OWNED_RESOURCES, ownedKindOf, type Owned, type OwnedKind } from '../api/children.js';
import { ApiError } from '../errors.js';
import { PatchType, type Kube } from './client.js';
import { objectPath, Resources, type ResourceType } from './resources.js';

/** What the reconciler writes with (the ApplyWriter below; a fake in unit tests). */
export interface Writer {
  /** Server-side apply under the operator's field manager; returns the object as stored. */
  apply<T extends Owned>(obj: T): Promise<T>;
  /**
   * JSON merge patch of the whole desired object: our lists replace the stored ones. For a
   * drifted child whose apply the server refuses because a hand edit turned one of our list
   * entries into someone else's (a Service port renumbered by hand keeps its name, so our port
   * would be a duplicate).
   */
  overwrite<T extends Owned>(obj: T): Promise<T>;
  /** Deletes the child if it still is the object `uid` names; a child already gone is not an error. */
  remove(kind: OwnedKind, namespace: string, name: string, uid: string): Promise<void>;
  applyStatus(rm: RiskModel, status: RiskModelStatus): Promise<void>;
  /** Sets annotations on the RiskModel itself (a JSON merge patch of metadata.annotations only). */
  annotate(rm: RiskModel, annotations: Record<string, string>): Promise<void>;
}

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

  async annotate(rm: RiskModel, annotations: Record<string, string>): Promise<void> {
    const { name, namespace } = rm.metadata;
    const stored = await this.kube.request<RiskModel>({
      method: 'PATCH',
      path: objectPath(Resources.riskModels, namespace, name),
      query: { fieldManager: FIELD_MANAGER },
      contentType: PatchType.merge,
      body: { metadata: { annotations } },
    });
    this.hooks.onStatus(stored);
  }
}
