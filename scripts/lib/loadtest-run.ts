// Runs a load test with autocannon and turns its result into the figures an operator reads:
// throughput, latency percentiles, status classes, connection errors and timeouts.

import autocannon from 'autocannon';
import type { LoadtestOptions } from './loadtest-options.js';
import { patientSource } from '../../inference/generator.js';
import { requestBody } from './vitals.js';

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;
type StatusClass = (typeof STATUS_CLASSES)[number];
const SAMPLE_BODY_CHARS = 300;

/** Counts for one second of the run, for a progress line. */
export interface LoadtestProgress {
  second: number;
  responses: number;
  status: Record<StatusClass, number>;
  /** Connection errors and timeouts in this second. */
  errors: number;
}

export interface LoadtestSummary {
  target: string;
  durationSeconds: number;
  rate: number | undefined;
  connections: number;
  batch: number | undefined;
  responses: number;
  requestsPerSecond: number;
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
  status: Record<StatusClass, number>;
  /** Responses by exact status code, e.g. `{ "200": 5990, "503": 10 }`. */
  byCode: Record<string, number>;
  /** Failed connections (refused, reset, …), not counting timeouts. */
  connectionErrors: number;
  timeouts: number;
  /** The first answer's body for each non-2xx status code, cut short, to show why. */
  sampleBodies: Record<string, string>;
  /** True when the run was stopped before its duration (Ctrl-C). */
  interrupted: boolean;
}

/**
 * Connections the run really opens: autocannon never opens more than the rate, since a
 * connection sends at least one request a second.
 */
export function effectiveConnections(options: Pick<LoadtestOptions, 'rate' | 'connections'>): number {
  return options.rate === undefined ? options.connections : Math.min(options.connections, options.rate);
}

export interface RunHooks {
  onProgress?: (progress: LoadtestProgress) => void;
  /** Aborting stops the run early; the summary covers what was sent until then. */
  signal?: AbortSignal;
}

/**
 * Runs the load described by `options` against `options.url` + `options.path` and resolves
 * with its summary. Does not check the target is loopback (the caller does). Rejects only
 * when autocannon cannot start (e.g. an invalid option); server errors are counted instead.
 */
export function runLoadtest(options: LoadtestOptions, hooks: RunHooks = {}): Promise<LoadtestSummary> {
  const nextPatient = patientSource(options.seed ?? Math.floor(Math.random() * 2 ** 32));
  const sampleBodies: Record<string, string> = {};
  const target = new URL(options.path, options.url).toString();
  return new Promise((resolve, reject) => {
    // Declared before the instance because autocannon may call back synchronously.
    const stop = (): void => instance.stop();
    const instance = autocannon({
      url: target,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      connections: options.connections,
      duration: options.durationSeconds,
      timeout: options.timeoutSeconds,
      // autocannon only notices the end of the duration at a sample tick; 100 ms keeps the
      // run within a tenth of a second of what was asked (the default overshoots up to 1 s).
      sampleInt: 100,
      // autocannon's coordinated-omission correction assumes a 1 ms send interval whatever
      // the rate, which invents latencies; report what was measured.
      ...(options.rate === undefined ? {} : { overallRate: options.rate, ignoreCoordinatedOmission: true }),
      ...(options.reconnectEvery === undefined ? {} : { reconnectRate: options.reconnectEvery }),
      requests: [{
        setupRequest: (request) => ({ ...request, body: requestBody(nextPatient, options.batch) }),
        onResponse: (status, body) => {
          if ((status < 200 || status > 299) && sampleBodies[status] === undefined) sampleBodies[status] = body.slice(0, SAMPLE_BODY_CHARS);
        },
      }],
    }, (err, result) => {
      hooks.signal?.removeEventListener('abort', stop);
      if (err !== null && err !== undefined) {
        reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      resolve(summarise(result, options, { sampleBodies, interrupted: hooks.signal?.aborted ?? false }));
    });
    hooks.signal?.addEventListener('abort', stop, { once: true });
    trackProgress(instance, options.durationSeconds, hooks.onProgress);
  });
}

function trackProgress(instance: autocannon.Instance, durationSeconds: number, onProgress: RunHooks['onProgress']): void {
  if (onProgress === undefined) return;
  let second = 0;
  let window = emptyWindow();
  instance.on('response', (_client, statusCode) => {
    window.responses++;
    const statusClass = STATUS_CLASSES[Math.floor(statusCode / 100) - 1];
    if (statusClass !== undefined) window.status[statusClass]++;
  });
  instance.on('reqError', () => { window.errors++; });
  instance.on('tick', () => {
    second++;
    // autocannon ticks once more while stopping; an empty extra second is noise.
    const idleAfterEnd = second > durationSeconds && window.responses === 0 && window.errors === 0;
    if (!idleAfterEnd) onProgress({ second, ...window });
    window = emptyWindow();
  });
}

function emptyWindow(): Omit<LoadtestProgress, 'second'> {
  return { responses: 0, status: { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 }, errors: 0 };
}

/** What autocannon reports that the summary reads (a subset of its Result). */
export type AutocannonResult = Pick<autocannon.Result,
  'duration' | 'errors' | 'timeouts' | 'latency' | 'statusCodeStats' | StatusClass>;

/** Turns autocannon's result into a summary. Pure. */
export function summarise(
  result: AutocannonResult,
  options: Pick<LoadtestOptions, 'url' | 'path' | 'rate' | 'connections' | 'batch'>,
  extra: Pick<LoadtestSummary, 'sampleBodies' | 'interrupted'>,
): LoadtestSummary {
  const status = { '1xx': result['1xx'], '2xx': result['2xx'], '3xx': result['3xx'], '4xx': result['4xx'], '5xx': result['5xx'] };
  const responses = STATUS_CLASSES.reduce((sum, statusClass) => sum + status[statusClass], 0);
  const byCode = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => [code, stat.count ?? 0]));
  return {
    target: new URL(options.path, options.url).toString(),
    durationSeconds: result.duration,
    rate: options.rate,
    connections: effectiveConnections(options),
    batch: options.batch,
    responses,
    requestsPerSecond: result.duration > 0 ? responses / result.duration : 0,
    latencyMs: { mean: result.latency.mean, p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    status,
    byCode,
    connectionErrors: result.errors - result.timeouts,
    timeouts: result.timeouts,
    ...extra,
  };
}

