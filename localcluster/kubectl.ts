// Running the built kubectl against a cluster.
import { spawn } from 'node:child_process';

export interface KubectlResult {
  stdout: string;
  stderr: string;
  code: number;
}

/**
 * Runs `kubectl --kubeconfig <kubeconfig> <args>`, feeding `input` on stdin. Never throws for a
 * non-zero exit: the caller reads `code`. Rejects only when kubectl cannot be started.
 */
export function runKubectl(kubectl: string, kubeconfig: string, args: string[], input?: string): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(kubectl, [`--kubeconfig=${kubeconfig}`, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout, stderr, code: code ?? 1 }));
    child.stdin.end(input ?? '');
  });
}

/** Like runKubectl, but throws with kubectl's error output when it exits non-zero. */
export async function kubectlOrThrow(kubectl: string, kubeconfig: string, args: string[], input?: string): Promise<string> {
  const result = await runKubectl(kubectl, kubeconfig, args, input);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (exit ${result.code}): ${result.stderr.trim()}`);
  return result.stdout;
}
