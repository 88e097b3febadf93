import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { defaultModel } from './default-model.js';
import { createInferenceServer, listen } from './server.js';

const patient = { heartRate: 120, systolicBP: 95, diastolicBP: 60, temperature: 38.5, oxygenSaturation: 92 };
const body = JSON.stringify(patient);
const batchBody = JSON.stringify({ instances: Array.from({ length: 1000 }, (_, i) => ({ ...patient, heartRate: 60 + (i % 100) })) });

interface Outcome {
  status?: number;
  error?: string;
  /** The server parsed the request headers (it answered 100 Continue): the request is in flight. */
  accepted?: boolean;
}

/**
 * A POST that waits for 100 Continue, so it knows the server has taken the request, then
 * uploads its body in two halves `pause` ms apart on its own connection.
 */
function postInFlight(port: number, path: string, payload: string, pause = 0): { accepted: Promise<void>; done: Promise<Outcome> } {
  const outcome: Outcome = {};
  let onAccepted = (): void => undefined;
  const accepted = new Promise<void>((resolve) => (onAccepted = resolve));
  const done = new Promise<Outcome>((resolve) => {
    const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), expect: '100-continue' };
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', agent: false, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ ...outcome, status: res.statusCode }));
    });
    req.on('continue', () => {
      outcome.accepted = true;
      onAccepted();
      const half = Math.floor(payload.length / 2);
      req.write(payload.slice(0, half));
      setTimeout(() => req.end(payload.slice(half)), pause);
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ ...outcome, error: err.code ?? err.message }));
    req.flushHeaders();
  });
  return { accepted, done };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('graceful shutdown (in-process)', function () {
  this.timeout(30_000);
  it('finishes a request that is mid-upload, refuses new connections, then resolves true', async () => {
    const inference = createInferenceServer(defaultModel());
    const { port } = await listen(inference.server, 0, '127.0.0.1');
    inference.markReady();
    const inFlight = postInFlight(port, '/predict', body, 300);
    await inFlight.accepted;
    const drained = inference.shutdown(5000);
    expect(inference.serving.ctx.lifecycle.shuttingDown).to.be.true;
    const late = await postInFlight(port, '/predict', body).done;
    expect(late.error).to.equal('ECONNREFUSED');
    expect(await inFlight.done).to.deep.equal({ accepted: true, status: 200 });
    expect(await drained).to.be.true;
  });

  it('cuts connections and resolves false when the grace period runs out', async () => {
    const inference = createInferenceServer(defaultModel());
    const { port } = await listen(inference.server, 0, '127.0.0.1');
    const stuck = postInFlight(port, '/predict', body, 2000);
    await stuck.accepted;
    expect(await inference.shutdown(200)).to.be.false;
    expect((await stuck.done).error).to.be.a('string');
  });
});

function startChild(): Promise<{ child: ChildProcess; port: number; logs: string[] }> {
  const main = fileURLToPath(new URL('./main.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', SHUTDOWN_GRACE_MS: '5000', MODEL_PATH: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  return new Promise((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => logs.push(d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\n').filter(Boolean)) {
        logs.push(line);
        const entry = JSON.parse(line) as { message: string; port?: number };
        if (entry.message === 'listening' && entry.port) resolve({ child, port: entry.port, logs });
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited early (${code}): ${logs.join('')}`)));
  });
}

describe('SIGTERM under load (real process)', function () {
  this.timeout(60_000);

  it('fails no in-flight request and exits 0 within the grace period', async () => {
    const { child, port, logs } = await startChild();
    const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.on('exit', (code) => resolve({ code, at: performance.now() })));
    let stop = false;
    const outcomes: Outcome[] = [];
    const loops = Array.from({ length: 6 }, async (_, i) => {
      while (!stop) outcomes.push(await postInFlight(port, i % 2 ? '/predict/batch' : '/predict', i % 2 ? batchBody : body).done);
    });
    const uploads = Array.from({ length: 10 }, () => postInFlight(port, '/predict/batch', batchBody, 1500));
    await Promise.all(uploads.map((u) => u.accepted));
    await sleep(300);
    const signalledAt = performance.now();
    child.kill('SIGTERM');
    const { code, at } = await exited;
    stop = true;
    await Promise.all(loops);

    expect(await Promise.all(uploads.map((u) => u.done)), 'uploads in progress at SIGTERM').to.deep.equal(uploads.map(() => ({ accepted: true, status: 200 })));
    const inFlight = outcomes.filter((o) => o.accepted);
    expect(inFlight.length).to.be.above(0);
    expect(inFlight.filter((o) => o.status !== 200), 'requests the server had taken').to.deep.equal([]);
    // Requests the server never took (listener closed) are refused or reset, never half-answered.
    expect(outcomes.filter((o) => !o.accepted && o.error !== 'ECONNREFUSED' && o.error !== 'ECONNRESET')).to.deep.equal([]);
    expect(code, logs.join('\n')).to.equal(0);
    expect(at - signalledAt).to.be.below(5000);
    expect(logs.join('\n')).to.contain('"message":"stopped"');
  });
});
