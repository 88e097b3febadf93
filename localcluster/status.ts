// What runs in a recorded cluster: each component's PID, health and memory, and on request the
// real node as the API server reports it. Reads only; never starts or stops anything.
import path from 'node:path';
import { adminTls, context, type ClusterPaths, type Context } from './context.js';
import type { LocalClusterConfig } from './config.js';
import { probe, type ProbeTls } from './health.js';
import { kubectlOrThrow } from './kubectl.js';
import { clusterNodeLayout, nodeDiskUse } from './node.js';
import { REAL_NODE_NAME } from './node-config.js';
import { rssBytes, runsBinary } from './processes.js';
import { readState, type ClusterState, type RunningProcess } from './state.js';
import { componentNames, type ProcessName } from './topology.js';

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

/** host:port of a health URL, or the socket's file name for `unix://` checks. */
export function endpointOf(health: string): string {
  return health.startsWith('unix://') ? path.basename(health) : new URL(health).host;
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
  const state = readState(ctx.layout.stateFile);
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
