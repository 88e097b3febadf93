// Reads a RiskModel's input drift from its pods: lists the stable pods of the current template,
// asks each Ready one for GET /drift through the API server's pod proxy (the operator needs no
// network path to pod IPs) and sums their windows (operator/model/input-drift.ts). One bounded
// pass: a few pods at a time, a short timeout, a capped answer; a pod that cannot be reached is
// left out of the sum, never a throw.

import { CONFIG_HASH_ANNOTATION } from '../api/labels.js';
import { CONTAINER_PORT } from '../model/desired.js';
import { combineDrift, podDriftOf, type DriftFigures, type PodDrift } from '../model/input-drift.js';
import type { Kube } from '../kube/client.js';
import type { Logger } from '../logger.js';
import { messageOf } from '../messages.js';
import type { LoopRef, Measurer } from './measuring-loops.js';

/** How often the stable pods' drift is read. */
export const DRIFT_CHECK_MS = 15_000;

const LIMITS = { concurrency: 8, timeoutMs: 5000, maxBytes: 256 * 1024 } as const;

interface PodJson {
  metadata?: { name?: string; annotations?: Record<string, string>; deletionTimestamp?: string };
  status?: { phase?: string; conditions?: Array<{ type?: string; status?: string }> };
}

/** Ready pods of the template being served, not on their way out. */
function current(pod: PodJson, templateHash: string): boolean {
  const ready = (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  return ready && pod.status?.phase === 'Running' && !pod.metadata?.deletionTimestamp && pod.metadata?.annotations?.[CONFIG_HASH_ANNOTATION] === templateHash;
}

export class DriftReader implements Measurer<DriftFigures> {
  constructor(
    private readonly kube: Kube,
    private readonly log: Logger,
  ) {}

  /** The drift of the pods `ref` selects, of its template. Throws only when the pods cannot be listed (ApiError). */
  async measure(ref: LoopRef): Promise<DriftFigures> {
    const ns = encodeURIComponent(ref.namespace);
    const list = await this.kube.request<{ items?: PodJson[] }>({ method: 'GET', path: `/api/v1/namespaces/${ns}/pods`, query: { labelSelector: ref.selector } });
    const pods = (list.items ?? []).filter((p) => current(p, ref.templateHash)).map((p) => p.metadata?.name ?? '');
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
      const report = podDriftOf(await this.kube.request<unknown>({ method: 'GET', path, timeoutMs: LIMITS.timeoutMs, maxResponseBytes: LIMITS.maxBytes }));
      if (!report) this.log.warn('pod answered GET /drift with something else than a drift report', { pod });
      return report;
    } catch (err) {
      this.log.debug('drift not read from pod', { pod, error: messageOf(err) });
      return undefined;
    }
  }
}
