// The local Node.js 20 base image: a minimal Debian bookworm root bootstrapped with mmdebstrap from
// the machine's own apt mirror, plus the machine's own Node.js binary and npm. It stands in for
// `node:20-bookworm-slim`, which cannot be pulled here (no registry), as the Dockerfiles' NODE_IMAGE.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ImagesConfig } from '../config.js';
import { mirrorLines, readAptSources } from './apt-sources.js';
import { buildah, runLogged, type Progress } from './buildah.js';

export const RELEASE = 'bookworm';
/** Node needs libc, libstdc++ and libgcc_s (the last two via libstdc++6); ca-certificates for HTTPS from pods. */
const PACKAGES = ['libstdc++6', 'ca-certificates'];
/** Documentation, manuals and translations are left out, as in the slim upstream images. */
const DPKG_OPTIONS = [
  'path-exclude=/usr/share/doc/*',
  'path-include=/usr/share/doc/*/copyright',
  'path-exclude=/usr/share/man/*',
  'path-exclude=/usr/share/info/*',
  'path-exclude=/usr/share/locale/*',
];
const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Everything the base image is made from; its key is a hash of all of it. */
export interface BaseRecipe {
  mirrors: string[];
  nodeBinary: string;
  npmDir: string;
  nodeVersion: string;
  npmVersion: string;
  /** sha256 of the node binary and of the npm folder's files. */
  contentHash: string;
}

/** The mmdebstrap command line for a recipe, writing a root file system tarball to `tarball`. */
export function mmdebstrapArgs(mirrors: string[], tarball: string): string[] {
  return [
    '--variant=essential',
    `--include=${PACKAGES.join(',')}`,
    ...DPKG_OPTIONS.map((o) => `--dpkgopt=${o}`),
    RELEASE,
    tarball,
    ...mirrors,
  ];
}

async function hashTree(hash: ReturnType<typeof createHash>, root: string, rel = ''): Promise<void> {
  const entries = (await readdir(path.join(root, rel), { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const child = path.posix.join(rel, entry.name);
    if (entry.isDirectory()) await hashTree(hash, root, child);
    else if (entry.isFile()) hash.update(`${child}\0`).update(await readFile(path.join(root, child)));
  }
}

async function hashFile(hash: ReturnType<typeof createHash>, file: string): Promise<void> {
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
}

/**
 * Reads the machine's mirrors and the Node.js and npm to copy. Throws when there is no bookworm
 * source, when node is not version 20, or when the npm folder is not npm.
 */
export async function baseRecipe(images: ImagesConfig): Promise<BaseRecipe> {
  const mirrors = mirrorLines(await readAptSources(images.aptDir), RELEASE);
  const nodeVersion = process.versions.node;
  if (!nodeVersion.startsWith('20.')) throw new Error(`the base image copies this machine's Node.js, which must be 20.x (found ${nodeVersion})`);
  const npm = JSON.parse(await readFile(path.join(images.npmDir, 'package.json'), 'utf8').catch(() => '{}')) as { name?: string; version?: string };
  if (npm.name !== 'npm' || !npm.version) throw new Error(`no npm package at ${images.npmDir} (run this through npm, or install npm beside node)`);
  const hash = createHash('sha256');
  await hashFile(hash, images.nodeBinary);
  await hashTree(hash, images.npmDir);
  return { mirrors, nodeBinary: images.nodeBinary, npmDir: images.npmDir, nodeVersion, npmVersion: npm.version, contentHash: hash.digest('hex') };
}

/** The base image's key: the recipe, the package and dpkg choices, and the copied files' content. */
export function baseKey(recipe: BaseRecipe): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ v: 1, mmdebstrap: mmdebstrapArgs(recipe.mirrors, '-'), path: PATH_ENV, node: recipe.nodeVersion, npm: recipe.npmVersion, content: recipe.contentHash }));
  return h.digest('hex');
}

/**
 * Builds the base image as `ref` in the project's buildah storage: mmdebstrap writes a root
 * tarball into `workDir`, buildah commits it with node and npm added. The working container and
 * the tarball are removed whether or not the build succeeds.
 */
export async function buildBase(images: ImagesConfig, recipe: BaseRecipe, ref: string, progress: Progress): Promise<void> {
  const workDir = path.join(images.dir, 'base.partial');
  await rm(workDir, { recursive: true, force: true });
  await mkdir(workDir, { recursive: true });
  const tarball = path.join(workDir, 'rootfs.tar');
  let container = '';
  try {
    progress.log(`  ${progress.label.padEnd(10)}  mmdebstrap ${RELEASE} from ${[...new Set(recipe.mirrors.map((m) => m.split(' ')[1]))].join(', ')}`);
    await runLogged('mmdebstrap', mmdebstrapArgs(recipe.mirrors, tarball), progress);
    container = await buildah(images, ['from', '--pull-never', 'scratch'], progress);
    progress.log(`  ${progress.label.padEnd(10)}  adding the root file system, node ${recipe.nodeVersion} and npm ${recipe.npmVersion}`);
    await buildah(images, ['add', container, tarball, '/'], progress);
    await buildah(images, ['copy', container, recipe.nodeBinary, '/usr/local/bin/node'], progress);
    await buildah(images, ['copy', container, recipe.npmDir, '/usr/local/lib/node_modules/npm'], progress);
    // Running node and npm inside proves the copied binary finds every library it links against.
    const link = 'ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx && node --version && npm --version';
    await buildah(images, ['run', '--isolation', 'chroot', container, '--', 'sh', '-c', link], progress);
    await buildah(images, ['config', '--env', PATH_ENV, '--cmd', '["node"]', '--workingdir', '/', '--label', `org.opencontainers.image.description=Debian ${RELEASE} + Node.js ${recipe.nodeVersion}`, container], progress);
    await buildah(images, ['commit', '--format', 'docker', '--rm', container, ref], progress);
    container = '';
  } finally {
    if (container) await buildah(images, ['rm', container], progress).catch(() => undefined);
    await rm(workDir, { recursive: true, force: true });
  }
}
