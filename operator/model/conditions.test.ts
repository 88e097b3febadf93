import { expect } from 'chai';
import type { Condition } from '../api/riskmodel.js';
import { findCondition, isReady, setCondition } from './conditions.js';

const t0 = new Date('2026-01-01T10:00:00.123Z');
const t1 = new Date('2026-01-01T10:05:00.000Z');
const ready = (status: 'True' | 'False', reason = 'Available', message = 'ok') => ({ type: 'Ready', status, reason, message });

describe('conditions helper', () => {
  it('adds a missing condition with the transition time and generation', () => {
    const list = setCondition(undefined, ready('True'), 3, t0);
    expect(list).to.deep.equal([{ type: 'Ready', status: 'True', reason: 'Available', message: 'ok', lastTransitionTime: '2026-01-01T10:00:00Z', observedGeneration: 3 }]);
  });

  it('keeps lastTransitionTime when only the reason and message change', () => {
    const before = setCondition(undefined, ready('False', 'RollingOut', '1 of 2'), 1, t0);
    const after = setCondition(before, ready('False', 'InsufficientReplicas', '0 of 2'), 2, t1);
    expect(after[0]).to.include({ reason: 'InsufficientReplicas', message: '0 of 2', lastTransitionTime: '2026-01-01T10:00:00Z', observedGeneration: 2 });
  });

  it('moves lastTransitionTime when the status flips', () => {
    const before = setCondition(undefined, ready('False'), 1, t0);
    const after = setCondition(before, ready('True'), 1, t1);
    expect(after[0]!.lastTransitionTime).to.equal('2026-01-01T10:05:00Z');
  });

  it('leaves other conditions and their order alone, and never mutates its input', () => {
    const input: Condition[] = [
      { type: 'Degraded', status: 'False', reason: 'AsExpected', message: '', lastTransitionTime: '2025-01-01T00:00:00Z', observedGeneration: 1 },
      { type: 'Ready', status: 'False', reason: 'RollingOut', message: '', lastTransitionTime: '2025-01-01T00:00:00Z', observedGeneration: 1 },
    ];
    const frozen = structuredClone(input);
    const out = setCondition(input, ready('True'), 2, t1);
    expect(input).to.deep.equal(frozen);
    expect(out.map((c) => c.type)).to.deep.equal(['Degraded', 'Ready']);
    expect(out[0]).to.deep.equal(frozen[0]);
    expect(findCondition(out, 'Ready')!.status).to.equal('True');
  });

  it('is idempotent: applying the same update twice gives equal lists', () => {
    const once = setCondition(undefined, ready('True'), 1, t0);
    expect(setCondition(once, ready('True'), 1, t1)).to.deep.equal(once);
  });

  it('calls a RiskModel ready only with Ready=True for its current generation (kubectl wait\'s meaning)', () => {
    const ready = [{ type: 'Ready', status: 'True' }];
    expect(isReady({ metadata: { generation: 2 }, status: { observedGeneration: 2, conditions: ready } })).to.equal(true);
    expect(isReady({ metadata: { generation: 3 }, status: { observedGeneration: 2, conditions: ready } }), 'an edit not yet seen').to.equal(false);
    expect(isReady({ metadata: { generation: 2 }, status: { observedGeneration: 2, conditions: [{ type: 'Ready', status: 'False' }] } })).to.equal(false);
    expect(isReady({ metadata: { generation: 1 } }), 'no status yet').to.equal(false);
  });
});
