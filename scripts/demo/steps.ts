import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { getJson, kubectl, waitFor } from './kube.js';
import type { KubeTarget } from './kube.js';
import { block, info, ok, step } from './narrate.js';
import type { ScaleOn } from './options.js';
import { startBackground } from './processes.js';
import type { Background } from './processes.js';
import { describeCondition, isReady, rolledOut } from './riskmodel.js';
import type { DeploymentObject, ReplicaSetList, RiskModelObject } from './riskmodel.js';
import { runNode } from './run.js';
import { serviceAccountKubeconfig } from './service-account.js';
import { waitForCrd } from '../lib/operator-install.js';

export const SAMPLE = 'samples/riskmodel-demo.yaml';
/** The operator's identity from config/rbac. */
const OPERATOR_ACCOUNT = { namespace: 'riskmodel-system', serviceAccount: 'riskmodel-operator', hours: 24 };
export const MODEL_KEY = 'model.json';

/** Everything the steps share: the cluster, where files go, and a live-view hook. */
export interface DemoContext {
  target: KubeTarget;
  namespace: string;
  workDir: string;
  /** Annotations the demo's namespace gets (which nodes its pods land on; see DemoCluster). */
  namespaceAnnotations: Record<string, string>;
  /** True when the inference pods run on the real node (containers, real CPU); false on kwok. */
  realNode: boolean;
  /** Sets simulated CPU usage (millicores per pod) on the RiskModel's pods. Idempotent. */
  setCpu: (milliCores: number) => Promise<void>;
  /** Prints one line of the live view (replicas, desired, CPU). */
  live: () => Promise<void>;
  report: (name: string, details: Record<string, unknown>) => void;
}

/** The sample RiskModel, as the demo applies it. */
export function loadSample(): RiskModelObject {
  return parseYaml(readFileSync(SAMPLE, 'utf8')) as RiskModelObject;
}

export const rmArgs = (ctx: DemoContext, name: string): string[] => ['riskmodel', name, '-n', ctx.namespace];
export const getRm = (ctx: DemoContext, name: string) => getJson<RiskModelObject>(ctx.target, rmArgs(ctx, name));
export const getDeploy = (ctx: DemoContext, name: string) => getJson<DeploymentObject>(ctx.target, ['deployment', name, '-n', ctx.namespace]);

/** `kubectl get riskmodels` (its SCALING column: each metric's reading/target); `wide` adds TARGET, CPU, CANARY and DRIFT. */
export async function printRiskModels(ctx: DemoContext, wide = false): Promise<void> {
  const { stdout } = await kubectl(ctx.target, ['get', 'riskmodels', '-n', ctx.namespace, ...(wide ? ['-o', 'wide'] : [])]);
  info(`$ kubectl get riskmodels${wide ? ' -o wide' : ''}`);
  block(stdout);
}

/**
 * Waits while `name` is being deleted (an earlier demo's or test's clean-up): the API server
 * refuses new objects in a terminating namespace. Returns at once when it is active or absent.
 */
async function settledNamespace(ctx: DemoContext, name: string): Promise<void> {
  await waitFor(async () => {
    const { stdout } = await kubectl(ctx.target, ['get', 'namespace', name, '--ignore-not-found', '-o', 'jsonpath={.status.phase}']);
    return stdout.trim() === 'Terminating' ? undefined : true;
  }, { what: `namespace ${name} to finish terminating`, timeoutMs: 180_000, intervalMs: 1000 });
}

/**
 * Waits out an earlier run's terminating namespaces, then applies the demo's namespace with its
 * placement annotations (none on the real node). Idempotent.
 */
export async function prepareNamespaces(ctx: DemoContext): Promise<void> {
  await settledNamespace(ctx, OPERATOR_ACCOUNT.namespace);
  await settledNamespace(ctx, ctx.namespace);
  // Applied, not created: an existing namespace is fine, any other failure (RBAC, a bad name, no server) stops the demo.
  await kubectl(ctx.target, ['apply', '--server-side', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ctx.namespace } }));
  const annotations = Object.entries(ctx.namespaceAnnotations).map(([k, v]) => `${k}=${v}`);
  if (annotations.length > 0) await kubectl(ctx.target, ['annotate', 'namespace', ctx.namespace, '--overwrite', ...annotations]);
}

