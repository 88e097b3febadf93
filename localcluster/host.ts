// Host state the real node changes and `cluster:down` must put back: sysctls (recorded before the
// kubelet starts), mounts under the node's folders, the kubelet's pod cgroups, kube-proxy's nft
// table, and the machine-wide claim that only one local cluster runs a real node.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { isAlive, runsBinary } from './processes.js';

const run = promisify(execFile);

/**
 * Sysctls the kubelet sets at start (its setupKernelTunables: overcommit for the OOM killer's
 * accounting, panic settings, keyring limits) and the bridge-netfilter switch kube-proxy relies
 * on. Recorded before start, written back on stop.
 */
export const TRACKED_SYSCTLS = [
  'vm.overcommit_memory',
  'vm.panic_on_oom',
  'kernel.panic',
  'kernel.panic_on_oops',
  'kernel.keys.root_maxkeys',
  'kernel.keys.root_maxbytes',
  'net.bridge.bridge-nf-call-iptables',
];

const sysctlFile = (name: string): string => `/proc/sys/${name.replace(/\./g, '/')}`;

/** Current values of the tracked sysctls that exist on this kernel. */
export function readSysctls(names = TRACKED_SYSCTLS): Record<string, string> {
  const values: Record<string, string> = {};
  for (const name of names) {
    if (existsSync(sysctlFile(name))) values[name] = readFileSync(sysctlFile(name), 'utf8').trim();
  }
  return values;
}

/** Writes back recorded values that differ from the current ones; returns the names restored. */
export async function restoreSysctls(recorded: Record<string, string>): Promise<string[]> {
  const current = readSysctls(Object.keys(recorded));
  const changed = Object.keys(recorded).filter((name) => current[name] !== undefined && current[name] !== recorded[name]);
  await Promise.all(changed.map((name) => writeFile(sysctlFile(name), `${recorded[name]}\n`)));
  return changed;
}

/** Sets a sysctl (used for the bridge-netfilter switch when a host has it off). */
export async function writeSysctl(name: string, value: string): Promise<void> {
  await writeFile(sysctlFile(name), `${value}\n`);
}

/** Undoes /proc/self/mountinfo's octal escapes (`\040` is a space). */
export function unescapeMountPath(p: string): string {
  return p.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Mount points at or below any of `roots`, deepest first (the order to unmount them in). */
export function mountsUnder(mountinfo: string, roots: string[]): string[] {
  const points = mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => Boolean(p))
    .map(unescapeMountPath)
    .filter((p) => roots.some((r) => p === r || p.startsWith(`${r.replace(/\/$/, '')}/`)));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** Unmounts everything mounted under `roots` (lazily when busy). Returns the mount points. */
export async function unmountUnder(roots: string[]): Promise<string[]> {
  const points = mountsUnder(readFileSync('/proc/self/mountinfo', 'utf8'), roots);
  for (const p of points) {
    try {
      await run('umount', [p]);
    } catch {
      await run('umount', ['-l', p]).catch(() => undefined);
    }
  }
  return points;
}

/** cgroup folder the kubelet creates in every hierarchy with cgroupfs (`cgroupsPerQOS`). */
export const POD_CGROUP = 'kubepods';
const CGROUP_ROOT = '/sys/fs/cgroup';

/** The kubelet's pod cgroup in each mounted hierarchy (v1 controllers and a v2 "unified" one). */
export function podCgroupDirs(root = CGROUP_ROOT): string[] {
  if (!existsSync(root)) return [];
  const direct = path.join(root, POD_CGROUP);
  if (existsSync(direct)) return [direct];
  return readdirSync(root)
    .map((h) => path.join(root, h, POD_CGROUP))
    .filter((d) => existsSync(d));
}

function removeCgroupTree(dir: string): boolean {
  let ok = true;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) ok = removeCgroupTree(path.join(dir, entry.name)) && ok;
  }
  try {
    rmdirSync(dir);
  } catch {
    ok = false;
  }
  return ok;
}

