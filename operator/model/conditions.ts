// The conditions helper (cert-manager style). Pure: the clock is an argument.

import type { Condition, ConditionStatus } from '../api/riskmodel.js';

export interface ConditionUpdate {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
}

/**
 * Returns a new list with `update` set. `lastTransitionTime` is kept when the status did not
 * change (only reason/message moved) and set to `now` when it did; `observedGeneration` is
 * always recorded. Other conditions keep their order; the input is not mutated.
 */
export function setCondition(conditions: readonly Condition[] | undefined, update: ConditionUpdate, observedGeneration: number, now: Date): Condition[] {
  const list = conditions ?? [];
  const previous = list.find((c) => c.type === update.type);
  const lastTransitionTime = previous && previous.status === update.status ? previous.lastTransitionTime : rfc3339(now);
  const next: Condition = { ...update, lastTransitionTime, observedGeneration };
  return previous ? list.map((c) => (c.type === update.type ? next : { ...c })) : [...list.map((c) => ({ ...c })), next];
}

/** The condition of a type, if present. */
export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** Whole seconds, as the API server stores metav1.Time (so a round trip compares equal). */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** What isReady reads of a RiskModel: any of the project's views of one (operator, scripts, tests) fits. */
export interface ReadyView {
  metadata: { generation?: number };
  status?: { observedGeneration?: number; conditions?: readonly { type: string; status: string }[] };
}

/**
 * Ready=True for the RiskModel's current generation: what `kubectl wait --for=condition=Ready`
 * waits for, once the operator has seen the latest spec. The one definition the demo, the
 * benchmarks and the tests share.
 */
export function isReady(rm: ReadyView): boolean {
  return rm.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' && rm.status.observedGeneration === rm.metadata.generation;
}
