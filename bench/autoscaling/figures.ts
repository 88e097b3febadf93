// The benchmark's figures: what one RiskModel's run observed, what follows from it (medians,
// reading ÷ target, the RequestsPerSecond ÷ CPU ratios of the times), the printed table and the
// JSON. Pure.
import { MAX_REPLICAS, MIN_REPLICAS, type Options } from './options.js';

export type Scaler = 'CPU' | 'RequestsPerSecond';

/** The three phases of a run whose machine load is reported. */
export type Phase = 'up' | 'hold' | 'down';

/** What one RiskModel's run observed. A time is undefined when the event did not come within its limit. */
export interface Run {
  scaler: Scaler;
  /** CPU: % of the request; RequestsPerSecond: requests a second per pod. */
  target: number;
  /** Seconds from load start to the HPA's first desiredReplicas above minReplicas. */
  firstUpSeconds?: number;
  /** Seconds from load start to maxReplicas Ready (the Deployment rolled out at maxReplicas). */
  maxReadySeconds?: number;
  /** The highest desiredReplicas the HPA asked for under load. */
  highestReplicas: number;
  /** Requests sent over the whole load, and those lost: non-2xx answers, connection errors, timeouts. */
  sent: number;
  lost: number;
  byCode: Record<string, number>;
  /** Requests a second the load really sent while held. */
  heldRate: number;
  /** While held: the HPA's own reading of the metric it scales on, in the target's unit. */
  readings: number[];
  /** While held: http_requests_per_second per pod from custom.metrics.k8s.io, averaged over the pods (both runs). */
  podRates: number[];
  /** While held: the HPA's currentReplicas. */
  replicas: number[];
  /** Seconds from load stop to minReplicas Ready again; undefined when it never left minReplicas or did not come back in time. */
  downSeconds?: number;
  /** The 1-minute load average sampled at each poll of a phase. */
  load: Record<Phase, number[]>;
}

/** What the table and the JSON show of a run. */
export interface Summary {
  scaler: Scaler;
  target: number;
  firstUpSeconds?: number;
  maxReadySeconds?: number;
  highestReplicas: number;
  downSeconds?: number;
  sent: number;
  lost: number;
  /** The HPA's settled reading while held (settled()), and that ÷ the target. */
  reading?: number;
  readingRatio?: number;
  /** The adapter's settled req/s per pod while held, and the load's rate while held ÷ the settled replica count. */
  podRate?: number;
  sentPerPod?: number;
  /** The highest 1-minute load average seen in each phase. */
  load: Record<Phase, number | undefined>;
}

/** The median, or undefined for no values. */
export function median(values: readonly number[]): number | undefined {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** The median of the second half of samples taken in order: what a reading settled at, after the first scrapes of new pods. */
export function settled(values: readonly number[]): number | undefined {
  return median(values.slice(Math.floor(values.length / 2)));
}

const highest = (values: readonly number[]): number | undefined => (values.length === 0 ? undefined : Math.max(...values));
const divide = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined || b === undefined || b === 0 ? undefined : a / b);

/** A run's summary. */
export function summarize(run: Run): Summary {
  const reading = settled(run.readings);
  const replicas = settled(run.replicas);
  return {
    scaler: run.scaler, target: run.target, firstUpSeconds: run.firstUpSeconds, maxReadySeconds: run.maxReadySeconds, highestReplicas: run.highestReplicas,
    downSeconds: run.downSeconds, sent: run.sent, lost: run.lost,
    reading, readingRatio: divide(reading, run.target), podRate: settled(run.podRates), sentPerPod: divide(run.heldRate, replicas),
    load: { up: highest(run.load.up), hold: highest(run.load.hold), down: highest(run.load.down) },
  };
}

/** RequestsPerSecond's time ÷ CPU's for each time both runs have; a ratio below 1 means requests a second was faster. */
export function timeRatios(rps: Summary, cpu: Summary): { firstUp?: number; maxReady?: number; down?: number } {
  return { firstUp: divide(rps.firstUpSeconds, cpu.firstUpSeconds), maxReady: divide(rps.maxReadySeconds, cpu.maxReadySeconds), down: divide(rps.downSeconds, cpu.downSeconds) };
}

