// The local cluster's lifecycle: start (build what is missing, PKI, processes, bootstrap
// objects, wait for health), stop (exactly the PIDs we started), status. State lives in
// `.localcluster/state.json`; every process is detached so the cluster outlives its starter.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ensureBuilt, elapsed, type Log } from './build.js';
import { metricsApiManifests, nodeName, nodesManifest, nodeStatusPatch, NODE_COUNT } from './bootstrap.js';
import { binaryPaths, components, type BinaryPaths, type Component } from './components.js';
import { BRIDGE_IP } from './network.js';
import { BASE_IMAGE, builtImages } from './images/images.js';
import { loadConfig, type LocalClusterConfig } from './config.js';
import { probe, waitHealthy, type ProbeTls } from './health.js';
import { writeKubeconfig } from './kubeconfig.js';
import { kubectlOrThrow } from './kubectl.js';
import { ensureKwokConfig } from './kwok-config.js';
import { ensurePki, IDENTITIES, pkiPaths, type ClientIdentity, type Pki } from './pki.js';
import { withPidLock } from './lock.js';
import { claimMachineNode, clusterNodeLayout, importImages, nodeDiskUse, nodeImages, onPath, prepareNode, purgeContainers, restoreHost, type ImageArchive, type NodeRecord } from './node.js';
import { REAL_NODE_NAME } from './node-config.js';
import { readSysctls, recordClaimProcesses, releaseNode } from './host.js';
import { parseState } from './state.js';
import { freePorts, isAlive, rssBytes, runsBinary, spawnDetached, stopProcess } from './processes.js';
import {
  apiserverHost, componentNames, layout, NODE_PROCESS_NAMES, processSpecs, type ClusterMode, type Layout, type Ports, type ProcessName, type ProcessSpec,
} from './topology.js';
import { waitFor } from './wait.js';

export type { Log } from './build.js';
export type { ImageArchive } from './node.js';

