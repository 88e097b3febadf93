import { expect } from 'chai';
import sinon from 'sinon';
import { ApiError, awaitChange, requeueAfter } from '../errors.js';
import { OperatorMetrics } from './metrics.js';
import type { ReconcileResult } from '../reconciler.js';
import { memoryLogger } from '../testing/fakes.js';
import { Workers } from './workers.js';

const ok: ReconcileResult = { action: awaitChange(), degraded: false };

async function counts(metrics: OperatorMetrics): Promise<Record<string, number>> {
  const { values } = await metrics.reconciles.get();
  return Object.fromEntries(values.map((v) => [String(v.labels.result), v.value]));
}

describe('workers (the reconcile loop)', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ shouldClearNativeTimers: true });
  });
  afterEach(() => clock.restore());

  /** Workers whose reconcile answers from `script` in turn (an Error is thrown), recording each call's time. */
  function start(script: (ReconcileResult | Error)[]) {
    const calls: number[] = [];
    const reports: string[] = [];
    const metrics = new OperatorMetrics();
    const { log, lines } = memoryLogger();
    const workers = new Workers({
      reconcile: () => {
        calls.push(Date.now());
        const next = script.shift() ?? ok;
        return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
      },
      report: (key, message) => {
        reports.push(`${key}: ${message}`);
        return Promise.resolve();
      },
      log,
      metrics,
      concurrency: 2,
      backoff: { baseMs: 100, capMs: 1_000 },
    });
    return { workers, calls, reports, metrics, lines };
  }

  it('retries a failing key with growing delays, reports each failure, and resets the backoff after a success', async () => {
    const down = new ApiError(503, 'ServiceUnavailable', 'etcd leader changed');
    const { workers, calls, reports, metrics } = start([down, down, ok, down]);
    const t0 = Date.now();
    workers.add('team-a/demo');
    await clock.tickAsync(1_000);
    expect(calls.map((t) => t - t0)).to.deep.equal([0, 100, 300]);
    expect(reports).to.deep.equal(['team-a/demo: etcd leader changed', 'team-a/demo: etcd leader changed']);
    workers.add('team-a/demo');
    await clock.tickAsync(100);
    expect(calls).to.have.length(5);
    expect(calls[4]! - calls[3]!).to.equal(100); // the backoff started again from its base
    expect(await counts(metrics)).to.include({ error: 3, success: 2 });
    await workers.stop();
  });

  it('logs a failed reconcile with its attempt number and retry delay', async () => {
    const { workers, lines } = start([new Error('socket hang up')]);
    workers.add('team-a/demo');
    await clock.tickAsync(0);
    expect(lines.find((l) => l.message === 'reconcile failed')).to.include({ namespace: 'team-a', name: 'demo', attempt: 1, retryInMs: 100, error: 'socket hang up' });
    await workers.stop();
  });

  it('keeps every worker running after a failure, even for a key that names no namespace', async () => {
    const { workers, calls, reports } = start([new Error('malformed key "/orphan"'), new Error('again'), ok, ok]);
    workers.add('/orphan');
    workers.add('team-a/one');
    workers.add('team-a/two');
    workers.add('team-a/three');
    await clock.tickAsync(0);
    expect(calls).to.have.length(4);
    expect(reports[0]).to.equal('/orphan: malformed key "/orphan"');
    await workers.stop();
  });

  it('reconciles a key again after the delay its Action asks for', async () => {
    const { workers, calls, metrics } = start([{ action: requeueAfter(500), degraded: false }]);
    workers.add('team-a/demo');
    await clock.tickAsync(499);
    expect(calls).to.have.length(1);
    await clock.tickAsync(1);
    expect(calls).to.have.length(2);
    expect(await counts(metrics)).to.deep.equal({ success: 2, terminal: 0, error: 0 });
    await workers.stop();
  });

  it('counts a reconcile stopped by a problem the user must fix as terminal, without retrying it', async () => {
    const { workers, calls, metrics } = start([{ action: awaitChange(), degraded: true }]);
    workers.add('team-a/demo');
    await clock.tickAsync(60_000);
    expect(calls).to.have.length(1);
    expect(await counts(metrics)).to.include({ terminal: 1 });
    await workers.stop();
  });

  it('waits for reconciles in flight on stop and drops pending retries', async () => {
    let finish!: () => void;
    const calls: string[] = [];
    const metrics = new OperatorMetrics();
    const workers = new Workers({
      reconcile: (key) => {
        calls.push(key);
        return key === 'team-a/slow' ? new Promise<ReconcileResult>((resolve) => (finish = () => resolve(ok))) : Promise.reject(new Error('down'));
      },
      report: () => Promise.resolve(),
      log: memoryLogger().log,
      metrics,
      concurrency: 2,
    });
    workers.add('team-a/slow');
    workers.add('team-a/failing');
    await clock.tickAsync(0);
    let stopped = false;
    const stopping = workers.stop().then(() => (stopped = true));
    await clock.tickAsync(0);
    expect(stopped).to.be.false;
    finish();
    await stopping;
    await clock.tickAsync(10_000);
    expect(calls).to.deep.equal(['team-a/slow', 'team-a/failing']);
    expect((await metrics.queueDepth.get()).values[0]!.value).to.equal(0);
  });
});
