// Builders for unit tests: a RiskModel, a valid model artifact, and child objects in the
// shapes the API server returns. Not used at run time.

import type { V1ConfigMap, V1Deployment } from '@kubernetes/client-node';
import { generatePatients } from '../../inference/generator.js';
import { train } from '../../inference/training.js';
import { API_VERSION, KIND, type RiskModel, type RiskModelSpec } from '../api/riskmodel.js';

export const TEST_IMAGE = 'ghcr.io/riskmodel/riskmodel-inference:0.1.0';

/** A RiskModel as the API server returns it (defaults not yet applied unless given). */
export function riskModel(spec: Partial<RiskModelSpec> = {}, name = 'demo', namespace = 'team-a'): RiskModel {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name, namespace, uid: '1b4e28ba-2fa1-11d2-883f-0016d3cca427', generation: 1, resourceVersion: '100' },
    spec: { model: { version: 'v1' }, ...spec },
  };
}

/**
 * A valid model artifact (JSON text) made by the real training pipeline on a small seeded data
 * set, so it always matches the format the inference server loads. Different seeds give
 * different content.
 */
export function modelArtifact(seed = 7): string {
  const cached = artifacts.get(seed);
  if (cached) return cached;
  const text = JSON.stringify(train(generatePatients({ samples: 300, seed }), { seed, labelNoise: 0.05, numSteps: 50 }).model);
  artifacts.set(seed, text);
  return text;
}
const artifacts = new Map<number, string>();

export function configMap(name: string, data: Record<string, string>, namespace = 'team-a'): V1ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data };
}

/** A Deployment's observed state. */
export function deploymentStatus(opts: { replicas: number; ready: number; updated?: number; available?: number; generation?: number; observedGeneration?: number }): V1Deployment {
  return {
    metadata: { name: 'demo', namespace: 'team-a', generation: opts.generation ?? 1 },
    spec: { replicas: opts.replicas, selector: {}, template: {} },
    status: {
      observedGeneration: opts.observedGeneration ?? opts.generation ?? 1,
      replicas: opts.replicas,
      readyReplicas: opts.ready,
      updatedReplicas: opts.updated ?? opts.replicas,
      availableReplicas: opts.available ?? opts.ready,
    },
  };
}
