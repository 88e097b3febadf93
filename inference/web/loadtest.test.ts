import { expect } from 'chai';
import { LIMITS, parsePlan, sleep, startLoad, type Outcome, type Plan } from './static/js/loadtest.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

function planOf(raw: Parameters<typeof parsePlan>[0]): Plan {
  const { plan, errors } = parsePlan(raw);
  if (!plan) throw new Error(`unexpected plan errors: ${JSON.stringify(errors)}`);
  return plan;
}

/** A fake clock: time moves only when a loop sleeps or the fake server takes time. */
function fakeClock() {
  let now = 0;
  return {
    now: () => now,
    advance: (ms: number) => (now += ms),
    sleep: (ms: number) => {
      now += ms;
      return Promise.resolve();
    },
  };
}

describe('load-test plan (web page)', () => {
  const rejected: [string, Parameters<typeof parsePlan>[0], string[]][] = [
    ['a zero request count', { mode: 'total', total: '0', concurrency: '4' }, ['total']],
    ['a fractional request count', { mode: 'total', total: '2.5', concurrency: '4' }, ['total']],
    ['more requests than the cap', { mode: 'total', total: String(LIMITS.maxRequests + 1), concurrency: '4' }, ['total']],
    ['an empty concurrency', { mode: 'total', total: '10', concurrency: '' }, ['concurrency']],
    ['concurrency above the cap', { mode: 'total', total: '10', concurrency: '65' }, ['concurrency']],
    ['a rate that is not a number', { mode: 'rate', rate: 'fast', duration: '10', concurrency: '4' }, ['rate']],
    ['a duration beyond 300 s', { mode: 'rate', rate: '10', duration: '301', concurrency: '4' }, ['duration']],
    ['rate × duration beyond the request cap', { mode: 'rate', rate: '5000', duration: '300', concurrency: '4' }, ['duration']],
    ['every bad field at once', { mode: 'rate', rate: '0', duration: '0', concurrency: '0' }, ['rate', 'duration', 'concurrency']],
    ['an unknown mode', { mode: 'forever', concurrency: '4' }, ['mode']],
  ];
  for (const [name, raw, fields] of rejected) {
    it(`rejects ${name}, naming the field and its allowed range`, () => {
      const { errors } = parsePlan(raw);
      expect(errors?.map((e) => e.field)).to.deep.equal(fields);
      for (const e of errors ?? []) expect(e.message).to.match(/\d|'total'/);
    });
  }

  it('bounds a rate plan by its duration and by rate × duration requests', () => {
    expect(planOf({ mode: 'rate', rate: '50', duration: '4', concurrency: '2' })).to.deep.equal({
      mode: 'rate', rate: 50, durationSeconds: 4, concurrency: 2, maxRequests: 200, maxSeconds: 4,
    });
  });

  it('bounds a fixed-count plan by a time limit as well as by its count', () => {
    const plan = planOf({ mode: 'total', total: 200, concurrency: 4 });
    expect(plan).to.include({ mode: 'total', total: 200, maxRequests: 200, concurrency: 4 });
    expect(plan.maxSeconds).to.equal(LIMITS.maxDurationSeconds);
  });
});

describe('load-test runner (web page)', () => {
  it('sends exactly the requested count with never more than the concurrency in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const send = async (): Promise<Outcome> => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await tick();
      inFlight -= 1;
      return { ok: true, status: 200 };
    };
    const { done } = startLoad(planOf({ mode: 'total', total: 200, concurrency: 4 }), { send });
    const result = await done;
    expect(result).to.include({ sent: 200, ok: 200, errors: 0, stoppedBy: 'completed' });
    expect(result.latencies).to.have.length(200);
    expect(peak).to.equal(4);
  });

  it('updates its counters while running, not only at the end', async () => {
    const { counters, done } = startLoad(planOf({ mode: 'total', total: 50, concurrency: 2 }), {
      send: async () => {
        await tick();
        return { ok: true, status: 200 };
      },
    });
    for (let i = 0; i < 10; i++) await tick();
    expect(counters.ok).to.be.above(0).and.below(50);
    await done;
    expect(counters).to.include({ sent: 50, ok: 50, inFlight: 0 });
  });

  it('counts HTTP errors by status and keeps going', async () => {
    let n = 0;
    const send = () => Promise.resolve(++n % 4 === 0 ? { ok: false, status: 503 } : { ok: true, status: 200 });
    const result = await startLoad(planOf({ mode: 'total', total: 100, concurrency: 3 }), { send }).done;
    expect(result).to.include({ sent: 100, ok: 75, errors: 25, stoppedBy: 'completed' });
    expect(result.errorsByKind).to.deep.equal({ 'HTTP 503': 25 });
  });

  it('stops promptly when the user presses stop, letting in-flight requests finish', async () => {
    const controller = new AbortController();
    let sent = 0;
    const send = async (): Promise<Outcome> => {
      if (++sent === 30) controller.abort();
      await tick();
      return { ok: true, status: 200 };
    };
    const result = await startLoad(planOf({ mode: 'total', total: 10_000, concurrency: 4 }), { send, signal: controller.signal }).done;
    expect(result.stoppedBy).to.equal('stopped');
    expect(result.sent).to.be.within(30, 33);
    expect(result.ok).to.equal(result.sent);
  });

  it('reports a rate run stopped while its loops wait for their next slot as stopped, not finished', async () => {
    const controller = new AbortController();
    const plan = planOf({ mode: 'rate', rate: 2, duration: 60, concurrency: 2 });
    const run = startLoad(plan, { send: () => Promise.resolve({ ok: true, status: 200 }), signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const result = await run.done;
    expect(result.stoppedBy).to.equal('stopped');
    expect(result.sent).to.equal(1);
  });

  it('gives up when the server refuses connections 50 times in a row', async () => {
    const send = () => Promise.reject(new TypeError('Failed to fetch'));
    const result = await startLoad(planOf({ mode: 'total', total: 10_000, concurrency: 1 }), { send }).done;
    expect(result).to.include({ sent: 50, ok: 0, errors: 50, stoppedBy: 'unreachable' });
    expect(result.errorsByKind).to.deep.equal({ network: 50 });
  });

  it('ends a fixed-count run at the time limit when the server is too slow to finish it', async () => {
    const clock = fakeClock();
    const send = () => {
      clock.advance(10_000);
      return Promise.resolve({ ok: true, status: 200 });
    };
    const result = await startLoad(planOf({ mode: 'total', total: 10_000, concurrency: 1 }), { send, now: clock.now }).done;
    expect(result.stoppedBy).to.equal('time-limit');
    expect(result.sent).to.equal(LIMITS.maxDurationSeconds / 10);
  });

  it('paces a rate run: request i is sent no earlier than i / rate, and the run ends on time', async () => {
    const clock = fakeClock();
    const sentAt: number[] = [];
    const send = () => {
      sentAt.push(clock.now());
      return Promise.resolve({ ok: true, status: 200 });
    };
    const plan = planOf({ mode: 'rate', rate: 100, duration: 2, concurrency: 3 });
    const result = await startLoad(plan, { send, now: clock.now, sleep: clock.sleep }).done;
    expect(result).to.include({ sent: 200, ok: 200, stoppedBy: 'completed' });
    sentAt.sort((a, b) => a - b).forEach((t, i) => expect(t).to.be.at.least(i * 10));
    expect(sentAt[sentAt.length - 1]).to.be.below(2000);
  });

  it('wakes a sleeping loop as soon as the run is stopped', async () => {
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(), 20);
    await sleep(10_000, controller.signal);
    expect(performance.now() - started).to.be.below(5000);
  });
});
