import { expect } from 'chai';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startFakeApi, type FakeApi } from './lib/testing/fake-riskmodel-api.js';

const script = fileURLToPath(new URL('./watch.ts', import.meta.url));

function watch(kubeconfig: string, args: string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', 'tsx', script, ...args], { env: { ...process.env, KUBECONFIG: kubeconfig } });
}

function collect(child: ChildProcessWithoutNullStreams): { stdout: () => string; stderr: () => string; exit: Promise<number | null> } {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const exit = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  return { stdout: () => stdout, stderr: () => stderr, exit };
}

describe('npm run watch', function () {
  this.timeout(60_000);
  let api: FakeApi;
  beforeEach(async () => { api = await startFakeApi(); });
  afterEach(async () => { await api.close(); });

  it('prints one line per RiskModel per poll when not on a terminal, following the replicas, and exits 0 on Ctrl-C', async () => {
    const child = watch(api.kubeconfigPath, ['--interval', '0.2']);
    const run = collect(child);
    // Wait for six polls (two RiskModels each), then interrupt as Ctrl-C would.
    await new Promise<void>((resolve) => {
      child.stdout.on('data', () => { if (run.stdout().split('\n').filter(Boolean).length >= 12) resolve(); });
    });
    child.kill('SIGINT');
    expect(await run.exit, run.stderr()).to.equal(0);
    const sepsis = run.stdout().split('\n').filter((line) => line.includes(' ward-3/sepsis '));
    // The fake's story scales sepsis 2 → 2 → 3 → 4 → 5 …, one step a poll.
    expect(sepsis.slice(0, 5).map((line) => /replicas=(\d+)/.exec(line)?.[1])).to.deep.equal(['2', '2', '3', '4', '5']);
    expect(sepsis[0]).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ward-3\/sepsis min=2 max=5 replicas=2 ready=2 desired=2 cpu=65%\/70% Ready=True\(Available\)/);
  });

  it('says to install the CRD, and exits 1 with --once, when the server has no RiskModel resource', async () => {
    api.setMode('no-crd');
    const run = collect(watch(api.kubeconfigPath, ['--once']));
    expect(await run.exit).to.equal(1);
    expect(run.stdout()).to.match(/^\S+ error: the server doesn't have a resource type riskmodels: install the CRD with kubectl apply -f crds\/\n$/);
  });

  it('keeps running through an outage and reports each distinct problem once', async () => {
    api.setMode('no-crd');
    const child = watch(api.kubeconfigPath, ['--interval', '0.2']);
    const run = collect(child);
    await new Promise<void>((resolve) => {
      child.stdout.on('data', () => {
        if (run.stdout().includes('install the CRD')) api.setMode('ok');
        if (run.stdout().includes('ward-3/sepsis')) resolve();
      });
    });
    child.kill('SIGINT');
    expect(await run.exit).to.equal(0);
    expect(run.stdout().match(/install the CRD/g)).to.have.length(1);
  });
});
