// The one polling helper, shared by the local cluster's tooling, the scripts (demo, deploy) and
// the test suites: controllers act asynchronously, so callers wait for the state a user would
// eventually see, and say what they last saw when it never comes.

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Thrown by a check to stop waiting at once (the awaited state can no longer come: the process died); waitFor rethrows it as it is. */
export class GiveUp extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GiveUp';
  }
}

export interface WaitOptions {
  /** What is awaited, for the timeout message: "3 Ready replicas of deployment web". */
  what: string;
  timeoutMs: number;
  /** Between polls (default 500 ms). */
  intervalMs?: number;
  /** Called after each poll that found nothing yet, e.g. to redraw a live view. */
  onPoll?: (elapsedMs: number) => void | Promise<void>;
}

/** What a check returns: the awaited value, or undefined, null or false for "not yet". */
export type Check<T> = (saw: (observed: unknown) => void) => Promise<T | undefined | null | false> | T | undefined | null | false;

/** One call of `check`: the awaited value, or what was seen instead (rethrowing GiveUp). */
async function poll<T>(check: Check<T>): Promise<{ value: T } | { last: unknown }> {
  let observed: unknown;
  try {
    const value = await check((seen) => (observed = seen));
    if (value !== undefined && value !== null && value !== false) return { value };
    return { last: observed ?? value };
  } catch (err) {
    if (err instanceof GiveUp) throw err;
    return { last: err };
  }
}

/**
 * Calls `check` until it returns something other than undefined, null or false, and resolves
 * with that. Errors thrown by `check` count as "not yet" (the object may not exist yet, the API
 * may be briefly unavailable), except GiveUp, which rejects at once. On timeout it rejects naming
 * `what` and the last thing seen: what `check` passed to `saw`, else its last result or error.
 */
export async function waitFor<T>(check: Check<T>, opts: WaitOptions): Promise<T> {
  const start = Date.now();
  for (;;) {
    const result = await poll(check);
    if ('value' in result) return result.value;
    const elapsed = Date.now() - start;
    if (elapsed >= opts.timeoutMs) {
      throw new Error(`timed out after ${Math.round(opts.timeoutMs / 1000)} s waiting for ${opts.what}; last saw ${describe(result.last)}`);
    }
    await opts.onPoll?.(elapsed);
    await sleep(opts.intervalMs ?? 500);
  }
}

function describe(value: unknown): string {
  if (value instanceof Error) return `${value.name === 'Error' ? 'error' : value.name}: ${value.message}`;
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 500 ? `${text.slice(0, 500)}…` : text;
}
