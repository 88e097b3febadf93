// PID lock files: the local cluster's state folder and each component's build cache are
// changed by one process at a time.

import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { isAlive } from './processes.js';
import { waitFor } from './wait.js';

/**
 * Creates `file` holding `pid`, atomically. Resolves true when this call created it, false when
 * the file already exists (someone holds the lock, or held it and died: the caller decides).
 * Any other failure (a missing folder, no permission, a full disk) throws naming the file, so a
 * caller never waits for a lock nobody holds.
 */
export async function createLockFile(file: string, pid: number): Promise<boolean> {
  try {
    await writeFile(file, String(pid), { flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException | undefined)?.code === 'EEXIST') return false;
    throw new Error(`cannot create the lock file ${file}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

export interface PidLockOptions {
  /** What the holder is doing, for the wait message: "building kubernetes v1.37.2". */
  doing: string;
  /** How often to look whether the holder is done. */
  pollMs: number;
  log: (line: string) => void;
}

/**
 * Runs `fn` holding the PID lock `file` (its folder must exist), and removes the lock afterwards
 * whatever `fn` did. While a live process holds it, waits (saying so once per holder); a lock
 * whose holder is gone, or that names this very process (a PID reused after a crash), is stale and
 * taken over. One helper for the cluster's state folder, the component builds and the images.
 */
export async function withPidLock<T>(file: string, opts: PidLockOptions, fn: () => Promise<T>): Promise<T> {
  while (!(await createLockFile(file, process.pid))) {
    const holder = Number(await readFile(file, 'utf8').catch(() => '0'));
    if (holder === process.pid || !isAlive(holder)) {
      await rm(file, { force: true });
      continue;
    }
    opts.log(`waiting for process ${holder}, which is ${opts.doing} ...`);
    await waitFor(() => !isAlive(holder) || !existsSync(file), { what: `process ${holder} to release ${file}`, timeoutMs: Infinity, intervalMs: opts.pollMs });
  }
  try {
    return await fn();
  } finally {
    await rm(file, { force: true });
  }
}
