import { expect } from 'chai';
import sinon from 'sinon';
import { WorkQueue } from './queue.js';

describe('work queue', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers();
  });
  afterEach(() => clock.restore());

  /** A queue and the number of keys waiting in it, as its depth callback last reported. */
  function queue() {
    let depth = 0;
    const q = new WorkQueue({ onDepth: (n) => (depth = n) });
    return { q, waiting: () => depth };
  }

  it('stores a waiting key once however often it is added', async () => {
    const { q, waiting } = queue();
    q.add('ns/a');
    q.add('ns/a');
    q.add('ns/b');
    expect(waiting()).to.equal(2);
    expect(await q.get()).to.equal('ns/a');
    expect(await q.get()).to.equal('ns/b');
    expect(waiting()).to.equal(0);
  });

  it('never hands out a key that is being processed, and re-queues it on done if it was added meanwhile', async () => {
    const { q, waiting } = queue();
    q.add('ns/a');
    const first = await q.get();
    q.add('ns/a');
    expect(waiting()).to.equal(0);
    let second: string | undefined;
    void q.get().then((k) => (second = k));
    await Promise.resolve();
    expect(second).to.be.undefined;
    q.done(first!);
    await Promise.resolve();
    expect(second).to.equal('ns/a');
  });

  it('does not re-queue a finished key that was not added again', async () => {
    const { q, waiting } = queue();
    q.add('ns/a');
    q.done((await q.get())!);
    q.add('ns/b');
    expect(waiting()).to.equal(1);
    expect(await q.get()).to.equal('ns/b');
  });

  it('hands a new key straight to a waiting worker', async () => {
    const { q } = queue();
    const next = q.get();
    q.add('ns/a');
    expect(await next).to.equal('ns/a');
  });

  it('counts failures per key until the key is forgotten, scheduling nothing itself', () => {
    const { q, waiting } = queue();
    expect([q.countFailure('ns/a'), q.countFailure('ns/a'), q.countFailure('ns/b'), q.countFailure('ns/a')]).to.deep.equal([1, 2, 1, 3]);
    q.forget('ns/a');
    expect(q.countFailure('ns/a')).to.equal(1);
    expect(q.countFailure('ns/b')).to.equal(2);
    clock.tick(600_000);
    expect(waiting()).to.equal(0);
  });

  it('adds a delayed key only when its time comes', () => {
    const { q, waiting } = queue();
    q.addAfter('ns/a', 500);
    clock.tick(499);
    expect(waiting()).to.equal(0);
    clock.tick(1);
    expect(waiting()).to.equal(1);
  });

  it('keeps the earliest of two delayed adds for the same key', async () => {
    const { q, waiting } = queue();
    q.addAfter('ns/a', 1_000);
    q.addAfter('ns/a', 200);
    q.addAfter('ns/a', 5_000);
    clock.tick(200);
    expect(waiting()).to.equal(1);
    q.done((await q.get())!);
    clock.tick(10_000);
    expect(waiting()).to.equal(0);
  });

  it('releases waiting workers and drops timers on shutdown', async () => {
    const depths: number[] = [];
    const q = new WorkQueue({ onDepth: (n) => depths.push(n) });
    q.addAfter('ns/a', 100);
    const waiting = q.get();
    q.shutdown();
    expect(await waiting).to.be.undefined;
    clock.tick(1_000);
    q.add('ns/b');
    expect(await q.get()).to.be.undefined;
    expect(depths).to.deep.equal([]);
  });

  it('reports the number of waiting keys', async () => {
    const depths: number[] = [];
    const q = new WorkQueue({ onDepth: (n) => depths.push(n) });
    q.add('ns/a');
    q.add('ns/b');
    await q.get();
    expect(depths).to.deep.equal([1, 2, 1]);
  });
});
