// Bringing up a fresh cluster from built binaries: ports, files (PKI, kubeconfigs, Prometheus' and
// the adapter's configuration), then the processes in dependency order, the bootstrap objects,
// and a wait for what tests rely on.
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CUSTOM_METRICS_API, customMetricsManifests, metricsApiManifests, nodeName, nodesManifest, nodeStatusPatch, NODE_COUNT } from './bootstrap.js';
import { elapsed, type Log } from './build.js';
import type { Context } from './context.js';
import { releaseNode } from './host.js';
import { kubectlOrThrow } from './kubectl.js';
import { ensureKwokConfig } from './kwok-config.js';
import { writeKubeconfig } from './kubeconfig.js';
import { launch } from './launch.js';
import { adapterRules, prometheusConfig } from './monitoring.js';
import { claimMachineNode, type ImageArchive } from './node.js';
import { startNodeHost, startNodeProcesses } from './node-bring-up.js';
import { REAL_NODE_NAME } from './node-config.js';
import { ensurePki, IDENTITIES, type ClientIdentity, type Pki } from './pki.js';
import { freePorts } from './processes.js';
import type { ClusterState } from './state.js';
import { teardown } from './teardown.js';
import { apiserverHost, processSpecs, type ClusterMode, type Layout, type Ports, type ProcessName, type ProcessSpec } from './topology.js';
import { waitFor } from './wait.js';

async function prepareFiles(ctx: Context, ports: Ports, mode: ClusterMode): Promise<{ pki: Pki; kwokConfig: string; server: string }> {
  const l = ctx.layout;
  // A fresh cluster every time: nothing of a previous one (data, keys, logs) is reused. The lock file stays.
  await Promise.all([l.logsDir, l.kubeconfigsDir, l.etcdDataDir, l.pkiDir, l.monitoring.dir, l.stateFile, l.adminKubeconfig].map((f) => rm(f, { recursive: true, force: true, maxRetries: 3 })));
  await Promise.all([l.logsDir, l.kubeconfigsDir, l.etcdDataDir, l.binDir, l.monitoring.prometheusData].map((d) => mkdir(d, { recursive: true, mode: 0o700 })));
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
    kubeconfigFor(IDENTITIES.prometheusAdapter, path.join(l.kubeconfigsDir, 'prometheus-adapter.kubeconfig'), false),
    kubeconfigFor(IDENTITIES.prometheus, path.join(l.kubeconfigsDir, 'prometheus.kubeconfig'), false),
    writeMonitoringFiles(l),
  ]);
  return { pki, kwokConfig, server };
}

async function writeMonitoringFiles(l: Layout): Promise<void> {
  await writeFile(l.monitoring.prometheusConfig, prometheusConfig(path.join(l.kubeconfigsDir, 'prometheus.kubeconfig')));
  await writeFile(l.monitoring.adapterRules, adapterRules());
}

const PORT_NAMES = [
  'etcdClient', 'etcdPeer', 'apiserver', 'controllerManager', 'scheduler', 'kwok', 'metricsServer', 'prometheus', 'prometheusAdapter',
  'kubelet', 'kubeletHealthz', 'kubeProxyHealthz', 'kubeProxyMetrics',
] as const satisfies readonly (keyof Ports)[];

async function allocatePorts(): Promise<Ports> {
  const ports = await freePorts(PORT_NAMES.length);
  return Object.fromEntries(PORT_NAMES.map((name, i) => [name, ports[i]])) as unknown as Ports;
}

export interface BringUpOptions {
  mode: ClusterMode;
  images: ImageArchive[];
}

/**
 * Starts a fresh cluster of `options.mode` from built binaries and returns its recorded state.
 * On failure everything started is stopped, the host put back and the state file removed before
 * the error is rethrown.
 */
export async function bringUp(ctx: Context, options: BringUpOptions, log: Log): Promise<ClusterState> {
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
    const addOns: ProcessName[] = ['kube-controller-manager', 'kube-scheduler', 'kwok', 'metrics-server', 'prometheus', 'prometheus-adapter'];
    await launch(ctx, state, addOns.map(spec), log);
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

async function createBootstrapObjects(ctx: Context, ports: Ports, pki: Pki, taintKwok: boolean): Promise<void> {
  const k = (args: string[], input?: string): Promise<string> => kubectlOrThrow(ctx.binaries.kubectl, ctx.layout.adminKubeconfig, args, input);
  await k(['apply', '--server-side', '--field-manager=localcluster', '-f', '-'], nodesManifest({ taint: taintKwok }));
  await Promise.all(
    Array.from({ length: NODE_COUNT }, (_, i) => k(['patch', 'node', nodeName(i), '--subresource=status', '--type=merge', '-p', nodeStatusPatch()])),
  );
  await k(['apply', '--server-side', '--field-manager=localcluster', '-f', '-'], metricsApiManifests(ports.metricsServer, pki.caCert));
  await k(['apply', '--server-side', '--field-manager=localcluster', '-f', '-'], customMetricsManifests(ports.prometheusAdapter, pki.caCert, IDENTITIES.prometheus.user));
}

/** Waits until what tests rely on works: Ready nodes, the metrics APIs, and ServiceAccounts being created. */
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
  await k(['wait', '--for=condition=Available', ...CUSTOM_METRICS_API.versions.map((v) => `apiservice/${v}.${CUSTOM_METRICS_API.group}`), '--timeout=60s']);
  log(`${CUSTOM_METRICS_API.group} is available (prometheus-adapter, reading Prometheus)`);
  await pollUntil('the default ServiceAccount (kube-controller-manager)', async () =>
    (await k(['get', 'serviceaccounts', '-n', 'default', '--ignore-not-found', '-o', 'name'])).trim() !== '');
}

/** Polls `done` every 250 ms until it holds (60 s at most). */
function pollUntil(what: string, done: () => Promise<boolean>, timeoutMs = 60_000): Promise<boolean> {
  return waitFor(done, { what, timeoutMs, intervalMs: 250 });
}
