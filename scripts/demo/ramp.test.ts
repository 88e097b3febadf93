import { expect } from 'chai';
import { MAX_FACTOR, MIN_FACTOR, nextRate, rampUntilMax, RampError, type RampObservation, type RampOptions, type RampResult, type RampState } from './ramp.js';

const OPTIONS: RampOptions = { startRate: 600, maxRate: 2400, maxReplicas: 3, targetCpuPercent: 50, dwellMs: 15_000, pollMs: 3000, timeoutMs: 300_000 };

/**
 * A fake HPA on a fake machine, one second at a time: each pod has a 100m CPU request, a request
 * costs `milliCpuPerRequest`, the CPU reading lags the load by 10 s (metrics-server), the HPA syncs
 * every 3 s with desired = ceil(ready × utilization / target) beyond its 10 % tolerance (up only),
 * and a new pod is ready 5 s after the HPA asks for it.
 */
class FakeCluster {
  t = 0;
  layers: number[] = [];
  current = 1;
  desired = 1;
  pending: number[] = [];
  /** Rate answered at each second, for the lagged reading. */
  answeredAt: number[] = [];
  cpu: number | undefined;
  /** Raises made while the HPA was still scaling up (should stay empty). */
  raisesWhileScaling: number[] = [];

  constructor(readonly milliCpuPerRequest: number, readonly sendCapacity = Infinity) {}

  get rate(): number { return this.layers.reduce((a, b) => a + b, 0); }
  get ready(): number { return this.current - this.pending.length; }
  get answered(): number { return Math.min(this.rate, this.sendCapacity); }

  tick(): void {
    this.t += 1000;
    this.answeredAt.push(this.answered);
    this.pending = this.pending.filter((readyAt) => readyAt > this.t);
    const lagged = this.answeredAt[this.answeredAt.length - 11];
    if (lagged !== undefined) this.cpu = Math.round((lagged * this.milliCpuPerRequest) / this.ready);
    if (this.t % 3000 === 0) this.syncHpa();
  }

  syncHpa(): void {
    if (this.cpu === undefined || this.cpu / OPTIONS.targetCpuPercent <= 1.1) return;
    const want = Math.min(OPTIONS.maxReplicas, Math.ceil((this.ready * this.cpu) / OPTIONS.targetCpuPercent));
    if (want <= this.current) return;
    this.desired = want;
    for (let i = this.current; i < want; i++) this.pending.push(this.t + 5000);
    this.current = want;
  }

  async ramp(options: RampOptions = OPTIONS): Promise<RampResult> {
    this.layers = [options.startRate];
    return rampUntilMax({
      observe: () => Promise.resolve({
        currentReplicas: this.current, desiredReplicas: this.desired, readyReplicas: this.ready, cpuPercent: this.cpu, answeredPerSecond: this.answered,
      }),
      addLayer: (rate) => {
        if (this.ready < this.desired) this.raisesWhileScaling.push(this.t);
        this.layers.push(rate);
        return Promise.resolve();
      },
      sleep: (ms) => {
        for (let i = 0; i < ms / 1000; i++) this.tick();
        return Promise.resolve();
      },
      now: () => this.t,
    }, options);
  }
}

