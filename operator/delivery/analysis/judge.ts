// The canary verdict from its figures, the spec's thresholds and how long it has run. Pure:
// the reconciler calls it on every analysis pass and acts on the verdict.

import type { CanaryFigures } from './figures.js';

/** spec.rollout.canary's thresholds. */
export interface Thresholds {
  maxErrorRatio: number;
  maxP99LatencyMs: number;
  minRequests: number;
}

/** Seconds, as the reconciler measured them from the canary's status. */
export interface Timing {
  /** Since the canary Deployment was created. */
  sinceCreatedSeconds: number;
  /** Since every canary pod was first Ready (the analysis window's start); undefined until then. */
  analysisElapsedSeconds: number | undefined;
  analysisSeconds: number;
  readyTimeoutSeconds: number;
}

export type Verdict = 'pending' | 'pass' | 'fail';

export interface Judgement {
  verdict: Verdict;
  /** For users: on fail every failed check, else what the analysis has seen so far. */
  message: string;
  /** One sentence per failed check (figure, value, threshold); empty unless verdict is fail. */
  failed: string[];
}

/** 3 significant digits, no exponent for the magnitudes seen here: 0.4, 12.3, 499, 2500. */
const ms = (x: number): string => String(Number(x.toPrecision(3)));
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

type Check = (f: CanaryFigures, t: Thresholds) => string | undefined;

const restarts: Check = (f) => (f.restarts > 0 ? `${plural(f.restarts, 'container restart')} in the canary pods (none allowed)` : undefined);

const smoke: Check = (f) => (f.smoke.passed ? undefined : f.smoke.message);

const errorRatio: Check = (f, t) =>
  f.requests > 0 && f.errorRatio !== null && f.errorRatio > t.maxErrorRatio
    ? `5xx ratio ${f.errorRatio.toFixed(3)} (${f.errors} of ${plural(f.requests, 'request')}) above maxErrorRatio ${t.maxErrorRatio}`
    : undefined;

const latency: Check = (f, t) =>
  f.p99LatencyMs !== null && f.p99LatencyMs > t.maxP99LatencyMs ? `p99 latency ${ms(f.p99LatencyMs)} ms above maxP99LatencyMs ${t.maxP99LatencyMs}` : undefined;

/** Checks that fail the canary as soon as they fail, whatever the time. */
const IMMEDIATE: readonly Check[] = [restarts, smoke, errorRatio, latency];

function readyTimeout(f: CanaryFigures, timing: Timing): string | undefined {
  if (timing.analysisElapsedSeconds !== undefined || timing.sinceCreatedSeconds < timing.readyTimeoutSeconds) return undefined;
  return `only ${f.readyPods} of ${plural(f.pods, 'canary pod')} Ready ${Math.round(timing.sinceCreatedSeconds)} s after creation (readyTimeoutSeconds ${timing.readyTimeoutSeconds})`;
}

const windowOver = (timing: Timing): boolean => timing.analysisElapsedSeconds !== undefined && timing.analysisElapsedSeconds >= timing.analysisSeconds;

/** Checks made when the analysis window has ended. */
function endOfWindow(f: CanaryFigures, t: Thresholds, timing: Timing): string[] {
  if (!windowOver(timing)) return [];
  const failed: string[] = [];
  if (f.pods === 0 || f.readyPods < f.pods) failed.push(`only ${f.readyPods} of ${plural(f.pods, 'canary pod')} Ready at the end of the analysis window`);
  if (f.requests < t.minRequests) failed.push(`${plural(f.requests, 'request')} in the ${timing.analysisSeconds} s analysis window, below minRequests ${t.minRequests}`);
  return failed;
}

function summary(f: CanaryFigures, t: Thresholds): string {
  const ratio = f.errorRatio === null ? 'no 5xx ratio yet' : `5xx ratio ${f.errorRatio.toFixed(3)} (max ${t.maxErrorRatio})`;
  const p99 = f.p99LatencyMs === null ? 'no p99 latency yet' : `p99 latency ${ms(f.p99LatencyMs)} ms (max ${t.maxP99LatencyMs})`;
  return `${plural(f.requests, 'request')}, ${ratio}, ${p99}, ${plural(f.restarts, 'restart')}; ${f.smoke.message}`;
}

function progress(f: CanaryFigures, t: Thresholds, timing: Timing): string {
  if (timing.analysisElapsedSeconds === undefined) {
    return `waiting for canary pods to be Ready: ${f.readyPods} of ${f.pods} after ${Math.round(timing.sinceCreatedSeconds)} of ${timing.readyTimeoutSeconds} s`;
  }
  return `analyzing, ${Math.round(timing.analysisElapsedSeconds)} of ${timing.analysisSeconds} s: ${summary(f, t)}`;
}

/**
 * The verdict: fail at once on a restart, a failed smoke prediction, a 5xx ratio or p99 above
 * its maximum, or pods not all Ready by readyTimeoutSeconds; when the window is over, fail on
 * fewer than minRequests requests or pods no longer all Ready, else pass; otherwise pending.
 */
export function judge(figures: CanaryFigures, thresholds: Thresholds, timing: Timing): Judgement {
  const failed = IMMEDIATE.map((check) => check(figures, thresholds)).filter((m): m is string => m !== undefined);
  const timeout = readyTimeout(figures, timing);
  if (timeout !== undefined) failed.push(timeout);
  failed.push(...endOfWindow(figures, thresholds, timing));
  if (failed.length > 0) return { verdict: 'fail', message: `canary analysis failed: ${failed.join('; ')}`, failed };
  if (windowOver(timing)) return { verdict: 'pass', message: `canary analysis passed after ${timing.analysisSeconds} s: ${summary(figures, thresholds)}`, failed: [] };
  return { verdict: 'pending', message: progress(figures, thresholds, timing), failed: [] };
}
