// PID lock files: the local cluster's state folder and each component's build cache are
// changed by one process at a time.

import { writeFile } from 'node:fs/promises';

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
