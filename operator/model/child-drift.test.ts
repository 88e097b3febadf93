import { expect } from 'chai';
import { SPEC_HASH_ANNOTATION } from '../api/labels.js';
import { difference, isSubset, quantityValue } from './child-drift.js';

const annotated = (hash: string, spec: object) => ({ metadata: { annotations: { [SPEC_HASH_ANNOTATION]: hash } }, spec });

describe('drift detection', () => {
  it('needs a write when the child is missing', () => expect(difference(annotated('a', {}), undefined)).to.equal('missing'));

  it('needs no write when the stored child has our fields plus server defaults', () => {
    const want = annotated('a', { ports: [{ name: 'http', port: 80 }] });
    const have = { ...annotated('a', { ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }], clusterIP: '10.0.0.1' }), status: {} };
    expect(difference(want, have)).to.equal('none');
  });

  it('needs a write when a managed field was edited by hand (the HPA maxReplicas)', () => {
    expect(difference(annotated('a', { maxReplicas: 5 }), annotated('a', { maxReplicas: 9 }))).to.equal('drifted');
  });

  it('tells a spec change from drift, so events say which it was', () => {
    expect(difference(annotated('b', { a: 1 }), annotated('a', { a: 1 }))).to.equal('changed');
    expect(difference(annotated('a', { a: 1 }), annotated('a', { a: 2 }))).to.equal('drifted');
    expect(difference(annotated('a', { a: 1 }), undefined)).to.equal('missing');
    expect(difference(annotated('a', { a: 1 }), annotated('a', { a: 1 }))).to.equal('none');
  });

  it('needs a write when the desired content changed, even if only by removing a field', () => {
    expect(difference(annotated('b', { a: 1 }), annotated('a', { a: 1, b: 2 }))).to.equal('changed');
  });

  it('needs a write when a list we own gained or lost entries', () => {
    expect(isSubset({ env: [{ name: 'A' }] }, { env: [{ name: 'A' }, { name: 'B' }] })).to.be.false;
  });

  it('treats quantities the API server canonicalizes as equal', () => {
    expect(isSubset({ cpu: '0.5', memory: '1Gi' }, { cpu: '500m', memory: '1024Mi' })).to.be.true;
    expect(isSubset({ cpu: 1 }, { cpu: '1' })).to.be.true;
    expect(isSubset({ cpu: '250m' }, { cpu: '500m' })).to.be.false;
  });

  it('parses quantity suffixes, decimal and binary, and exponents', () => {
    expect([quantityValue('100m'), quantityValue('2k'), quantityValue('1Ki'), quantityValue('1e3'), quantityValue('abc')]).to.deep.equal([0.1, 2000, 1024, 1000, undefined]);
  });
});
