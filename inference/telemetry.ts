// Request and prediction metrics for GET /metrics, and a sliding window of recent
// prediction latencies for the status panel (GET /stats).
//
// prom-client hashes the label set on every inc()/observe(), which cost more than the
// whole prediction. So the request path only bumps plain numbers in a series object, and
// the numbers reach prom-client when Prometheus scrapes: counters through their collect()
// hook, the latency histogram as a small metric object the registry formats itself.

import { Counter, Gauge, Registry, collectDefaultMetrics, type Metric } from 'prom-client';
import type { Model } from './model.js';

const WINDOW = 2048;
const BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const LINT_FAILING_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** Counts requests of one route and method; see Telemetry.routeRecorder. */
export interface RouteRecorder {
  /** `aborted`: the client broke off before the server could answer. */
  record(status: number | 'aborted', seconds: number): void;
}

// Node accepts some 30 methods; anything else is labelled `other` so the label stays bounded.
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);

/** The request method as a metric label: a common method, or `other`. */
export function methodLabel(method: string | undefined): string {
  return method !== undefined && METHODS.has(method) ? method : 'other';
}

export interface LatencySummary {
  p50: number;
  p99: number;
}

/** Counts for one (route, method, status), pending until the next scrape. */
interface RequestSeries {
  labels: { route: string; method: string; status: string };
  count: number;
  flushed: number;
}

/** Non-cumulative bucket counts for one (route, method); cumulated when scraped. */
interface DurationSeries {
  labels: { route: string; method: string };
  buckets: Float64Array;
  sum: number;
  count: number;
}

interface MetricValue {
  labels: Record<string, string | number>;
  value: number;
  metricName: string;
}

const DURATION_NAME = 'http_request_duration_seconds';

function bucketValues(series: DurationSeries): MetricValue[] {
  const out: MetricValue[] = [];
  let cumulative = 0;
  BUCKETS.forEach((le, i) => {
    cumulative += series.buckets[i] ?? 0;
    out.push({ labels: { le, ...series.labels }, value: cumulative, metricName: `${DURATION_NAME}_bucket` });
  });
  out.push({ labels: { le: '+Inf', ...series.labels }, value: series.count, metricName: `${DURATION_NAME}_bucket` });
  out.push({ labels: series.labels, value: series.sum, metricName: `${DURATION_NAME}_sum` });
  out.push({ labels: series.labels, value: series.count, metricName: `${DURATION_NAME}_count` });
  return out;
}

/** Metrics for one server; each instance has its own registry, so tests can run several. */
export class Telemetry {
  readonly registry = new Registry();
  private readonly requestSeries: RequestSeries[] = [];
  private readonly recorders = new Map<string, RouteRecorder>();
  private readonly durationSeries = new Map<string, DurationSeries>();
  private readonly predictionCounts = new Map<string, { count: number; flushed: number }>();
  private readonly window = new Float64Array(WINDOW);
  private windowCount = 0;
  private served = 0;
  private inFlightNow = 0;
  private readonly dropped: Counter;

