import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { expect } from 'chai';
import { BufferPool } from './buffer-pool.js';

const fakeResponse = (): ServerResponse => new EventEmitter() as ServerResponse;

describe('BufferPool', () => {
  it('hands out the same memory again only after the response that used it finished', () => {
    const pool = new BufferPool();
    const res = fakeResponse();
    const first = pool.take(1000);
    pool.releaseAfter(res, first.subarray(0, 10));
    const whileSending = pool.take(1000);
    expect(whileSending.buffer).to.not.equal(first.buffer);
    res.emit('finish');
    expect(pool.idle).to.equal(1);
    expect(pool.take(1000).buffer).to.equal(first.buffer);
  });

  it('keeps the memory of an aborted response out of the pool', () => {
    const pool = new BufferPool();
    const res = fakeResponse();
    pool.releaseAfter(res, pool.take(1000));
    res.emit('close');
    expect(pool.idle).to.equal(0);
  });

  it('gives a buffer at least as large as asked, and never reuses one too small', () => {
    const pool = new BufferPool();
    const res = fakeResponse();
    const small = pool.take(100);
    pool.releaseAfter(res, small);
    res.emit('finish');
    const large = pool.take(200_000);
    expect(large.length).to.be.at.least(200_000);
    expect(large.buffer).to.not.equal(small.buffer);
    expect(pool.idle).to.equal(1);
  });

  it('keeps at most maxSpare idle buffers, none larger than maxBytes', () => {
    const pool = new BufferPool(2, 128 * 1024);
    const taken = [pool.take(10), pool.take(10), pool.take(10), pool.take(1024 * 1024)];
    for (const buffer of taken) {
      const res = fakeResponse();
      pool.releaseAfter(res, buffer);
      res.emit('finish');
    }
    expect(pool.idle).to.equal(2);
  });
});
