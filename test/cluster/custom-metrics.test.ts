// Needs the local cluster with its real node and an inference image `npm run images` built. The
// path from the inference pods' own metrics to the API the HPA reads (issue 19): Prometheus finds a
// RiskModel's pods through Kubernetes pod discovery and scrapes them, and prometheus-adapter serves
// each pod's requests a second and in-flight requests on custom.metrics.k8s.io.
import { expect } from 'chai';
import { CoreV1Api } from '@kubernetes/client-node';
import { CUSTOM_METRICS_API } from '../../localcluster/bootstrap.js';
import { clusterStatus } from '../../localcluster/cluster.js';
import { CUSTOM_METRICS, INFERENCE_JOB } from '../../localcluster/monitoring.js';
import { startLoad } from '../../scripts/demo/load.js';
import { ensureCluster, kubectlOk, releaseNamespace, waitFor } from '../support/cluster.js';
import { inferenceImageOnNode } from '../support/inference-image.js';
import { LABELS } from '../operator/harness/api.js';
import { riskModel } from '../operator/harness/fixtures.js';
import { useTestbed } from '../operator/harness/testbed.js';

const NAME = 'metered';
const RATE = 40;

interface MetricValue { describedObject: { kind: string; name: string }; metricName: string; value: string }
interface Target { labels: Record<string, string>; health: string; scrapeUrl: string; lastError: string }

/** A Kubernetes quantity as a number: `19866m` is 19.866. */
function quantity(q: string): number {
  return q.endsWith('m') ? Number(q.slice(0, -1)) / 1000 : Number(q);
}

/** Per-pod values of `metric` for every pod of the namespace, from the custom metrics API. */
async function podMetric(namespace: string, metric: string, version = 'v1beta1'): Promise<Record<string, number>> {
  const list = JSON.parse(await kubectlOk(['get', '--raw', `/apis/${CUSTOM_METRICS_API.group}/${version}/namespaces/${namespace}/pods/*/${metric}`])) as { items: MetricValue[] };
  return Object.fromEntries(list.items.map((i) => [i.describedObject.name, quantity(i.value)]));
}

describe('custom metrics: Prometheus scrapes inference pods, prometheus-adapter serves them per pod', function () {
  this.timeout(8 * 60_000);
  const bed = useTestbed({ placement: 'real-node', namespaceLabels: { 'pod-security.kubernetes.io/enforce': 'restricted' } });
  let pods: string[];
  let clusterIp: string;

  before(async function () {
    await bed.startOperator({ extraEnv: { INFERENCE_IMAGE: await inferenceImageOnNode(this) } });
    await bed.cluster.custom.createNamespacedCustomObject({ group: 'riskmodel.dev', version: 'v1alpha1', namespace: bed.namespace, plural: 'riskmodels', body: riskModel(bed.namespace, NAME) });
    await bed.waitForReady(NAME, 180_000);
    const core = bed.cluster.kc.makeApiClient(CoreV1Api);
    pods = (await core.listNamespacedPod({ namespace: bed.namespace, labelSelector: `${LABELS.instance}=${NAME}` })).items
      .filter((p) => !p.metadata?.deletionTimestamp).map((p) => p.metadata?.name ?? '');
    clusterIp = (await core.readNamespacedService({ name: NAME, namespace: bed.namespace })).spec?.clusterIP ?? '';
  });

  after(async function () {
    this.timeout(180_000);
    // Free the real node's CPU requests for the next file.
    if (bed.namespace) await releaseNamespace((await ensureCluster()).kc, bed.namespace);
  });

  it('registers custom.metrics.k8s.io as Available APIServices backed by prometheus-adapter', async () => {
    for (const version of CUSTOM_METRICS_API.versions) {
      const apiService = JSON.parse(await kubectlOk(['get', 'apiservice', `${version}.${CUSTOM_METRICS_API.group}`, '-o', 'json'])) as {
        spec: { service: { name: string; namespace: string } };
        status: { conditions: { type: string; status: string }[] };
      };
      expect(apiService.spec.service).to.include({ name: 'prometheus-adapter', namespace: 'kube-system' });
      expect(apiService.status.conditions.find((c) => c.type === 'Available')?.status, version).to.equal('True');
    }
  });

  it('has Prometheus scrape every pod of the RiskModel, found through pod discovery, healthy', async () => {
    expect(pods).to.have.length(2);
    const port = (await clusterStatus()).state?.ports.prometheus;
    const targets = await waitFor(async (saw) => {
      const body = (await (await fetch(`http://127.0.0.1:${port}/api/v1/targets?state=active`)).json()) as { data: { activeTargets: Target[] } };
      const ours = body.data.activeTargets.filter((t) => t.labels.job === INFERENCE_JOB && t.labels.namespace === bed.namespace);
      saw(ours.map((t) => ({ pod: t.labels.pod, health: t.health, error: t.lastError })));
      return ours.length === pods.length && ours.every((t) => t.health === 'up') && ours;
    }, { what: `Prometheus scraping the ${pods.length} pods of ${NAME}`, timeoutMs: 60_000, intervalMs: 1000 });
    expect(targets.map((t) => t.labels.pod).sort()).to.deep.equal([...pods].sort());
    for (const t of targets) {
      expect(t.labels.riskmodel).to.equal(NAME);
      expect(t.scrapeUrl).to.match(/^http:\/\/10\.250\.0\.\d+:8080\/metrics$/);
    }
  });

  it('serves each pod\'s requests a second and in-flight requests on custom.metrics.k8s.io while requests load them', async () => {
    const load = await startLoad(new URL(`http://${clusterIp}`), RATE, 4);
    try {
      const rates = await waitFor(async (saw) => {
        const values = await podMetric(bed.namespace, CUSTOM_METRICS.requestsPerSecond);
        saw(values);
        const sum = pods.reduce((s, p) => s + (values[p] ?? 0), 0);
        return pods.every((p) => (values[p] ?? 0) > 0) && sum > RATE * 0.6 && values;
      }, { what: `${CUSTOM_METRICS.requestsPerSecond} for both pods adding up to about ${RATE}`, timeoutMs: 90_000, intervalMs: 2000 });
      console.log(`      ${CUSTOM_METRICS.requestsPerSecond} at ${RATE} req/s through the Service: ${JSON.stringify(rates)}`);
      const total = Object.values(rates).reduce((s, v) => s + v, 0);
      expect(total, 'the pods\' rates add up to the load (probes and scrapes left out)').to.be.within(RATE * 0.6, RATE * 1.4);
      const inFlight = await waitFor(async (saw) => {
        const values = await podMetric(bed.namespace, CUSTOM_METRICS.inFlight, 'v1beta2');
        saw(values);
        return pods.every((p) => values[p] !== undefined) && values;
      }, { what: `${CUSTOM_METRICS.inFlight} for both pods`, timeoutMs: 60_000, intervalMs: 2000 });
      console.log(`      ${CUSTOM_METRICS.inFlight} under the same load: ${JSON.stringify(inFlight)}`);
      for (const p of pods) expect(inFlight[p]).to.be.at.least(0).and.below(RATE);
    } finally {
      await load.stop();
    }
  });
});
