// Objects the cluster tests create: RiskModels with fast test settings, and model ConfigMaps
// holding real artifacts from `npm run train`.
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type * as k8s from '@kubernetes/client-node';
import { API_VERSION, type RiskModel, type RiskModelSpec } from './api.js';
import { REPO_ROOT } from '../../../scripts/lib/operator-process.js';

const run = promisify(execFile);

/**
 * A RiskModel with settings that keep tests quick (no scale-down stabilization); `spec`
 * fields replace the defaults shallowly.
 */
export function riskModel(namespace: string, name: string, spec: Partial<RiskModelSpec> = {}): RiskModel {
  return {
    apiVersion: API_VERSION,
    kind: 'RiskModel',
    metadata: { name, namespace },
    spec: { model: { version: 'v1' }, minReplicas: 2, maxReplicas: 5, scaleDownStabilizationSeconds: 0, ...spec },
  };
}

/** A ConfigMap holding `artifact` under `model.json` (the CRD's default key). */
export function modelConfigMap(namespace: string, name: string, artifact: string): k8s.V1ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data: { 'model.json': artifact } };
}

const artifacts = new Map<number, Promise<string>>();

/**
 * The JSON text of a model trained by `npm run train` with `seed`; different seeds give
 * different content. Trained once per seed and cached on disk across runs; a cached artifact
 * older than any source file of the inference server is trained again.
 */
export function trainedArtifact(seed: number): Promise<string> {
  let artifact = artifacts.get(seed);
  if (!artifact) {
    artifact = train(seed);
    artifacts.set(seed, artifact);
  }
  return artifact;
}

async function train(seed: number): Promise<string> {
  const dir = path.join(os.tmpdir(), 'riskmodel-operator-tests');
  await mkdir(dir, { recursive: true });
  const out = path.join(dir, `model-seed-${seed}.json`);
  const trainer = path.join(REPO_ROOT, 'inference/cli/train.ts');
  // Against every inference source, not only the CLI: an artifact cached before training learnt to
  // write the drift reference (issue 20) had none, and the drift tests then saw drift "unavailable".
  const fresh = await stat(out).then(async (s) => s.mtimeMs > (await newestSource()), () => false);
  if (!fresh) {
    await run(process.execPath, ['--import', 'tsx', trainer, '--samples', '600', '--seed', String(seed), '--out', out], {
      cwd: REPO_ROOT,
      timeout: 180_000,
    });
  }
  return readFile(out, 'utf8');
}

/** The newest modification time (ms) of the inference server's TypeScript sources, tests aside. */
async function newestSource(): Promise<number> {
  const files = await readdir(path.join(REPO_ROOT, 'inference'), { recursive: true });
  const sources = files.filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  const times = await Promise.all(sources.map(async (f) => (await stat(path.join(REPO_ROOT, 'inference', f))).mtimeMs));
  return Math.max(...times);
}