describe('demo load ramp', () => {
  it('raises the rate on a quiet machine, where a request costs little CPU, until the HPA wants maxReplicas', async () => {
    const cluster = new FakeCluster(0.06);
    const result = await cluster.ramp();
    expect(cluster.desired).to.equal(3);
    expect(result.rate).to.be.above(600).and.at.most(2400);
    expect(cluster.rate).to.equal(result.rate);
    expect(result.steps.map((s) => s.toRate)).to.deep.equal(cluster.layers.slice(1).map((_, i) => cluster.layers.slice(0, i + 2).reduce((a, b) => a + b)));
    expect(result.seconds).to.be.below(150);
    expect(cluster.raisesWhileScaling).to.deep.equal([]);
  });

  it('scales issue 17\'s quiet machine, where 600 req/s left two pods at 29-37 % and step 5 timed out', async () => {
    const cluster = new FakeCluster(0.11);
    const result = await cluster.ramp();
    expect(cluster.desired).to.equal(3);
    expect(result.steps[0]).to.include({ fromRate: 600, currentReplicas: 2, desiredReplicas: 2 });
    expect(result.steps[0]?.cpuPercent).to.be.within(29, 37);
    expect(result.rate).to.be.at.most(1200);
  });

  it('keeps the start rate on a busy machine, where it already drives the HPA to maxReplicas', async () => {
    const cluster = new FakeCluster(0.3);
    const result = await cluster.ramp();
    expect(cluster.desired).to.equal(3);
    expect(result.rate).to.equal(600);
    expect(result.steps).to.deep.equal([]);
  });

  it('raises less than double when the measured CPU is close to what maxReplicas needs', async () => {
    const cluster = new FakeCluster(0.15);
    const result = await cluster.ramp();
    expect(cluster.desired).to.equal(3);
    expect(result.steps.length).to.be.at.least(1);
    for (const step of result.steps) expect(step.factor).to.be.within(MIN_FACTOR, MAX_FACTOR);
    expect(result.steps.some((s) => s.factor < MAX_FACTOR)).to.equal(true);
    expect(cluster.raisesWhileScaling).to.deep.equal([]);
  });

  it('holds the rate while the HPA is still scaling up, and waits a dwell after the new pods are ready', async () => {
    const cluster = new FakeCluster(0.06);
    const result = await cluster.ramp();
    expect(cluster.raisesWhileScaling).to.deep.equal([]);
    for (const step of result.steps) expect(step.desiredReplicas).to.equal(step.currentReplicas);
    const gaps = result.steps.slice(1).map((s, i) => s.atSeconds - (result.steps[i]?.atSeconds ?? 0));
    for (const gap of gaps) expect(gap).to.be.at.least(OPTIONS.dwellMs / 1000);
  });

  it('fails at the cap with the measured figures and advises a higher --max-rate when the pods answered everything', async () => {
    const cluster = new FakeCluster(0.02);
    const err = await cluster.ramp().then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(RampError);
    const message = (err as RampError).message;
    expect(cluster.rate).to.equal(2400);
    expect(message).to.match(/sent 2400 req\/s, answered 2400 req\/s/);
    expect(message).to.match(/the HPA wanted \d of maxReplicas=3/);
    expect(message).to.match(/at CPU \d+% of the request/);
    expect(message).to.match(/cap --max-rate 2400/);
    expect(message).to.match(/Try: a higher cap, e\.g\. --max-rate 4800/);
  });

  it('fails saying the machine cannot send enough when the answered rate stays far below the rate sent', async () => {
    const cluster = new FakeCluster(0.03, 900);
    const err = await cluster.ramp().then(() => undefined, (e: unknown) => e as Error);
    expect(err?.message).to.match(/answered 900 req\/s/);
    expect(err?.message).to.match(/answered only 900 of 2400 req\/s.*raising --max-rate will not help/);
  });

  it('never sends more than the cap, even when the measured CPU asks for more', async () => {
    const cluster = new FakeCluster(0.06);
    const result = await cluster.ramp({ ...OPTIONS, maxRate: 1000 }).catch((e: RampError) => e);
    expect(cluster.rate).to.equal(1000);
    expect(result).to.be.instanceOf(RampError);
    expect((result as RampError).steps.at(-1)?.toRate).to.equal(1000);
  });

  it('retries a failed read until the timeout, then fails naming the error', async () => {
    let t = 0;
    const err = await rampUntilMax({
      observe: () => Promise.reject(new Error('connection refused')),
      addLayer: () => Promise.resolve(),
      sleep: (ms) => { t += ms; return Promise.resolve(); },
      now: () => t,
    }, OPTIONS).then(() => undefined, (e: unknown) => e as Error);
    expect(err?.message).to.equal('could not read the HPA for 300 s: connection refused');
  });
});

describe('demo load ramp decision', () => {
  const state: RampState = { rate: 600, startedAt: 0, settledFrom: 0, currentReplicas: 2, readyReplicas: 2 };
  const obs = (over: Partial<RampObservation>): RampObservation => ({
    at: 20_000, currentReplicas: 2, desiredReplicas: 2, readyReplicas: 2, cpuPercent: 40, answeredPerSecond: 600, ...over,
  });
  const cases: Array<[string, RampObservation, RampState, Record<string, unknown>]> = [
    ['is done once the HPA wants maxReplicas', obs({ desiredReplicas: 3 }), state, { action: 'reached' }],
    ['holds while the HPA wants more pods than it has', obs({ desiredReplicas: 2, currentReplicas: 1, readyReplicas: 1 }), state, { action: 'hold' }],
    ['holds while the new pods are not ready', obs({ currentReplicas: 2, readyReplicas: 1 }), state, { action: 'hold' }],
    ['holds until the rate has had a dwell', obs({ at: 10_000 }), state, { action: 'hold' }],
    ['doubles when there is no CPU reading yet', obs({ cpuPercent: undefined }), state, { action: 'raise', rate: 1200, factor: 2 }],
    ['raises by what the CPU lacks for maxReplicas, with a margin', obs({ cpuPercent: 44 }), state, { action: 'raise', rate: 900, factor: 1.5 }],
    ['raises at least a quarter', obs({ cpuPercent: 64 }), state, { action: 'raise', rate: 750, factor: 1.25 }],
    ['raises at most to the cap', obs({ cpuPercent: 10 }), { ...state, rate: 2000 }, { action: 'raise', rate: 2400, factor: 1.2 }],
    ['holds at the cap for two dwells', obs({ at: 20_000 }), { ...state, rate: 2400 }, { action: 'hold' }],
    ['fails at the cap after two dwells', obs({ at: 31_000 }), { ...state, rate: 2400 }, { action: 'fail' }],
    ['fails past the timeout', obs({ at: 301_000 }), state, { action: 'fail' }],
  ];
  for (const [name, observation, before, expected] of cases) {
    it(name, () => { expect(nextRate(observation, before, OPTIONS)).to.include(expected); });
  }
});
