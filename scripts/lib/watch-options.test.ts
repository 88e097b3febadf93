import { expect } from 'chai';
import { UsageError } from './args.js';
import { parseWatchArgs, WATCH_HELP, type WatchOptions } from './watch-options.js';

function options(argv: string[]): WatchOptions {
  const command = parseWatchArgs(argv);
  if (command.help) throw new Error('expected options, got help');
  return command.options;
}

describe('watch options', () => {
  it('defaults to the context namespace, polling every second with 300 samples of history', () => {
    expect(options([])).to.deep.equal({ namespace: undefined, allNamespaces: false, intervalSeconds: 1, samples: 300, plain: false, once: false });
  });

  it('reads every flag, long and short', () => {
    expect(options(['-n', 'ward-3', '--interval', '0.5', '--samples', '60', '--plain', '--once']))
      .to.deep.equal({ namespace: 'ward-3', allNamespaces: false, intervalSeconds: 0.5, samples: 60, plain: true, once: true });
    expect(options(['-A']).allNamespaces).to.be.true;
    expect(options(['--all-namespaces']).allNamespaces).to.be.true;
  });

  it('asks for help with --help or -h', () => {
    expect(parseWatchArgs(['-h'])).to.deep.equal({ help: true });
  });

  const refusals: Array<[string, string[], string]> = [
    ['both a namespace and all namespaces', ['-n', 'a', '-A'], 'give either --namespace or --all-namespaces, not both'],
    ['a namespace that is not a DNS label', ['--namespace', 'Ward_3'], '--namespace must be a namespace name (lower-case letters, digits and \'-\', at most 63 characters), got "Ward_3"'],
    ['an interval below 0.2 s', ['--interval', '0.1'], '--interval must be a number from 0.2 to 60 seconds, got "0.1"'],
    ['too few samples', ['--samples', '5'], '--samples must be a whole number from 10 to 10000, got "5"'],
    ['an unknown flag', ['--watch'], 'unknown flag --watch; known flags: --namespace, --all-namespaces, --interval, --samples, --plain, --once, --help'],
  ];
  for (const [what, argv, message] of refusals) {
    it(`refuses ${what}, naming the flag and the allowed values`, () => {
      expect(() => parseWatchArgs(argv)).to.throw(UsageError).with.property('message', message);
    });
  }

  it('documents every flag in the help', () => {
    for (const flag of ['--namespace', '--all-namespaces', '--interval', '--samples', '--plain', '--once', '--help']) expect(WATCH_HELP).to.include(flag);
  });
});
