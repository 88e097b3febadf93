// End-to-end: `npm run demo -- --once` on the local cluster's real node (skipped when the cluster
// has none; its ten steps include a failing canary and a rollback), and the quick `--kwok` run, non-interactively, checking each step's outcome from the
// demo's JSON report (numbers the demo measured on the cluster).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ensureCluster, kubectl, realNode } from '../support/cluster.js';

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

/** Runs the demo once with `extra` flags in a fresh namespace; the report and output for the file's tests. */
function useDemoRun(extra: string[], prefix: string): { namespace: string; result: () => { code: number | null; output: string }; stepOf: (name: string) => StepReport; report: () => DemoReport } {
  const namespace = `${prefix}-${Date.now().toString(36)}`;
  const reportPath = join(mkdtempSync(join(tmpdir(), 'demo-e2e-')), 'report.json');
  let result: { code: number | null; output: string } = { code: null, output: '' };
  let report: DemoReport = { ok: false, steps: [] };
  before(async function () {
    this.timeout(30 * 60_000);
    result = await runDemo(['--once', ...extra, '--namespace', namespace, '--port', '0', '--report', reportPath]);
    report = JSON.parse(readFileSync(reportPath, 'utf8')) as DemoReport;
    if (result.code !== 0) console.log(result.output);
    else console.log(`      demo steps: ${report.steps.map((x) => JSON.stringify(x)).join('\n                  ')}`);
  });
  const stepOf = (name: string): StepReport => {
    const s = report.steps.find((x) => x.name === name);
    expect(s, `step ${name} in the report`).to.exist;
    return s!;
  };
  return { namespace, result: () => result, stepOf, report: () => report };
}

describe('npm run demo -- --once (end to end, on the real node)', function () {
  this.timeout(30 * 60_000);
  before(async function () {
    await ensureCluster();
    const node = await realNode();
    if (!node.available) {
      console.log(`      skipped: ${node.reason}`);
      // Only on a machine without a real node, outside CI: under CI realNode() throws instead (test/support/cluster.ts).
      this.skip();
    }
  });
  const demo = useDemoRun([], 'demo-real');

  it('finishes every step and exits 0', () => {
    expect(demo.report().error, demo.report().error).to.be.undefined;
    expect(demo.result().code).to.equal(0);
    expect(demo.report().ok).to.equal(true);
  });

  it('runs the operator in-cluster from config/default: two pods, one of them leading', () => {
    const s = demo.stepOf('operator');
    expect(s.inCluster).to.equal(true);
    expect(s.pods).to.have.length(2);
    expect(s.pods).to.include(s.leader);
    expect(s.image).to.match(/^localhost\/riskmodel-operator:[0-9a-f]{12}$/);
  });

  it('brings the sample RiskModel to Ready on real pods and rescales it', () => {
    expect(demo.stepOf('ready').readyReplicas).to.equal(demo.stepOf('ready').minReplicas);
    expect(demo.stepOf('rescale').readyReplicas).to.equal(demo.stepOf('rescale').minReplicas);
  });

  it('scales up to maxReplicas on requests a second per pod, read through Prometheus and prometheus-adapter, losing no request', () => {
    const up = demo.stepOf('scaleUp');
    expect(up.scaleOn).to.equal('requests');
    expect(up.reached).to.equal(true);
    expect(up.replicas).to.equal(demo.stepOf('rescale').maxReplicas);
    // The HPA read the pods' own rate through the custom metrics API, above the sample's target per pod.
    expect(up.requestsPerPodSeen).to.be.above(up.targetPerPod as number);
    expect(up.rate, 'the default rate is more than maxReplicas needs').to.be.above(up.rateForMax as number);
    expect(up.secondsToFirstScaleUp).to.be.at.most(up.secondsToDesired as number);
    expect(up.secondsToDesired).to.be.at.most(up.seconds as number);
    expect(Math.max(...Object.values(up.topMilliCores as Record<string, number>)), 'kubectl top pods shows their CPU').to.be.above(0);
    expect(up.failed).to.equal(0);
    expect(demo.stepOf('load').requestsPerSecond, 'steps 6 to 9 ran at about the rate sent').to.be.above(0.5 * (up.rate as number));
  });

  it('rolls out the new model under load without losing a request', () => {
    const s = demo.stepOf('rollout');
    expect(s.newReplicaSets).to.be.at.least(1);
    expect(s.requests).to.be.above(100);
    expect(s.failed).to.equal(0);
    expect(s.modelVersion).to.not.equal(demo.stepOf('ready').modelVersion);
  });

  it('catches the faulty model in a canary: CanaryFailed on its 5xx ratio over the load, the canary gone, the stable pods never restarted', () => {
    const s = demo.stepOf('canary');
    expect(s.reason).to.equal('CanaryFailed');
    expect(s.message, 'Degraded names the failed figure').to.match(/5xx ratio [\d.]+ \(\d+ of \d+ requests?\) above maxErrorRatio 0\.01/);
    expect(s.historyResult).to.equal('FailedAnalysis');
    expect(s.historyMessage).to.match(/5xx ratio/);
    expect(s.revision).to.be.above(demo.stepOf('rollout').revision as number);
    expect(s.canaryPods, 'weight 50: half the stable pods, rounded up').to.equal(Math.ceil((demo.stepOf('rescale').maxReplicas as number) / 2));
    expect(s.canaryGone).to.equal(true);
    expect(s.stablePodsUnchanged, JSON.stringify(s.stableChanges)).to.equal(true);
    expect(s.servingRevision, 'the stable pods kept step 6\'s revision').to.equal(demo.stepOf('rollout').revision);
    // The load's requests the canary pods answered fail (500): that is what the canary costs, and the stable pods answered the rest.
    expect(s.failed).to.be.above(0);
    expect(s.failed).to.be.below(s.requests as number);
  });

  it('rolls back to the revision before step 6\'s with one command, every pod serving it and no request lost', () => {
    const s = demo.stepOf('rollback');
    expect(s.fromRevision).to.equal(demo.stepOf('rollout').revision);
    expect(s.toRevision).to.equal(demo.stepOf('ready').revision);
    expect(s.pinned).to.equal(demo.stepOf('ready').revision);
    expect(s.modelVersion).to.equal(demo.stepOf('ready').modelVersion);
    expect(s.artifactVersion, 'what every stable pod\'s GET /model answered').to.equal(demo.stepOf('ready').artifactVersion);
    expect(s.podsServing).to.be.at.least(1);
    expect(s.fromResult).to.equal('RolledBack');
    expect(s.event).to.match(/^Normal RolledBack: .*revision/);
    expect(s.requests).to.be.above(100);
    expect(s.failed).to.equal(0);
  });

  it('scales back down to minReplicas once the load stops, having lost no request but those the faulty canary answered', () => {
    expect(demo.stepOf('scaleDown').replicas).to.equal(demo.stepOf('rescale').minReplicas);
    expect(demo.stepOf('load').failedDuringCanary).to.equal(demo.stepOf('canary').failed);
    expect(demo.stepOf('load').failedOutsideCanary).to.equal(0);
  });

  it('answers through the inference Service and serves the web page through kubectl port-forward svc', () => {
    const s = demo.stepOf('predictions');
    expect(s.via).to.equal('service');
    expect(s.url).to.match(/^http:\/\/10\.96\.\d+\.\d+:\d+$/);
    expect(s.healthy).to.equal('Low');
    expect(s.critical).to.equal('High');
    expect(s.criticalViaPortForward).to.equal('High');
    expect(s.pageStatus).to.equal(200);
    expect(s.modelVersion, 'the model that answered: the one rolled back to').to.equal(demo.stepOf('rollback').artifactVersion);
  });

  it('narrates each step and says what is real', () => {
    for (let n = 1; n <= 10; n++) expect(demo.result().output).to.contain(`[${n}/10]`);
    expect(demo.result().output).to.match(/Real:/);
    expect(demo.result().output).to.match(/Nothing is simulated/);
  });

  it('leaves nothing behind with --once: the namespace and the operator Deployment are deleted', async () => {
    const ns = await kubectl(['get', 'namespace', demo.namespace, '-o', 'jsonpath={.status.phase}']);
    expect(ns.code === 0 ? ns.stdout : 'gone').to.be.oneOf(['gone', 'Terminating']);
    const operator = await kubectl(['get', 'deployment', 'riskmodel-operator', '-n', 'riskmodel-system', '-o', 'jsonpath={.metadata.deletionTimestamp}']);
    expect(operator.code === 0 ? (operator.stdout ? 'deleting' : 'present') : 'gone').to.be.oneOf(['gone', 'deleting']);
  });
});

