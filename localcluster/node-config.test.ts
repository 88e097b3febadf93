import { expect } from 'chai';
import { parse } from 'yaml';
import { blockedRegistryHosts, cniConfig, containerdConfig, kubeletConfig, kubeProxyConfig, nodeLayout, PAUSE_IMAGE } from './node-config.js';

const l = nodeLayout('/state', '/cache');

describe('real node configuration', () => {
  describe('containerd', () => {
    const toml = containerdConfig(l);
    it('keeps its store in the cache (images survive cluster:down) and its runtime state in the state folder', () => {
      expect(toml).to.include('root = "/cache/containerd/root"');
      expect(toml).to.include('state = "/state/node/containerd/state"');
      expect(toml).to.include('address = "/state/node/containerd/containerd.sock"');
    });
    it('sets what these VMs need: restricted oom_score_adj, no AppArmor, cgroupfs, overlayfs', () => {
      expect(toml).to.match(/restrict_oom_score_adj = true/);
      expect(toml).to.match(/disable_apparmor = true/);
      expect(toml).to.match(/SystemdCgroup = false/);
      expect(toml).to.match(/snapshotter = "overlayfs"/);
    });
    it('uses our pause image, the Debian CNI plugins and our CNI folder, and mounts netns under its state', () => {
      expect(toml).to.include(`sandbox_image = "${PAUSE_IMAGE}"`);
      expect(toml).to.include('bin_dir = "/usr/lib/cni"');
      expect(toml).to.include('conf_dir = "/state/node/cni/net.d"');
      expect(toml).to.include('netns_mounts_under_state_dir = true');
    });
    it('serves streams on loopback only and opens no TCP debug or metrics listener', () => {
      expect(toml).to.include('stream_server_address = "127.0.0.1"');
      expect(toml.match(/^\s*address = "(.*)"$/gm)?.filter((a) => !a.includes('/state/'))).to.deep.equal(['  address = ""', '  address = ""']);
    });
    it('sends every registry pull to a closed loopback port', () => {
      expect(toml).to.include('config_path = "/state/node/containerd/certs.d"');
      expect(blockedRegistryHosts()).to.include('server = "http://127.0.0.1:1"');
    });
  });

  describe('CNI', () => {
    const net = JSON.parse(cniConfig(l)) as { plugins: { type: string; bridge: string; isGateway: boolean; ipMasq: boolean; ipam: { ranges: { subnet: string }[][]; routes: { dst: string }[]; dataDir: string } }[] };
    const bridge = net.plugins[0]!;
    it('attaches pods to our bridge with neither masquerading nor a gateway address', () => {
      expect(bridge).to.include({ type: 'bridge', bridge: 'riskbr0', isGateway: false, ipMasq: false });
    });
    it('gives pods addresses of the node subnet and a route to Services only (no default route)', () => {
      expect(bridge.ipam.ranges[0]![0]!.subnet).to.equal('10.250.0.0/24');
      expect(bridge.ipam.routes.map((r) => r.dst)).to.deep.equal(['10.96.0.0/16']);
      expect(bridge.ipam.dataDir).to.equal('/state/node/cni/ipam');
    });
  });

  describe('kubelet', () => {
    const config = parse(kubeletConfig({ layout: l, caCert: '/state/pki/ca.crt', servingCert: '/s.crt', servingKey: '/s.key', port: 1, healthzPort: 2 })) as Record<string, unknown>;
    it('accepts cgroup v1, cgroupfs and swap, and leaves iptables alone', () => {
      expect(config).to.include({ failCgroupV1: false, cgroupDriver: 'cgroupfs', failSwapOn: false, makeIPTablesUtilChains: false });
    });
    it('authenticates clients with the cluster CA, authorises through the API server, serves with our certificate', () => {
      expect(config.authentication).to.deep.equal({ anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: '/state/pki/ca.crt' } });
      expect(config.authorization).to.deep.equal({ mode: 'Webhook' });
      expect(config).to.include({ tlsCertFile: '/s.crt', tlsPrivateKeyFile: '/s.key', readOnlyPort: 0 });
    });
    it('listens on the bridge address, its health check on loopback, and gives pods our own resolv.conf', () => {
      expect(config).to.include({ address: '10.250.0.1', port: 1, healthzBindAddress: '127.0.0.1', healthzPort: 2, resolvConf: '/state/node/resolv.conf' });
      expect(config.containerRuntimeEndpoint).to.equal('unix:///state/node/containerd/containerd.sock');
    });
  });

  describe('kube-proxy', () => {
    const config = parse(kubeProxyConfig({ layout: l, healthzPort: 3, metricsPort: 4 })) as Record<string, unknown>;
    it('runs in nftables mode for the real node, NodePorts on the bridge only', () => {
      expect(config).to.include({ mode: 'nftables', hostnameOverride: 'riskmodel-node', clusterCIDR: '10.250.0.0/24' });
      expect(config.nodePortAddresses).to.deep.equal(['10.250.0.1/32']);
    });
    it('leaves the host conntrack sysctls alone and serves health and metrics on loopback', () => {
      expect(config.conntrack).to.include({ maxPerCore: 0, min: 0 });
      expect(config).to.include({ healthzBindAddress: '127.0.0.1:3', metricsBindAddress: '127.0.0.1:4' });
    });
  });
});
