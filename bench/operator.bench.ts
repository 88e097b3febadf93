// `npm run bench:operator [-- --count 1000]`: the operator's figures on the local cluster.
//   1. N RiskModels from apply to all Ready, against a floor measured in the same run: the same
//      3·N children (from the operator's own pure `desired()`) applied by one client with SSA.
//   2. Spec edit → HPA updated latency, p50/p99 over sequential edits, seen through a watch.
//   3. Writes during an idle window with 100 RiskModels: writes the operator made (watch events
//      whose managedFields show riskmodel-operator wrote in the window) and the API server's own
//      write-request counters for the operator's resources (which would also show no-op writes).
//   4. The operator's resident memory (VmRSS, VmHWM from /proc).
// Everything runs in two fresh namespaces that are deleted at the end. Figures, not a test.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs, promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { KWOK_PLACEMENT_ANNOTATIONS, KWOK_TAINT, nodeManifest, nodeStatusPatch, NODE_ALLOCATABLE } from '../localcluster/bootstrap.js';
import { KWOK_NODE_ANNOTATION } from '../localcluster/topology.js';
import { desired } from '../operator/desired.js';
import type { RiskModel as OperatorRiskModel } from '../operator/api.js';
import { OperatorProcess, REPO_ROOT } from '../test/operator/harness/operator-process.js';

const GROUP = 'riskmodel.dev';
const VERSION = 'v1alpha1';
const PLURAL = 'riskmodels';
const FIELD_MANAGER = 'riskmodel-operator';
const FLOOR_MANAGER = 'riskmodel-bench-floor';
const IMAGE = 'riskmodel-inference:bench';
const CONCURRENCY = 32;

interface Options {
  count: number;
  edits: number;
  idleCount: number;
  idleSeconds: number;
  minReplicas: number;
  kubeconfig: string;
  /** Run the operator from source through tsx instead of compiled JavaScript (as the image runs it). */
  source: boolean;
}

interface Clients {
  kc: k8s.KubeConfig;
  objects: k8s.KubernetesObjectApi;
  core: k8s.CoreV1Api;
  custom: k8s.CustomObjectsApi;
}

interface Figures {
  floorMs: number;
  operatorMs: number;
  edits: number[];
  idleOperatorWrites: Record<string, number>;
  idleOperatorRequests: Record<string, number>;
  idleServerWrites: Record<string, number>;
  rssMb: number;
  hwmMb: number;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      count: { type: 'string', default: '200' },
      edits: { type: 'string', default: '50' },
      'idle-count': { type: 'string', default: '100' },
      'idle-seconds': { type: 'string', default: '60' },
      'min-replicas': { type: 'string', default: '1' },
      kubeconfig: { type: 'string', default: path.join(REPO_ROOT, '.localcluster/kubeconfig') },
      source: { type: 'boolean', default: false },
    },
  });
  const options = {
    count: positive('--count', values.count),
    edits: positive('--edits', values.edits),
    idleCount: positive('--idle-count', values['idle-count']),
    idleSeconds: positive('--idle-seconds', values['idle-seconds']),
    minReplicas: positive('--min-replicas', values['min-replicas']),
    kubeconfig: values.kubeconfig,
    source: values.source,
  };
  if (options.idleCount > options.count) throw new Error(`--idle-count (${options.idleCount}) must be at most --count (${options.count})`);
  return options;
}

