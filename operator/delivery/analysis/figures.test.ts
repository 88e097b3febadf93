import { expect } from 'chai';
import { ROUTES } from '../../../inference/http/routes.js';
import { Telemetry } from '../../../inference/telemetry.js';
import { parseExposition, type Sample } from './exposition.js';
import { canaryFigures, histogramQuantile, podState, PREDICTION_ROUTES, type Bucket, type PodObservation } from './figures.js';

const buckets = (pairs: Array<[number, number]>): Bucket[] => pairs.map(([le, count]) => ({ le, count }));

describe('histogramQuantile', () => {
  // Expected values are what `promtool test rules` (Prometheus 2.42) evaluates
  // histogram_quantile(q, x_bucket) to for the same buckets.
  const a = buckets([[0.1, 50], [0.5, 90], [1, 99], [Infinity, 100]]);
  const cases: Array<[string, number, Bucket[], number]> = [
    ['interpolates inside the bucket that holds the rank', 0.95, a, 0.7777777777777778],
    ['gives the bucket bound when the rank is the bucket count', 0.99, a, 1],
    ['starts the lowest bucket at zero', 0.5, a, 0.1],
    ['gives the second-highest bound when the rank falls in +Inf', 0.99, buckets([[0.1, 0], [Infinity, 5]]), 0.1],
    ['forces counts to be monotonic', 0.5, buckets([[0.1, 10], [0.5, 8], [Infinity, 10]]), 0.05],
    ['gives a lowest bound of zero or less as it is', 0.2, buckets([[-1, 5], [Infinity, 10]]), -1],
    ['interpolates the inference buckets', 0.9, buckets([[0.0001, 0], [0.00025, 3], [0.0005, 181], [0.001, 197], [Infinity, 200]]), 0.0004985955056179775],
    ['adds buckets of one bound (a sum over series)', 0.5, buckets([[0.1, 25], [Infinity, 50], [0.1, 25], [Infinity, 50]]), 0.1],
    ['sorts buckets by bound', 0.95, [...a].reverse(), 0.7777777777777778],
  ];
  for (const [name, q, input, expected] of cases) {
    it(name, () => expect(histogramQuantile(q, input)).to.be.closeTo(expected, 1e-15));
  }

  const undefinedCases: Array<[string, number, Bucket[], number]> = [
    ['is NaN without a +Inf bucket', 0.5, buckets([[0.1, 1], [1, 2]]), NaN],
    ['is NaN with only the +Inf bucket', 0.5, buckets([[Infinity, 3]]), NaN],
    ['is NaN with no observations', 0.5, buckets([[0.1, 0], [Infinity, 0]]), NaN],
    ['is NaN with no buckets', 0.5, [], NaN],
    ['is -Inf below q = 0', -0.1, a, -Infinity],
    ['is +Inf above q = 1', 1.1, a, Infinity],
  ];
  for (const [name, q, input, expected] of undefinedCases) {
    it(name, () => expect(histogramQuantile(q, input)).to.deep.equal(expected));
  }
});

describe('podState', () => {
  it('reads name, uid, Running, Ready and the restarts of every container', () => {
    const pod = {
      metadata: { name: 'rm-canary-1', uid: 'u1' },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ restartCount: 2 }, { restartCount: 1 }], initContainerStatuses: [{ restartCount: 1 }] },
    };
    expect(podState(pod)).to.deep.equal({ name: 'rm-canary-1', uid: 'u1', running: true, ready: true, restarts: 4 });
  });

  it('takes a pending pod with no status fields as not Running, not Ready, no restarts', () => {
    expect(podState({ metadata: { name: 'p', uid: 'u' }, status: { phase: 'Pending' } })).to.deep.equal({ name: 'p', uid: 'u', running: false, ready: false, restarts: 0 });
  });

  it('takes a Ready condition that is False as not Ready', () => {
    expect(podState({ status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] } }).ready).to.equal(false);
  });
});

describe('PREDICTION_ROUTES', () => {
  it('are POST routes of the inference server, named as its metrics label them', () => {
    for (const route of PREDICTION_ROUTES) expect(ROUTES[route], route).to.deep.equal(['POST']);
  });
});

