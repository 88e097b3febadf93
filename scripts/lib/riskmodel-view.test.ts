import { expect } from 'chai';
import { recordSnapshot, toView, type History, type Snapshot } from './riskmodel-view.js';

const riskModel = {
  apiVersion: 'riskmodel.dev/v1alpha1',
  kind: 'RiskModel',
  metadata: { name: 'sepsis', namespace: 'ward-3', generation: 4 },
  spec: { model: { version: 'v2' }, minReplicas: 2, maxReplicas: 6, targetCPUUtilizationPercentage: 70 },
  status: {
    observedGeneration: 4,
    replicas: 4,
    readyReplicas: 3,
    desiredReplicas: 5,
    currentCPUUtilizationPercentage: 93,
    modelVersion: 'v2-3f2a9c1',
    conditions: [
      { type: 'Ready', status: 'True', reason: 'Available', message: '3 of 4 replicas ready' },
      { type: 'Degraded', status: 'False', reason: 'AsExpected', message: '' },
    ],
  },
};

describe('toView', () => {
  it('reads the spec bounds, the status counters, the conditions and the model version', () => {
    expect(toView(riskModel)).to.deep.equal({
      namespace: 'ward-3',
      name: 'sepsis',
      minReplicas: 2,
      maxReplicas: 6,
      targetCPU: 70,
      replicas: 4,
      readyReplicas: 3,
      desiredReplicas: 5,
      currentCPU: 93,
      modelVersion: 'v2-3f2a9c1',
      conditions: [
        { type: 'Ready', status: 'True', reason: 'Available', message: '3 of 4 replicas ready' },
        { type: 'Degraded', status: 'False', reason: 'AsExpected', message: undefined },
      ],
      generation: 4,
      observedGeneration: 4,
    });
  });

  it('falls back to the spec model version before the operator has reported one', () => {
    const { status: _status, ...fresh } = riskModel;
    expect(toView(fresh).modelVersion).to.equal('v2');
    expect(toView(fresh).replicas).to.be.undefined;
    expect(toView(fresh).conditions).to.deep.equal([]);
  });

  it('never throws on objects of the wrong shape', () => {
    for (const junk of [null, 42, 'x', [], { metadata: 'x', status: { replicas: 'three', conditions: [null, { status: 'True' }] } }]) {
      expect(() => toView(junk), JSON.stringify(junk)).not.to.throw();
    }
    expect(toView({ status: { replicas: 'three' } }).replicas).to.be.undefined;
  });
});

describe('recordSnapshot', () => {
  const snapshot = (replicas: number[], error?: string): Snapshot => ({
    scope: { allNamespaces: false, namespace: 'default' },
    takenAt: new Date(0),
    models: replicas.map((count, i) => ({ namespace: 'default', name: `m${i}`, replicas: count, desiredReplicas: count + 1, currentCPU: 50, conditions: [] })),
    ...(error === undefined ? {} : { error }),
  });

  it('appends one point per RiskModel, oldest first', () => {
    let history: History = new Map();
    history = recordSnapshot(history, snapshot([2]), 10);
    history = recordSnapshot(history, snapshot([3]), 10);
    expect(history.get('default/m0')).to.deep.equal([
      { replicas: 2, desired: 3, cpu: 50 },
      { replicas: 3, desired: 4, cpu: 50 },
    ]);
  });

  it('keeps only the newest points up to the limit', () => {
    let history: History = new Map();
    for (const count of [1, 2, 3, 4]) history = recordSnapshot(history, snapshot([count]), 2);
    expect(history.get('default/m0')?.map((point) => point.replicas)).to.deep.equal([3, 4]);
  });

  it('forgets a RiskModel that was deleted', () => {
    const history = recordSnapshot(recordSnapshot(new Map(), snapshot([1, 1]), 5), snapshot([1]), 5);
    expect([...history.keys()]).to.deep.equal(['default/m0']);
  });

  it('adds nothing while the cluster is unreachable', () => {
    const before = recordSnapshot(new Map(), snapshot([2]), 5);
    expect(recordSnapshot(before, snapshot([2], 'cannot reach the cluster'), 5)).to.equal(before);
  });

  it('does not change the history it was given', () => {
    const before = recordSnapshot(new Map(), snapshot([2]), 5);
    recordSnapshot(before, snapshot([3]), 5);
    expect(before.get('default/m0')).to.have.length(1);
  });
});
