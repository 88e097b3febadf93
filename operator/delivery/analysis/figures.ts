// The canary's figures, computed from what the operator observed of each canary pod: its
// status, the samples of its own /metrics and the operator's smoke prediction. Pure.

import type { Sample } from './exposition.js';

export interface CanaryFigures {
  /** Canary pods listed, those Ready, and the sum of their containers' restartCount. */
  pods: number;
  readyPods: number;
  restarts: number;
  /** Prediction-route requests (every status), summed over canary pods; the operator's smoke predictions are not among them (the server does not count requests carrying SMOKE_HEADER). */
  requests: number;
  /** Of those, answered 5xx. */
  errors: number;
  /** errors / requests; null while requests = 0. */
  errorRatio: number | null;
  /** p99 of the prediction routes' latency, as Prometheus' histogram_quantile computes it; null while requests = 0. */
  p99LatencyMs: number | null;
  /** The operator's POST /predict of a typical patient to every canary pod it could probe. */
  smoke: { passed: boolean; message: string };
}

/** Route labels (route templates, as inference/http/routes.ts names them) of the prediction routes. */
export const PREDICTION_ROUTES: ReadonlySet<string> = new Set(['/predict', '/predict/batch', '/v2/models/{name}/infer', '/v2/models/{name}/versions/{version}/infer']);

const REQUESTS = 'http_requests_total';
const BUCKET = 'http_request_duration_seconds_bucket';
/** Failing pods named in the smoke message; the rest are counted. */
const NAMED_FAILURES = 3;

/** What a pod's status says, as the analysis needs it. */
export interface PodState {
  name: string;
  uid: string;
  /** status.phase is Running. */
  running: boolean;
  /** The Ready condition is True. */
  ready: boolean;
  /** Sum of restartCount over its containers (init containers included). */
  restarts: number;
}

export interface PodObservation extends PodState {
  /** Samples of the pod's /metrics; undefined when they were not read. */
  samples?: readonly Sample[];
  /** The smoke prediction's outcome (reaching the pod included); undefined when the pod was not probed. */
  probe?: { passed: boolean; message: string };
}

/** The fields of a pod object (as the API server returns it) that the analysis reads. */
export interface PodJson {
  metadata?: { name?: string; uid?: string; deletionTimestamp?: string };
  status?: {
    phase?: string;
    conditions?: Array<{ type?: string; status?: string }>;
    containerStatuses?: Array<{ restartCount?: number }>;
    initContainerStatuses?: Array<{ restartCount?: number }>;
  };
}

