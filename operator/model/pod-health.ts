// Why the pods of a template cannot run, in the kubelet's and the scheduler's own words. Pure:
// the reconciler hands it the pods the pod informer cached. A rollout that waits on pods which
// will never start is not "slow" — it needs the user (an image name, a crashing server, a
// memory limit, a request no node can take) — so status turns Degraded/Stalled instead of
// reporting RollingOut forever.

import type { V1ContainerStatus, V1Deployment, V1Pod } from '@kubernetes/client-node';
import { CONFIG_HASH_ANNOTATION } from '../api/labels.js';
import { Reason, type Problem, type ReasonName } from '../api/reasons.js';

/** Waiting reasons that mean the image cannot be had (kubelet's images package and the CRI). */
const IMAGE_PULL_WAITING = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull', 'RegistryUnavailable', 'SignatureValidationFailed']);
/** Waiting reasons of a container the kubelet cannot create from its spec (a missing ConfigMap key, a bad mount). */
const CONFIG_WAITING = new Set(['CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);

interface Finding {
  reason: ReasonName;
  /** What is wrong, starting with the pod and the container it concerns. */
  message: string;
}

/** The config hash a Deployment's template carries: its pods carry the same annotation. */
export function templateHashOf(deployment: V1Deployment | undefined): string | undefined {
  return deployment?.spec?.template.metadata?.annotations?.[CONFIG_HASH_ANNOTATION];
}

/**
 * The first reason (pods in name order) why a pod of the template `templateHash` cannot run,
 * with every affected pod counted in the message; undefined when none is stuck (or the hash is
 * unknown). Pods of other templates (the previous rollout's, a canary's) and terminating pods
 * are ignored: they say nothing about whether the current template can run.
 */
export function podProblem(pods: readonly V1Pod[], templateHash: string | undefined): Problem | undefined {
  if (templateHash === undefined) return undefined;
  const current = pods
    .filter((p) => !p.metadata?.deletionTimestamp && p.metadata?.annotations?.[CONFIG_HASH_ANNOTATION] === templateHash)
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  const findings = current.map(findingOf).filter((f): f is Finding => f !== undefined);
  const first = findings[0];
  if (!first) return undefined;
  const others = findings.filter((f) => f.reason === first.reason).length - 1;
  const more = others > 0 ? ` (and ${others} more ${others === 1 ? 'pod' : 'pods'} of the current template)` : '';
  return { reason: first.reason, message: first.message + more };
}

/** Why one pod cannot run, or undefined. Scheduling first: an unscheduled pod has no containers yet. */
export function findingOf(pod: V1Pod): Finding | undefined {
  const name = pod.metadata?.name ?? '?';
  const containers = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  return unschedulable(name, pod) ?? firstOf(containers, (c) => firstOf(CONTAINER_RULES, (rule) => rule(`pod ${name} container ${c.name}`, c)));
}

function firstOf<T, R>(items: readonly T[], find: (item: T) => R | undefined): R | undefined {
  for (const item of items) {
    const found = find(item);
    if (found !== undefined) return found;
  }
  return undefined;
}

function unschedulable(name: string, pod: V1Pod): Finding | undefined {
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status !== 'False' || scheduled.reason !== 'Unschedulable') return undefined;
  return { reason: Reason.Unschedulable, message: `pod ${name} cannot be scheduled: ${scheduled.message ?? 'no node fits it'}` };
}

type ContainerRule = (where: string, c: V1ContainerStatus) => Finding | undefined;

const kubeletWords = (w: { reason?: string; message?: string }): string => `${w.reason}: ${w.message ?? 'no message from the kubelet'}`;
const lastTermination = (c: V1ContainerStatus) => c.lastState?.terminated ?? c.state?.terminated;

const imagePull: ContainerRule = (where, c) => {
  const waiting = c.state?.waiting;
  if (!waiting?.reason || !IMAGE_PULL_WAITING.has(waiting.reason)) return undefined;
  return { reason: Reason.ImagePullFailed, message: `${where} cannot pull image ${JSON.stringify(c.image)}: ${kubeletWords(waiting)}` };
};

const containerConfig: ContainerRule = (where, c) => {
  const waiting = c.state?.waiting;
  if (!waiting?.reason || !CONFIG_WAITING.has(waiting.reason)) return undefined;
  return { reason: Reason.ContainerConfigError, message: `${where} cannot be created: ${kubeletWords(waiting)}` };
};

// A container that runs and is ready again after one OOM kill has recovered; one that waits to restart has not.
const oomKilled: ContainerRule = (where, c) => {
  const last = lastTermination(c);
  if (last?.reason !== 'OOMKilled' || c.ready) return undefined;
  return { reason: Reason.OOMKilled, message: `${where} was OOMKilled (exit code ${last.exitCode}): it needs more memory than its limit` };
};

const crashLoop: ContainerRule = (where, c) => {
  if (c.state?.waiting?.reason !== 'CrashLoopBackOff') return undefined;
  const last = lastTermination(c);
  const exit = last ? `exit code ${last.exitCode}${last.reason ? ` (${last.reason})` : ''}` : 'no exit code recorded';
  // The termination log's last lines (what the process said as it exited), not the back-off delay, which grows.
  const words = last?.message ? `: ${last.message.trim().split('\n').slice(-3).join(' ').slice(0, 300)}` : '';
  return { reason: Reason.CrashLooping, message: `${where} keeps crashing (CrashLoopBackOff), last ${exit}${words}` };
};

/** In order: an OOM kill is reported as such, not as the crash loop it causes. */
const CONTAINER_RULES: readonly ContainerRule[] = [imagePull, containerConfig, oomKilled, crashLoop];