/** Step 2 (--kwok): CRD and RBAC from config/, then the operator as a local process. */
export async function installAndStartOperator(ctx: DemoContext, env: NodeJS.ProcessEnv): Promise<Background> {
  step(2, 'Installing the CRD and RBAC, starting the operator',
    'Real: the API server validates the CRD and stores RiskModels; the operator runs from source on this machine,',
    'authenticated as its own ServiceAccount with a TokenRequest token, so it has exactly the permissions config/rbac grants.');
  await kubectl(ctx.target, ['apply', '--server-side', '--force-conflicts', '-k', 'config/crd']);
  await waitForCrd(async (args) => (await kubectl(ctx.target, args)).stdout);
  await prepareNamespaces(ctx);
  await kubectl(ctx.target, ['apply', '--server-side', '--force-conflicts', '-f', 'config/default/namespace.yaml']);
  await kubectl(ctx.target, ['apply', '--server-side', '--force-conflicts', '-n', OPERATOR_ACCOUNT.namespace, '-k', 'config/rbac']);
  ok('CRD riskmodels.riskmodel.dev established; ServiceAccount, ClusterRole and leader-election Role applied');
  const kubeconfig = await serviceAccountKubeconfig(ctx.target, OPERATOR_ACCOUNT, join(ctx.workDir, 'operator.kubeconfig'));
  const log = join(ctx.workDir, 'operator.log');
  const operator = await startBackground('operator', process.execPath, ['--import', 'tsx', 'operator/main.ts'], {
    log,
    env: { ...env, KUBECONFIG: kubeconfig, WATCH_NAMESPACES: ctx.namespace, HTTP_PORT: '0', LEADER_ELECT: 'true' },
  });
  await waitFor(() => Promise.resolve(readFileSync(log, 'utf8').includes('became leader') ? true : undefined), {
    what: 'the operator to acquire its leader-election Lease', timeoutMs: 60_000, intervalMs: 500,
  });
  ok(`operator running (PID ${operator.pid}) as ServiceAccount ${OPERATOR_ACCOUNT.namespace}/${OPERATOR_ACCOUNT.serviceAccount}, leader of its Lease; log: ${log}`);
  ctx.report('operator', { pid: operator.pid });
  return operator;
}

/** Trains a model with `seed` and stores it in the sample's ConfigMap; returns the artifact's version. */
export async function publishModel(ctx: DemoContext, configMap: string, seed: number): Promise<string> {
  const out = join(ctx.workDir, `model-seed${seed}.json`);
  await runNode(['--import', 'tsx', 'inference/cli/train.ts', '--samples', '1000', '--seed', String(seed), '--out', out]);
  const artifact = JSON.parse(readFileSync(out, 'utf8')) as { version: string; metrics?: { accuracy?: number } };
  await storeModel(ctx, configMap, out);
  const accuracy = artifact.metrics?.accuracy;
  ok(`trained model ${artifact.version} (seed ${seed}${accuracy === undefined ? '' : `, hold-out accuracy ${(accuracy * 100).toFixed(1)}%`}) → ConfigMap ${configMap}`);
  return artifact.version;
}

/** Puts the artifact file `file` under MODEL_KEY of `configMap` (created or replaced, like kubectl apply). */
export async function storeModel(ctx: DemoContext, configMap: string, file: string): Promise<void> {
  const manifest = await kubectl(ctx.target, [
    'create', 'configmap', configMap, '-n', ctx.namespace, `--from-file=${MODEL_KEY}=${file}`, '--dry-run=client', '-o', 'yaml',
  ]);
  await kubectl(ctx.target, ['apply', '--server-side', '--force-conflicts', '-f', '-'], manifest.stdout);
}

/** A model the RiskModel serves: its revision and status.modelVersion, and the artifact's own version (what GET /model answers). */
export interface ServedModel {
  revision?: number;
  modelVersion?: string;
  artifactVersion: string;
}