function positive(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} must be a positive integer, got ${JSON.stringify(text)}`);
  return value;
}

/** Extra kwok nodes the benchmark adds get indexes from here, clear of the cluster's own. */
const FIRST_BENCH_NODE = 100;

/**
 * Adds fake kwok nodes until the cluster has room for `pods` more pods (each node takes
 * NODE_ALLOCATABLE.pods) and waits until they are Ready. Returns the names it created.
 */
async function ensurePodCapacity(clients: Clients, pods: number): Promise<string[]> {
  const [nodes, running] = await Promise.all([clients.core.listNode(), clients.core.listPodForAllNamespaces({ fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed' })]);
  const perNode = Number(NODE_ALLOCATABLE.pods);
  // Only kwok nodes take the benchmark's pods (its namespaces carry the kwok placement).
  const kwokNodes = nodes.items.filter((n) => n.metadata?.annotations?.[KWOK_NODE_ANNOTATION] === 'fake');
  const kwokNames = new Set(kwokNodes.map((n) => n.metadata?.name));
  const free = kwokNodes.length * perNode - running.items.filter((p) => kwokNames.has(p.spec?.nodeName)).length;
  const missing = Math.ceil(Math.max(0, pods + 20 - free) / perNode);
  const kwokTainted = kwokNodes.some((n) => n.spec?.taints?.some((t) => t.key === KWOK_TAINT.key));
  const names: string[] = [];
  for (let k = 0; k < missing; k++) {
    // Tainted like the cluster's own kwok nodes, so only kwok-placed namespaces use them.
    const node = nodeManifest(FIRST_BENCH_NODE + k, { taint: kwokTainted }) as unknown as k8s.V1Node;
    node.metadata!.labels = { ...node.metadata!.labels, 'riskmodel.dev/bench': 'true' };
    await clients.core.createNode({ body: node });
    await clients.core.patchNodeStatus({ name: node.metadata!.name!, body: JSON.parse(nodeStatusPatch()) as object }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    names.push(node.metadata!.name!);
  }
  if (missing > 0) console.log(`added ${missing} kwok nodes for ${pods} pods`);
  for (let i = 0; i < 120 && names.length > 0; i++) {
    const list = await clients.core.listNode({ labelSelector: 'riskmodel.dev/bench=true' });
    if (list.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length >= names.length) break;
    await sleep(1000);
  }
  return names;
}

/** Deletes a namespace and waits until it is gone, so its pods free their node slots. */
async function deleteNamespaceAndWait(clients: Clients, name: string): Promise<void> {
  await clients.core.deleteNamespace({ name }).catch(() => undefined);
  for (let i = 0; i < 600; i++) {
    try {
      await clients.core.readNamespace({ name });
    } catch {
      return;
    }
    await sleep(1000);
  }
  throw new Error(`namespace ${name} still exists 10 minutes after its deletion`);
}

/** Inside node_modules so the compiled operator resolves its dependencies from the project. */
const BUILD_DIR = path.join(REPO_ROOT, 'node_modules/.cache/riskmodel-bench/dist');

/** Node arguments for the operator: compiled with tsconfig.build.json (like Dockerfile.operator), or from source. */
async function operatorNodeArgs(options: Options): Promise<string[]> {
  if (options.source) return ['--import', 'tsx', 'operator/main.ts'];
  console.log('compiling the operator (tsconfig.build.json) …');
  const tsc = path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
  await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', BUILD_DIR], { cwd: REPO_ROOT });
  return [path.join(BUILD_DIR, 'operator/main.js')];
}

function makeClients(kubeconfig: string): Clients {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig);
  return { kc, objects: k8s.KubernetesObjectApi.makeApiClient(kc), core: kc.makeApiClient(k8s.CoreV1Api), custom: kc.makeApiClient(k8s.CustomObjectsApi) };
}

const benchName = (i: number): string => `bench-${String(i).padStart(4, '0')}`;

function riskModel(namespace: string, i: number, minReplicas: number): OperatorRiskModel {
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'RiskModel',
    metadata: { name: benchName(i), namespace },
    spec: { model: { version: 'bench' }, minReplicas, maxReplicas: 5, scaleDownStabilizationSeconds: 0 },
  };
}

/** Runs `task` for 0..n-1 with at most `limit` in flight. */
async function pool(n: number, limit: number, task: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
}

async function applyCrd(clients: Clients): Promise<void> {
  const text = await readFile(path.join(REPO_ROOT, 'crds/riskmodel.dev_riskmodels.yaml'), 'utf8');
  for (const doc of parseAllDocuments(text)) {
    const crd = doc.toJS() as k8s.KubernetesObject;
    await clients.objects.patch(crd, undefined, undefined, FLOOR_MANAGER, true, k8s.PatchStrategy.ServerSideApply);
  }
}

async function createNamespace(clients: Clients, prefix: string): Promise<string> {
  // Hundreds of pods: on kwok's simulated nodes, never on the real node.
  const ns = await clients.core.createNamespace({ body: { metadata: { generateName: `${prefix}-`, annotations: KWOK_PLACEMENT_ANNOTATIONS } } });
  return ns.metadata!.name!;
}

type WatchHandler = (phase: string, obj: k8s.KubernetesObject) => void;

/** An open watch; `close()` ends it. */
interface OpenWatch {
  close(): void;
}

/**
 * Watches `apiPath` (a collection URL) with `query`, calling `onEvent` for each event, until
 * closed. The API server drops watchers that fall behind and client-node then just ends the
 * watch, so an ended watch is reopened after a second; reopening replays every current object
 * as ADDED, which is all the state-based handlers here need. Resolves once the first watch is open.
 */
async function openWatch(kc: k8s.KubeConfig, apiPath: string, query: Record<string, string>, onEvent: WatchHandler): Promise<OpenWatch> {
  let closed = false;
  let controller: AbortController | undefined;
  const reopenSoon = (): void => {
    if (!closed) setTimeout(() => void start().catch(reopenSoon), 1000);
  };
  const start = async (): Promise<void> => {
    controller = await new k8s.Watch(kc).watch(apiPath, query, (phase, obj: k8s.KubernetesObject) => onEvent(phase, obj), reopenSoon);
  };
  await start();
  return {
    close: () => {
      closed = true;
      controller?.abort();
    },
  };
}

/** Watches `apiPath` until `done` says so for an event, or rejects after `timeoutMs`. */
async function watchUntil(kc: k8s.KubeConfig, apiPath: string, done: (obj: k8s.KubernetesObject) => boolean, timeoutMs: number): Promise<void> {
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const watch = await openWatch(kc, apiPath, {}, (_phase, obj) => {
    if (done(obj)) finish();
  });
  try {
    await withTimeout(finished, timeoutMs, `a watch of ${apiPath} to see everything ready`);
  } finally {
    watch.close();
  }
}

/** A Deployment counts as ready like a RiskModel does: rolled out, with ≥ min ready pods. */
function deploymentReady(deployment: k8s.V1Deployment, min: number): boolean {
  const status = deployment.status ?? {};
  return (status.observedGeneration ?? 0) >= (deployment.metadata?.generation ?? 1) && (status.readyReplicas ?? 0) >= min && status.updatedReplicas === status.replicas;
}

function isReady(rm: OperatorRiskModel): boolean {
  const ready = rm.status?.conditions?.find((c) => c.type === 'Ready');
  return ready?.status === 'True' && rm.status?.observedGeneration === rm.metadata.generation;
}

/** Floor: one client applies the operator's exact children (minus owner references) with SSA. */
async function measureFloor(clients: Clients, namespace: string, options: Options): Promise<number> {
  const ready = new Set<string>();
  const allReady = watchUntil(clients.kc, `/apis/apps/v1/namespaces/${namespace}/deployments`, (obj) => {
    if (deploymentReady(obj, options.minReplicas)) ready.add(obj.metadata!.name!);
    return ready.size === options.count;
  }, 1_800_000);
  const start = performance.now();
  await pool(options.count, CONCURRENCY, async (i) => {
    const rm = { ...riskModel(namespace, i, options.minReplicas), metadata: { name: benchName(i), namespace, uid: 'floor' } };
    const children = desired(rm, { inferenceImage: IMAGE }, { source: 'image' });
    for (const child of [children.deployment, children.service, children.hpa] as k8s.KubernetesObject[]) {
      const copy = structuredClone(child);
      delete copy.metadata!.ownerReferences;
      await clients.objects.patch(copy, undefined, undefined, FLOOR_MANAGER, true, k8s.PatchStrategy.ServerSideApply);
    }
  });
  await allReady;
  return performance.now() - start;
}

/** The operator: N RiskModels created by one client, timed until every one reports Ready. */
async function measureOperator(clients: Clients, namespace: string, options: Options): Promise<number> {
  const ready = new Set<string>();
  const allReady = watchUntil(clients.kc, `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${PLURAL}`, (obj) => {
    if (isReady(obj as OperatorRiskModel)) ready.add(obj.metadata!.name!);
    return ready.size === options.count;
  }, 1_800_000);
  const start = performance.now();
  const progress = setInterval(() => console.log(`  ${ready.size}/${options.count} Ready after ${((performance.now() - start) / 1000).toFixed(0)} s`), 10_000);
  try {
    await pool(options.count, CONCURRENCY, (i) =>
      clients.custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, body: riskModel(namespace, i, options.minReplicas) }),
    );
    await allReady;
    return performance.now() - start;
  } finally {
    clearInterval(progress);
  }
}

/**
 * Sequential maxReplicas edits on one RiskModel, each timed from sending the PATCH until an
 * already-open watch on its HPA delivers the new value.
 */
async function measureEdits(clients: Clients, namespace: string, options: Options): Promise<number[]> {
  const name = benchName(0);
  let expected = -1;
  let seen: () => void = () => undefined;
  let opened: () => void = () => undefined;
  const watchOpen = new Promise<void>((resolve) => (opened = resolve));
  const watch = await openWatch(clients.kc, `/apis/autoscaling/v2/namespaces/${namespace}/horizontalpodautoscalers`, { fieldSelector: `metadata.name=${name}` }, (_phase, obj) => {
    opened();
    if ((obj as k8s.V2HorizontalPodAutoscaler).spec?.maxReplicas === expected) seen();
  });
  try {
    await watchOpen;
    const latencies: number[] = [];
    for (let i = 0; i < options.edits; i++) {
      const max = i % 2 === 0 ? 6 : 5;
      const updated = new Promise<void>((resolve) => (seen = resolve));
      expected = max;
      const start = performance.now();
      await clients.custom.patchNamespacedCustomObject(
        { group: GROUP, version: VERSION, namespace, plural: PLURAL, name, body: { spec: { maxReplicas: max } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
      await withTimeout(updated, 30_000, `the HPA to show maxReplicas ${max}`);
      latencies.push(performance.now() - start);
      await sleep(100);
    }
    return latencies;
  } finally {
    watch.close();
  }
}

/** `promise`, or a rejection naming `what` after `ms`; the timer never outlives the race. */
async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const IDLE_KINDS = [
  ['RiskModel', `/apis/${GROUP}/${VERSION}`, PLURAL],
  ['Deployment', '/apis/apps/v1', 'deployments'],
  ['Service', '/api/v1', 'services'],
  ['HorizontalPodAutoscaler', '/apis/autoscaling/v2', 'horizontalpodautoscalers'],
  ['Event', '/api/v1', 'events'],
] as const;

/**
 * Resources whose write requests the operator could make (status and scale of children are the
 * controllers'). Events are counted apart: other components (the API server's IP allocator repair,
 * the node controller) write them too.
 */
const OPERATOR_RESOURCES = new Set(['riskmodels', 'riskmodels/status', 'deployments', 'services', 'horizontalpodautoscalers', 'events']);
const WRITE_VERBS = new Set(['POST', 'PUT', 'PATCH', 'APPLY', 'DELETE', 'DELETECOLLECTION']);

/** Whether the operator's own write is recorded on `obj` at or after `sinceMs` (managedFields times are whole seconds). */
function operatorWroteSince(obj: k8s.KubernetesObject, sinceMs: number): boolean {
  if ((obj as k8s.CoreV1Event).involvedObject) {
    const event = obj as k8s.CoreV1Event;
    const component = event.reportingComponent ?? event.source?.component ?? '';
    return component.includes('riskmodel') && (obj.metadata?.managedFields ?? []).some((f) => timeOf(f.time) >= Math.floor(sinceMs / 1000) * 1000);
  }
  return (obj.metadata?.managedFields ?? []).some((f) => f.manager === FIELD_MANAGER && timeOf(f.time) >= Math.floor(sinceMs / 1000) * 1000);
}

function timeOf(time: Date | string | undefined): number {
  return time === undefined ? 0 : new Date(time).getTime();
}

/** Watches the namespace's RiskModels, children and events, counting the operator's writes by kind. */
class WriteCounter {
  counts: Record<string, number> = {};
  lastWriteAt = Date.now();
  private since = Date.now();
  private readonly watches: OpenWatch[] = [];
  private readonly statuses = new Map<string, Record<string, string>>();
  /** Which status fields changed in RiskModel writes in the window, with how often. */
  changedFields: Record<string, number> = {};

  async open(kc: k8s.KubeConfig, namespace: string): Promise<void> {
    for (const [kind, prefix, plural] of IDLE_KINDS) {
      const watch = await openWatch(kc, `${prefix}/namespaces/${namespace}/${plural}`, {}, (_phase, obj) => {
        const label = kind === 'RiskModel' ? this.riskModelWrite(obj as OperatorRiskModel) : kind;
        if (!operatorWroteSince(obj, this.since)) return; // includes the initial list
        this.counts[label] = (this.counts[label] ?? 0) + 1;
        this.lastWriteAt = Date.now();
      });
      this.watches.push(watch);
    }
  }

  /**
   * Labels a RiskModel write: "RiskModel status (HPA CPU reading)" when the only status change
   * is the mirrored HPA reading (currentCPUUtilizationPercentage, lastScaleTime), else "RiskModel".
   */
  private riskModelWrite(rm: OperatorRiskModel): string {
    const now: Record<string, string> = { generation: String(rm.metadata.generation) };
    for (const [field, value] of Object.entries(rm.status ?? {})) now[field] = JSON.stringify(value);
    const before = this.statuses.get(rm.metadata.name) ?? {};
    this.statuses.set(rm.metadata.name, now);
    const changed = [...new Set([...Object.keys(now), ...Object.keys(before)])].filter((field) => now[field] !== before[field]);
    if (operatorWroteSince(rm as k8s.KubernetesObject, this.since)) {
      for (const field of changed) this.changedFields[field] = (this.changedFields[field] ?? 0) + 1;
    }
    const mirrored = new Set(['currentCPUUtilizationPercentage', 'lastScaleTime']);
    return changed.every((field) => mirrored.has(field)) ? 'RiskModel status (HPA CPU reading)' : 'RiskModel';
  }

  /** Starts counting afresh from now. */
  reset(): void {
    this.counts = {};
    this.changedFields = {};
    this.since = Date.now();
  }

  close(): void {
    for (const watch of this.watches) watch.close();
  }
}

/** Sums of `apiserver_request_total` write requests by resource[/subresource], for the operator's resources. */
async function serverWrites(kc: k8s.KubeConfig): Promise<Record<string, number>> {
  const text = await fetchMetrics(kc);
  const sums: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const labels: Record<string, string> = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
    const resource = labels['subresource'] ? `${labels['resource']}/${labels['subresource']}` : (labels['resource'] ?? '');
    if (!WRITE_VERBS.has(labels['verb'] ?? '') || !OPERATOR_RESOURCES.has(resource)) continue;
    sums[resource] = (sums[resource] ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sums;
}

async function fetchMetrics(kc: k8s.KubeConfig): Promise<string> {
  const server = new URL(kc.getCurrentCluster()?.server ?? '');
  const options: https.RequestOptions = { hostname: server.hostname, port: server.port, path: '/metrics', method: 'GET' };
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    https
      .get(options, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`GET /metrics: HTTP ${res.statusCode ?? '?'}`))));
      })
      .on('error', reject);
  });
}

function difference(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [key, value] of Object.entries(after)) if (value - (before[key] ?? 0) > 0) delta[key] = value - (before[key] ?? 0);
  return delta;
}

/**
 * Shrinks to `idleCount` RiskModels, waits until the operator has been quiet for 10 s, then
 * counts writes for `idleSeconds`.
 */
async function measureIdle(
  clients: Clients,
  namespace: string,
  options: Options,
  operator: OperatorProcess,
): Promise<Pick<Figures, 'idleOperatorWrites' | 'idleOperatorRequests' | 'idleServerWrites'>> {
  const counter = new WriteCounter();
  await counter.open(clients.kc, namespace);
  try {
    await pool(options.count - options.idleCount, CONCURRENCY, (j) =>
      clients.custom.deleteNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name: benchName(options.idleCount + j) }),
    );
    await waitForChildren(clients, namespace, options.idleCount);
    // Idle means converged: every HPA has its first CPU reading (status mirrors it) and the operator has been quiet for 15 s.
    await waitForCpuReadings(clients, namespace);
    const settleDeadline = Date.now() + 180_000;
    while (Date.now() - counter.lastWriteAt < 15_000 && Date.now() < settleDeadline) await sleep(1000);
    counter.reset();
    const [before, ownBefore] = await Promise.all([serverWrites(clients.kc), operatorWriteRequests(operator)]);
    await sleep(options.idleSeconds * 1000);
    const [after, ownAfter] = await Promise.all([serverWrites(clients.kc), operatorWriteRequests(operator)]);
    console.log(`  RiskModel status fields the operator changed in the window: ${JSON.stringify(counter.changedFields)}`);
    return { idleOperatorWrites: { ...counter.counts }, idleOperatorRequests: difference(ownAfter, ownBefore), idleServerWrites: difference(after, before) };
  } finally {
    counter.close();
  }
}

/** The operator's own count of its write requests by method (its riskmodel_operator_api_requests_total). */
async function operatorWriteRequests(operator: OperatorProcess): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
    counts[method] = await operator.metric('riskmodel_operator_api_requests_total', (labels) => labels['method'] === method);
  }
  return counts;
}

async function waitForCpuReadings(clients: Clients, namespace: string): Promise<void> {
  const autoscaling = clients.kc.makeApiClient(k8s.AutoscalingV2Api);
  for (let i = 0; i < 120; i++) {
    const list = await autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace });
    if (list.items.every((hpa) => hpa.status?.currentMetrics?.[0]?.resource?.current.averageUtilization !== undefined)) return;
    await sleep(1000);
  }
  console.log('  (some HPAs still had no CPU reading after 120 s; measuring anyway)');
}

async function waitForChildren(clients: Clients, namespace: string, count: number): Promise<void> {
  const apps = clients.kc.makeApiClient(k8s.AppsV1Api);
  for (let i = 0; i < 300; i++) {
    const list = await apps.listNamespacedDeployment({ namespace });
    if (list.items.length === count) return;
    await sleep(1000);
  }
  throw new Error(`the garbage collector did not bring ${namespace} to ${count} Deployments in 300 s`);
}

async function memoryOf(pid: number): Promise<{ rssMb: number; hwmMb: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

const withoutEvents = (counts: Record<string, number>): Record<string, number> => Object.fromEntries(Object.entries(counts).filter(([key]) => key !== 'events'));
const total = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0);
const detail = (counts: Record<string, number>): string =>
  Object.keys(counts).length === 0 ? '' : ` (${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')})`;

function report(options: Options, figures: Figures, load: string): void {
  const ratio = figures.operatorMs / figures.floorMs;
  const p50 = percentile(figures.edits, 50);
  const p99 = percentile(figures.edits, 99);
  const rows: [string, string, string, string][] = [
    [`${options.count} RiskModels: apply → all Ready`, `${(figures.operatorMs / 1000).toFixed(1)} s`, '≤ 1.5× floor', verdict(ratio <= 1.5)],
    [`floor: ${options.count * 3} children applied directly (SSA)`, `${(figures.floorMs / 1000).toFixed(1)} s`, '', ''],
    ['ratio operator / floor', `${ratio.toFixed(2)}×`, '≤ 1.50×', verdict(ratio <= 1.5)],
    [`spec edit → HPA updated, p50 (${figures.edits.length} edits)`, `${p50.toFixed(0)} ms`, '≤ 50 ms', verdict(p50 <= 50)],
    [`spec edit → HPA updated, p99 (${figures.edits.length} edits)`, `${p99.toFixed(0)} ms`, '≤ 250 ms', verdict(p99 <= 250)],
    [`objects the operator changed, ${options.idleSeconds} s idle, ${options.idleCount} RiskModels`, `${total(figures.idleOperatorWrites)}${detail(figures.idleOperatorWrites)}`, '0', verdict(total(figures.idleOperatorWrites) === 0)],
    ['  write requests the operator counted itself (its /metrics)', `${total(figures.idleOperatorRequests)}${detail(figures.idleOperatorRequests)}`, '0', verdict(total(figures.idleOperatorRequests) === 0)],
    ['  API server write requests to RiskModels and children (all clients)', `${total(withoutEvents(figures.idleServerWrites))}${detail(withoutEvents(figures.idleServerWrites))}`, '0', verdict(total(withoutEvents(figures.idleServerWrites)) === 0)],
    ['  API server event writes, cluster-wide (all components)', String(figures.idleServerWrites['events'] ?? 0), '', ''],
    [`operator RSS at the end (peak), ${options.source ? 'from source via tsx' : 'compiled'}`, `${figures.rssMb.toFixed(0)} MB (${figures.hwmMb.toFixed(0)} MB)`, options.count >= 1000 ? '≤ 150 MB' : '≤ 150 MB at 1,000', options.count >= 1000 ? verdict(figures.rssMb <= 150) : ''],
  ];
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c]!.length), ['measure', 'value', 'goal', ''][c]!.length));
  const line = (cells: readonly string[]): string => cells.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd();
  console.log(`\nOperator benchmark — ${new Date().toISOString()} — load ${load}`);
  console.log(line(['measure', 'value', 'goal', '']));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(row));
  console.log(`\nedit latencies (ms): min ${Math.min(...figures.edits).toFixed(0)}, mean ${(figures.edits.reduce((a, b) => a + b, 0) / figures.edits.length).toFixed(0)}, max ${Math.max(...figures.edits).toFixed(0)}`);
}

