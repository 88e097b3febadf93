// The install overlay `npm run deploy` and the demo write, rendered by kubectl's kustomize as
// `kubectl apply -k` would render it. kubectl comes with the local cluster's Kubernetes build
// (built here if missing, as for the kube-score check), so these run in every `npm test`.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { parseAllDocuments } from 'yaml';
import { ensureBuilt } from '../../localcluster/build.js';
import { binaryPaths, components } from '../../localcluster/components.js';
import { loadConfig } from '../../localcluster/config.js';
import { kustomize } from '../../scripts/lib/manifests.js';
import { managerImageName, objectsToRemove, operatorOverlay } from '../../scripts/lib/operator-install.js';

const config = loadConfig();
const REPO = config.repoRoot;

type RenderedDeployment = {
  kind: string;
  spec: { replicas: number; template: { spec: Record<string, unknown> & { containers: { image: string; env: { name: string; value?: string }[] }[] } } };
};

describe('the install overlay, rendered with kubectl kustomize', function () {
  let kubectl: string;
  before(async function () {
    this.timeout(3_600_000);
    await ensureBuilt(config, components(config).filter((c) => c.name === 'kubernetes'), (line) => console.log(`      ${line}`));
    kubectl = binaryPaths(components(config)).kubectl;
  });

  /** The Deployment kustomize makes of the overlay, written in a temporary folder. */
  async function rendered(input: Parameters<typeof operatorOverlay>[0]): Promise<RenderedDeployment> {
    const dir = mkdtempSync(path.join(tmpdir(), 'overlay-'));
    try {
      writeFileSync(path.join(dir, 'kustomization.yaml'), operatorOverlay({ ...input, base: path.relative(dir, path.join(REPO, 'config/default')) }));
      const deployment = parseAllDocuments(await kustomize(kubectl, dir)).map((d) => d.toJS() as RenderedDeployment).find((d) => d.kind === 'Deployment');
      if (!deployment) throw new Error('kubectl kustomize rendered no Deployment');
      return deployment;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('renders the 2-replica Deployment running the local images, with no host network and its token mounted', async () => {
    const deployment = await rendered({
      base: '',
      baseImageName: managerImageName(readFileSync(path.join(REPO, 'config/manager/manager.yaml'), 'utf8')),
      operatorImage: 'localhost/riskmodel-operator:abc123',
      inferenceImage: 'localhost/riskmodel-inference:def456',
      watchNamespaces: ['demo', 'other'],
    });
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0] ?? { image: '', env: [] };
    expect(deployment.spec.replicas).to.equal(2);
    expect(container.image).to.equal('localhost/riskmodel-operator:abc123');
    expect(container.env.find((e) => e.name === 'INFERENCE_IMAGE')?.value).to.equal('localhost/riskmodel-inference:def456');
    expect(container.env.filter((e) => e.name === 'WATCH_NAMESPACES')).to.have.length(1);
    expect(pod.hostNetwork).to.not.equal(true);
    expect(pod.automountServiceAccountToken).to.not.equal(false);
    expect(pod.serviceAccountName).to.equal('riskmodel-operator');
  });

  it('lets undeploy keep every object of config/default but the CRD', async () => {
    const { names } = objectsToRemove(await kustomize(kubectl, path.join(REPO, 'config/default')), { crd: false });
    expect(names).to.include.members(['Namespace/riskmodel-system', 'Deployment/riskmodel-operator', 'ClusterRole/riskmodel-operator']);
    expect(names.some((n) => n.startsWith('CustomResourceDefinition/'))).to.be.false;
  });
});
