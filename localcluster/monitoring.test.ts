import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { parse } from 'yaml';
import { LABEL_MANAGED_BY, LABEL_NAME, APP_NAME, MANAGED_BY } from '../operator/api/labels.js';
import { adapterRules, bridgeAddressRegex, CUSTOM_METRICS, INFERENCE_JOB, NOT_LOAD_ROUTES, POD_LABELS, podLabelMeta, prometheusConfig } from './monitoring.js';
import { binaryPaths, components } from './components.js';
import { loadConfig } from './config.js';

const run = promisify(execFile);

interface Rule { seriesQuery: string; name: { as: string }; metricsQuery: string }

describe('Prometheus and prometheus-adapter configuration', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'monitoring-test-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('is a configuration the cluster\'s Prometheus accepts (its own promtool check config)', async function () {
    // The promtool built with it: Debian's 2.42 has no Kubernetes discovery and refuses kubernetes_sd_configs.
    const promtool = path.join(path.dirname(binaryPaths(components(loadConfig())).prometheus), 'promtool');
    if (!existsSync(promtool)) {
      console.log('      skipped: Prometheus is not built yet (npm run cluster:up builds it)');
      this.skip();
    }
    const kubeconfig = path.join(dir, 'prometheus.kubeconfig');
    await writeFile(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts: []\n');
    await writeFile(path.join(dir, 'prometheus.yml'), prometheusConfig(kubeconfig));
    const { stdout } = await run(promtool, ['check', 'config', path.join(dir, 'prometheus.yml')]);
    expect(stdout).to.include('SUCCESS');
  });

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
