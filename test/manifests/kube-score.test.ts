// kube-score on what the project ships and generates: the children the operator makes for every
// sample (from the desired-state builder) and the install manifests (config/default, rendered by
// kubectl's kustomize). Nothing CRITICAL is allowed, and a warning passes only if
// scripts/lib/kube-score-policy.ts lists it with its reason.
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { DEFAULT_INFERENCE_IMAGE } from '../../operator/config.js';
import { ensureKubeScore, score, type Finding } from '../../scripts/lib/kube-score.js';
import { ignoredChecks, unacceptable, type Subject } from '../../scripts/lib/kube-score-policy.js';
import { kustomize, sampleChildren } from '../../scripts/lib/manifests.js';
import { ensureBuilt } from '../../localcluster/build.js';
import { binaryPaths, components } from '../../localcluster/components.js';
import { loadConfig } from '../../localcluster/config.js';

const config = loadConfig();
const workDir = path.join(os.tmpdir(), 'riskmodel-kube-score');
const log = (line: string): void => console.log(`[kube-score] ${line}`);
const describeFindings = (findings: Finding[]): string[] => findings.map((f) => `${f.grade} ${f.check} on ${f.object}: ${f.comments.join('; ')}`);

async function check(binary: string, manifests: string, subject: Subject): Promise<Finding[]> {
  return unacceptable(await score(binary, manifests, ignoredChecks(subject), workDir), subject);
}

describe('kube-score on the generated children and the install manifests', function () {
  let binary: string;

  before(async function () {
    this.timeout(900_000);
    binary = await ensureKubeScore(config.cacheDir, config.goBinary, log);
  });

  for (const sample of sampleChildren(path.join(config.repoRoot, 'samples'), DEFAULT_INFERENCE_IMAGE)) {
    it(`finds nothing critical and no unlisted warning in the children of samples/${sample.file}`, async function () {
      expect(describeFindings(await check(binary, sample.yaml, { riskModel: sample.riskModel }))).to.deep.equal([]);
    });
  }

  it('finds nothing critical and no unlisted warning in config/default', async function () {
    // kubectl comes with the local cluster's Kubernetes build (waits for a build in progress).
    this.timeout(3_600_000);
    const list = components(config).filter((c) => c.name === 'kubernetes');
    await ensureBuilt(config, list, log);
    const manifests = await kustomize(binaryPaths(components(config)).kubectl, path.join(config.repoRoot, 'config/default'));
    expect(manifests).to.match(/^kind: Deployment$/m);
    expect(describeFindings(await check(binary, manifests, { install: true }))).to.deep.equal([]);
  });

  it('still reports a Deployment without a disruption budget, so a passing run means something', async function () {
    const [sample] = sampleChildren(path.join(config.repoRoot, 'samples'), DEFAULT_INFERENCE_IMAGE);
    const withoutBudget = sample!.yaml
      .split(/^---$/m)
      .filter((doc) => !/^kind: PodDisruptionBudget$/m.test(doc))
      .join('---\n');
    const findings = await check(binary, withoutBudget, { riskModel: sample!.riskModel });
    expect(findings.map((f) => `${f.grade} ${f.check}`)).to.include('CRITICAL deployment-has-poddisruptionbudget');
  });
});
