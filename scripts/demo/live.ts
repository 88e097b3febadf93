import { getJson } from './kube.js';
import type { KubeTarget } from './kube.js';
import type { RiskModelObject } from './riskmodel.js';

const started = Date.now();

/** Formats one live-view line from a RiskModel's status. Pure. */
export function formatLive(rm: RiskModelObject, elapsedSeconds: number): string {
  const s = rm.status ?? {};
  const cpu = s.currentCPUUtilizationPercentage;
  const target = rm.spec.targetCPUUtilizationPercentage ?? 70;
  const replicas = s.replicas ?? 0;
  const bar = '█'.repeat(replicas) + '·'.repeat(Math.max(0, (rm.spec.maxReplicas ?? replicas) - replicas));
  const time = `t=${String(Math.round(elapsedSeconds)).padStart(4)}s`;
  // Each metric's reading/target (status.autoscaling, the SCALING column); the CPU figures from an operator without it.
  const scaling = s.autoscaling?.summary ?? `CPU ${cpu === undefined ? '-' : `${cpu}%`} / target ${target}%`;
  return `${time}  replicas ${bar} ${replicas} (ready ${s.readyReplicas ?? 0}, desired ${s.desiredReplicas ?? '-'})  ${scaling}`;
}

/** One live-view line for the RiskModel, read from its status. */
export async function liveLine(target: KubeTarget, namespace: string, name: string): Promise<string> {
  const rm = await getJson<RiskModelObject>(target, ['riskmodel', name, '-n', namespace]);
  return formatLive(rm, (Date.now() - started) / 1000);
}
