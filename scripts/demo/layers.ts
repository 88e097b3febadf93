// A load whose rate can rise while it runs. autocannon fixes a run's rate when it starts, so a
// higher rate is another run (a layer, with its own connections) beside the ones already running;
// the totals are the layers' sum and stopping merges their summaries.
import type { LoadtestSummary } from '../lib/loadtest-run.js';
import { startLoad, type LoadTotals, type RunningLoad } from './load.js';

/** A summary of several layers; `layers` says how many runs it merges (see mergeSummaries for latency). */
export interface LayeredSummary extends LoadtestSummary {
  layers: number;
}

export interface LayeredLoad extends RunningLoad {
  /** Requests a second all layers send together. */
  rate(): number;
  /** Starts another layer sending `rate` more requests a second. */
  add(rate: number): Promise<void>;
  stop(): Promise<LayeredSummary>;
}

/** How a layer is started (startLoad, or a fake in tests). */
export type StartLayer = (url: URL, rate: number) => Promise<RunningLoad>;

/**
 * Starts one layer at `rate` to POST `url`/predict (startLoad's local-target check applies to
 * each). `stop()` stops every layer at once and resolves with their merged summary; calling it
 * again resolves with the same summary.
 */
export async function startLayeredLoad(url: URL, rate: number, start: StartLayer = startLoad): Promise<LayeredLoad> {
  const layers: Array<{ rate: number; load: RunningLoad }> = [{ rate, load: await start(url, rate) }];
  let stopped: Promise<LayeredSummary> | undefined;
  return {
    rate: () => layers.reduce((sum, l) => sum + l.rate, 0),
    add: async (more) => {
      if (stopped) throw new Error('the load has stopped');
      layers.push({ rate: more, load: await start(url, more) });
    },
    totals: () => layers.map((l) => l.load.totals()).reduce(addTotals, { ok: 0, failed: 0 }),
    stop: () => {
      stopped ??= Promise.all(layers.map((l) => l.load.stop())).then(mergeSummaries);
      return stopped;
    },
  };
}

function addTotals(a: LoadTotals, b: LoadTotals): LoadTotals {
  return { ok: a.ok + b.ok, failed: a.failed + b.failed };
}

function sumRecords<K extends string>(records: ReadonlyArray<Record<K, number>>): Record<K, number> {
  const sum: Partial<Record<K, number>> = {};
  for (const record of records) for (const [key, n] of Object.entries(record) as Array<[K, number]>) sum[key] = (sum[key] ?? 0) + n;
  return sum as Record<K, number>;
}

/**
 * One summary for layers run side by side (the first started first and ran longest). Pure. Counts,
 * status classes, codes, errors and rates add up; the duration is the longest layer's. autocannon
 * reports percentiles, not its histogram, so the merged run's percentiles cannot be computed: p50,
 * p90 and p99 are the worst layer's, an upper bound of the whole run's (at least 99 % of every
 * layer's answers, hence of all answers, took at most the largest p99). The mean is weighted by
 * answers, the max is the max.
 */
export function mergeSummaries(summaries: readonly LoadtestSummary[]): LayeredSummary {
  const [first, ...rest] = summaries;
  if (first === undefined) throw new Error('no summary to merge');
  const all = [first, ...rest];
  const responses = all.reduce((n, s) => n + s.responses, 0);
  const durationSeconds = Math.max(...all.map((s) => s.durationSeconds));
  const worst = (pick: (s: LoadtestSummary) => number): number => Math.max(...all.map(pick));
  const mean = responses > 0 ? all.reduce((n, s) => n + s.latencyMs.mean * s.responses, 0) / responses : first.latencyMs.mean;
  return {
    ...first,
    durationSeconds,
    rate: all.every((s) => s.rate !== undefined) ? all.reduce((n, s) => n + (s.rate ?? 0), 0) : undefined,
    connections: all.reduce((n, s) => n + s.connections, 0),
    responses,
    requestsPerSecond: durationSeconds > 0 ? responses / durationSeconds : 0,
    latencyMs: { mean, p50: worst((s) => s.latencyMs.p50), p90: worst((s) => s.latencyMs.p90), p99: worst((s) => s.latencyMs.p99), max: worst((s) => s.latencyMs.max) },
    status: sumRecords(all.map((s) => s.status)),
    byCode: sumRecords(all.map((s) => s.byCode)),
    connectionErrors: all.reduce((n, s) => n + s.connectionErrors, 0),
    timeouts: all.reduce((n, s) => n + s.timeouts, 0),
    // The first layer's sample of a code wins, as within one run.
    sampleBodies: all.reduce<Record<string, string>>((bodies, s) => ({ ...s.sampleBodies, ...bodies }), {}),
    interrupted: all.some((s) => s.interrupted),
    layers: all.length,
  };
}
