import { expect } from 'chai';
import { numberFlag, parseCommandLine, parseFlags, UsageError, type FlagSpecs } from './args.js';

const specs: FlagSpecs = {
  rate: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
  json: { type: 'boolean' },
};

describe('parseFlags', () => {
  it('reads values given as --flag value, --flag=value and a short alias', () => {
    expect(parseFlags(['--rate', '200', '--json', '-n', 'ward-3'], specs)).to.deep.equal({ rate: '200', json: true, namespace: 'ward-3' });
    expect(parseFlags(['--rate=-5'], specs)).to.deep.equal({ rate: '-5' });
  });

  const refusals: Array<[string, string[], RegExp]> = [
    ['an unknown flag, listing the known ones', ['--rat', '5'], /^unknown flag --rat; known flags: --rate, --namespace, --json$/],
    ['an unknown short flag', ['-x'], /^unknown flag -x;/],
    ['a value flag at the end without its value', ['--rate'], /^--rate needs a value$/],
    ['a value flag followed by another flag', ['--rate', '--json'], /^--rate needs a value$/],
    ['a value on a boolean flag', ['--json=yes'], /^--json takes no value \(got "yes"\)$/],
    ['a flag given twice', ['--rate', '1', '--rate', '2'], /^--rate is given more than once$/],
    ['a positional argument', ['200'], /^unexpected argument "200"/],
  ];
  for (const [what, argv, message] of refusals) {
    it(`refuses ${what}`, () => {
      expect(() => parseFlags(argv, specs)).to.throw(UsageError, message);
    });
  }
});

describe('parseCommandLine', () => {
  it('returns the arguments that are neither flags nor flag values as positionals, in order', () => {
    expect(parseCommandLine(['sepsis', '-n', 'ward-3', '--json', 'extra'], specs)).to.deep.equal({ flags: { namespace: 'ward-3', json: true }, positionals: ['sepsis', 'extra'] });
  });

  it('still refuses flag mistakes', () => {
    expect(() => parseCommandLine(['sepsis', '--rate'], specs)).to.throw(UsageError, /^--rate needs a value$/);
  });
});

describe('numberFlag', () => {
  const rule = { min: 1, max: 3600, integer: true, unit: 'seconds' };

  it('returns the value, or the fallback when the flag is absent', () => {
    expect(numberFlag({ duration: '30' }, 'duration', rule, 10)).to.equal(30);
    expect(numberFlag({}, 'duration', rule, 10)).to.equal(10);
    expect(numberFlag({}, 'duration', rule)).to.be.undefined;
  });

  for (const bad of ['0', '3601', '2.5', 'abc', '', ' ', 'Infinity', '1e9']) {
    it(`refuses "${bad}" naming the flag and the allowed range`, () => {
      expect(() => numberFlag({ duration: bad }, 'duration', rule, 10))
        .to.throw(UsageError, `--duration must be a whole number from 1 to 3600 seconds, got "${bad}"`);
    });
  }

  it('accepts fractions when the rule allows them', () => {
    expect(numberFlag({ interval: '0.5' }, 'interval', { min: 0.2, max: 60, integer: false })).to.equal(0.5);
  });
});
