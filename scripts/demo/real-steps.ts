// The demo's steps on the real node: the operator installed in the cluster from config/default,
// real load through the inference Service, the real HPA on measured CPU, a rollout counted
// request by request, and predictions through the Service. (steps.ts holds the shared steps and
// the --kwok variants; scale-up-step.ts holds step 5, the load's ramp.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeImages } from '../../localcluster/images/on-node.js';
import { installOperator, leaseHolder, OPERATOR } from '../lib/operator-install.js';
import { EXAMPLE_PATIENTS } from '../../inference/generator.js';
import { predict, type Prediction } from './inference-step.js';
import { getJson, kubectl, waitFor } from './kube.js';
import type { LayeredLoad } from './layers.js';
import { between, type RunningLoad } from './load.js';
import { block, info, ok, step } from './narrate.js';
import { startBackground, type Background } from './processes.js';
import type { PodList } from './revisions.js';
import { rolledOut, type ReplicaSetList } from './riskmodel.js';
import { getDeploy, getRm, prepareNamespaces, printRiskModels, publishModel, type DemoContext, type ServedModel } from './steps.js';

const REPO_ROOT = join(import.meta.dirname, '../..');
export const instanceSelector = (name: string): string => `app.kubernetes.io/instance=${name}`;

/** Step 2: config/default applied through an overlay that names the locally built images. */
export async function installOperatorInCluster(ctx: DemoContext, images: NodeImages): Promise<void> {
  step(2, 'Installing the operator in the cluster: kubectl apply -k config/default',
    'Real: CRD, RBAC and the operator\'s 2-replica Deployment from config/default (an overlay swaps in the image just built);',
    'the pods run the operator image on the real node with their ServiceAccount token and in-cluster configuration, and elect a leader on a Lease.');
  await prepareNamespaces(ctx);
  const run = async (args: string[], input?: string): Promise<string> => (await kubectl(ctx.target, args, input)).stdout;
  info(`$ kubectl apply --server-side -k ${join(ctx.workDir, 'operator-overlay')}   # resources: config/default; images: ${images.operator}`);
  await installOperator(run, {
    repoRoot: REPO_ROOT, dir: join(ctx.workDir, 'operator-overlay'),
    operatorImage: images.operator, inferenceImage: images.inference, watchNamespaces: [ctx.namespace],
  });
  const pods = await getJson<PodList>(ctx.target, ['pods', '-n', OPERATOR.namespace, '-l', `app.kubernetes.io/name=${OPERATOR.deployment}`]);
  const names = pods.items.filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name);
  const leader = await waitFor(async () => {
    const holder = await leaseHolder(run);
    return holder && names.includes(holder) ? holder : undefined;
  }, { what: `one of the operator pods (${names.join(', ')}) to hold the Lease ${OPERATOR.namespace}/${OPERATOR.lease}`, timeoutMs: 90_000, intervalMs: 1000 });
  block((await kubectl(ctx.target, ['get', 'pods', '-n', OPERATOR.namespace, '-o', 'wide'])).stdout);
  ok(`operator running in-cluster: ${names.length} pods, leader ${leader}; the inference pods will run ${images.inference}`);
  ctx.report('operator', { inCluster: true, pods: names, leader, image: images.operator, inferenceImage: images.inference });
}

/** The Service's ClusterIP URL (reachable from this machine through the cluster bridge). */
export async function serviceUrl(ctx: DemoContext, name: string): Promise<URL> {
  const svc = await getJson<{ spec: { clusterIP: string; ports: { port: number }[] } }>(ctx.target, ['service', name, '-n', ctx.namespace]);
  return new URL(`http://${svc.spec.clusterIP}:${svc.spec.ports[0]?.port ?? 80}`);
}

interface RolloutWatch {
  oldSets: Set<string>;
  minSeen: number;
  maxSeen: number;
}

