// Step 5 on the real node with --scale-on cpu: real requests through the inference Service, raised
// by a closed-loop ramp (ramp.ts) until the real HPA, on the pods' measured CPU, wants maxReplicas.
// (requests-step.ts is the default, scaling on requests a second; both end in maxReplicasReady.)
import { getJson, kubectl, waitFor } from './kube.js';
import { hpaFigures, type HpaAndDeploymentList, type HpaFigures } from './hpa.js';
import { startLayeredLoad, type LayeredLoad } from './layers.js';
import type { LoadTotals, RunningLoad } from './load.js';
import { block, info, ok, step } from './narrate.js';
import { rampUntilMax, RampError, type RampObservation, type RampOptions, type RampResult, type RampStep } from './ramp.js';
import { instanceSelector, serviceUrl } from './real-steps.js';
import { rolledOut } from './riskmodel.js';
import { getDeploy, printRiskModels, type DemoContext } from './steps.js';

/** A rate holds this long before its CPU reading is trusted (see ramp.ts on the cluster's HPA timings). */
const DWELL_MS = 15_000;
/** The HPA syncs every 3 s on the local cluster: observing more often sees nothing new. */
export const POLL_MS = 3000;
const RAMP_TIMEOUT_MS = 300_000;
/** After the HPA wants maxReplicas: the new pods' start and readiness. */
const ROLLOUT_TIMEOUT_MS = 180_000;
/** How long to wait for kubectl top to report every pod before showing those it reports. */
const TOP_WAIT_MS = 30_000;

/** Step 5's rates: where the ramp starts and the cap it may not pass. */
export interface LoadRates {
  start: number;
  max: number;
}

/** `kubectl top pods` of the RiskModel's pods: milliCPU by pod name. */
async function topPods(ctx: DemoContext, name: string): Promise<{ text: string; milliCores: Record<string, number> }> {
  const { stdout } = await kubectl(ctx.target, ['top', 'pods', '-n', ctx.namespace, '-l', instanceSelector(name)]);
  const milliCores: Record<string, number> = {};
  for (const line of stdout.trim().split('\n').slice(1)) {
    const [pod, cpu] = line.trim().split(/\s+/);
    if (pod && cpu?.endsWith('m')) milliCores[pod] = Number(cpu.slice(0, -1));
  }
  return { text: stdout, milliCores };
}

export const readHpa = async (ctx: DemoContext, name: string): Promise<HpaFigures> =>
  hpaFigures(await getJson<HpaAndDeploymentList>(ctx.target, [`hpa/${name}`, `deployment/${name}`, '-n', ctx.namespace]));

/** Step 5: real requests through the Service, raised until the HPA wants maxReplicas, then its pods Ready. */
export async function scaleUpUnderRealLoad(ctx: DemoContext, name: string, max: number, rates: LoadRates): Promise<LayeredLoad> {
  step(5, 'Autoscaling up on CPU under real load (--scale-on cpu)',
    `Real: predictions (npm run loadtest's engine) sent to the Service's ClusterIP from ${rates.start} a second, raised while the HPA wants fewer than`,
    `${max} pods, up to ${rates.max} a second; the kubelet measures the pods' CPU, metrics-server serves it, the HPA controller scales the Deployment.`,
    'Nothing is simulated. A request costs less CPU on a quiet machine, so the rate that scales the pods depends on the machine: the demo measures it.');
  const url = await serviceUrl(ctx, name);
  const target = (await readHpa(ctx, name)).targetCpuPercent ?? 50;
  info(`$ npm run loadtest -- --url ${url.origin} --rate ${rates.start} --duration …   (runs until step 9; each raise adds another run beside it)`);
  const load = await startLayeredLoad(url, rates.start);
  try {
    return await scaledUp(ctx, name, load, { startRate: rates.start, maxRate: rates.max, maxReplicas: max, targetCpuPercent: target, dwellMs: DWELL_MS, pollMs: POLL_MS, timeoutMs: RAMP_TIMEOUT_MS });
  } catch (err) {
    // A failed step must not leave the load running (it would also keep the demo's process alive).
    await load.stop();
    throw err;
  }
}

/** The ramp's observer: the HPA's figures plus the rate answered since the previous observation. */
export function observer(ctx: DemoContext, name: string, load: RunningLoad): () => Promise<HpaFigures & Omit<RampObservation, 'at'>> {
  let before: { at: number; totals: LoadTotals } = { at: Date.now(), totals: load.totals() };
  return async () => {
    const figures = await readHpa(ctx, name);
    const now = { at: Date.now(), totals: load.totals() };
    const answered = (now.totals.ok + now.totals.failed) - (before.totals.ok + before.totals.failed);
    const answeredPerSecond = now.at > before.at ? (answered * 1000) / (now.at - before.at) : 0;
    before = now;
    return { ...figures, answeredPerSecond };
  };
}

const cpuText = (cpu: number | undefined): string => (cpu === undefined ? 'no reading yet' : `${cpu}%`);

function narrateRaise(s: RampStep): void {
  info(`t=${String(Math.round(s.atSeconds)).padStart(4)}s  rate ${s.fromRate} → ${s.toRate} req/s (×${s.factor}): answered ${Math.round(s.answeredPerSecond)} req/s; `
    + `HPA desired ${s.desiredReplicas}, current ${s.currentReplicas}, CPU ${cpuText(s.cpuPercent)} (${s.why})`);
}

