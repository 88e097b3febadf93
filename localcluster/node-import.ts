// Images for the real node's containerd: the project's own images `npm run images` built, and
// archives a caller (a test) imports into a running cluster.
import { existsSync } from 'node:fs';
import type { Log } from './build.js';
import type { LocalClusterConfig } from './config.js';
import { context } from './context.js';
import { BASE_IMAGE, builtImages } from './images/images.js';
import { clusterNodeLayout, importImages, type ImageArchive } from './node.js';
import { runsBinary } from './processes.js';
import { readState } from './state.js';

/**
 * The inference and operator images `npm run images` last built or used, one version of each,
 * whose archives exist (the base image is not run by pods). The cache keeps older versions too;
 * importing them all would leave the node with the one imported last, since an import removes
 * the other tags of its image.
 */
export async function projectImages(config: LocalClusterConfig): Promise<ImageArchive[]> {
  // Most recently used first.
  const built = (await builtImages(config)).filter((i) => i.name !== BASE_IMAGE && existsSync(i.archive));
  return built.filter((i, n) => built.findIndex((j) => j.name === i.name) === n).map((i) => ({ ref: i.ref, archive: i.archive }));
}

/**
 * Imports image archives into the running cluster's real node, skipping those already imported
 * unchanged, so pods can use them with `imagePullPolicy: Never` or IfNotPresent. Throws when the
 * cluster has no real node.
 */
export async function importIntoNode(archives: ImageArchive[], options: { log?: Log; config?: LocalClusterConfig } = {}): Promise<void> {
  const ctx = context(options.config);
  const state = readState(ctx.layout.stateFile);
  const containerd = state?.processes.find((p) => p.name === 'containerd');
  if (state?.mode !== 'real-node' || !containerd || !runsBinary(containerd.pid, containerd.binary)) {
    throw new Error('the local cluster has no running real node to import images into (start it with `npm run cluster:up`)');
  }
  await importImages(clusterNodeLayout(ctx.config.stateDir, ctx.config.cacheDir), archives, options.log ?? (() => undefined));
}
