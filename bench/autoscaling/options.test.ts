import { expect } from 'chai';
import { UsageError } from '../../scripts/lib/args.js';
import { DEFAULTS, HELP, parseOptions } from './options.js';

describe('bench:autoscaling options', () => {
  it('sends 120 req/s against a RequestsPerSecond target of 40 and the demo sample\'s CPU target of 50 % by default', () => {
    expect(parseOptions([])).to.deep.equal({ help: false, options: { ...DEFAULTS } });
  });

  it('reads every flag, --json included', () => {
    const parsed = parseOptions(['--rate', '200', '--rps-target=50', '--cpu-target', '70', '--window', '30', '--hold', '20', '--up-timeout', '300', '--json', 'out.json']);
    expect(parsed).to.deep.equal({ help: false, options: { rate: 200, rpsTarget: 50, cpuTarget: 70, windowSeconds: 30, holdSeconds: 20, upTimeoutSeconds: 300, json: 'out.json' } });
  });

  it('answers --help and -h with the help, which names every flag', () => {
    expect(parseOptions(['--help'])).to.deep.equal({ help: true });
    expect(parseOptions(['-h'])).to.deep.equal({ help: true });
    for (const flag of ['--rate', '--rps-target', '--cpu-target', '--window', '--hold', '--up-timeout', '--json']) expect(HELP).to.include(flag);
  });

  const bad: Array<[string, string[], RegExp]> = [
    ['a rate that is not a number, naming the flag and its range', ['--rate', 'fast'], /^--rate must be a whole number from 1 to 1000 requests a second, got "fast"$/],
    ['a CPU target above 100 %', ['--cpu-target', '150'], /^--cpu-target must be a whole number from 1 to 100 % of the CPU request, got "150"$/],
    ['a hold shorter than 10 s', ['--hold', '5'], /^--hold must be a whole number from 10 to 600 seconds/],
    ['an unknown flag, listing the known ones', ['--rps', '40'], /^unknown flag --rps; known flags: --rate, --rps-target, --cpu-target, --window, --hold, --up-timeout, --json, --help$/],
    ['--json without a file', ['--json'], /^--json needs a value$/],
    ['a positional argument', ['120'], /^unexpected argument "120"/],
    ['an RPS target the rate fills with 2 pods', ['--rps-target', '60'], /^--rps-target 60 at --rate 120 asks for 2 replicas; rate \/ target must exceed 2 \(a target below 60\)/],
    ['a rate too low for the default target', ['--rate', '80'], /^--rps-target 40 at --rate 80 asks for 2 replicas/],
  ];
  for (const [what, argv, message] of bad) {
    it(`refuses ${what}`, () => {
      expect(() => parseOptions(argv)).to.throw(UsageError, message);
    });
  }
});
