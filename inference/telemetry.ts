// Request and prediction metrics: a prom-client registry for GET /metrics, and a small
// sliding window of recent prediction latencies for the status panel (GET /stats).

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Model } from './model.js';

const WINDOW = 2048;
const LINT_FAILING_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export interface LatencySummary {
  p50: number;
  p99: number;
}

interface Counted {
  inc(): void;
}
interface Observed {
  observe(value: number): void;
}

/** Metrics for one server; each instance has its own registry, so tests can run several. */
export class Telemetry {
  readonly registry = new Registry();
  private readonly requests: Counter<'route' | 'method' | 'status'>;
  private readonly duration: Histogram<'route' | 'method'>;
  private readonly predictions: Counter<'risk'>;
  // Label lookups hash their labels on every call; the hot path reuses bound children.
  private readonly requestChildren = new Map<string, Counted>();
  private readonly durationChildren = new Map<string, Observed>();
  private readonly predictionChildren = new Map<string, { inc(n: number): void }>();
  private readonly window = new Float64Array(WINDOW);
  private windowCount = 0;
  private served = 0;

  constructor(model: Pick<Model, 'version' | 'format'>, options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests by route, method and status code.', labelNames: ['route', 'method', 'status'], registers });
    this.duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from request start to the response being written, by route.',
      labelNames: ['route', 'method'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.predictions = new Counter({ name: 'predictions_total', help: 'Predictions served, by predicted risk class.', labelNames: ['risk'], registers });
    const info = new Gauge({ name: 'model_info', help: 'The model being served (always 1), labelled with its version.', labelNames: ['version', 'format'], registers });
    info.set({ version: model.version, format: model.format }, 1);
    if (options.processMetrics !== false) {
      collectDefaultMetrics({ register: this.registry });
      // Gauges that end in _total fail `promtool check metrics`; their unsuffixed
      // per-type twins (nodejs_active_handles etc.) carry the same information.
      for (const name of LINT_FAILING_DEFAULTS) this.registry.removeSingleMetric(name);
    }
  }

  /** Counts one finished request. */
  recordRequest(route: string, method: string, status: number, seconds: number): void {
    this.served++;
    const key = `${route}\u0000${method}\u0000${status}`;
    let counter = this.requestChildren.get(key);
    if (!counter) this.requestChildren.set(key, (counter = this.requests.labels(route, method, String(status))));
    counter.inc();
    const durationKey = `${route}\u0000${method}`;
    let histogram = this.durationChildren.get(durationKey);
    if (!histogram) this.durationChildren.set(durationKey, (histogram = this.duration.labels(route, method)));
    histogram.observe(seconds);
  }

  /** Adds a prediction request's latency to the window behind latency(). */
  recordPredictionLatency(seconds: number): void {
    this.window[this.windowCount++ % WINDOW] = seconds * 1000;
  }

  /** Adds `count` predictions of class `risk`. */
  recordPredictions(risk: string, count = 1): void {
    let counter = this.predictionChildren.get(risk);
    if (!counter) this.predictionChildren.set(risk, (counter = this.predictions.labels(risk)));
    counter.inc(count);
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
