// What the benchmark reads of the cluster's answers: the HPA's reading of the metric a RiskModel
// scales on, and the per-pod request rate of a custom.metrics.k8s.io list. Pure.
import type { V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { CUSTOM_METRICS } from '../../localcluster/monitoring.js';
import type { AutoscalingMetric } from '../../operator/api/riskmodel.js';
import { quantityValue } from '../../operator/model/autoscaling.js';
import type { Scaler } from './figures.js';

/** The per-pod request rate prometheus-adapter serves. */
export const POD_RATE_METRIC = CUSTOM_METRICS.requestsPerSecond;

export interface Scenario {
  /** The RiskModel's name. */
  name: string;
  scaler: Scaler;
  target: number;
}

/** spec.autoscaling.metrics for a scenario. */
export function metricOf(s: Scenario): AutoscalingMetric {
  return s.scaler === 'CPU' ? { type: 'CPU', targetUtilizationPercentage: s.target } : { type: 'RequestsPerSecond', targetAveragePerPod: s.target };
}

/** The HPA's reading of the metric it scales on, in the target's unit; undefined before its first. */
export function hpaReading(hpa: V2HorizontalPodAutoscaler, scaler: Scaler): number | undefined {
  const metrics = hpa.status?.currentMetrics ?? [];
  if (scaler === 'CPU') return metrics.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu')?.resource?.current.averageUtilization;
  const value = quantityValue(metrics.find((m) => m.type === 'Pods' && m.pods?.metric.name === POD_RATE_METRIC)?.pods?.current.averageValue);
  return Number.isFinite(value) ? value : undefined;
}

/** The mean per-pod value of a custom.metrics.k8s.io MetricValueList; undefined when it lists no pod. */
export function meanPodValue(list: { items?: Array<{ value?: string }> }): number | undefined {
  const values = (list.items ?? []).map((i) => quantityValue(i.value)).filter(Number.isFinite);
  return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length;
}

