import { expect } from 'chai';
import { Telemetry } from '../../../inference/telemetry.js';
import { ExpositionError, parseExposition, type Sample } from './exposition.js';

const plain = (samples: Sample[]) => samples.map((s) => ({ ...s, labels: { ...s.labels } }));

describe('parsing the Prometheus text exposition format', () => {
  it('reads names, labels and values and skips HELP, TYPE and blank lines', () => {
    const text = '# HELP x_total Things.\n# TYPE x_total counter\nx_total{route="/predict",status="200"} 3\n\nup 1\n';
    expect(plain(parseExposition(text))).to.deep.equal([
      { name: 'x_total', labels: { route: '/predict', status: '200' }, value: 3 },
      { name: 'up', labels: {}, value: 1 },
    ]);
  });

  it('keeps every series of a labelled histogram apart, with its _sum and _count', async () => {
    const telemetry = new Telemetry({ version: 'v1', format: 'riskmodel.ordinal-logistic-regression/v1' }, { processMetrics: false });
    telemetry.recordRequest('/predict', 'POST', 200, 0.0004);
    telemetry.recordRequest('/predict/batch', 'POST', 200, 0.02);
    const samples = parseExposition(await telemetry.registry.metrics());
    const of = (name: string, route: string) => samples.filter((s) => s.name === name && s.labels.route === route);
    expect(of('http_request_duration_seconds_bucket', '/predict').find((s) => s.labels.le === '0.0005')?.value).to.equal(1);
    expect(of('http_request_duration_seconds_bucket', '/predict/batch').find((s) => s.labels.le === '0.0005')?.value).to.equal(0);
    expect(of('http_request_duration_seconds_count', '/predict/batch').map((s) => s.value)).to.deep.equal([1]);
    expect(of('http_request_duration_seconds_sum', '/predict').map((s) => s.value)).to.deep.equal([0.0004]);
  });

  it('reads +Inf, -Inf, NaN, exponents, timestamps, escapes and a trailing comma', () => {
    const text = 'a{le="+Inf"} +Inf\nb -Inf 1700000000000\nc NaN\nd 1.5e-3\ne{path="C:\\\\x",msg="say \\"hi\\"\\n",} 2\n';
    const [a, b, c, d, e] = parseExposition(text);
    expect([a?.value, b?.value, c?.value, d?.value]).to.deep.equal([Infinity, -Infinity, NaN, 0.0015]);
    expect({ ...e?.labels }).to.deep.equal({ path: 'C:\\x', msg: 'say "hi"\n' });
  });

  it('treats a label called __proto__ as a plain label', () => {
    expect(parseExposition('a{__proto__="x"} 1')[0]?.labels['__proto__']).to.equal('x');
  });

  const bad: Array<[string, string, RegExp]> = [
    ['a value that is not a number', 'up 0x10', /line 1: value "0x10" is not a number/],
    ['a missing value', 'up\n', /line 1: expected " value \[timestamp\]" after up/],
    ['an unclosed label set', 'ok 1\nup{a="b" 1', /line 2: malformed label set/],
    ['an unquoted label value', 'up{a=b} 1', /malformed label set/],
    ['a repeated label', 'up{a="1",a="2"} 1', /label a appears twice/],
    ['an unknown escape', 'up{a="\\t"} 1', /unknown escape \\t/],
    ['a line that starts with no name', '{a="1"} 1', /expected a metric name/],
    ['a timestamp that is not an integer', 'up 1 soon', /expected " value \[timestamp\]"/],
    ['HTML instead of metrics', '<html><body>502</body></html>', /line 1: expected a metric name/],
  ];
  for (const [what, text, message] of bad) {
    it(`refuses ${what}, naming the line`, () => {
      expect(() => parseExposition(text)).to.throw(ExpositionError, message);
    });
  }
});
