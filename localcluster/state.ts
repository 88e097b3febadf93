// Reading `.localcluster/state.json`, the record of which processes make up the running
// cluster. It is the only way `cluster:down` finds them, so a file that cannot be read is an
// error to report, never "no cluster": treating it as absent would start a second cluster
// over the first one's data, or delete the data while its processes still run.
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { NodeRecord } from './node.js';
import type { ClusterMode, Ports, ProcessName } from './topology.js';

/** A process the cluster started, as the state file records it. */
export interface RunningProcess {
  name: ProcessName;
  pid: number;
  binary: string;
  health: string;
  log: string;
}

/** What `.localcluster/state.json` records about a cluster. */
export interface ClusterState {
  startedAt: string;
  /** Absent in state files written before the real node existed: those were kwok-only. */
  mode?: ClusterMode;
  server: string;
  ports: Ports;
  versions: Record<string, string>;
  processes: RunningProcess[];
  /** Host changes of the real node, recorded before they are made (so `down` can undo them). */
  node?: NodeRecord;
}

/** Thrown when state.json exists but does not describe a cluster. */
export class CorruptStateError extends Error {
  constructor(file: string, problem: string) {
    super(
      `${file} is not a valid cluster state file (${problem}). It lists the PIDs of a cluster that may still be running, so nothing was started or stopped. ` +
        'Stop any etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok, metrics-server, prometheus and prometheus-adapter processes of that cluster by hand, then delete the file.',
    );
    this.name = 'CorruptStateError';
  }
}

interface StateShape {
  server: string;
  processes: { name: string; pid: number; binary: string; health: string; log: string }[];
}

function problemWith(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object';
  const state = value as Partial<Record<keyof StateShape, unknown>>;
  if (typeof state.server !== 'string') return '"server" is not a string';
  if (!Array.isArray(state.processes)) return '"processes" is not a list';
  const bad = state.processes.findIndex((p: unknown) => {
    const r = (p ?? {}) as Record<string, unknown>;
    return !Number.isInteger(r.pid) || (r.pid as number) <= 0 || ['name', 'binary', 'health', 'log'].some((k) => typeof r[k] !== 'string');
  });
  return bad >= 0 ? `processes[${bad}] needs name, binary, health and log strings and a positive integer pid` : undefined;
}

/** Parses the state file's text. Pure. Throws CorruptStateError naming the file and what is wrong. */
export function parseState<T extends StateShape>(text: string, file: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new CorruptStateError(file, `not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const problem = problemWith(value);
  if (problem) throw new CorruptStateError(file, problem);
  return value as T;
}

/** The recorded cluster, or undefined when none was recorded; throws CorruptStateError for a file that cannot be trusted. */
export function readState(stateFile: string): ClusterState | undefined {
  if (!existsSync(stateFile)) return undefined;
  return parseState<ClusterState>(readFileSync(stateFile, 'utf8'), stateFile);
}

/** Writes the state file whole (called after every process start, so `down` always finds what runs). */
export async function saveState(stateFile: string, state: ClusterState): Promise<void> {
  await writeFile(stateFile, `${JSON.stringify(state, null, 2)}\n`);
}
