import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { claimNode, liveClaim, mountsUnder, podCgroupDirs, releaseNode, removePodCgroups, unescapeMountPath } from './host.js';

const mountinfo = [
  '22 1 254:0 / / rw,relatime - ext4 /dev/vda rw',
  '301 22 254:0 /srv/x/.localcluster/node/kubelet /srv/x/.localcluster/node/kubelet rw - ext4 /dev/vda rw',
  '302 301 0:88 / /srv/x/.localcluster/node/kubelet/pods/abc/volumes/kubernetes.io~projected/kube-api-access-1 rw - tmpfs tmpfs rw',
  '303 22 0:89 / /srv/x/.localcluster/node\\040other rw - tmpfs tmpfs rw',
  '304 22 0:90 / /srv/x/.localcluster/nodeling rw - tmpfs tmpfs rw',
  '305 22 0:91 / /run/netns/cni-1 rw - nsfs nsfs rw',
].join('\n');

describe('host clean-up helpers', () => {
  it('lists the mounts under a folder deepest first, and nothing beside it', () => {
    expect(mountsUnder(mountinfo, ['/srv/x/.localcluster/node'])).to.deep.equal([
      '/srv/x/.localcluster/node/kubelet/pods/abc/volumes/kubernetes.io~projected/kube-api-access-1',
      '/srv/x/.localcluster/node/kubelet',
    ]);
  });

  it('decodes the octal escapes of mountinfo paths', () => {
    expect(unescapeMountPath('/a\\040b\\011c')).to.equal('/a b\tc');
    expect(mountsUnder(mountinfo, ['/srv/x/.localcluster/node other'])).to.deep.equal(['/srv/x/.localcluster/node other']);
  });

  it('removes a pod cgroup tree children first and reports one that cannot be removed', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'cgroups-'));
    try {
      mkdirSync(path.join(root, 'memory/kubepods/burstable/pod1'), { recursive: true });
      mkdirSync(path.join(root, 'cpu/kubepods/besteffort'), { recursive: true });
      expect(podCgroupDirs(root)).to.have.members([path.join(root, 'memory/kubepods'), path.join(root, 'cpu/kubepods')]);
      writeFileSync(path.join(root, 'cpu/kubepods/besteffort/cgroup.procs'), '123\n');
      expect(removePodCgroups(root)).to.deep.equal([path.join(root, 'cpu/kubepods')]);
      expect(podCgroupDirs(root)).to.deep.equal([path.join(root, 'cpu/kubepods')]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('the machine-wide claim on the real node', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'claim-'));
    file = path.join(dir, 'run/real-node.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a second cluster while the first one\'s node processes run, naming its state folder', async () => {
    await claimNode('/srv/a/.localcluster', file);
    // This test process stands in for the first cluster's running kubelet; its starter has exited.
    const self = { pid: process.pid, binary: (await readFile(`/proc/${process.pid}/cmdline`, 'utf8')).split('\0')[0] ?? '' };
    writeFileSync(file, JSON.stringify({ stateDir: '/srv/a/.localcluster', starter: 999_999_999, processes: [self] }));
    expect((await liveClaim(file))?.stateDir).to.equal('/srv/a/.localcluster');
    const error = await claimNode('/srv/b/.localcluster', file).then(() => undefined, (e: Error) => e);
    expect(error?.message).to.match(/another local cluster runs the machine's real node \(state folder \/srv\/a\/.localcluster\)/);
    expect(error?.message).to.include('--kwok-only');
  });

  it('takes over a claim whose processes are gone and reports the old state folder for clean-up', async () => {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ stateDir: '/srv/a/.localcluster', starter: 999_999_999, processes: [{ pid: 999_999_998, binary: '/usr/bin/containerd' }] }));
    expect(await claimNode('/srv/b/.localcluster', file)).to.equal('/srv/a/.localcluster');
    expect((await liveClaim(file))?.stateDir).to.equal('/srv/b/.localcluster');
  });

  it('releases only its own claim', async () => {
    await claimNode('/srv/a/.localcluster', file);
    await releaseNode('/srv/b/.localcluster', file);
    expect((await liveClaim(file))?.stateDir).to.equal('/srv/a/.localcluster');
    await releaseNode('/srv/a/.localcluster', file);
    expect(await liveClaim(file)).to.be.undefined;
  });
});