interface RunningProcess {
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

/** Where a user or a test finds the cluster's files and tools. */
export interface ClusterPaths {
  stateDir: string;
  /** Admin kubeconfig (cluster-admin through the system:masters group). */
  kubeconfig: string;
  logsDir: string;
  /** The kubectl built with the cluster, same version as the API server. */
  kubectl: string;
  binaries: BinaryPaths;
}

export interface StartResult {
  paths: ClusterPaths;
  state: ClusterState;
  /** True when a healthy cluster was already running and nothing was changed. */
  alreadyRunning: boolean;
  /** Wall time of this call, milliseconds. */
  ms: number;
}

export interface ComponentStatus {
  name: ProcessName;
  pid: number;
  running: boolean;
  healthy: boolean;
  endpoint: string;
  rssBytes: number | undefined;
  log: string;
}

/** The real node as the API server and the host see it. */
export interface RealNodeStatus {
  name: string;
  /** True when the Node object's Ready condition is True. */
  ready: boolean;
  /** `containerd://1.6.20~ds1`, from the Node's status. */
  containerRuntimeVersion: string;
  kubeletVersion: string;
  internalIp: string;
  /** Bytes: containerd's persistent store (images, unpacked layers) and this cluster's runtime state (pods, logs, volumes). */
  disk: { images: number; runtimeState: number };
}

export interface ClusterStatus {
  /** True when every component runs and answers its health check. */
  healthy: boolean;
  state: ClusterState | undefined;
  components: ComponentStatus[];
  /** Asked for with `details`, when the cluster runs a real node (and the API server answers about it). */
  node?: RealNodeStatus;
  paths: ClusterPaths;
}

interface Context {
  config: LocalClusterConfig;
  layout: Layout;
  list: Component[];
  binaries: BinaryPaths;
  paths: ClusterPaths;
}

const START_TIMEOUT_MS = 120_000;
const silent: Log = () => undefined;

function context(config = loadConfig()): Context {
  const l = layout(config.stateDir);
  const list = components(config);
  const binaries = binaryPaths(list);
  return {
    config,
    layout: l,
    list,
    binaries,
    paths: { stateDir: l.stateDir, kubeconfig: l.adminKubeconfig, logsDir: l.logsDir, kubectl: binaries.kubectl, binaries },
  };
}

/** Paths of the cluster's files and binaries. Reads only the wrapper go.mod files. */
export function clusterPaths(config?: LocalClusterConfig): ClusterPaths {
  return context(config).paths;
}

/** The recorded cluster, or undefined when none was recorded; throws CorruptStateError for a file that cannot be trusted. */
function readState(l: Layout): ClusterState | undefined {
  if (!existsSync(l.stateFile)) return undefined;
  return parseState<ClusterState>(readFileSync(l.stateFile, 'utf8'), l.stateFile);
}

async function saveState(l: Layout, state: ClusterState): Promise<void> {
  await writeFile(l.stateFile, `${JSON.stringify(state, null, 2)}\n`);
}

function adminTls(l: Layout): ProbeTls {
  const pki = pkiPaths(l.pkiDir);
  return { ca: pki.caCert, cert: pki.cert(IDENTITIES.admin), key: pki.key(IDENTITIES.admin) };
}

async function componentStatus(p: RunningProcess, tls: ProbeTls): Promise<ComponentStatus> {
  const running = runsBinary(p.pid, p.binary);
  return {
    name: p.name,
    pid: p.pid,
    running,
    healthy: running && (await probe(p.health, tls)) === 200,
    endpoint: endpointOf(p.health),
    rssBytes: running ? rssBytes(p.pid) : undefined,
    log: p.log,
  };
}

/**
 * The state of the cluster in the state folder: which components run and answer health checks;
 * with `details`, also the real node as the API server reports it and its disk use (a second or
 * two: it walks containerd's store). Never throws.
 */
export async function clusterStatus(config?: LocalClusterConfig, options: { details?: boolean } = {}): Promise<ClusterStatus> {
  const ctx = context(config);
  const state = readState(ctx.layout);
  const list = state ? await Promise.all(state.processes.map((p) => componentStatus(p, adminTls(ctx.layout)))) : [];
  const complete = state !== undefined && componentNames(state.mode ?? 'kwok-only').every((n) => list.some((c) => c.name === n));
  const node = options.details && state?.mode === 'real-node' ? await realNodeStatus(ctx).catch(() => undefined) : undefined;
  return { healthy: complete && list.every((c) => c.healthy), state, components: list, ...(node ? { node } : {}), paths: ctx.paths };
}

interface NodeObject {
  status?: {
    conditions?: { type: string; status: string }[];
    nodeInfo?: { containerRuntimeVersion?: string; kubeletVersion?: string };
    addresses?: { type: string; address: string }[];
  };
}

async function realNodeStatus(ctx: Context): Promise<RealNodeStatus> {
  const node = JSON.parse(await kubectlOrThrow(ctx.binaries.kubectl, ctx.layout.adminKubeconfig, ['get', 'node', REAL_NODE_NAME, '-o', 'json', '--request-timeout=5s'])) as NodeObject;
  const disk = await nodeDiskUse(clusterNodeLayout(ctx.config.stateDir, ctx.config.cacheDir));
  const status = node.status ?? {};
  const info = status.nodeInfo ?? {};
  return {
    name: REAL_NODE_NAME,
    ready: (status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    containerRuntimeVersion: info.containerRuntimeVersion ?? '',
    kubeletVersion: info.kubeletVersion ?? '',
    internalIp: (status.addresses ?? []).find((a) => a.type === 'InternalIP')?.address ?? '',
    disk: { images: disk.containerdRoot, runtimeState: disk.runtimeState },
  };
}

/** Takes the state folder's lock (a PID file); waits while another live process holds it. */
async function withLock<T>(l: Layout, log: Log, fn: () => Promise<T>): Promise<T> {
  await mkdir(l.stateDir, { recursive: true });
  return withPidLock(l.lockFile, { doing: 'starting or stopping the cluster', pollMs: 1000, log }, fn);
}

/** How to start: `mode` defaults to the configuration's (real node unless LOCALCLUSTER_KWOK_ONLY=1). */
export interface StartOptions {
  log?: Log;
  config?: LocalClusterConfig;
  mode?: ClusterMode;
  /** Image archives to load into the real node's containerd besides the pause image; default: what `npm run images` last built. */
  images?: ImageArchive[];
}

/**
 * Starts the local cluster, or reports the healthy one already running in the same mode (changing
 * nothing). Builds missing binaries first (many minutes on a cold cache; progress goes to `log`).
 * A half-dead previous cluster, or one of the other mode, is stopped and replaced. On failure
 * everything started is stopped, the host is put back, and the error names the component and its log.
 */
export async function startCluster(options: StartOptions = {}): Promise<StartResult> {
  const log = options.log ?? silent;
  const ctx = context(options.config);
  const mode = options.mode ?? ctx.config.mode;
  const started = Date.now();
  return withLock(ctx.layout, log, async () => {
    const running = await reusableCluster(ctx, mode, log);
    if (running) return { paths: ctx.paths, state: running, alreadyRunning: true, ms: Date.now() - started };
    const built = await ensureBuilt(ctx.config, ctx.list, log);
    if (built.length > 0) log(`build finished: ${built.map((b) => `${b.name} ${elapsed(b.ms)}`).join(', ')}`);
    const images = options.images ?? (mode === 'real-node' ? await projectImages(ctx.config) : []);
    const state = await bringUp(ctx, { mode, images }, log);
    return { paths: ctx.paths, state, alreadyRunning: false, ms: Date.now() - started };
  });
}

/**
 * The state of a healthy cluster already running in `mode`, to be reused as it is. Anything else
 * that is running (half dead, or the other mode) is stopped first, and undefined returned.
 */
async function reusableCluster(ctx: Context, mode: ClusterMode, log: Log): Promise<ClusterState | undefined> {
  const status = await clusterStatus(ctx.config);
  if (!status.state) return undefined;
  const runningMode = status.state.mode ?? 'kwok-only';
  if (status.healthy && runningMode === mode) return status.state;
  log(status.healthy ? `a ${runningMode} cluster is running; replacing it with a ${mode} one` : 'a previous cluster is only partly running; stopping what is left of it');
  await teardown(ctx, log);
  return undefined;
}

/** The inference and operator images `npm run images` last built whose archives exist (the base image is not run by pods). */
async function projectImages(config: LocalClusterConfig): Promise<ImageArchive[]> {
  const built = await builtImages(config);
  return built.filter((i) => i.name !== BASE_IMAGE && existsSync(i.archive)).map((i) => ({ ref: i.ref, archive: i.archive }));
}

async function prepareFiles(ctx: Context, ports: Ports, mode: ClusterMode): Promise<{ pki: Pki; kwokConfig: string; server: string }> {
  const l = ctx.layout;
  // A fresh cluster every time: nothing of a previous one (data, keys, logs) is reused. The lock file stays.
  await Promise.all([l.logsDir, l.kubeconfigsDir, l.etcdDataDir, l.pkiDir, l.stateFile, l.adminKubeconfig].map((f) => rm(f, { recursive: true, force: true, maxRetries: 3 })));
  await Promise.all([l.logsDir, l.kubeconfigsDir, l.etcdDataDir, l.binDir].map((d) => mkdir(d, { recursive: true, mode: 0o700 })));
  // The kubectl built with the cluster, where the README's PATH line finds it (a machine may have none, or an older one).
  await rm(path.join(l.binDir, 'kubectl'), { force: true });
  await symlink(ctx.binaries.kubectl, path.join(l.binDir, 'kubectl'));
  const kwok = ctx.list.find((c) => c.name === 'kwok');
  if (!kwok) throw new Error('kwok component missing');
  const [pki, kwokConfig] = await Promise.all([ensurePki(l.pkiDir), ensureKwokConfig(kwok, ctx.config.goBinary)]);
  const server = `https://${apiserverHost(mode)}:${ports.apiserver}`;
  const kubeconfigFor = (id: ClientIdentity, file: string, embed: boolean): Promise<void> =>
    writeKubeconfig(file, { server, caCert: pki.caCert, clientCert: pki.cert(id), clientKey: pki.key(id), user: id.user, embed });
  await Promise.all([
    kubeconfigFor(IDENTITIES.admin, l.adminKubeconfig, true),
    kubeconfigFor(IDENTITIES.controllerManager, path.join(l.kubeconfigsDir, 'kube-controller-manager.kubeconfig'), false),
    kubeconfigFor(IDENTITIES.scheduler, path.join(l.kubeconfigsDir, 'kube-scheduler.kubeconfig'), false),
    kubeconfigFor(IDENTITIES.kwok, path.join(l.kubeconfigsDir, 'kwok.kubeconfig'), false),
    kubeconfigFor(IDENTITIES.metricsServer, path.join(l.kubeconfigsDir, 'metrics-server.kubeconfig'), false),
  ]);
  return { pki, kwokConfig, server };
}

const PORT_NAMES = [
  'etcdClient', 'etcdPeer', 'apiserver', 'controllerManager', 'scheduler', 'kwok', 'metricsServer',
  'kubelet', 'kubeletHealthz', 'kubeProxyHealthz', 'kubeProxyMetrics',
] as const satisfies readonly (keyof Ports)[];

async function allocatePorts(): Promise<Ports> {
  const ports = await freePorts(PORT_NAMES.length);
  return Object.fromEntries(PORT_NAMES.map((name, i) => [name, ports[i]])) as unknown as Ports;
}

interface BringUpOptions {
  mode: ClusterMode;
  images: ImageArchive[];
}

async function bringUp(ctx: Context, options: BringUpOptions, log: Log): Promise<ClusterState> {
  const t0 = Date.now();
  const real = options.mode === 'real-node';
  // First, before any file or host change: refuses while another checkout's cluster runs the machine's node.
  const previousClaim = real ? await claimMachineNode(ctx.config.stateDir) : undefined;
  const ports = await allocatePorts();
  const { pki, kwokConfig, server } = await prepareFiles(ctx, ports, options.mode).catch(async (err: unknown) => {
    if (real) await releaseNode(ctx.config.stateDir);
    throw err;
  });
  const state: ClusterState = {
    startedAt: new Date().toISOString(),
    mode: options.mode,
    server,
    ports,
    versions: Object.fromEntries(ctx.list.map((c) => [c.name, c.version])),
    processes: [],
  };
  try {
    const node = real ? await startNodeHost(ctx, state, { pki, server, ports, previousClaim }, log) : undefined;
    const specs = processSpecs({ layout: ctx.layout, pki, binaries: ctx.binaries, ports, kwokConfig, ...(node ? { node } : {}) });
    const spec = (name: ProcessName): ProcessSpec => specs.find((s) => s.name === name) as ProcessSpec;
    await launch(ctx, state, [spec('etcd')], log);
    await launch(ctx, state, [spec('kube-apiserver')], log);
    await createBootstrapObjects(ctx, ports, pki, real);
    await launch(ctx, state, ['kube-controller-manager', 'kube-scheduler', 'kwok', 'metrics-server'].map((n) => spec(n as ProcessName)), log);
    if (node) await startNodeProcesses(ctx, state, { spec, images: options.images }, log);
    await waitForCluster(ctx, real, log);
  } catch (err) {
    log('start failed; stopping the processes started so far and putting the host back');
    await teardown(ctx, log).catch((e: Error) => log(`clean-up: ${e.message}`));
    await Promise.all([ctx.layout.stateFile, ctx.layout.adminKubeconfig].map((f) => rm(f, { force: true })));
    throw err;
  }
  log(`cluster is up in ${elapsed(Date.now() - t0)} (excluding builds)`);
  return state;
}

/** Claims the machine's node, records the host's state, creates the bridge and node files. */
async function startNodeHost(ctx: Context, state: ClusterState, inputs: { pki: Pki; server: string; ports: Ports; previousClaim: string | undefined }, log: Log) {
  const containerd = onPath('containerd');
  if (!containerd) throw new Error('containerd is not installed (bash scripts/setup.sh installs it)');
  const { previousClaim, ...prepare } = inputs;
  // Saved once the node is ours and before the first host change, so `down` puts the host back even if `up` dies midway.
  state.node = { sysctls: readSysctls(), images: [] };
  await saveState(ctx.layout, state);
  state.node = await prepareNode({ stateDir: ctx.config.stateDir, cacheDir: ctx.config.cacheDir, ...prepare }, previousClaim, log);
  await saveState(ctx.layout, state);
  log(`prepared the real node's host side: bridge ${BRIDGE_IP}, config in ${path.relative(ctx.config.repoRoot, clusterNodeLayout(ctx.config.stateDir, ctx.config.cacheDir).dir)}/`);
  return { layout: clusterNodeLayout(ctx.config.stateDir, ctx.config.cacheDir), containerd };
}

/** containerd, the images, then the kubelet and kube-proxy. */
async function startNodeProcesses(ctx: Context, state: ClusterState, inputs: { spec: (n: ProcessName) => ProcessSpec; images: ImageArchive[] }, log: Log): Promise<void> {
  const l = clusterNodeLayout(ctx.config.stateDir, ctx.config.cacheDir);
  await launch(ctx, state, [inputs.spec('containerd')], log);
  await recordNodeClaim(ctx, state);
  await purgeContainers(l, log);
  const kubernetes = ctx.list.find((c) => c.name === 'kubernetes') as Component;
  const images = await importImages(l, await nodeImages(ctx.config, kubernetes, inputs.images, log), log);
  if (state.node) state.node.images = images;
  await launch(ctx, state, [inputs.spec('kubelet'), inputs.spec('kube-proxy')], log);
  await recordNodeClaim(ctx, state);
}

async function recordNodeClaim(ctx: Context, state: ClusterState): Promise<void> {
  const daemons = state.processes.filter((p) => (NODE_PROCESS_NAMES as readonly string[]).includes(p.name));
  await recordClaimProcesses(ctx.config.stateDir, daemons.map((p) => ({ pid: p.pid, binary: p.binary })));
}

/** Starts processes together, records their PIDs at once (so `down` can always clean up), waits for health. */
async function launch(ctx: Context, state: ClusterState, specs: ProcessSpec[], log: Log): Promise<void> {
  const tls = adminTls(ctx.layout);
  for (const s of specs) {
    const logFile = path.join(ctx.layout.logsDir, `${s.name}.log`);
    const pid = spawnDetached(s.binary, s.args, logFile);
    state.processes.push({ name: s.name, pid, binary: s.binary, health: s.health, log: logFile });
    log(`started ${s.name} (pid ${pid}) on ${endpointOf(s.health)}, log ${path.relative(ctx.config.repoRoot, logFile)}`);
  }
  await saveState(ctx.layout, state);
  await Promise.all(
    specs.map(async (s) => {
      const p = state.processes.find((x) => x.name === s.name) as RunningProcess;
      try {
        await waitHealthy(s.name, s.health, tls, { timeoutMs: START_TIMEOUT_MS, stillRunning: () => isAlive(p.pid) });
      } catch (err) {
        throw new Error(`${(err as Error).message}; last lines of ${p.log}:\n${tail(p.log, 15)}`);
      }
      log(`${s.name} is healthy`);
    }),
  );
}

/** host:port of a health URL, or the socket's file name for `unix://` checks. */
export function endpointOf(health: string): string {
  return health.startsWith('unix://') ? path.basename(health) : new URL(health).host;
}

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function createBootstrapObjects(ctx: Context, ports: Ports, pki: Pki, taintKwok: boolean): Promise<void> {
  const k = (args: string[], input?: string): Promise<string> => kubectlOrThrow(ctx.binaries.kubectl, ctx.layout.adminKubeconfig, args, input);
  await k(['apply', '--server-side', '--field-manager=localcluster', '-f', '-'], nodesManifest({ taint: taintKwok }));
  await Promise.all(
    Array.from({ length: NODE_COUNT }, (_, i) => k(['patch', 'node', nodeName(i), '--subresource=status', '--type=merge', '-p', nodeStatusPatch()])),
  );
  await k(['apply', '--server-side', '--field-manager=localcluster', '-f', '-'], metricsApiManifests(ports.metricsServer, pki.caCert));
}

/** Waits until what tests rely on works: Ready nodes, the metrics API, and ServiceAccounts being created. */
async function waitForCluster(ctx: Context, real: boolean, log: Log): Promise<void> {
  const k = (args: string[]): Promise<string> => kubectlOrThrow(ctx.binaries.kubectl, ctx.layout.adminKubeconfig, args);
  if (real) {
    await pollUntil(`the real node ${REAL_NODE_NAME} to register`, async () => (await k(['get', 'node', REAL_NODE_NAME, '--ignore-not-found', '-o', 'name'])).trim() !== '');
  }
  await k(['wait', '--for=condition=Ready', 'node', '--all', '--timeout=90s']);
  await pollUntil('the node-lifecycle-controller to lift the not-ready taints', async () =>
    !(await k(['get', 'nodes', '-o', 'jsonpath={.items[*].spec.taints[*].key}'])).includes('node.kubernetes.io/not-ready'));
  log(`${NODE_COUNT} kwok nodes${real ? ` and the real node ${REAL_NODE_NAME}` : ''} are Ready and schedulable`);
  await k(['wait', '--for=condition=Available', 'apiservice/v1beta1.metrics.k8s.io', '--timeout=60s']);
  log('metrics.k8s.io is available (metrics-server)');
  await pollUntil('the default ServiceAccount (kube-controller-manager)', async () =>
    (await k(['get', 'serviceaccounts', '-n', 'default', '--ignore-not-found', '-o', 'name'])).trim() !== '');
}

/** Polls `done` every 250 ms until it holds (60 s at most). */
function pollUntil(what: string, done: () => Promise<boolean>, timeoutMs = 60_000): Promise<boolean> {
  return waitFor(done, { what, timeoutMs, intervalMs: 250 });
}

async function stopRecorded(state: ClusterState | undefined, names: readonly ProcessName[] | undefined, log: Log): Promise<ProcessName[]> {
  const stopped: ProcessName[] = [];
  // Reverse start order: clients before the API server, the API server before etcd.
  for (const p of [...(state?.processes ?? [])].reverse()) {
    if (names && !names.includes(p.name)) continue;
    if (await stopProcess(p.pid, p.binary)) {
      stopped.push(p.name);
      log(`stopped ${p.name} (pid ${p.pid})`);
    }
  }
  return stopped;
}

/**
 * Stops everything the state file records and puts the host back. With a real node: kube-proxy
 * and the kubelet first, then every pod container (through containerd, while it still runs), then
 * containerd, then the host (mounts, cgroups, nft table, bridge, sysctls); the control plane last.
 */
async function teardown(ctx: Context, log: Log): Promise<ProcessName[]> {
  const state = readState(ctx.layout);
  if (!state?.node) return stopRecorded(state, undefined, log);
  const stopped = await stopRecorded(state, ['kube-proxy', 'kubelet'], log);
  const containerd = state.processes.find((p) => p.name === 'containerd');
  const l = clusterNodeLayout(ctx.config.stateDir, ctx.config.cacheDir);
  if (containerd && runsBinary(containerd.pid, containerd.binary)) await purgeContainers(l, log).catch((e: Error) => log(`could not remove the pods' containers: ${e.message}`));
  stopped.push(...(await stopRecorded(state, ['containerd'], log)));
  let hostError: Error | undefined;
  await restoreHost(ctx.config.stateDir, ctx.config.cacheDir, state.node, log).catch((e: Error) => (hostError = e));
  stopped.push(...(await stopRecorded(state, undefined, log)));
  if (hostError) throw hostError;
  return stopped;
}

/**
 * Imports image archives into the running cluster's real node, skipping those already imported
 * unchanged, so pods can use them with `imagePullPolicy: Never` or IfNotPresent. Throws when the
 * cluster has no real node.
 */
export async function importIntoNode(archives: ImageArchive[], options: { log?: Log; config?: LocalClusterConfig } = {}): Promise<void> {
  const ctx = context(options.config);
  const state = readState(ctx.layout);
  const containerd = state?.processes.find((p) => p.name === 'containerd');
  if (state?.mode !== 'real-node' || !containerd || !runsBinary(containerd.pid, containerd.binary)) {
    throw new Error('the local cluster has no running real node to import images into (start it with `npm run cluster:up`)');
  }
  await importImages(clusterNodeLayout(ctx.config.stateDir, ctx.config.cacheDir), archives, options.log ?? silent);
}

/**
 * Stops exactly the processes recorded in the state file (checking each PID still runs the
 * binary we started), puts back what the real node changed on the host, and removes the state
 * folder. Safe to call when nothing runs.
 */
export async function stopCluster(options: { log?: Log; config?: LocalClusterConfig } = {}): Promise<{ stopped: ProcessName[] }> {
  const log = options.log ?? silent;
  const ctx = context(options.config);
  if (!existsSync(ctx.layout.stateDir)) return { stopped: [] };
  const stopped = await withLock(ctx.layout, log, () => teardown(ctx, log));
  await rm(ctx.layout.stateDir, { recursive: true, force: true, maxRetries: 3 });
  return { stopped };
}
