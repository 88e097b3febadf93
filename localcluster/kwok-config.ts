// kwok's configuration: the upstream default Stages (what kwokctl loads by default) and the
// metrics objects that make kwok serve kubelet-style resource metrics from pod annotations.
// Taken verbatim from the kwok module's kustomize folders in the Go module cache.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Component } from './components.js';

const run = promisify(execFile);

/** kustomize files that make up kwok's default behaviour, relative to the kwok module root. */
export const KWOK_CONFIG_FILES = [
  'kustomize/stage/node/fast/node-initialize.yaml',
  'kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml',
  'kustomize/stage/pod/fast/pod-ready.yaml',
  'kustomize/stage/pod/fast/pod-complete.yaml',
  'kustomize/stage/pod/fast/pod-delete.yaml',
  'kustomize/metrics/resource/metrics-resource.yaml',
  'kustomize/metrics/usage/usage-from-annotation.yaml',
];

/** Annotation kwok's default ClusterResourceUsage reads a pod's simulated CPU from (a quantity, e.g. `250m`). */
export const USAGE_CPU_ANNOTATION = 'kwok.x-k8s.io/usage-cpu';
/** Annotation for simulated memory (a quantity, e.g. `128Mi`). */
export const USAGE_MEMORY_ANNOTATION = 'kwok.x-k8s.io/usage-memory';

/**
 * Writes `<kwok cache>/kwok-<hash of the file list>.yaml` from the module's files unless it exists,
 * and returns its path. Downloads the kwok module through the Go proxy if the module cache lacks it.
 */
export async function ensureKwokConfig(kwok: Component, goBinary: string): Promise<string> {
  const key = createHash('sha256').update(KWOK_CONFIG_FILES.join('\n')).digest('hex').slice(0, 12);
  const target = path.join(kwok.cacheDir, `kwok-${key}.yaml`);
  if (existsSync(target)) return target;
  const { stdout } = await run(goBinary, ['mod', 'download', '-json', `${kwok.module}@${kwok.version}`], { cwd: kwok.moduleDir });
  const dir = (JSON.parse(stdout) as { Dir?: string }).Dir;
  if (!dir) throw new Error(`go mod download did not report a folder for ${kwok.module}@${kwok.version}`);
  const parts = await Promise.all(KWOK_CONFIG_FILES.map(async (file) => `# ${kwok.module}@${kwok.version}/${file}\n${(await readFile(path.join(dir, file), 'utf8')).trim()}\n`));
  await writeFile(target, parts.join('---\n'));
  return target;
}
