import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parseModel, type Model } from '../../../inference/model.js';
import { SMOKE_PATIENT } from '../../../inference/schema.js';
import { createInferenceServer } from '../../../inference/server.js';
import { Telemetry } from '../../../inference/telemetry.js';
import { errorProneArtifact } from '../../../scripts/lib/faulty-artifacts.js';
import { ApiError } from '../../errors.js';
import type { Kube, RequestSpec, WatchStream } from '../../kube/client.js';
import { memoryLogger } from '../../testing/fakes.js';
import type { PodJson } from './figures.js';
import { judge } from './judge.js';
import { PodAnalyzer, smokeProblem } from './pod-analyzer.js';
import { MeasuringLoops } from '../../runtime/measuring-loops.js';

/** What a pod answers through the proxy: a function of the request, or an error to throw. */
type Answer = (spec: RequestSpec) => Promise<unknown>;

const PROXY = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/:]+):8080\/proxy(\/.*)$/;

/** The pod list and the pod proxy of an API server, with scripted or real pods behind it. */
class ProxyKube implements Kube {
  readonly requests: RequestSpec[] = [];
  pods: PodJson[] = [];
  readonly answers = new Map<string, Answer>();
  listError: Error | undefined;
  inFlight = 0;
  peak = 0;

  async request<T>(spec: RequestSpec): Promise<T> {
    this.requests.push(spec);
    const proxied = PROXY.exec(spec.path);
    if (!proxied) {
      if (this.listError) throw this.listError;
      return { items: this.pods } as T;
    }
    const answer = this.answers.get(`${spec.method} ${proxied[2]}${proxied[3]}`);
    if (!answer) throw new ApiError(503, 'ServiceUnavailable', `error trying to reach service: dial tcp: connect: connection refused`);
    this.peak = Math.max(this.peak, ++this.inFlight);
    try {
      return (await answer(spec)) as T;
    } finally {
      this.inFlight--;
    }
  }

  watch(): WatchStream {
    throw new Error('not used');
  }
}

const runningPod = (name: string, ready = true, restarts = 0): PodJson => ({
  metadata: { name, uid: `uid-${name}` },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }], containerStatuses: [{ restartCount: restarts }] },
});

const repeat = <T>(n: number, x: T): T[] => Array.from({ length: n }, () => x);
const GOOD_ANSWER = { risk: 'Low', confidence: 0.9, probabilities: { Low: 0.9, Medium: 0.07, High: 0.03 } };

/** A scripted healthy pod: `requests` 200s on /predict in its metrics, a proper smoke answer. */
async function scriptPod(kube: ProxyKube, name: string, requests = 0): Promise<void> {
  const telemetry = new Telemetry({ version: 'v1', format: 'riskmodel.ordinal-logistic-regression/v1' }, { processMetrics: false });
  for (let i = 0; i < requests; i++) telemetry.recordRequest('/predict', 'POST', 200, 0.001);
  const text = await telemetry.registry.metrics();
  kube.answers.set(`GET ${name}/metrics`, () => Promise.resolve(text));
  kube.answers.set(`POST ${name}/predict`, () => Promise.resolve(GOOD_ANSWER));
}

function setup(): { kube: ProxyKube; analyzer: PodAnalyzer } {
  const kube = new ProxyKube();
  return { kube, analyzer: new PodAnalyzer(kube, memoryLogger().log) };
}

