// The project's own images on the running real node: build what is out of date (`npm run images`)
// and import the archives into the node's containerd, so pods run them without any registry.
import type { Log } from '../build.js';
import { importIntoNode } from '../cluster.js';
import type { LocalClusterConfig } from '../config.js';
import { ensureImages, type BuiltImage, type ImageName } from './images.js';

/** The refs pods use (`localhost/<name>:<content hash>`), present in the node's containerd. */
export interface NodeImages {
  inference: string;
  operator: string;
}

function refOf(images: BuiltImage[], name: ImageName): string {
  const image = images.find((i) => i.name === name);
  if (!image) throw new Error(`npm run images did not produce ${name}`);
  return image.ref;
}

/**
 * Builds the images whose sources changed (nothing when the cache is current; minutes on a cold
 * one, progress on `log`) and imports the inference and operator images into the cluster's real
 * node (skipped when already imported). Throws when the cluster has no running real node.
 */
export async function imagesOnNode(config: LocalClusterConfig, log: Log): Promise<NodeImages> {
  const built = await ensureImages(config, log);
  const wanted = built.filter((i) => i.name !== 'riskmodel-node20');
  await importIntoNode(wanted.map((i) => ({ ref: i.ref, archive: i.archive })), { log, config });
  return { inference: refOf(built, 'riskmodel-inference'), operator: refOf(built, 'riskmodel-operator') };
}