/** The analysis' view of a pod object as the API server returns it. */
export function podState(pod: PodJson): PodState {
  const status = pod.status ?? {};
  const containers = [...(status.containerStatuses ?? []), ...(status.initContainerStatuses ?? [])];
  return {
    name: pod.metadata?.name ?? '',
    uid: pod.metadata?.uid ?? '',
    running: status.phase === 'Running',
    ready: (status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    restarts: containers.reduce((sum, c) => sum + (c.restartCount ?? 0), 0),
  };
}

/** A bucket of a classic histogram: cumulative count of observations ≤ le. */
export interface Bucket {
  le: number;
  count: number;
}

/**
 * The q-quantile of cumulative buckets exactly as PromQL's histogram_quantile computes it
 * (promql/quantile.go): buckets with one bound are merged, counts forced monotonic, linear
 * interpolation inside the bucket holding rank q·total, the lowest bucket starting at 0, the
 * second-highest bound when the rank falls in the +Inf bucket. NaN without a +Inf bucket, with
 * fewer than two buckets or no observations; -Inf/+Inf for q below 0/above 1.
 */
export function histogramQuantile(q: number, input: readonly Bucket[]): number {
  if (Number.isNaN(q)) return NaN;
  if (q < 0 || q > 1) return q < 0 ? -Infinity : Infinity;
  const buckets = monotonic(coalesced(input));
  const total = buckets[buckets.length - 1];
  if (total === undefined || total.le !== Infinity || buckets.length < 2 || total.count === 0) return NaN;
  const rank = q * total.count;
  const b = buckets.findIndex((x) => x.count >= rank);
  if (b === buckets.length - 1) return (buckets[b - 1] as Bucket).le;
  return interpolated(buckets, b, rank);
}

/** Linear interpolation of `rank` inside bucket b, as PromQL does. */
function interpolated(buckets: readonly Bucket[], b: number, rank: number): number {
  const bucket = buckets[b] as Bucket;
  const below = buckets[b - 1];
  if (below === undefined) return bucket.le <= 0 ? bucket.le : bucket.le * (rank / bucket.count);
  return below.le + (bucket.le - below.le) * ((rank - below.count) / (bucket.count - below.count));
}

function coalesced(buckets: readonly Bucket[]): Bucket[] {
  const byBound = new Map<number, number>();
  for (const { le, count } of buckets) byBound.set(le, (byBound.get(le) ?? 0) + count);
  return [...byBound].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
}

function monotonic(buckets: Bucket[]): Bucket[] {
  let max = 0;
  return buckets.map(({ le, count }) => ({ le, count: (max = Math.max(max, count)) }));
}

function isPrediction(sample: Sample, name: string): boolean {
  return sample.name === name && PREDICTION_ROUTES.has(sample.labels.route ?? '');
}

/** Requests and 5xx answers of the prediction routes in one pod's samples. */
function requestCounts(samples: readonly Sample[]): { requests: number; errors: number } {
  let requests = 0;
  let errors = 0;
  for (const s of samples) {
    if (!isPrediction(s, REQUESTS) || !Number.isFinite(s.value)) continue;
    requests += s.value;
    if (/^5\d\d$/.test(s.labels.status ?? '')) errors += s.value;
  }
  return { requests, errors };
}

/** Prediction-route latency buckets of every pod, summed by bound (Prometheus' sum by (le)). */
function latencyBuckets(pods: readonly PodObservation[]): Bucket[] {
  const buckets: Bucket[] = [];
  for (const pod of pods) {
    for (const s of pod.samples ?? []) {
      const le = s.labels.le;
      if (isPrediction(s, BUCKET) && le !== undefined && Number.isFinite(s.value)) buckets.push({ le: le === '+Inf' ? Infinity : Number(le), count: s.value });
    }
  }
  return buckets.filter((b) => !Number.isNaN(b.le));
}

function smokeOutcome(pods: readonly PodObservation[]): CanaryFigures['smoke'] {
  const probed = pods.filter((p) => p.probe !== undefined);
  const failed = probed.filter((p) => p.probe?.passed === false);
  if (failed.length > 0) {
    const named = failed.slice(0, NAMED_FAILURES).map((p) => `pod ${p.name}: ${p.probe?.message ?? ''}`);
    const more = failed.length > NAMED_FAILURES ? `; and ${failed.length - NAMED_FAILURES} more pods` : '';
    return { passed: false, message: `smoke prediction failed on ${failed.length} of ${pods.length} pods (${named.join('; ')}${more})` };
  }
  if (probed.length === 0) return { passed: true, message: 'no canary pod probed yet' };
  return { passed: true, message: `smoke prediction passed on ${probed.length} of ${pods.length} pods` };
}

/** The canary's figures from every canary pod's observation. Pure; an empty list gives zeros. */
export function canaryFigures(pods: readonly PodObservation[]): CanaryFigures {
  let requests = 0;
  let errors = 0;
  for (const pod of pods) {
    const counts = requestCounts(pod.samples ?? []);
    requests += counts.requests;
    errors += counts.errors;
  }
  const p99 = histogramQuantile(0.99, latencyBuckets(pods));
  return {
    pods: pods.length,
    readyPods: pods.filter((p) => p.ready).length,
    restarts: pods.reduce((sum, p) => sum + p.restarts, 0),
    requests,
    errors,
    errorRatio: requests > 0 ? errors / requests : null,
    p99LatencyMs: requests > 0 && Number.isFinite(p99) ? p99 * 1000 : null,
    smoke: smokeOutcome(pods),
  };
}
