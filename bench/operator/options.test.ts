import { expect } from 'chai';
import { parseOptions } from './options.js';

describe('bench: options', () => {
  it('measures 200 RiskModels, 50 edits and 60 s idle with 100 by default, compiled', () => {
    expect(parseOptions([])).to.include({ count: 200, edits: 50, idleCount: 100, idleSeconds: 60, minReplicas: 1, source: false });
  });

  it('reads every flag', () => {
    expect(parseOptions(['--count', '1000', '--edits=10', '--idle-count', '500', '--source'])).to.include({ count: 1000, edits: 10, idleCount: 500, source: true });
  });

  const bad: [string, string[], RegExp][] = [
    ['a count that is not a positive integer', ['--count', '0'], /--count must be a positive integer, got "0"/],
    ['a fractional edit count', ['--edits', '2.5'], /--edits must be a positive integer/],
    ['an idle count above the count', ['--count', '10', '--idle-count', '20'], /--idle-count \(20\) must be at most --count \(10\)/],
  ];
  for (const [what, argv, message] of bad) it(`refuses ${what}`, () => expect(() => parseOptions(argv)).to.throw(message));
});
