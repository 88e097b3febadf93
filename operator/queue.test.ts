import { expect } from 'chai';
import sinon from 'sinon';
import { WorkQueue } from './queue.js';

describe('work queue', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers();
  });
  afterEach(() => clock.restore());

  const queue = (onDepth?: (n: number) => void) => new WorkQueue({ backoff: { baseMs: 100, capMs: 1_000 }, ...(onDepth ? { onDepth } : {}) });

  it('stores a waiting key once however often it is added', async () => {
    const q = queue();
    q.add('ns/a');
    q.add('ns/a');
    q.add('ns/b');
    expect(q.len()).to.equal(2);
    expect(await q.get()).to.equal('ns/a');
    expect(await q.get()).to.equal('ns/b');
  });

  it('never hands out a key that is being processed, and re-queues it on done if it was added meanwhile', async () => {
    const q = queue();
    q.add('ns/a');
    const first = await q.get();
    q.add('ns/a');
    expect(q.len()).to.equal(0);
    let second: string | undefined;
    void q.get().then((k) => (second = k));
    await Promise.resolve();
    expect(second).to.be.undefined;
    q.done(first!);
    await Promise.resolve();
    expect(second).to.equal('ns/a');
  });

  it('does not re-queue a finished key that was not added again', async () => {
    const q = queue();
    q.add('ns/a');
    q.done((await q.get())!);
    expect(q.len()).to.equal(0);
  });

  it('hands a new key straight to a waiting worker', async () => {
    const q = queue();
    const next = q.get();
    q.add('ns/a');
    expect(await next).to.equal('ns/a');
  });

  it('backs off exponentially per key, capped, and forgets on success', () => {
    const q = queue();
    expect([1, 2, 3, 4, 5].map(() => q.addRateLimited('ns/a'))).to.deep.equal([100, 200, 400, 800, 1_000]);
    expect(q.addRateLimited('ns/b')).to.equal(100);
    q.forget('ns/a');
    expect(q.attempts('ns/a')).to.equal(0);
    expect(q.addRateLimited('ns/a')).to.equal(100);
  });

  it('adds a delayed key only when its time comes', () => {
    const q = queue();
    q.addAfter('ns/a', 500);
    clock.tick(499);
    expect(q.len()).to.equal(0);
    clock.tick(1);
    expect(q.len()).to.equal(1);
  });

  it('keeps the earliest of two delayed adds for the same key', () => {
    const q = queue();
    q.addAfter('ns/a', 1_000);
    q.addAfter('ns/a', 200);
    q.addAfter('ns/a', 5_000);
    clock.tick(200);
    expect(q.len()).to.equal(1);
    clock.tick(10_000);
    expect(q.len()).to.equal(1);
  });

  it('releases waiting workers and drops timers on shutdown', async () => {
    const q = queue();
    q.addAfter('ns/a', 100);
    const waiting = q.get();
    q.shutdown();
    expect(await waiting).to.be.undefined;
    clock.tick(1_000);
    q.add('ns/b');
    expect(q.len()).to.equal(0);
  });

  it('reports the number of waiting keys', async () => {
    const depths: number[] = [];
    const q = queue((n) => depths.push(n));
    q.add('ns/a');
    q.add('ns/b');
    await q.get();
    expect(depths).to.deep.equal([1, 2, 1]);
  });
});
