// End-to-end: `npm run demo -- --once` on the local cluster, non-interactively, checking
// each step's outcome from the demo's JSON report (numbers the demo measured on the cluster).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ensureCluster, kubectl } from '../support/cluster.js';

interface StepReport { name: string; [key: string]: unknown }
interface DemoReport { ok: boolean; steps: StepReport[]; error?: string; failedStep?: string }

function runDemo(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['scripts/demo.sh', ...args], { env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('npm run demo -- --once (end to end, local cluster)', function () {
  this.timeout(20 * 60_000);
  const namespace = `demo-e2e-${Date.now().toString(36)}`;
  const reportPath = join(mkdtempSync(join(tmpdir(), 'demo-e2e-')), 'report.json');
  let result: { code: number | null; output: string };
  let report: DemoReport;
  const stepOf = (name: string): StepReport => {
    const s = report.steps.find((x) => x.name === name);
    expect(s, `step ${name} in the report`).to.exist;
    return s!;
  };

  before(async () => {
    await ensureCluster();
    result = await runDemo(['--once', '--namespace', namespace, '--port', '0', '--report', reportPath]);
    report = JSON.parse(readFileSync(reportPath, 'utf8')) as DemoReport;
    if (result.code !== 0) console.log(result.output);
  });

  it('finishes every step and exits 0', () => {
    expect(report.error, report.error).to.be.undefined;
    expect(result.code).to.equal(0);
    expect(report.ok).to.equal(true);
  });

  it('brings the sample RiskModel to Ready with readyReplicas = minReplicas', () => {
    const s = stepOf('ready');
    expect(s.readyReplicas).to.equal(s.minReplicas);
    expect(s.modelVersion).to.be.a('string').and.not.be.empty;
  });

  it('rescales when the spec is edited', () => {
    const s = stepOf('rescale');
    expect(s.readyReplicas).to.equal(s.minReplicas);
  });

  it('scales up to maxReplicas under simulated CPU load and back down to minReplicas after', () => {
    expect(stepOf('scaleUp').replicas).to.equal(stepOf('rescale').maxReplicas);
    expect(stepOf('scaleDown').replicas).to.equal(stepOf('rescale').minReplicas);
  });

  it('rolls out the new model in a new ReplicaSet while keeping the HPA-held replica count', () => {
    const s = stepOf('rollout');
    expect(s.newReplicaSets).to.be.at.least(1);
    expect(s.minReplicasSeen).to.equal(s.held);
    expect(s.maxReplicasSeen).to.equal(s.held);
    expect(s.modelVersion).to.not.equal(stepOf('ready').modelVersion);
  });

  it('answers a healthy and a critical patient from the local inference server', () => {
    const s = stepOf('predictions');
    expect(s.healthy).to.equal('Low');
    expect(s.critical).to.equal('High');
  });

  it('narrates each step and what is real versus simulated', () => {
    for (let n = 1; n <= 8; n++) expect(result.output).to.contain(`[${n}/8]`);
    expect(result.output).to.match(/Simulated:/);
    expect(result.output).to.match(/Real:/);
  });

  it('leaves nothing behind with --once: the namespace is deleted and no demo process runs', async () => {
    const ns = await kubectl(['get', 'namespace', namespace, '-o', 'jsonpath={.status.phase}']);
    expect(ns.code === 0 ? ns.stdout : 'gone').to.be.oneOf(['gone', 'Terminating']);
    const pid = Number(stepOf('operator').pid);
    expect(() => process.kill(pid, 0)).to.throw();
  });
});
