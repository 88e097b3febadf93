// What runs in the local cluster and with which flags: a pure function of file locations,
// binaries and ports, so the whole command line of every component can be read in one place.
import path from 'node:path';
import type { BinaryPaths } from './components.js';
import { ADAPTER_RELIST_INTERVAL } from './monitoring.js';
import { BRIDGE_IP } from './network.js';
import { REAL_NODE_LABELS, REAL_NODE_NAME, type NodeLayout } from './node-config.js';
import { SERVICE_CIDR, type Pki, IDENTITIES } from './pki.js';

/** The control plane, kwok and the metrics pipelines: what every cluster runs. */
export const CONTROL_PLANE_NAMES = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok', 'metrics-server', 'prometheus', 'prometheus-adapter'] as const;
/** The real worker node's daemons, in start order. */
export const NODE_PROCESS_NAMES = ['containerd', 'kubelet', 'kube-proxy'] as const;
export type ProcessName = (typeof CONTROL_PLANE_NAMES)[number] | (typeof NODE_PROCESS_NAMES)[number];

/** `real-node`: kwok nodes plus one real kubelet node; `kwok-only`: simulated nodes only (quicker, no root needed for the node). */
export type ClusterMode = 'real-node' | 'kwok-only';

/** Every process a cluster of this mode runs. */
export function componentNames(mode: ClusterMode): ProcessName[] {
  return mode === 'real-node' ? [...CONTROL_PLANE_NAMES, ...NODE_PROCESS_NAMES] : [...CONTROL_PLANE_NAMES];
}

export interface Ports {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
  controllerManager: number;
  scheduler: number;
  kwok: number;
  metricsServer: number;
  prometheus: number;
  prometheusAdapter: number;
  kubelet: number;
  kubeletHealthz: number;
  kubeProxyHealthz: number;
  kubeProxyMetrics: number;
}

/** Files of one cluster under its state folder. */
export interface Layout {
  stateDir: string;
  stateFile: string;
  lockFile: string;
  logsDir: string;
  etcdDataDir: string;
  kubeconfigsDir: string;
  /** The admin kubeconfig handed to users and tests. */
  adminKubeconfig: string;
  pkiDir: string;
  /** `kubectl` (a link to the one built with the cluster) for users' PATH: `export PATH=$PWD/.localcluster/bin:$PATH`. */
  binDir: string;
  /** Prometheus' configuration and data, the adapter's rules. */
  monitoring: { dir: string; prometheusConfig: string; prometheusData: string; adapterRules: string };
}

export function layout(stateDir: string): Layout {
  return {
    stateDir,
    stateFile: path.join(stateDir, 'state.json'),
    lockFile: path.join(stateDir, 'up.lock'),
    logsDir: path.join(stateDir, 'logs'),
    etcdDataDir: path.join(stateDir, 'etcd-data'),
    kubeconfigsDir: path.join(stateDir, 'kubeconfigs'),
    adminKubeconfig: path.join(stateDir, 'kubeconfig'),
    pkiDir: path.join(stateDir, 'pki'),
    binDir: path.join(stateDir, 'bin'),
    monitoring: {
      dir: path.join(stateDir, 'monitoring'),
      prometheusConfig: path.join(stateDir, 'monitoring', 'prometheus.yml'),
      prometheusData: path.join(stateDir, 'monitoring', 'prometheus-data'),
      adapterRules: path.join(stateDir, 'monitoring', 'adapter-rules.yaml'),
    },
  };
}

export interface ProcessSpec {
  name: ProcessName;
  binary: string;
  args: string[];
  /** URL that answers 200 once the component is healthy; `unix://PATH` when accepting connections on a socket is health. */
  health: string;
}

/** Controllers the controller-manager runs: what Deployments, HPAs, namespaces and tokens need. */
export const CONTROLLERS = [
  'deployment-controller',
  'replicaset-controller',
  'horizontal-pod-autoscaler-controller',
  'garbage-collector-controller',
  'namespace-controller',
  'serviceaccount-controller',
  'serviceaccount-token-controller',
  'endpointslice-controller',
  // Lifts the not-ready taint the API server puts on every new Node once kwok reports it Ready.
  'node-lifecycle-controller',
  'root-ca-certificate-publisher-controller',
  'clusterrole-aggregation-controller',
  'pod-garbage-collector-controller',
  'resourcequota-controller',
  'disruption-controller',
  'statefulset-controller',
  'job-controller',
];

