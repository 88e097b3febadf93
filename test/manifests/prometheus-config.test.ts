// The local cluster's prometheus.yml, checked by the promtool built with its Prometheus (built
// here if missing, as kubectl is for the kube-score check): Debian's 2.42 has no Kubernetes
// discovery and refuses kubernetes_sd_configs, so only this promtool can judge the file. In the
// manifests suite, not the unit suite, because a cold CI runs the unit suite before anything is
// built, and the check would have to skip there.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { ensureBuilt } from '../../localcluster/build.js';
import { binaryPaths, components } from '../../localcluster/components.js';
import { loadConfig } from '../../localcluster/config.js';
import { prometheusConfig } from '../../localcluster/monitoring.js';

const run = promisify(execFile);
const config = loadConfig();

describe('the local cluster\'s Prometheus configuration', function () {
  let dir: string;
  let promtool: string;
  before(async function () {
    this.timeout(3_600_000);
    await ensureBuilt(config, components(config).filter((c) => c.name === 'prometheus'), (line) => console.log(`      ${line}`));
    promtool = path.join(path.dirname(binaryPaths(components(config)).prometheus), 'promtool');
    dir = await mkdtemp(path.join(os.tmpdir(), 'prometheus-config-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('is a configuration the cluster\'s Prometheus accepts (its own promtool check config)', async () => {
    const kubeconfig = path.join(dir, 'prometheus.kubeconfig');
    await writeFile(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts: []\n');
    await writeFile(path.join(dir, 'prometheus.yml'), prometheusConfig(kubeconfig));
    const { stdout } = await run(promtool, ['check', 'config', path.join(dir, 'prometheus.yml')]);
    expect(stdout).to.include('SUCCESS');
  });
});
