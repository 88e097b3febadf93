// What request handlers share: the model, limits, telemetry, logger and lifecycle state.

import type { Logger } from 'winston';
import type { Limits } from '../config.js';
import type { Model } from '../model.js';
import type { Telemetry } from '../telemetry.js';

/** Readiness state, flipped by the server: ready after the smoke prediction, draining after SIGTERM. */
export interface Lifecycle {
  ready: boolean;
  shuttingDown: boolean;
  readonly startedAt: number;
}

export interface ServingContext {
  model: Model;
  limits: Limits;
  telemetry: Telemetry;
  logger: Logger;
  lifecycle: Lifecycle;
}

const RECORDED = Symbol('riskmodel.recorded');

/** Marks a response as already counted in metrics, so the generic middleware skips it. */
export function markRecorded(res: object): void {
  (res as Record<symbol, boolean>)[RECORDED] = true;
}

export function isRecorded(res: object): boolean {
  return (res as Record<symbol, boolean>)[RECORDED] === true;
}
