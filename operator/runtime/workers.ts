// The worker loop: a fixed number of workers take keys from the work queue and reconcile them,
// never one key twice at once. A key's next step comes from the reconcile's Action when it
// succeeds, and from the error policy, with per-key backoff, when it fails; a failure is also
// logged and reported to the user.

import { errorPolicy, type BackoffPolicy } from '../errors.js';
import type { Logger } from '../logger.js';
import type { OperatorMetrics, ReconcileLabel } from './metrics.js';
import { WorkQueue } from './queue.js';
import type { ReconcileResult } from '../reconciler.js';
import { messageOf } from '../messages.js';

export interface WorkerDeps {
  /** Reconciles one key; rejects with the errors the error policy retries. */
  reconcile(key: string): Promise<ReconcileResult>;
  /** Tells the user a reconcile failed (a Warning event on the RiskModel); must not reject. */
  report(key: string, message: string): Promise<void>;
  log: Logger;
  metrics: OperatorMetrics;
  concurrency: number;
  /** Retry delays after failures (default: errors.ts DEFAULT_BACKOFF). */
  backoff?: BackoffPolicy;
}

export class Workers {
  private readonly queue: WorkQueue;
  private readonly running: Promise<void>[];

  /** Starts `concurrency` workers, which wait for keys. */
  constructor(private readonly deps: WorkerDeps) {
    this.queue = new WorkQueue({ onDepth: (n) => deps.metrics.queueDepth.set(n) });
    this.running = Array.from({ length: deps.concurrency }, () => this.work());
  }

  /** Queues a key for a reconcile (de-duplicated while it waits). */
  add(key: string): void {
    this.queue.add(key);
  }

  /** Hands out no more keys, drops pending retries, and resolves once the reconciles in flight have finished. */
  async stop(): Promise<void> {
    this.queue.shutdown();
    await Promise.all(this.running);
    this.deps.metrics.queueDepth.set(0);
  }

  private async work(): Promise<void> {
    for (let key = await this.queue.get(); key !== undefined; key = await this.queue.get()) {
      await this.process(key);
      this.queue.done(key);
    }
  }

  private async process(key: string): Promise<void> {
    const stopTimer = this.deps.metrics.reconcileDuration.startTimer();
    try {
      this.succeeded(key, await this.deps.reconcile(key));
    } catch (err) {
      await this.failed(key, err);
    } finally {
      stopTimer();
    }
  }

  private succeeded(key: string, { action, degraded }: ReconcileResult): void {
    this.queue.forget(key);
    if ('requeueAfterMs' in action) this.queue.addAfter(key, action.requeueAfterMs);
    this.count(degraded ? 'terminal' : 'success');
  }

  private async failed(key: string, err: unknown): Promise<void> {
    const attempt = this.queue.countFailure(key);
    const retryInMs = errorPolicy(err, attempt, this.deps.backoff).requeueAfterMs;
    // Not splitKey: a malformed key must still be logged, not throw out of the worker.
    const [namespace = '', name = ''] = key.split('/');
    const message = messageOf(err);
    this.deps.log.error('reconcile failed', { namespace, name, attempt, retryInMs, error: message });
    this.queue.addAfter(key, retryInMs);
    await this.deps.report(key, message);
    this.count('error');
  }

  private count(result: ReconcileLabel): void {
    this.deps.metrics.reconciles.inc({ result });
  }
}
