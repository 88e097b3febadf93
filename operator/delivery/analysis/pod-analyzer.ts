// Measures a canary from its pods: lists them, reads each Running pod's /metrics and posts the
// smoke prediction through the API server's pod proxy (the operator needs no network path to
// pod IPs), and computes the figures. Each measure() is one bounded pass: a few pods at a time,
// short timeouts, capped response sizes; one pod's failure is that pod's figure, never a throw.

import { CONTAINER_PORT } from '../../model/desired.js';
import { ApiError } from '../../errors.js';
import type { Kube } from '../../kube/client.js';
import type { Logger } from '../../logger.js';
import { SMOKE_HEADER, SMOKE_PATIENT } from '../../../inference/schema.js';
import { parseExposition } from './exposition.js';
import type { LoopRef, Measurer } from '../../runtime/measuring-loops.js';
import { canaryFigures, podState, type CanaryFigures, type PodJson, type PodObservation, type PodState } from './figures.js';

export interface AnalyzerLimits {
  /** Pods probed at once. */
  concurrency: number;
  /** Per request through the proxy. */
  timeoutMs: number;
  metricsMaxBytes: number;
  smokeMaxBytes: number;
}

export const DEFAULT_ANALYZER_LIMITS: Readonly<AnalyzerLimits> = { concurrency: 8, timeoutMs: 5000, metricsMaxBytes: 1024 * 1024, smokeMaxBytes: 64 * 1024 };

/** Problems quoted from an answer are cut to this many characters. */
const QUOTE = 200;

type Probe = NonNullable<PodObservation['probe']>;

/** Why a smoke answer is not a proper prediction, or undefined when it is one. Pure. */
export function smokeProblem(answer: unknown): string | undefined {
  const { probabilities, risk } = (typeof answer === 'object' && answer !== null ? answer : {}) as { probabilities?: unknown; risk?: unknown };
  if (typeof probabilities !== 'object' || probabilities === null) return `answer has no probabilities: ${JSON.stringify(answer).slice(0, QUOTE)}`;
  const values = Object.values(probabilities as Record<string, unknown>);
  if (values.length === 0 || !values.every((v) => typeof v === 'number' && v >= 0 && v <= 1)) return `probabilities are not numbers in [0, 1]: ${JSON.stringify(probabilities).slice(0, QUOTE)}`;
  const total = (values as number[]).reduce((sum, v) => sum + v, 0);
  if (Math.abs(total - 1) > 1e-6) return `probabilities sum to ${total}, not 1`;
  if (typeof risk !== 'string' || !Object.hasOwn(probabilities, risk)) return `risk ${JSON.stringify(risk)} is not one of the classes ${Object.keys(probabilities).join(', ')}`;
  return undefined;
}

/** An error as a user reads it: `HTTP 500: <the pod's error text>` or the network error. */
function explain(err: unknown): string {
  if (!(err instanceof ApiError)) return err instanceof Error ? err.message : String(err);
  let text = err.message;
  try {
    const body = JSON.parse(text) as { error?: unknown };
    if (typeof body.error === 'string') text = body.error;
  } catch {
    // not JSON: the text as it came
  }
  return `HTTP ${err.code}: ${text.slice(0, QUOTE)}`;
}

/** Runs `work` on every item, at most `limit` at a time; results in input order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Pods the Deployment still runs: not being deleted, not finished (evicted pods are Failed). */
function live(pod: PodJson): boolean {
  return pod.metadata?.deletionTimestamp === undefined && pod.status?.phase !== 'Failed' && pod.status?.phase !== 'Succeeded';
}

/** The header that tells the inference server a request is the operator's smoke prediction, not traffic. */
const SMOKE_HEADERS: Readonly<Record<string, string>> = { [SMOKE_HEADER]: 'operator' };

export class PodAnalyzer implements Measurer<CanaryFigures> {
  constructor(
    private readonly kube: Kube,
    private readonly logger: Logger,
    private readonly limits: AnalyzerLimits = DEFAULT_ANALYZER_LIMITS,
  ) {}

  /**
   * The canary's figures now: lists the pods matching `labelSelector` in `namespace`, reads
   * every Running pod's /metrics and posts SMOKE_PATIENT to its /predict with SMOKE_HEADER, so
   * the pod answers it but leaves it out of the request counters the figures come from: no
   * memory of earlier smoke requests is needed, and any operator (a new leader) reads the same
   * figures. A Ready pod that cannot be reached, or any pod answering a bad prediction, fails
   * its smoke check with the error; a pod not yet Ready that cannot be reached is not counted
   * (it may still be starting; the ready timeout covers it). Throws only when the pods cannot
   * be listed (ApiError).
   */
  async measure({ namespace, selector: labelSelector }: Pick<LoopRef, 'namespace' | 'selector'>): Promise<CanaryFigures> {
    const list = await this.kube.request<{ items?: PodJson[] }>({ method: 'GET', path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, query: { labelSelector } });
    const pods = (list.items ?? []).filter(live).map(podState);
    return canaryFigures(await mapLimited(pods, this.limits.concurrency, (pod) => this.measurePod(namespace, pod)));
  }

  private async measurePod(namespace: string, pod: PodState): Promise<PodObservation> {
    const observation: PodObservation = { ...pod };
    if (!pod.running) return observation;
    const proxy = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod.name)}:${CONTAINER_PORT}/proxy`;
    try {
      const text = await this.kube.request<string>({ method: 'GET', path: `${proxy}/metrics`, responseType: 'text', timeoutMs: this.limits.timeoutMs, maxResponseBytes: this.limits.metricsMaxBytes, pool: 'pods' });
      observation.samples = parseExposition(text);
    } catch (err) {
      return this.unreached(observation, `cannot read /metrics: ${explain(err)}`);
    }
    try {
      const answer = await this.kube.request<unknown>({ method: 'POST', path: `${proxy}/predict`, body: SMOKE_PATIENT, headers: SMOKE_HEADERS, timeoutMs: this.limits.timeoutMs, maxResponseBytes: this.limits.smokeMaxBytes, pool: 'pods' });
      const problem = smokeProblem(answer);
      observation.probe = problem === undefined ? { passed: true, message: 'smoke prediction passed' } : this.failed(pod, `smoke prediction answered 200 but ${problem}`);
      return observation;
    } catch (err) {
      return this.unreached(observation, `smoke prediction: ${explain(err)}`);
    }
  }

  /** A failed exchange: the pod's smoke failure when it is Ready, else not counted yet. */
  private unreached(observation: PodObservation, message: string): PodObservation {
    if (observation.ready) return { ...observation, probe: this.failed(observation, message) };
    this.logger.debug('canary pod not reached yet', { pod: observation.name, error: message });
    return observation;
  }

  private failed(pod: PodState, message: string): Probe {
    this.logger.warn('canary pod failed its check', { pod: pod.name, error: message });
    return { passed: false, message };
  }
}
