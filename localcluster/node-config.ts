// Configuration files of the real worker node, as pure functions of paths and ports: containerd's
// config.toml, the CNI network, the KubeletConfiguration and the KubeProxyConfiguration. Each
// setting that is not upstream's default says why it is needed on these machines.
import { stringify } from 'yaml';
import { BRIDGE, BRIDGE_IP, NODE_SUBNET, POD_RANGE } from './network.js';
import { NODE_NAME, SERVICE_CIDR } from './pki.js';

/** The real node's name: one per machine, so a fixed name. */
export const REAL_NODE_NAME = NODE_NAME;
/** Label that tells the real node from kwok's (`type=kwok`). */
export const REAL_NODE_LABELS = { type: 'real', 'riskmodel.dev/node': 'real' };
/** The pod sandbox image, built from the Kubernetes module's pause.c (localcluster/pause.ts). */
export const PAUSE_IMAGE = 'localhost/riskmodel/pause:3.10.2';
/** The CNI network's name (also the host-local IPAM folder's name). */
export const CNI_NETWORK = 'riskmodel';

/** Files and folders of the real node, under the cluster's state folder unless said otherwise. */
export interface NodeLayout {
  dir: string;
  /** containerd's persistent store (images, snapshots): in the cache so images survive `down`. */
  containerdRoot: string;
  containerdState: string;
  containerdConfig: string;
  containerdSocket: string;
  /** containerd's registry host configuration: every pull goes to a closed loopback port. */
  registryHostsDir: string;
  cniConfDir: string;
  cniIpamDir: string;
  kubeletRoot: string;
  kubeletConfig: string;
  kubeletKubeconfig: string;
  resolvConf: string;
  kubeProxyConfig: string;
  kubeProxyKubeconfig: string;
}

export function nodeLayout(stateDir: string, cacheDir: string): NodeLayout {
  const dir = `${stateDir}/node`;
  return {
    dir,
    containerdRoot: `${cacheDir}/containerd/root`,
    containerdState: `${dir}/containerd/state`,
    containerdConfig: `${dir}/containerd/config.toml`,
    containerdSocket: `${dir}/containerd/containerd.sock`,
    registryHostsDir: `${dir}/containerd/certs.d`,
    cniConfDir: `${dir}/cni/net.d`,
    cniIpamDir: `${dir}/cni/ipam`,
    kubeletRoot: `${dir}/kubelet`,
    kubeletConfig: `${dir}/kubelet-config.yaml`,
    kubeletKubeconfig: `${dir}/kubelet.kubeconfig`,
    resolvConf: `${dir}/resolv.conf`,
    kubeProxyConfig: `${dir}/kube-proxy-config.yaml`,
    kubeProxyKubeconfig: `${dir}/kube-proxy.kubeconfig`,
  };
}

const CRI = 'plugins."io.containerd.grpc.v1.cri"';

/** containerd 1.6 config (version 2 schema) for a CRI runtime that shares nothing with /etc/containerd. */
export function containerdConfig(l: NodeLayout): string {
  return [
    '# Written by localcluster/node-config.ts; containerd runs with --config pointing here.',
    'version = 2',
    `root = "${l.containerdRoot}"`,
    `state = "${l.containerdState}"`,
    '[grpc]',
    `  address = "${l.containerdSocket}"`,
    '[ttrpc]',
    `  address = "${l.containerdSocket}.ttrpc"`,
    // No debug or metrics listeners: nothing but the unix sockets.
    '[debug]',
    '  address = ""',
    '[metrics]',
    '  address = ""',
    // Otherwise containerd keeps plugin binaries under /opt/containerd.
    '[plugins."io.containerd.internal.v1.opt"]',
    `  path = "${l.containerdRoot}/opt"`,
    `[${CRI}]`,
    `  sandbox_image = "${PAUSE_IMAGE}"`,
    // Root on these VMs lacks CAP_SYS_RESOURCE: without this every sandbox fails in runc
    // ("failed to update /proc/self/oom_score_adj: Permission denied").
    '  restrict_oom_score_adj = true',
    '  disable_apparmor = true',
    // Pod network namespaces are mounted under the state folder, where `down` unmounts everything.
    '  netns_mounts_under_state_dir = true',
    // The streaming server (exec, logs -f, port-forward) that the kubelet proxies to.
    '  stream_server_address = "127.0.0.1"',
    '  stream_server_port = "0"',
    `  [${CRI}.containerd]`,
    '    snapshotter = "overlayfs"',
    '    default_runtime_name = "runc"',
    `    [${CRI}.containerd.runtimes.runc]`,
    '      runtime_type = "io.containerd.runc.v2"',
    `      [${CRI}.containerd.runtimes.runc.options]`,
    // The kubelet uses cgroupfs too (no systemd as PID 1 here).
    '        SystemdCgroup = false',
    `  [${CRI}.cni]`,
    '    bin_dir = "/usr/lib/cni"',
    `    conf_dir = "${l.cniConfDir}"`,
    '    max_conf_num = 1',
    `  [${CRI}.registry]`,
    `    config_path = "${l.registryHostsDir}"`,
    '',
  ].join('\n');
}

