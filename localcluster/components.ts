// The upstream components this tooling builds: which wrapper module, which packages, which
// binaries come out, and where they are cached. Versions are read from the wrapper modules'
// go.mod files so that go.mod stays the one place a version is pinned.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { LocalClusterConfig } from './config.js';

export type ComponentName = 'kubernetes' | 'etcd' | 'kwok' | 'metrics-server';

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
  };
}
