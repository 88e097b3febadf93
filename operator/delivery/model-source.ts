// Resolves a RiskModel's model artifact from its ConfigMap and validates it before anything
// rolls out. The validator is the inference server's own `parseModel` (a small module with no
// ML dependencies), so an artifact the operator accepts is one the server will load.

import type { V1ConfigMap } from '@kubernetes/client-node';
import { parseModel, ModelLoadError } from '../../inference/model.js';
import type { ResolvedSpec } from '../api/riskmodel.js';
import { TerminalError } from '../errors.js';
import { Reason, type Problem } from '../api/reasons.js';
import { messageOf } from '../messages.js';
import { sha256 } from '../model/hash.js';

/** The model a RiskModel's pods will load. */
export type ResolvedModel =
  | { source: 'image' }
  | { source: 'configMap'; configMapName: string; key: string; contentHash: string; artifactVersion: string; text: string };

/**
 * The artifact named by spec.model.configMapRef, validated; `{source: 'image'}` without a ref.
 * Throws TerminalError (ConfigMapNotFound, ModelKeyNotFound, InvalidModel) with a message a
 * user can act on. Pure: the ConfigMap comes from the caller's cache.
 */
export function resolveModel(spec: ResolvedSpec, namespace: string, configMap: V1ConfigMap | undefined): ResolvedModel {
  const ref = spec.configMapRef;
  if (!ref) return { source: 'image' };
  const where = `ConfigMap ${namespace}/${ref.name}`;
  if (!configMap) {
    throw new TerminalError(Reason.ConfigMapNotFound, `${where} (spec.model.configMapRef.name) does not exist`);
  }
  const text = configMap.data?.[ref.key];
  if (text === undefined) {
    const keys = Object.keys(configMap.data ?? {});
    const known = keys.length > 0 ? `it has: ${keys.join(', ')}` : 'it has no data keys';
    throw new TerminalError(Reason.ModelKeyNotFound, `${where} has no key "${ref.key}" (spec.model.configMapRef.key); ${known}`);
  }
  return { source: 'configMap', configMapName: ref.name, key: ref.key, contentHash: sha256(text), artifactVersion: validate(text, `${where} key ${ref.key}`), text };
}

function validate(text: string, source: string): string {
  try {
    return parseModel(JSON.parse(text), source).version;
  } catch (err) {
    if (err instanceof ModelLoadError) throw new TerminalError(Reason.InvalidModel, err.message);
    throw new TerminalError(Reason.InvalidModel, `invalid model artifact ${source}: not valid JSON (${messageOf(err)})`);
  }
}

/** The user's model after resolution: valid content, the image's model, or what is wrong with it. */
export type Source = ResolvedModel | { problem: Problem };

/** resolveModel, with what is wrong as a value instead of a TerminalError: a bad ConfigMap never stops the rest of the spec. Pure. */
export function sourceOf(spec: ResolvedSpec, namespace: string, configMap: V1ConfigMap | undefined): Source {
  try {
    return resolveModel(spec, namespace, configMap);
  } catch (err) {
    if (err instanceof TerminalError) return { problem: { reason: err.reason, message: err.message } };
    throw err;
  }
}
