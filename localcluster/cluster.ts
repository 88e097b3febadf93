// The local cluster's lifecycle: start (build what is missing, PKI, processes, bootstrap
// objects, wait for health), stop (exactly the PIDs we started), status. State lives in
// `.localcluster/state.json`; every process is detached so the cluster outlives its starter.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ensureBuilt, elapsed, type Log } from './build.js';
import { metricsApiManifests, nodeName, nodesManifest, nodeStatusPatch, NODE_COUNT } from './bootstrap.js';
import { binaryPaths, components, type BinaryPaths, type Component } from './components.js';
import { loadConfig, type LocalClusterConfig } from './config.js';
import { probe, waitHealthy, type ProbeTls } from './health.js';
import { writeKubeconfig } from './kubeconfig.js';
import { kubectlOrThrow } from './kubectl.js';
import { ensureKwokConfig } from './kwok-config.js';
import { ensurePki, IDENTITIES, pkiPaths, type ClientIdentity, type Pki } from './pki.js';
import { createLockFile } from './lock.js';
import { freePorts, isAlive, rssBytes, runsBinary, sleep, spawnDetached, stopProcess } from './processes.js';
import { parseState } from './state.js';
import { COMPONENT_NAMES, layout, processSpecs, type Layout, type Ports, type ProcessName, type ProcessSpec } from './topology.js';

export type { Log } from './build.js';

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
  server: string;
  ports: Ports;
  versions: Record<string, string>;
  processes: RunningProcess[];
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

export interface ClusterStatus {
  /** True when every component runs and answers its health check. */
  healthy: boolean;
  state: ClusterState | undefined;
  components: ComponentStatus[];
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
    endpoint: new URL(p.health).host,
    rssBytes: running ? rssBytes(p.pid) : undefined,
    log: p.log,
  };
}

/** The state of the cluster in the state folder: which components run and answer health checks. Never throws. */
export async function clusterStatus(config?: LocalClusterConfig): Promise<ClusterStatus> {
  const ctx = context(config);
  const state = readState(ctx.layout);
  const list = state ? await Promise.all(state.processes.map((p) => componentStatus(p, adminTls(ctx.layout)))) : [];
  const complete = list.length === COMPONENT_NAMES.length;
  return { healthy: complete && list.every((c) => c.healthy), state, components: list, paths: ctx.paths };
}

/** Takes the state folder's lock (a PID file); waits while another live process holds it. */
async function withLock<T>(l: Layout, log: Log, fn: () => Promise<T>): Promise<T> {
  await mkdir(l.stateDir, { recursive: true });
  while (!(await createLockFile(l.lockFile, process.pid))) {
    const holder = Number(await readFile(l.lockFile, 'utf8').catch(() => '0'));
    if (holder === process.pid || !isAlive(holder)) {
      await rm(l.lockFile, { force: true });
      continue;
    }
    log(`waiting for process ${holder}, which is starting or stopping the cluster ...`);
    while (isAlive(holder) && existsSync(l.lockFile)) await sleep(1000);
  }
  try {
    return await fn();
  } finally {
    await rm(l.lockFile, { force: true });
  }
}

/**
 * Starts the local cluster, or reports the healthy one already running (changing nothing).
 * Builds missing binaries first (many minutes on a cold cache; progress goes to `log`). A
 * half-dead previous cluster is stopped and replaced. On failure everything started is stopped
 * and the error names the component and its log file.
 */
export async function startCluster(options: { log?: Log; config?: LocalClusterConfig } = {}): Promise<StartResult> {
  const log = options.log ?? silent;
  const ctx = context(options.config);
  const started = Date.now();
  return withLock(ctx.layout, log, async () => {
    const status = await clusterStatus(ctx.config);
    if (status.healthy && status.state) return { paths: ctx.paths, state: status.state, alreadyRunning: true, ms: Date.now() - started };
    if (status.state) {
      log('a previous cluster is only partly running; stopping what is left of it');
      await stopProcesses(ctx.layout, log);
    }
    const built = await ensureBuilt(ctx.config, ctx.list, log);
    if (built.length > 0) log(`build finished: ${built.map((b) => `${b.name} ${elapsed(b.ms)}`).join(', ')}`);
    const state = await bringUp(ctx, log);
    return { paths: ctx.paths, state, alreadyRunning: false, ms: Date.now() - started };
  });
}

