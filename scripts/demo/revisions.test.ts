import { expect } from 'chai';
import type { Condition } from '../../operator/api/riskmodel.js';
import { canaryFailure, canaryLine, historyEntry, newestEvent, podChanges, podLives, type PodList } from './revisions.js';
import type { RiskModelObject } from './riskmodel.js';

const rm = (status: RiskModelObject['status']): RiskModelObject => ({
  apiVersion: 'riskmodel.dev/v1alpha1',
  kind: 'RiskModel',
  metadata: { name: 'demo', namespace: 'riskmodel-demo' },
  spec: { minReplicas: 1, maxReplicas: 3, targetCPUUtilizationPercentage: 50, model: { version: 'demo' } },
  status,
});

const degraded = (status: Condition['status'], reason: string): Condition => ({ type: 'Degraded', status, reason, message: `${reason} happened`, lastTransitionTime: '2026-12-02T01:00:00Z' });

const pods = (...items: Array<[string, string, number[], boolean?]>): PodList => ({
  items: items.map(([name, uid, restarts, deleting]) => ({
    metadata: { name, uid, ...(deleting ? { deletionTimestamp: '2026-12-02T01:00:00Z' } : {}) },
    status: { containerStatuses: restarts.map((restartCount) => ({ restartCount })) },
  })),
});

describe('demo revision steps: reading the cluster', () => {
  it('records each live pod by name with its UID and its containers\' restarts added up, leaving out pods being deleted', () => {
    expect(podLives(pods(['a', 'u1', [0]], ['b', 'u2', [1, 2]], ['c', 'u3', [0], true]))).to.deep.equal({ a: { uid: 'u1', restarts: 0 }, b: { uid: 'u2', restarts: 3 } });
  });

  it('says the stable pods are unchanged only when the same UIDs run with the same restart counts', () => {
    const before = podLives(pods(['a', 'u1', [0]], ['b', 'u2', [0]]));
    expect(podChanges(before, podLives(pods(['a', 'u1', [0]], ['b', 'u2', [0]])))).to.deep.equal({ unchanged: true, gone: [], added: [], restarted: [] });
    expect(podChanges(before, podLives(pods(['a', 'u1', [1]], ['b', 'u2', [0]])))).to.include({ unchanged: false }).and.deep.include({ restarted: ['a'] });
    expect(podChanges(before, podLives(pods(['a', 'u1', [0]], ['c', 'u3', [0]])))).to.deep.equal({ unchanged: false, gone: ['b'], added: ['c'], restarted: [] });
  });

  it('counts a pod recreated under the same name (a StatefulSet would) as gone and added, not as the same pod', () => {
    const changes = podChanges(podLives(pods(['a', 'u1', [0]])), podLives(pods(['a', 'u9', [0]])));
    expect(changes).to.deep.equal({ unchanged: false, gone: ['a'], added: ['a'], restarted: [] });
  });

  it('finds a canary failure only in Degraded=True with reason CanaryFailed', () => {
    expect(canaryFailure(rm({ conditions: [degraded('True', 'CanaryFailed')] }))).to.equal('CanaryFailed happened');
    expect(canaryFailure(rm({ conditions: [degraded('True', 'InvalidModel')] }))).to.equal(undefined);
    expect(canaryFailure(rm({ conditions: [degraded('False', 'CanaryFailed')] }))).to.equal(undefined);
    expect(canaryFailure(rm(undefined))).to.equal(undefined);
  });

  it('takes the newest history entry of a revision (content A → B → A serves revision 1 twice)', () => {
    const history = [
      { revision: 1, modelVersion: 'v-a', contentHash: 'a', startedAt: 't1', result: 'Superseded' as const },
      { revision: 2, modelVersion: 'v-b', contentHash: 'b', startedAt: 't2', result: 'Superseded' as const },
      { revision: 1, modelVersion: 'v-a', contentHash: 'a', startedAt: 't3' },
    ];
    expect(historyEntry(rm({ history }), 1)?.startedAt).to.equal('t3');
    expect(historyEntry(rm({ history }), 7)).to.equal(undefined);
  });

  it('describes a running canary on one line, and nothing when none runs', () => {
    const canary = { revision: 3, phase: 'Analyzing' as const, templateHash: 'h', startedAt: 't', replicas: 2, readyReplicas: 2, message: 'analyzing, 4 of 20 s' };
    expect(canaryLine(rm({ canary }))).to.equal('canary of revision 3: Analyzing, 2/2 pods ready; analyzing, 4 of 20 s');
    expect(canaryLine(rm({}))).to.equal('');
  });

  it('shows the newest event of a reason as kubectl describe would, and undefined when there is none', () => {
    const events = { items: [
      { type: 'Warning', reason: 'CanaryFailed', message: 'second', lastTimestamp: '2026-12-02T01:00:09Z' },
      { type: 'Warning', reason: 'CanaryFailed', message: 'first', lastTimestamp: '2026-12-02T01:00:01Z' },
      { type: 'Normal', reason: 'RolledBack', message: 'back', eventTime: '2026-12-02T01:00:05Z' },
    ] };
    expect(newestEvent(events, 'CanaryFailed')).to.equal('Warning CanaryFailed: second');
    expect(newestEvent(events, 'RolledBack')).to.equal('Normal RolledBack: back');
    expect(newestEvent(events, 'CanaryPromoted')).to.equal(undefined);
  });
});
