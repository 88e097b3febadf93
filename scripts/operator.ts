// `npm run operator`: the operator from source against the cluster of $KUBECONFIG (or --kubeconfig).
// This wrapper only picks the inference image, then runs operator/main.ts in this process (its
// flags, signals and exit codes unchanged): operator/ itself knows nothing of the dev tooling.
// - INFERENCE_IMAGE or --inference-image given: used as is.
// - the local cluster with its real node: the inference image `npm run images` builds from these
//   sources, built if missing and imported into the node (nothing else could run there: the node
//   pulls from no registry).
// - any other cluster: left unset; the operator warns at startup naming the default image.

import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { clusterStatus } from '../localcluster/cluster.js';
import { loadConfig } from '../localcluster/config.js';
import { imagesOnNode } from '../localcluster/images/on-node.js';
import { currentServer, flagValue, kubeconfigPath, targetKind, type LocalCluster } from './lib/cluster-target.js';

const args = process.argv.slice(2);
const note = (line: string): void => console.error(`operator: ${line}`);

/** The running local cluster's server and mode, if one runs healthy. */
async function localCluster(): Promise<LocalCluster | undefined> {
  const status = await clusterStatus(loadConfig());
  return status.healthy && status.state ? { server: status.state.server, mode: status.state.mode ?? 'kwok-only' } : undefined;
}

async function chooseInferenceImage(): Promise<string | undefined> {
  const asked = process.env.INFERENCE_IMAGE?.trim() || flagValue(args, '--inference-image');
  if (asked || args.includes('--help') || args.includes('-h')) return undefined;
  const file = kubeconfigPath({ flag: flagValue(args, '--kubeconfig'), env: process.env.KUBECONFIG, home: os.homedir() });
  const server = currentServer(existsSync(file) ? readFileSync(file, 'utf8') : '');
  const kind = targetKind(server, await localCluster());
  if (kind === 'local-kwok') note('the local cluster runs without its real node: its pods are simulated and pull no image');
  if (kind !== 'local-real-node') return undefined;
  note('the local cluster: using the inference image npm run images builds from these sources (building what changed, importing it into the real node)');
  const images = await imagesOnNode(loadConfig(), (line) => note(`  ${line}`));
  note(`INFERENCE_IMAGE=${images.inference}`);
  return images.inference;
}

try {
  const image = await chooseInferenceImage();
  if (image !== undefined) process.env.INFERENCE_IMAGE = image;
} catch (err) {
  note(`cannot prepare the inference image for the local cluster: ${err instanceof Error ? err.message : String(err)}`);
  note('run `npm run images` (it builds the images and imports them into the running node) and try again, or set INFERENCE_IMAGE');
  process.exit(1);
}
await import('../operator/main.js');
