import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive } from '../../localcluster/processes.js';
import { waitFor } from '../../localcluster/wait.js';

/** A background process the demo started: what it is, its PID and where it logs. */
export interface Background {
  name: string;
  pid: number;
  log: string;
  /** A word of its command line, so a later run can tell the PID was not reused (default: main.ts). */
  marker?: string;
}

/**
 * Starts `command args` detached from the demo's terminal, its output written to `log`, so
 * it keeps running after the demo exits when the user chose to leave things up. Rejects if
 * the process cannot be spawned or dies within the first half second.
 */
export async function startBackground(
  name: string,
  command: string,
  args: readonly string[],
  opts: { env: NodeJS.ProcessEnv; log: string; marker?: string },
): Promise<Background> {
  // Truncate: readiness checks read this log, and a previous run's lines must not count.
  const fd = openSync(opts.log, 'w');
  const child = spawn(command, args, { env: opts.env, stdio: ['ignore', fd, fd], detached: true });
  closeSync(fd);
  const failed = new Promise<Error>((resolve) => {
    child.once('error', resolve);
    child.once('exit', (code, signal) => resolve(new Error(`${name} exited at start (${signal ?? `code ${code}`})`)));
  });
  const early = await Promise.race([failed, sleep(500).then(() => undefined)]);
  if (early) throw new Error(`${early.message}; last log lines:\n${tail(opts.log, 20)}`);
  child.unref();
  if (child.pid === undefined) throw new Error(`${name} did not start`);
  return { name, pid: child.pid, log: opts.log, ...(opts.marker ? { marker: opts.marker } : {}) };
}

/**
 * Stops a process the demo started: SIGTERM to its process group (the PID leads one because
 * it was spawned detached), then SIGKILL after `graceMs`. Idempotent.
 */
export async function stopBackground(proc: Background, graceMs = 10_000): Promise<void> {
  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-proc.pid, sig);
    } catch {
      // Already gone.
    }
  };
  if (!isAlive(proc.pid)) return;
  signal('SIGTERM');
  const gone = await waitFor(() => !isAlive(proc.pid), { what: `${proc.name} to exit`, timeoutMs: graceMs, intervalMs: 100 }).catch(() => false);
  if (!gone) signal('SIGKILL');
}

/** The last `n` lines of a log file ('' when it does not exist). */
export function tail(path: string, n: number): string {
  if (!existsSync(path)) return '';
  return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
}
