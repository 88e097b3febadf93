// What the demo's canary and rollback steps read off the cluster, as pure functions of the
// objects kubectl returns: the canary's failure, the stable pods' lives, the events.
import type { RevisionRecord } from '../../operator/api/riskmodel.js';
import type { RiskModelObject } from './riskmodel.js';

/** Pods as kubectl returns them, the parts these steps read. */
export interface PodList {
  items: Array<{
    metadata: { name: string; uid?: string; labels?: Record<string, string>; deletionTimestamp?: string };
    spec?: { nodeName?: string };
    status?: { podIP?: string; containerStatuses?: Array<{ restartCount?: number }> };
  }>;
}

/** One pod's identity and its containers' restarts: a restarted or replaced pod changes one of them. */
export interface PodLife {
  uid: string;
  restarts: number;
}

/** The pods that are not being deleted, by name. Pure. */
export function podLives(pods: PodList): Record<string, PodLife> {
  const lives: Record<string, PodLife> = {};
  for (const pod of pods.items) {
    if (pod.metadata.deletionTimestamp) continue;
    const restarts = (pod.status?.containerStatuses ?? []).reduce((sum, c) => sum + (c.restartCount ?? 0), 0);
    lives[pod.metadata.name] = { uid: pod.metadata.uid ?? '', restarts };
  }
  return lives;
}

/** How a set of pods changed between two looks. */
export interface PodChanges {
  /** True when the same pods (same UIDs) run with the same restart counts. */
  unchanged: boolean;
  gone: string[];
  added: string[];
  restarted: string[];
}

/** Compares two looks at the same pods. Pure. */
export function podChanges(before: Record<string, PodLife>, after: Record<string, PodLife>): PodChanges {
  const gone = Object.keys(before).filter((name) => after[name]?.uid !== before[name]?.uid);
  const added = Object.keys(after).filter((name) => before[name]?.uid !== after[name]?.uid);
  const restarted = Object.keys(before).filter((name) => after[name]?.uid === before[name]?.uid && (after[name]?.restarts ?? 0) !== before[name]?.restarts);
  return { unchanged: gone.length + added.length + restarted.length === 0, gone, added, restarted };
}

/** Degraded's message when the RiskModel reports Degraded=True with reason CanaryFailed, else undefined. Pure. */
export function canaryFailure(rm: RiskModelObject): string | undefined {
  const degraded = rm.status?.conditions?.find((c) => c.type === 'Degraded');
  return degraded?.status === 'True' && degraded.reason === 'CanaryFailed' ? degraded.message : undefined;
}

/** The newest history entry of `revision`, if any. Pure. */
export function historyEntry(rm: RiskModelObject, revision: number): RevisionRecord | undefined {
  return [...(rm.status?.history ?? [])].reverse().find((h) => h.revision === revision);
}

/** One line of status.canary for the narration ('' when no canary runs). Pure. */
export function canaryLine(rm: RiskModelObject): string {
  const c = rm.status?.canary;
  if (!c) return '';
  return `canary of revision ${c.revision}: ${c.phase}, ${c.readyReplicas}/${c.replicas} pods ready; ${c.message}`;
}

/** Events as kubectl returns them, the parts the narration shows. */
export interface EventList {
  items: Array<{ type?: string; reason?: string; message?: string; count?: number; lastTimestamp?: string; eventTime?: string }>;
}

/** The newest event of `reason` as `Type Reason: message`, or undefined when there is none. Pure. */
export function newestEvent(events: EventList, reason: string): string | undefined {
  const time = (e: EventList['items'][number]): string => e.lastTimestamp ?? e.eventTime ?? '';
  const newest = events.items.filter((e) => e.reason === reason).sort((a, b) => time(a).localeCompare(time(b))).pop();
  return newest ? `${newest.type ?? ''} ${reason}: ${newest.message ?? ''}` : undefined;
}
