// Reading `.localcluster/state.json`, the record of which processes make up the running
// cluster. It is the only way `cluster:down` finds them, so a file that cannot be read is an
// error to report, never "no cluster": treating it as absent would start a second cluster
// over the first one's data, or delete the data while its processes still run.

/** Thrown when state.json exists but does not describe a cluster. */
export class CorruptStateError extends Error {
  constructor(file: string, problem: string) {
    super(
      `${file} is not a valid cluster state file (${problem}). It lists the PIDs of a cluster that may still be running, so nothing was started or stopped. ` +
        'Stop any etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok and metrics-server processes of that cluster by hand, then delete the file.',
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
