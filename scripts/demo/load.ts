// Real load for the demo: `npm run loadtest`'s engine (autocannon) sending patients to a Service
// ClusterIP at a steady rate for as long as the demo needs, with running totals the steps read
// between two moments ("requests lost during the rollout").
import type { LoadtestOptions } from '../lib/loadtest-options.js';
import { runLoadtest, type LoadtestProgress, type LoadtestSummary } from '../lib/loadtest-run.js';
import { assertLocalTarget } from '../lib/local-target.js';

/** Running totals since the load started. */
export interface LoadTotals {
  /** Answers with a 2xx status. */
  ok: number;
  /** Answers with any other status, connection errors and timeouts: requests a client lost. */
  failed: number;
}

/** The difference of two snapshots of the totals. Pure. */
export function between(before: LoadTotals, after: LoadTotals): LoadTotals {
  return { ok: after.ok - before.ok, failed: after.failed - before.failed };
}

/** Adds one second of progress to the totals. Pure. */
export function addProgress(totals: LoadTotals, p: LoadtestProgress): LoadTotals {
  const answered = p.status['1xx'] + p.status['2xx'] + p.status['3xx'] + p.status['4xx'] + p.status['5xx'];
  return { ok: totals.ok + p.status['2xx'], failed: totals.failed + (answered - p.status['2xx']) + p.errors };
}

export interface RunningLoad {
  /** What was sent, counted so far (updated every progress tick, a tenth of a second). */
  totals(): LoadTotals;
  /** Stops the load and resolves with autocannon's summary of the whole run. */
  stop(): Promise<LoadtestSummary>;
}

/** The longest run the loadtest accepts; the demo stops it long before. */
const MAX_SECONDS = 3600;

/**
 * Starts sending `rate` requests a second to POST `url`/predict (each a random patient). Refuses,
 * before sending anything, a URL that is neither loopback nor a local-cluster address routed to
 * its bridge. The load runs until `stop()`.
 */
export async function startLoad(url: URL, rate: number, connections = 16): Promise<RunningLoad> {
  await assertLocalTarget(url.hostname);
  const options: LoadtestOptions = {
    url, path: '/predict', rate, durationSeconds: MAX_SECONDS, connections, batch: undefined,
    // Reconnecting every 100 requests spreads the load over pods the HPA adds (a few seconds per connection).
    timeoutSeconds: 10, seed: 42, reconnectEvery: 100, allowRemote: false, json: true,
  };
  const controller = new AbortController();
  let totals: LoadTotals = { ok: 0, failed: 0 };
  const done = runLoadtest(options, {
    signal: controller.signal,
    onProgress: (p) => { totals = addProgress(totals, p); },
  });
  return {
    totals: () => ({ ...totals }),
    stop: () => {
      controller.abort();
      return done;
    },
  };
}
