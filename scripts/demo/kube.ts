import { execFile } from 'node:child_process';
import { waitFor as sharedWaitFor, type Check, type WaitOptions } from '../../localcluster/wait.js';

/** How the demo reaches a cluster: a kubectl binary and a kubeconfig. */
export interface KubeTarget {
  kubectl: string;
  kubeconfig: string;
}

export interface KubectlResult {
  stdout: string;
  stderr: string;
}

/**
 * Runs kubectl against the target. Resolves with its output; rejects with an Error whose
 * message carries kubectl's stderr when it exits non-zero.
 */
export function kubectl(target: KubeTarget, args: readonly string[], input?: string): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      target.kubectl,
      ['--kubeconfig', target.kubeconfig, ...args],
      { maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`kubectl ${args.join(' ')}: ${stderr.trim() || err.message}`));
        else resolve({ stdout, stderr });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** kubectl get … -o json, parsed. */
export async function getJson<T>(target: KubeTarget, args: readonly string[]): Promise<T> {
  const { stdout } = await kubectl(target, ['get', ...args, '-o', 'json']);
  return JSON.parse(stdout) as T;
}

/** The shared waitFor (localcluster/wait.ts), polling once a second by default: each poll runs kubectl, a process. */
export function waitFor<T>(check: Check<T>, opts: WaitOptions): Promise<T> {
  return sharedWaitFor(check, { intervalMs: 1000, ...opts });
}
