// Prometheus and prometheus-adapter for the local cluster: what Prometheus scrapes (inference pods
// and the operator's pods, found through the API server) and which per-pod metrics the adapter
// serves on custom.metrics.k8s.io for the HPA. Pure: file contents from paths.
import { stringify } from 'yaml';
import { NODE_SUBNET } from './network.js';

/** Short enough that an HPA (3 s sync here) sees a load change within a few seconds. */
export const SCRAPE_INTERVAL = '5s';
/** The window of the requests-a-second rate: four scrapes, so one missed scrape still leaves a rate. */
export const RATE_WINDOW = '20s';
/** How often the adapter re-reads which series exist (new pods' series are found within this). */
export const ADAPTER_RELIST_INTERVAL = '10s';

/** Scrape job names; Prometheus labels every series with its job. */
export const INFERENCE_JOB = 'riskmodel-inference';
export const OPERATOR_JOB = 'riskmodel-operator';

/** Per-pod metrics served on custom.metrics.k8s.io (for `pods/*` of a namespace): what an HPA's Pods metric names. */
export const CUSTOM_METRICS = {
  /** Load requests a second over RATE_WINDOW, from the inference server's `http_requests_total` (probes and scrapes left out). */
  requestsPerSecond: 'http_requests_per_second',
  /** Requests being served now, the inference server's own gauge (it leaves probes and scrapes out itself). */
  inFlight: 'http_requests_in_flight',
} as const;

/**
 * The operator's public pod labels (operator/api/labels.ts), spelled out as a user's Prometheus
 * configuration would: inference pods carry the first two, the operator's own pods the third.
 */
export const POD_LABELS = {
  managedBy: ['app.kubernetes.io/managed-by', 'riskmodel-operator'],
  inference: ['app.kubernetes.io/name', 'riskmodel-inference'],
  operator: ['app.kubernetes.io/name', 'riskmodel-operator'],
} as const;
/** The container port both serve /metrics on. */
export const METRICS_PORT_NAME = 'http';

/**
 * Routes of `http_requests_total` that are not load: the probes and the metrics scrape
 * (inference/http/routes.ts counts them under their own route label).
 */
export const NOT_LOAD_ROUTES = '/healthz|/readyz|/metrics|/v2/health/.+|/v2/models/.+/ready';

/** Prometheus' name for a pod label in service discovery: `__meta_kubernetes_pod_label_<name, non-alphanumerics as _>`. */
export function podLabelMeta(label: string): string {
  return `__meta_kubernetes_pod_label_${label.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

/**
 * Scrape targets are kept only on the real node's subnet: those addresses are routed to the
 * cluster bridge. kwok pods' addresses lead nowhere, and a scrape of them would take the
 * machine's default route.
 */
export function bridgeAddressRegex(subnet = NODE_SUBNET): string {
  const [network, bits] = subnet.split('/');
  if (bits !== '24' || !network) throw new Error(`expected a /24 node subnet, got ${subnet}`);
  return `${network.split('.').slice(0, 3).join('\\.')}\\.\\d+:\\d+`;
}

interface Relabel {
  source_labels?: string[];
  regex?: string;
  action?: 'keep' | 'replace';
  target_label?: string;
}

function podJob(job: string, kubeconfig: string, keep: Relabel[]): Record<string, unknown> {
  const copy = (meta: string, target: string): Relabel => ({ source_labels: [meta], target_label: target });
  return {
    job_name: job,
    kubernetes_sd_configs: [{ role: 'pod', kubeconfig_file: kubeconfig }],
    relabel_configs: [
      ...keep,
      { source_labels: ['__meta_kubernetes_pod_container_port_name'], regex: METRICS_PORT_NAME, action: 'keep' },
      { source_labels: ['__address__'], regex: bridgeAddressRegex(), action: 'keep' },
      copy('__meta_kubernetes_namespace', 'namespace'),
      copy('__meta_kubernetes_pod_name', 'pod'),
      copy(podLabelMeta('app.kubernetes.io/instance'), 'riskmodel'),
    ],
  };
}

/** prometheus.yml: inference pods managed by the operator and the operator's own pods, every SCRAPE_INTERVAL. */
export function prometheusConfig(kubeconfig: string): string {
  const keepLabel = ([label, value]: readonly [string, string]): Relabel => ({ source_labels: [podLabelMeta(label)], regex: value, action: 'keep' });
  return stringify({
    global: { scrape_interval: SCRAPE_INTERVAL, scrape_timeout: '4s', evaluation_interval: SCRAPE_INTERVAL },
    scrape_configs: [
      podJob(INFERENCE_JOB, kubeconfig, [keepLabel(POD_LABELS.managedBy), keepLabel(POD_LABELS.inference)]),
      podJob(OPERATOR_JOB, kubeconfig, [keepLabel(POD_LABELS.operator)]),
    ],
  });
}

/** The adapter's rules: each series maps to the namespace and pod it came from. */
export function adapterRules(): string {
  const resources = { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } };
  const series = (metric: string): string => `${metric}{job="${INFERENCE_JOB}",namespace!="",pod!=""}`;
  return stringify({
    rules: [
      {
        seriesQuery: series('http_requests_total'),
        resources,
        name: { matches: '^http_requests_total$', as: CUSTOM_METRICS.requestsPerSecond },
        metricsQuery: `sum(rate(<<.Series>>{<<.LabelMatchers>>,job="${INFERENCE_JOB}",route!~"${NOT_LOAD_ROUTES}"}[${RATE_WINDOW}])) by (<<.GroupBy>>)`,
      },
      {
        seriesQuery: series('http_requests_in_flight'),
        resources,
        name: { matches: '^http_requests_in_flight$', as: CUSTOM_METRICS.inFlight },
        metricsQuery: `sum(<<.Series>>{<<.LabelMatchers>>,job="${INFERENCE_JOB}"}) by (<<.GroupBy>>)`,
      },
    ],
  });
}
