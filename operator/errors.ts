// Typed reconcile errors and the retry policy. A TerminalError means "retrying cannot help
// until something changes" (a missing ConfigMap, an invalid artifact, a child the API
// server rejects as invalid): the reconciler turns it into a Degraded condition and a Warning
// event, and the watches bring the key back when the user fixes it, so it never reaches the
// retry policy. Every error that does escape a reconcile is retried with backoff.

import type { ReasonName } from './api/reasons.js';

/** Reconcile the key again after this long (unless an event brings it back sooner). */
export type Requeue = { requeueAfterMs: number };

/** What the controller does with a key after a reconcile (kube-rs `Action`). */
export type Action = Requeue | { awaitChange: true };

export const awaitChange = (): Action => ({ awaitChange: true });
export const requeueAfter = (ms: number): Requeue => ({ requeueAfterMs: ms });

/** A problem the user must fix: the reconciler reports it in the status instead of throwing it on. */
export class TerminalError extends Error {
  constructor(
    readonly reason: ReasonName,
    message: string,
  ) {
    super(message);
    this.name = 'TerminalError';
  }
}

/** A non-2xx answer from the API server, with the Status object's reason and message. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly statusReason: string,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 250, capMs: 120_000 };

/** base·2^(attempts−1), capped; attempts counts failures so far (≥ 1). Pure. */
export function backoffMs(attempts: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 30);
  return Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
}

/**
 * When a failed reconcile runs again. Pure: a 409 conflict retries soon (the cache was stale);
 * 429 honours Retry-After; everything else (5xx, network, 403 while RBAC is being fixed)
 * backs off exponentially with a cap. `attempts` counts this key's failures so far (≥ 1).
 */
export function errorPolicy(err: unknown, attempts: number, policy: BackoffPolicy = DEFAULT_BACKOFF): Requeue {
  if (err instanceof ApiError && err.code === 409) return requeueAfter(Math.min(backoffMs(attempts, policy), 1_000));
  if (err instanceof ApiError && err.code === 429 && err.retryAfterSeconds !== undefined) {
    return requeueAfter(Math.min(err.retryAfterSeconds * 1_000, policy.capMs));
  }
  return requeueAfter(backoffMs(attempts, policy));
}
