// Types for stats.js (plain JS served to the browser; typed for the Node unit tests).
export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
}
export declare function percentile(sorted: ArrayLike<number>, p: number): number;
export declare function latencySummary(latencies: ArrayLike<number>): LatencySummary;
export declare class RollingWindow {
  constructor(windowMs?: number);
  add(t: number, latencyMs: number): void;
  summary(now: number): LatencySummary & { rps: number };
}