describe('npm run demo -- --once --kwok (end to end, simulated pods)', function () {
  this.timeout(20 * 60_000);
  before(async () => {
    await ensureCluster();
  });
  const demo = useDemoRun(['--kwok'], 'demo-kwok');

  it('finishes every step and exits 0', () => {
    expect(demo.report().error, demo.report().error).to.be.undefined;
    expect(demo.result().code).to.equal(0);
    expect(demo.report().ok).to.equal(true);
  });

  it('brings the sample RiskModel to Ready with readyReplicas = minReplicas, and rescales it', () => {
    expect(demo.stepOf('ready').readyReplicas).to.equal(demo.stepOf('ready').minReplicas);
    expect(demo.stepOf('ready').modelVersion).to.be.a('string').and.not.be.empty;
    expect(demo.stepOf('rescale').readyReplicas).to.equal(demo.stepOf('rescale').minReplicas);
  });

  it('scales up to maxReplicas under simulated CPU load and back down to minReplicas after', () => {
    expect(demo.stepOf('scaleUp').replicas).to.equal(demo.stepOf('rescale').maxReplicas);
    expect(demo.stepOf('scaleDown').replicas).to.equal(demo.stepOf('rescale').minReplicas);
  });

  it('rolls out the new model in a new ReplicaSet while keeping the HPA-held replica count', () => {
    const s = demo.stepOf('rollout');
    expect(s.newReplicaSets).to.be.at.least(1);
    expect(s.minReplicasSeen).to.equal(s.held);
    expect(s.maxReplicasSeen).to.equal(s.held);
    expect(s.modelVersion).to.not.equal(demo.stepOf('ready').modelVersion);
  });

  it('answers a healthy and a critical patient from the local inference server', () => {
    expect(demo.stepOf('predictions').healthy).to.equal('Low');
    expect(demo.stepOf('predictions').critical).to.equal('High');
  });

  it('narrates each step and what is real versus simulated', () => {
    for (let n = 1; n <= 8; n++) expect(demo.result().output).to.contain(`[${n}/8]`);
    expect(demo.result().output).to.match(/Simulated:/);
    expect(demo.result().output).to.match(/Real:/);
  });

  it('leaves nothing behind with --once: the namespace is deleted and no demo process runs', async () => {
    const ns = await kubectl(['get', 'namespace', demo.namespace, '-o', 'jsonpath={.status.phase}']);
    expect(ns.code === 0 ? ns.stdout : 'gone').to.be.oneOf(['gone', 'Terminating']);
    const pid = Number(demo.stepOf('operator').pid);
    expect(() => process.kill(pid, 0)).to.throw();
  });
});