/** Prints an observation when what the HPA shows (`hpa` words it) changed since the last one printed, with the rate sent and answered. */
export function narrateChanges<O extends { answeredPerSecond: number }>(load: LayeredLoad, hpa: (obs: O) => string): (obs: O) => void {
  let shown = '';
  const begin = Date.now();
  return (obs) => {
    const text = hpa(obs);
    if (text === shown) return;
    shown = text;
    info(`t=${String(Math.round((Date.now() - begin) / 1000)).padStart(4)}s  sending ${load.rate()} req/s, answered ${Math.round(obs.answeredPerSecond)} req/s; ${text}`);
  };
}

/** Runs the ramp; on failure adds each pod's CPU to the measured figures and reports what the ramp did. */
async function ramp(ctx: DemoContext, name: string, load: LayeredLoad, opts: RampOptions): Promise<RampResult> {
  try {
    return await rampUntilMax({
      observe: observer(ctx, name, load),
      addLayer: (rate) => load.add(rate),
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      now: () => Date.now(),
      onRaise: narrateRaise,
      onObserve: narrateChanges(load, (obs: RampObservation) => `HPA desired ${obs.desiredReplicas} of ${opts.maxReplicas}, current ${obs.currentReplicas}, ready ${obs.readyReplicas}, `
        + `CPU ${cpuText(obs.cpuPercent)} (target ${opts.targetCpuPercent}%)`),
    }, opts);
  } catch (err) {
    if (!(err instanceof RampError)) throw err;
    const top = await topPods(ctx, name).catch(() => undefined);
    const perPod = top ? Object.entries(top.milliCores).map(([pod, m]) => `${pod} ${m}m`).join(', ') : 'unavailable';
    ctx.report('scaleUp', { reached: false, rate: err.rate, startRate: opts.startRate, maxRate: opts.maxRate, rampSteps: err.steps, last: err.last, topMilliCores: top?.milliCores });
    throw new Error(`${err.message}. CPU per pod (kubectl top pods): ${perPod || 'no pods reported'}`);
  }
}

/**
 * `kubectl top pods` once it reports every pod (metrics-server has a new pod's figure 10 to 20 s
 * after it starts), or after TOP_WAIT_MS whatever pods it reports (at least one).
 */
async function podsCpu(ctx: DemoContext, name: string, pods: number): Promise<{ text: string; milliCores: Record<string, number> }> {
  const start = Date.now();
  return waitFor(async () => {
    const t = await topPods(ctx, name);
    const reported = Object.keys(t.milliCores).length;
    return reported >= pods || (reported > 0 && Date.now() - start > TOP_WAIT_MS) ? t : undefined;
  }, { what: 'kubectl top pods to report the pods', timeoutMs: 60_000, intervalMs: 2000 });
}

/** After the HPA wants maxReplicas: waits for that many Ready pods, shows their CPU and the RiskModel; the Deployment's replicas and the pods' CPU. */
export async function maxReplicasReady(ctx: DemoContext, name: string, maxReplicas: number): Promise<{ replicas: number | undefined; readyAt: number; topMilliCores: Record<string, number> }> {
  const d = await waitFor(async () => {
    const dep = await getDeploy(ctx, name);
    return rolledOut(dep, maxReplicas) ? dep : undefined;
  }, { what: `the Deployment ${name} to have maxReplicas=${maxReplicas} ready pods`, timeoutMs: ROLLOUT_TIMEOUT_MS, intervalMs: 2000, onPoll: () => ctx.live() });
  const readyAt = Date.now();
  const top = await podsCpu(ctx, name, maxReplicas);
  await ctx.live();
  info('$ kubectl top pods');
  block(top.text);
  return { replicas: d.spec.replicas, readyAt, topMilliCores: top.milliCores };
}

async function scaledUp(ctx: DemoContext, name: string, load: LayeredLoad, opts: RampOptions): Promise<LayeredLoad> {
  const start = Date.now();
  const result = await ramp(ctx, name, load, opts);
  ok(`the HPA wants ${opts.maxReplicas} replicas at ${result.rate} req/s, ${Math.round(result.seconds)} s after the load started`
    + ` (${result.steps.length === 0 ? 'the start rate was enough' : `${result.steps.length} raise${result.steps.length === 1 ? '' : 's'} from ${opts.startRate}`}; cap ${opts.maxRate})`);
  const ready = await maxReplicasReady(ctx, name, opts.maxReplicas);
  const seconds = (ready.readyAt - start) / 1000;
  await printRiskModels(ctx);
  const totals = load.totals();
  ok(`scaled up to ${ready.replicas} replicas in ${Math.round(seconds)} s at ${result.rate} req/s (steps 6 to 8 keep this rate); highest CPU the HPA reported: `
    + `${result.maxCpuPercent}% of requests; ${totals.ok} requests answered, ${totals.failed} failed so far`);
  ctx.report('scaleUp', {
    scaleOn: 'cpu', reached: true, replicas: ready.replicas, seconds, secondsToDesired: result.seconds, rate: result.rate, startRate: opts.startRate, maxRate: opts.maxRate,
    rampSteps: result.steps, maxCpuPercentSeen: result.maxCpuPercent, topMilliCores: ready.topMilliCores, answered: totals.ok, failed: totals.failed,
  });
  return load;
}
