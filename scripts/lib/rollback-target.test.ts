import { expect } from 'chai';
import {
  chooseTarget, notPinnedMessage, pinnedMessage, pinPatch, readRollbackState, unpinnedMessage, unpinPatch,
  type Choice, type HistoryEntry, type RollbackState,
} from './rollback-target.js';

const V = { 1: 'v1-1a2b3c4d', 2: 'v2-5e6f7a8b', 3: 'v3-9c0d1e2f', 4: 'v4-33445566' } as Record<number, string>;

function entry(revision: number, result?: string, message?: string): HistoryEntry {
  return { revision, modelVersion: V[revision], snapshot: `sepsis-model-${revision}`, result, message };
}

function state(serving: number | undefined, history: HistoryEntry[], kept: number[], pinned?: number): RollbackState {
  return {
    name: 'sepsis', namespace: 'ward-3', resourceVersion: '7', serving, pinned, history, configMapName: 'sepsis-model',
    kept: kept.map((revision) => ({ name: `sepsis-model-${revision}`, revision, modelVersion: V[revision] })),
  };
}

const target = (choice: Choice): number | string => (choice.ok ? choice.target.revision : choice.message);

describe('chooseTarget', () => {
  const cases: Array<[string, RollbackState, number | undefined, number | RegExp]> = [
    ['picks the revision that served before the serving one', state(3, [entry(1, 'Superseded'), entry(2, 'Superseded'), entry(3)], [1, 2, 3]), undefined, 2],
    ['skips a previous revision whose snapshot was pruned', state(3, [entry(1, 'Superseded'), entry(2, 'Superseded'), entry(3)], [1, 3]), undefined, 1],
    ['skips a canary that failed its analysis: it never served', state(3, [entry(1, 'Superseded'), entry(2, 'FailedAnalysis'), entry(3)], [1, 2, 3]), undefined, 1],
    ['skips earlier entries of the serving revision itself (content A → B → A)', state(1, [entry(1, 'Superseded'), entry(2, 'Superseded'), entry(1)], [1, 2]), undefined, 2],
    ['ignores a canary under analysis after the serving entry', state(2, [entry(1, 'Superseded'), entry(2), entry(3)], [1, 2, 3]), undefined, 1],
    ['ignores a canary replaced mid-analysis by a newer revision: it ended Superseded without ever serving', state(2, [entry(1, 'Superseded'), entry(2), entry(3, 'Superseded'), entry(4)], [1, 2, 3, 4]), undefined, 1],
    ['goes back to where it was when run twice, like kubectl rollout undo', state(2, [entry(1, 'Superseded'), entry(2, 'Superseded'), entry(3, 'RolledBack'), entry(2)], [1, 2, 3], 2), undefined, 3],
    ['counts every entry as before when the serving revision is not in history', state(5, [entry(1, 'Superseded'), entry(2, 'Superseded')], [1, 2, 5]), undefined, 2],
    ['pins a named kept revision', state(3, [entry(1, 'Superseded'), entry(2, 'Superseded'), entry(3)], [1, 2, 3]), 1, 1],
    ['pins a named revision that is kept but no longer in history', state(9, [entry(8, 'Superseded'), entry(9)], [4, 8, 9]), 4, 4],
    ['pins the serving revision itself when named, freezing it', state(3, [entry(2, 'Superseded'), entry(3)], [2, 3]), 3, 3],
    ['refuses when only the serving revision is kept, listing it',
      state(3, [entry(1, 'Superseded'), entry(2, 'Superseded'), entry(3)], [3]), undefined,
      /^riskmodel\/sepsis has no previous revision to roll back to: it serves revision 3 and no revision that served before it is still kept; kept revisions: 3 \(v3-9c0d1e2f\), serving$/],
    ['refuses when the only earlier revision failed its analysis, pointing at --to-revision',
      state(3, [entry(2, 'FailedAnalysis'), entry(3)], [2, 3]), undefined,
      /kept revisions: 2 \(v2-5e6f7a8b\), 3 \(v3-9c0d1e2f\), serving; name one of the others with --to-revision N$/],
    ['refuses a RiskModel that serves no revision yet', state(undefined, [], []), undefined,
      /^riskmodel\/sepsis serves no revision yet \(status\.revision is empty\), so it has no previous revision; name a kept one with --to-revision N; no snapshot of it is kept$/],
    ['refuses a named revision that is not kept, listing the kept ones', state(3, [entry(2, 'Superseded'), entry(3)], [2, 3]), 7,
      /^--to-revision 7: riskmodel\/sepsis does not keep revision 7; kept revisions: 2 \(v2-5e6f7a8b\), 3 \(v3-9c0d1e2f\), serving$/],
    ['says when a named revision is in history but its snapshot was pruned', state(3, [entry(1, 'Superseded'), entry(2, 'Superseded'), entry(3)], [2, 3]), 1,
      /^--to-revision 1: riskmodel\/sepsis does not keep revision 1 \(it is in status\.history, but its snapshot was pruned\); kept/],
  ];
  for (const [name, input, toRevision, expected] of cases) {
    it(name, () => {
      const got = target(chooseTarget(input, toRevision));
      if (expected instanceof RegExp) expect(got).to.be.a('string').and.match(expected);
      else expect(got).to.equal(expected);
    });
  }

  it('reports the serving revision and flags a named revision that failed its analysis, with its figures', () => {
    const choice = chooseTarget(state(3, [entry(1, 'Superseded'), entry(2, 'FailedAnalysis', 'errorRatio 0.2 > 0.01'), entry(3)], [1, 2, 3]), 2);
    expect(choice).to.deep.equal({ ok: true, target: { revision: 2, modelVersion: V[2] }, serving: { revision: 3, modelVersion: V[3] }, failedAnalysis: 'errorRatio 0.2 > 0.01' });
  });
});