async function metricsOf(requests: ReadonlyArray<readonly [string, number | 'aborted', number]>): Promise<Sample[]> {
  const telemetry = new Telemetry({ version: 'v1', format: 'riskmodel.ordinal-logistic-regression/v1' }, { processMetrics: false });
  for (const [route, status, seconds] of requests) telemetry.recordRequest(route, route === '/healthz' ? 'GET' : 'POST', status, seconds);
  return parseExposition(await telemetry.registry.metrics());
}

const pod = (name: string, extra: Partial<PodObservation> = {}): PodObservation => ({ name, uid: name, running: true, ready: true, restarts: 0, probe: { passed: true, message: 'ok' }, ...extra });
const repeat = <T>(n: number, x: T): T[] => Array.from({ length: n }, () => x);

describe('canaryFigures', () => {
  it('sums prediction requests, 5xx answers and latency over pods, leaving other routes out', async () => {
    const a = await metricsOf([...repeat(40, ['/predict', 200, 0.0004] as const), ...repeat(10, ['/predict', 500, 0.0004] as const), ...repeat(100, ['/healthz', 503, 0.0001] as const)]);
    const b = await metricsOf([...repeat(48, ['/predict/batch', 200, 0.003] as const), ['/v2/models/{name}/infer', 502, 0.2], ['/v2/models/{name}/versions/{version}/infer', 'aborted', 0.3]]);
    const figures = canaryFigures([pod('a', { samples: a }), pod('b', { samples: b })]);
    expect(figures).to.deep.include({ pods: 2, readyPods: 2, restarts: 0, requests: 100, errors: 11, errorRatio: 0.11 });
    // 100 observations, 98 of them ≤ 0.1 s: rank 99 is the top of (0.1, 0.25], which holds the 0.2 s request.
    expect(figures.p99LatencyMs).to.be.closeTo(250, 1e-9);
  });

  it('counts neither ratio nor latency while there are no prediction requests', async () => {
    const figures = canaryFigures([pod('a', { samples: await metricsOf([['/healthz', 200, 0.0001]]) })]);
    expect(figures).to.deep.include({ requests: 0, errors: 0, errorRatio: null, p99LatencyMs: null });
  });

  it('adds restarts and counts Ready pods', () => {
    const figures = canaryFigures([pod('a', { restarts: 2 }), pod('b', { ready: false, restarts: 1 }), pod('c', { running: false, ready: false, probe: undefined })]);
    expect(figures).to.deep.include({ pods: 3, readyPods: 1, restarts: 3 });
  });

  it('passes the smoke check when every probed pod passed, saying how many were probed', () => {
    expect(canaryFigures([pod('a'), pod('b', { probe: undefined })]).smoke).to.deep.equal({ passed: true, message: 'smoke prediction passed on 1 of 2 pods' });
  });

  it('passes the smoke check with nothing failed while no pod could be probed yet', () => {
    expect(canaryFigures([pod('a', { probe: undefined })]).smoke).to.deep.equal({ passed: true, message: 'no canary pod probed yet' });
  });

  it('fails the smoke check naming each failing pod and its error, at most three', () => {
    const failing = (name: string) => pod(name, { probe: { passed: false, message: `HTTP 500 from ${name}` } });
    expect(canaryFigures([pod('ok'), failing('x'), failing('y')]).smoke).to.deep.equal({
      passed: false,
      message: 'smoke prediction failed on 2 of 3 pods (pod x: HTTP 500 from x; pod y: HTTP 500 from y)',
    });
    const many = canaryFigures(['p', 'q', 'r', 's', 't'].map(failing)).smoke.message;
    expect(many).to.equal('smoke prediction failed on 5 of 5 pods (pod p: HTTP 500 from p; pod q: HTTP 500 from q; pod r: HTTP 500 from r; and 2 more pods)');
  });

  it('gives zeros for no pods', () => {
    expect(canaryFigures([])).to.deep.equal({ pods: 0, readyPods: 0, restarts: 0, requests: 0, errors: 0, errorRatio: null, p99LatencyMs: null, smoke: { passed: true, message: 'no canary pod probed yet' } });
  });
});
