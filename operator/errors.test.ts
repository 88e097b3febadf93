import { expect } from 'chai';
import { ApiError, backoffMs, errorPolicy } from './errors.js';

const policy = { baseMs: 100, capMs: 10_000 };

describe('error policy', () => {
  const cases: [string, unknown, number, object][] = [
    ['backs off from the base delay on the first API failure', new ApiError(503, 'ServiceUnavailable', 'down'), 1, { requeueAfterMs: 100 }],
    ['doubles the delay with each attempt', new ApiError(500, 'InternalError', 'oops'), 4, { requeueAfterMs: 800 }],
    ['caps the delay', new ApiError(500, 'InternalError', 'oops'), 40, { requeueAfterMs: 10_000 }],
    ['retries a conflict quickly, at most after a second', new ApiError(409, 'Conflict', 'stale'), 20, { requeueAfterMs: 1_000 }],
    ['honours Retry-After on 429', new ApiError(429, 'TooManyRequests', 'slow down', 3), 1, { requeueAfterMs: 3_000 }],
    ['backs off on network errors like any other transient failure', new Error('ECONNREFUSED'), 2, { requeueAfterMs: 200 }],
    ['keeps backing off on 403 so a fixed RBAC rule is picked up', new ApiError(403, 'Forbidden', 'no'), 3, { requeueAfterMs: 400 }],
  ];
  for (const [name, err, attempts, action] of cases) it(name, () => expect(errorPolicy(err, attempts, policy)).to.deep.equal(action));

  it('computes exponential backoff that never exceeds the cap, even for huge attempt counts', () => {
    expect([1, 2, 3].map((n) => backoffMs(n, policy))).to.deep.equal([100, 200, 400]);
    expect(backoffMs(10_000, policy)).to.equal(10_000);
  });
});
