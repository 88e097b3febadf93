import { expect } from 'chai';
import { UsageError } from './args.js';
import { LOADTEST_HELP, parseLoadtestArgs, type LoadtestOptions } from './loadtest-options.js';

function options(argv: string[]): LoadtestOptions {
  const command = parseLoadtestArgs(argv);
  if (command.help) throw new Error('expected options, got help');
  return command.options;
}

describe('loadtest options', () => {
  it('defaults to 10 s as fast as possible over 8 connections to /predict on 127.0.0.1:8080', () => {
    expect(options([])).to.deep.equal({
      url: new URL('http://127.0.0.1:8080'),
      path: '/predict',
      rate: undefined,
      durationSeconds: 10,
      connections: 8,
      batch: undefined,
      timeoutSeconds: 10,
      seed: undefined,
      reconnectEvery: undefined,
      allowRemote: false,
      json: false,
    });
  });

  it('reads every flag', () => {
    const parsed = options(['--url', 'https://[::1]:8443', '--rate', '200', '--duration', '30', '--connections', '4',
      '--path', '/v2/predict', '--timeout', '5', '--seed', '42', '--reconnect', '100', '--allow-remote', '--json']);
    expect(parsed).to.include({ path: '/v2/predict', rate: 200, durationSeconds: 30, connections: 4, timeoutSeconds: 5, seed: 42, reconnectEvery: 100, allowRemote: true, json: true });
    expect(parsed.url.toString()).to.equal('https://[::1]:8443/');
  });

  it('sends batches to /predict/batch unless a path is given', () => {
    expect(options(['--batch', '50'])).to.include({ batch: 50, path: '/predict/batch' });
    expect(options(['--batch', '50', '--path', '/bulk'])).to.include({ batch: 50, path: '/bulk' });
  });

  it('asks for help with --help or -h', () => {
    expect(parseLoadtestArgs(['--help'])).to.deep.equal({ help: true });
    expect(parseLoadtestArgs(['-h', '--rate', 'nonsense'])).to.deep.equal({ help: true });
  });

  const refusals: Array<[string, string[], string]> = [
    ['a rate of zero', ['--rate', '0'], '--rate must be a whole number from 1 to 100000 requests a second, got "0"'],
    ['a fractional duration', ['--duration', '1.5'], '--duration must be a whole number from 1 to 3600 seconds, got "1.5"'],
    ['too many connections', ['--connections', '5000'], '--connections must be a whole number from 1 to 1000, got "5000"'],
    ['a batch over the server limit', ['--batch', '10001'], '--batch must be a whole number from 1 to 10000 patients, got "10001"'],
    ['a URL without a scheme', ['--url', 'localhost:8080'], '--url must be an http:// or https:// URL such as http://127.0.0.1:8080, got "localhost:8080"'],
    ['a URL of another scheme', ['--url', 'ftp://127.0.0.1'], '--url must be an http:// or https:// URL such as http://127.0.0.1:8080, got "ftp://127.0.0.1"'],
    ['garbage for a URL', ['--url', 'not a url'], '--url must be an http:// or https:// URL such as http://127.0.0.1:8080, got "not a url"'],
    ['a URL with a path', ['--url', 'http://127.0.0.1:8080/predict'], '--url is the server\'s base URL without a path (got "http://127.0.0.1:8080/predict"); give the path with --path'],
    ['a path without a slash', ['--path', 'predict'], '--path must start with / and contain no spaces, got "predict"'],
    ['an unknown flag', ['--concurrency', '8'], 'unknown flag --concurrency; known flags: --url, --rate, --duration, --connections, --path, --batch, --timeout, --seed, --reconnect, --allow-remote, --json, --help'],
  ];
  for (const [what, argv, message] of refusals) {
    it(`refuses ${what}, naming the flag and the allowed values`, () => {
      expect(() => parseLoadtestArgs(argv)).to.throw(UsageError).with.property('message', message);
    });
  }

  it('documents every flag in the help', () => {
    for (const flag of ['--url', '--rate', '--duration', '--connections', '--path', '--batch', '--timeout', '--seed', '--reconnect', '--allow-remote', '--json', '--help']) {
      expect(LOADTEST_HELP).to.include(flag);
    }
  });
});