async function prepareFiles(ctx: Context, ports: Ports): Promise<{ pki: Pki; kwokConfig: string; server: string }> {
  const l = ctx.layout;
  // A fresh cluster every time: nothing of a previous one (data, keys, logs) is reused. The lock file stays.
  await Promise.all([l.logsDir, l.kubeconfigsDir, l.etcdDataDir, l.pkiDir, l.stateFile, l.adminKubeconfig].map((f) => rm(f, { recursive: true, force: true, maxRetries: 3 })));
  await Promise.all([l.logsDir, l.kubeconfigsDir, l.etcdDataDir].map((d) => mkdir(d, { recursive: true, mode: 0o700 })));
  const kwok = ctx.list.find((c) => c.name === 'kwok');
  if (!kwok) throw new Error('kwok component missing');
  const [pki, kwokConfig] = await Promise.all([ensurePki(l.pkiDir), ensureKwokConfig(kwok, ctx.config.goBinary)]);
  const server = `https://127.0.0.1:${ports.apiserver}`;
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

async function allocatePorts(): Promise<Ports> {
  const [etcdClient, etcdPeer, apiserver, controllerManager, scheduler, kwok, metricsServer] = await freePorts(7);
  return { etcdClient, etcdPeer, apiserver, controllerManager, scheduler, kwok, metricsServer } as Ports;
}

async function bringUp(ctx: Context, log: Log): Promise<ClusterState> {
  const t0 = Date.now();
  const ports = await allocatePorts();
  const { pki, kwokConfig, server } = await prepareFiles(ctx, ports);
  const specs = processSpecs({ layout: ctx.layout, pki, binaries: ctx.binaries, ports, kwokConfig });
  const state: ClusterState = {
    startedAt: new Date().toISOString(),
    server,
    ports,
    versions: Object.fromEntries(ctx.list.map((c) => [c.name, c.version])),
    processes: [],
  };
  const spec = (name: ProcessName): ProcessSpec => specs.find((s) => s.name === name) as ProcessSpec;
  try {
    await launch(ctx, state, [spec('etcd')], log);
    await launch(ctx, state, [spec('kube-apiserver')], log);
    await createBootstrapObjects(ctx, ports, pki);
    await launch(ctx, state, ['kube-controller-manager', 'kube-scheduler', 'kwok', 'metrics-server'].map((n) => spec(n as ProcessName)), log);
    await waitForCluster(ctx, log);
  } catch (err) {
    log('start failed; stopping the processes started so far');
    await stopProcesses(ctx.layout, log);
    await rm(ctx.layout.stateFile, { force: true });
    throw err;
  }
  log(`cluster is up in ${elapsed(Date.now() - t0)} (excluding builds)`);
  return state;
}

/** Starts processes together, records their PIDs at once (so `down` can always clean up), waits for health. */
async function launch(ctx: Context, state: ClusterState, specs: ProcessSpec[], log: Log): Promise<void> {
  const tls = adminTls(ctx.layout);
  for (const s of specs) {
    const logFile = path.join(ctx.layout.logsDir, `${s.name}.log`);
    const pid = spawnDetached(s.binary, s.args, logFile);
    state.processes.push({ name: s.name, pid, binary: s.binary, health: s.health, log: logFile });
    log(`started ${s.name} (pid ${pid}) on ${new URL(s.health).host}, log ${path.relative(ctx.config.repoRoot, logFile)}`);
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

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function createBootstrapObjects(ctx: Context, ports: Ports, pki: Pki): Promise<void> {
  const k = (args: string[], input?: string): Promise<string> => kubectlOrThrow(ctx.binaries.kubectl, ctx.layout.adminKubeconfig, args, input);
  await k(['apply', '--server-side', '--field-manager=localcluster', '-f', '-'], nodesManifest());
  await Promise.all(
    Array.from({ length: NODE_COUNT }, (_, i) => k(['patch', 'node', nodeName(i), '--subresource=status', '--type=merge', '-p', nodeStatusPatch()])),
  );
  await k(['apply', '--server-side', '--field-manager=localcluster', '-f', '-'], metricsApiManifests(ports.metricsServer, pki.caCert));
}

/** Waits until what tests rely on works: Ready nodes, the metrics API, and ServiceAccounts being created. */
async function waitForCluster(ctx: Context, log: Log): Promise<void> {
  const k = (args: string[]): Promise<string> => kubectlOrThrow(ctx.binaries.kubectl, ctx.layout.adminKubeconfig, args);
  await k(['wait', '--for=condition=Ready', 'node', '--all', '--timeout=60s']);
  await pollUntil('the node-lifecycle-controller to lift the not-ready taints', async () =>
    !(await k(['get', 'nodes', '-o', 'jsonpath={.items[*].spec.taints[*].key}'])).includes('node.kubernetes.io/not-ready'));
  log(`${NODE_COUNT} kwok nodes are Ready and schedulable`);
  await k(['wait', '--for=condition=Available', 'apiservice/v1beta1.metrics.k8s.io', '--timeout=60s']);
  log('metrics.k8s.io is available (metrics-server)');
  await pollUntil('the default ServiceAccount (kube-controller-manager)', async () =>
    (await k(['get', 'serviceaccounts', '-n', 'default', '--ignore-not-found', '-o', 'name'])).trim() !== '');
}

async function pollUntil(what: string, done: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(250);
  }
}

async function stopProcesses(l: Layout, log: Log): Promise<ProcessName[]> {
  const state = readState(l);
  const stopped: ProcessName[] = [];
  // Reverse start order: clients before the API server, the API server before etcd.
  for (const p of [...(state?.processes ?? [])].reverse()) {
    if (await stopProcess(p.pid, p.binary)) {
      stopped.push(p.name);
      log(`stopped ${p.name} (pid ${p.pid})`);
    }
  }
  return stopped;
}

/**
 * Stops exactly the processes recorded in the state file (checking each PID still runs the
 * binary we started) and removes the state folder. Safe to call when nothing runs.
 */
export async function stopCluster(options: { log?: Log; config?: LocalClusterConfig } = {}): Promise<{ stopped: ProcessName[] }> {
  const log = options.log ?? silent;
  const ctx = context(options.config);
  if (!existsSync(ctx.layout.stateDir)) return { stopped: [] };
  const stopped = await withLock(ctx.layout, log, () => stopProcesses(ctx.layout, log));
  await rm(ctx.layout.stateDir, { recursive: true, force: true, maxRetries: 3 });
  return { stopped };
}
