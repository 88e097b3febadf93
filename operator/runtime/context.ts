// What a reconcile may use: read-only caches, a writer, an event recorder, the clock and a
// logger. Injected so the reconciler runs against fakes in unit tests.

import type { V1ConfigMap, V1Deployment, V1Pod } from '@kubernetes/client-node';
import type { RiskModel } from '../api/riskmodel.js';
import type { FigureSource } from './measuring-loops.js';
import type { CanaryFigures } from '../delivery/analysis/figures.js';
import type { DriftFigures } from '../model/input-drift.js';
import type { Child, ChildKind } from '../api/children.js';
import type { Recorder } from './events.js';
import type { Logger } from '../logger.js';

export type { Child } from '../api/children.js';
export type { Writer } from '../kube/writer.js';
import type { Writer } from '../kube/writer.js';

/** Read access to the informer caches. Returned objects are shared: never mutate them. */
export interface Cache {
  riskModel(namespace: string, name: string): RiskModel | undefined;
  configMap(namespace: string, name: string): V1ConfigMap | undefined;
  /** The child of `kind` named `name`; children carry their RiskModel's name. */
  child(kind: ChildKind, namespace: string, name: string): Child | undefined;
  /** The Deployment named `name` (the canary's is not a per-name child). */
  deployment(namespace: string, name: string): V1Deployment | undefined;
  /** ConfigMaps in `namespace` whose labels include every entry of `labels` (the RiskModel's snapshots). */
  configMapsLabelled(namespace: string, labels: Record<string, string>): V1ConfigMap[];
  /** The pods of the RiskModel `name` (stable and canary: they carry its instance label). */
  pods(namespace: string, name: string): V1Pod[];
}


export interface ReconcileContext {
  cache: Cache;
  writer: Writer;
  events: Recorder;
  inferenceImage: string;
  now: () => Date;
  log: Logger;
  /** The latest figures of each running canary, measured outside the reconcile (operator/runtime/measuring-loops.ts). */
  analyzer: FigureSource<CanaryFigures>;
  /** The latest input drift of each RiskModel's stable pods, measured the same way. */
  drift: FigureSource<DriftFigures>;
  /** How long after a reconcile a RiskModel is looked at again without an event; 0 = only on events. */
  resyncMs: number;
}