describe('PodAnalyzer', () => {
  it('lists the canary pods by selector and reads each one through the pod proxy on port 8080, bounded', async () => {
    const { kube, analyzer } = setup();
    kube.pods = [runningPod('rm-canary-a')];
    await scriptPod(kube, 'rm-canary-a');
    await analyzer.measure({ namespace: 'team a', selector: 'app.kubernetes.io/instance=rm,riskmodel.dev/track=canary' });
    expect(kube.requests.map((r) => [r.method, r.path, r.query, r.responseType, r.timeoutMs, r.maxResponseBytes])).to.deep.equal([
      ['GET', '/api/v1/namespaces/team%20a/pods', { labelSelector: 'app.kubernetes.io/instance=rm,riskmodel.dev/track=canary' }, undefined, undefined, undefined],
      ['GET', '/api/v1/namespaces/team%20a/pods/rm-canary-a:8080/proxy/metrics', undefined, 'text', 5000, 1024 * 1024],
      ['POST', '/api/v1/namespaces/team%20a/pods/rm-canary-a:8080/proxy/predict', undefined, undefined, 5000, 64 * 1024],
    ]);
    expect(kube.requests[2]?.body).to.deep.equal(SMOKE_PATIENT);
  });

  it('passes the smoke check of healthy pods and sums their requests', async () => {
    const { kube, analyzer } = setup();
    kube.pods = [runningPod('a'), runningPod('b')];
    await scriptPod(kube, 'a', 30);
    await scriptPod(kube, 'b', 20);
    expect(await analyzer.measure({ namespace: 'ns', selector: 'sel' })).to.deep.include({ pods: 2, readyPods: 2, requests: 50, errors: 0, errorRatio: 0, smoke: { passed: true, message: 'smoke prediction passed on 2 of 2 pods' } });
  });

  it('fails the smoke check of a Ready pod it cannot reach, with the error', async () => {
    const { kube, analyzer } = setup();
    kube.pods = [runningPod('a'), runningPod('gone')];
    await scriptPod(kube, 'a');
    const { smoke } = await analyzer.measure({ namespace: 'ns', selector: 'sel' });
    expect(smoke).to.deep.equal({ passed: false, message: 'smoke prediction failed on 1 of 2 pods (pod gone: cannot read /metrics: HTTP 503: error trying to reach service: dial tcp: connect: connection refused)' });
  });

  it('fails the smoke check of a pod whose metrics cannot be read in time', async () => {
    const { kube, analyzer } = setup();
    kube.pods = [runningPod('slow')];
    kube.answers.set('GET slow/metrics', (spec) => Promise.reject(new Error(`GET ${spec.path} timed out after ${spec.timeoutMs} ms`)));
    expect((await analyzer.measure({ namespace: 'ns', selector: 'sel' })).smoke.message).to.equal('smoke prediction failed on 1 of 1 pods (pod slow: cannot read /metrics: GET /api/v1/namespaces/ns/pods/slow:8080/proxy/metrics timed out after 5000 ms)');
  });

  it('does not count a Running pod that is not Ready yet and cannot be reached', async () => {
    const { kube, analyzer } = setup();
    kube.pods = [runningPod('a'), runningPod('starting', false)];
    await scriptPod(kube, 'a');
    expect(await analyzer.measure({ namespace: 'ns', selector: 'sel' })).to.deep.include({ pods: 2, readyPods: 1, smoke: { passed: true, message: 'smoke prediction passed on 1 of 2 pods' } });
  });

  it('fails the smoke check of a pod that answers 500, quoting its error', async () => {
    const { kube, analyzer } = setup();
    kube.pods = [runningPod('a')];
    await scriptPod(kube, 'a');
    kube.answers.set('POST a/predict', () => Promise.reject(new ApiError(500, 'Internal Server Error', '{"error":"the model produced a non-finite score","details":[]}')));
    expect((await analyzer.measure({ namespace: 'ns', selector: 'sel' })).smoke.message).to.equal('smoke prediction failed on 1 of 1 pods (pod a: smoke prediction: HTTP 500: the model produced a non-finite score)');
  });

  it('fails the smoke check of a pod that answers 200 with a bad prediction, even before it is Ready', async () => {
    const { kube, analyzer } = setup();
    kube.pods = [runningPod('a', false)];
    await scriptPod(kube, 'a');
    kube.answers.set('POST a/predict', () => Promise.resolve({ risk: 'Low', probabilities: { Low: null, Medium: null, High: null } }));
    expect((await analyzer.measure({ namespace: 'ns', selector: 'sel' })).smoke.message).to.equal(
      'smoke prediction failed on 1 of 1 pods (pod a: smoke prediction answered 200 but probabilities are not numbers in [0, 1]: {"Low":null,"Medium":null,"High":null})',
    );
  });

  it('fails the smoke check of a pod whose /metrics is not the exposition format', async () => {
    const { kube, analyzer } = setup();
    kube.pods = [runningPod('a')];
    await scriptPod(kube, 'a');
    kube.answers.set('GET a/metrics', () => Promise.resolve('<html>502 Bad Gateway</html>'));
    expect((await analyzer.measure({ namespace: 'ns', selector: 'sel' })).smoke.message).to.match(/^smoke prediction failed on 1 of 1 pods \(pod a: cannot read \/metrics: metrics text line 1: expected a metric name/);
  });

  it('counts pending pods without probing them, and leaves out pods being deleted or finished', async () => {
    const { kube, analyzer } = setup();
    kube.pods = [
      { metadata: { name: 'pending', uid: 'p' }, status: { phase: 'Pending' } },
      { ...runningPod('old'), metadata: { name: 'old', uid: 'o', deletionTimestamp: '2026-12-02T00:00:00Z' } },
      { metadata: { name: 'evicted', uid: 'e' }, status: { phase: 'Failed' } },
      runningPod('a', true, 2),
    ];
    await scriptPod(kube, 'a');
    expect(await analyzer.measure({ namespace: 'ns', selector: 'sel' })).to.deep.include({ pods: 2, readyPods: 1, restarts: 2, smoke: { passed: true, message: 'smoke prediction passed on 1 of 2 pods' } });
    expect(kube.requests.filter((r) => r.path.includes('/proxy/')).map((r) => r.path.split('/')[6])).to.deep.equal(['a:8080', 'a:8080']);
  });

  it('probes at most `concurrency` pods at once', async () => {
    const kube = new ProxyKube();
    const analyzer = new PodAnalyzer(kube, memoryLogger().log, { concurrency: 3, timeoutMs: 1000, metricsMaxBytes: 1 << 20, smokeMaxBytes: 1 << 16 });
    kube.pods = Array.from({ length: 10 }, (_, i) => runningPod(`p${i}`));
    for (let i = 0; i < 10; i++) {
      kube.answers.set(`GET p${i}/metrics`, () => new Promise((resolve) => setTimeout(() => resolve(''), 5)));
      kube.answers.set(`POST p${i}/predict`, () => Promise.resolve(GOOD_ANSWER));
    }
    const figures = await analyzer.measure({ namespace: 'ns', selector: 'sel' });
    expect(figures.smoke.passed).to.equal(true);
    expect(kube.peak).to.equal(3);
  });

  it('throws the API error when the pods cannot be listed', async () => {
    const { kube, analyzer } = setup();
    kube.listError = new ApiError(403, 'Forbidden', 'pods is forbidden');
    const err = await analyzer.measure({ namespace: 'ns', selector: 'sel' }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ApiError).and.to.include({ code: 403 });
  });
});

describe('PodAnalyzer against real inference servers', () => {
  const v1 = readFileSync(new URL('../../../inference/testdata/model-v1-raw-features.json', import.meta.url), 'utf8');
  const servers: http.Server[] = [];

  /** A listening inference server for `model`; the fake proxy forwards the pod's requests to it. */
  async function realPod(kube: ProxyKube, name: string, model: Model): Promise<string> {
    const { server } = createInferenceServer(model, { telemetry: new Telemetry(model, { processMetrics: false }), lifecycle: { ready: true, shuttingDown: false, startedAt: 0 } });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (const [method, path] of [['GET', '/metrics'], ['POST', '/predict']] as const) {
      kube.answers.set(`${method} ${name}${path}`, async (spec) => {
        const res = await fetch(base + path, { method, headers: { 'content-type': 'application/json', ...spec.headers }, body: spec.body === undefined ? undefined : JSON.stringify(spec.body) });
        const text = await res.text();
        if (!res.ok) throw new ApiError(res.status, res.statusText, text);
        return spec.responseType === 'text' ? text : (JSON.parse(text) as unknown);
      });
    }
    kube.pods.push(runningPod(name));
    return base;
  }

  const traffic = async (base: string, patients: object[]): Promise<void> => {
    for (const p of patients) await fetch(`${base}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(p) });
  };
  const patient = { heartRate: 120, systolicBP: 95, diastolicBP: 60, temperature: 38.5, oxygenSaturation: 92 };

  after(() => Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))));

  it('counts the traffic the pods served but not its own smoke predictions, measure after measure and after a leader change', async () => {
    const { kube, analyzer } = setup();
    const a = await realPod(kube, 'a', parseModel(JSON.parse(v1)));
    const b = await realPod(kube, 'b', parseModel(JSON.parse(v1)));
    await traffic(a, repeat(7, patient));
    await traffic(b, repeat(5, patient));
    const first = await analyzer.measure({ namespace: 'ns', selector: 'sel' });
    const second = await analyzer.measure({ namespace: 'ns', selector: 'sel' });
    for (const figures of [first, second]) {
      expect(figures).to.deep.include({ pods: 2, requests: 12, errors: 0, errorRatio: 0, smoke: { passed: true, message: 'smoke prediction passed on 2 of 2 pods' } });
      expect(figures.p99LatencyMs).to.be.a('number').and.to.be.above(0);
    }
    // A new leader's analyzer remembers nothing of the four smoke predictions sent so far, and needs not.
    const newLeader = new PodAnalyzer(kube, memoryLogger().log);
    expect((await newLeader.measure({ namespace: 'ns', selector: 'sel' })).requests).to.equal(12);
  });

  it('keeps the figures honest across a leader change mid-canary: the new leader\'s loops count no smoke prediction of the old one\'s', async () => {
    const { kube } = setup();
    const a = await realPod(kube, 'a', parseModel(JSON.parse(v1)));
    await traffic(a, repeat(9, patient));
    const loops = (measured: () => void) => new MeasuringLoops({ measurer: new PodAnalyzer(kube, memoryLogger().log), intervalMs: 1, now: () => new Date(), log: memoryLogger().log, onMeasured: measured });
    const canary = { namespace: 'ns', name: 'demo', templateHash: 'abc', selector: 'sel' };
    let oldMeasures = 0;
    const oldLeader = loops(() => oldMeasures++);
    oldLeader.observe(canary);
    while (oldMeasures < 5) await new Promise((resolve) => setTimeout(resolve, 5));
    await oldLeader.stopAll();
    await traffic(a, repeat(3, patient));
    let measured!: () => void;
    const first = new Promise<void>((resolve) => (measured = resolve));
    const newLeader = loops(() => measured());
    expect(newLeader.observe(canary), 'nothing measured yet').to.equal(undefined);
    await first;
    const figures = newLeader.observe(canary)?.figures;
    await newLeader.stopAll();
    expect(figures).to.deep.include({ pods: 1, requests: 12, errors: 0 });
  });

  it('fails a canary whose model answers 500 to real patients although it passes the smoke prediction', async () => {
    const { kube, analyzer } = setup();
    const base = await realPod(kube, 'faulty', parseModel(JSON.parse(errorProneArtifact(v1))));
    await traffic(base, [...repeat(6, patient), ...repeat(4, SMOKE_PATIENT)]);
    const figures = await analyzer.measure({ namespace: 'ns', selector: 'sel' });
    expect(figures).to.deep.include({ requests: 10, errors: 6, errorRatio: 0.6, smoke: { passed: true, message: 'smoke prediction passed on 1 of 1 pods' } });
    const verdict = judge(figures, { maxErrorRatio: 0.01, maxP99LatencyMs: 500, minRequests: 0 }, { sinceCreatedSeconds: 30, analysisElapsedSeconds: 10, analysisSeconds: 60, readyTimeoutSeconds: 120 });
    expect(verdict).to.deep.include({ verdict: 'fail', failed: ['5xx ratio 0.600 (6 of 10 requests) above maxErrorRatio 0.01'] });
  });
});

describe('smokeProblem', () => {
  const cases: Array<[string, unknown, string | undefined]> = [
    ['accepts a proper prediction', GOOD_ANSWER, undefined],
    ['refuses an answer without probabilities', { error: 'x' }, 'answer has no probabilities: {"error":"x"}'],
    ['refuses a non-object answer', 'ok', 'answer has no probabilities: "ok"'],
    ['refuses probabilities that are not numbers', { risk: 'Low', probabilities: { Low: '1' } }, 'probabilities are not numbers in [0, 1]: {"Low":"1"}'],
    ['refuses empty probabilities', { risk: 'Low', probabilities: {} }, 'probabilities are not numbers in [0, 1]: {}'],
    ['refuses probabilities that do not sum to 1', { risk: 'Low', probabilities: { Low: 0.5, High: 0.4 } }, 'probabilities sum to 0.9, not 1'],
    ['refuses a risk that is not a class', { risk: 'Extreme', probabilities: { Low: 0.5, High: 0.5 } }, 'risk "Extreme" is not one of the classes Low, High'],
  ];
  for (const [name, answer, expected] of cases) it(name, () => expect(smokeProblem(answer)).to.equal(expected));
});
