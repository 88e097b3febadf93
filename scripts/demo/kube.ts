import { execFile } from 'node:child_process';

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

export interface WaitOptions {
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  /** Called after each unsuccessful poll, e.g. to draw a live view. */
  onPoll?: (elapsedMs: number) => void | Promise<void>;
}

/**
 * Polls `check` until it returns a value other than undefined, and returns that value.
 * Errors thrown by `check` count as "not yet" (the API may be briefly unavailable); the last
 * one is reported if the wait times out.
 */
export async function waitFor<T>(check: () => Promise<T | undefined>, opts: WaitOptions): Promise<T> {
  const start = Date.now();
  let lastError = '';
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    const elapsed = Date.now() - start;
    if (elapsed > opts.timeoutMs) {
      throw new Error(`timed out after ${Math.round(elapsed / 1000)} s waiting for ${opts.what}${lastError ? ` (last error: ${lastError})` : ''}`);
    }
    await opts.onPoll?.(elapsed);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 1000));
  }
}
