// Needs the local cluster with its real node, and fails (never skips) without it. The README's own
// command blocks, read from README.md so the text a user copies is the text tested:
// - "Operating it": every line run as written, one at a time through bash in the repository
//   root, with the conventions of scripts/lib/readme-blocks.ts (`&` jobs and `kill %N`,
//   `(Ctrl-C to stop)` lines given a bounded time, then SIGINT by process group). It checks that
//   the sample became Ready on real pods running the inference image `npm run deploy` built,
//   answered a prediction through its Service, and that `npm run undeploy` left no operator pod.
// - its `# from source` alternative: `kubectl apply -f crds/ && npm run operator` serves the
//   sample with the locally built inference image, with no INFERENCE_IMAGE set.
// - "Quick start" (too long to run here): its commands are package.json scripts, and
//   `npm run demo -- --help` answers.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { clusterPaths } from '../../localcluster/cluster.js';
import { REAL_NODE_NAME } from '../../localcluster/node-config.js';
import { alternativeStep, blocksUnder, npmScriptOf, stepsOf, type Step } from '../../scripts/lib/readme-blocks.js';
import { OPERATOR, OPERATOR_POD_SELECTOR, uninstallOperator } from '../../scripts/lib/operator-install.js';
import { ensureCluster, kubectl, kubectlOk, realNode, waitFor } from '../support/cluster.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const README = readFileSync(path.join(REPO, 'README.md'), 'utf8');
const SAMPLE = 'patient-risk';
/** How long a `(Ctrl-C to stop)` line runs before the test stops it. */
const FOREGROUND_MS = 12_000;
/** The longest a line may take: `npm run deploy` may build the images (minutes on a cold cache). */
const LINE_TIMEOUT_MS = 20 * 60_000;

const indent = (text: string): string => text.replace(/\n$/, '').split('\n').map((l) => `        ${l}`).join('\n');

/** A process group started through bash, its output kept. */
class Job {
  output = '';
  exit: number | null | undefined;
  readonly done: Promise<number | null>;
  constructor(readonly child: ChildProcess, readonly line: string) {
    for (const stream of [child.stdout, child.stderr]) stream?.setEncoding('utf8').on('data', (d: string) => (this.output += d));
    this.done = new Promise((resolve) => child.on('close', (code, signal) => resolve((this.exit = signal ? null : code))));
  }
  get running(): boolean {
    return this.exit === undefined;
  }
  private signal(signal: NodeJS.Signals): void {
    try {
      if (this.child.pid !== undefined) process.kill(-this.child.pid, signal);
    } catch {
      // the group has just ended
    }
  }

