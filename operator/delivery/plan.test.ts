import { expect } from 'chai';
import { withDefaults, type RevisionRecord, type RiskModelSpec } from '../api/riskmodel.js';
import { planDelivery, previousRevision, settleHistory, type DeliveryInput, type DeliveryPlan } from './plan.js';
import type { Served, SnapshotServed } from '../model/served.js';
import type { ResolvedModel } from './model-source.js';
import { Reason } from '../api/reasons.js';
import { nextRevision, prunable, snapshotName, type Snapshot } from './snapshots.js';
import { riskModel, TEST_IMAGE } from '../testing/fixtures.js';

const hash = (c: string) => c.repeat(64);
const content = (c: string): ResolvedModel => ({ source: 'configMap', configMapName: 'm', key: 'model.json', contentHash: hash(c), artifactVersion: 'x', text: `{"${c}":1}` });
const snap = (revision: number, c: string): Snapshot => ({ name: snapshotName('demo', hash(c)), revision, contentHash: hash(c), modelVersion: `v1-${c.repeat(8)}` });
const serving = (revision: number, c: string): SnapshotServed => ({ source: 'snapshot', snapshot: snapshotName('demo', hash(c)), revision, contentHash: hash(c), modelVersion: '' });

function input(over: Partial<Omit<DeliveryInput, 'spec'>> & { rmSpec?: Partial<RiskModelSpec> } = {}): DeliveryInput {
  const { rmSpec, ...rest } = over;
  const rm = riskModel({ model: { version: 'v1', configMapRef: { name: 'm' } }, ...rmSpec });
  return { rm, source: content('a'), snapshots: [], stable: undefined, history: [], ...rest, spec: withDefaults(rm.spec, TEST_IMAGE) };
}

const canary: Partial<RiskModelSpec> = { rollout: { strategy: 'Canary' } };
const bad = { problem: { reason: Reason.InvalidModel, message: 'bad artifact' } };

describe('planDelivery', () => {
  const cases: [string, DeliveryInput, (p: DeliveryPlan) => void][] = [
    ['snapshots new content as revision 1 and serves it', input(), (p) => {
      expect(p.create?.snapshot).to.include({ revision: 1, contentHash: hash('a') });
      expect(p.stable).to.include({ source: 'snapshot', revision: 1 });
    }],
    ['reuses the snapshot of content seen before, with its revision number', input({ snapshots: [snap(1, 'a'), snap(2, 'b')], stable: serving(2, 'b') }), (p) => {
      expect(p.create).to.equal(undefined);
      expect(p.stable).to.include({ revision: 1, snapshot: snap(1, 'a').name });
    }],
    ['numbers new content above every revision in the snapshots and the history', input({ snapshots: [snap(2, 'b')], history: [{ revision: 5, modelVersion: 'x', contentHash: hash('z'), startedAt: 't' }] }), (p) => {
      expect(p.create?.snapshot.revision).to.equal(6);
    }],
    ['keeps the stable pods on the last good snapshot while the ConfigMap is invalid', input({ source: bad, snapshots: [snap(1, 'b')], stable: serving(1, 'b') }), (p) => {
      expect(p.problem?.reason).to.equal(Reason.InvalidModel);
      expect(p.stable).to.include({ revision: 1, modelVersion: snap(1, 'b').modelVersion });
    }],
    ['serves nothing when nothing valid was ever served', input({ source: bad }), (p) => {
      expect(p.stable).to.equal(undefined);
      expect(p.problem?.reason).to.equal(Reason.InvalidModel);
    }],
    ['serves a pinned revision whatever the ConfigMap holds', input({ rmSpec: { model: { version: 'v1', configMapRef: { name: 'm' }, revision: 1 } }, source: bad, snapshots: [snap(1, 'b'), snap(2, 'c')], stable: serving(2, 'c') }), (p) => {
      expect(p).to.deep.include({ pinned: 1 });
      expect(p.problem).to.equal(undefined);
      expect(p.stable).to.include({ revision: 1 });
    }],
    ['refuses a pin to a revision that is not kept and keeps serving', input({ rmSpec: { model: { version: 'v1', revision: 9 } }, snapshots: [snap(2, 'c'), snap(1, 'b')], stable: serving(2, 'c') }), (p) => {
      expect(p.problem?.message).to.contain('spec.model.revision 9 is not kept; kept revisions: 1, 2');
      expect(p.stable).to.include({ revision: 2 });
    }],
    ['skips the canary on the first deployment', input({ rmSpec: canary }), (p) => {
      expect(p.candidate).to.equal(undefined);
      expect(p.stable).to.include({ revision: 1 });
    }],
    ['gives new content to a canary while the stable pods stay', input({ rmSpec: canary, snapshots: [snap(1, 'b')], stable: serving(1, 'b') }), (p) => {
      expect(p.candidate).to.include({ revision: 2, contentHash: hash('a') });
      expect(p.stable).to.include({ revision: 1 });
    }],
    ['needs no canary when the stable pods already serve the content', input({ rmSpec: canary, snapshots: [snap(1, 'a')], stable: serving(1, 'a') }), (p) => {
      expect(p.candidate).to.equal(undefined);
    }],
    ['reports the ConfigMap problem first when the stable snapshot is gone too', input({ source: bad, snapshots: [], stable: serving(1, 'b') }), (p) => {
      expect(p.problem?.reason).to.equal(Reason.InvalidModel);
    }],
    ["reports SnapshotMissing when the stable pods' snapshot was deleted and the ConfigMap holds other content", input({ rmSpec: canary, snapshots: [], stable: serving(1, 'b') }), (p) => {
      expect(p.problem?.reason).to.equal(Reason.SnapshotMissing);
      expect(p.candidate).to.include({ contentHash: hash('a') });
    }],
    ['serves the image model without snapshots', input({ source: { source: 'image' } }), (p) => {
      expect(p).to.deep.equal({ stable: { source: 'image' } });
    }],
  ];
  for (const [name, given, check] of cases) it(name, () => check(planDelivery(given)));
});