/** Why the run counts as failed (5xx answers, connection errors, timeouts); empty when it passed. */
export function failures(summary: LoadtestSummary): string[] {
  const reasons: string[] = [];
  if (summary.status['5xx'] > 0) reasons.push(`${plural(summary.status['5xx'], 'answer')} ${summary.status['5xx'] === 1 ? 'was a 5xx server error' : 'were 5xx server errors'}`);
  if (summary.connectionErrors > 0) reasons.push(`${plural(summary.connectionErrors, 'request')} failed to connect`);
  if (summary.timeouts > 0) reasons.push(`${plural(summary.timeouts, 'request')} timed out`);
  if (summary.responses === 0 && reasons.length === 0) reasons.push('the server answered no request');
  return reasons;
}

/** One progress line for a second of the run. Pure. */
export function formatProgress(progress: LoadtestProgress): string {
  const { status } = progress;
  return `${String(progress.second).padStart(4)}s  ${String(progress.responses).padStart(6)} req/s   `
    + `2xx ${status['2xx']}  4xx ${status['4xx']}  5xx ${status['5xx']}  errors ${progress.errors}`;
}

/** The human-readable summary, ending with PASS or FAIL and why. Pure. */
export function formatSummary(summary: LoadtestSummary): string {
  const { latencyMs: latency, status } = summary;
  const failed = failures(summary);
  const perSecond = summary.requestsPerSecond.toFixed(1);
  const lines = [
    `Load test of ${summary.target}${summary.interrupted ? ' (interrupted)' : ''}`,
    `  load        ${summary.rate === undefined ? 'as fast as possible' : `${summary.rate} req/s requested`}, `
      + `${plural(summary.connections, 'connection')}${summary.batch === undefined ? '' : `, ${summary.batch} patients a request`}`,
    `  duration    ${summary.durationSeconds.toFixed(1)} s`,
    `  throughput  ${perSecond} req/s (${summary.responses} answers)`
      + (summary.batch === undefined ? '' : `, ${(summary.requestsPerSecond * summary.batch).toFixed(0)} patients/s`),
    `  latency     p50 ${ms(latency.p50)}  p90 ${ms(latency.p90)}  p99 ${ms(latency.p99)}  max ${ms(latency.max)}  (mean ${ms(latency.mean)})`,
    `  status      2xx ${status['2xx']}  4xx ${status['4xx']}  5xx ${status['5xx']}`
      + (status['1xx'] + status['3xx'] > 0 ? `  other ${status['1xx'] + status['3xx']}` : ''),
    `  codes       ${Object.entries(summary.byCode).map(([code, n]) => `${code}×${n}`).join('  ') || 'none'}`,
    `  errors      ${plural(summary.connectionErrors, 'connection error')}, ${plural(summary.timeouts, 'timeout')}`,
    ...Object.entries(summary.sampleBodies).map(([code, body]) => `  first ${code} answer: ${body.replace(/\s+/g, ' ')}`),
    failed.length === 0 ? 'PASS: no 5xx answers, connection errors or timeouts' : `FAIL: ${failed.join('; ')}`,
  ];
  if (status['4xx'] > 0) lines.push('note: 4xx answers mean the server refused the requests (wrong --path, or a body it does not accept); they do not fail the run');
  return lines.join('\n');
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function ms(value: number): string {
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ms`;
}
