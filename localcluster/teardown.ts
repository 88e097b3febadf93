// Stopping a recorded cluster: exactly the PIDs in its state file (each checked to still run the
// binary we started), in reverse start order, and with a real node, putting the host back.
import type { Log } from './build.js';
import type { Context } from './context.js';
import { clusterNodeLayout, purgeContainers, restoreHost } from './node.js';
import { runsBinary, stopProcess } from './processes.js';
import { readState, type ClusterState } from './state.js';
import type { ProcessName } from './topology.js';

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
 * Returns what it stopped; throws (after stopping everything) when the host could not be put back.
 */
export async function teardown(ctx: Context, log: Log): Promise<ProcessName[]> {
  const state = readState(ctx.layout.stateFile);
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