  constructor(model: Pick<Model, 'version' | 'format'>, options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    const requests = this.requestSeries;
    const predictions = this.predictionCounts;
    new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests by route, method and status code.',
      labelNames: ['route', 'method', 'status'],
      registers,
      collect() {
        for (const s of requests) {
          if (s.count > s.flushed) this.inc(s.labels, s.count - s.flushed);
          s.flushed = s.count;
        }
      },
    });
    this.registry.registerMetric(this.durationMetric() as unknown as Metric);
    new Counter({
      name: 'predictions_total',
      help: 'Predictions served, by predicted risk class.',
      labelNames: ['risk'],
      registers,
      collect() {
        for (const [risk, s] of predictions) {
          if (s.count > s.flushed) this.inc({ risk }, s.count - s.flushed);
          s.flushed = s.count;
        }
      },
    });
    const inFlight = (): number => this.inFlightNow;
    new Gauge({
      name: 'http_requests_in_flight',
      help: 'Requests being served now; probes, /metrics and smoke requests are not counted.',
      registers,
      collect() {
        this.set(inFlight());
      },
    });
    this.dropped = new Counter({ name: 'http_connections_dropped_total', help: 'Connections closed on accept because MAX_CONNECTIONS were open.', registers });
    const info = new Gauge({ name: 'model_info', help: 'The model being served (always 1), labelled with its version.', labelNames: ['version', 'format'], registers });
    info.set({ version: model.version, format: model.format }, 1);
    if (options.processMetrics !== false) {
      collectDefaultMetrics({ register: this.registry });
      // Gauges that end in _total fail `promtool check metrics`; their unsuffixed
      // per-type twins (nodejs_active_handles etc.) carry the same information.
      for (const name of LINT_FAILING_DEFAULTS) this.registry.removeSingleMetric(name);
    }
  }

  private durationMetric(): object {
    const series = this.durationSeries;
    const help = 'Time from request start to the response being written, by route.';
    return {
      name: DURATION_NAME,
      help,
      type: 'histogram',
      aggregator: 'sum',
      get: () => Promise.resolve({ name: DURATION_NAME, help, type: 'histogram', aggregator: 'sum', values: [...series.values()].flatMap(bucketValues) }),
      reset: () => series.clear(),
    };
  }

  /** A recorder bound to one route and method, for handlers that count many requests. */
  routeRecorder(route: string, rawMethod: string): RouteRecorder {
    const method = methodLabel(rawMethod);
    const key = `${route} ${method}`;
    let recorder = this.recorders.get(key);
    if (!recorder) this.recorders.set(key, (recorder = this.newRecorder(route, method)));
    return recorder;
  }

  /** Counts one finished request and its duration. */
  recordRequest(route: string, method: string, status: number | 'aborted', seconds: number): void {
    this.routeRecorder(route, method).record(status, seconds);
  }

  private newRecorder(route: string, method: string): RouteRecorder {
    const timed: DurationSeries = { labels: { route, method }, buckets: new Float64Array(BUCKETS.length), sum: 0, count: 0 };
    this.durationSeries.set(`${route} ${method}`, timed);
    const byStatus = new Map<number | string, RequestSeries>();
    return {
      record: (status, seconds) => {
        this.served++;
        let counted = byStatus.get(status);
        if (!counted) {
          counted = { labels: { route, method, status: String(status) }, count: 0, flushed: 0 };
          byStatus.set(status, counted);
          this.requestSeries.push(counted);
        }
        counted.count++;
        timed.count++;
        timed.sum += seconds;
        let i = 0;
        while (i < BUCKETS.length && seconds > (BUCKETS[i] as number)) i++;
        if (i < BUCKETS.length) timed.buckets[i] = (timed.buckets[i] as number) + 1;
      },
    };
  }

  /** A request that counts as load started; pair with requestEnded() exactly once. */
  requestStarted(): void {
    this.inFlightNow++;
  }

  /** A request counted by requestStarted() was answered or broken off. */
  requestEnded(): void {
    this.inFlightNow--;
  }

  /** Requests being served now (the in-flight gauge). */
  get inFlight(): number {
    return this.inFlightNow;
  }

  /** Counts a connection refused by the connection cap (rare, so prom-client directly). */
  recordDroppedConnection(): void {
    this.dropped.inc();
  }

  /** Adds a prediction request's latency to the window behind latency(). */
  recordPredictionLatency(seconds: number): void {
    this.window[this.windowCount++ % WINDOW] = seconds * 1000;
  }

  /** Adds `count` predictions of class `risk`. */
  recordPredictions(risk: string, count = 1): void {
    let s = this.predictionCounts.get(risk);
    if (!s) this.predictionCounts.set(risk, (s = { count: 0, flushed: 0 }));
    s.count += count;
  }

  /** Requests finished so far, all routes. */
  get requestsServed(): number {
    return this.served;
  }

  /** p50/p99 in ms over the last WINDOW prediction requests; zeros before the first. */
  latency(): LatencySummary {
    const n = Math.min(this.windowCount, WINDOW);
    if (n === 0) return { p50: 0, p99: 0 };
    const sorted = this.window.slice(0, n).sort();
    const at = (q: number): number => sorted[Math.min(n - 1, Math.ceil(q * n) - 1)] ?? 0;
    return { p50: at(0.5), p99: at(0.99) };
  }
}
