// `npm run demo`: the whole system on a local Kubernetes control plane, narrated step by step.
// Set-up (npm ci, Debian packages) is done by scripts/demo.sh before this runs.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { connectCluster, connectRealNodeCluster, demoImages, stopDemoCluster } from './demo/cluster.js';
import type { NodeImages } from '../localcluster/images/on-node.js';
import type { DemoCluster } from './demo/cluster.js';
import { EXAMPLE_PATIENTS } from '../inference/generator.js';
import { serveLocally } from './demo/inference-step.js';
import { kubectl, type KubeTarget } from './demo/kube.js';
import { bold, currentStep, fail, info, KWOK_STEPS, ok, REAL_NODE_STEPS, setTotalSteps, step } from './demo/narrate.js';
import { DEMO_USAGE, DemoUsageError, parseDemoArgs } from './demo/options.js';
import type { DemoOptions } from './demo/options.js';
import { stopBackground, tail } from './demo/processes.js';
import type { Background } from './demo/processes.js';
import { clearState, readState, runs, writeState } from './demo/state.js';
import type { DemoState } from './demo/state.js';
import {
  applySample, conditionsLine, ensureWorkDir, installAndStartOperator, loadSample, rescale, rollOutNewModel,
  scaleDownAfterLoad, scaleUpUnderLoad,
} from './demo/steps.js';
import type { DemoContext } from './demo/steps.js';
import { liveLine } from './demo/live.js';
import { installOperatorInCluster, rollOutUnderLoad, type DemoPlan, scaleDownAfterRealLoad, serveThroughService } from './demo/real-steps.js';
import { scaleUpOnRequests } from './demo/requests-step.js';
import { scaleUpUnderRealLoad } from './demo/scale-up-step.js';
import { canaryCatchesBadModel, rollBackInOneCommand } from './demo/revision-steps.js';
import { OPERATOR } from './lib/operator-install.js';

const WORK_DIR = resolve('.localcluster/demo');
const STATE_FILE = join(WORK_DIR, 'state.json');

/** Everything this run started, so a failure or Ctrl-C can stop exactly that. */
interface Running {
  cluster?: DemoCluster;
  processes: Background[];
  ctx?: DemoContext;
  rmName?: string;
  /** True once this run installed the operator in the cluster (clean-up removes its Deployment). */
  operatorInCluster?: boolean;
}

const report: { steps: Array<{ name: string } & Record<string, unknown>>; ok: boolean; failedStep?: string; error?: string } = { steps: [], ok: false };

const STEP1_REAL = 'Real: etcd, kube-apiserver, controller-manager, scheduler, metrics-server, Prometheus, prometheus-adapter and a worker node (kubelet, containerd, kube-proxy) '
  + 'built from upstream sources, on a bridge of this machine; the inference and operator images built by npm run images (buildah) and '
  + 'imported into the node\'s containerd. The 3 kwok nodes stay, tainted: none of the demo\'s pods goes there.';
const STEP1_KWOK = 'Real: etcd, kube-apiserver, controller-manager, scheduler built from upstream sources; simulated: the 3 kwok nodes this demo\'s pods run on, and their CPU usage.';

/**
 * Step 4's new bounds. On kwok one more of each. On the real node 1 and 3: the 2 cores that run the
 * pods also run the load generator and the control plane. Step 5's rate then asks for more than 3
 * on requests a second (the sample's target per pod); with --scale-on cpu it rises until the HPA
 * wants the 3 (a quiet machine needs more requests a second than a busy one for the same CPU).
 */
function rescaleBounds(sample: ReturnType<typeof loadSample>, realNode: boolean): [number, number] {
  if (realNode) return [1, 3];
  return [(sample.spec.minReplicas ?? 2) + 1, (sample.spec.maxReplicas ?? 5) + 1];
}

/** Step 1: the cluster (and, on the real node, the images in it). */
async function clusterStep(opts: DemoOptions): Promise<{ cluster: DemoCluster; images?: NodeImages }> {
  step(1, opts.useCurrentContext ? 'Using the cluster in $KUBECONFIG' : 'Starting the local Kubernetes cluster',
    opts.useCurrentContext ? 'Real: whatever cluster your current kubeconfig context points at.' : opts.kwok ? STEP1_KWOK : STEP1_REAL);
  const cluster = opts.kwok ? await connectCluster(opts.useCurrentContext) : await connectRealNodeCluster();
  ok(`cluster ready (${cluster.description}); kubeconfig: ${cluster.target.kubeconfig}`);
  if (!cluster.realNode) return { cluster };
  const images = await demoImages();
  ok(`images on the node: ${images.inference}, ${images.operator}`);
  return { cluster, images };
}