describe('readRollbackState', () => {
  const riskModel = {
    metadata: { name: 'sepsis', namespace: 'ward-3', uid: 'uid-sepsis', resourceVersion: '42' },
    spec: { model: { version: 'v3', configMapRef: { name: 'sepsis-model' }, revision: 2 } },
    status: {
      revision: 2,
      history: [
        { revision: 1, modelVersion: 'v1-1a2b3c4d', snapshot: 'sepsis-model-1a2b3c4d00', startedAt: '2026-12-01T10:00:00Z', endedAt: '2026-12-01T11:00:00Z', result: 'Superseded' },
        { revision: 'two' },
        { revision: 2, modelVersion: 'v2-5e6f7a8b', snapshot: 'sepsis-model-5e6f7a8b00', startedAt: '2026-12-01T11:00:00Z' },
      ],
    },
  };
  const configMap = (name: string, revision: string | undefined, modelVersion?: string, owner = 'uid-sepsis'): object => ({
    metadata: { name, ownerReferences: [{ kind: 'RiskModel', name: 'sepsis', uid: owner, controller: true }], labels: revision === undefined ? {} : { 'riskmodel.dev/revision': revision }, annotations: modelVersion === undefined ? {} : { 'riskmodel.dev/model-version': modelVersion } },
  });

  it('reads the serving and pinned revisions, the history and the kept snapshots sorted by revision, skipping malformed ones and those of another owner', () => {
    const read = readRollbackState(riskModel, [
      configMap('sepsis-model-5e6f7a8b00', '2', 'v2-5e6f7a8b'), configMap('stray', undefined), configMap('sepsis-model-1a2b3c4d00', '1'), configMap('odd', '0'),
      configMap('sepsis-model-0000000000', '3', 'v3-00000000', 'uid-of-a-deleted-sepsis'),
    ]);
    expect(read).to.deep.include({ name: 'sepsis', namespace: 'ward-3', resourceVersion: '42', serving: 2, pinned: 2, configMapName: 'sepsis-model' });
    expect(read.history.map((e) => [e.revision, e.result])).to.deep.equal([[1, 'Superseded'], [2, undefined]]);
    expect(read.kept).to.deep.equal([
      { name: 'sepsis-model-1a2b3c4d00', revision: 1, modelVersion: undefined },
      { name: 'sepsis-model-5e6f7a8b00', revision: 2, modelVersion: 'v2-5e6f7a8b' },
    ]);
  });

  it('treats a RiskModel from before revisions (no status.revision, no history) as serving nothing, without throwing', () => {
    const read = readRollbackState({ metadata: { name: 'old', namespace: 'ward-3' }, spec: { model: { version: 'v1' } }, status: { modelVersion: 'v1-0000' } }, []);
    expect(read).to.deep.include({ serving: undefined, pinned: undefined, history: [], kept: [] });
    expect(readRollbackState(null, [null, 3])).to.deep.include({ name: '', history: [], kept: [] });
  });
});

describe('rollback patches and messages', () => {
  it('pins with a merge patch guarded by the resourceVersion read', () => {
    expect(pinPatch(2, '42')).to.deep.equal({ metadata: { resourceVersion: '42' }, spec: { model: { revision: 2 } } });
    expect(pinPatch(2)).to.deep.equal({ spec: { model: { revision: 2 } } });
  });

  it('unpins with a JSON patch that first tests the pin it read', () => {
    expect(unpinPatch(2)).to.deep.equal([{ op: 'test', path: '/spec/model/revision', value: 2 }, { op: 'remove', path: '/spec/model/revision' }]);
  });

  it('says what was pinned, what was serving, and how to unpin', () => {
    const s = state(3, [entry(2, 'Superseded'), entry(3)], [2, 3]);
    const choice = chooseTarget(s);
    if (!choice.ok) throw new Error(choice.message);
    expect(pinnedMessage(s, choice).split('\n')).to.deep.equal([
      'riskmodel/sepsis pinned to revision 2 (v2-5e6f7a8b); was serving 3 (v3-9c0d1e2f). Unpin with: npm run rollback -- sepsis -n ward-3 --unpin',
      'Follow it with: kubectl get riskmodel sepsis -n ward-3 -w',
    ]);
  });

  it('warns that a pin skips the canary when the pinned revision failed one', () => {
    const s = state(3, [entry(2, 'FailedAnalysis', 'smoke prediction failed: 500'), entry(3)], [2, 3]);
    const choice = chooseTarget(s, 2);
    if (!choice.ok) throw new Error(choice.message);
    expect(pinnedMessage(s, choice)).to.include('note: revision 2 failed its canary analysis before (smoke prediction failed: 500); a pin skips the canary');
  });

  it('says what an unpinned RiskModel serves again, and when there was no pin', () => {
    expect(unpinnedMessage(state(2, [entry(2)], [2], 2), 2)).to.equal('riskmodel/sepsis unpinned (was pinned to revision 2 (v2-5e6f7a8b)); it follows ConfigMap sepsis-model again: what that holds now rolls out once it validates.');
    expect(notPinnedMessage(state(2, [], [2]))).to.equal('riskmodel/sepsis is not pinned (spec.model.revision is not set); nothing changed.');
  });
});
