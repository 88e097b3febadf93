// Bringing up the real node: claim the machine's node and prepare the host (bridge, node files),
// then containerd, the images, the kubelet and kube-proxy, recording every step in the state file.
import path from 'node:path';
import type { Log } from './build.js';
import type { Component } from './components.js';
import type { Context } from './context.js';
import { readSysctls, recordClaimProcesses } from './host.js';
import { launch } from './launch.js';
import { BRIDGE_IP } from './network.js';
import { clusterNodeLayout, importImages, nodeImages, onPath, prepareNode, purgeContainers, type ImageArchive } from './node.js';
import type { Pki } from './pki.js';
import { saveState, type ClusterState } from './state.js';
import { NODE_PROCESS_NAMES, type NodeInputs, type Ports, type ProcessName, type ProcessSpec } from './topology.js';

export interface NodeHostInputs {
  pki: Pki;
  server: string;
  ports: Ports;
  /** What `claimMachineNode` returned: the state folder of a dead cluster whose node leftovers to clear. */
  previousClaim: string | undefined;
}

/** Claims the machine's node, records the host's state, creates the bridge and node files. */
export async function startNodeHost(ctx: Context, state: ClusterState, inputs: NodeHostInputs, log: Log): Promise<NodeInputs> {
  const containerd = onPath('containerd');
  if (!containerd) throw new Error('containerd is not installed (bash scripts/setup.sh installs it)');
  const { previousClaim, ...prepare } = inputs;
  // Saved once the node is ours and before the first host change, so `down` puts the host back even if `up` dies midway.
  state.node = { sysctls: readSysctls(), images: [] };
  await saveState(ctx.layout.stateFile, state);
  state.node = await prepareNode({ stateDir: ctx.config.stateDir, cacheDir: ctx.config.cacheDir, ...prepare }, previousClaim, log);
  await saveState(ctx.layout.stateFile, state);
  log(`prepared the real node's host side: bridge ${BRIDGE_IP}, config in ${path.relative(ctx.config.repoRoot, clusterNodeLayout(ctx.config.stateDir, ctx.config.cacheDir).dir)}/`);
  return { layout: clusterNodeLayout(ctx.config.stateDir, ctx.config.cacheDir), containerd };
}

/** containerd, the images, then the kubelet and kube-proxy. */
export async function startNodeProcesses(ctx: Context, state: ClusterState, inputs: { spec: (n: ProcessName) => ProcessSpec; images: ImageArchive[] }, log: Log): Promise<void> {
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
