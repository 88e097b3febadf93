import { waitFor } from '../../../localcluster/wait.js';
// Polling for cluster state that converges (through the one polling helper, localcluster/wait.ts): controllers act asynchronously, so tests wait for
// the state a user would eventually see, and say what they last saw when it never comes.

export interface EventuallyOptions {
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
}

/**
 * Calls `probe` until it returns something other than undefined/false and resolves with that.
 * Errors thrown by `probe` count as "not yet" (the object may not exist yet). On timeout it
 * rejects naming `what` and the last thing seen: what `probe` passed to `saw`, else its
 * last result or error.
 */
export function eventually<T>(
  what: string,
  probe: (saw: (observed: unknown) => void) => Promise<T | undefined | false>,
  { timeoutMs = 90_000, intervalMs = 250 }: EventuallyOptions = {},
): Promise<T> {
  return waitFor(probe, { what, timeoutMs, intervalMs });
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
