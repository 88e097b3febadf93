import { expect } from 'chai';
import { LeaderElector, microTime, type ElectionTiming } from './leader.js';
import { FakeClock, MemoryLeaseStore, memoryLogger, settle } from '../testing/fakes.js';

const timing: ElectionTiming = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

function candidate(identity: string, store: MemoryLeaseStore, clock: FakeClock) {
  const { log, lines } = memoryLogger();
  const calls: string[] = [];
  const elector = new LeaderElector(store, identity, timing, {
    clock,
    log,
    callbacks: { onStartedLeading: () => calls.push('started'), onStoppedLeading: () => calls.push('stopped') },
  });
  return { elector, calls, lines };
}

describe('leader election', () => {
  let clock: FakeClock;
  let store: MemoryLeaseStore;
  beforeEach(() => {
    clock = new FakeClock();
    store = new MemoryLeaseStore();
  });

  it('creates the Lease and leads when there is none', async () => {
    const a = candidate('a', store, clock);
    expect(await a.elector.tryAcquireOrRenew()).to.be.true;
    expect(store.lease!.record).to.deep.include({ holderIdentity: 'a', leaseDurationSeconds: 15, leaseTransitions: 0, renewTime: microTime(clock.now()) });
    expect(store.lease!.record.renewTime).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });

  it('does not take a Lease another holder keeps renewing', async () => {
    const a = candidate('a', store, clock);
    const b = candidate('b', store, clock);
    await a.elector.tryAcquireOrRenew();
    for (let i = 0; i < 10; i++) {
      expect(await b.elector.tryAcquireOrRenew()).to.be.false;
      await clock.advance(5_000);
      expect(await a.elector.tryAcquireOrRenew()).to.be.true;
    }
    expect(store.lease!.record.holderIdentity).to.equal('a');
  });

  it('takes over a Lease not renewed for its duration, counting the transition', async () => {
    const a = candidate('a', store, clock);
    const b = candidate('b', store, clock);
    await a.elector.tryAcquireOrRenew();
    expect(await b.elector.tryAcquireOrRenew()).to.be.false;
    await clock.advance(14_900);
    expect(await b.elector.tryAcquireOrRenew()).to.be.false;
    await clock.advance(200);
    expect(await b.elector.tryAcquireOrRenew()).to.be.true;
    expect(store.lease!.record).to.include({ holderIdentity: 'b', leaseTransitions: 1 });
  });

  it('measures expiry on its own clock from when it saw the record change, not from the holder’s timestamps', async () => {
    const a = candidate('a', store, clock);
    await a.elector.tryAcquireOrRenew();
    // The holder's clock is an hour behind: its renewTime looks ancient, yet it is alive.
    store.lease!.record.renewTime = microTime(clock.now() - 3_600_000);
    const b = candidate('b', store, clock);
    expect(await b.elector.tryAcquireOrRenew()).to.be.false;
  });

  it('loses a race for the same version cleanly: exactly one candidate wins', async () => {
    const a = candidate('a', store, clock);
    const b = candidate('b', store, clock);
    const results = await Promise.all([a.elector.tryAcquireOrRenew(), b.elector.tryAcquireOrRenew()]);
    expect(results.filter(Boolean)).to.have.length(1);
  });

  it('leads, hands over on release, and the standby takes over at once', async () => {
    const a = candidate('a', store, clock);
    const b = candidate('b', store, clock);
    void a.elector.start();
    await settle();
    void b.elector.start();
    await clock.advance(6_000);
    expect(a.calls).to.deep.equal(['started']);
    expect(b.calls).to.deep.equal([]);
    expect(a.lines.some((l) => l.message === 'became leader' && l.identity === 'a')).to.be.true;
    await a.elector.release();
    expect(store.lease!.record.holderIdentity).to.equal('');
    await clock.advance(2_100);
    expect(b.calls).to.deep.equal(['started']);
    expect(b.elector.isLeader()).to.be.true;
    await b.elector.release();
  });

  it('steps down when it cannot renew within the renew deadline, and campaigns again', async () => {
    const a = candidate('a', store, clock);
    void a.elector.start();
    await settle();
    expect(a.calls).to.deep.equal(['started']);
    store.failing = true;
    await clock.advance(9_000);
    expect(a.calls).to.deep.equal(['started']);
    await clock.advance(4_000);
    expect(a.calls).to.deep.equal(['started', 'stopped']);
    expect(a.lines.some((l) => l.message === 'lost leadership')).to.be.true;
    store.failing = false;
    await clock.advance(20_000);
    expect(a.calls).to.deep.equal(['started', 'stopped', 'started']);
    await a.elector.release();
  });
});
