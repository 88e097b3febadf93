// Process plumbing for the cluster: free loopback ports, detached children with log files,
// liveness by PID, and stopping exactly the processes we started.
import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { waitFor } from './wait.js';

/**
 * True when a process with this PID exists (and is not a zombie). EPERM means it exists but
 * belongs to another user: alive (treating it as dead would let a lock of a live holder be taken).
 */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** True when the PID is alive and runs `binary` — guards against a recycled PID. */
export function runsBinary(pid: number, binary: string): boolean {
  if (!isAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] === binary;
  } catch {
    return false;
  }
}

/**
 * Reserves `count` distinct free TCP ports on 127.0.0.1. The ports are released before returning,
 * so another program could take one in between; the cluster fails loudly if that happens.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    for (let i = 0; i < count; i += 1) {
      const server = net.createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
      servers.push(server);
    }
    return servers.map((s) => (s.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

/**
 * Starts `binary` in its own process group, detached from this process so the cluster outlives
 * the command that started it. stdout and stderr go to `logPath`. Returns the PID.
 */
export function spawnDetached(binary: string, args: string[], logPath: string): number {
  const fd = openSync(logPath, 'a');
  try {
    const child = spawn(binary, args, { detached: true, stdio: ['ignore', fd, fd] });
    if (child.pid === undefined) throw new Error(`could not start ${binary}`);
    child.unref();
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/**
 * Stops a process we started: SIGTERM, then SIGKILL after `graceMs`. Does nothing when the PID
 * no longer runs `binary`. Resolves once the process is gone.
 */
export async function stopProcess(pid: number, binary: string, graceMs = 10_000): Promise<boolean> {
  if (!runsBinary(pid, binary)) return false;
  process.kill(pid, 'SIGTERM');
  const gone = (): boolean => !isAlive(pid);
  const what = `${binary} (pid ${pid}) to exit`;
  if (!(await waitFor(gone, { what, timeoutMs: graceMs, intervalMs: 100 }).catch(() => false))) {
    process.kill(pid, 'SIGKILL');
    await waitFor(gone, { what, timeoutMs: Infinity, intervalMs: 50 });
  }
  return true;
}

/** Resident set size of a process in bytes, or undefined when it is gone. */
export function rssBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
