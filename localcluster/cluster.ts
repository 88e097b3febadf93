// The local cluster's lifecycle, the importable API: start (build what is missing, then bring up
// a fresh cluster, or reuse the healthy one), stop (exactly the PIDs we started), status. State
// lives in `.localcluster/state.json`; every process is detached so the cluster outlives its
// starter. The jobs live beside it: bring-up.ts, node-bring-up.ts, launch.ts, teardown.ts,
// status.ts, state.ts, node-import.ts.
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { bringUp } from './bring-up.js';
import { ensureBuilt, elapsed, type Log } from './build.js';
import type { LocalClusterConfig } from './config.js';
import { context, type ClusterPaths, type Context } from './context.js';
import { withPidLock } from './lock.js';
import type { ImageArchive } from './node.js';
import { projectImages } from './node-import.js';
import type { ClusterState } from './state.js';
import { clusterStatus } from './status.js';
import { teardown } from './teardown.js';
import type { ClusterMode, Layout, ProcessName } from './topology.js';

export type { Log } from './build.js';
export type { ImageArchive } from './node.js';
export type { ClusterPaths } from './context.js';
export type { ClusterState } from './state.js';
export { clusterStatus, endpointOf, type ClusterStatus, type ComponentStatus, type RealNodeStatus } from './status.js';
export { importIntoNode } from './node-import.js';

export interface StartResult {
  paths: ClusterPaths;
  state: ClusterState;
  /** True when a healthy cluster was already running and nothing was changed. */
  alreadyRunning: boolean;
  /** Wall time of this call, milliseconds. */
  ms: number;
}

const silent: Log = () => undefined;

/** Paths of the cluster's files and binaries. Reads only the wrapper go.mod files. */
export function clusterPaths(config?: LocalClusterConfig): ClusterPaths {
  return context(config).paths;
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
