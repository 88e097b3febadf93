// Steady real load through a RiskModel's Service while a test changes something, for the data-plane
// suites that must prove a change loses no request.
import { startLoad, type RunningLoad } from '../../scripts/demo/load.js';

/** Steady load well below what the pods can serve, so a lost request is a real loss, not overload. */
export const RATE = 150;

export interface LoadOutcome {
  /** Requests sent over the whole run (answered, refused or timed out). */
  sent: number;
  /** Non-2xx answers, connection errors and timeouts. */
  lost: number;
  /** Answers by exact status code, for the failure message. */
  byCode: Record<string, number>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `during` while `rate` requests a second go to POST `url`/predict; resolves with what was
 * sent and lost over the whole run, from 2 s before `during` to 3 s after it (requests sent while
 * the last change settled get their answers within that margin). Rethrows what `during` threw,
 * after stopping the load.
 */
export async function underLoad(url: URL, during: () => Promise<void>, rate = RATE): Promise<LoadOutcome> {
  const load: RunningLoad = await startLoad(url, rate, 8);
  let failure: Error | undefined;
  try {
    await sleep(2000);
    await during();
    await sleep(3000);
  } catch (err) {
    failure = err instanceof Error ? err : new Error(String(err));
  }
  const s = await load.stop();
  if (failure !== undefined) throw failure;
  return { sent: s.responses + s.connectionErrors + s.timeouts, lost: s.responses - s.status['2xx'] + s.connectionErrors + s.timeouts, byCode: s.byCode };
}
