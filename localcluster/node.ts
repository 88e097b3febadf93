// The real worker node's host side: preparing the machine before containerd, the kubelet and
// kube-proxy start (claim, leftovers of a crashed run, sysctls, bridge, config files, images),
// and putting everything back when the cluster stops. The processes themselves are started and
// stopped by cluster.ts like every other component (topology.ts has their command lines).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Log } from './build.js';
import type { Component } from './components.js';
import type { LocalClusterConfig } from './config.js';
import { writeKubeconfig } from './kubeconfig.js';
import {
  claimNode, deleteKubeProxyTables, liveClaim, readSysctls, releaseNode, removePodCgroups, podCgroupDirs, restoreSysctls, unmountUnder, writeSysctl,
} from './host.js';
import { BRIDGE, createBridge, deleteBridge } from './network.js';
import {
  BLOCKED_REGISTRIES, blockedRegistryHosts, cniConfig, containerdConfig, kubeletConfig, kubeProxyConfig, nodeLayout, type NodeLayout,
} from './node-config.js';
import { ensurePauseImage } from './pause.js';
import { IDENTITIES, type Pki } from './pki.js';
import { waitFor } from './wait.js';
import type { Ports } from './topology.js';

const run = promisify(execFile);

/** Debian packages the real node needs, and a command of each that proves it is installed. */
export const NODE_PACKAGES: { pkg: string; command: string }[] = [
  { pkg: 'containerd', command: 'containerd' },
  { pkg: 'runc', command: 'runc' },
  { pkg: 'containernetworking-plugins', command: '/usr/lib/cni/bridge' },
  { pkg: 'nftables', command: 'nft' },
  { pkg: 'iproute2', command: 'ip' },
  { pkg: 'buildah', command: 'buildah' },
  { pkg: 'gcc', command: 'gcc' },
];

/** What `down` needs to put the host back: recorded in state.json before anything is changed. */
export interface NodeRecord {
  /** Sysctl values before the node started. */
  sysctls: Record<string, string>;
  /** Images imported into containerd for this cluster: ref and the archive they came from. */
  images: { ref: string; archive: string }[];
}

/** An image archive to load into the node's containerd (`docker-archive` or OCI archive). */
export interface ImageArchive {
  ref: string;
  archive: string;
}

/** Absolute path of an executable on PATH, or undefined. */
export function onPath(command: string, env: Record<string, string | undefined> = process.env): string | undefined {
  if (command.startsWith('/')) return existsSync(command) ? command : undefined;
  for (const dir of (env.PATH ?? '').split(':').filter(Boolean)) {
    const candidate = path.join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/** Throws a message naming every missing package (and the one command that installs them) or a missing privilege. */
export function checkNodePrerequisites(): void {
  if (process.getuid?.() !== 0) throw new Error('the real node needs root (containerd, the kubelet, a bridge); run as root or use `npm run cluster:up -- --kwok-only`');
  const missing = NODE_PACKAGES.filter((p) => !onPath(p.command)).map((p) => p.pkg);
  if (missing.length > 0) throw new Error(`missing Debian packages for the real node: ${missing.join(' ')} (bash scripts/setup.sh installs them)`);
}

/** The node's files for this cluster. */
export function clusterNodeLayout(stateDir: string, cacheDir: string): NodeLayout {
  return nodeLayout(stateDir, cacheDir);
}

/**
 * Kills what a containerd that is gone left running: its shims (their command line names the
 * containerd socket under `nodeDirs`) and every process in the kubelet's pod cgroups. All of them
 * were started by this tooling's containerd. Returns how many it killed.
 */
export async function killLeftoverProcesses(nodeDirs: string[]): Promise<number> {
  const victims = [...shimProcesses(nodeDirs), ...podProcesses()];
  for (const pid of victims) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  // Give the kernel a moment to empty the cgroups of the killed processes.
  await waitFor(() => podProcesses().length === 0, { what: 'the killed pod processes to leave their cgroups', timeoutMs: 5000, intervalMs: 100 }).catch(() => undefined);
  return victims.length;
}

/** containerd-shim processes serving a containerd whose socket is under one of `nodeDirs`. */
function shimProcesses(nodeDirs: string[]): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string[];
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const address = cmdline[cmdline.indexOf('-address') + 1] ?? '';
    if (path.basename(cmdline[0] ?? '').startsWith('containerd-shim') && nodeDirs.some((d) => address.startsWith(`${d}/`))) pids.push(Number(entry));
  }
  return pids;
}

