// Step 5 on the real node, by default: the HPA scales on requests a second per pod. Each pod
// counts what it answers, Prometheus scrapes the pods, prometheus-adapter serves the per-pod rate
// through the custom metrics API, and the HPA keeps the sample's target per pod. The rate that
// makes the HPA want maxReplicas follows from that target — not from what a request costs in CPU
// on this machine — so the demo checks --rate against it up front, sends it, and waits. No ramp
// (scale-up-step.ts keeps the CPU ramp for --scale-on cpu).
import { kubectl, waitFor } from './kube.js';
import { REQUESTS_METRIC, type HpaFigures } from './hpa.js';
import { startLayeredLoad, type LayeredLoad } from './layers.js';
import { block, info, ok, step } from './narrate.js';
import { serviceUrl } from './real-steps.js';
import { HPA_TOLERANCE } from './ramp.js';
import { maxReplicasReady, narrateChanges, observer, POLL_MS, readHpa } from './scale-up-step.js';
import { printRiskModels, type DemoContext } from './steps.js';

/** Prometheus scrapes every 5 s and the rate covers ~20 s; the HPA's first scale-up came after 12-13 s in the real-node tests. */
const DESIRED_TIMEOUT_MS = 180_000;

/**
 * Requests a second that must be answered for the HPA to want `maxReplicas` at `targetPerPod`.
 * With n pods answering R a second the HPA wants ceil(R / target) once R / (n × target) is
 * outside its tolerance; the last step, from maxReplicas - 1 pods, needs more than this. Pure.
 */
export function rateForMax(targetPerPod: number, maxReplicas: number): number {
  // Rounded to 1e-9 first: 2 × 100 × 1.1 is 220.00000000000003 in floating point.
  return Math.ceil(Math.round((maxReplicas - 1) * targetPerPod * (1 + HPA_TOLERANCE) * 1e9) / 1e9);
}

/** A --rate to suggest when `needed` is not reached: half as much again, rounded up to 50. Pure. */
export function suggestedRate(needed: number): number {
  return Math.min(5000, Math.ceil((needed * 1.5) / 50) * 50);
}

/** Step 5's load: the rate sent, the HPA's target per pod, and maxReplicas. */
export interface Plan {
  rate: number;
  target: number;
  maxReplicas: number;
}

/** What one observation of step 5 saw: the HPA's figures and the rate the load got answered. */
export type RequestsObservation = HpaFigures & { answeredPerSecond: number };

const reading = (v: number | undefined): string => (v === undefined ? 'no reading yet' : `${v}/s`);

/** The failure's message when the HPA never wanted maxReplicas: what was measured, and what to try. Pure. */
export function requestsFailure(last: RequestsObservation | undefined, plan: Plan, seconds: number): string {
  const { rate, target, maxReplicas } = plan;
  const head = `the HPA did not want maxReplicas=${maxReplicas} within ${seconds} s`;
  if (!last) return `${head}: it could not be read (kubectl get hpa)`;
  const measured = `sent ${rate} req/s, answered ${Math.round(last.answeredPerSecond)} req/s; the HPA read ${reading(last.requestsPerPod)} per pod (target ${target}), `
    + `wanted ${last.desiredReplicas} of ${maxReplicas} (current ${last.currentReplicas}, ready ${last.readyReplicas}); maxReplicas needs more than ${rateForMax(target, maxReplicas)} req/s answered`;
  return `${head}. Measured: ${measured}. Try: ${requestsAdvice(last, plan)}`;
}

function requestsAdvice(last: RequestsObservation, { rate, target, maxReplicas }: Plan): string {
  if (last.notScaling) {
    return `the HPA cannot read ${REQUESTS_METRIC} (${last.notScaling}): is prometheus-adapter running? npm run cluster:status lists it, and `
      + `kubectl get --raw '/apis/custom.metrics.k8s.io/v1beta1/namespaces/NAMESPACE/pods/*/${REQUESTS_METRIC}' shows what it serves; or run with --scale-on cpu`;
  }
  if (last.readyReplicas < last.desiredReplicas) return 'the pods the HPA asked for are not Ready: kubectl get pods and kubectl describe pod say why (often: no CPU left to schedule them on the node)';
  if (last.answeredPerSecond <= rateForMax(target, maxReplicas)) {
    return `this machine sent or the pods answered only ${Math.round(last.answeredPerSecond)} of ${rate} req/s: the load generator, the cluster and the pods share its cores; `
      + `run again when the machine is less busy, or lower the sample's targetAveragePerPod (${target})`;
  }
  return 'run again; if it recurs, kubectl describe hpa shows what the HPA read';
}

async function printHpa(ctx: DemoContext, name: string): Promise<void> {
  info(`$ kubectl get hpa ${name}`);
  block((await kubectl(ctx.target, ['get', 'hpa', name, '-n', ctx.namespace])).stdout);
}

