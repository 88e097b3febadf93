// Objects the cluster needs once the API server is up: the fake Nodes kwok manages, the
// registration of metrics-server (metrics.k8s.io) and prometheus-adapter (custom.metrics.k8s.io)
// as aggregated APIs, and Prometheus' read access to pods.
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { KWOK_NODE_ANNOTATION } from './topology.js';

export const NODE_COUNT = 3;
export const nodeName = (i: number): string => `kwok-node-${i}`;

/** What each fake node offers the scheduler: kwokctl's defaults, plus the ephemeral storage real nodes report (pods request it). */
export const NODE_ALLOCATABLE = { cpu: '32', memory: '256Gi', 'ephemeral-storage': '500Gi', pods: '110' };

/**
 * The taint kwok nodes carry when the cluster has a real node: pods land on kwok only from
 * namespaces that opt in (KWOK_PLACEMENT_ANNOTATIONS), everything else goes to the real node.
 */
export const KWOK_TAINT = { key: KWOK_NODE_ANNOTATION, value: 'fake', effect: 'NoSchedule' };

/**
 * Namespace annotations that put a namespace's pods on kwok nodes: a node selector added to every
 * pod by the PodNodeSelector admission plugin, and a toleration of KWOK_TAINT added by
 * PodTolerationRestriction. Harmless in a kwok-only cluster (its nodes carry the label, no taint).
 */
export const KWOK_PLACEMENT_ANNOTATIONS: Record<string, string> = {
  'scheduler.alpha.kubernetes.io/node-selector': 'type=kwok',
  'scheduler.alpha.kubernetes.io/defaultTolerations': JSON.stringify([{ key: KWOK_TAINT.key, operator: 'Equal', value: KWOK_TAINT.value, effect: KWOK_TAINT.effect }]),
};

/** A Node as kwokctl creates it: managed by kwok, its resource metrics served under kwok's per-node path; tainted when a real node takes the default pods. */
export function nodeManifest(i: number, options: { taint?: boolean } = {}): Record<string, unknown> {
  const name = nodeName(i);
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: {
        [KWOK_NODE_ANNOTATION]: 'fake',
        'node.alpha.kubernetes.io/ttl': '0',
        'metrics.k8s.io/resource-metrics-path': `/metrics/nodes/${name}/metrics/resource`,
      },
      labels: {
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/os': 'linux',
        'kubernetes.io/hostname': name,
        'kubernetes.io/role': 'agent',
        'node-role.kubernetes.io/agent': '',
        type: 'kwok',
      },
    },
    spec: { podCIDR: `10.244.${i}.0/24`, podCIDRs: [`10.244.${i}.0/24`], ...(options.taint ? { taints: [KWOK_TAINT] } : {}) },
  };
}

/** The status patch giving a node its capacity before kwok initialises it. */
export function nodeStatusPatch(): string {
  return JSON.stringify({
    status: {
      allocatable: NODE_ALLOCATABLE,
      capacity: NODE_ALLOCATABLE,
      nodeInfo: { architecture: 'amd64', operatingSystem: 'linux' },
    },
  });
}

interface AggregatedApi {
  /** Service and label name of the local process serving it. */
  service: string;
  group: string;
  versions: string[];
  port: number;
  caCertFile: string;
}

/**
 * An aggregated API served by a local process: its Service is an ExternalName pointing at
 * loopback (what kwokctl does for metrics-server), and the API server verifies the process with
 * our CA under the Service's DNS name (pki.ts puts that name on the serving certificate).
 */
function aggregatedApiManifests(api: AggregatedApi): Record<string, unknown>[] {
  const labels = { 'k8s-app': api.service };
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: api.service, namespace: 'kube-system', labels },
    spec: { type: 'ExternalName', externalName: '127.0.0.1', ports: [{ name: 'https', port: api.port, protocol: 'TCP' }] },
  };
  const caBundle = readFileSync(api.caCertFile).toString('base64');
  const apiServices = api.versions.map((version, i) => ({
    apiVersion: 'apiregistration.k8s.io/v1',
    kind: 'APIService',
    metadata: { name: `${version}.${api.group}`, labels },
    spec: {
      group: api.group,
      version,
      service: { name: api.service, namespace: 'kube-system', port: api.port },
      caBundle,
      groupPriorityMinimum: 100,
      // Later versions first: clients that discover the group prefer them.
      versionPriority: 100 * (i + 1),
    },
  }));
  return [service, ...apiServices];
}

const yamlDocuments = (objects: Record<string, unknown>[]): string => objects.map((o) => stringify(o)).join('---\n');

/** metrics-server as the metrics.k8s.io API (what `kubectl top` and CPU-based HPAs read). */
export function metricsApiManifests(metricsServerPort: number, caCertFile: string): string {
  return yamlDocuments(aggregatedApiManifests({ service: 'metrics-server', group: 'metrics.k8s.io', versions: ['v1beta1'], port: metricsServerPort, caCertFile }));
}

/** The API group and versions prometheus-adapter serves and the HPA reads Pods metrics from. */
export const CUSTOM_METRICS_API = { group: 'custom.metrics.k8s.io', versions: ['v1beta1', 'v1beta2'] };

/**
 * prometheus-adapter as the custom.metrics.k8s.io API, and the read-only access Prometheus' pod
 * discovery needs (list and watch pods, as the user pki.ts gives Prometheus).
 */
export function customMetricsManifests(adapterPort: number, caCertFile: string, prometheusUser: string): string {
  const name = 'localcluster:prometheus';
  const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }] };
  const binding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: prometheusUser }],
  };
  return yamlDocuments([...aggregatedApiManifests({ service: 'prometheus-adapter', ...CUSTOM_METRICS_API, port: adapterPort, caCertFile }), role, binding]);
}

export function nodesManifest(options: { taint?: boolean } = {}): string {
  return Array.from({ length: NODE_COUNT }, (_, i) => stringify(nodeManifest(i, options))).join('---\n');
}