/** The rollout's end: a new ReplicaSet fully rolled out at `held` replicas and no old pod left (terminating ones included). */
async function rolloutDone(ctx: DemoContext, name: string, held: number, watch: RolloutWatch): Promise<string[] | undefined> {
  const sets = await getJson<ReplicaSetList>(ctx.target, ['replicasets', '-n', ctx.namespace, '-l', instanceSelector(name)]);
  const dep = await getDeploy(ctx, name);
  watch.minSeen = Math.min(watch.minSeen, dep.spec.replicas ?? 0);
  watch.maxSeen = Math.max(watch.maxSeen, dep.spec.replicas ?? 0);
  const fresh = sets.items.filter((rs) => !watch.oldSets.has(rs.metadata.name)).map((rs) => rs.metadata.name);
  if (fresh.length === 0 || !rolledOut(dep, held)) return undefined;
  const pods = await getJson<PodList>(ctx.target, ['pods', '-n', ctx.namespace, '-l', instanceSelector(name)]);
  const oldLeft = pods.items.filter((p) => !fresh.some((rs) => rs.endsWith(`-${p.metadata.labels?.['pod-template-hash'] ?? '?'}`)));
  return oldLeft.length === 0 ? fresh : undefined;
}

/**
 * What steps 5 to 10 work on: the RiskModel, its model's ConfigMap, its bounds after step 4, its
 * scale-down window, and the model step 3 served (step 8 rolls back to it).
 */
export interface DemoPlan {
  name: string;
  configMap: string;
  min: number;
  max: number;
  windowSeconds: number;
  first: ServedModel;
}

/** Step 6: a new model rolls the pods while the load keeps running (the HPA holds maxReplicas); every lost request is counted. */
export async function rollOutUnderLoad(ctx: DemoContext, plan: DemoPlan, load: RunningLoad): Promise<void> {
  const { name, configMap, max: held } = plan;
  step(6, `Rolling out a new model under load while the HPA holds ${held} replicas`,
    'Real: the new ConfigMap content changes the pod template, the Deployment controller surges new pods (Ready only on /readyz) and',
    'terminates old ones: each answers /readyz 503 at once, keeps serving while its endpoint is withdrawn, then drains. Every request is counted.');
  const before = await getJson<ReplicaSetList>(ctx.target, ['replicasets', '-n', ctx.namespace, '-l', instanceSelector(name)]);
  const watch: RolloutWatch = { oldSets: new Set(before.items.map((rs) => rs.metadata.name)), minSeen: held, maxSeen: held };
  const startTotals = load.totals();
  const start = Date.now();
  const artifactVersion = await publishModel(ctx, configMap, 7);
  const fresh = await waitFor(() => rolloutDone(ctx, name, held, watch), {
    what: 'the new model\'s rollout to complete and the old pods to be gone', timeoutMs: 300_000, intervalMs: 2000, onPoll: () => ctx.live(),
  });
  // Requests sent just before the last old pod went away are answered within this margin.
  await new Promise((r) => setTimeout(r, 2000));
  const during = between(startTotals, load.totals());
  const rm = await getRm(ctx, name);
  ok(`new ReplicaSet ${fresh.join(', ')} in ${Math.round((Date.now() - start) / 1000)} s; replicas stayed between ${watch.minSeen} and ${watch.maxSeen}; model now ${rm.status?.modelVersion}`);
  ok(`requests during the rollout: ${during.ok + during.failed}, failed: ${during.failed}`);
  ctx.report('rollout', {
    newReplicaSets: fresh.length, minReplicasSeen: watch.minSeen, maxReplicasSeen: watch.maxSeen, held,
    revision: rm.status?.revision, modelVersion: rm.status?.modelVersion, artifactVersion, requests: during.ok + during.failed, failed: during.failed, seconds: (Date.now() - start) / 1000,
  });
}

/**
 * Step 9: the load stops; the HPA scales down to minReplicas once its window has passed.
 * `canaryFailed`: the load's requests step 7's faulty canary answered, which the whole run's count includes.
 */
