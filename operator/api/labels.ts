// Every label and annotation key the operator writes or selects on, and the owner reference of
// everything a RiskModel owns, in one place: the children (desired.ts), the model snapshots
// (snapshots.ts), the delivery annotations (delivery.ts), the watches and the scripts
// (`npm run rollback`) and tests all read them from here. Pure constants and builders.

import type { V1ObjectMeta, V1OwnerReference } from '@kubernetes/client-node';
import { API_VERSION, KIND, type RiskModel } from './riskmodel.js';

export const LABEL_NAME = 'app.kubernetes.io/name';
export const LABEL_INSTANCE = 'app.kubernetes.io/instance';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_COMPONENT = 'app.kubernetes.io/component';
export const APP_NAME = 'riskmodel-inference';
export const MANAGED_BY = 'riskmodel-operator';
/** Selects every child object this operator writes (and the pods of its Deployments), in any namespace. */
export const MANAGED_SELECTOR = `${LABEL_MANAGED_BY}=${MANAGED_BY}`;

/** A child's hash of its desired content: a no-op reconcile writes nothing. */
export const SPEC_HASH_ANNOTATION = 'riskmodel.dev/spec-hash';
/** The pod template's hash of the pod spec and the model it serves: its change is a rollout. Pods carry it too. */
export const CONFIG_HASH_ANNOTATION = 'riskmodel.dev/config-hash';
/** Pod-template annotations naming the revision and snapshot served, so the operator can read back what a Deployment serves. */
export const REVISION_ANNOTATION = 'riskmodel.dev/revision';
export const SNAPSHOT_ANNOTATION = 'riskmodel.dev/snapshot';

/** Pod label telling stable pods from canary pods (both match the Service's selector). */
export const TRACK_LABEL = 'riskmodel.dev/track';
/**
 * Canary pods also carry the first 16 hex digits of their template hash, so the analysis measures
 * only the pods of the revision and pod spec under analysis, never a previous canary's pods
 * still draining while the canary Deployment rolls.
 */
export const CANARY_TEMPLATE_LABEL = 'riskmodel.dev/canary-template';

/** Model snapshots: their component label value, revision label and content annotations. */
export const SNAPSHOT_COMPONENT = 'model-snapshot';
export const REVISION_LABEL = 'riskmodel.dev/revision';
export const CONTENT_HASH_ANNOTATION = 'riskmodel.dev/content-hash';
export const MODEL_VERSION_ANNOTATION = 'riskmodel.dev/model-version';
/** On the RiskModel: the canaries that failed their analysis, so none is tried again (operator/delivery/failed-canaries.ts). */
export const FAILED_CANARIES_ANNOTATION = 'riskmodel.dev/failed-canaries';

/** The value of CANARY_TEMPLATE_LABEL for a canary pod template hash. */
export function canaryTemplateLabel(templateHash: string): string {
  return templateHash.slice(0, 16);
}

/** Labels every child carries; the first two also select the pods. */
export function labelsFor(name: string): Record<string, string> {
  return { ...selectorFor(name), [LABEL_MANAGED_BY]: MANAGED_BY };
}

/** The pod selector of the Deployment and the Service. Immutable once the Deployment exists. */
export function selectorFor(name: string): Record<string, string> {
  return { [LABEL_NAME]: APP_NAME, [LABEL_INSTANCE]: name };
}

/** The controller owner reference of everything the RiskModel owns: the garbage collector deletes it with the RiskModel. */
export function ownerReference(rm: RiskModel): V1OwnerReference {
  return { apiVersion: API_VERSION, kind: KIND, name: rm.metadata.name, uid: rm.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

/** True when `obj` is controlled by this RiskModel (its controller owner reference carries our UID). */
export function controlledBy(rm: RiskModel, obj: { metadata?: V1ObjectMeta } | undefined): boolean {
  const controller = obj?.metadata?.ownerReferences?.find((r) => r.controller);
  return Boolean(obj?.metadata?.uid && rm.metadata.uid && controller?.uid === rm.metadata.uid);
}