/** Step 3: a model in a ConfigMap, the sample RiskModel applied, and Ready; resolves with the model it serves. */
export async function applySample(ctx: DemoContext, sample: RiskModelObject, scaleOn: ScaleOn): Promise<ServedModel> {
  step(3, 'Training a model and applying the sample RiskModel', ctx.realNode
    ? 'Real: Deployment, Service and HPA reconciled by the operator; the pods run the inference image in containerd on the real node, Ready only once their /readyz answers 200 (model loaded, smoke prediction passed).'
    : 'Real: Deployment, Service and HPA reconciled by the operator, pods scheduled by kube-scheduler; simulated: kwok marks the pods Running and Ready (no containers run).');
  const cm = sample.spec.model.configMapRef?.name;
  if (!cm) throw new Error(`${SAMPLE} has no spec.model.configMapRef.name`);
  const artifactVersion = await publishModel(ctx, cm, 42);
  info(`$ kubectl apply -n ${ctx.namespace} -f ${SAMPLE}`);
  await kubectl(ctx.target, ['apply', '-n', ctx.namespace, '-f', SAMPLE]);
  const name = sample.metadata.name;
  await scaleOnAsAsked(ctx, sample, scaleOn);
  const rm = await waitFor(async () => { const r = await getRm(ctx, name); return isReady(r) ? r : undefined; }, {
    what: `RiskModel ${name} to become Ready`, timeoutMs: 180_000, onPoll: async (t) => { if (t % 10_000 < 1000) await ctx.live(); },
  });
  ok(`RiskModel ${name} is Ready: ${rm.status?.readyReplicas} ready replicas (minReplicas ${rm.spec.minReplicas}), model ${rm.status?.modelVersion}`);
  await printRiskModels(ctx);
  const served = { revision: rm.status?.revision, modelVersion: rm.status?.modelVersion, artifactVersion };
  ctx.report('ready', { readyReplicas: rm.status?.readyReplicas, minReplicas: rm.spec.minReplicas, ...served });
  return served;
}

/** --scale-on cpu (and --kwok): the sample without spec.autoscaling, so the HPA scales on CPU at its targetCPUUtilizationPercentage. */
async function scaleOnAsAsked(ctx: DemoContext, sample: RiskModelObject, scaleOn: ScaleOn): Promise<void> {
  const metrics = sample.spec.autoscaling?.metrics ?? [];
  if (scaleOn === 'cpu' && sample.spec.autoscaling) {
    const patch = '[{"op":"remove","path":"/spec/autoscaling"}]';
    info(`$ kubectl patch riskmodel ${sample.metadata.name} --type=json -p '${patch}'   # scale on CPU at targetCPUUtilizationPercentage ${sample.spec.targetCPUUtilizationPercentage ?? 70}%`);
    await kubectl(ctx.target, ['patch', ...rmArgs(ctx, sample.metadata.name), '--type=json', '-p', patch]);
  } else if (metrics.length > 0) {
    info(`the HPA scales on ${metrics.map((m) => `${m.type} (target ${m.type === 'CPU' ? `${m.targetUtilizationPercentage ?? sample.spec.targetCPUUtilizationPercentage ?? 70}%` : `${m.targetAveragePerPod} per pod`})`).join(', ')}: spec.autoscaling.metrics`);
  }
}

/** Step 4: edit the spec; the HPA (not the operator) moves the replica count. */
export async function rescale(ctx: DemoContext, name: string, min: number, max: number): Promise<void> {
  step(4, `Rescaling by editing the spec: minReplicas=${min}, maxReplicas=${max}`,
    'Real: the operator updates the HPA; the HPA controller changes the Deployment\'s replicas; the operator never writes them.');
  const patch = JSON.stringify({ spec: { minReplicas: min, maxReplicas: max } });
  info(`$ kubectl patch riskmodel ${name} --type=merge -p '${patch}'`);
  await kubectl(ctx.target, ['patch', ...rmArgs(ctx, name), '--type=merge', '-p', patch]);
  const rm = await waitFor(async () => {
    const r = await getRm(ctx, name);
    return isReady(r) && r.status?.readyReplicas === min ? r : undefined;
  }, { what: `${min} ready replicas`, timeoutMs: 120_000, onPoll: () => ctx.live() });
  ok(`replicas followed: ${rm.status?.readyReplicas} ready`);
  await printRiskModels(ctx);
  ctx.report('rescale', { minReplicas: min, maxReplicas: max, readyReplicas: rm.status?.readyReplicas });
}

