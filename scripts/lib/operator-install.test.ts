import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { parseAllDocuments, parse } from 'yaml';
import { clusterPaths } from '../../localcluster/cluster.js';
import { managerImageName, objectsToRemove, operatorOverlay, splitImageRef } from './operator-install.js';

const run = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, '../..');

describe('splitImageRef', () => {
  const cases: Array<[string, { name: string; tag: string }]> = [
    ['localhost/riskmodel-operator:e3190b06ac57', { name: 'localhost/riskmodel-operator', tag: 'e3190b06ac57' }],
    ['registry.test:5000/team/op:1.2', { name: 'registry.test:5000/team/op', tag: '1.2' }],
    ['registry.test:5000/team/op', { name: 'registry.test:5000/team/op', tag: 'latest' }],
    ['op', { name: 'op', tag: 'latest' }],
  ];
  for (const [ref, expected] of cases) it(`splits ${ref} into name and tag`, () => expect(splitImageRef(ref)).to.deep.equal(expected));
});

describe('operator install overlay', () => {
  const input = {
    base: '../../config/default',
    baseImageName: managerImageName(readFileSync(path.join(REPO, 'config/manager/manager.yaml'), 'utf8')),
    operatorImage: 'localhost/riskmodel-operator:abc123',
    inferenceImage: 'localhost/riskmodel-inference:def456',
    watchNamespaces: ['demo', 'other'],
  };

  it('reads the operator image name from config/manager without its tag', () => {
    expect(input.baseImageName).to.be.a('string').and.not.match(/:[^/]*$/);
  });

  it('refuses a manager file without the operator container, naming it', () => {
    expect(() => managerImageName('kind: Deployment\nspec: {}\n')).to.throw(/no Deployment with a container named operator/);
  });

  it('replaces the operator image and sets INFERENCE_IMAGE and WATCH_NAMESPACES on top of config/default', () => {
    const k = parse(operatorOverlay(input)) as { resources: string[]; images: unknown[]; patches: { patch: string }[] };
    expect(k.resources).to.deep.equal(['../../config/default']);
    expect(k.images).to.deep.equal([{ name: input.baseImageName, newName: 'localhost/riskmodel-operator', newTag: 'abc123' }]);
    const patch = parse(k.patches[0]?.patch ?? '') as { spec: { template: { spec: { containers: { env: unknown[] }[] } } } };
    expect(patch.spec.template.spec.containers[0]?.env).to.deep.equal([
      { name: 'INFERENCE_IMAGE', value: 'localhost/riskmodel-inference:def456' },
      { name: 'WATCH_NAMESPACES', value: 'demo,other' },
    ]);
  });

  it('renders with kubectl kustomize into the 2-replica Deployment running the local images, with no host network and its token mounted', async function () {
    const kubectl = clusterPaths().kubectl;
    if (!existsSync(kubectl)) this.skip();
    const deployment = await rendered(kubectl, input);
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
});

describe('what npm run undeploy deletes', () => {
  const rendered = [
    'apiVersion: v1\nkind: Namespace\nmetadata: {name: riskmodel-system}',
    'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: riskmodels.riskmodel.dev}',
    'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: riskmodel-operator}',
  ].join('\n---\n');

  it('keeps the CRD, and so every RiskModel, unless asked to delete it', () => {
    const { yaml, names } = objectsToRemove(rendered, { crd: false });
    expect(names).to.deep.equal(['Namespace/riskmodel-system', 'ClusterRole/riskmodel-operator']);
    expect(parseAllDocuments(yaml).map((d) => (d.toJS() as { kind: string }).kind)).to.deep.equal(['Namespace', 'ClusterRole']);
  });

  it('deletes the CRD too with crd', () => {
    expect(objectsToRemove(rendered, { crd: true }).names).to.include('CustomResourceDefinition/riskmodels.riskmodel.dev');
  });

  it('keeps every object of config/default but the CRD (rendered with kubectl kustomize)', async function () {
    const kubectl = clusterPaths().kubectl;
    if (!existsSync(kubectl)) this.skip();
    const { stdout } = await run(kubectl, ['kustomize', path.join(REPO, 'config/default')], { maxBuffer: 16 << 20 });
    const { names } = objectsToRemove(stdout, { crd: false });
    expect(names).to.include.members(['Namespace/riskmodel-system', 'Deployment/riskmodel-operator', 'ClusterRole/riskmodel-operator']);
    expect(names.some((n) => n.startsWith('CustomResourceDefinition/'))).to.be.false;
  });
});

type RenderedDeployment = {
  kind: string;
  spec: { replicas: number; template: { spec: Record<string, unknown> & { containers: { image: string; env: { name: string; value?: string }[] }[] } } };
};

/** The Deployment `kubectl kustomize` makes of the overlay, written in a temporary folder. */
async function rendered(kubectl: string, input: Parameters<typeof operatorOverlay>[0]): Promise<RenderedDeployment> {
  const dir = mkdtempSync(path.join(tmpdir(), 'overlay-'));
  try {
    writeFileSync(path.join(dir, 'kustomization.yaml'), operatorOverlay({ ...input, base: path.relative(dir, path.join(REPO, 'config/default')) }));
    const { stdout } = await run(kubectl, ['kustomize', dir], { maxBuffer: 16 << 20 });
    const deployment = parseAllDocuments(stdout).map((d) => d.toJS() as RenderedDeployment).find((d) => d.kind === 'Deployment');
    if (!deployment) throw new Error('kubectl kustomize rendered no Deployment');
    return deployment;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
