import { expect } from 'chai';
import { Telemetry } from './telemetry.js';

const model = { version: 'sha256-test', format: 'riskmodel.ordinal-logistic-regression/v1' as const };

describe('Telemetry', () => {
  it('reports zero latency before any prediction', () => {
    expect(new Telemetry(model, { processMetrics: false }).latency()).to.deep.equal({ p50: 0, p99: 0 });
  });

  it('computes p50 and p99 over recent prediction latencies', () => {
    const t = new Telemetry(model, { processMetrics: false });
    for (let ms = 1; ms <= 100; ms++) t.recordPredictionLatency(ms / 1000);
    const { p50, p99 } = t.latency();
    expect(p50).to.be.closeTo(50, 1e-9);
    expect(p99).to.be.closeTo(99, 1e-9);
  });

  it('forgets old latencies once the window is full', () => {
    const t = new Telemetry(model, { processMetrics: false });
    for (let i = 0; i < 2048; i++) t.recordPredictionLatency(1);
    for (let i = 0; i < 2048; i++) t.recordPredictionLatency(0.001);
    expect(t.latency().p99).to.be.closeTo(1, 1e-9);
  });

  it('counts requests and predictions by label', async () => {
    const t = new Telemetry(model, { processMetrics: false });
    t.recordRequest('/predict', 'POST', 200, 0.001);
    t.recordRequest('/predict', 'POST', 200, 0.002);
    t.recordPredictions('High', 3);
    const text = await t.registry.metrics();
    expect(text).to.contain('http_requests_total{route="/predict",method="POST",status="200"} 2');
    expect(text).to.contain('predictions_total{risk="High"} 3');
    expect(text).to.contain('model_info{version="sha256-test",format="riskmodel.ordinal-logistic-regression/v1"} 1');
    expect(t.requestsServed).to.equal(2);
  });
});

describe('Telemetry latency histogram', () => {
  it('exposes cumulative buckets, sum and count per route', async () => {
    const t = new Telemetry(model, { processMetrics: false });
    t.recordRequest('/predict', 'POST', 200, 0.0002);
    t.recordRequest('/predict', 'POST', 400, 0.003);
    t.recordRequest('/predict', 'POST', 200, 5);
    const text = await t.registry.metrics();
    expect(text).to.contain('# TYPE http_request_duration_seconds histogram');
    expect(text).to.contain('http_request_duration_seconds_bucket{le="0.0001",route="/predict",method="POST"} 0');
    expect(text).to.contain('http_request_duration_seconds_bucket{le="0.00025",route="/predict",method="POST"} 1');
    expect(text).to.contain('http_request_duration_seconds_bucket{le="0.005",route="/predict",method="POST"} 2');
    expect(text).to.contain('http_request_duration_seconds_bucket{le="2.5",route="/predict",method="POST"} 2');
    expect(text).to.contain('http_request_duration_seconds_bucket{le="+Inf",route="/predict",method="POST"} 3');
    expect(text).to.contain('http_request_duration_seconds_count{route="/predict",method="POST"} 3');
    expect(text).to.match(/http_request_duration_seconds_sum\{route="\/predict",method="POST"\} 5\.0032/);
  });

  it('keeps counting across scrapes', async () => {
    const t = new Telemetry(model, { processMetrics: false });
    t.recordRequest('/healthz', 'GET', 200, 0.001);
    await t.registry.metrics();
    t.recordRequest('/healthz', 'GET', 200, 0.001);
    t.recordPredictions('Low');
    await t.registry.metrics();
    t.recordPredictions('Low', 2);
    const text = await t.registry.metrics();
    expect(text).to.contain('http_requests_total{route="/healthz",method="GET",status="200"} 2');
    expect(text).to.contain('predictions_total{risk="Low"} 3');
  });
});

describe('Telemetry in-flight gauge', () => {
  it('exports the requests started and not yet ended', async () => {
    const t = new Telemetry(model, { processMetrics: false });
    expect(await t.registry.metrics()).to.contain('http_requests_in_flight 0');
    t.requestStarted();
    t.requestStarted();
    t.requestEnded();
    expect(t.inFlight).to.equal(1);
    expect(await t.registry.metrics()).to.contain('http_requests_in_flight 1');
  });
});