/**
 * Removes what a crashed run left (its own or another worktree's, once the claim shows it dead):
 * shims and pod processes, mounts under the node folder, pod cgroups, kube-proxy's tables and the
 * bridge. Containers left in containerd's store are purged once containerd runs (purgeContainers).
 */
async function removeLeftovers(nodeDirs: string[], log: Log): Promise<void> {
  const killed = await killLeftoverProcesses(nodeDirs);
  if (killed > 0) log(`killed ${killed} shim and pod processes an earlier run left behind`);
  const mounts = await unmountUnder(nodeDirs);
  if (mounts.length > 0) log(`unmounted ${mounts.length} mounts an earlier run left under ${nodeDirs.join(', ')}`);
  const stuck = removePodCgroups();
  if (stuck.length > 0) throw new Error(`cannot remove the pod cgroups ${stuck.join(', ')}: processes remain in them`);
  const tables = await deleteKubeProxyTables();
  if (tables.length > 0) log(`deleted kube-proxy's nft tables left by an earlier run (${tables.join(', ')})`);
  if (await deleteBridge()) log(`deleted the bridge ${BRIDGE} left by an earlier run`);
}

/** PIDs of every process in the kubelet's pod cgroups. */
function podProcesses(): number[] {
  const pids = new Set<number>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) walk(path.join(dir, entry.name));
    const procs = path.join(dir, 'cgroup.procs');
    if (existsSync(procs)) for (const line of readFileSync(procs, 'utf8').split('\n')) if (line.trim()) pids.add(Number(line));
  };
  for (const dir of podCgroupDirs()) walk(dir);
  return [...pids].filter((p) => p !== process.pid);
}

export interface PrepareInputs {
  stateDir: string;
  cacheDir: string;
  pki: Pki;
  server: string;
  ports: Ports;
}

/**
 * Claims the machine's one real node for this cluster. Throws NodeClaimedError, having changed
 * nothing, while another cluster's node runs. Returns the state folder of a dead earlier claim.
 */
export async function claimMachineNode(stateDir: string): Promise<string | undefined> {
  checkNodePrerequisites();
  return claimNode(stateDir);
}

/**
 * Gets the claimed machine ready for the node: cleans up a crashed run (`previous` is the state
 * folder of a dead earlier claim), records the sysctls, creates the bridge and writes every config
 * file. Returns what `down` needs to undo it.
 */
export async function prepareNode(inputs: PrepareInputs, previous: string | undefined, log: Log): Promise<NodeRecord> {
  const l = clusterNodeLayout(inputs.stateDir, inputs.cacheDir);
  const dirs = [l.dir, ...(previous && previous !== inputs.stateDir ? [path.join(previous, 'node')] : [])];
  await removeLeftovers(dirs, log);
  await rm(l.dir, { recursive: true, force: true, maxRetries: 3 });
  const sysctls = readSysctls();
  // kube-proxy rewrites Service traffic in the IP hooks; replies between pods on one bridge only pass them with this on.
  if (sysctls['net.bridge.bridge-nf-call-iptables'] === '0') await writeSysctl('net.bridge.bridge-nf-call-iptables', '1');
  if (sysctls['net.bridge.bridge-nf-call-iptables'] === undefined) {
    log('warning: this kernel has no bridge netfilter (br_netfilter): a pod reaching another pod through a Service ClusterIP may get no answer');
  }
  await createBridge();
  await writeNodeFiles(l, inputs);
  return { sysctls, images: [] };
}

