import { expect } from 'chai';
import { ownerKey, specChanged } from './mapping.js';
import { riskModel } from '../testing/fixtures.js';

const child = (refs: object[]) => ({ metadata: { name: 'x', namespace: 'team-a', ownerReferences: refs } }) as Parameters<typeof ownerKey>[0];
const owner = { apiVersion: 'riskmodel.dev/v1alpha1', kind: 'RiskModel', name: 'fraud', uid: 'u', controller: true };

describe('watch event mapping', () => {
  it('maps a child to the RiskModel that controls it', () => {
    expect(ownerKey(child([owner]))).to.equal('team-a/fraud');
  });

  const ignored: [string, object[]][] = [
    ['no owner', []],
    ['a RiskModel that is an owner but not the controller', [{ ...owner, controller: false }]],
    ['a controller of another kind', [{ ...owner, kind: 'ReplicaSet', apiVersion: 'apps/v1' }]],
    ['a RiskModel of another API version', [{ ...owner, apiVersion: 'riskmodel.dev/v2' }]],
  ];
  for (const [what, refs] of ignored) it(`ignores a child with ${what}`, () => expect(ownerKey(child(refs))).to.be.undefined);

  it('skips RiskModel updates that only changed status, such as the operator’s own writes', () => {
    const before = riskModel();
    const after = { ...structuredClone(before), status: { replicas: 2 } };
    after.metadata.resourceVersion = '101';
    expect(specChanged(after, before)).to.be.false;
  });

  it('reconciles on a new generation, a label or annotation change, deletion, and on add', () => {
    const before = riskModel();
    const changed = (edit: (rm: ReturnType<typeof riskModel>) => void) => {
      const after = structuredClone(before);
      edit(after);
      return specChanged(after, before);
    };
    expect(changed((rm) => (rm.metadata.generation = 2))).to.be.true;
    expect(changed((rm) => (rm.metadata.labels = { team: 'b' }))).to.be.true;
    expect(changed((rm) => (rm.metadata.annotations = { note: 'x' }))).to.be.true;
    expect(changed((rm) => (rm.metadata.deletionTimestamp = '2026-01-01T00:00:00Z'))).to.be.true;
    expect(specChanged(before, undefined)).to.be.true;
  });
});
