// What the HPA reports about the metrics a RiskModel scales on: each one's reading against its
// target for status, and whether it cannot read the request metrics at all (no custom metrics
// API serving them) — a problem the user must fix, never a silent fall back to CPU. Pure.

import type { V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { POD_METRICS, type MetricStatus, type ResolvedMetric, type ResolvedSpec } from '../api/riskmodel.js';
import { Reason, type Problem } from '../api/reasons.js';

/**
 * How long the HPA may fail to read a request metric before it is a problem: a new pod's first
 * scrape and the adapter's relist take a few seconds to tens of seconds, which is not news.
 */
export const METRICS_GRACE_MS = 60_000;

/**
 * CPU readings closer than this (percentage points) to the published one are not news on their
 * own: metrics-server's rates jitter by a point or two between scrapes, and mirroring that
 * jitter would turn every idle RiskModel into a stream of status writes.
 */
export const CPU_DEADBAND_POINTS = 5;

/** Request readings closer than this share of the target to the published one are not news on their own (the CPU deadband's analogue). */
const DEADBAND_SHARE = 0.05;

/** A Kubernetes quantity as a number: `19866m` is 19.866, `2k` 2000; NaN when it is none. */
export function quantityValue(q: string | undefined): number {
  const m = /^(\d+(?:\.\d+)?)(m|k|M)?$/.exec(q ?? '');
  if (!m) return NaN;
  const scale = { m: 1e-3, k: 1e3, M: 1e6 }[m[2] ?? ''] ?? 1;
  return Number(m[1]) * scale;
}

const targetOf = (m: ResolvedMetric) => (m.type === 'CPU' ? m.targetUtilizationPercentage : m.targetAveragePerPod);

function currentOf(hpa: V2HorizontalPodAutoscaler | undefined, m: ResolvedMetric): number | undefined {
  const metrics = hpa?.status?.currentMetrics ?? [];
  if (m.type === 'CPU') return metrics.find((c) => c.type === 'Resource' && c.resource?.name === 'cpu')?.resource?.current.averageUtilization;
  const value = quantityValue(metrics.find((c) => c.type === 'Pods' && c.pods?.metric.name === POD_METRICS[m.type])?.pods?.current.averageValue);
  return Number.isFinite(value) ? Math.round(value * 100) / 100 : undefined;
}

function summaryOf(metrics: readonly MetricStatus[]): string {
  const unit = { CPU: '%', RequestsPerSecond: ' req/s', InFlightRequests: ' in flight' } as const;
  return metrics.map((m) => `${m.type} ${m.current ?? '?'}/${m.target}${unit[m.type]}`).join(', ');
}

/**
 * status.autoscaling: each metric the HPA scales on (the CPU short form included) with its reading
 * against its target, and the one-line summary the Scaling column shows. Given the published
 * readings, a reading within the deadband of its published one keeps the published one, so jitter
 * does not become status writes.
 */
export function autoscalingStatus(spec: ResolvedSpec, hpa: V2HorizontalPodAutoscaler | undefined, published?: readonly MetricStatus[]): { metrics: MetricStatus[]; summary: string } {
  const metrics = spec.metrics.map((m): MetricStatus => {
    const target = targetOf(m);
    const current = currentOf(hpa, m);
    const was = published?.find((p) => p.type === m.type && p.target === target)?.current;
    const band = m.type === 'CPU' ? CPU_DEADBAND_POINTS : target * DEADBAND_SHARE;
    const damped = current !== undefined && was !== undefined && Math.abs(current - was) < band ? was : current;
    return { type: m.type, ...(damped === undefined ? {} : { current: damped }), target };
  });
  return { metrics, summary: summaryOf(metrics) };
}

/** The HPA's "cannot read a Pods metric" condition, when the spec scales on one. */
function failedPodsMetric(spec: ResolvedSpec, hpa: V2HorizontalPodAutoscaler | undefined) {
  if (!spec.metrics.some((m) => m.type !== 'CPU')) return undefined;
  const c = hpa?.status?.conditions?.find((x) => x.type === 'ScalingActive');
  return c?.status === 'False' && c.reason === 'FailedGetPodsMetric' ? c : undefined;
}

const since = (t: unknown) => (t instanceof Date ? t.getTime() : typeof t === 'string' ? Date.parse(t) : NaN);

/**
 * MetricsUnavailable once the HPA has failed to read a request metric for METRICS_GRACE_MS, in
 * its own words; `recheckMs` while it is younger, so the reconcile looks again when the grace ends.
 */
export function metricsProblem(spec: ResolvedSpec, hpa: V2HorizontalPodAutoscaler | undefined, now: Date): { problem?: Problem; recheckMs?: number } {
  const failed = failedPodsMetric(spec, hpa);
  if (!failed) return {};
  const age = now.getTime() - since(failed.lastTransitionTime);
  if (Number.isFinite(age) && age < METRICS_GRACE_MS) return { recheckMs: METRICS_GRACE_MS - age };
  const names = spec.metrics.flatMap((m) => (m.type === 'CPU' ? [] : [`${m.type} (${POD_METRICS[m.type]})`])).join(', ');
  const message = `the autoscaler cannot read ${names} from the custom metrics API: ${failed.message ?? failed.reason}; install a custom metrics adapter that serves them (docs/operator.md, "Autoscaling on requests") or scale on CPU`;
  return { problem: { reason: Reason.MetricsUnavailable, message } };
}
