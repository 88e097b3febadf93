// Step 5's closed-loop load ramp: the rate a machine must send for the HPA to want maxReplicas
// depends on what a request costs there in CPU (less on a quiet machine, more on a busy one), so
// the demo measures instead of guessing. It starts at the start rate and, while the HPA wants
// fewer than maxReplicas, raises the rate by what the measured CPU says is missing, up to a cap.
//
// Timing: the local cluster's HPA syncs every 3 s and metrics-server reads the kubelet every 10 s
// (localcluster/topology.ts HPA_TIMINGS, METRIC_RESOLUTION), so a CPU reading reflects a new rate
// 10 to 23 s after the change. A dwell of 15 s trusts a reading that covers mostly the new rate:
// a reading that still partly covers the old rate reads low, which makes the next raise larger,
// never smaller, and the raise is bounded by MAX_FACTOR.

/** The HPA's HorizontalPodAutoscalerSpec tolerance: no scaling while usage/target is within 10 % of 1. */
export const HPA_TOLERANCE = 0.1;
/** How far above the utilization that makes the HPA want maxReplicas the ramp aims. */
const MARGIN = 1.2;
export const MIN_FACTOR = 1.25;
export const MAX_FACTOR = 2;
/** The highest --max-rate the demo accepts (options.ts). */
const MAX_CAP = 5000;

/** What the ramp reads at one moment: the HPA's view and what the load got answered. */
export interface RampObservation {
  /** Milliseconds on the ramp's clock. */
  at: number;
  /** The HPA's status.currentReplicas. */
  currentReplicas: number;
  /** The HPA's status.desiredReplicas. */
  desiredReplicas: number;
  /** Ready pods of the Deployment: a new pod's CPU enters the HPA's average once it is ready. */
  readyReplicas: number;
  /** The HPA's current average CPU utilization (% of the request); undefined before its first reading. */
  cpuPercent: number | undefined;
  /** Requests a second answered (any status) since the previous observation. */
  answeredPerSecond: number;
}

export interface RampOptions {
  startRate: number;
  /** The cap: the ramp never sends more, and fails when the cap held a while without reaching maxReplicas. */
  maxRate: number;
  maxReplicas: number;
  targetCpuPercent: number;
  /** How long a rate and a replica count must hold before a CPU reading is trusted. */
  dwellMs: number;
  /** How often the loop observes. */
  pollMs: number;
  /** The longest the whole ramp may take. */
  timeoutMs: number;
}

export interface RampState {
  /** Requests a second sent now. */
  rate: number;
  startedAt: number;
  /** When the rate or the replica counts last changed: readings are trusted a dwell after. */
  settledFrom: number;
  currentReplicas: number;
  readyReplicas: number;
}

export type RampDecision =
  | { action: 'reached' }
  | { action: 'hold'; why: string }
  | { action: 'raise'; rate: number; factor: number; why: string }
  | { action: 'fail'; why: string };

/** One rate change, for narration and the step's report. */
export interface RampStep {
  /** Seconds since the ramp started. */
  atSeconds: number;
  fromRate: number;
  toRate: number;
  factor: number;
  answeredPerSecond: number;
  desiredReplicas: number;
  currentReplicas: number;
  cpuPercent: number | undefined;
  why: string;
}

/** The starting state, from the first observation. Pure. */
export function initialState(first: RampObservation, startRate: number): RampState {
  return { rate: startRate, startedAt: first.at, settledFrom: first.at, currentReplicas: first.currentReplicas, readyReplicas: first.readyReplicas };
}

/** The state after an observation: a change in the replica counts restarts the dwell. Pure. */
export function settle(state: RampState, obs: RampObservation): RampState {
  if (obs.currentReplicas === state.currentReplicas && obs.readyReplicas === state.readyReplicas) return state;
  return { ...state, settledFrom: obs.at, currentReplicas: obs.currentReplicas, readyReplicas: obs.readyReplicas };
}

/**
 * The CPU utilization (% of the request) at which the HPA wants maxReplicas with `replicas` pods,
 * with the ramp's margin: desired = ceil(replicas × usage / target) reaches max above
 * target × (max − 1) / replicas, and the HPA moves only beyond its tolerance. Pure.
 */