/** Registries that get a hosts.toml sending their pulls to a closed loopback port. */
export const BLOCKED_REGISTRIES = ['_default', 'docker.io', 'registry.k8s.io', 'ghcr.io', 'quay.io', 'gcr.io', 'localhost'];

/**
 * A hosts.toml that points a registry at 127.0.0.1:1, where nothing listens: images must be
 * imported locally (`imagePullPolicy: Never` or IfNotPresent), and a pull can never leave the machine.
 */
export function blockedRegistryHosts(): string {
  return ['# Pulls fail fast here: images are imported into containerd by localcluster, never pulled.', 'server = "http://127.0.0.1:1"', ''].join('\n');
}

/** The CNI network: bridge + host-local on the node subnet; no masquerading, no gateway on the bridge. */
export function cniConfig(l: NodeLayout): string {
  return `${JSON.stringify(
    {
      cniVersion: '1.0.0',
      name: CNI_NETWORK,
      plugins: [
        {
          type: 'bridge',
          bridge: BRIDGE,
          // The bridge and its address are created by localcluster/network.ts; with isGateway false the
          // plugin neither assigns an address nor turns on net.ipv4.ip_forward.
          isGateway: false,
          ipMasq: false,
          // A pod reaching itself through its Service's ClusterIP.
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            dataDir: l.cniIpamDir,
            ranges: [[{ subnet: NODE_SUBNET, rangeStart: POD_RANGE.start, rangeEnd: POD_RANGE.end, gateway: BRIDGE_IP }]],
            // No default route in pods: they reach pods (on-link) and Services (via the node) only.
            routes: [{ dst: SERVICE_CIDR, gw: BRIDGE_IP }],
          },
        },
      ],
    },
    null,
    2,
  )}\n`;
}

export interface KubeletInputs {
  layout: NodeLayout;
  caCert: string;
  servingCert: string;
  servingKey: string;
  port: number;
  healthzPort: number;
}

/** The KubeletConfiguration (kubelet.config.k8s.io/v1beta1). */
export function kubeletConfig(k: KubeletInputs): string {
  return stringify({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    address: BRIDGE_IP,
    port: k.port,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: k.healthzPort,
    containerRuntimeEndpoint: `unix://${k.layout.containerdSocket}`,
    // The API server (logs, exec, port-forward) and metrics-server authenticate with client
    // certificates of the cluster CA; everything else is authorised through the API server.
    authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: k.caCert } },
    authorization: { mode: 'Webhook' },
    // Signed by the cluster CA with the node IP as a SAN: metrics-server verifies it.
    tlsCertFile: k.servingCert,
    tlsPrivateKeyFile: k.servingKey,
    // These machines mount cgroup v1 hierarchies; 1.37 refuses v1 unless told otherwise.
    failCgroupV1: false,
    cgroupDriver: 'cgroupfs',
    failSwapOn: false,
    // kube-proxy (nftables) owns packet rewriting; the kubelet adds no iptables chains.
    makeIPTablesUtilChains: false,
    // There is no cluster DNS and pods must not reach the host's resolvers.
    resolvConf: k.layout.resolvConf,
    clusterDomain: 'cluster.local',
    // Imported images cannot be pulled again: never garbage-collect them.
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    // The disk is shared with builds and caches; evict only when it is really full.
    evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '2%', 'imagefs.available': '2%' },
    maxPods: 110,
    serializeImagePulls: false,
    // Pods report status quickly, so tests and the demo see changes quickly.
    nodeStatusUpdateFrequency: '4s',
    syncFrequency: '10s',
  });
}

export interface KubeProxyInputs {
  layout: NodeLayout;
  healthzPort: number;
  metricsPort: number;
}

/** The KubeProxyConfiguration: nftables mode, its own table, no host sysctls touched. */
export function kubeProxyConfig(p: KubeProxyInputs): string {
  return stringify({
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    mode: 'nftables',
    clientConnection: { kubeconfig: p.layout.kubeProxyKubeconfig },
    hostnameOverride: REAL_NODE_NAME,
    bindAddress: BRIDGE_IP,
    healthzBindAddress: `127.0.0.1:${p.healthzPort}`,
    metricsBindAddress: `127.0.0.1:${p.metricsPort}`,
    clusterCIDR: NODE_SUBNET,
    detectLocalMode: 'ClusterCIDR',
    // NodePorts only on the bridge address, never on the host's other interfaces.
    nodePortAddresses: [`${BRIDGE_IP}/32`],
    // Zero leaves nf_conntrack_max and the conntrack timeouts as the host has them.
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
  });
}
