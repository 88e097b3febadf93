// Regression tests for the defects a hostile test of the server found (issue 9, section 3).
// Each runs against both server paths where both can show it; socket-level defences
// (timeouts, connection cap, Node's own error answers) exist only on the real server.

import http from 'node:http';
import net from 'node:net';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import winston from 'winston';
import { DEFAULT_CONNECTIONS, DEFAULT_LIMITS, type ConnectionLimits } from '../config.js';
import { defaultModel } from '../default-model.js';
import { createInferenceServer } from '../server.js';
import { Telemetry } from '../telemetry.js';
import { createApp, type AppDeps } from './app.js';

const model = defaultModel();
const patient = { heartRate: 120, systolicBP: 95, diastolicBP: 60, temperature: 38.5, oxygenSaturation: 92 };

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

function send(base: string, path: string, opts: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...opts.headers };
    if (opts.body !== undefined) headers['content-length'] = Buffer.byteLength(opts.body);
    const req = http.request(`${base}${path}`, { method: opts.method ?? 'GET', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const postJson = (base: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> =>
  send(base, path, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });

/** Raw bytes over a fresh socket; resolves with everything the server sent before closing. */
function raw(port: number, bytes: string, { endAfterMs = 5000 } = {}): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), endAfterMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    socket.write(bytes);
  });
}

/** Status and parsed JSON body of a raw HTTP response. */
function parseRaw(text: string): { status: number; headers: string; json: Record<string, unknown> } {
  const [head = '', body = ''] = text.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), headers: head.toLowerCase(), json: JSON.parse(body) as Record<string, unknown> };
}

/**
 * Declares a `declared`-byte body and writes it as fast as the server takes it; resolves
 * with the bytes written before the server closed the connection, and the answer it gave.
 */
function floodUpload(port: number, path: string, headers: string, declared: number): Promise<{ written: number; answer: string }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const received: Buffer[] = [];
    let written = 0;
    let closed = false;
    const pump = (): void => {
      while (!closed && written < declared) {
        written += chunk.length;
        if (!socket.write(chunk)) return void socket.once('drain', pump);
      }
    };
    socket.on('data', (c: Buffer) => received.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      resolve({ written, answer: Buffer.concat(received).toString('utf8') });
    });
    socket.write(`POST ${path} HTTP/1.1\r\nhost: x\r\n${headers}content-length: ${declared}\r\n\r\n`);
    pump();
  });
}

function listenOn(server: http.Server): Promise<{ base: string; port: number }> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ base: `http://127.0.0.1:${port}`, port });
    }),
  );
}

const closeServer = (server: http.Server): Promise<void> =>
  new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

function staticDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'riskmodel-static-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>risk</title>');
  mkdirSync(join(dir, 'js'));
  writeFileSync(join(dir, 'js', 'main.js'), 'console.log(1);');
  return dir;
}

interface Built {
  server: http.Server;
  telemetry: Telemetry;
  errors: string[];
}

function deps(): AppDeps & { telemetry: Telemetry; errors: string[] } {
  const errors: string[] = [];
  const stream = new Writable({ write: (chunk: Buffer, _enc, done) => (errors.push(chunk.toString()), done()) });
  // Only warn and error lines reach `errors`: a client's mistake must not log at those levels.
  const logger = winston.createLogger({ level: 'warn', format: winston.format.json(), transports: [new winston.transports.Stream({ stream })] });
  const telemetry = new Telemetry(model, { processMetrics: false });
  return { logger, telemetry, errors, limits: DEFAULT_LIMITS, staticDir: staticDir(), lifecycle: { ready: true, shuttingDown: false, startedAt: 0 } };
}

const variants: Array<[string, () => Built]> = [
  [
    'express app (createApp)',
    () => {
      const d = deps();
      return { server: http.createServer(createApp(model, d)), telemetry: d.telemetry, errors: d.errors };
    },
  ],
  [
    'fast-path server (createInferenceServer)',
    () => {
      const d = deps();
      return { server: createInferenceServer(model, d).server, telemetry: d.telemetry, errors: d.errors };
    },
  ],
];