async function run(opts: DemoOptions, running: Running): Promise<void> {
  const previous = readState(STATE_FILE);
  if (previous) {
    info(`An earlier demo is still up; stopping it first (as --down would).`);
    await down(previous);
  }
  const workDir = ensureWorkDir(WORK_DIR);
  setTotalSteps(opts.kwok ? KWOK_STEPS : REAL_NODE_STEPS);
  const { cluster, images } = await clusterStep(opts);
  running.cluster = cluster;
  const sample = loadSample();
  const name = sample.metadata.name;
  const ctx: DemoContext = {
    target: cluster.target,
    namespace: opts.namespace,
    workDir,
    namespaceAnnotations: cluster.namespaceAnnotations,
    realNode: cluster.realNode,
    setCpu: (milli) => cluster.setCpu(opts.namespace, `app.kubernetes.io/instance=${name}`, milli),
    live: async () => info(await liveLine(cluster.target, opts.namespace, name)),
    report: (stepName, details) => report.steps.push({ name: stepName, ...details }),
  };
  running.ctx = ctx;
  running.rmName = name;
  const saveState = (extra: Partial<DemoState> = {}): void => writeState(STATE_FILE, {
    namespace: opts.namespace, kubeconfig: cluster.target.kubeconfig, kubectl: cluster.target.kubectl,
    startedCluster: cluster.startedHere, processes: running.processes, operatorInCluster: running.operatorInCluster ?? false, ...extra,
  });
  saveState();
  if (images) {
    running.operatorInCluster = true;
    saveState();
    await installOperatorInCluster(ctx, images);
  } else {
    running.processes.push(await installAndStartOperator(ctx, process.env));
    saveState();
  }
  const first = await applySample(ctx, sample, opts.scaleOn);
  const [min, max] = rescaleBounds(sample, cluster.realNode);
  await rescale(ctx, name, min, max);
  const plan: DemoPlan = {
    name, configMap: sample.spec.model.configMapRef?.name ?? `${name}-model`, min, max, windowSeconds: sample.spec.scaleDownStabilizationSeconds ?? 300, first,
  };
  const urls = images ? await realNodeSteps(ctx, plan, opts) : await kwokSteps(ctx, plan, opts);
  running.processes.push(urls.process);
  saveState({ inferenceUrl: urls.url });
  report.ok = true;
  finish(opts, cluster, urls, name);
}


interface Urls {
  /** Where the web page and the API answer on this machine. */
  url: string;
  /** The Service's ClusterIP URL (real node only). */
  serviceUrl?: string;
  /** The background process serving `url` (port-forward, or the local server with --kwok). */
  process: Background;
}

async function realNodeSteps(ctx: DemoContext, plan: DemoPlan, opts: DemoOptions): Promise<Urls> {
  const load = opts.scaleOn === 'cpu'
    ? await scaleUpUnderRealLoad(ctx, plan.name, plan.max, { start: opts.rate, max: opts.maxRate })
    : await scaleUpOnRequests(ctx, plan.name, plan.max, opts.rate);
  let canary: { failed: number };
  try {
    await rollOutUnderLoad(ctx, plan, load);
    canary = await canaryCatchesBadModel(ctx, plan, load);
    await rollBackInOneCommand(ctx, plan, load);
  } catch (err) {
    await load.stop();
    throw err;
  }
  await scaleDownAfterRealLoad(ctx, plan, load, canary.failed);
  const served = await serveThroughService(ctx, plan.name, opts.port);
  return { url: served.url, serviceUrl: served.serviceUrl, process: served.forward };
}

async function kwokSteps(ctx: DemoContext, plan: DemoPlan, opts: DemoOptions): Promise<Urls> {
  await scaleUpUnderLoad(ctx, plan.name, plan.max);
  await rollOutNewModel(ctx, plan.name, plan.configMap, plan.max);
  info('(The real-node run goes on with a canary that catches a bad model and a one-command rollback; kwok pods answer no HTTP, so there is no canary to analyse here.)');
  await scaleDownAfterLoad(ctx, plan.name, plan.min, plan.windowSeconds);
  const local = await serveLocally(ctx.workDir, join(ctx.workDir, 'model-seed7.json'), opts.port, ctx.report);
  return { url: local.url, process: local.server };
}

