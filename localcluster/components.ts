// The upstream components this tooling builds: which wrapper module, which packages, which
// binaries come out, and where they are cached. Versions are read from the wrapper modules'
// go.mod files so that go.mod stays the one place a version is pinned.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { LocalClusterConfig } from './config.js';

export type ComponentName = 'kubernetes' | 'etcd' | 'kwok' | 'metrics-server' | 'prometheus' | 'prometheus-adapter';

export interface Component {
  name: ComponentName;
  /** The upstream Go module whose version names the cache folder. */
  module: string;
  /** Version of `module` required by the wrapper's go.mod, e.g. `v1.37.2`. */
  version: string;
  /** Wrapper module folder inside the repository. */
  moduleDir: string;
  /** Packages handed to `go build` in one command, so they share compilation. */
  packages: string[];
  /** Names of the executables `go build -o <bin>/` produces. */
  binaries: string[];
  ldflags: string;
  /** Build tags (`go build -tags`), when the upstream build is trimmed by them. */
  tags?: string;
  /** Cache folder of this component version: `<cacheDir>/<short>-<version>`. */
  cacheDir: string;
  binDir: string;
}

/** Reads `require <module> <version>` from a go.mod; throws when the module is not required. */
export function requiredVersion(goMod: string, module: string): string {
  const escaped = module.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const match = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, 'm').exec(goMod);
  if (!match?.[1]) throw new Error(`go.mod does not require ${module}`);
  return match[1];
}

const K8S_VERSION_PKG = 'k8s.io/component-base/version';

/** Link flags that stamp the upstream version into binaries, as upstream release builds do. */
function kubernetesLdflags(version: string): string {
  const [major, minor] = version.replace(/^v/, '').split('.');
  return [
    '-s -w',
    `-X ${K8S_VERSION_PKG}.gitVersion=${version}`,
    `-X ${K8S_VERSION_PKG}.gitMajor=${major}`,
    `-X ${K8S_VERSION_PKG}.gitMinor=${minor}`,
    `-X ${K8S_VERSION_PKG}.gitTreeState=clean`,
    `-X ${K8S_VERSION_PKG}.buildDate=2026-10-27T00:00:00Z`,
    `-X k8s.io/client-go/pkg/version.gitVersion=${version}`,
  ].join(' ');
}

interface Spec {
  name: ComponentName;
  short: string;
  folder: string;
  module: string;
  packages: string[];
  binaries: string[];
  ldflags: (version: string) => string;
  tags?: string;
}

// Built in one `go build` so the shared packages compile once; kubelet and kube-proxy run the real node.
const KUBERNETES_BINARIES = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'kubelet', 'kube-proxy'];

const SPECS: Spec[] = [
  {
    name: 'kubernetes',
    short: 'k8s',
    folder: 'kubernetes',
    module: 'k8s.io/kubernetes',
    packages: KUBERNETES_BINARIES.map((c) => `k8s.io/kubernetes/cmd/${c}`),
    binaries: KUBERNETES_BINARIES,
    ldflags: kubernetesLdflags,
  },
  {
    name: 'etcd',
    short: 'etcd',
    folder: 'etcd',
    module: 'go.etcd.io/etcd/server/v3',
    // The wrapper's own main package (upstream's go.mod replace directives forbid `go install`).
    packages: ['.'],
    binaries: ['etcd'],
    ldflags: () => '-s -w',
  },
  {
    name: 'kwok',
    short: 'kwok',
    folder: 'kwok',
    module: 'sigs.k8s.io/kwok',
    packages: ['sigs.k8s.io/kwok/cmd/kwok'],
    binaries: ['kwok'],
    ldflags: () => '-s -w',
  },
  {
    name: 'metrics-server',
    short: 'metrics-server',
    folder: 'metrics-server',
    module: 'sigs.k8s.io/metrics-server',
    packages: ['sigs.k8s.io/metrics-server/cmd/metrics-server'],
    binaries: ['metrics-server'],
    ldflags: (version) => `-s -w -X k8s.io/client-go/pkg/version.gitVersion=${version}`,
  },
  {
    // Debian's prometheus 2.42 is built without Kubernetes service discovery (client-go is not
    // packaged there): this build has that one discovery mechanism and none of the cloud ones.
    name: 'prometheus',
    short: 'prometheus',
    folder: 'prometheus',
    module: 'github.com/prometheus/prometheus',
    // promtool of the same build checks the configuration, Kubernetes discovery included (Debian's cannot).
    packages: ['github.com/prometheus/prometheus/cmd/prometheus', 'github.com/prometheus/prometheus/cmd/promtool'],
    binaries: ['prometheus', 'promtool'],
    // The module's v0.3MM.P is Prometheus 3.MM.P.
    ldflags: (version) => `-s -w -X github.com/prometheus/common/version.Version=${version.replace(/^v0\.3(\d\d)\./, (_, minor: string) => `3.${Number(minor)}.`).replace(/^v/, '')}`,
    tags: 'remove_all_sd,enable_kubernetes_sd',
  },
  {
    // The custom.metrics.k8s.io API the HPA reads requests a second and in-flight requests from (docs/local-cluster.md).
    name: 'prometheus-adapter',
    short: 'prometheus-adapter',
    folder: 'prometheus-adapter',
    module: 'sigs.k8s.io/prometheus-adapter',
    packages: ['sigs.k8s.io/prometheus-adapter/cmd/adapter'],
    binaries: ['adapter'],
    ldflags: () => '-s -w',
  },
];

/** Every component with its pinned version and cache location. Reads the wrapper go.mod files. */
export function components(config: LocalClusterConfig): Component[] {
  return SPECS.map((spec) => {
    const moduleDir = path.join(config.modulesDir, spec.folder);
    const version = requiredVersion(readFileSync(path.join(moduleDir, 'go.mod'), 'utf8'), spec.module);
    const cacheDir = path.join(config.cacheDir, `${spec.short}-${version}`);
    return {
      name: spec.name,
      module: spec.module,
      version,
      moduleDir,
      packages: spec.packages,
      binaries: spec.binaries,
      ldflags: spec.ldflags(version),
      ...(spec.tags ? { tags: spec.tags } : {}),
      cacheDir,
      binDir: path.join(cacheDir, 'bin'),
    };
  });
}

/** Absolute paths of every executable the cluster runs. */
export interface BinaryPaths {
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  kubectl: string;
  etcd: string;
  kwok: string;
  metricsServer: string;
  kubelet: string;
  kubeProxy: string;
  prometheus: string;
  prometheusAdapter: string;
}

/** Where each executable lives in the cache (whether or not it has been built yet). */
export function binaryPaths(list: Component[]): BinaryPaths {
  const bin = (component: ComponentName, binary: string): string => {
    const found = list.find((c) => c.name === component);
    if (!found) throw new Error(`unknown component ${component}`);
    return path.join(found.binDir, binary);
  };
  return {
    kubeApiserver: bin('kubernetes', 'kube-apiserver'),
    kubeControllerManager: bin('kubernetes', 'kube-controller-manager'),
    kubeScheduler: bin('kubernetes', 'kube-scheduler'),
    kubectl: bin('kubernetes', 'kubectl'),
    etcd: bin('etcd', 'etcd'),
    kwok: bin('kwok', 'kwok'),
    metricsServer: bin('metrics-server', 'metrics-server'),
    kubelet: bin('kubernetes', 'kubelet'),
    kubeProxy: bin('kubernetes', 'kube-proxy'),
    prometheus: bin('prometheus', 'prometheus'),
    prometheusAdapter: bin('prometheus-adapter', 'adapter'),
  };
}
