// What a reconcile may use: read-only caches, a writer, an event recorder, the clock and a
// logger. Injected so the reconciler runs against fakes in unit tests.

import type { V1ConfigMap, V1Deployment, V1Service, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import type { RiskModel, RiskModelStatus } from './api.js';
import type { Recorder } from './events.js';
import type { Logger } from './logger.js';

export type Child = V1Deployment | V1Service | V2HorizontalPodAutoscaler;

/** Read access to the informer caches. Returned objects are shared: never mutate them. */
export interface Cache {
  riskModel(namespace: string, name: string): RiskModel | undefined;
  configMap(namespace: string, name: string): V1ConfigMap | undefined;
  deployment(namespace: string, name: string): V1Deployment | undefined;
  service(namespace: string, name: string): V1Service | undefined;
  hpa(namespace: string, name: string): V2HorizontalPodAutoscaler | undefined;
}

export interface Writer {
  /** Server-side apply under the operator's field manager; returns the object as stored. */
  apply<T extends Child>(obj: T): Promise<T>;
  /**
   * JSON merge patch of the whole desired object: our lists replace the stored ones. For a
   * drifted child whose apply the server refuses because a hand edit turned one of our list
   * entries into someone else's (a Service port renumbered by hand keeps its name, so our port
   * would be a duplicate).
   */
  overwrite<T extends Child>(obj: T): Promise<T>;
  applyStatus(rm: RiskModel, status: RiskModelStatus): Promise<void>;
}

export interface ReconcileContext {
  cache: Cache;
  writer: Writer;
  events: Recorder;
  inferenceImage: string;
  now: () => Date;
  log: Logger;
  /** How long after a reconcile a RiskModel is looked at again without an event; 0 = only on events. */
  resyncMs: number;
}