function finish(opts: DemoOptions, cluster: DemoCluster, urls: Urls, name: string): void {
  console.log(`\n${bold('Done.')} Every step passed.`);
  if (opts.once) return;
  const kc = `KUBECONFIG=${cluster.target.kubeconfig}`;
  const target = urls.serviceUrl ?? urls.url;
  console.log(`
Everything is still running. Explore:
  export ${kc}
  ${cluster.target.kubectl} get riskmodels -n ${opts.namespace}        # or: kubectl get rm -n ${opts.namespace}
  ${cluster.target.kubectl} describe riskmodel ${name} -n ${opts.namespace}
  ${cluster.realNode ? `${cluster.target.kubectl} top pods -n ${opts.namespace}                      # real CPU of the inference pods\n  ${cluster.target.kubectl} logs -n riskmodel-system deployment/riskmodel-operator   # the in-cluster operator\n  ` : ''}npm run watch -- --namespace ${opts.namespace}                         # live view
  npm run loadtest -- --url ${target} --rate 200 --duration 20
  open ${urls.url}/ in a browser (the web page: predictions, load test, live status)${urls.serviceUrl ? `; from this machine also ${urls.serviceUrl}/` : ''}
  curl -s ${target}/predict -H 'content-type: application/json' -d '${JSON.stringify(EXAMPLE_PATIENTS.critical)}'
Logs: ${cluster.realNode ? `kubectl logs (operator and inference pods), ${WORK_DIR}/port-forward.log` : `${WORK_DIR}/operator.log, ${WORK_DIR}/inference.log`}, .localcluster/logs/
Stop everything: npm run demo -- --down`);
}

/** Stops what a demo left running (its processes, its namespace, and the cluster if it started it). */
async function down(state: DemoState): Promise<void> {
  for (const proc of state.processes) {
    if (runs(proc.pid, proc.marker ?? 'main.ts')) await stopBackground(proc);
  }
  if (state.startedCluster) await stopDemoCluster();
  else await removeFromCluster({ kubectl: state.kubectl, kubeconfig: state.kubeconfig }, state.namespace, state.operatorInCluster === true);
  clearState(STATE_FILE);
}

/**
 * On a cluster the demo did not start: deletes its namespace and, when it installed one, the
 * in-cluster operator's Deployment (the CRD and RBAC stay: other RiskModels may rely on them).
 */
async function removeFromCluster(target: KubeTarget, namespace: string, operatorInCluster: boolean): Promise<void> {
  await kubectl(target, ['delete', 'namespace', namespace, '--wait=false', '--ignore-not-found']).catch(() => undefined);
  if (!operatorInCluster) return;
  await kubectl(target, ['delete', 'deployment', OPERATOR.deployment, '-n', OPERATOR.namespace, '--wait=false', '--ignore-not-found']).catch(() => undefined);
}

async function cleanUp(running: Running): Promise<void> {
  for (const proc of running.processes) await stopBackground(proc);
  if (running.cluster?.startedHere) await stopDemoCluster();
  else if (running.ctx) await removeFromCluster(running.ctx.target, running.ctx.namespace, running.operatorInCluster === true);
  clearState(STATE_FILE);
}

async function explainFailure(err: unknown, running: Running): Promise<void> {
  const message = err instanceof Error ? err.message : String(err);
  const failed = currentStep() || 'set-up';
  fail(`Step ${failed} failed: ${message}`);
  report.failedStep = failed;
  report.error = message;
  if (running.ctx && running.rmName) {
    const conditions = await conditionsLine(running.ctx, running.rmName).catch(() => 'unavailable');
    console.error(`  RiskModel conditions: ${conditions}`);
  }
  for (const proc of running.processes) {
    console.error(`  last lines of ${proc.name} log (${proc.log}):\n${tail(proc.log, 15).replace(/^/gm, '    ')}`);
  }
}

async function main(): Promise<number> {
  let opts: DemoOptions;
  try {
    opts = parseDemoArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof DemoUsageError) { console.error(`${err.message}\n\n${DEMO_USAGE}`); return 2; }
    throw err;
  }
  if (opts.mode === 'help') { console.log(DEMO_USAGE); return 0; }
  if (opts.mode === 'down') return stopDemo();
  return runDemo(opts);
}

async function stopDemo(): Promise<number> {
  const state = readState(STATE_FILE);
  if (state) await down(state); else await stopDemoCluster();
  console.log('Demo stopped: its processes, its namespace and the local cluster it started are gone.');
  return 0;
}

async function runDemo(opts: DemoOptions): Promise<number> {
  const running: Running = { processes: [] };
  let interrupted = false;
  process.once('SIGINT', () => {
    interrupted = true;
    console.error('\nInterrupted: stopping everything this demo started…');
    void cleanUp(running).finally(() => process.exit(130));
  });
  try {
    await run(opts, running);
    if (opts.once) await cleanUp(running);
    return 0;
  } catch (err) {
    if (interrupted) return 130;
    await explainFailure(err, running);
    if (opts.once) await cleanUp(running);
    else console.error('\nWhat started is left running for inspection; stop it with: npm run demo -- --down');
    return 1;
  } finally {
    if (opts.report) writeFileSync(opts.report, JSON.stringify(report, null, 2) + '\n');
  }
}

process.exitCode = await main();
