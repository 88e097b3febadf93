import { expect } from 'chai';
import { binaryPaths, components, requiredVersion } from './components.js';
import { loadConfig } from './config.js';
import { pkiPaths } from './pki.js';
import { nodeLayout } from './node-config.js';
import { CONTROLLERS, layout, processSpecs, type Ports, type ProcessSpec } from './topology.js';

const ports: Ports = {
  etcdClient: 20001, etcdPeer: 20002, apiserver: 20003, controllerManager: 20004, scheduler: 20005, kwok: 20006, metricsServer: 20007,
  kubelet: 20008, kubeletHealthz: 20009, kubeProxyHealthz: 20010, kubeProxyMetrics: 20011, prometheus: 20012, prometheusAdapter: 20013,
};
const config = loadConfig({ RISKMODEL_CACHE_DIR: '/cache', LOCALCLUSTER_STATE_DIR: '/state' });
const inputs = { layout: layout('/state'), pki: pkiPaths('/state/pki'), binaries: binaryPaths(components(config)), ports, kwokConfig: '/cache/kwok.yaml' };
const specs = processSpecs(inputs);
const nodeSpecs = processSpecs({ ...inputs, node: { layout: nodeLayout('/state', '/cache'), containerd: '/usr/bin/containerd' } });
const find = (list: ProcessSpec[], name: string) => {
  const found = list.find((s) => s.name === name);
  if (!found) throw new Error(`no ${name}`);
  return found;
};
const spec = (name: string) => find(specs, name);
const flagOf = (s: ProcessSpec, key: string) => s.args.find((a) => a.startsWith(`--${key}=`))?.split('=').slice(1).join('=');
const flag = (name: string, key: string) => flagOf(spec(name), key);
const nodeFlag = (name: string, key: string) => flagOf(find(nodeSpecs, name), key);

describe('local cluster topology (kwok-only)', () => {
  it('starts etcd, the control plane, kwok, metrics-server, Prometheus and the adapter in dependency order', () => {
    expect(specs.map((s) => s.name)).to.deep.equal(['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok', 'metrics-server', 'prometheus', 'prometheus-adapter']);
  });

  it('binds every component and every health check to 127.0.0.1', () => {
    for (const s of specs) {
      expect(new URL(s.health).hostname, s.name).to.equal('127.0.0.1');
      const addresses = s.args.filter((a) => /^--(bind-address|listen-[a-z]+-urls|advertise-address|server-address|node-ip|web\.listen-address)=/.test(a));
      expect(addresses, s.name).to.not.be.empty;
      for (const a of addresses) expect(a, s.name).to.match(/=(https?:\/\/)?127\.0\.0\.1(:\d+)?$/);
    }
  });

  it('gives every component its own port', () => {
    const used = specs.map((s) => new URL(s.health).port);
    expect(new Set(used).size).to.equal(used.length);
  });

  it('runs the API server with RBAC, service-account token signing and the front proxy for metrics-server', () => {
    expect(flag('kube-apiserver', 'authorization-mode')).to.equal('Node,RBAC');
    expect(flag('kube-apiserver', 'service-account-signing-key-file')).to.equal('/state/pki/sa.key');
    expect(flag('kube-apiserver', 'requestheader-allowed-names')).to.equal('front-proxy-client');
    expect(flag('kube-apiserver', 'etcd-servers')).to.equal('http://127.0.0.1:20001');
  });

  it('runs the controllers the operator depends on, with a short HPA sync period', () => {
    const controllers = flag('kube-controller-manager', 'controllers')?.split(',');
    expect(controllers).to.deep.equal(CONTROLLERS);
    expect(controllers).to.include.members([
      'deployment-controller', 'replicaset-controller', 'horizontal-pod-autoscaler-controller', 'garbage-collector-controller',
      'namespace-controller', 'serviceaccount-controller', 'serviceaccount-token-controller', 'endpointslice-controller',
    ]);
    expect(flag('kube-controller-manager', 'horizontal-pod-autoscaler-sync-period')).to.equal('3s');
  });

  it('points metrics-server at the kubelet port kwok serves on each node', () => {
    expect(spec('metrics-server').args).to.include('--kubelet-use-node-status-port');
    expect(flag('kwok', 'node-port')).to.equal('20006');
  });

  it('takes the binaries from one cache folder per component version', () => {
    expect(spec('kube-apiserver').binary).to.equal('/cache/k8s-v1.37.2/bin/kube-apiserver');
    expect(spec('etcd').binary).to.match(/^\/cache\/etcd-v3\.6\.\d+\/bin\/etcd$/);
    expect(spec('prometheus-adapter').binary).to.equal('/cache/prometheus-adapter-v0.12.0/bin/adapter');
  });

  it('builds Prometheus with Kubernetes discovery only, stamped with its release version', () => {
    const prometheus = components(config).find((c) => c.name === 'prometheus');
    expect(prometheus?.tags).to.equal('remove_all_sd,enable_kubernetes_sd');
    expect(prometheus?.ldflags).to.include('github.com/prometheus/common/version.Version=3.16.0');
    expect(prometheus?.binaries).to.deep.equal(['prometheus', 'promtool']);
  });

  it('runs Prometheus built from its module, with its configuration and data in the state folder', () => {
    expect(spec('prometheus').binary).to.equal('/cache/prometheus-v0.316.0/bin/prometheus');
    expect(flag('prometheus', 'config.file')).to.equal('/state/monitoring/prometheus.yml');
    expect(flag('prometheus', 'storage.tsdb.path')).to.equal('/state/monitoring/prometheus-data');
    expect(spec('prometheus').health).to.equal('http://127.0.0.1:20012/-/ready');
  });

  it('points the adapter at that Prometheus, with its rules, the cluster serving certificate and its own identity', () => {
    expect(flag('prometheus-adapter', 'prometheus-url')).to.equal('http://127.0.0.1:20012/');
    expect(flag('prometheus-adapter', 'config')).to.equal('/state/monitoring/adapter-rules.yaml');
    expect(flag('prometheus-adapter', 'tls-cert-file')).to.equal('/state/pki/serving.crt');
    expect(flag('prometheus-adapter', 'lister-kubeconfig')).to.equal('/state/kubeconfigs/prometheus-adapter.kubeconfig');
  });
});