/** HPA timings, shortened from the upstream defaults (15 s, 5 min, 5 min, 30 s) so tests and the demo see scaling quickly. */
export const HPA_TIMINGS = {
  syncPeriod: '3s',
  downscaleStabilization: '20s',
  cpuInitializationPeriod: '10s',
  initialReadinessDelay: '5s',
};

/** How often metrics-server scrapes kwok; 10 s is the smallest value metrics-server accepts. */
export const METRIC_RESOLUTION = '10s';

export const KWOK_NODE_ANNOTATION = 'kwok.x-k8s.io/node';

/** What the real node's processes need; absent in kwok-only mode. */
export interface NodeInputs {
  layout: NodeLayout;
  containerd: string;
}

interface Inputs {
  layout: Layout;
  pki: Pki;
  binaries: BinaryPaths;
  ports: Ports;
  kwokConfig: string;
  node?: NodeInputs;
}

/** Where the API server listens: loopback, or the bridge when pods must reach it through the `kubernetes` Service. */
export const apiserverHost = (mode: ClusterMode): string => (mode === 'real-node' ? BRIDGE_IP : '127.0.0.1');

/** Admission plugins on top of the defaults: namespaces choose kwok or the real node (docs/local-cluster.md). */
export const EXTRA_ADMISSION_PLUGINS = ['PodNodeSelector', 'PodTolerationRestriction'];

const url = (port: number, p: string, scheme = 'https'): string => `${scheme}://127.0.0.1:${port}${p}`;
const kubeconfig = (l: Layout, name: string): string => path.join(l.kubeconfigsDir, `${name}.kubeconfig`);

function etcd({ layout: l, binaries, ports }: Inputs): ProcessSpec {
  const client = url(ports.etcdClient, '', 'http');
  const peer = url(ports.etcdPeer, '', 'http');
  return {
    name: 'etcd',
    binary: binaries.etcd,
    args: [
      '--name=localcluster', `--data-dir=${l.etcdDataDir}`,
      `--listen-client-urls=${client}`, `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`, `--initial-advertise-peer-urls=${peer}`, `--initial-cluster=localcluster=${peer}`,
      // A throw-away test store: skipping fsync makes every write several times faster.
      '--unsafe-no-fsync', '--quota-backend-bytes=2147483648', '--log-level=warn',
    ],
    health: `${client}/health`,
  };
}

/** Real node: listen on the bridge, publish it as the `kubernetes` Service's endpoint, reach kubelets by node IP. */
function apiserverNodeFlags(pki: Pki): string[] {
  return [
    `--bind-address=${BRIDGE_IP}`, `--advertise-address=${BRIDGE_IP}`,
    `--enable-admission-plugins=${[...EXTRA_ADMISSION_PLUGINS, 'NodeRestriction'].join(',')}`,
    `--kubelet-client-certificate=${pki.cert(IDENTITIES.apiserverKubeletClient)}`,
    `--kubelet-client-key=${pki.key(IDENTITIES.apiserverKubeletClient)}`,
    `--kubelet-certificate-authority=${pki.caCert}`,
    // Otherwise it tries to resolve node names, which nothing here can.
    '--kubelet-preferred-address-types=InternalIP',
  ];
}

function apiserverKwokOnlyFlags(): string[] {
  return [
    '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1',
    `--enable-admission-plugins=${EXTRA_ADMISSION_PLUGINS.join(',')}`,
    // The endpoint reconciler refuses loopback addresses; with no pod to dial the `kubernetes`
    // Service's endpoints, it publishes none.
    '--endpoint-reconciler-type=none',
  ];
}