async function writeNodeFiles(l: NodeLayout, inputs: PrepareInputs): Promise<void> {
  const { pki, ports, server } = inputs;
  for (const d of [l.containerdState, l.cniConfDir, l.cniIpamDir, l.kubeletRoot, l.containerdRoot]) await mkdir(d, { recursive: true, mode: 0o700 });
  await writeFile(l.containerdConfig, containerdConfig(l));
  await Promise.all(
    BLOCKED_REGISTRIES.map(async (r) => {
      await mkdir(path.join(l.registryHostsDir, r), { recursive: true });
      await writeFile(path.join(l.registryHostsDir, r, 'hosts.toml'), blockedRegistryHosts());
    }),
  );
  await writeFile(path.join(l.cniConfDir, '10-riskmodel.conflist'), cniConfig(l));
  await writeFile(l.resolvConf, '# The local cluster has no DNS; pods reach Services by their ClusterIP.\noptions ndots:1\n');
  await writeFile(l.kubeletConfig, kubeletConfig({ layout: l, caCert: pki.caCert, servingCert: pki.kubeletCert, servingKey: pki.kubeletKey, port: ports.kubelet, healthzPort: ports.kubeletHealthz }));
  await writeFile(l.kubeProxyConfig, kubeProxyConfig({ layout: l, healthzPort: ports.kubeProxyHealthz, metricsPort: ports.kubeProxyMetrics }));
  const kubeconfig = (id: typeof IDENTITIES.kubelet, file: string): Promise<void> =>
    writeKubeconfig(file, { server, caCert: pki.caCert, clientCert: pki.cert(id), clientKey: pki.key(id), user: id.user, embed: false });
  await kubeconfig(IDENTITIES.kubelet, l.kubeletKubeconfig);
  await kubeconfig(IDENTITIES.kubeProxy, l.kubeProxyKubeconfig);
}

async function ctr(l: NodeLayout, args: string[]): Promise<string> {
  try {
    return (await run('ctr', ['--address', l.containerdSocket, '--namespace', 'k8s.io', ...args], { maxBuffer: 64 * 2 ** 20 })).stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`ctr ${args.join(' ')} failed: ${(e.stderr ?? e.message).trim()}`);
  }
}

/** Identity of an archive file for the import ledger: size and modification time. */
function archiveStamp(file: string): string {
  const s = statSync(file);
  return createHash('sha256').update(`${file}\0${s.size}\0${s.mtimeMs}`).digest('hex').slice(0, 16);
}

/**
 * Imports the archives into the node's containerd (namespace k8s.io, where the CRI looks),
 * skipping those already imported from the same file unchanged (a ledger next to containerd's
 * persistent root). Returns what the node now holds from these archives.
 */
export async function importImages(l: NodeLayout, archives: ImageArchive[], log: Log): Promise<ImageArchive[]> {
  const ledgerFile = path.join(path.dirname(l.containerdRoot), 'imported.json');
  const ledger: Record<string, string> = await readFile(ledgerFile, 'utf8').then((t) => JSON.parse(t) as Record<string, string>, () => ({}));
  const present = new Set((await ctr(l, ['images', 'ls', '--quiet'])).split('\n').filter(Boolean));
  for (const image of archives) {
    const stamp = archiveStamp(image.archive);
    if (present.has(image.ref) && ledger[image.ref] === stamp) continue;
    const started = Date.now();
    await ctr(l, ['images', 'import', '--no-unpack=false', image.archive]);
    if (!(await ctr(l, ['images', 'ls', '--quiet'])).split('\n').includes(image.ref)) {
      throw new Error(`importing ${image.archive} did not give containerd the image ${image.ref}`);
    }
    ledger[image.ref] = stamp;
    log(`imported ${image.ref} into the node's containerd (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    await removeOlderTags(l, image.ref, ledger, log);
  }
  await writeFile(ledgerFile, `${JSON.stringify(ledger, null, 2)}\n`);
  return archives;
}

/** The repository part of an image reference (`localhost/riskmodel-inference:abc` → `localhost/riskmodel-inference`). */
export function repositoryOf(ref: string): string {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  return colon > slash ? ref.slice(0, colon) : ref;
}

/**
 * Removes the images of the same repository that this tooling imported earlier under other tags
 * (each rebuild of an image gets a new content-keyed tag): the store would otherwise grow by a
 * whole image per rebuild. containerd's garbage collector then frees their layers.
 */
async function removeOlderTags(l: NodeLayout, ref: string, ledger: Record<string, string>, log: Log): Promise<void> {
  const older = Object.keys(ledger).filter((r) => r !== ref && repositoryOf(r) === repositoryOf(ref));
  for (const r of older) {
    await ctr(l, ['images', 'rm', r]).catch(() => '');
    delete ledger[r];
    log(`removed the older ${r} from the node's containerd`);
  }
}

/** The pause image plus any archives the caller adds (the project's own images). */
export async function nodeImages(config: LocalClusterConfig, kubernetes: Component, extra: ImageArchive[], log: Log): Promise<ImageArchive[]> {
  return [await ensurePauseImage(config, kubernetes, log), ...extra];
}

/**
 * Removes every container and sandbox of the k8s.io namespace (their tasks killed first), so
 * containerd's persistent store starts each cluster empty and no pod outlives the cluster.
 */
export async function purgeContainers(l: NodeLayout, log: Log): Promise<number> {
  const tasks = (await ctr(l, ['tasks', 'ls', '--quiet'])).split('\n').filter(Boolean);
  await Promise.all(tasks.map((t) => ctr(l, ['tasks', 'kill', '--signal', 'SIGKILL', t]).catch(() => '')));
  for (const t of tasks) {
    const deleted = async (): Promise<boolean> => (await ctr(l, ['tasks', 'delete', t]).then(() => true, () => false)) || !(await ctr(l, ['tasks', 'ls', '--quiet'])).includes(t);
    await waitFor(deleted, { what: `containerd to delete task ${t}`, timeoutMs: 10_000, intervalMs: 100 }).catch(() => undefined);
  }
  const containers = (await ctr(l, ['containers', 'ls', '--quiet'])).split('\n').filter(Boolean);
  for (const c of containers) await ctr(l, ['containers', 'delete', c]).catch(() => '');
  if (containers.length > 0) log(`removed ${containers.length} containers and sandboxes from the node's containerd`);
  return containers.length;
}

/** containerd's and the images' disk use: the persistent store (images) and this cluster's runtime state. */
export async function nodeDiskUse(l: NodeLayout): Promise<{ containerdRoot: number; runtimeState: number }> {
  const [containerdRoot, runtimeState] = await Promise.all([diskUse(l.containerdRoot), diskUse(l.dir)]);
  return { containerdRoot, runtimeState };
}

/** Bytes allocated under `dir`, each hard link once, not crossing into mounts (`du -sxB1`); 0 when absent. */
async function diskUse(dir: string): Promise<number> {
  if (!existsSync(dir)) return 0;
  const { stdout } = await run('du', ['-sxB1', dir]).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '0' }));
  return Number(stdout.split(/\s/)[0]) || 0;
}

