// Objects the cluster needs once the API server is up: the fake Nodes kwok manages and the
// registration of metrics-server as the metrics.k8s.io aggregated API.
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

/**
 * metrics-server runs as a local process, so its Service is an ExternalName pointing at loopback
 * (what kwokctl does); the API server verifies it with our CA under the Service's DNS name.
 */
export function metricsApiManifests(metricsServerPort: number, caCertFile: string): string {
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'metrics-server', namespace: 'kube-system', labels: { 'k8s-app': 'metrics-server' } },
    spec: { type: 'ExternalName', externalName: '127.0.0.1', ports: [{ name: 'https', port: metricsServerPort, protocol: 'TCP' }] },
  };
  const apiService = {
    apiVersion: 'apiregistration.k8s.io/v1',
    kind: 'APIService',
    metadata: { name: 'v1beta1.metrics.k8s.io', labels: { 'k8s-app': 'metrics-server' } },
    spec: {
      group: 'metrics.k8s.io',
      version: 'v1beta1',
      service: { name: 'metrics-server', namespace: 'kube-system', port: metricsServerPort },
      caBundle: readFileSync(caCertFile).toString('base64'),
      groupPriorityMinimum: 100,
      versionPriority: 100,
    },
  };
  return [service, apiService].map((o) => stringify(o)).join('---\n');
}

export function nodesManifest(options: { taint?: boolean } = {}): string {
  return Array.from({ length: NODE_COUNT }, (_, i) => stringify(nodeManifest(i, options))).join('---\n');
}
