// The inference image for the real-node suites that run RiskModels: the one `npm run images` built
// or used last, imported into the real node (without building: these suites test the cluster, not
// the image build).
import { importIntoNode } from '../../localcluster/cluster.js';
import { loadConfig } from '../../localcluster/config.js';
import { builtImages } from '../../localcluster/images/images.js';
import { realNode } from './cluster.js';

/**
 * Imports the latest built inference image into the real node and returns its ref. Skips the
 * calling hook's tests, saying why, when the cluster has no real node or no image was built.
 */
export async function inferenceImageOnNode(hook: Mocha.Context): Promise<string> {
  const node = await realNode();
  const inference = (await builtImages(loadConfig())).find((i) => i.name === 'riskmodel-inference');
  const reason = !node.available ? node.reason : !inference ? 'npm run images has not built the inference image yet' : undefined;
  if (reason || !inference) {
    console.log(`      skipped: ${reason}`);
    hook.skip();
  }
  await importIntoNode([{ ref: inference.ref, archive: inference.archive }]);
  return inference.ref;
}