describe('snapshot pruning', () => {
  const all = [snap(1, 'a'), snap(2, 'b'), snap(3, 'c'), snap(4, 'd')];
  it('deletes all but the newest revisions up to the limit', () => {
    expect(prunable(all, new Set(), 2).map((s) => s.revision)).to.deep.equal([2, 1]);
  });
  it('never deletes a protected snapshot, whatever the limit', () => {
    expect(prunable(all, new Set([snap(1, 'a').name]), 1).map((s) => s.revision)).to.deep.equal([3, 2]);
  });
  it('numbers from the highest revision known anywhere', () => {
    expect(nextRevision(all, [9])).to.equal(10);
    expect(nextRevision([], [])).to.equal(1);
  });
});

describe('revision history', () => {
  const at = (now: string, how: 'Superseded' | 'RolledBack' = 'Superseded', running?: string) => ({ now, how, ...(running ? { running } : {}) });
  const open = (revision: number, c: string, startedAt = 't0'): RevisionRecord => ({ revision, modelVersion: 'v', contentHash: hash(c), snapshot: snap(revision, c).name, startedAt });

  it('opens an entry for a new stable revision and ends the previous one', () => {
    const h = settleHistory([open(1, 'a')], serving(2, 'b'), at('t1'));
    expect(h.map((e) => [e.revision, e.result, e.endedAt])).to.deep.equal([[1, 'Superseded', 't1'], [2, undefined, undefined]]);
  });
  it('is idempotent', () => {
    const once = settleHistory([open(1, 'a')], serving(2, 'b'), at('t1'));
    expect(settleHistory(once, serving(2, 'b'), at('t2'))).to.deep.equal(once);
  });
  it('keeps a running canary open beside the stable revision', () => {
    const h = settleHistory([open(1, 'a'), open(2, 'b')], serving(1, 'a'), at('t1', 'Superseded', hash('b')));
    expect(h.every((e) => e.endedAt === undefined)).to.equal(true);
  });
  it('keeps the start time of a promoted canary', () => {
    const h = settleHistory([open(1, 'a'), open(2, 'b', 'canary-start')], serving(2, 'b'), at('t9'));
    expect(h.at(-1)).to.include({ revision: 2, startedAt: 'canary-start' });
    expect(h[0]).to.include({ result: 'Superseded' });
  });
  it('says RolledBack for what a pin replaced', () => {
    const h = settleHistory([open(2, 'b')], serving(1, 'a'), at('t1', 'RolledBack'));
    expect(h[0]).to.include({ revision: 2, result: 'RolledBack' });
  });
  it('keeps at most ten entries, dropping the oldest finished ones', () => {
    let h: RevisionRecord[] = [];
    for (let r = 1; r <= 14; r++) h = settleHistory(h, serving(r, String.fromCharCode(96 + r)), at(`t${r}`));
    expect(h.map((e) => e.revision)).to.deep.equal([5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect(h.at(-1)?.endedAt).to.equal(undefined);
  });
  it('finds the previous revision, skipping failed canaries', () => {
    const h: RevisionRecord[] = [
      { ...open(1, 'a'), endedAt: 't1', result: 'Superseded' },
      { ...open(2, 'b'), endedAt: 't2', result: 'FailedAnalysis' },
      open(3, 'c'),
    ];
    expect(previousRevision(h, 3)?.revision).to.equal(1);
  });
  it('never counts a canary replaced before its analysis ended as the previous revision', () => {
    const h: RevisionRecord[] = [
      { ...open(1, 'a'), endedAt: 't1', result: 'Superseded' },
      { ...open(2, 'b'), canary: true, endedAt: 't2', result: 'Superseded' },
      { ...open(3, 'c'), canary: true, promotedAt: 't3' },
    ];
    expect(previousRevision(h, 3)?.revision).to.equal(1);
  });
  it('marks a canary promoted when the stable pods take its revision', () => {
    const h = settleHistory([open(1, 'a'), { ...open(2, 'b', 'canary-start'), canary: true }], serving(2, 'b'), at('t9'));
    expect(h.at(-1)).to.include({ revision: 2, canary: true, promotedAt: 't9', startedAt: 'canary-start' });
  });
  it('ends every ConfigMap revision when the model built into the image takes over', () => {
    const image: Served = { source: 'image' };
    expect(settleHistory([open(1, 'a')], image, at('t1'))[0]).to.include({ result: 'Superseded' });
  });
});
