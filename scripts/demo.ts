// `npm run demo`: the whole system on a local Kubernetes control plane, narrated step by step.
// Set-up (npm ci, Debian packages) is done by scripts/demo.sh before this runs.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { connectCluster, stopDemoCluster } from './demo/cluster.js';
import type { DemoCluster } from './demo/cluster.js';
import { PATIENTS, serveLocally } from './demo/inference-step.js';
import { kubectl } from './demo/kube.js';
import { bold, currentStep, fail, info, ok, step } from './demo/narrate.js';
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

const WORK_DIR = resolve('.localcluster/demo');
const STATE_FILE = join(WORK_DIR, 'state.json');

/** Everything this run started, so a failure or Ctrl-C can stop exactly that. */
interface Running {
  cluster?: DemoCluster;
  processes: Background[];
  ctx?: DemoContext;
  rmName?: string;
}

const report: { steps: Array<{ name: string } & Record<string, unknown>>; ok: boolean; failedStep?: string; error?: string } = { steps: [], ok: false };

async function run(opts: DemoOptions, running: Running): Promise<void> {
  const previous = readState(STATE_FILE);
  if (previous) {
    info(`An earlier demo is still up; stopping it first (as --down would).`);
    await down(previous);
  }
  const workDir = ensureWorkDir(WORK_DIR);
  step(1, opts.useCurrentContext ? 'Using the cluster in $KUBECONFIG' : 'Starting the local Kubernetes cluster',
    opts.useCurrentContext
      ? 'Real: whatever cluster your current kubeconfig context points at.'
      : 'Real: etcd, kube-apiserver, controller-manager, scheduler and one worker node (kubelet, containerd) built from upstream sources; simulated: the 3 kwok nodes this demo\'s pods run on, and their CPU usage.');
  const cluster = await connectCluster(opts.useCurrentContext);
  running.cluster = cluster;
  ok(`cluster ready (${cluster.description}); kubeconfig: ${cluster.target.kubeconfig}`);

  const sample = loadSample();
  const name = sample.metadata.name;
  const configMap = sample.spec.model.configMapRef?.name ?? `${name}-model`;
  const ctx: DemoContext = {
    target: cluster.target,
    namespace: opts.namespace,
    workDir,
    namespaceAnnotations: cluster.namespaceAnnotations,
    setCpu: (milli) => cluster.setCpu(opts.namespace, `app.kubernetes.io/instance=${name}`, milli),
    live: async () => info(await liveLine(cluster.target, opts.namespace, name)),
    report: (stepName, details) => report.steps.push({ name: stepName, ...details }),
  };
  running.ctx = ctx;
  running.rmName = name;
  const saveState = (extra: Partial<DemoState> = {}): void => writeState(STATE_FILE, {
    namespace: opts.namespace, kubeconfig: cluster.target.kubeconfig, kubectl: cluster.target.kubectl,
    startedCluster: cluster.startedHere, processes: running.processes, ...extra,
  });
  saveState();

  running.processes.push(await installAndStartOperator(ctx, process.env));
  saveState();
  await applySample(ctx, sample);
  const min = (sample.spec.minReplicas ?? 2) + 1;
  const max = (sample.spec.maxReplicas ?? 5) + 1;
  await rescale(ctx, name, min, max);
  await scaleUpUnderLoad(ctx, name, max);
  await rollOutNewModel(ctx, name, configMap, max);
  await scaleDownAfterLoad(ctx, name, min, sample.spec.scaleDownStabilizationSeconds ?? 300);
  const local = await serveLocally(workDir, join(workDir, 'model-seed7.json'), opts.port, ctx.report);
  running.processes.push(local.server);
  saveState({ inferenceUrl: local.url });
  report.ok = true;
  finish(opts, cluster, local.url, name);
}

function finish(opts: DemoOptions, cluster: DemoCluster, url: string, name: string): void {
  console.log(`\n${bold('Done.')} Every step passed.`);
  if (opts.once) return;
  const kc = `KUBECONFIG=${cluster.target.kubeconfig}`;
  console.log(`
Everything is still running. Explore:
  export ${kc}
  ${cluster.target.kubectl} get riskmodels -n ${opts.namespace}        # or: kubectl get rm -n ${opts.namespace}
  ${cluster.target.kubectl} describe riskmodel ${name} -n ${opts.namespace}
  npm run watch -- --namespace ${opts.namespace}                         # live view
  npm run loadtest -- --url ${url} --rate 200 --duration 20
  open ${url}/ in a browser (the web page: predictions, load test, live status)
  curl -s ${url}/predict -H 'content-type: application/json' -d '${JSON.stringify(PATIENTS.critical)}'
Logs: ${WORK_DIR}/operator.log, ${WORK_DIR}/inference.log, .localcluster/logs/
Stop everything: npm run demo -- --down`);
}

/** Stops what a demo left running (its processes, its namespace, and the cluster if it started it). */
async function down(state: DemoState): Promise<void> {
  for (const proc of state.processes) {
    if (runs(proc.pid, 'main.ts')) await stopBackground(proc);
  }
  if (state.startedCluster) {
    await stopDemoCluster();
  } else {
    await kubectl({ kubectl: state.kubectl, kubeconfig: state.kubeconfig }, ['delete', 'namespace', state.namespace, '--wait=false', '--ignore-not-found']).catch(() => undefined);
  }
  clearState(STATE_FILE);
}

async function cleanUp(running: Running): Promise<void> {
  for (const proc of running.processes) await stopBackground(proc);
  if (running.cluster?.startedHere) {
    await stopDemoCluster();
  } else if (running.ctx) {
    await kubectl(running.ctx.target, ['delete', 'namespace', running.ctx.namespace, '--wait=false', '--ignore-not-found']).catch(() => undefined);
  }
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
  if (opts.mode === 'down') {
    const state = readState(STATE_FILE);
    if (state) await down(state); else await stopDemoCluster();
    console.log('Demo stopped: its processes, its namespace and the local cluster it started are gone.');
    return 0;
  }
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
