// Counting writes in the idle window, three ways: watch events whose managedFields show the
// operator wrote, the API server's own request counters, and the operator's /metrics.
import https from 'node:https';
import type * as k8s from '@kubernetes/client-node';
import { FIELD_MANAGER, type RiskModel as OperatorRiskModel } from '../../operator/api/riskmodel.js';
import { CHILD_KINDS, CHILD_RESOURCES } from '../../operator/api/children.js';
import { collectionPath, Resources, type ResourceType } from '../../operator/kube/resources.js';
import type { OperatorProcess } from '../../scripts/lib/operator-process.js';
import { openWatch, type OpenWatch } from './watch.js';

const CHILDREN: ResourceType[] = CHILD_KINDS.map((kind) => CHILD_RESOURCES[kind]);

/** What the idle window watches: the RiskModels, every kind of child (operator/api/children.ts) and events. */
export const IDLE_RESOURCES: readonly ResourceType[] = [Resources.riskModels, ...CHILDREN, Resources.events];

/**
 * Resources whose write requests the operator could make (status and scale of children are the
 * controllers'). Events are counted apart: other components (the API server's IP allocator repair,
 * the node controller) write them too.
 */
export const OPERATOR_RESOURCES = new Set([Resources.riskModels.plural, `${Resources.riskModels.plural}/status`, ...CHILDREN.map((r) => r.plural), Resources.events.plural]);
const WRITE_VERBS = new Set(['POST', 'PUT', 'PATCH', 'APPLY', 'DELETE', 'DELETECOLLECTION']);

/** Whether the operator's own write is recorded on `obj` at or after `sinceMs` (managedFields times are whole seconds). */
export function operatorWroteSince(obj: k8s.KubernetesObject, sinceMs: number): boolean {
  if ((obj as k8s.CoreV1Event).involvedObject) {
    const event = obj as k8s.CoreV1Event;
    const component = event.reportingComponent ?? event.source?.component ?? '';
    return component.includes('riskmodel') && (obj.metadata?.managedFields ?? []).some((f) => timeOf(f.time) >= Math.floor(sinceMs / 1000) * 1000);
  }
  return (obj.metadata?.managedFields ?? []).some((f) => f.manager === FIELD_MANAGER && timeOf(f.time) >= Math.floor(sinceMs / 1000) * 1000);
}

export function timeOf(time: Date | string | undefined): number {
  return time === undefined ? 0 : new Date(time).getTime();
}

/** Watches the namespace's RiskModels, children and events, counting the operator's writes by kind. */
export class WriteCounter {
  counts: Record<string, number> = {};
  lastWriteAt = Date.now();
  private since = Date.now();
  private readonly watches: OpenWatch[] = [];
  private readonly statuses = new Map<string, Record<string, string>>();
  /** Which status fields changed in RiskModel writes in the window, with how often. */
  changedFields: Record<string, number> = {};

  async open(kc: k8s.KubeConfig, namespace: string): Promise<void> {
    for (const resource of IDLE_RESOURCES) {
      const { kind } = resource;
      const watch = await openWatch(kc, collectionPath(resource, namespace), {}, (_phase, obj) => {
        const label = kind === 'RiskModel' ? this.riskModelWrite(obj as OperatorRiskModel) : kind;
        if (!operatorWroteSince(obj, this.since)) return; // includes the initial list
        this.counts[label] = (this.counts[label] ?? 0) + 1;
        this.lastWriteAt = Date.now();
      });
      this.watches.push(watch);
    }
  }

  /**
   * Labels a RiskModel write: "RiskModel status (HPA CPU reading)" when the only status change
   * is the mirrored HPA reading (currentCPUUtilizationPercentage, autoscaling, lastScaleTime), else "RiskModel".
   */
  private riskModelWrite(rm: OperatorRiskModel): string {
    const now: Record<string, string> = { generation: String(rm.metadata.generation) };
    for (const [field, value] of Object.entries(rm.status ?? {})) now[field] = JSON.stringify(value);
    const before = this.statuses.get(rm.metadata.name) ?? {};
    this.statuses.set(rm.metadata.name, now);
    const changed = [...new Set([...Object.keys(now), ...Object.keys(before)])].filter((field) => now[field] !== before[field]);
    if (operatorWroteSince(rm as k8s.KubernetesObject, this.since)) {
      for (const field of changed) this.changedFields[field] = (this.changedFields[field] ?? 0) + 1;
    }
    const mirrored = new Set(['currentCPUUtilizationPercentage', 'autoscaling', 'lastScaleTime']);
    return changed.every((field) => mirrored.has(field)) ? 'RiskModel status (HPA CPU reading)' : 'RiskModel';
  }

  /** Starts counting afresh from now. */
  reset(): void {
    this.counts = {};
    this.changedFields = {};
    this.since = Date.now();
  }

  close(): void {
    for (const watch of this.watches) watch.close();
  }
}

/** Sums of `apiserver_request_total` write requests by resource[/subresource], for the operator's resources. */
export async function serverWrites(kc: k8s.KubeConfig): Promise<Record<string, number>> {
  return parseServerWrites(await fetchMetrics(kc));
}

/** The same sums from the API server's /metrics text. Pure. */
export function parseServerWrites(text: string): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const labels: Record<string, string> = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
    const resource = labels['subresource'] ? `${labels['resource']}/${labels['subresource']}` : (labels['resource'] ?? '');
    if (!WRITE_VERBS.has(labels['verb'] ?? '') || !OPERATOR_RESOURCES.has(resource)) continue;
    sums[resource] = (sums[resource] ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sums;
}

export async function fetchMetrics(kc: k8s.KubeConfig): Promise<string> {
  const server = new URL(kc.getCurrentCluster()?.server ?? '');
  const options: https.RequestOptions = { hostname: server.hostname, port: server.port, path: '/metrics', method: 'GET' };
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    https
      .get(options, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`GET /metrics: HTTP ${res.statusCode ?? '?'}`))));
      })
      .on('error', reject);
  });
}

export function difference(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [key, value] of Object.entries(after)) if (value - (before[key] ?? 0) > 0) delta[key] = value - (before[key] ?? 0);
  return delta;
}

/** The operator's own count of its write requests by method (its riskmodel_operator_api_requests_total). */
export async function operatorWriteRequests(operator: OperatorProcess): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
    counts[method] = await operator.metric('riskmodel_operator_api_requests_total', (labels) => labels['method'] === method);
  }
  return counts;
}