/** Step 5 (--kwok): simulated CPU above target; the real HPA controller scales up to maxReplicas. */
export async function scaleUpUnderLoad(ctx: DemoContext, name: string, max: number): Promise<void> {
  step(5, 'Autoscaling up under load',
    'Simulated: each inference pod reports high CPU usage through kwok → metrics-server. Real: the HPA controller reads it and scales the Deployment.');
  await ctx.setCpu(190);
  const start = Date.now();
  const d = await waitFor(async () => {
    await ctx.setCpu(190);
    const dep = await getDeploy(ctx, name);
    return rolledOut(dep, max) ? dep : undefined;
  }, { what: `the HPA to scale ${name} to maxReplicas=${max}`, timeoutMs: 240_000, intervalMs: 2000, onPoll: () => ctx.live() });
  await ctx.live();
  ok(`scaled up to ${d.spec.replicas} replicas in ${Math.round((Date.now() - start) / 1000)} s`);
  ctx.report('scaleUp', { replicas: d.spec.replicas, seconds: (Date.now() - start) / 1000 });
}

/** Step 6 (--kwok): new model content rolls the pods while the HPA keeps its replica count. */
export async function rollOutNewModel(ctx: DemoContext, name: string, configMap: string, held: number): Promise<void> {
  step(6, `Rolling out a new model while the HPA holds ${held} replicas`,
    'Real: new ConfigMap content changes the pod template\'s hash annotation, so the Deployment controller rolls a new ReplicaSet; replicas stay the HPA\'s.');
  const before = await getJson<ReplicaSetList>(ctx.target, ['replicasets', '-n', ctx.namespace, '-l', `app.kubernetes.io/instance=${name}`]);
  const oldSets = new Set(before.items.map((rs) => rs.metadata.name));
  await publishModel(ctx, configMap, 7);
  let minSeen = held;
  let maxSeen = held;
  const d = await waitFor(async () => {
    await ctx.setCpu(190);
    const sets = await getJson<ReplicaSetList>(ctx.target, ['replicasets', '-n', ctx.namespace, '-l', `app.kubernetes.io/instance=${name}`]);
    const dep = await getDeploy(ctx, name);
    minSeen = Math.min(minSeen, dep.spec.replicas ?? 0);
    maxSeen = Math.max(maxSeen, dep.spec.replicas ?? 0);
    const fresh = sets.items.filter((rs) => !oldSets.has(rs.metadata.name));
    return fresh.length > 0 && rolledOut(dep, held) ? { dep, fresh } : undefined;
  }, { what: 'the new model\'s rollout to complete', timeoutMs: 240_000, intervalMs: 2000, onPoll: () => ctx.live() });
  const rm = await getRm(ctx, name);
  ok(`new ReplicaSet ${d.fresh.map((rs) => rs.metadata.name).join(', ')}; Deployment replicas stayed between ${minSeen} and ${maxSeen} (held: ${held}); model now ${rm.status?.modelVersion}`);
  ctx.report('rollout', { newReplicaSets: d.fresh.length, minReplicasSeen: minSeen, maxReplicasSeen: maxSeen, held, modelVersion: rm.status?.modelVersion });
}

/** Step 7 (--kwok): usage falls; the HPA scales down to minReplicas after its stabilization window. */
export async function scaleDownAfterLoad(ctx: DemoContext, name: string, min: number, windowSeconds: number): Promise<void> {
  step(7, `Load falls: scaling down after the ${windowSeconds} s stabilization window`,
    'Simulated: CPU usage drops to a trickle. Real: the HPA waits out scaleDownStabilizationSeconds, then scales to minReplicas.');
  const start = Date.now();
  const d = await waitFor(async () => {
    await ctx.setCpu(10);
    const dep = await getDeploy(ctx, name);
    return rolledOut(dep, min) ? dep : undefined;
  }, { what: `the HPA to scale ${name} down to minReplicas=${min}`, timeoutMs: (windowSeconds + 180) * 1000, intervalMs: 2000, onPoll: () => ctx.live() });
  await ctx.live();
  ok(`scaled down to ${d.spec.replicas} replicas after ${Math.round((Date.now() - start) / 1000)} s`);
  await printRiskModels(ctx);
  ctx.report('scaleDown', { replicas: d.spec.replicas, seconds: (Date.now() - start) / 1000, stabilizationSeconds: windowSeconds });
}

/** A work directory for the demo's logs and artifacts. */
export function ensureWorkDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The RiskModel's conditions on one line, for failure messages. */
export async function conditionsLine(ctx: DemoContext, name: string): Promise<string> {
  const rm = await getRm(ctx, name);
  return ['Ready', 'Progressing', 'Degraded'].map((t) => describeCondition(rm, t)).join('; ');
}
