// One RiskModel's run on the real node: created at minReplicas, sent a steady load through its
// Service until the HPA scaled it to maxReplicas (or the time allowed ran out), held there while
// what the HPA and the custom metrics API read is sampled, then the load stopped and the way back
// to minReplicas timed. The RiskModel is deleted, and its pods gone, before it returns, so the next
// run has the node's two cores to itself.
import { loadavg } from 'node:os';
import type { V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { CUSTOM_METRICS_API } from '../../localcluster/bootstrap.js';
import { startLoad, type RunningLoad } from '../../scripts/demo/load.js';
import { rolledOut, type DeploymentObject } from '../../scripts/demo/riskmodel.js';
import { createRiskModel, livePods, serviceUrl, waitReady, type RealNodeBed } from '../../test/dataplane/bed.js';
import { LABELS } from '../../test/operator/harness/api.js';
import { kubectlOk, waitFor } from '../../test/support/cluster.js';
import type { Phase, Run } from './figures.js';
import { MAX_REPLICAS, MIN_REPLICAS, type Options } from './options.js';
import { hpaReading, meanPodValue, metricOf, POD_RATE_METRIC, type Scenario } from './readings.js';

/** The ConfigMap holding the model both RiskModels serve. */
export const MODEL_CONFIGMAP = 'bench-model';

/** Connections of the load, as the data-plane tests use; autocannon reconnects every 100 requests so new pods get their share. */
const CONNECTIONS = 8;
const POLL_MS = 1000;
const HOLD_POLL_MS = 3000;
/** Beyond the scale-down window: the HPA's sync, the window's last recommendation, pods terminating. */
const DOWN_MARGIN_SECONDS = 240;

interface Observed {
  hpa: V2HorizontalPodAutoscaler;
  deployment: DeploymentObject;
}

/** One run's wiring: the bed, the scenario, and the load samples of each phase. */
class RunContext {
  readonly load: Record<Phase, number[]> = { up: [], hold: [], down: [] };

  constructor(readonly bed: RealNodeBed, readonly s: Scenario, readonly options: Options) {}

  async observe(phase: Phase): Promise<Observed> {
    this.load[phase].push(loadavg()[0] ?? NaN);
    const { namespace } = this.bed;
    const [hpa, deployment] = await Promise.all([
      this.bed.cluster.autoscaling.readNamespacedHorizontalPodAutoscaler({ namespace, name: this.s.name }),
      this.bed.cluster.apps.readNamespacedDeployment({ namespace, name: this.s.name }) as Promise<unknown> as Promise<DeploymentObject>,
    ]);
    return { hpa, deployment };
  }

  async podRate(): Promise<number | undefined> {
    const raw = await kubectlOk(['get', '--raw', `/apis/custom.metrics.k8s.io/v1beta1/namespaces/${this.bed.namespace}/pods/*/${POD_RATE_METRIC}?labelSelector=${encodeURIComponent(`${LABELS.instance}=${this.s.name}`)}`]);
    return meanPodValue(JSON.parse(raw) as { items?: Array<{ value?: string }> });
  }
}

/**
 * Polls `check` until it answers, or until `limitS` seconds have passed since `from`: then
 * resolves undefined (the row says "not in N s"; that is a figure, not a failure). Throws only
 * when the check itself kept failing a minute beyond that.
 */
async function within<T>(from: number, limitS: number, what: string, check: () => Promise<T | undefined>): Promise<T | undefined> {
  const answer = await waitFor(async () => {
    const value = await check();
    if (value !== undefined) return { value };
    return Date.now() - from >= limitS * 1000 && { value: undefined };
  }, { timeoutMs: (limitS + 60) * 1000, intervalMs: POLL_MS, what });
  return answer.value;
}

const secondsSince = (t: number): number => (Date.now() - t) / 1000;

/** Load start → first scale-up → maxReplicas Ready, tracking the highest desired count. */
async function scaleUp(ctx: RunContext, started: number): Promise<Pick<Run, 'firstUpSeconds' | 'maxReadySeconds' | 'highestReplicas'>> {
  let highestReplicas = MIN_REPLICAS;
  const desired = async (): Promise<Observed> => {
    const o = await ctx.observe('up');
    highestReplicas = Math.max(highestReplicas, o.hpa.status?.desiredReplicas ?? 0, o.deployment.spec.replicas ?? 0);
    return o;
  };
  const limit = ctx.options.upTimeoutSeconds;
  const firstUpSeconds = await within(started, limit, `the HPA to scale ${ctx.s.name} above ${MIN_REPLICAS}`, async () => {
    await desired();
    return highestReplicas > MIN_REPLICAS ? secondsSince(started) : undefined;
  });
  const maxReadySeconds = firstUpSeconds === undefined ? undefined : await within(started, limit, `${ctx.s.name} to run ${MAX_REPLICAS} Ready replicas`, async () => {
    const o = await desired();
    return rolledOut(o.deployment, MAX_REPLICAS) ? secondsSince(started) : undefined;
  });
  return { firstUpSeconds, maxReadySeconds, highestReplicas };
}

/** Keeps the load going for holdSeconds, sampling the HPA's reading, the adapter's per-pod rate and the replica count. */
async function hold(ctx: RunContext, load: RunningLoad): Promise<Pick<Run, 'readings' | 'podRates' | 'replicas' | 'heldRate'>> {
  const sampled: Pick<Run, 'readings' | 'podRates' | 'replicas'> = { readings: [], podRates: [], replicas: [] };
  const before = load.totals();
  const from = Date.now();
  await waitFor(async () => {
    const [o, podRate] = await Promise.all([ctx.observe('hold'), ctx.podRate().catch(() => undefined)]);
    const reading = hpaReading(o.hpa, ctx.s.scaler);
    if (reading !== undefined) sampled.readings.push(reading);
    if (podRate !== undefined) sampled.podRates.push(podRate);
    sampled.replicas.push(o.hpa.status?.currentReplicas ?? 0);
    return Date.now() - from >= ctx.options.holdSeconds * 1000;
  }, { timeoutMs: (ctx.options.holdSeconds + 60) * 1000, intervalMs: HOLD_POLL_MS, what: `the hold of ${ctx.s.name} under load` });
  const after = load.totals();
  return { ...sampled, heldRate: (after.ok + after.failed - before.ok - before.failed) / secondsSince(from) };
}

/** Load stop → minReplicas Ready again; undefined when it never left minReplicas or did not come back in time. */
function scaleDown(ctx: RunContext, highestReplicas: number): Promise<number | undefined> {
  if (highestReplicas <= MIN_REPLICAS) return Promise.resolve(undefined);
  const stopped = Date.now();
  return within(stopped, ctx.options.windowSeconds + DOWN_MARGIN_SECONDS, `the HPA to scale ${ctx.s.name} back to ${MIN_REPLICAS}`, async () => {
    const o = await ctx.observe('down');
    return rolledOut(o.deployment, MIN_REPLICAS) ? secondsSince(stopped) : undefined;
  });
}

/**
 * Throws, naming what to check, unless custom.metrics.k8s.io answers (the RequestsPerSecond run
 * cannot scale without it). Its metric list stays empty until Prometheus has scraped an inference
 * pod, so only the API itself is checked here.
 */
export async function assertCustomMetricsServed(): Promise<void> {
  const path = `/apis/${CUSTOM_METRICS_API.group}/${CUSTOM_METRICS_API.versions[0] ?? 'v1beta1'}`;
  try {
    await kubectlOk(['get', '--raw', path]);
  } catch (err) {
    throw new Error(`the custom metrics API is not served (kubectl get --raw ${path}: ${err instanceof Error ? err.message : String(err)}); the local cluster runs it with prometheus-adapter: see npm run cluster:status and docs/local-cluster.md`, { cause: err });
  }
}

/** Deletes the RiskModel and waits until its pods are gone (their CPU requests free the node). */
async function remove(bed: RealNodeBed, name: string): Promise<void> {
  await bed.cluster.deleteRiskModel(bed.namespace, name);
  await waitFor(async () => (await livePods(bed, name)).length === 0, { timeoutMs: 180_000, intervalMs: POLL_MS, what: `the pods of ${name} to be gone` });
}

/**
 * One scenario from RiskModel creation to its deletion; see the header. `log` gets a line a
 * phase. Throws on a cluster error; a scale-up or scale-down that does not come in time is a
 * figure (undefined), not an error.
 */
export async function measure(bed: RealNodeBed, s: Scenario, options: Options, log: (line: string) => void): Promise<Run> {
  const ctx = new RunContext(bed, s, options);
  await createRiskModel(bed, s.name, MODEL_CONFIGMAP, {
    minReplicas: MIN_REPLICAS, maxReplicas: MAX_REPLICAS, scaleDownStabilizationSeconds: options.windowSeconds, autoscaling: { metrics: [metricOf(s)] },
  });
  let load: RunningLoad | undefined;
  try {
    await waitReady(bed, s.name, MIN_REPLICAS);
    load = await startLoad(await serviceUrl(bed, s.name), options.rate, CONNECTIONS);
    const started = Date.now();
    log(`${s.name}: ${options.rate} req/s started; waiting for the first scale-up and ${MAX_REPLICAS} Ready (at most ${options.upTimeoutSeconds} s)`);
    const up = await scaleUp(ctx, started);
    const at = (t: number | undefined): string => (t === undefined ? `not within ${options.upTimeoutSeconds} s` : `after ${t.toFixed(0)} s`);
    log(`${s.name}: first scale-up ${at(up.firstUpSeconds)}, ${MAX_REPLICAS} Ready ${at(up.maxReadySeconds)} (highest desired ${up.highestReplicas}); holding ${options.holdSeconds} s`);
    const held = await hold(ctx, load);
    const summary = await load.stop();
    load = undefined;
    log(`${s.name}: load stopped (${summary.responses} answers); waiting for ${MIN_REPLICAS} replica`);
    const downSeconds = await scaleDown(ctx, up.highestReplicas);
    return {
      scaler: s.scaler, target: s.target, ...up, ...held, downSeconds, load: ctx.load,
      sent: summary.responses + summary.connectionErrors + summary.timeouts,
      lost: summary.responses - summary.status['2xx'] + summary.connectionErrors + summary.timeouts,
      byCode: summary.byCode,
    };
  } finally {
    await load?.stop();
    await remove(bed, s.name);
  }
}
