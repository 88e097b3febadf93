// What step 5's ramp reads of the HPA and the Deployment, from one `kubectl get hpa/NAME
// deployment/NAME -o json`. The HPA is read itself, not through the RiskModel's status, whose
// CPU figure the operator damps (operator/model/status.ts) and which lags by a reconcile.

/** The parts of a `kubectl get hpa/… deployment/… -o json` List the ramp reads. */
export interface HpaAndDeploymentList {
  items: Array<{
    kind?: string;
    spec?: { maxReplicas?: number; metrics?: Array<{ resource?: { name?: string; target?: { averageUtilization?: number } } }> };
    status?: {
      currentReplicas?: number;
      desiredReplicas?: number;
      readyReplicas?: number;
      currentMetrics?: Array<{ resource?: { name?: string; current?: { averageUtilization?: number } } }>;
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
}

type Item = HpaAndDeploymentList['items'][number];
type Metric = { resource?: { name?: string } };

const cpuOf = <M extends Metric>(metrics: M[] | undefined): M['resource'] | undefined => metrics?.find((m) => m.resource?.name === 'cpu')?.resource;

function replicasOf(hpa: Item, deployment: Item | undefined): Pick<HpaFigures, 'currentReplicas' | 'desiredReplicas' | 'readyReplicas'> {
  return { currentReplicas: hpa.status?.currentReplicas ?? 0, desiredReplicas: hpa.status?.desiredReplicas ?? 0, readyReplicas: deployment?.status?.readyReplicas ?? 0 };
}

/** Reads the HPA's and the Deployment's figures from the List. Pure; throws when the HPA is missing. */
export function hpaFigures(list: HpaAndDeploymentList): HpaFigures {
  const hpa = list.items.find((i) => i.kind === 'HorizontalPodAutoscaler');
  if (!hpa) throw new Error('no HorizontalPodAutoscaler in the answer');
  return {
    ...replicasOf(hpa, list.items.find((i) => i.kind === 'Deployment')),
    cpuPercent: cpuOf(hpa.status?.currentMetrics)?.current?.averageUtilization,
    targetCpuPercent: cpuOf(hpa.spec?.metrics)?.target?.averageUtilization,
  };
}
