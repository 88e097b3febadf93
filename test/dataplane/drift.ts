// What input drift (issue 20) looks like from outside on the real node: patients from the
// training generator (optionally with SpO2 shifted) sent to a RiskModel's Service as
// /predict/batch, and each pod's own GET /drift read through the API server's pod proxy, joined
// over the pods the way the operator is meant to (window counts summed, PSI against the
// artifact's reference), so a test can tell which pod windows the operator's figures describe.
import http from 'node:http';
import type * as k8s from '@kubernetes/client-node';
import type { DriftReport } from '../../inference/drift/monitor.js';
import { psi } from '../../inference/drift/psi.js';
import { patientSource } from '../../inference/generator.js';
import { FEATURES, type Vitals } from '../../inference/schema.js';
import { CONTAINER_PORT } from '../../operator/model/desired.js';
import { requestBody, type VitalsSource } from '../../scripts/lib/vitals.js';
import { kubectlOk } from '../support/cluster.js';

const SPO2 = FEATURES.find((f) => f.name === 'oxygenSaturation') ?? { min: 50, max: 100 };

/**
 * Ward patients drawn like the training records (inference/generator.ts, `seed`), with oxygen
 * saturation moved by `spo2Shift` points and kept inside the API's range, as a pulse oximeter
 * that reads low would report them.
 */
export function wardPatients(seed: number, spo2Shift = 0): VitalsSource {
  const next = patientSource(seed);
  if (spo2Shift === 0) return next;
  return (): Vitals => {
    const v = next();
    return { ...v, oxygenSaturation: Math.min(SPO2.max, Math.max(SPO2.min, v.oxygenSaturation + spo2Shift)) };
  };
}

/**
 * POSTs `instances` patients from `next` to `url`/predict/batch, one fresh TCP connection per
 * request: kube-proxy picks an endpoint per connection, so a kept-alive connection would send
 * every row to one pod. Rejects on any answer but 200.
 */
export function postBatch(url: URL, next: VitalsSource, instances: number): Promise<void> {
  const body = requestBody(next, instances);
  return new Promise((resolve, reject) => {
    const req = http.request(new URL('/predict/batch', url), { method: 'POST', agent: false, headers: { 'content-type': 'application/json' }, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`POST /predict/batch answered ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error('POST /predict/batch timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

/** Sends `rows` patients from `next` in batches of `batch` over `connections` parallel senders; resolves once all were answered 200. */
export async function sendRows(url: URL, next: VitalsSource, rows: number, { batch = 25, connections = 4 } = {}): Promise<void> {
  let left = rows;
  const sender = async (): Promise<void> => {
    while (left > 0) {
      const n = Math.min(batch, left);
      left -= n;
      await postBatch(url, next, n);
    }
  };
  await Promise.all(Array.from({ length: connections }, sender));
}

export interface Stream {
  /** Rows answered so far. */
  sent(): number;
  /** Stops sending; resolves once the last request was answered, rejects with the first failure. */
  stop(): Promise<void>;
}

/** Sends `rowsPerSecond` patients from `next` a second, in batches of `batch`, until stopped. */
export function startStream(url: URL, next: VitalsSource, rowsPerSecond: number, batch = 25): Stream {
  const intervalMs = (1000 * batch) / rowsPerSecond;
  let sent = 0;
  let stopped = false;
  const run = async (): Promise<void> => {
    const started = Date.now();
    for (let i = 0; !stopped; i++) {
      await postBatch(url, next, batch);
      sent += batch;
      const wait = started + (i + 1) * intervalMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  };
  const done = run();
  done.catch(() => undefined);
  return { sent: () => sent, stop: () => ((stopped = true), done) };
}

/** One pod's GET /drift, through the API server's pod proxy. */
export async function podDrift(pod: k8s.V1Pod): Promise<DriftReport> {
  const { namespace, name } = pod.metadata ?? {};
  return JSON.parse(await kubectlOk(['get', '--raw', `/api/v1/namespaces/${namespace}/pods/${name}:${CONTAINER_PORT}/proxy/drift`])) as DriftReport;
}

export interface JoinedDrift {
  /** Rows summed over the pods' windows. */
  rows: number;
  pods: number;
  /** Rows in each pod's window and its capacity, by pod. */
  windows: Record<string, { rows: number; capacity: number }>;
  /** PSI per feature of the summed windows against the reference, worst first. */
  features: { name: string; psi: number }[];
}

/** The pods' windows joined: bin counts summed over the pods, PSI per feature against the reference the pods report. */
export async function joinedDrift(pods: k8s.V1Pod[]): Promise<JoinedDrift> {
  const reports = await Promise.all(pods.map(async (p) => [p.metadata?.name ?? '', await podDrift(p)] as const));
  const windows: JoinedDrift['windows'] = {};
  const counts = new Map<string, { training: number[]; summed: number[] }>();
  for (const [pod, report] of reports) {
    if (!report.available) throw new Error(`pod ${pod} reports no drift: ${report.reason}`);
    windows[pod] = { rows: report.window.rows, capacity: report.window.capacity };
    for (const f of report.features) {
      const entry = counts.get(f.name) ?? { training: f.training, summed: f.training.map(() => 0) };
      f.recent.forEach((fraction, i) => (entry.summed[i] = (entry.summed[i] ?? 0) + Math.round(fraction * report.window.rows)));
      counts.set(f.name, entry);
    }
  }
  const features = [...counts].map(([name, c]) => ({ name, psi: psi(c.training, c.summed) })).sort((a, b) => b.psi - a.psi);
  return { rows: Object.values(windows).reduce((s, w) => s + w.rows, 0), pods: reports.length, windows, features };
}

/** Median of `values` (NaN when empty). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