/**
 * Removes the kubelet's pod cgroups, children first (a cgroup folder can only be removed empty of
 * processes and children). Returns the folders that could not be removed (a process still in them).
 */
export function removePodCgroups(root = CGROUP_ROOT): string[] {
  return podCgroupDirs(root).filter((d) => !removeCgroupTree(d));
}

/** kube-proxy's nftables tables (its nftables mode creates one per IP family). */
export const KUBE_PROXY_TABLES = ['ip kube-proxy', 'ip6 kube-proxy'];

/** Deletes kube-proxy's tables; returns those that existed. */
export async function deleteKubeProxyTables(): Promise<string[]> {
  const { stdout } = await run('nft', ['list', 'tables']).catch(() => ({ stdout: '' }));
  const present = KUBE_PROXY_TABLES.filter((t) => stdout.split('\n').some((line) => line.trim() === `table ${t}`));
  for (const t of present) await run('nft', ['delete', 'table', ...t.split(' ')]);
  return present;
}

/** Who holds the machine's one real node: the cluster's state folder and the processes to check. */
export interface NodeClaim {
  stateDir: string;
  /** The process that is starting the node (alive while it starts). */
  starter: number;
  /** containerd, kubelet and kube-proxy once started. */
  processes: { pid: number; binary: string }[];
}

/** Thrown when another cluster's real node runs on this machine. */
export class NodeClaimedError extends Error {
  constructor(readonly stateDir: string) {
    super(
      `another local cluster runs the machine's real node (state folder ${stateDir}); only one can run per machine. ` +
        'Stop it with `npm run cluster:down` in that checkout, or start this one with `npm run cluster:up -- --kwok-only`.',
    );
    this.name = 'NodeClaimedError';
  }
}

/** Machine-wide (not per worktree): a tmpfs path, so a reboot clears it with the node it described. */
export const CLAIM_FILE = '/run/riskmodel-localcluster/real-node.json';

function claimAlive(claim: NodeClaim): boolean {
  return isAlive(claim.starter) || claim.processes.some((p) => runsBinary(p.pid, p.binary));
}

/** The claim on the machine's real node, if any cluster holds one that still runs. */
export async function liveClaim(file = CLAIM_FILE): Promise<NodeClaim | undefined> {
  const claim = await readFile(file, 'utf8').then((t) => JSON.parse(t) as NodeClaim, () => undefined);
  return claim && claimAlive(claim) ? claim : undefined;
}

/**
 * Claims the machine's real node for the cluster in `stateDir`. Refuses, naming the other state
 * folder, when another cluster's node still runs; a claim of a node that is gone (a crash) or of
 * this same cluster is taken over. Returns the state folder of a dead claim (whose leftovers,
 * such as mounts, the caller cleans up), if there was one.
 */
export async function claimNode(stateDir: string, file = CLAIM_FILE): Promise<string | undefined> {
  const previous = await readFile(file, 'utf8').then((t) => JSON.parse(t) as NodeClaim, () => undefined);
  const other = previous && claimAlive(previous) ? previous : undefined;
  if (other && other.stateDir !== stateDir && other.starter !== process.pid) {
    throw new NodeClaimedError(other.stateDir);
  }
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify({ stateDir, starter: process.pid, processes: [] } satisfies NodeClaim)}\n`);
  return previous?.stateDir;
}

/** Records the node's daemons in the claim, so other clusters see it running after `up` exits. */
export async function recordClaimProcesses(stateDir: string, processes: NodeClaim['processes'], file = CLAIM_FILE): Promise<void> {
  await writeFile(file, `${JSON.stringify({ stateDir, starter: process.pid, processes } satisfies NodeClaim)}\n`);
}

/** Removes the claim if this cluster holds it. */
export async function releaseNode(stateDir: string, file = CLAIM_FILE): Promise<void> {
  const claim = await readFile(file, 'utf8').then((t) => JSON.parse(t) as NodeClaim, () => undefined);
  if (claim?.stateDir === stateDir) await rm(file, { force: true });
}