const verdict = (ok: boolean): string => (ok ? 'met' : 'MISSED');

async function loadAverage(): Promise<string> {
  const text = await readFile('/proc/loadavg', 'utf8');
  return `${text.split(' ').slice(0, 3).join(' ')} (1/5/15 min, ${(await readFile('/proc/cpuinfo', 'utf8')).split('\nprocessor').length} CPUs)`;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const clients = makeClients(options.kubeconfig);
  const nodeArgs = await operatorNodeArgs(options);
  await applyCrd(clients);
  const namespaces: string[] = [];
  const nodes: string[] = [];
  let operator: OperatorProcess | undefined;
  const cleanUp = async (): Promise<void> => {
    await operator?.stop().catch(() => operator?.kill());
    await Promise.all(namespaces.map((name) => deleteNamespaceAndWait(clients, name).catch(() => undefined)));
    await Promise.all(nodes.map((name) => clients.core.deleteNode({ name }).catch(() => undefined)));
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
  try {
    const loadAtStart = await loadAverage();
    nodes.push(...(await ensurePodCapacity(clients, options.count * options.minReplicas)));
    const floorNs = await createNamespace(clients, 'bench-floor');
    namespaces.push(floorNs);
    console.log(`floor: applying ${options.count * 3} children in ${floorNs} …`);
    const floorMs = await measureFloor(clients, floorNs, options);
    console.log(`floor: ${(floorMs / 1000).toFixed(1)} s; deleting ${floorNs} so the operator's pods get the same room …`);
    await deleteNamespaceAndWait(clients, floorNs);
    namespaces.splice(namespaces.indexOf(floorNs), 1);
    const operatorNs = await createNamespace(clients, 'bench-operator');
    namespaces.push(operatorNs);
    operator = OperatorProcess.spawn({ kubeconfig: options.kubeconfig, namespaces: [operatorNs], podName: 'bench-operator', nodeArgs, extraEnv: { LOG_LEVEL: 'info', INFERENCE_IMAGE: IMAGE } });
    await operator.started();
    console.log(`operator (pid ${operator.pid}): creating ${options.count} RiskModels in ${operatorNs} …`);
    const operatorMs = await measureOperator(clients, operatorNs, options);
    console.log(`operator: ${(operatorMs / 1000).toFixed(1)} s`);
    console.log(`editing spec.maxReplicas ${options.edits} times …`);
    const edits = await measureEdits(clients, operatorNs, options);
    console.log(`idle window: ${options.idleCount} RiskModels, ${options.idleSeconds} s …`);
    const idle = await measureIdle(clients, operatorNs, options, operator);
    const memory = await memoryOf(operator.pid);
    report(options, { floorMs, operatorMs, edits, ...idle, ...memory }, `${loadAtStart} at start, ${await loadAverage()} at end`);
  } finally {
    await cleanUp();
  }
}

main()
  .catch((err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exitCode = 1;
  })
  // A watch still open after a failure must not keep the process alive.
  .finally(() => setTimeout(() => process.exit(), 1000).unref());
