// `npm run cluster:up | cluster:down | cluster:status`: the local cluster from the command line.
import { clusterStatus, startCluster, stopCluster, type ClusterStatus } from './cluster.js';
import path from 'node:path';
import { loadConfig } from './config.js';
import { parseUpArgs } from './cli-args.js';

const config = loadConfig();
const rel = (p: string): string => path.relative(process.cwd(), p) || '.';
const log = (line: string): void => console.log(line);

function usage(kubeconfig: string, kubectl: string): string {
  return [
    'Use it with:',
    `  export KUBECONFIG=${kubeconfig} PATH=${path.dirname(kubeconfig)}/bin:$PATH   # kubectl: the one built with the cluster`,
    `  ${kubectl} get nodes          # the kubectl built with the cluster (any kubectl 1.36+ works)`,
    `  ${kubectl} top pods -A        # real usage for pods on the real node, simulated for kwok pods`,
    'Stop it with: npm run cluster:down',
  ].join('\n');
}

function printStatus(status: ClusterStatus): void {
  if (!status.state) {
    console.log('No local cluster (start one with: npm run cluster:up).');
    return;
  }
  console.log(`Local cluster started ${status.state.startedAt}, API server ${status.state.server}: ${status.healthy ? 'healthy' : 'NOT healthy'}`);
  for (const c of status.components) {
    const rss = c.rssBytes === undefined ? '' : `  ${(c.rssBytes / 2 ** 20).toFixed(0)} MiB RSS`;
    const state = c.running ? (c.healthy ? 'healthy' : 'running, not healthy') : 'not running';
    console.log(`  ${c.name.padEnd(24)} pid ${String(c.pid).padEnd(8)} ${c.endpoint.padEnd(16)} ${state}${rss}  log ${rel(c.log)}`);
  }
  if (status.node) {
    const n = status.node;
    const mib = (b: number): string => `${(b / 2 ** 20).toFixed(b < 10 * 2 ** 20 ? 1 : 0)} MiB`;
    console.log(`Real node ${n.name} (${n.internalIp}): ${n.ready ? 'Ready' : 'NOT Ready'}, kubelet ${n.kubeletVersion}, runtime ${n.containerRuntimeVersion}`);
    console.log(`  disk: images and layers in containerd ${mib(n.disk.images)}, runtime state (pods, logs, volumes) ${mib(n.disk.runtimeState)}`);
  } else if (status.state.mode !== 'real-node') {
    console.log('No real node (kwok-only cluster): every pod is simulated by kwok.');
  }
  console.log(`Versions: ${Object.entries(status.state.versions).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`Admin kubeconfig: ${rel(status.paths.kubeconfig)}`);
}

async function main(command: string | undefined, args: string[]): Promise<number> {
  switch (command) {
    case 'up': {
      const { mode } = parseUpArgs(args, config.mode);
      const result = await startCluster({ log, config, mode });
      if (result.alreadyRunning) console.log(`The local cluster is already running at ${result.state.server}; nothing changed.`);
      else console.log(`Local cluster ready at ${result.state.server} (${(result.ms / 1000).toFixed(1)} s).`);
      console.log(`Admin kubeconfig: ${rel(result.paths.kubeconfig)}`);
      console.log(usage(rel(result.paths.kubeconfig), result.paths.kubectl));
      return 0;
    }
    case 'down': {
      const { stopped } = await stopCluster({ log, config });
      console.log(stopped.length > 0 ? `Stopped ${stopped.length} processes and removed ${rel(config.stateDir)}.` : 'No local cluster was running.');
      return 0;
    }
    case 'status': {
      const status = await clusterStatus(config, { details: true });
      printStatus(status);
      return status.state && !status.healthy ? 1 : 0;
    }
    default:
      console.error('usage: node --import tsx localcluster/cli.ts up [--kwok-only] | down | status');
      return 2;
  }
}

main(process.argv[2], process.argv.slice(3)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