/** Step 5: real requests at `rate` through the Service until the HPA, on requests a second per pod, has maxReplicas Ready. */
export async function scaleUpOnRequests(ctx: DemoContext, name: string, maxReplicas: number, rate: number): Promise<LayeredLoad> {
  step(5, 'Autoscaling up on requests a second under real load',
    `Real: predictions (npm run loadtest's engine) sent to the Service's ClusterIP at ${rate} a second. Each pod counts what it answers`,
    `(probes and scrapes left out), Prometheus scrapes the pods, prometheus-adapter serves ${REQUESTS_METRIC} per pod through the custom`,
    'metrics API, and the HPA controller scales the Deployment to keep the target per pod. Nothing is simulated, and the rate that scales the',
    'pods does not depend on how busy this machine is (what a request costs in CPU does: --scale-on cpu shows that).');
  const url = await serviceUrl(ctx, name);
  const target = (await readHpa(ctx, name)).targetRequestsPerPod;
  if (target === undefined) throw new Error(`the HPA ${name} does not scale on ${REQUESTS_METRIC}: the sample's spec.autoscaling.metrics has no RequestsPerSecond entry (or use --scale-on cpu)`);
  const needed = rateForMax(target, maxReplicas);
  if (rate <= needed) {
    throw new Error(`--rate ${rate} cannot make the HPA want maxReplicas=${maxReplicas} at ${target} requests a second per pod: that needs more than ${needed} answered a second `
      + `(from ${maxReplicas - 1} pods, with the HPA's 10 % tolerance); use --rate ${suggestedRate(needed)} or more`);
  }
  await printHpa(ctx, name);
  info(`the HPA wants ceil(requests answered a second / ${target}) pods, at most ${maxReplicas}: ${rate} a second asks for ${Math.ceil(rate / target)}, more than ${needed} is enough for ${maxReplicas}`);
  info(`$ npm run loadtest -- --url ${url.origin} --rate ${rate} --duration …   (runs until step 9)`);
  const load = await startLayeredLoad(url, rate);
  try {
    return await scaledUpOnRequests(ctx, name, load, { rate, target, maxReplicas });
  } catch (err) {
    // A failed step must not leave the load running (it would also keep the demo's process alive).
    await load.stop();
    throw err;
  }
}

/** Polls the HPA until it wants maxReplicas; the seconds to its first scale-up and to maxReplicas, and the highest reading. */
async function untilDesired(ctx: DemoContext, name: string, load: LayeredLoad, plan: Plan) {
  const start = Date.now();
  const observe = observer(ctx, name, load);
  const narrate = narrateChanges(load, (obs: RequestsObservation) => `HPA read ${reading(obs.requestsPerPod)} per pod (target ${plan.target}), `
    + `desired ${obs.desiredReplicas} of ${plan.maxReplicas}, current ${obs.currentReplicas}, ready ${obs.readyReplicas}`);
  let last: RequestsObservation | undefined;
  let firstScaleUp: number | undefined;
  let initial: number | undefined;
  let highest = 0;
  try {
    await waitFor(async () => {
      const obs = await observe();
      last = obs;
      narrate(obs);
      highest = Math.max(highest, obs.requestsPerPod ?? 0);
      initial ??= obs.currentReplicas;
      if (firstScaleUp === undefined && obs.desiredReplicas > initial) firstScaleUp = (Date.now() - start) / 1000;
      return obs.desiredReplicas >= plan.maxReplicas;
    }, { what: `the HPA to want maxReplicas=${plan.maxReplicas}`, timeoutMs: DESIRED_TIMEOUT_MS, intervalMs: POLL_MS });
  } catch {
    ctx.report('scaleUp', { scaleOn: 'requests', reached: false, rate: plan.rate, targetPerPod: plan.target, last });
    throw new Error(requestsFailure(last, plan, DESIRED_TIMEOUT_MS / 1000));
  }
  return { start, secondsToDesired: (Date.now() - start) / 1000, secondsToFirstScaleUp: firstScaleUp, highest };
}

async function scaledUpOnRequests(ctx: DemoContext, name: string, load: LayeredLoad, plan: Plan): Promise<LayeredLoad> {
  const desired = await untilDesired(ctx, name, load, plan);
  ok(`the HPA wants ${plan.maxReplicas} replicas ${Math.round(desired.secondsToDesired)} s after the load started (first scale-up after ${Math.round(desired.secondsToFirstScaleUp ?? desired.secondsToDesired)} s), `
    + `having read up to ${desired.highest} requests a second per pod against the target ${plan.target}`);
  const ready = await maxReplicasReady(ctx, name, plan.maxReplicas);
  const seconds = (ready.readyAt - desired.start) / 1000;
  const atMax = await readHpa(ctx, name);
  await printHpa(ctx, name);
  await printRiskModels(ctx, true);
  const totals = load.totals();
  ok(`scaled up to ${ready.replicas} replicas in ${Math.round(seconds)} s at ${plan.rate} req/s (steps 6 to 8 keep this rate); the HPA reads ${reading(atMax.requestsPerPod)} per pod `
    + `(target ${plan.target}: maxReplicas caps it); ${totals.ok} requests answered, ${totals.failed} failed so far`);
  ctx.report('scaleUp', {
    scaleOn: 'requests', reached: true, replicas: ready.replicas, seconds, secondsToDesired: desired.secondsToDesired, secondsToFirstScaleUp: desired.secondsToFirstScaleUp,
    rate: plan.rate, startRate: plan.rate, targetPerPod: plan.target, rateForMax: rateForMax(plan.target, plan.maxReplicas), requestsPerPodSeen: desired.highest,
    requestsPerPodAtMax: atMax.requestsPerPod, topMilliCores: ready.topMilliCores, answered: totals.ok, failed: totals.failed,
  });
  return load;
}
