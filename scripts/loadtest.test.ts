import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./loadtest.ts', import.meta.url));

interface Run { code: number | null; stdout: string; stderr: string }

function loadtest(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run loadtest', function () {
  this.timeout(30_000);
  let server: Server | undefined;
  afterEach(() => { server?.closeAllConnections(); server?.close(); server = undefined; });

  async function serve(status: number): Promise<string> {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(status, { 'content-type': 'application/json' }).end('{}'));
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('exits 1 with a FAIL line when the server answers 5xx', async () => {
    const run = await loadtest(['--url', await serve(500), '--rate', '10', '--duration', '1', '--connections', '1']);
    expect(run.code, run.stderr).to.equal(1);
    expect(run.stdout).to.match(/^FAIL: \d+ answers? (was a 5xx server error|were 5xx server errors)$/m);
    expect(run.stderr).to.match(/^\s+1s\s+\d+ req\/s/m);
  });

  it('exits 0 and prints a JSON summary with --json when every answer is 2xx', async () => {
    const run = await loadtest(['--url', await serve(200), '--rate', '10', '--duration', '1', '--connections', '1', '--json']);
    expect(run.code, run.stderr).to.equal(0);
    const summary = JSON.parse(run.stdout) as { status: Record<string, number>; responses: number };
    expect(summary.responses).to.be.above(0).and.to.equal(summary.status['2xx']);
  });

  it('refuses a target that is neither loopback nor the local cluster\'s, saying why, and exits 2', async () => {
    const run = await loadtest(['--url', 'http://192.0.2.10:8080', '--duration', '1']);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.match(/refusing to send load to 192\.0\.2\.10: 192\.0\.2\.10 is neither loopback nor in the local cluster's ranges/);
    expect(run.stderr).to.include('--allow-remote');
  });

  it('exits 2 on a bad flag, naming it and pointing at --help', async () => {
    const run = await loadtest(['--rate', 'fast']);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.include('--rate must be a whole number from 1 to 100000 requests a second, got "fast"');
    expect(run.stderr).to.include('--help');
  });

  it('exits 1 at once when nothing listens on the target', async () => {
    const url = await serve(200);
    server?.close();
    const run = await loadtest(['--url', url, '--duration', '30']);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.match(/cannot connect to 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  });
});