  /** Signals the whole group (bash, npm, node), as a shell's Ctrl-C or `kill %N` does; SIGKILL after 30 s. */
  async stop(signal: NodeJS.Signals): Promise<number | null> {
    if (!this.running) return this.exit ?? null;
    this.signal(signal);
    const timer = setTimeout(() => this.running && this.signal('SIGKILL'), 30_000);
    try {
      return await this.done;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Runs README lines one at a time through bash, carrying exported variables from line to line. */
class Shell {
  readonly jobs = new Map<number, Job>();
  readonly outputs = new Map<string, string>();
  private readonly dir = mkdtempSync(path.join(tmpdir(), 'readme-shell-'));
  env: NodeJS.ProcessEnv;

  constructor(env: NodeJS.ProcessEnv) {
    this.env = { ...env };
  }

  private spawn(script: string, line: string): Job {
    return new Job(spawn('bash', ['-c', script], { cwd: REPO, env: this.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] }), line);
  }

  /** Runs a line to its end; throws with its output when it exits non-zero or outlives LINE_TIMEOUT_MS. */
  async run(command: string, line = command): Promise<string> {
    const envFile = path.join(this.dir, 'env');
    const job = this.spawn(`set -o pipefail\n${command}\n__rc=$?\nenv -0 > '${envFile}'\nexit $__rc`, line);
    const timer = setTimeout(() => void job.stop('SIGTERM'), LINE_TIMEOUT_MS);
    const code = await job.done.finally(() => clearTimeout(timer));
    console.log(indent(job.output));
    this.outputs.set(line, job.output);
    if (code !== 0) throw new Error(`README line failed (exit ${String(code)}): ${line}\n${job.output}`);
    if (existsSync(envFile)) this.env = readEnv(readFileSync(envFile, 'utf8'));
    return job.output;
  }

  start(command: string, line = command): Job {
    return this.spawn(command, line);
  }

  /** Runs one step by the block's conventions (scripts/lib/readme-blocks.ts). */
  async step(step: Step): Promise<void> {
    console.log(`      $ ${step.line}`);
    if (step.kind === 'run') await this.run(step.command, step.line);
    else if (step.kind === 'background') this.jobs.set(step.job, this.start(step.command, step.line));
    else if (step.kind === 'kill') for (const n of step.jobs) await this.stopJob(n, 'SIGTERM');
    else await this.foreground(step.command, step.line);
  }

  private async stopJob(n: number, signal: NodeJS.Signals): Promise<void> {
    const job = this.jobs.get(n);
    if (!job) return;
    await job.stop(signal);
    console.log(indent(`[job %${n}, ${job.line}]\n${job.output}`));
    this.outputs.set(job.line, job.output);
  }

  /** A `(Ctrl-C to stop)` line: it must still run after FOREGROUND_MS; then Ctrl-C. */
  private async foreground(command: string, line: string): Promise<void> {
    const job = this.start(command, line);
    await Promise.race([job.done, new Promise((resolve) => setTimeout(resolve, FOREGROUND_MS))]);
    const stillRunning = job.running;
    await job.stop('SIGINT');
    console.log(indent(job.output));
    this.outputs.set(line, job.output);
    if (!stillRunning) throw new Error(`README line ended by itself (exit ${String(job.exit)}) before Ctrl-C: ${line}\n${job.output}`);
  }

  async close(): Promise<void> {
    for (const [n, job] of this.jobs) if (job.running) await this.stopJob(n, 'SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function readEnv(dump: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const entry of dump.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

/** The user's starting environment: no KUBECONFIG, so the README's own export is what points kubectl at the cluster. */
function userEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.KUBECONFIG;
  delete env.INFERENCE_IMAGE;
  return env;
}

/** The sample's pods that are not being deleted: node and image of each. */
async function samplePods(): Promise<{ node: string; image: string; ready: boolean }[]> {
  const list = JSON.parse(await kubectlOk(['get', 'pods', '-n', 'default', '-l', `app.kubernetes.io/instance=${SAMPLE}`, '-o', 'json'])) as {
    items: { metadata: { deletionTimestamp?: string }; spec: { nodeName?: string; containers: { image: string }[] }; status?: { conditions?: { type: string; status: string }[] } }[];
  };
  return list.items.filter((p) => !p.metadata.deletionTimestamp).map((p) => ({
    node: p.spec.nodeName ?? '',
    image: p.spec.containers[0]?.image ?? '',
    ready: (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
  }));
}

async function expectServedByLocalImage(): Promise<void> {
  const pods = await samplePods();
  expect(pods.length, 'pods of the sample').to.be.at.least(1);
  for (const pod of pods) {
    expect(pod.node).to.equal(REAL_NODE_NAME);
    expect(pod.image).to.match(/^localhost\/riskmodel-inference:[0-9a-f]{12}$/);
  }
}

const operatorPodsLeft = async (): Promise<string> => (await kubectlOk(['get', 'pods', '-n', OPERATOR.namespace, '-l', OPERATOR_POD_SELECTOR, '-o', 'name'])).trim();
const run = (args: string[], input?: string): Promise<string> => kubectlOk(args, input === undefined ? {} : { input });

describe('README: the commands a user runs, on the local cluster with its real node', function () {
  this.timeout(45 * 60_000);
  const modelFile = path.join(REPO, 'model.json');
  const modelBackup = `${modelFile}.readme-test-backup`;
  let crdBefore = false;
  let shell: Shell;

  before(async function () {
    this.timeout(45 * 60_000);
    await ensureCluster();
    const node = await realNode();
    if (!node.available) throw new Error(`the README test runs the user's commands on the real node, which is not available: ${node.reason}`);
    crdBefore = (await kubectl(['get', 'crd', 'riskmodels.riskmodel.dev'])).code === 0;
    // `npm run train -- --out model.json` writes the repository's (git-ignored) model.json: keep a developer's own.
    if (existsSync(modelFile)) renameSync(modelFile, modelBackup);
    shell = new Shell(userEnv());
  });

  after(async () => {
    await shell?.close();
    await kubectl(['delete', 'riskmodel', SAMPLE, '-n', 'default', '--ignore-not-found', '--wait=true', '--timeout=120s']);
    await kubectl(['delete', 'configmap', 'patient-risk-model', '-n', 'default', '--ignore-not-found']);
    if ((await kubectl(['get', 'deployment', OPERATOR.deployment, '-n', OPERATOR.namespace])).code === 0) {
      await uninstallOperator(run, { repoRoot: REPO, crd: false, timeoutSeconds: 180 });
    }
    if (!crdBefore) await kubectl(['delete', 'crd', 'riskmodels.riskmodel.dev', '--ignore-not-found', '--timeout=120s']);
    rmSync(modelFile, { force: true });
    if (existsSync(modelBackup)) renameSync(modelBackup, modelFile);
  });

  it('Quick start: names package.json scripts that exist, and npm run demo -- --help answers', async () => {
    const blocks = blocksUnder(README, 'Quick start');
    expect(blocks, 'one sh block under "Quick start"').to.have.length(1);
    const commands = stepsOf(blocks[0] ?? '').map((s) => ('command' in s ? s.command : s.line));
    expect(commands).to.deep.equal(['npm run demo', 'npm test']);
    const scripts = (JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    for (const command of commands) expect(scripts, command).to.have.property(npmScriptOf(command) ?? command);
    expect(await shell.run('npm run demo -- --help')).to.include('Usage: npm run demo');
  });

  it('Operating it: every line runs as written; the sample is Ready on the real node, answers a prediction through its Service, and undeploy leaves no operator pod', async () => {
    const blocks = blocksUnder(README, 'Operating it');
    expect(blocks, 'one sh block under "Operating it"').to.have.length(1);
    const steps = stepsOf(blocks[0] ?? '');
    for (const step of steps) {
      await shell.step(step);
      if (step.kind === 'run' && step.command.startsWith('kubectl wait --for=condition=Ready')) await expectServedByLocalImage();
    }
    expect(shell.env.KUBECONFIG, 'the block exports KUBECONFIG').to.equal(clusterPaths().kubeconfig);
    // Its kubectl is the one built with the cluster, not whatever (if anything) the machine has.
    expect(shell.env.PATH?.split(':')[0], 'the block puts the cluster\'s kubectl first on PATH').to.equal(path.join(clusterPaths().stateDir, 'bin'));
    const curl = [...shell.outputs.entries()].find(([line]) => line.startsWith('curl') && line.includes('/predict'));
    expect(curl, 'a curl of /predict in the block').to.not.be.undefined;
    const prediction = JSON.parse(curl?.[1] ?? '{}') as { risk?: string; probabilities?: Record<string, number> };
    expect(prediction.risk).to.be.oneOf(['Low', 'Medium', 'High']);
    const watch = [...shell.outputs.entries()].find(([line]) => line.startsWith('npm run watch'));
    expect(watch?.[1], 'npm run watch showed the sample').to.include(SAMPLE);
    expect(await operatorPodsLeft(), 'operator pods after npm run undeploy').to.equal('');
    expect((await kubectl(['get', 'crd', 'riskmodels.riskmodel.dev'])).code, 'the CRD is kept').to.equal(0);
  });

  it('from source: its line serves the sample with the inference image npm run images built, with no INFERENCE_IMAGE set', async () => {
    const alternative = alternativeStep(blocksUnder(README, 'Operating it')[0] ?? '', 'from source');
    expect(alternative?.kind, 'a "# from source:" line that runs until Ctrl-C').to.equal('foreground');
    if (alternative?.kind !== 'foreground') return;
    // This test on its own (mocha --grep) has not run the block's export.
    shell.env.KUBECONFIG ??= clusterPaths().kubeconfig;
    expect(await operatorPodsLeft(), 'no in-cluster operator competing with the one from source').to.equal('');
    console.log(`      $ ${alternative.line}`);
    const operator = shell.start(alternative.command, alternative.line);
    try {
      await waitFor(() => operator.output.includes('"operator started"') || !operator.running, { timeoutMs: LINE_TIMEOUT_MS, intervalMs: 500, what: 'the operator from source to start' });
      expect(operator.running, `the operator from source runs:\n${operator.output}`).to.be.true;
      expect(operator.output).to.match(/INFERENCE_IMAGE=localhost\/riskmodel-inference:[0-9a-f]{12}/);
      expect(operator.output).to.not.include('INFERENCE_IMAGE is not set');
      await shell.step({ kind: 'run', line: 'kubectl apply -f samples/riskmodel-minimal.yaml', command: 'kubectl apply -f samples/riskmodel-minimal.yaml' });
      await shell.run(`kubectl wait --for=condition=Ready riskmodel/${SAMPLE} --timeout=300s`);
      await expectServedByLocalImage();
      await shell.run(`kubectl delete -f samples/riskmodel-minimal.yaml --wait=true --timeout=120s`);
    } finally {
      // npm and bash in the group end by the signal itself; what counts is the operator's own clean stop.
      await operator.stop('SIGINT');
      const tail = operator.output.split('\n').slice(-15).join('\n');
      console.log(indent(tail));
      // The last lines in the failure itself: they show which shutdown stage did not end.
      if (!operator.output.includes('"operator stopped"')) expect.fail(`the operator did not stop cleanly on Ctrl-C; its last lines:\n${tail}`);
    }
  });
});