export async function scaleDownAfterRealLoad(ctx: DemoContext, plan: DemoPlan, load: LayeredLoad, canaryFailed: number): Promise<void> {
  const { name, min, windowSeconds } = plan;
  step(9, `Load stops: scaling down after the ${windowSeconds} s stabilization window`,
    'Real: the load generator stops, the pods\' request rate and CPU fall to idle; the HPA waits out scaleDownStabilizationSeconds, then scales to minReplicas.');
  const summary = await load.stop();
  const failed = summary.responses - summary.status['2xx'] + summary.connectionErrors + summary.timeouts;
  // The running totals count the same answers as the summary, tick by tick: what failed outside step 7's window.
  const failedOutsideCanary = load.totals().failed - canaryFailed;
  ok(`load stopped: ${summary.responses} answers in ${summary.durationSeconds.toFixed(0)} s (${summary.requestsPerSecond.toFixed(0)} req/s), `
    + `p50 ${summary.latencyMs.p50} ms, p99 ${summary.latencyMs.p99} ms${summary.layers > 1 ? ` (the slowest of step 5's ${summary.layers} load runs: at most this over all)` : ''}; failed over the whole run: ${failed} `
    + `(${canaryFailed} while step 7's faulty canary served, ${failedOutsideCanary} at any other time)`);
  ctx.report('load', {
    responses: summary.responses, ok: summary.status['2xx'], failed, failedDuringCanary: canaryFailed, failedOutsideCanary,
    requestsPerSecond: summary.requestsPerSecond, p99Ms: summary.latencyMs.p99, loadRuns: summary.layers,
  });
  const start = Date.now();
  const d = await waitFor(async () => {
    const dep = await getDeploy(ctx, name);
    return rolledOut(dep, min) ? dep : undefined;
  }, { what: `the HPA to scale ${name} down to minReplicas=${min}`, timeoutMs: (windowSeconds + 180) * 1000, intervalMs: 2000, onPoll: () => ctx.live() });
  await ctx.live();
  ok(`scaled down to ${d.spec.replicas} replicas ${Math.round((Date.now() - start) / 1000)} s after the load stopped`);
  await printRiskModels(ctx);
  ctx.report('scaleDown', { replicas: d.spec.replicas, seconds: (Date.now() - start) / 1000, stabilizationSeconds: windowSeconds });
}

/** Starts `kubectl port-forward svc/NAME` on 127.0.0.1:`port` (0 = any) and resolves with the local URL. */
async function portForward(ctx: DemoContext, name: string, servicePort: string, port: number): Promise<{ process: Background; url: string }> {
  const log = join(ctx.workDir, 'port-forward.log');
  const args = ['--kubeconfig', ctx.target.kubeconfig, 'port-forward', '-n', ctx.namespace, `svc/${name}`, `${port === 0 ? '' : port}:${servicePort}`, '--address', '127.0.0.1'];
  const process = await startBackground('port-forward', ctx.target.kubectl, args, { env: globalThis.process.env, log, marker: 'port-forward' });
  const local = await waitFor(() => Promise.resolve(/Forwarding from 127\.0\.0\.1:(\d+)/.exec(readFileSync(log, 'utf8'))?.[1]), {
    what: `kubectl port-forward svc/${name} to listen`, timeoutMs: 30_000, intervalMs: 250,
  });
  return { process, url: `http://127.0.0.1:${local}` };
}

/** Step 10: predictions and the web page through the inference Service, directly and through a port-forward. */
export async function serveThroughService(ctx: DemoContext, name: string, port: number): Promise<{ forward: Background; url: string; serviceUrl: string }> {
  step(10, 'Querying the inference service in the cluster',
    'Real: POST /predict to the Service ClusterIP (kube-proxy picks a ready pod on the real node), and the web page through',
    'kubectl port-forward svc/NAME (the API server tunnels to a pod of the Service). No process outside the cluster serves anything.');
  const url = (await serviceUrl(ctx, name)).origin;
  const results: Record<string, Prediction> = {};
  for (const [patient, vitals] of Object.entries(EXAMPLE_PATIENTS)) {
    const p = await predict(url, vitals);
    results[patient] = p;
    info(`$ curl -s ${url}/predict -H 'content-type: application/json' -d '${JSON.stringify(vitals)}'`);
    block(`${patient} patient → risk ${p.risk}, confidence ${(p.confidence * 100).toFixed(1)}% (model ${p.modelVersion})`);
  }
  const forward = await portForward(ctx, name, url.split(':').pop() ?? '80', port);
  const page = await fetch(`${forward.url}/`);
  const html = await page.text();
  if (page.status !== 200 || !html.includes('<html')) throw new Error(`GET ${forward.url}/ through the port-forward answered ${page.status}`);
  const viaForward = await predict(forward.url, EXAMPLE_PATIENTS.critical);
  ok(`web page: ${forward.url}/  (kubectl port-forward -n ${ctx.namespace} svc/${name} ${port || 8080}:${url.split(':').pop()}), or ${url}/ from this machine`);
  ctx.report('predictions', {
    via: 'service', url, portForwardUrl: forward.url, healthy: results.healthy?.risk, critical: results.critical?.risk,
    criticalViaPortForward: viaForward.risk, modelVersion: results.critical?.modelVersion, pageStatus: page.status,
  });
  return { forward: forward.process, url: forward.url, serviceUrl: url };
}
