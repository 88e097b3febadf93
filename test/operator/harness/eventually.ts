// Polling for cluster state that converges: controllers act asynchronously, so tests wait for
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
export async function eventually<T>(
  what: string,
  probe: (saw: (observed: unknown) => void) => Promise<T | undefined | false>,
  { timeoutMs = 90_000, intervalMs = 250 }: EventuallyOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = 'nothing yet';
  for (;;) {
    let observed: unknown;
    try {
      const value = await probe((seen) => (observed = seen));
      if (value !== undefined && value !== false) return value;
      last = observed ?? value;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last saw: ${describe(last)}`);
    }
    await sleep(intervalMs);
  }
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function describe(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  return JSON.stringify(value) ?? String(value);
}
