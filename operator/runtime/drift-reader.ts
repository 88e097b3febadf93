// Reads a RiskModel's input drift from its pods: takes the stable pods of the current template
// from the operator's pod cache (no list per reading), asks each Ready one for GET /drift through the API server's pod proxy (the operator needs no
// network path to pod IPs) and sums their windows (operator/model/input-drift.ts). One bounded
// pass: a few pods at a time, a short timeout, a capped answer; a pod that cannot be reached is
// left out of the sum, never a throw.

import { CONFIG_HASH_ANNOTATION, TRACK_LABEL } from '../api/labels.js';
import { CONTAINER_PORT } from '../model/desired.js';
import { combineDrift, podDriftOf, type DriftFigures, type PodDrift } from '../model/input-drift.js';
import type { Kube } from '../kube/client.js';
import type { Logger } from '../logger.js';
import { messageOf } from '../messages.js';
import type { LoopRef, Measurer } from './measuring-loops.js';

const LIMITS = { concurrency: 8, timeoutMs: 5000, maxBytes: 256 * 1024 } as const;

interface PodJson {
  metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string>; deletionTimestamp?: unknown };
  status?: { phase?: string; conditions?: Array<{ type?: string; status?: string }> };
}

const isReady = (pod: PodJson) => (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** Ready stable pods of the template being served, not on their way out. */
function current(pod: PodJson, templateHash: string): boolean {
  const { labels, annotations, deletionTimestamp } = pod.metadata ?? {};
  const ofTemplate = labels?.[TRACK_LABEL] === 'stable' && annotations?.[CONFIG_HASH_ANNOTATION] === templateHash;
  return ofTemplate && !deletionTimestamp && pod.status?.phase === 'Running' && isReady(pod);
}

export class DriftReader implements Measurer<DriftFigures> {
  /** `pods` gives a RiskModel's pods as the pod informer caches them (runtime/informers.ts). */
  constructor(
    private readonly kube: Kube,
    private readonly log: Logger,
    private readonly pods: (namespace: string, name: string) => readonly PodJson[],
  ) {}

  /** The drift of the RiskModel's Ready stable pods of `ref`'s template. Never throws: a pod not reached is left out. */
  async measure(ref: LoopRef): Promise<DriftFigures> {
    const ns = encodeURIComponent(ref.namespace);
    const pods = this.pods(ref.namespace, ref.name).filter((p) => current(p, ref.templateHash)).map((p) => p.metadata?.name ?? '');
    const reports: PodDrift[] = [];
    for (let i = 0; i < pods.length; i += LIMITS.concurrency) {
      const batch = await Promise.all(pods.slice(i, i + LIMITS.concurrency).map((pod) => this.read(ns, pod)));
      for (const r of batch) if (r) reports.push(r);
    }
    return combineDrift(reports);
  }

  private async read(ns: string, pod: string): Promise<PodDrift | undefined> {
    const path = `/api/v1/namespaces/${ns}/pods/${encodeURIComponent(pod)}:${CONTAINER_PORT}/proxy/drift`;
    try {
      const report = podDriftOf(await this.kube.request<unknown>({ method: 'GET', path, timeoutMs: LIMITS.timeoutMs, maxResponseBytes: LIMITS.maxBytes, pool: 'pods' }));
      if (!report) this.log.warn('pod answered GET /drift with something else than a drift report', { pod });
      return report;
    } catch (err) {
      this.log.debug('drift not read from pod', { pod, error: messageOf(err) });
      return undefined;
    }
  }
}