for (const [variant, build] of variants) {
  describe(`hostile input via the ${variant}`, function () {
    this.timeout(30_000);
    let built: Built;
    let base: string;
    let port: number;
    before(async () => {
      built = build();
      ({ base, port } = await listenOn(built.server));
    });
    after(() => closeServer(built.server));

    const metrics = async (): Promise<string> => built.telemetry.registry.metrics();

    it('answers 400, not 500, to a batch row with 124,000 unknown keys, listing 100 problems and counting all (was a stack overflow)', async () => {
      const row: Record<string, number> = { ...patient };
      for (let i = 0; i < 124_000; i++) row[`k${i}`] = 0;
      const res = await postJson(base, '/predict/batch', { instances: [row] });
      expect(res.status).to.equal(400);
      const body = JSON.parse(res.text) as { details: unknown[]; totalProblems: number; invalidRows: number };
      expect([body.details.length, body.totalProblems, body.invalidRows]).to.deep.equal([100, 124_000, 1]);
      expect(res.text.length).to.be.below(32 * 1024);
    });

    it('keeps the 400 for a 2.3 MiB batch of 10,000 invalid rows small (it was 52 MiB)', async () => {
      const bad = { heartRate: 'fast', systolicBP: 'high', diastolicBP: 'low', temperature: 'hot', oxygenSaturation: 'lowish', note: 'x'.repeat(120) };
      const body = JSON.stringify({ instances: Array.from({ length: 10_000 }, () => bad) });
      expect(body.length).to.be.above(2.2 * 1024 * 1024);
      const res = await postJson(base, '/predict/batch', body);
      expect(res.status).to.equal(400);
      const parsed = JSON.parse(res.text) as { details: Array<{ field: string }>; totalProblems: number; invalidRows: number };
      expect(parsed.details).to.have.length(100);
      expect([parsed.totalProblems, parsed.invalidRows]).to.deep.equal([60_000, 10_000]);
      expect(res.text.length).to.be.below(32 * 1024);
    });

    it('reports diastolic at or above systolic together with the other problems of the body', async () => {
      const res = await postJson(base, '/predict', { ...patient, diastolicBP: 95, temperature: 50 });
      expect((JSON.parse(res.text) as { details: Array<{ field: string }> }).details.map((d) => d.field)).to.deep.equal(['temperature', 'diastolicBP']);
    });

    it('counts a client that aborts mid-body as aborted, not as a 500, and logs no error', async () => {
      await new Promise<void>((resolve) => {
        const req = http.request(`${base}/predict/batch`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': 10_000 } });
        req.on('error', () => resolve());
        req.write('{"instances":[');
        setTimeout(() => req.destroy(), 100);
      });
      await new Promise((r) => setTimeout(r, 100));
      const text = await metrics();
      expect(text).to.match(/http_requests_total\{route="\/predict\/batch",method="POST",status="aborted"\} 1/);
      expect(text).not.to.match(/status="5\d\d"/);
      expect(built.errors).to.deep.equal([]);
    });

    it('refuses a gzip-encoded body with 415 naming the encoding (it used to parse it as text)', async () => {
      for (const path of ['/predict', '/predict/batch']) {
        const res = await postJson(base, path, patient, { 'content-encoding': 'gzip' });
        expect(res.status, path).to.equal(415);
        expect(JSON.parse(res.text)).to.deep.equal({ error: 'unsupported media type', details: [{ field: 'content-encoding', message: 'is not supported (send the body uncompressed), got "gzip"' }] });
      }
      expect((await postJson(base, '/predict', patient, { 'content-encoding': 'identity' })).status).to.equal(200);
    });

    it('refuses a charset other than UTF-8 with 415 naming it', async () => {
      const res = await send(base, '/predict', { method: 'POST', body: JSON.stringify(patient), headers: { 'content-type': 'application/json; charset=utf-16' } });
      expect(res.status).to.equal(415);
      expect(JSON.parse(res.text)).to.deep.include({ details: [{ field: 'content-type', message: 'charset must be utf-8, got "utf-16"' }] });
      const ok = await send(base, '/predict', { method: 'POST', body: JSON.stringify(patient), headers: { 'content-type': 'application/json;charset="UTF-8"' } });
      expect(ok.status).to.equal(200);
    });

    for (const [label, path, headers, status] of [
      ['a route that answers 404', '/nope', 'content-type: application/json\r\n', 404],
      ['a prediction route that answers 415', '/predict', 'content-type: text/plain\r\n', 415],
      ['a prediction route that answers 413', '/predict/batch', 'content-type: application/json\r\n', 413],
    ] as const) {
      it(`stops reading a 100 MiB body sent to ${label} soon after the limit, and still answers it`, async () => {
        const { written, answer } = await floodUpload(port, path, headers, 100 * 1024 * 1024);
        expect(parseRaw(answer).status).to.equal(status);
        // Loopback socket buffers hold a few MiB; the rest was never read.
        expect(written).to.be.below(30 * 1024 * 1024);
      });
    }

    it('answers /PREDICT 404, /predict/ and /predict?x like /predict, and GET /predict/batch/ 405', async () => {
      const served = async (): Promise<number> => Number(/http_requests_total\{route="\/predict",method="POST",status="200"\} (\d+)/.exec(await metrics())?.[1] ?? 0);
      const before = await served();
      expect((await postJson(base, '/PREDICT', patient)).status).to.equal(404);
      expect((await postJson(base, '/predict/', patient)).status).to.equal(200);
      expect((await postJson(base, '/predict?x', patient)).status).to.equal(200);
      const wrong = await send(base, '/predict/batch/');
      expect([wrong.status, wrong.headers.allow]).to.deep.equal([405, 'POST']);
      expect((await served()) - before, 'counted under /predict').to.equal(2);
    });

    it('labels an unusual method as other in the request metrics', async () => {
      const res = await send(base, '/healthz', { method: 'PROPFIND' });
      expect(res.status).to.equal(405);
      const text = await metrics();
      expect(text).to.contain('method="other"');
      expect(text).not.to.contain('PROPFIND');
    });

    it('answers a directory path without its slash with a JSON 404, not an HTML redirect', async () => {
      const res = await send(base, '/js');
      expect(res.status).to.equal(404);
      expect(res.headers['content-type']).to.match(/^application\/json/);
    });

    it('sends security headers on the page, the API and errors', async () => {
      const replies = [await send(base, '/'), await postJson(base, '/predict', patient), await send(base, '/nope'), await postJson(base, '/predict', '{')];
      for (const res of replies) {
        expect(res.headers, String(res.status)).to.include({ 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY' });
        expect(res.headers['content-security-policy']).to.contain("frame-ancestors 'none'");
      }
    });
  });
}

describe('socket-level defences of the real server', function () {
  this.timeout(30_000);
  let server: http.Server;
  let port: number;
  let d: ReturnType<typeof deps>;
  const connections: ConnectionLimits = { ...DEFAULT_CONNECTIONS, headersTimeoutMs: 400, requestTimeoutMs: 600, maxConnections: 8 };
  before(async () => {
    d = deps();
    server = createInferenceServer(model, { ...d, connections }).server;
    ({ port } = await listenOn(server));
  });
  after(() => closeServer(server));

  it('answers an unparsable request with a JSON 400 (Node wrote an empty body)', async () => {
    const res = parseRaw(await raw(port, 'GARBAGE\r\n\r\n'));
    expect(res.status).to.equal(400);
    expect(res.json).to.deep.equal({ error: 'bad request', details: [{ field: 'request', message: 'is not a valid HTTP/1.1 request' }] });
    expect(res.headers).to.contain('x-content-type-options: nosniff');
  });

  it('answers a broken chunked body with a JSON 400 and counts it as aborted, not 500', async () => {
    const res = parseRaw(await raw(port, 'POST /predict HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n{}\r\n'));
    expect(res.status).to.equal(400);
    await new Promise((r) => setTimeout(r, 100));
    const text = await d.telemetry.registry.metrics();
    expect(text).to.match(/route="\/predict",method="POST",status="aborted"/);
    expect(text).not.to.match(/status="5\d\d"/);
    expect(d.errors).to.deep.equal([]);
  });

  it('answers headers over the size limit with a JSON 431', async () => {
    const res = parseRaw(await raw(port, `GET /healthz HTTP/1.1\r\nhost: x\r\nx-pad: ${'a'.repeat(20_000)}\r\n\r\n`));
    expect([res.status, res.json.error]).to.deep.equal([431, 'request header fields too large']);
  });

  it('answers a half-sent body with a JSON 408 once the request timeout passes (it waited 300 s)', async () => {
    const started = performance.now();
    const res = parseRaw(await raw(port, 'POST /predict HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"heartRate":'));
    expect(res.status).to.equal(408);
    expect(res.json.error).to.equal('request timeout');
    expect(performance.now() - started).to.be.below(3000);
  });

  it('closes a silent connection after the headers timeout (it held it 90 s)', async () => {
    const started = performance.now();
    await raw(port, '', { endAfterMs: 10_000 });
    expect(performance.now() - started).to.be.below(3000);
  });

  it('caps connections, and a flood of silent ones locks clients out only until the headers timeout', async () => {
    const silent = Array.from({ length: 8 }, () => net.connect(port, '127.0.0.1').on('error', () => undefined).resume());
    const closed = Promise.all(silent.map((s) => new Promise((r) => s.once('close', r))));
    await Promise.all(silent.map((s) => new Promise((r) => s.once('connect', r))));
    await new Promise((r) => setTimeout(r, 50));
    const refused = await raw(port, 'GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n');
    expect(refused, 'answer over the cap').to.equal('');
    await closed;
    const served = parseRaw(await raw(port, 'GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n'));
    expect(served.status).to.equal(200);
  });
});
