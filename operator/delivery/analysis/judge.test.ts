import { expect } from 'chai';
import type { CanaryFigures } from './figures.js';
import { judge, type Judgement, type Thresholds, type Timing } from './judge.js';

const healthy: CanaryFigures = {
  pods: 2, readyPods: 2, restarts: 0, requests: 200, errors: 0, errorRatio: 0, p99LatencyMs: 3.14159,
  smoke: { passed: true, message: 'smoke prediction passed on 2 of 2 pods' },
};
const thresholds: Thresholds = { maxErrorRatio: 0.01, maxP99LatencyMs: 500, minRequests: 100 };
const analyzing: Timing = { sinceCreatedSeconds: 40, analysisElapsedSeconds: 25, analysisSeconds: 60, readyTimeoutSeconds: 120 };
const starting: Timing = { ...analyzing, sinceCreatedSeconds: 12, analysisElapsedSeconds: undefined };
const over: Timing = { ...analyzing, sinceCreatedSeconds: 75, analysisElapsedSeconds: 60 };

const fail = (...failed: string[]): Judgement => ({ verdict: 'fail', message: `canary analysis failed: ${failed.join('; ')}`, failed });

describe('judging a canary', () => {
  const cases: Array<[string, Partial<CanaryFigures>, Timing, Judgement]> = [
    ['is pending while the pods start', { readyPods: 1, requests: 0, errorRatio: null, p99LatencyMs: null }, starting,
      { verdict: 'pending', message: 'waiting for canary pods to be Ready: 1 of 2 after 12 of 120 s', failed: [] }],
    ['is pending during the window, showing the figures so far', {}, analyzing,
      { verdict: 'pending', message: 'analyzing, 25 of 60 s: 200 requests, 5xx ratio 0.000 (max 0.01), p99 latency 3.14 ms (max 500), 0 restarts; smoke prediction passed on 2 of 2 pods', failed: [] }],
    ['is pending before any request, without ratio or latency', { requests: 0, errorRatio: null, p99LatencyMs: null }, analyzing,
      { verdict: 'pending', message: 'analyzing, 25 of 60 s: 0 requests, no 5xx ratio yet, no p99 latency yet, 0 restarts; smoke prediction passed on 2 of 2 pods', failed: [] }],
    ['passes when the window is over and nothing failed', {}, over,
      { verdict: 'pass', message: 'canary analysis passed after 60 s: 200 requests, 5xx ratio 0.000 (max 0.01), p99 latency 3.14 ms (max 500), 0 restarts; smoke prediction passed on 2 of 2 pods', failed: [] }],
    ['fails at once on a restart, naming the count', { restarts: 1 }, starting, fail('1 container restart in the canary pods (none allowed)')],
    ['fails at once on restarts during the window', { restarts: 3 }, analyzing, fail('3 container restarts in the canary pods (none allowed)')],
    ['fails at once on a failed smoke prediction, with its message', { smoke: { passed: false, message: 'smoke prediction failed on 1 of 2 pods (pod a: HTTP 500)' } }, starting,
      fail('smoke prediction failed on 1 of 2 pods (pod a: HTTP 500)')],
    ['fails at once on a 5xx ratio above the maximum', { requests: 50, errors: 12, errorRatio: 0.24 }, analyzing, fail('5xx ratio 0.240 (12 of 50 requests) above maxErrorRatio 0.01')],
    ['fails on a 5xx ratio before every pod is Ready', { readyPods: 1, requests: 1, errors: 1, errorRatio: 1 }, starting, fail('5xx ratio 1.000 (1 of 1 request) above maxErrorRatio 0.01')],
    ['accepts a 5xx ratio equal to the maximum', { requests: 100, errors: 1, errorRatio: 0.01 }, analyzing,
      { verdict: 'pending', message: 'analyzing, 25 of 60 s: 100 requests, 5xx ratio 0.010 (max 0.01), p99 latency 3.14 ms (max 500), 0 restarts; smoke prediction passed on 2 of 2 pods', failed: [] }],
    ['fails at once on a p99 latency above the maximum', { p99LatencyMs: 812.4567 }, analyzing, fail('p99 latency 812 ms above maxP99LatencyMs 500')],
    ['fails when the pods are not all Ready by the ready timeout', { readyPods: 1 }, { ...starting, sinceCreatedSeconds: 120 },
      fail('only 1 of 2 canary pods Ready 120 s after creation (readyTimeoutSeconds 120)')],
    ['fails with fewer requests than minRequests at the end of the window', { requests: 42, errors: 0 }, over, fail('42 requests in the 60 s analysis window, below minRequests 100')],
    ['fails when a pod is no longer Ready at the end of the window', { readyPods: 1 }, over, fail('only 1 of 2 canary pods Ready at the end of the analysis window')],
    ['lists every failed check', { restarts: 2, requests: 50, errors: 12, errorRatio: 0.24, p99LatencyMs: 2500 }, over,
      fail('2 container restarts in the canary pods (none allowed)', '5xx ratio 0.240 (12 of 50 requests) above maxErrorRatio 0.01', 'p99 latency 2500 ms above maxP99LatencyMs 500', '50 requests in the 60 s analysis window, below minRequests 100')],
  ];
  for (const [name, changes, timing, expected] of cases) {
    it(name, () => expect(judge({ ...healthy, ...changes }, thresholds, timing)).to.deep.equal(expected));
  }

  it('passes with no requests when minRequests is 0', () => {
    const quiet = { ...healthy, requests: 0, errors: 0, errorRatio: null, p99LatencyMs: null };
    expect(judge(quiet, { ...thresholds, minRequests: 0 }, over).verdict).to.equal('pass');
  });
});
