// Typed reconcile errors and the retry policy. A TerminalError means "retrying cannot help
// until something changes" (a missing ConfigMap, an invalid artifact, a child the API
// server rejects as invalid): it becomes a Degraded condition and a Warning event, and the
// watches bring the key back when the user fixes it. Everything else backs off.

import type { ReasonName } from './reasons.js';

/** What the controller does with a key after a reconcile (kube-rs `Action`). */
export type Action = { requeueAfterMs: number } | { awaitChange: true };

export const awaitChange = (): Action => ({ awaitChange: true });
export const requeueAfter = (ms: number): Action => ({ requeueAfterMs: ms });

/** A problem the user must fix; never retried on a timer. */
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
 * Decides what a failed reconcile does next. Pure: terminal errors wait for a change;
 * a 409 conflict retries soon (the cache was stale); 429 honours Retry-After; everything
 * else (5xx, network, 403 while RBAC is being fixed) backs off exponentially with a cap.
 */
export function errorPolicy(err: unknown, attempts: number, policy: BackoffPolicy = DEFAULT_BACKOFF): Action {
  if (err instanceof TerminalError) return awaitChange();
  if (err instanceof ApiError && err.code === 409) return requeueAfter(Math.min(backoffMs(attempts, policy), 1_000));
  if (err instanceof ApiError && err.code === 429 && err.retryAfterSeconds !== undefined) {
    return requeueAfter(Math.min(err.retryAfterSeconds * 1_000, policy.capMs));
  }
  return requeueAfter(backoffMs(attempts, policy));
}
