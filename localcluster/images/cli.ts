// `npm run images [-- --plan]`: build the base, inference and operator images (only what changed)
// and print where their archives are; `--plan` prints the refs the sources would produce, building nothing.
import path from 'node:path';
import { elapsed } from '../build.js';
import { loadConfig } from '../config.js';
import { storageFlags } from './buildah.js';
import { BASE_IMAGE, ensureImages, plannedImages } from './images.js';
import { clusterStatus, importIntoNode } from '../cluster.js';

const config = loadConfig();
// Paths inside the working folder print relative, the cache (elsewhere) absolute.
const rel = (p: string): string => (p.startsWith(`${process.cwd()}${path.sep}`) ? path.relative(process.cwd(), p) : p);

async function main(args: string[]): Promise<number> {
  if (args.some((a) => a !== '--plan')) {
    console.error('usage: npm run images [-- --plan]');
    return 2;
  }
  if (args.includes('--plan')) {
    for (const p of await plannedImages(config)) console.log(`${p.ref.padEnd(44)} ${p.upToDate ? 'up to date' : 'to build  '}  ${rel(p.archive)}`);
    return 0;
  }
  const started = Date.now();
  const images = await ensureImages(config, (line) => console.log(line));
  console.log(`\nImages (${elapsed(Date.now() - started)}; inspect the storage with: buildah ${storageFlags(config.images).join(' ')} images):`);
  for (const i of images) console.log(`  ${i.ref.padEnd(44)} ${`${(i.bytes / 1e6).toFixed(0)} MB`.padStart(7)}  ${rel(i.archive)}`);
  await loadIntoRunningNode(images.filter((i) => i.name !== BASE_IMAGE));
  return 0;
}

/** When this checkout's cluster runs the real node, its containerd gets the images at once (unchanged ones are skipped). */
async function loadIntoRunningNode(images: { ref: string; archive: string }[]): Promise<void> {
  const status = await clusterStatus(config);
  if (status.state?.mode !== 'real-node' || !status.healthy) return;
  await importIntoNode(images, { config, log: (line) => console.log(line) });
  console.log('The running cluster\'s real node has them (imagePullPolicy IfNotPresent or Never).');
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
