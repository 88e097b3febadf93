// The manifests the project ships or generates, as YAML text for linters: the children the
// operator's desired-state builder makes for every sample RiskModel, and a kustomization
// rendered by kubectl's built-in kustomize.

import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { V1ConfigMap } from '@kubernetes/client-node';
import { parseAllDocuments, stringify } from 'yaml';
import { withDefaults, type RiskModel } from '../../operator/api/riskmodel.js';
import { resolveModel } from '../../operator/delivery/model-source.js';
import { firstServed } from '../../operator/delivery/plan.js';
import { byKind, canaryDeployment, canaryReplicas, desired } from '../../operator/model/desired.js';

export interface SampleChildren {
  /** The sample's file name under samples/. */
  file: string;
  riskModel: RiskModel;
  /** Every child as YAML documents, in the sample's own namespace (`default` when it names none). */
  yaml: string;
}

/**
 * The children of every RiskModel in `samplesDir`, built by the operator's own desired-state
 * function with the samples' model ConfigMaps. Pure apart from reading the folder; throws on a
 * sample the operator could not reconcile (a missing ConfigMap, an invalid artifact).
 */
export function sampleChildren(samplesDir: string, inferenceImage: string): SampleChildren[] {
  const docs = readdirSync(samplesDir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((file) => parseAllDocuments(readFileSync(path.join(samplesDir, file), 'utf8')).map((d) => ({ file, obj: d.toJS() as { kind?: string } })));
  const configMaps = docs.filter((d) => d.obj.kind === 'ConfigMap').map((d) => d.obj as V1ConfigMap);
  return docs
    .filter((d) => d.obj.kind === 'RiskModel')
    .map(({ file, obj }) => {
      const given = obj as RiskModel;
      const rm: RiskModel = { ...given, metadata: { uid: '00000000-0000-0000-0000-000000000000', ...given.metadata, namespace: given.metadata.namespace ?? 'default' } };
      const spec = withDefaults(rm.spec, inferenceImage);
      const ref = spec.configMapRef;
      const model = resolveModel(spec, rm.metadata.namespace, ref && configMaps.find((c) => c.metadata?.name === ref.name));
      const served = firstServed(rm, spec, model);
      if (!served) throw new Error(`${file}: RiskModel ${rm.metadata.name} has no model to serve`);
      const children: object[] = Object.values(byKind(desired(rm, spec, served))).filter((c) => c !== undefined);
      // With canary rollouts, the canary Deployment a new revision would run in, at the minimum scale.
      if (spec.rollout.strategy === 'Canary') children.push(canaryDeployment(rm, spec, served, canaryReplicas(spec.minReplicas, spec.rollout.canary.weight)));
      return { file, riskModel: rm, yaml: children.map((c) => stringify(c)).join('---\n') };
    });
}

/** `kubectl kustomize <dir>`: the kustomization as one YAML stream. Throws with kubectl's error output. */
export function kustomize(kubectl: string, dir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(kubectl, ['kustomize', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`kubectl kustomize ${dir} failed (exit ${code}): ${stderr.trim()}`))));
  });
}