function apiserver({ pki, binaries, ports, node }: Inputs): ProcessSpec {
  return {
    name: 'kube-apiserver',
    binary: binaries.kubeApiserver,
    args: [
      `--etcd-servers=${url(ports.etcdClient, '', 'http')}`,
      ...(node ? apiserverNodeFlags(pki) : apiserverKwokOnlyFlags()), `--secure-port=${ports.apiserver}`,
      `--tls-cert-file=${pki.apiserverCert}`, `--tls-private-key-file=${pki.apiserverKey}`,
      `--client-ca-file=${pki.caCert}`,
      '--authorization-mode=Node,RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${pki.saPub}`, `--service-account-signing-key-file=${pki.saKey}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      // Privileged pods are then refused by Pod Security admission, as in a real cluster, not by a global switch.
      '--allow-privileged=true',
      // Front proxy for aggregated APIs: how the API server forwards metrics.k8s.io to metrics-server.
      `--requestheader-client-ca-file=${pki.caCert}`, `--requestheader-allowed-names=${IDENTITIES.frontProxy.user}`,
      '--requestheader-username-headers=X-Remote-User', '--requestheader-group-headers=X-Remote-Group',
      '--requestheader-extra-headers-prefix=X-Remote-Extra-',
      `--proxy-client-cert-file=${pki.cert(IDENTITIES.frontProxy)}`, `--proxy-client-key-file=${pki.key(IDENTITIES.frontProxy)}`,
      '--v=1',
    ],
    health: `https://${apiserverHost(node ? 'real-node' : 'kwok-only')}:${ports.apiserver}/readyz`,
  };
}

/** Flags shared by components that serve HTTPS and delegate authentication to the API server. */
function secureServing(l: Layout, pki: Pki, name: string, port: number): string[] {
  return [
    '--bind-address=127.0.0.1', `--secure-port=${port}`,
    `--tls-cert-file=${pki.servingCert}`, `--tls-private-key-file=${pki.servingKey}`,
    `--kubeconfig=${kubeconfig(l, name)}`,
    `--authentication-kubeconfig=${kubeconfig(l, name)}`, `--authorization-kubeconfig=${kubeconfig(l, name)}`,
  ];
}

function controllerManager({ layout: l, pki, binaries, ports }: Inputs): ProcessSpec {
  return {
    name: 'kube-controller-manager',
    binary: binaries.kubeControllerManager,
    args: [
      ...secureServing(l, pki, 'kube-controller-manager', ports.controllerManager),
      '--leader-elect=false', `--controllers=${CONTROLLERS.join(',')}`,
      // Each controller acts with its own ServiceAccount token, bound by the bootstrap RBAC roles.
      '--use-service-account-credentials=true',
      `--service-account-private-key-file=${pki.saKey}`, `--root-ca-file=${pki.caCert}`,
      `--horizontal-pod-autoscaler-sync-period=${HPA_TIMINGS.syncPeriod}`,
      `--horizontal-pod-autoscaler-downscale-stabilization=${HPA_TIMINGS.downscaleStabilization}`,
      `--horizontal-pod-autoscaler-cpu-initialization-period=${HPA_TIMINGS.cpuInitializationPeriod}`,
      `--horizontal-pod-autoscaler-initial-readiness-delay=${HPA_TIMINGS.initialReadinessDelay}`,
      '--v=1',
    ],
    health: url(ports.controllerManager, '/healthz'),
  };
}

function scheduler({ layout: l, pki, binaries, ports }: Inputs): ProcessSpec {
  return {
    name: 'kube-scheduler',
    binary: binaries.kubeScheduler,
    args: [...secureServing(l, pki, 'kube-scheduler', ports.scheduler), '--leader-elect=false', '--v=1'],
    health: url(ports.scheduler, '/readyz'),
  };
}

function kwok({ layout: l, pki, binaries, ports, kwokConfig }: Inputs): ProcessSpec {
  return {
    name: 'kwok',
    binary: binaries.kwok,
    args: [
      `--kubeconfig=${kubeconfig(l, 'kwok')}`, `--config=${kwokConfig}`,
      // Only the Nodes this tooling creates; a real kubelet's node would be left alone.
      `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=fake`,
      // The kubelet endpoint kwok impersonates: metrics-server scrapes it at this address.
      '--node-ip=127.0.0.1', `--node-port=${ports.kwok}`, `--server-address=127.0.0.1:${ports.kwok}`,
      `--tls-cert-file=${pki.servingCert}`, `--tls-private-key-file=${pki.servingKey}`,
      '--node-lease-duration-seconds=40',
    ],
    health: url(ports.kwok, '/healthz'),
  };
}

