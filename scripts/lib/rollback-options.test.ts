import { expect } from 'chai';
import { UsageError } from './args.js';
import { parseRollbackArgs } from './rollback-options.js';

describe('parseRollbackArgs', () => {
  it('reads the RiskModel name wherever it stands among the flags', () => {
    expect(parseRollbackArgs(['-n', 'ward-3', 'sepsis', '--to-revision', '2'])).to.deep.equal({
      help: false, options: { name: 'sepsis', namespace: 'ward-3', toRevision: 2, unpin: false, kubeconfig: undefined },
    });
    expect(parseRollbackArgs(['sepsis', '--unpin', '--kubeconfig=/tmp/k'])).to.deep.equal({
      help: false, options: { name: 'sepsis', namespace: undefined, toRevision: undefined, unpin: true, kubeconfig: '/tmp/k' },
    });
  });

  it('answers --help even without a name', () => {
    expect(parseRollbackArgs(['--help'])).to.deep.equal({ help: true });
  });

  const refusals: Array<[string, string[], RegExp]> = [
    ['no RiskModel name', ['-n', 'ward-3'], /^name the RiskModel to roll back: npm run rollback -- NAME \[-n NAMESPACE\]$/],
    ['two names', ['a', 'b'], /^give one RiskModel name, got 2: "a" "b"$/],
    ['a name that is not a DNS-1035 label', ['Sepsis_Model'], /^the RiskModel name must be a DNS-1035 label .* got "Sepsis_Model"$/],
    ['a name starting with a digit', ['3sepsis'], /must be a DNS-1035 label/],
    ['a non-integer revision', ['sepsis', '--to-revision', '2.5'], /^--to-revision must be a whole number ≥ 1 \(a revision from status\.history\), got "2\.5"$/],
    ['revision 0', ['sepsis', '--to-revision', '0'], /^--to-revision must be a whole number ≥ 1/],
    ['a negative revision', ['sepsis', '--to-revision=-1'], /^--to-revision must be a whole number ≥ 1 .* got "-1"$/],
    ['a word as revision', ['sepsis', '--to-revision', 'previous'], /got "previous"$/],
    ['--to-revision without a value', ['sepsis', '--to-revision'], /^--to-revision needs a value$/],
    ['--to-revision with --unpin', ['sepsis', '--to-revision', '2', '--unpin'], /^give either --to-revision or --unpin, not both$/],
    ['an invalid namespace', ['sepsis', '-n', 'Ward 3'], /^--namespace must be a namespace name .* got "Ward 3"$/],
    ['an empty kubeconfig path', ['sepsis', '--kubeconfig='], /^--kubeconfig needs a file path$/],
    ['an unknown flag, listing the known ones', ['sepsis', '--revision', '2'], /^unknown flag --revision; known flags: --namespace, --to-revision, --unpin, --kubeconfig, --help$/],
  ];
  for (const [what, argv, message] of refusals) {
    it(`refuses ${what}, naming the argument and what it accepts`, () => {
      expect(() => parseRollbackArgs(argv)).to.throw(UsageError, message);
    });
  }
});
