import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from './config.js';
import { saveState, type ClusterState } from './state.js';
import { clusterStatus, endpointOf } from './status.js';

describe('local cluster status', () => {
  let stateDir: string;
  beforeEach(async () => {
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'status-test-'));
  });
  afterEach(() => rm(stateDir, { recursive: true, force: true }));

  it('shows a health URL as host:port and a socket as its file name', () => {
    expect(endpointOf('https://127.0.0.1:6443/readyz')).to.equal('127.0.0.1:6443');
    expect(endpointOf('unix:///x/node/containerd/containerd.sock')).to.equal('containerd.sock');
  });

  it('reports no cluster, not an unhealthy one, when nothing was recorded', async () => {
    const status = await clusterStatus({ ...loadConfig({}), stateDir });
    expect(status).to.include({ healthy: false, state: undefined });
    expect(status.components).to.deep.equal([]);
  });

  it('reports a recorded cluster whose processes are gone as not running and not healthy', async () => {
    const state: ClusterState = {
      startedAt: '2026-12-01T00:00:00Z', mode: 'kwok-only', server: 'https://127.0.0.1:1', ports: {} as ClusterState['ports'], versions: {},
      processes: [{ name: 'etcd', pid: 2 ** 22 + 1, binary: '/nonexistent/etcd', health: 'http://127.0.0.1:1/health', log: 'etcd.log' }],
    };
    await saveState(path.join(stateDir, 'state.json'), state);
    const status = await clusterStatus({ ...loadConfig({}), stateDir });
    expect(status.healthy).to.be.false;
    expect(status.state?.processes).to.deep.equal(state.processes);
    expect(status.components[0]).to.include({ name: 'etcd', running: false, healthy: false, endpoint: '127.0.0.1:1' });
  });
});