export function neededCpuPercent(replicas: number, opts: Pick<RampOptions, 'maxReplicas' | 'targetCpuPercent'>): number {
  const threshold = Math.max(opts.targetCpuPercent * (opts.maxReplicas - 1) / Math.max(1, replicas), opts.targetCpuPercent * (1 + HPA_TOLERANCE));
  return threshold * MARGIN;
}

/** How much to raise the rate: needed over measured CPU, within MIN_FACTOR..MAX_FACTOR; MAX_FACTOR with no reading. Pure. */
export function raiseFactor(obs: RampObservation, opts: Pick<RampOptions, 'maxReplicas' | 'targetCpuPercent'>): number {
  if (obs.cpuPercent === undefined || obs.cpuPercent <= 0) return MAX_FACTOR;
  const wanted = neededCpuPercent(obs.currentReplicas, opts) / obs.cpuPercent;
  return Math.min(MAX_FACTOR, Math.max(MIN_FACTOR, wanted));
}

/**
 * What the ramp does after observing `obs` in `state` (already settled). Pure. Reached once the
 * HPA wants maxReplicas; holds while it is still scaling up or its reading is younger than a dwell;
 * fails past the timeout, or when the cap held two dwells without reaching maxReplicas; otherwise
 * raises the rate (never above the cap).
 */
export function nextRate(obs: RampObservation, state: RampState, opts: RampOptions): RampDecision {
  if (obs.desiredReplicas >= opts.maxReplicas) return { action: 'reached' };
  if (obs.at - state.startedAt > opts.timeoutMs) return { action: 'fail', why: `the ramp ran out of time (${Math.round(opts.timeoutMs / 1000)} s)` };
  if (obs.desiredReplicas > obs.currentReplicas || obs.readyReplicas < obs.desiredReplicas) {
    return { action: 'hold', why: `the HPA is scaling up (desired ${obs.desiredReplicas}, current ${obs.currentReplicas}, ready ${obs.readyReplicas})` };
  }
  const settledFor = obs.at - state.settledFrom;
  if (state.rate >= opts.maxRate) {
    return settledFor >= 2 * opts.dwellMs ? { action: 'fail', why: `the cap of ${opts.maxRate} req/s held ${Math.round(settledFor / 1000)} s` } : { action: 'hold', why: 'at the cap' };
  }
  if (settledFor < opts.dwellMs) return { action: 'hold', why: 'waiting for a CPU reading of this rate' };
  const factor = raiseFactor(obs, opts);
  const rate = Math.min(opts.maxRate, Math.round(state.rate * factor));
  const why = obs.cpuPercent === undefined
    ? 'no CPU reading yet'
    : `CPU ${obs.cpuPercent}% on ${obs.currentReplicas} pod${obs.currentReplicas === 1 ? '' : 's'}, ${Math.round(neededCpuPercent(obs.currentReplicas, opts))}% wanted`;
  return { action: 'raise', rate, factor: rate / state.rate, why };
}

export interface RampDeps {
  /** Reads the HPA, the Deployment and the load's answers; may throw (the ramp retries until its timeout). */
  observe: () => Promise<Omit<RampObservation, 'at'>>;
  /** Adds `rate` requests a second to what is sent. */
  addLayer: (rate: number) => Promise<void>;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  /** Called after each rate change, and after each observation (for a live view). */
  onRaise?: (step: RampStep) => void;
  onObserve?: (obs: RampObservation) => void | Promise<void>;
}

export interface RampResult {
  /** Requests a second sent when the HPA wanted maxReplicas. */
  rate: number;
  /** Seconds from the start until the HPA wanted maxReplicas. */
  seconds: number;
  steps: RampStep[];
  /** The highest CPU utilization the HPA reported during the ramp. */
  maxCpuPercent: number;
}

/** The ramp gave up: what it measured last, and its rate changes. */
export class RampError extends Error {
  constructor(message: string, readonly last: RampObservation | undefined, readonly steps: RampStep[], readonly rate: number) {
    super(message);
  }
}

/**
 * Raises the rate (through `deps.addLayer`) until the HPA wants `opts.maxReplicas`, and resolves
 * with the rate reached. Rejects with a RampError naming the measured figures when the cap or the
 * timeout is reached first. The caller owns the load: the ramp never stops it.
 */