const UNIT: Record<Scaler, string> = { CPU: '%', RequestsPerSecond: ' req/s' };
const seconds = (s: number | undefined, otherwise: string): string => (s === undefined ? otherwise : `${s.toFixed(0)} s`);
const ratio = (r: number | undefined): string => (r === undefined ? '—' : `${r.toFixed(2)}×`);
const num = (n: number | undefined, digits = 1, none = '?'): string => (n === undefined ? none : n.toFixed(digits));

function maxReadyCell(s: Summary, options: Options): string {
  if (s.maxReadySeconds !== undefined) return `${s.maxReadySeconds.toFixed(0)} s`;
  return `not in ${options.upTimeoutSeconds} s (highest ${s.highestReplicas})`;
}

function row(s: Summary, options: Options): string[] {
  return [
    s.scaler,
    `${s.target}${UNIT[s.scaler]}${s.scaler === 'RequestsPerSecond' ? '/pod' : ''}`,
    seconds(s.firstUpSeconds, `none in ${options.upTimeoutSeconds} s`),
    maxReadyCell(s, options),
    seconds(s.downSeconds, s.highestReplicas > MIN_REPLICAS ? 'not in time' : '— (never up)'),
    `${s.lost} / ${s.sent}`,
    `${num(s.reading)}${UNIT[s.scaler]} (${ratio(s.readingRatio)})`,
    `${num(s.podRate)} / ${num(s.sentPerPod)}`,
    `${num(s.load.up, 2, '—')} / ${num(s.load.hold, 2, '—')} / ${num(s.load.down, 2, '—')}`,
  ];
}

const HEADER = ['scales on', 'target', 'first scale-up', `${MAX_REPLICAS} Ready`, `back to ${MIN_REPLICAS}`, 'lost / sent', 'HPA reads per pod (÷ target)', 'req/s per pod: adapter / sent', 'load 1 min: up / hold / down'];

/** The table: one row a run, then the RequestsPerSecond ÷ CPU ratios of the times. Lines, no trailing newline. */
export function table(rps: Summary, cpu: Summary, options: Options): string[] {
  const r = timeRatios(rps, cpu);
  const rows = [HEADER, row(cpu, options), row(rps, options), ['RPS ÷ CPU', '', ratio(r.firstUp), ratio(r.maxReady), ratio(r.down), '', '', '', '']];
  const widths = HEADER.map((_, c) => Math.max(...rows.map((cells) => cells[c]?.length ?? 0)));
  const line = (cells: readonly string[]): string => cells.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ').trimEnd();
  return [line(HEADER), line(widths.map((w) => '-'.repeat(w))), ...rows.slice(1).map(line)];
}

/** Sentences under the table for what the cells cannot say: a run that never reached maxReplicas, requests lost. */
export function notes(rps: Summary, cpu: Summary, options: Options): string[] {
  const out: string[] = [];
  for (const s of [cpu, rps]) {
    if (s.maxReadySeconds === undefined) {
      out.push(`${s.scaler} at ${s.target}${UNIT[s.scaler]} never had ${MAX_REPLICAS} Ready within ${options.upTimeoutSeconds} s of ${options.rate} req/s (highest desired ${s.highestReplicas}), so the ratio of that time is missing.`);
    }
    if (s.lost > 0) out.push(`${s.scaler} lost ${s.lost} of ${s.sent} requests.`);
  }
  return out;
}

/** What --json writes: the options with the replica bounds, both summaries, the ratios and the raw runs; a time that never came is null. */
export function toJson(runs: { rps: Run; cpu: Run }, options: Options, when: Date): string {
  const rps = summarize(runs.rps);
  const cpu = summarize(runs.cpu);
  const report = { date: when.toISOString(), options: { ...options, minReplicas: MIN_REPLICAS, maxReplicas: MAX_REPLICAS }, summary: { cpu, rps, rpsOverCpu: timeRatios(rps, cpu) }, runs };
  return `${JSON.stringify(report, (_key, value: unknown) => (value === undefined ? null : value), 2)}\n`;
}
