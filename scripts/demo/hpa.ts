// What step 5 reads of the HPA and the Deployment, from one `kubectl get hpa/NAME
// deployment/NAME -o json`. The HPA is read itself, not through the RiskModel's status, whose
// figures the operator damps (operator/model/status.ts, autoscaling.ts) and which lags by a reconcile.
import { POD_METRICS } from '../../operator/api/riskmodel.js';
import { quantityValue } from '../../operator/model/autoscaling.js';

/** The name of the per-pod requests-a-second metric the HPA reads from the custom metrics API. */
export const REQUESTS_METRIC = POD_METRICS.RequestsPerSecond;

interface MetricEntry {
  resource?: { name?: string; target?: { averageUtilization?: number }; current?: { averageUtilization?: number } };
  pods?: { metric?: { name?: string }; target?: { averageValue?: string }; current?: { averageValue?: string } };
}

/** The parts of a `kubectl get hpa/… deployment/… -o json` List step 5 reads. */
export interface HpaAndDeploymentList {
  items: Array<{
    kind?: string;
    spec?: { maxReplicas?: number; metrics?: MetricEntry[] };
    status?: {
      currentReplicas?: number;
      desiredReplicas?: number;
      readyReplicas?: number;
      currentMetrics?: MetricEntry[];
      conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }>;
    };
  }>;
}

export interface HpaFigures {
  currentReplicas: number;
  desiredReplicas: number;
  /** The Deployment's ready pods. */
  readyReplicas: number;
  /** The HPA's current average CPU utilization (% of the request); undefined before its first reading. */
  cpuPercent: number | undefined;
  /** The HPA's CPU target (% of the request); undefined when it has no CPU metric. */
  targetCpuPercent: number | undefined;
  /** The HPA's current average requests a second per pod; undefined before its first reading or without that metric. */
  requestsPerPod: number | undefined;
  /** The HPA's requests-a-second target per pod; undefined when it does not scale on requests. */
  targetRequestsPerPod: number | undefined;
  /** The HPA's ScalingActive condition when False ("reason: message"): it cannot read a metric. */
  notScaling: string | undefined;
}

type Item = HpaAndDeploymentList['items'][number];

const cpuOf = (metrics: MetricEntry[] | undefined) => metrics?.find((m) => m.resource?.name === 'cpu')?.resource;
const requestsOf = (metrics: MetricEntry[] | undefined) => metrics?.find((m) => m.pods?.metric?.name === REQUESTS_METRIC)?.pods;

/** A quantity as a number rounded to 0.1, undefined when absent or not a quantity. */
function quantity(q: string | undefined): number | undefined {
  const v = quantityValue(q);
  return Number.isFinite(v) ? Math.round(v * 10) / 10 : undefined;
}

function replicasOf(hpa: Item, deployment: Item | undefined): Pick<HpaFigures, 'currentReplicas' | 'desiredReplicas' | 'readyReplicas'> {
  return { currentReplicas: hpa.status?.currentReplicas ?? 0, desiredReplicas: hpa.status?.desiredReplicas ?? 0, readyReplicas: deployment?.status?.readyReplicas ?? 0 };
}

function notScaling(hpa: Item): string | undefined {
  const c = hpa.status?.conditions?.find((x) => x.type === 'ScalingActive');
  return c?.status === 'False' ? `${c.reason ?? 'ScalingActive=False'}: ${c.message ?? ''}`.trim() : undefined;
}

/** Reads the HPA's and the Deployment's figures from the List. Pure; throws when the HPA is missing. */
export function hpaFigures(list: HpaAndDeploymentList): HpaFigures {
  const hpa = list.items.find((i) => i.kind === 'HorizontalPodAutoscaler');
  if (!hpa) throw new Error('no HorizontalPodAutoscaler in the answer');
  return { ...replicasOf(hpa, list.items.find((i) => i.kind === 'Deployment')), ...metricsOf(hpa), notScaling: notScaling(hpa) };
}

const cpuNow = (hpa: Item) => cpuOf(hpa.status?.currentMetrics)?.current?.averageUtilization;
const cpuTarget = (hpa: Item) => cpuOf(hpa.spec?.metrics)?.target?.averageUtilization;
const requestsNow = (hpa: Item) => quantity(requestsOf(hpa.status?.currentMetrics)?.current?.averageValue);
const requestsTarget = (hpa: Item) => quantity(requestsOf(hpa.spec?.metrics)?.target?.averageValue);

function metricsOf(hpa: Item): Pick<HpaFigures, 'cpuPercent' | 'targetCpuPercent' | 'requestsPerPod' | 'targetRequestsPerPod'> {
  return { cpuPercent: cpuNow(hpa), targetCpuPercent: cpuTarget(hpa), requestsPerPod: requestsNow(hpa), targetRequestsPerPod: requestsTarget(hpa) };
}
