import { expect } from 'chai';
import { parse } from 'yaml';
import { LABEL_MANAGED_BY, LABEL_NAME, APP_NAME, MANAGED_BY } from '../operator/api/labels.js';
import { adapterRules, bridgeAddressRegex, CUSTOM_METRICS, INFERENCE_JOB, NOT_LOAD_ROUTES, POD_LABELS, podLabelMeta, prometheusConfig } from './monitoring.js';

interface Rule { seriesQuery: string; name: { as: string }; metricsQuery: string }

// promtool's check of the generated prometheus.yml is in test/manifests/prometheus-config.test.ts
// (it needs the Prometheus build, which the unit suite runs before).
describe('Prometheus and prometheus-adapter configuration', () => {
  it('selects pods by the labels the operator puts on them', () => {
    expect(POD_LABELS.managedBy).to.deep.equal([LABEL_MANAGED_BY, MANAGED_BY]);
    expect(POD_LABELS.inference).to.deep.equal([LABEL_NAME, APP_NAME]);
    expect(podLabelMeta('app.kubernetes.io/managed-by')).to.equal('__meta_kubernetes_pod_label_app_kubernetes_io_managed_by');
    const config = parse(prometheusConfig('/k')) as { global: { scrape_interval: string }; scrape_configs: { job_name: string; relabel_configs: { regex?: string }[] }[] };
    expect(config.global.scrape_interval).to.equal('5s');
    const inference = config.scrape_configs.find((j) => j.job_name === INFERENCE_JOB);
    expect(inference?.relabel_configs.map((r) => r.regex)).to.include.members(['riskmodel-operator', 'riskmodel-inference', 'http']);
  });

  it('scrapes only addresses routed to the cluster bridge, never a kwok pod\'s (that would leave the machine)', () => {
    const address = new RegExp(`^(?:${bridgeAddressRegex()})$`);
    expect(address.test('10.250.0.37:8080')).to.be.true;
    expect(address.test('10.244.1.5:8080')).to.be.false;
    expect(address.test('10.250.1.37:8080')).to.be.false;
  });

  const routes: [string, boolean][] = [
    ['/predict', true], ['/predict/batch', true], ['/v2/models/{name}/infer', true], ['/model', true],
    ['/healthz', false], ['/readyz', false], ['/metrics', false], ['/v2/health/live', false], ['/v2/health/ready', false],
    ['/v2/models/{name}/ready', false], ['/v2/models/{name}/versions/{version}/ready', false],
  ];
  for (const [route, load] of routes) {
    it(`${load ? 'counts' : 'leaves out'} ${route} in the requests-a-second metric`, () => {
      expect(new RegExp(`^(?:${NOT_LOAD_ROUTES})$`).test(route)).to.equal(!load);
    });
  }

  it('serves requests a second and in-flight requests per pod, from the inference job only', () => {
    const { rules } = parse(adapterRules()) as { rules: Rule[] };
    expect(rules.map((r) => r.name.as)).to.deep.equal([CUSTOM_METRICS.requestsPerSecond, CUSTOM_METRICS.inFlight]);
    for (const rule of rules) {
      expect(rule.seriesQuery).to.include(`job="${INFERENCE_JOB}"`);
      expect(rule.metricsQuery).to.include(`job="${INFERENCE_JOB}"`).and.include('by (<<.GroupBy>>)');
    }
    expect(rules[0]?.metricsQuery).to.match(/^sum\(rate\(<<\.Series>>\{.*route!~".*"\}\[20s\]\)\)/);
  });
});
