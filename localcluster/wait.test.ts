import { expect } from 'chai';
import { GiveUp, waitFor } from './wait.js';

describe('waitFor (the one polling helper)', () => {
  it('resolves with the first value that is not undefined, null or false, zero included', async () => {
    const answers = [undefined, null, false, 0];
    expect(await waitFor(() => answers.shift(), { what: 'a number', timeoutMs: 1000, intervalMs: 1 })).to.equal(0);
  });

  it('counts a thrown error as not yet, and calls onPoll after each miss', async () => {
    let calls = 0;
    const polls: number[] = [];
    const value = await waitFor(() => {
      calls++;
      if (calls < 3) throw new Error('not there');
      return 'there';
    }, { what: 'it', timeoutMs: 1000, intervalMs: 1, onPoll: (ms) => void polls.push(ms) });
    expect(value).to.equal('there');
    expect(polls).to.have.length(2);
  });

  it('names what it waited for and what it last saw when time runs out', async () => {
    const err = await waitFor((saw) => { saw({ ready: 1, want: 3 }); return false; }, { what: '3 ready pods', timeoutMs: 30, intervalMs: 5 }).catch((e: unknown) => e);
    expect((err as Error).message).to.equal('timed out after 0 s waiting for 3 ready pods; last saw {"ready":1,"want":3}');
    const failing = await waitFor(() => Promise.reject(new Error('connection refused')), { what: 'the API', timeoutMs: 20, intervalMs: 5 }).catch((e: unknown) => e);
    expect((failing as Error).message).to.match(/waiting for the API; last saw error: connection refused$/);
  });

  it('stops at once when the check gives up, rethrowing its GiveUp', async () => {
    let calls = 0;
    const err = await waitFor(() => {
      calls++;
      throw new GiveUp('the process exited');
    }, { what: 'health', timeoutMs: 1000, intervalMs: 1 }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(GiveUp).and.have.property('message', 'the process exited');
    expect(calls).to.equal(1);
  });
});
