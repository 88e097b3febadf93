// kube-score, the manifest linter the test suite runs on the children the operator generates and
// on the install manifests. Built from source with `go install` at a pinned version into the
// binary cache the local cluster's components use (one folder per version), once per machine.

import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runProcess } from './run-process.js';

export const KUBE_SCORE_PACKAGE = 'github.com/zegl/kube-score/cmd/kube-score';
export const KUBE_SCORE_VERSION = 'v1.20.0';

/** Where the kube-score executable lives in the cache (whether or not it is installed yet). */
export function kubeScorePath(cacheDir: string): string {
  return path.join(cacheDir, `kube-score-${KUBE_SCORE_VERSION}`, 'bin', 'kube-score');
}

/**
 * Installs kube-score into the cache unless it is there; returns its path. The binary is built in a
 * scratch folder and renamed into place, so an interrupted install is never mistaken for a finished
 * one. Throws with go's output when the install fails.
 */
export async function ensureKubeScore(cacheDir: string, goBinary: string, log: (line: string) => void): Promise<string> {
  const binary = kubeScorePath(cacheDir);
  if (existsSync(binary)) return binary;
  const binDir = path.dirname(binary);
  const scratch = `${binDir}.partial-${process.pid}`;
  await rm(scratch, { recursive: true, force: true });
  await mkdir(scratch, { recursive: true });
  log(`installing kube-score ${KUBE_SCORE_VERSION}: ${goBinary} install ${KUBE_SCORE_PACKAGE}@${KUBE_SCORE_VERSION}`);
  const started = Date.now();
  const result = await runProcess(goBinary, ['install', `${KUBE_SCORE_PACKAGE}@${KUBE_SCORE_VERSION}`], { env: { ...process.env, GOBIN: scratch } });
  if (result.code !== 0) {
    await rm(scratch, { recursive: true, force: true });
    throw new Error(`go install of kube-score failed (exit ${result.code}):\n${result.stderr.slice(-4000)}`);
  }
  // Another process may have finished first; either copy is the same version.
  if (!existsSync(binary)) await rename(scratch, binDir).catch(() => undefined);
  await rm(scratch, { recursive: true, force: true });
  log(`installed kube-score in ${Math.round((Date.now() - started) / 1000)} s`);
  return binary;
}

export type Grade = 'CRITICAL' | 'WARNING';

/** One check kube-score did not pass on one object. */
export interface Finding {
  /** kube-score's object name: `Kind/apiVersion/namespace/name`. */
  object: string;
  check: string;
  grade: Grade;
  comments: string[];
}

interface ScoredObject {
  object_name: string;
  type_meta: { kind: string };
  checks: { check: { id: string }; grade: number; skipped: boolean; comments: { summary: string; description?: string; path?: string }[] | null }[];
}

// kube-score's scorecard grades: 1 critical, 5 warning, 7 almost OK, 10 OK.
const GRADES: Record<number, Grade> = { 1: 'CRITICAL', 5: 'WARNING' };

/** The critical and warning findings in kube-score's JSON (v2) output. Pure. */
export function findingsOf(report: ScoredObject[]): Finding[] {
  return report.flatMap((o) =>
    o.checks.flatMap((c) => {
      const grade = GRADES[c.grade];
      if (c.skipped || !grade) return [];
      const comments = (c.comments ?? []).map((m) => [m.path, m.summary].filter(Boolean).join(': '));
      return [{ object: o.object_name, check: c.check.id, grade, comments }];
    }),
  );
}

/**
 * Scores the YAML documents in `manifests` with every default check except `ignored`; returns the
 * findings. kube-score exits 1 when it finds something critical, which is a result, not a failure.
 */
export async function score(binary: string, manifests: string, ignored: readonly string[], workDir: string): Promise<Finding[]> {
  await mkdir(workDir, { recursive: true });
  const file = path.join(workDir, `manifests-${process.pid}-${Date.now()}.yaml`);
  await writeFile(file, manifests);
  try {
    const args = ['score', '--output-format', 'json', '--kubernetes-version', 'v1.37', ...ignored.flatMap((id) => ['--ignore-test', id]), file];
    const result = await runProcess(binary, args);
    if (result.code > 1 || !result.stdout.trim().startsWith('[')) throw new Error(`kube-score failed (exit ${result.code}): ${result.stderr || result.stdout}`);
    return findingsOf(JSON.parse(result.stdout) as ScoredObject[]);
  } finally {
    await rm(file, { force: true });
  }
}
