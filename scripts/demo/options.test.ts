import { expect } from 'chai';
import { DEFAULT_MAX_RATE, DEFAULT_RATE, parseDemoArgs, DemoUsageError } from './options.js';

describe('demo options', () => {
  it('defaults to a real-node run that leaves everything up in the riskmodel-demo namespace', () => {
    expect(parseDemoArgs([])).to.deep.equal({ mode: 'run', once: false, useCurrentContext: false, kwok: false, scaleOn: 'requests', rate: DEFAULT_RATE, maxRate: DEFAULT_MAX_RATE, namespace: 'riskmodel-demo', port: 8080 });
  });

  const cases: Array<[string, string[], Record<string, unknown>]> = [
    ['cleans up with --once', ['--once'], { once: true }],
    ['stops an earlier demo with --down', ['--down'], { mode: 'down' }],
    ['uses the current context when asked, for the simulated run', ['--use-current-context', '--kwok'], { useCurrentContext: true, kwok: true }],
    ['keeps the quick simulated run with --kwok, which scales on CPU', ['--kwok'], { kwok: true, scaleOn: 'cpu' }],
    ['scales on CPU when asked', ['--scale-on', 'cpu'], { scaleOn: 'cpu' }],
    ['scales on requests when asked', ['--scale-on', 'requests'], { scaleOn: 'requests' }],
    ['takes a load rate', ['--rate', '800'], { rate: 800 }],
    ['takes a cap for the CPU ramp', ['--scale-on', 'cpu', '--max-rate', '4000'], { maxRate: 4000 }],
    ['takes a cap equal to the start rate (no ramp)', ['--scale-on', 'cpu', '--rate', '900', '--max-rate', '900'], { rate: 900, maxRate: 900 }],
    ['raises the default cap to a start rate above it', ['--rate', '3000'], { rate: 3000, maxRate: 3000 }],
    ['takes a namespace', ['--namespace', 'team-a'], { namespace: 'team-a' }],
    ['takes port 0 for any free port', ['--port', '0'], { port: 0 }],
    ['takes a report path', ['--report', '/tmp/r.json'], { report: '/tmp/r.json' }],
  ];
  for (const [name, argv, expected] of cases) {
    it(name, () => { expect(parseDemoArgs(argv)).to.include(expected); });
  }

  const bad: Array<[string, string[], RegExp]> = [
    ['an unknown flag, listing the allowed ones', ['--fast'], /unknown option "--fast"; allowed: --once/],
    ['a port out of range', ['--port', '70000'], /--port must be an integer from 0 to 65535/],
    ['a fractional port', ['--port', '80.5'], /--port must be an integer/],
    ['a namespace that is not a DNS label', ['--namespace', 'Team_A'], /--namespace must be a DNS label/],
    ['a flag missing its value', ['--namespace'], /--namespace needs a value/],
    ['a rate out of range', ['--rate', '5'], /--rate must be an integer from 10 to 5000/],
    ['a cap out of range', ['--max-rate', '6000'], /--max-rate must be an integer from 10 to 5000/],
    ['a cap that is not an integer', ['--max-rate', '1e3'], /--max-rate must be an integer/],
    ['a cap below the start rate, saying why', ['--scale-on', 'cpu', '--rate', '800', '--max-rate', '700'], /--max-rate \(700\) must be at least --rate \(800\): the ramp starts at --rate/],
    ['a cap when scaling on requests, saying why', ['--max-rate', '900'], /--max-rate is the cap of the CPU ramp \(--scale-on cpu\)/],
    ['an unknown metric, listing the allowed ones', ['--scale-on', 'memory'], /--scale-on must be one of requests, cpu, got "memory"/],
    ['scaling kwok pods on requests, saying why', ['--kwok', '--scale-on', 'requests'], /--scale-on requests needs the real node: kwok pods answer no HTTP/],
    ['another cluster for the real-node run, saying why', ['--use-current-context'], /--use-current-context needs --kwok/],
  ];
  for (const [name, argv, message] of bad) {
    it(`refuses ${name}`, () => {
      expect(() => parseDemoArgs(argv)).to.throw(DemoUsageError, message);
    });
  }
});
