// What request handlers share: the model, limits, telemetry, logger and lifecycle state.

import type { Logger } from 'winston';
import type { Limits } from '../config.js';
import type { CompiledModel } from '../compiled-model.js';
import type { DriftMonitor } from '../drift/monitor.js';
import type { Model } from '../model.js';
import type { Vitals } from '../schema.js';
import type { Telemetry } from '../telemetry.js';

/** Readiness state, flipped by the server: ready after the smoke prediction, draining after SIGTERM. */
export interface Lifecycle {
  ready: boolean;
  shuttingDown: boolean;
  readonly startedAt: number;
}

export interface ServingContext {
  model: Model;
  /** The name the Open Inference Protocol routes serve the model under. */
  modelName: string;
  compiled: CompiledModel;
  /** Accepts exactly the rows validation accepts, cheaply. */
  gate: (row: unknown) => row is Vitals;
  limits: Limits;
  telemetry: Telemetry;
  /** The input drift window every scoring route feeds (inactive without a reference). */
  drift: DriftMonitor;
  logger: Logger;
  lifecycle: Lifecycle;
}
