import { expect } from 'chai';
import { ApiError } from '../errors.js';
import { memoryLogger } from '../testing/fakes.js';
import { MeasuringLoops, type LoopRef } from './measuring-loops.js';
import type { CanaryFigures } from '../delivery/analysis/figures.js';

const figures = (requests: number): CanaryFigures => ({ pods: 1, readyPods: 1, restarts: 0, requests, errors: 0, errorRatio: requests ? 0 : null, p99LatencyMs: null, smoke: { passed: true, message: 'ok' } });
const canary = (templateHash: string, name = 'demo'): LoopRef => ({ namespace: 'ns', name, templateHash, selector: `sel-${name}-${templateHash}` });

/** A measurer whose answers a test scripts; it counts the measures of each selector. */
class ScriptedMeasurer {
  readonly calls: string[] = [];
  next: () => Promise<CanaryFigures> = () => Promise.resolve(figures(this.calls.length));

  measure({ selector }: LoopRef): Promise<CanaryFigures> {
    this.calls.push(selector);
    return this.next();
  }
}

function setup(intervalMs = 1) {
  const measurer = new ScriptedMeasurer();
  const woken: string[] = [];
  const { log, lines } = memoryLogger();
  const analyzers = new MeasuringLoops({ measurer, intervalMs, now: () => new Date('2026-05-01T00:00:00Z'), log, onMeasured: (key) => woken.push(key) });
  const measures = (n: number) => until(() => woken.length >= n);
  return { measurer, woken, analyzers, measures, lines };
}

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 2));
  expect(done(), 'condition reached').to.equal(true);
}

describe('MeasuringLoops', () => {
  let stop: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(stop.map((s) => s()));
    stop = [];
  });
  const started = (s: ReturnType<typeof setup>) => {
    stop.push(() => s.analyzers.stopAll());
    return s;
  };

  it('measures a new canary at once, outside the caller, and wakes its RiskModel with the figures', async () => {
    const s = started(setup(60_000));
    expect(s.analyzers.observe(canary('t1'))).to.equal(undefined);
    await s.measures(1);
    expect(s.woken[0]).to.equal('ns/demo');
    expect(s.analyzers.observe(canary('t1'))).to.deep.equal({ figures: figures(1), at: new Date('2026-05-01T00:00:00Z') });
  });

  it('keeps measuring on its own clock while the canary runs, one loop per template however often it is observed', async () => {
    const s = started(setup());
    for (let i = 0; i < 5; i++) s.analyzers.observe(canary('t1'));
    await s.measures(4);
    expect(s.analyzers.size).to.equal(1);
    expect(new Set(s.measurer.calls)).to.deep.equal(new Set(['sel-demo-t1']));
    expect(s.analyzers.observe(canary('t1'))!.figures.requests).to.be.at.least(4);
  });

  it('stops measuring the canaries a RiskModel released, but the template it keeps and other RiskModels\' canaries', async () => {
    const s = started(setup());
    s.analyzers.observe(canary('old'));
    s.analyzers.observe(canary('new'));
    s.analyzers.observe(canary('t1', 'other'));
    await s.measures(3);
    s.analyzers.release('ns', 'demo', 'new');
    expect(s.analyzers.size).to.equal(2);
    s.measurer.calls.length = 0;
    await s.measures(s.woken.length + 4);
    expect(s.measurer.calls).to.not.include('sel-demo-old');
    expect(s.measurer.calls).to.include.members(['sel-demo-new', 'sel-other-t1']);
    s.analyzers.release('ns', 'demo');
    expect(s.analyzers.size).to.equal(1);
  });

  it('keeps the last figures and tries again when a measurement fails, saying why', async () => {
    const s = started(setup());
    s.analyzers.observe(canary('t1'));
    await s.measures(1);
    let failures = 0;
    s.measurer.next = () => (++failures <= 2 ? Promise.reject(new ApiError(403, 'Forbidden', 'pods is forbidden')) : Promise.resolve(figures(99)));
    await until(() => s.analyzers.observe(canary('t1'))!.figures.requests === 99);
    expect(failures).to.be.at.least(3);
    expect(s.lines.some((l) => l.message === 'pods not measured; trying again' && String(l.error).includes('forbidden'))).to.equal(true);
    expect(s.analyzers.observe(canary('t1'))!.figures.requests).to.equal(99);
  });

  it('on stopAll returns without waiting for a measurement in flight (pods that do not answer must not hold up a shutdown), drops its result and measures no more', async () => {
    const s = setup();
    let finish!: (f: CanaryFigures) => void;
    s.measurer.next = () => new Promise((resolve) => (finish = resolve));
    s.analyzers.observe(canary('t1'));
    await s.analyzers.stopAll();
    finish(figures(5));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(s.woken).to.deep.equal([]);
    expect(s.measurer.calls).to.have.length(1);
    expect(s.analyzers.size).to.equal(0);
  });
});