function metricsServer({ layout: l, pki, binaries, ports }: Inputs): ProcessSpec {
  return {
    name: 'metrics-server',
    binary: binaries.metricsServer,
    args: [
      ...secureServing(l, pki, 'metrics-server', ports.metricsServer),
      '--kubelet-preferred-address-types=InternalIP', '--kubelet-use-node-status-port',
      `--kubelet-certificate-authority=${pki.caCert}`,
      `--metric-resolution=${METRIC_RESOLUTION}`,
      // metrics-server requires the scrape timeout below 90 % of the resolution.
      '--kubelet-request-timeout=5s',
    ],
    health: url(ports.metricsServer, '/livez'),
  };
}

function prometheus({ layout: l, binaries, ports }: Inputs): ProcessSpec {
  return {
    name: 'prometheus',
    binary: binaries.prometheus,
    args: [
      `--config.file=${l.monitoring.prometheusConfig}`, `--storage.tsdb.path=${l.monitoring.prometheusData}`,
      // A test cluster's history: an hour is plenty, and keeps the data folder small.
      '--storage.tsdb.retention.time=1h',
      `--web.listen-address=127.0.0.1:${ports.prometheus}`, '--log.level=warn',
    ],
    health: url(ports.prometheus, '/-/ready', 'http'),
  };
}

function prometheusAdapter({ layout: l, pki, binaries, ports }: Inputs): ProcessSpec {
  const kc = kubeconfig(l, 'prometheus-adapter');
  return {
    name: 'prometheus-adapter',
    binary: binaries.prometheusAdapter,
    args: [
      '--bind-address=127.0.0.1', `--secure-port=${ports.prometheusAdapter}`,
      `--tls-cert-file=${pki.servingCert}`, `--tls-private-key-file=${pki.servingKey}`,
      `--lister-kubeconfig=${kc}`, `--authentication-kubeconfig=${kc}`, `--authorization-kubeconfig=${kc}`,
      `--prometheus-url=${url(ports.prometheus, '/', 'http')}`, `--config=${l.monitoring.adapterRules}`,
      `--metrics-relist-interval=${ADAPTER_RELIST_INTERVAL}`, '--v=1',
    ],
    health: url(ports.prometheusAdapter, '/livez'),
  };
}

function containerd(node: NodeInputs): ProcessSpec {
  return {
    name: 'containerd',
    binary: node.containerd,
    // Its own configuration and folders; /etc/containerd and /var/lib/containerd stay untouched.
    args: ['--config', node.layout.containerdConfig, '--log-level', 'warn'],
    health: `unix://${node.layout.containerdSocket}`,
  };
}

function kubelet({ binaries, ports, node }: Inputs & { node: NodeInputs }): ProcessSpec {
  const l = node.layout;
  return {
    name: 'kubelet',
    binary: binaries.kubelet,
    args: [
      `--config=${l.kubeletConfig}`, `--kubeconfig=${l.kubeletKubeconfig}`, `--root-dir=${l.kubeletRoot}`,
      // A loopback node IP is refused; the bridge address is where pods and the API server reach it.
      `--node-ip=${BRIDGE_IP}`, `--hostname-override=${REAL_NODE_NAME}`,
      `--node-labels=${Object.entries(REAL_NODE_LABELS).map(([k, v]) => `${k}=${v}`).join(',')}`,
      '--v=1',
    ],
    health: url(ports.kubeletHealthz, '/healthz', 'http'),
  };
}

function kubeProxy({ binaries, ports, node }: Inputs & { node: NodeInputs }): ProcessSpec {
  return {
    name: 'kube-proxy',
    binary: binaries.kubeProxy,
    args: [`--config=${node.layout.kubeProxyConfig}`, '--v=1'],
    health: url(ports.kubeProxyHealthz, '/livez', 'http'),
  };
}

/** Every component's command line, in start order (the real node's daemons last, when there is a node). */
export function processSpecs(inputs: Inputs): ProcessSpec[] {
  const control = [etcd, apiserver, controllerManager, scheduler, kwok, metricsServer, prometheus, prometheusAdapter].map((f) => f(inputs));
  const { node } = inputs;
  if (!node) return control;
  return [...control, containerd(node), kubelet({ ...inputs, node }), kubeProxy({ ...inputs, node })];
}