/**
 * Puts the host back after the node's processes are stopped: mounts under the node folder, pod
 * cgroups, kube-proxy's tables, the bridge, the sysctls, the machine claim. Each step runs even
 * when an earlier one fails; the errors are reported together.
 */
export async function restoreHost(stateDir: string, cacheDir: string, record: NodeRecord | undefined, log: Log): Promise<void> {
  const l = clusterNodeLayout(stateDir, cacheDir);
  const holder = await liveClaim();
  if (holder && holder.stateDir !== stateDir && holder.starter !== process.pid) {
    // The bridge, cgroups and tables belong to the cluster that holds the machine's node now.
    await unmountUnder([l.dir]);
    log(`left the host's node set-up alone: it belongs to the cluster in ${holder.stateDir}`);
    return;
  }
  const errors: string[] = [];
  const step = async (what: string, fn: () => Promise<string | undefined>): Promise<void> => {
    try {
      const said = await fn();
      if (said) log(said);
    } catch (err) {
      errors.push(`${what}: ${(err as Error).message}`);
    }
  };
  await step('leftover processes', async () => {
    // Only when containerd died before it could remove its pods (down purges them through it otherwise).
    const killed = await killLeftoverProcesses([l.dir]);
    return killed > 0 ? `killed ${killed} shim and pod processes left by a containerd that is gone` : undefined;
  });
  await step('unmount', async () => {
    const points = await unmountUnder([l.dir]);
    return points.length > 0 ? `unmounted ${points.length} mounts under ${path.relative(process.cwd(), l.dir) || l.dir}` : undefined;
  });
  await step('pod cgroups', () => {
    const stuck = removePodCgroups();
    if (stuck.length > 0) throw new Error(`still in use: ${stuck.join(', ')}`);
    return Promise.resolve('removed the pod cgroups');
  });
  await step('nft', async () => {
    const tables = await deleteKubeProxyTables();
    return tables.length > 0 ? `deleted nft tables ${tables.join(', ')}` : undefined;
  });
  await step('bridge', async () => ((await deleteBridge()) ? `deleted the bridge ${BRIDGE} and its routes` : undefined));
  await step('sysctls', async () => {
    const restored = record ? await restoreSysctls(record.sysctls) : [];
    return restored.length > 0 ? `restored sysctls ${restored.map((n) => `${n}=${record?.sysctls[n]}`).join(', ')}` : undefined;
  });
  await step('claim', async () => {
    await releaseNode(stateDir);
    return undefined;
  });
  if (errors.length > 0) throw new Error(`could not put the host back completely: ${errors.join('; ')}`);
}
