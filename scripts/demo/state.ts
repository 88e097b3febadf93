import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Background } from './processes.js';

/** What a demo left running, so `--down` (or the next run) can stop exactly that. */
export interface DemoState {
  namespace: string;
  kubeconfig: string;
  kubectl: string;
  /** True when this demo started the local cluster (then `--down` stops it too). */
  startedCluster: boolean;
  processes: Background[];
  /** True when this demo installed the operator in the cluster (`--down` removes its Deployment). */
  operatorInCluster?: boolean;
  inferenceUrl?: string;
}

export function readState(path: string): DemoState | undefined {
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as DemoState;
}

export function writeState(path: string, state: DemoState): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(state, null, 2) + '\n');
}

export function clearState(path: string): void {
  rmSync(path, { force: true });
}

/** True when /proc says `pid` still runs a command containing `marker` (guards against PID reuse). */
export function runs(pid: number, marker: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
  } catch {
    return false;
  }
}
