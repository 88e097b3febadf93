import { expect } from 'chai';
import { riskModel } from '../testing/fixtures.js';
import type { RiskModel } from '../api/riskmodel.js';
import { FAILED_CANARIES_KEPT, failedCanariesOf, failedCanaryOf, withFailedCanary, type FailedCanary } from './failed-canaries.js';

const KEY = 'riskmodel.dev/failed-canaries';
const annotated = (value: string | undefined): RiskModel => {
  const rm = riskModel();
  rm.metadata.annotations = value === undefined ? {} : { [KEY]: value };
  return rm;
};
const failure = (n: number, templateHash = 't1'): FailedCanary => ({ contentHash: `c${n}`, templateHash, revision: n, message: `failed ${n}`, at: '2026-05-01T00:00:00Z' });

describe('failed canary record', () => {
  const unreadable: Array<[string, string | undefined]> = [
    ['no annotation', undefined],
    ['an empty annotation', ''],
    ['text that is not JSON', 'oops'],
    ['JSON that is not a list', '{"contentHash":"c1"}'],
  ];
  for (const [name, value] of unreadable) it(`reads ${name} as no failure`, () => expect(failedCanariesOf(annotated(value))).to.deep.equal([]));

  it('skips entries edited into something else and keeps the rest', () => {
    const value = JSON.stringify([{ contentHash: 'c0' }, failure(1), 'x', null]);
    expect(failedCanariesOf(annotated(value))).to.deep.equal([failure(1)]);
  });

  it('finds a failure by content and pod template, not by content alone', () => {
    const rm = annotated(withFailedCanary(annotated(undefined), failure(1, 't1')));
    expect(failedCanaryOf(rm, 'c1', 't1')).to.deep.equal(failure(1, 't1'));
    expect(failedCanaryOf(rm, 'c1', 't2')).to.equal(undefined);
    expect(failedCanaryOf(rm, 'c2', 't1')).to.equal(undefined);
  });

  it('replaces an older record of the same canary instead of adding a second one', () => {
    const once = annotated(withFailedCanary(annotated(undefined), failure(1)));
    const twice = withFailedCanary(once, { ...failure(1), message: 'again' });
    expect(JSON.parse(twice)).to.deep.equal([{ ...failure(1), message: 'again' }]);
  });

  it(`keeps the newest ${FAILED_CANARIES_KEPT} failures and cuts long messages, so the annotation stays small`, () => {
    let rm = annotated(undefined);
    for (let n = 1; n <= FAILED_CANARIES_KEPT + 5; n++) rm = annotated(withFailedCanary(rm, { ...failure(n), message: 'x'.repeat(5000) }));
    const kept = failedCanariesOf(rm);
    expect(kept).to.have.length(FAILED_CANARIES_KEPT);
    expect(kept[0]!.revision).to.equal(6);
    expect(kept.every((f) => f.message.length === 300)).to.equal(true);
    expect(rm.metadata.annotations![KEY]!.length).to.be.below(16 * 1024);
  });
});
