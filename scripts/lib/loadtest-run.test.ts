import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FEATURES } from '../../inference/schema.js';
import type { LoadtestOptions } from './loadtest-options.js';
import { effectiveConnections, failures, formatSummary, runLoadtest, summarise, type AutocannonResult, type LoadtestProgress, type LoadtestSummary } from './loadtest-run.js';

/** What the test server saw: bodies that were not valid vitals, and the status of each answer in order. */
interface Seen {
  statuses: number[];
  invalidBodies: string[];
  patientsPerRequest: number[];
}

function isVitals(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return Object.keys(record).length === FEATURES.length && FEATURES.every((feature) => {
    const field = record[feature.name];
    return typeof field === 'number' && field >= feature.min && field <= feature.max;
  });
}

// A stand-in inference server: checks every body and answers each fifth request with a 503.
async function startServer(seen: Seen, answer: 'normal' | 'hang' = 'normal'): Promise<{ server: Server; url: URL }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => { body += chunk.toString(); });
    req.on('end', () => {
      if (answer === 'hang') return;
      const parsed = JSON.parse(body) as unknown;
      const patients = Array.isArray((parsed as { instances?: unknown }).instances) ? (parsed as { instances: unknown[] }).instances : [parsed];
      seen.patientsPerRequest.push(patients.length);
      if (!patients.every(isVitals)) seen.invalidBodies.push(body);
      const status = (seen.statuses.length + 1) % 5 === 0 ? 503 : 200;
      seen.statuses.push(status);
      res.writeHead(status, { 'content-type': 'application/json' }).end(status === 503 ? '{"error":"overloaded"}' : '{"risk":"Low"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`) };
}

function optionsFor(url: URL, overrides: Partial<LoadtestOptions> = {}): LoadtestOptions {
  return {
    url, path: '/predict', rate: 20, durationSeconds: 2, connections: 1, batch: undefined,
    timeoutSeconds: 10, seed: 1, reconnectEvery: undefined, allowRemote: false, json: false, ...overrides,
  };
}

describe('runLoadtest against a local server', function () {
  this.timeout(15_000);
  let server: Server | undefined;
  afterEach(() => { server?.closeAllConnections(); server?.close(); });

  it('keeps one connection open by default, and opens a new one every N requests with reconnectEvery', async () => {
    const counts: number[] = [];
    for (const reconnectEvery of [undefined, 5]) {
      const started = await startServer({ statuses: [], invalidBodies: [], patientsPerRequest: [] });
      server = started.server;
      let connections = 0;
      server.on('connection', () => { connections++; });
      await runLoadtest(optionsFor(started.url, { rate: 40, durationSeconds: 1, reconnectEvery }));
      counts.push(connections);
      server.closeAllConnections();
      server.close();
    }
    expect(counts[0]).to.equal(1);
    expect(counts[1]).to.be.at.least(5);
  });

  it('sends valid vitals at the requested rate and counts 2xx and 5xx answers as the server gave them', async () => {
    const seen: Seen = { statuses: [], invalidBodies: [], patientsPerRequest: [] };
    const started = await startServer(seen);
    server = started.server;
    const progress: LoadtestProgress[] = [];
    const summary = await runLoadtest(optionsFor(started.url), { onProgress: (p) => progress.push(p) });

    expect(seen.invalidBodies).to.deep.equal([]);
    // With one connection at most the last request is still in flight when the run stops.
    const answered = seen.statuses.slice(0, summary.responses);
    expect(summary.responses).to.be.within(seen.statuses.length - 1, seen.statuses.length);
    expect(summary.status['2xx']).to.equal(answered.filter((status) => status === 200).length);
    expect(summary.status['5xx']).to.equal(answered.filter((status) => status === 503).length).and.to.be.above(0);
    expect(summary.byCode).to.deep.equal({ 200: summary.status['2xx'], 503: summary.status['5xx'] });
    expect(summary.sampleBodies).to.deep.equal({ 503: '{"error":"overloaded"}' });
    // autocannon's limiter grants each connection its share at the start of every second, so a
    // 2 s run can see three grants: up to 1.5× the rate on average.
    expect(summary.requestsPerSecond).to.be.within(10, 31);
    expect(summary.latencyMs.p50).to.be.at.most(summary.latencyMs.max);
    expect(progress.length).to.be.within(2, 3);
    expect(progress.reduce((sum, p) => sum + p.responses, 0)).to.equal(summary.responses);
    expect(failures(summary)).to.have.length(1);
    expect(failures(summary)[0]).to.match(/^\d+ answers? (was a 5xx server error|were 5xx server errors)$/);
  });

  it('posts {instances} of the batch size to the batch path', async () => {
    const seen: Seen = { statuses: [], invalidBodies: [], patientsPerRequest: [] };
    const started = await startServer(seen);
    server = started.server;
    await runLoadtest(optionsFor(started.url, { batch: 7, path: '/predict/batch', rate: 10, durationSeconds: 1 }));
    expect(seen.invalidBodies).to.deep.equal([]);
    expect(new Set(seen.patientsPerRequest)).to.deep.equal(new Set([7]));
  });

  it('counts requests the server never answers as timeouts and fails the run', async () => {
    const seen: Seen = { statuses: [], invalidBodies: [], patientsPerRequest: [] };
    const started = await startServer(seen, 'hang');
    server = started.server;
    const summary = await runLoadtest(optionsFor(started.url, { timeoutSeconds: 1, durationSeconds: 2 }));
    expect(summary.responses).to.equal(0);
    expect(summary.timeouts).to.be.above(0);
    expect(failures(summary).join('; ')).to.match(/requests? timed out/);
  });

  it('stops early when aborted and says it was interrupted', async () => {
    const seen: Seen = { statuses: [], invalidBodies: [], patientsPerRequest: [] };
    const started = await startServer(seen);
    server = started.server;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 500);
    const summary = await runLoadtest(optionsFor(started.url, { durationSeconds: 30 }), { signal: controller.signal });
    expect(summary.interrupted).to.be.true;
    expect(summary.durationSeconds).to.be.below(5);
  });
});

const result: AutocannonResult = {
  duration: 10,
  errors: 3,
  timeouts: 1,
  latency: { mean: 4.25, p50: 3, p90: 8, p99: 21, max: 40 } as AutocannonResult['latency'],
  statusCodeStats: { 200: { count: 1990 }, 400: { count: 4 }, 503: { count: 6 } },
  '1xx': 0, '2xx': 1990, '3xx': 0, '4xx': 4, '5xx': 6,
};
const options = { url: new URL('http://127.0.0.1:8080'), path: '/predict', rate: 200, connections: 8, batch: undefined };

describe('summarise', () => {
  it('reads throughput, latency, status classes and splits errors from timeouts', () => {
    expect(summarise(result, options, { sampleBodies: {}, interrupted: false })).to.deep.equal({
      target: 'http://127.0.0.1:8080/predict',
      durationSeconds: 10,
      rate: 200,
      connections: 8,
      batch: undefined,
      responses: 2000,
      requestsPerSecond: 200,
      latencyMs: { mean: 4.25, p50: 3, p90: 8, p99: 21, max: 40 },
      status: { '1xx': 0, '2xx': 1990, '3xx': 0, '4xx': 4, '5xx': 6 },
      byCode: { 200: 1990, 400: 4, 503: 6 },
      connectionErrors: 2,
      timeouts: 1,
      sampleBodies: {},
      interrupted: false,
    } satisfies LoadtestSummary);
  });
});

describe('effectiveConnections', () => {
  it('opens no more connections than requests a second', () => {
    expect(effectiveConnections({ rate: 5, connections: 8 })).to.equal(5);
    expect(effectiveConnections({ rate: 200, connections: 8 })).to.equal(8);
    expect(effectiveConnections({ rate: undefined, connections: 8 })).to.equal(8);
  });

  it('is what the summary reports', () => {
    expect(summarise(result, { ...options, rate: 3 }, { sampleBodies: {}, interrupted: false }).connections).to.equal(3);
  });
});

describe('failures', () => {
  const clean = summarise({ ...result, errors: 0, timeouts: 0, '5xx': 0, statusCodeStats: { 200: { count: 1990 } } }, options, { sampleBodies: {}, interrupted: false });

  it('passes a run with only 2xx and 4xx answers', () => {
    expect(failures(clean)).to.deep.equal([]);
  });

  it('lists 5xx answers, connection errors and timeouts', () => {
    expect(failures(summarise(result, options, { sampleBodies: {}, interrupted: false }))).to.deep.equal([
      '6 answers were 5xx server errors', '2 requests failed to connect', '1 request timed out',
    ]);
  });

  it('fails a run in which nothing was answered', () => {
    expect(failures({ ...clean, responses: 0, status: { ...clean.status, '2xx': 0, '4xx': 0 } })).to.deep.equal(['the server answered no request']);
  });
});

describe('formatSummary', () => {
  it('prints every figure and ends with the verdict', () => {
    const text = formatSummary(summarise(result, options, { sampleBodies: { 503: '{"error": "overloaded"}' }, interrupted: false }));
    expect(text.split('\n')).to.deep.equal([
      'Load test of http://127.0.0.1:8080/predict',
      '  load        200 req/s requested, 8 connections',
      '  duration    10.0 s',
      '  throughput  200.0 req/s (2000 answers)',
      '  latency     p50 3 ms  p90 8 ms  p99 21 ms  max 40 ms  (mean 4.3 ms)',
      '  status      2xx 1990  4xx 4  5xx 6',
      '  codes       200×1990  400×4  503×6',
      '  errors      2 connection errors, 1 timeout',
      '  first 503 answer: {"error": "overloaded"}',
      'FAIL: 6 answers were 5xx server errors; 2 requests failed to connect; 1 request timed out',
      'note: 4xx answers mean the server refused the requests (wrong --path, or a body it does not accept); they do not fail the run',
    ]);
  });
});
