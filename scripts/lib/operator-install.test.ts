import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { parseAllDocuments, parse } from 'yaml';
import { managerImageName, objectsToRemove, operatorOverlay, splitImageRef, waitForCrd } from './operator-install.js';

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

});

describe('waiting for the CRD to be Established', () => {
  /** kubectl as a freshly created CRD answers it: no condition yet (status.conditions null), then Established. */
  const answers = (...statuses: string[]) => {
    const asked: string[][] = [];
    const kubectl = (args: string[]): Promise<string> => {
      asked.push(args);
      return Promise.resolve(statuses[Math.min(asked.length, statuses.length) - 1] ?? '');
    };
    return { kubectl, asked };
  };

  it('keeps polling while the new CRD has no conditions yet, where kubectl wait --for=condition fails at once', async () => {
    const { kubectl, asked } = answers('', '', 'False', 'True');
    await waitForCrd(kubectl, 5_000);
    expect(asked).to.have.length(4);
    expect(asked[0]).to.include.members(['get', 'crd', 'riskmodels.riskmodel.dev']);
  });

  it('gives up after the timeout, saying what it last saw', async () => {
    const { kubectl } = answers('False');
    const err = await waitForCrd(kubectl, 600).then(() => undefined, (e: Error) => e);
    expect(err?.message).to.contain('the CRD riskmodels.riskmodel.dev to be Established').and.to.contain('Established=False');
  });
});