describe('local cluster topology (with the real node)', () => {
  it('starts containerd, the kubelet and kube-proxy after the control plane', () => {
    expect(nodeSpecs.map((s) => s.name)).to.deep.equal([
      'etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok', 'metrics-server', 'prometheus', 'prometheus-adapter', 'containerd', 'kubelet', 'kube-proxy',
    ]);
  });

  it('has the API server listen on the bridge and publish it as the kubernetes Service endpoint', () => {
    expect(nodeFlag('kube-apiserver', 'bind-address')).to.equal('10.250.0.1');
    expect(nodeFlag('kube-apiserver', 'advertise-address')).to.equal('10.250.0.1');
    expect(find(nodeSpecs, 'kube-apiserver').args.some((a) => a.startsWith('--endpoint-reconciler-type'))).to.be.false;
    expect(new URL(find(nodeSpecs, 'kube-apiserver').health).hostname).to.equal('10.250.0.1');
  });

  it('lets the API server reach kubelets by node IP with a client certificate and verify them with the cluster CA', () => {
    expect(nodeFlag('kube-apiserver', 'kubelet-preferred-address-types')).to.equal('InternalIP');
    expect(nodeFlag('kube-apiserver', 'kubelet-certificate-authority')).to.equal('/state/pki/ca.crt');
    expect(nodeFlag('kube-apiserver', 'kubelet-client-certificate')).to.equal('/state/pki/apiserver-kubelet-client.crt');
  });

  it('enables the admission plugins that place namespaces on kwok or on the real node, in both modes', () => {
    expect(nodeFlag('kube-apiserver', 'enable-admission-plugins')?.split(',')).to.include.members(['PodNodeSelector', 'PodTolerationRestriction', 'NodeRestriction']);
    expect(flag('kube-apiserver', 'enable-admission-plugins')?.split(',')).to.include.members(['PodNodeSelector', 'PodTolerationRestriction']);
  });

  it('runs containerd with its own config and health on its socket under the state folder', () => {
    const containerd = find(nodeSpecs, 'containerd');
    expect(containerd.args).to.deep.equal(['--config', '/state/node/containerd/config.toml', '--log-level', 'warn']);
    expect(containerd.health).to.equal('unix:///state/node/containerd/containerd.sock');
  });

  it('registers the kubelet under the bridge address with a root folder in the state folder', () => {
    expect(nodeFlag('kubelet', 'node-ip')).to.equal('10.250.0.1');
    expect(nodeFlag('kubelet', 'root-dir')).to.equal('/state/node/kubelet');
    expect(nodeFlag('kubelet', 'hostname-override')).to.equal('riskmodel-node');
    expect(nodeFlag('kubelet', 'node-labels')).to.equal('type=real,riskmodel.dev/node=real');
  });

  it('checks the kubelet and kube-proxy on loopback health ports', () => {
    expect(find(nodeSpecs, 'kubelet').health).to.equal('http://127.0.0.1:20009/healthz');
    expect(find(nodeSpecs, 'kube-proxy').health).to.equal('http://127.0.0.1:20010/livez');
  });
});

describe('requiredVersion', () => {
  it('reads a version from a require block and from a one-line require', () => {
    expect(requiredVersion('module x\n\nrequire (\n\tk8s.io/kubernetes v1.37.2\n)\n', 'k8s.io/kubernetes')).to.equal('v1.37.2');
    expect(requiredVersion('module x\n\nrequire sigs.k8s.io/kwok v0.8.0\n', 'sigs.k8s.io/kwok')).to.equal('v0.8.0');
  });

  it('does not mistake a longer module path for the one asked for', () => {
    expect(() => requiredVersion('require k8s.io/kubernetes-extra v1.0.0\n', 'k8s.io/kubernetes')).to.throw(/does not require k8s.io\/kubernetes/);
  });
});