export async function rampUntilMax(deps: RampDeps, opts: RampOptions): Promise<RampResult> {
  const steps: RampStep[] = [];
  const begin = deps.now();
  let state: RampState | undefined;
  let maxCpuPercent = 0;
  for (;;) {
    const obs = await observeOnce(deps, begin, opts);
    if (obs) {
      maxCpuPercent = Math.max(maxCpuPercent, obs.cpuPercent ?? 0);
      state = settle(state ?? initialState(obs, opts.startRate), obs);
      const decision = nextRate(obs, state, opts);
      if (decision.action === 'reached') return { rate: state.rate, seconds: (obs.at - begin) / 1000, steps, maxCpuPercent };
      if (decision.action === 'fail') throw new RampError(rampFailure(obs, state.rate, opts, decision.why), obs, steps, state.rate);
      if (decision.action === 'raise') state = await raise(deps, { obs, state, begin, steps }, decision);
    }
    await deps.sleep(opts.pollMs);
  }
}

/** One observation stamped with the clock; undefined when reading failed (until the timeout, then it throws). */
async function observeOnce(deps: RampDeps, begin: number, opts: RampOptions): Promise<RampObservation | undefined> {
  try {
    const obs = { ...(await deps.observe()), at: deps.now() };
    await deps.onObserve?.(obs);
    return obs;
  } catch (err) {
    if (deps.now() - begin <= opts.timeoutMs) return undefined;
    throw new RampError(`could not read the HPA for ${Math.round(opts.timeoutMs / 1000)} s: ${err instanceof Error ? err.message : String(err)}`, undefined, [], opts.startRate);
  }
}

async function raise(
  deps: RampDeps,
  { obs, state, begin, steps }: { obs: RampObservation; state: RampState; begin: number; steps: RampStep[] },
  decision: Extract<RampDecision, { action: 'raise' }>,
): Promise<RampState> {
  await deps.addLayer(decision.rate - state.rate);
  const step: RampStep = {
    atSeconds: (obs.at - begin) / 1000, fromRate: state.rate, toRate: decision.rate, factor: Number(decision.factor.toFixed(2)),
    answeredPerSecond: obs.answeredPerSecond, desiredReplicas: obs.desiredReplicas, currentReplicas: obs.currentReplicas, cpuPercent: obs.cpuPercent, why: decision.why,
  };
  steps.push(step);
  deps.onRaise?.(step);
  return { ...state, rate: decision.rate, settledFrom: deps.now() };
}

/** The failure's message: what was measured, and what to try. Pure. */
export function rampFailure(obs: RampObservation, rate: number, opts: RampOptions, why: string): string {
  const measured = `sent ${rate} req/s, answered ${Math.round(obs.answeredPerSecond)} req/s; the HPA wanted ${obs.desiredReplicas} of maxReplicas=${opts.maxReplicas} `
    + `(current ${obs.currentReplicas}, ready ${obs.readyReplicas}) at CPU ${obs.cpuPercent === undefined ? 'unknown' : `${obs.cpuPercent}%`} of the request `
    + `(target ${opts.targetCpuPercent}%; maxReplicas needs about ${Math.round(neededCpuPercent(obs.currentReplicas, opts) / MARGIN)}%); cap --max-rate ${opts.maxRate}`;
  return `the HPA did not want maxReplicas=${opts.maxReplicas}: ${why}. Measured: ${measured}. Try: ${advice(obs, rate, opts)}`;
}

function advice(obs: RampObservation, rate: number, opts: RampOptions): string {
  if (obs.readyReplicas < obs.desiredReplicas) return 'the pods the HPA asked for are not Ready: kubectl get pods and kubectl describe pod say why (often: no CPU left to schedule them on the node)';
  if (obs.answeredPerSecond < 0.8 * rate) {
    return `this machine sent or the pods answered only ${Math.round(obs.answeredPerSecond)} of ${rate} req/s: the load generator, the cluster and the pods share its cores; `
      + 'raising --max-rate will not help, run again when the machine is less busy';
  }
  if (rate < opts.maxRate) return 'run again; if it recurs, kubectl describe hpa shows what the HPA read';
  if (opts.maxRate >= MAX_CAP) return `the pods answered what was sent but ${MAX_CAP} req/s, the highest cap, does not load them enough here: lower the sample's targetCPUUtilizationPercentage`;
  return `a higher cap, e.g. --max-rate ${Math.min(MAX_CAP, opts.maxRate * 2)} (the pods answered what was sent, so each request costs little CPU here)`;
}
