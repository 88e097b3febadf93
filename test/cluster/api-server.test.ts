// Needs the local cluster. Proof 1: the API server is ready and runs the pinned Kubernetes version.
import { readdirSync, readlinkSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { VersionApi, type KubeConfig } from '@kubernetes/client-node';
import { requiredVersion } from '../../localcluster/components.js';
import { clusterStatus } from '../../localcluster/cluster.js';
import { BRIDGE_IP } from '../../localcluster/network.js';
import { componentNames } from '../../localcluster/topology.js';
import { ensureCluster, freshNamespace, kubectl } from '../support/cluster.js';

const pinned = requiredVersion(readFileSync(fileURLToPath(new URL('../../localcluster/kubernetes/go.mod', import.meta.url)), 'utf8'), 'k8s.io/kubernetes');

/** host:port of every TCP socket process `pid` listens on, read from /proc (Linux). */
function listeningAddresses(pid: number): string[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    const target = (() => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        return '';
      }
    })();
    const match = /^socket:\[(\d+)\]$/.exec(target);
    if (match?.[1]) inodes.add(match[1]);
  }
  const addresses: string[] = [];
  for (const [file, v6] of [['/proc/net/tcp', false], ['/proc/net/tcp6', true]] as const) {
    for (const line of readFileSync(file, 'utf8').trim().split('\n').slice(1)) {
      const [, local, , state, , , , , , inode] = line.trim().split(/\s+/);
      if (state !== '0A' || !inode || !inodes.has(inode) || !local) continue;
      addresses.push(decodeAddress(local, v6));
    }
  }
  return addresses;
}

/** Decodes /proc/net/tcp's little-endian hex `ADDR:PORT`. */
function decodeAddress(hex: string, v6: boolean): string {
  const [addr = '', port = '0'] = hex.split(':');
  const p = parseInt(port, 16);
  if (!v6) return `${addr.match(/../g)?.reverse().map((b) => parseInt(b, 16)).join('.')}:${p}`;
  const loopback = addr === '00000000000000000000000001000000';
  return loopback ? `[::1]:${p}` : `[${addr}]:${p}`;
}

describe('local cluster: API server', () => {
  let kc: KubeConfig;
  before(async () => {
    ({ kc } = await ensureCluster());
    await freshNamespace(kc, 'apiserver');
  });

  it('reports ready on /readyz with every check passing', async () => {
    const result = await kubectl(['get', '--raw', '/readyz?verbose']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.match(/readyz check passed/);
    expect(result.stdout).to.match(/\[\+\]etcd ok/);
  });

  it('serves the Kubernetes version pinned in localcluster/kubernetes/go.mod', async () => {
    const info = await kc.makeApiClient(VersionApi).getCode();
    expect(pinned).to.equal('v1.37.2');
    expect(info.gitVersion).to.equal(pinned);
    expect(`${info.major}.${info.minor}`).to.equal('1.37');
  });

  it('has every component listen on loopback or the cluster bridge only', async () => {
    const status = await clusterStatus();
    expect(status.components.map((c) => c.name)).to.have.members(componentNames(status.state?.mode ?? 'kwok-only'));
    // The bridge's address exists only on the bridge localcluster creates; nothing may listen on 0.0.0.0, [::] or the host's own addresses.
    const allowed = new RegExp(`^(127\\.0\\.0\\.1|\\[::1\\]|${BRIDGE_IP.replace(/\./g, '\\.')}):\\d+$`);
    for (const component of status.components) {
      const addresses = listeningAddresses(component.pid);
      expect(addresses, `${component.name} listens on nothing`).to.not.be.empty;
      for (const address of addresses) expect(address, `${component.name} listens on ${address}`).to.match(allowed);
    }
    expect(new URL(kc.getCurrentCluster()?.server ?? '').hostname).to.be.oneOf(['127.0.0.1', BRIDGE_IP]);
  });
});
