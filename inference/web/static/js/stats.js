// Latency and throughput arithmetic for the load-test panel. Pure, so it is unit-tested
// under Node; the page feeds it one sample a completed request.

/**
 * Nearest-rank percentile (p in 0..100) of an ascending array; NaN when it is empty.
 * Nearest-rank always returns a latency that was actually observed.
 */
export function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** p50 and p99 of an unsorted list of latencies (copied, not reordered). */
export function latencySummary(latencies) {
  const sorted = Float64Array.from(latencies).sort();
  return { count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

/**
 * Completions within a trailing time window (default 1 s). `add(t, latencyMs)` records a
 * completion at time t (ms); `summary(now)` forgets what is older than the window and
 * returns {count, rps, p50, p99} for what remains. Times must not go backwards.
 */
export class RollingWindow {
  constructor(windowMs = 1000) {
    this.windowMs = windowMs;
    this.times = [];
    this.latencies = [];
    this.head = 0;
  }

  add(t, latencyMs) {
    this.times.push(t);
    this.latencies.push(latencyMs);
  }

  summary(now) {
    this.#forgetBefore(now - this.windowMs);
    const live = this.latencies.slice(this.head);
    const { count, p50, p99 } = latencySummary(live);
    return { count, rps: (count * 1000) / this.windowMs, p50, p99 };
  }

  #forgetBefore(cutoff) {
    while (this.head < this.times.length && this.times[this.head] <= cutoff) this.head += 1;
    // Compact once the dead prefix dominates, so memory stays proportional to the window.
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.latencies = this.latencies.slice(this.head);
      this.head = 0;
    }
  }
}
