// What a terminal view shows of a RiskModel, read defensively from the raw custom object
// (the API server may hand us objects written before a status field existed, or by an
// older operator), plus the bounded per-RiskModel history the charts draw.
import type { Sample } from './chart.js';
import { record, text } from './json-fields.js';

export interface ConditionView {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** One RiskModel as the views show it; a field the object does not carry is `undefined`. */
export interface RiskModelView {
  namespace: string;
  name: string;
  minReplicas?: number;
  maxReplicas?: number;
  targetCPU?: number;
  replicas?: number;
  readyReplicas?: number;
  desiredReplicas?: number;
  currentCPU?: number;
  /** status.autoscaling.summary: each metric the HPA scales on with its reading and target. */
  scaling?: string;
  /** status.modelVersion (spec version + content hash) when reported, else spec.model.version. */
  modelVersion?: string;
  conditions: ConditionView[];
  generation?: number;
  observedGeneration?: number;
}

/** Which RiskModels a view shows: one namespace, or every namespace. */
export type Scope = { allNamespaces: true } | { allNamespaces: false; namespace: string };

/** The words a view uses for a scope: `namespace default` or `all namespaces`. */
export function describeScope(scope: Scope): string {
  return scope.allNamespaces ? 'all namespaces' : `namespace ${scope.namespace}`;
}

/** One poll of the cluster: what was listed, when, and the error if the list failed. */
export interface Snapshot {
  scope: Scope;
  takenAt: Date;
  /** The last successful list; kept on error so the view goes stale rather than blank. */
  models: RiskModelView[];
  /** Why the latest list failed, in words for an operator; absent when it succeeded. */
  error?: string;
}

/** One point of a RiskModel's chart. */
export interface HistoryPoint {
  replicas: Sample;
  desired: Sample;
  cpu: Sample;
}

/** Per-RiskModel points, oldest first, keyed by `namespace/name`. */
export type History = ReadonlyMap<string, readonly HistoryPoint[]>;

/** The conditions the views always show, in this order, even when a RiskModel lacks them. */
export const SHOWN_CONDITIONS = ['Ready', 'Progressing', 'Degraded'] as const;

/** `namespace/name`, the key of a RiskModel in a {@link History}. */
export function keyOf(model: Pick<RiskModelView, 'namespace' | 'name'>): string {
  return `${model.namespace}/${model.name}`;
}

/**
 * Reads a RiskModel custom object (as returned by the API server) into a view. Never
 * throws: anything missing or of the wrong type becomes `undefined`.
 */
export function toView(object: unknown): RiskModelView {
  const metadata = record(field(object, 'metadata'));
  const spec = record(field(object, 'spec'));
  const status = record(field(object, 'status'));
  return {
    namespace: text(metadata.namespace) ?? '',
    name: text(metadata.name) ?? '(unnamed)',
    minReplicas: count(spec.minReplicas),
    maxReplicas: count(spec.maxReplicas),
    targetCPU: count(spec.targetCPUUtilizationPercentage),
    replicas: count(status.replicas),
    readyReplicas: count(status.readyReplicas),
    desiredReplicas: count(status.desiredReplicas),
    currentCPU: count(status.currentCPUUtilizationPercentage),
    modelVersion: text(status.modelVersion) ?? text(record(spec.model).version),
    conditions: conditions(status.conditions),
    generation: count(metadata.generation),
    observedGeneration: count(status.observedGeneration),
    ...optional('scaling', text(record(status.autoscaling).summary)),
  };
}

/** `{ [key]: value }`, or nothing when the value is absent (a view keeps no undefined fields it did not have before). */
function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

/**
 * Appends one point per RiskModel of a successful snapshot, keeping at most `limit` points
 * each and forgetting RiskModels that are gone. A failed snapshot adds nothing, so the
 * charts do not invent data while the cluster is unreachable. Returns a new map.
 */
export function recordSnapshot(history: History, snapshot: Snapshot, limit: number): History {
  if (snapshot.error !== undefined) return history;
  const next = new Map<string, readonly HistoryPoint[]>();
  for (const model of snapshot.models) {
    const point: HistoryPoint = { replicas: model.replicas, desired: model.desiredReplicas, cpu: model.currentCPU };
    const points = [...(history.get(keyOf(model)) ?? []), point];
    next.set(keyOf(model), points.slice(-Math.max(1, limit)));
  }
  return next;
}

/** The condition of `type`, if the RiskModel reports it. */
export function conditionOf(model: RiskModelView, type: string): ConditionView | undefined {
  return model.conditions.find((condition) => condition.type === type);
}

/** True when the status describes an older spec than the object now has. */
export function isStale(model: RiskModelView): boolean {
  return model.generation !== undefined && model.observedGeneration !== undefined
    && model.observedGeneration < model.generation;
}

function conditions(value: unknown): ConditionView[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item): ConditionView[] => {
    const type = text(field(item, 'type'));
    if (type === undefined) return [];
    return [{
      type,
      status: text(field(item, 'status')) ?? 'Unknown',
      reason: text(field(item, 'reason')),
      message: text(field(item, 'message')),
    }];
  });
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
