// The pod sandbox ("pause") image, built here because no registry is reachable: upstream's
// build/pause/linux/pause.c from the Kubernetes module the cluster is built from, compiled
// statically as upstream's Makefile does, committed by buildah as a scratch image with upstream's
// Dockerfile settings (user 65535, entrypoint /pause) into a docker-archive for containerd.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Log } from './build.js';
import type { Component } from './components.js';
import type { ImagesConfig, LocalClusterConfig } from './config.js';
import { storageFlags } from './images/buildah.js';
import { PAUSE_IMAGE } from './node-config.js';

const run = promisify(execFile);

/** Upstream's CFLAGS for pause (build/pause/Makefile), with the version this image carries. */
export function pauseCflags(tag: string): string[] {
  return ['-Os', '-Wall', '-Werror', '-static', `-DVERSION=v${tag}-riskmodel`];
}

async function tool(command: string, args: string[], what: string): Promise<string> {
  try {
    return (await run(command, args, { maxBuffer: 16 * 2 ** 20 })).stdout;
  } catch (err) {
    const e = err as { code?: string; stderr?: string; message: string };
    if (e.code === 'ENOENT') throw new Error(`${command} is missing, needed to ${what} (scripts/setup.sh installs it)`);
    throw new Error(`${what} failed: ${command} ${args.join(' ')}: ${(e.stderr ?? e.message).trim()}`);
  }
}

/** Image settings of a scratch image (what a Dockerfile's USER, ENTRYPOINT, CMD and EXPOSE say). */
export interface ScratchImageConfig {
  user: string;
  entrypoint: string[];
  cmd?: string[];
  port?: number;
}

export interface ScratchImage {
  /** Folder whose contents become the image's only layer. */
  rootfs: string;
  ref: string;
  config: ScratchImageConfig;
  /** docker-archive file to write (beside it first, renamed into place, so a partial file never counts). */
  archive: string;
  /** The project's buildah storage (`npm run images` uses the same), so the machine's default store is left alone. */
  storage: Pick<ImagesConfig, 'storageRoot' | 'runRoot'>;
}

/** Commits a folder as a scratch image into a docker-archive. Throws naming the buildah step that failed. */
export async function commitScratchImage(image: ScratchImage): Promise<void> {
  const b = (args: string[], what: string): Promise<string> => tool('buildah', [...storageFlags(image.storage), ...args], what);
  const container = (await b(['from', 'scratch'], 'start a scratch image')).trim();
  try {
    await b(['copy', container, `${image.rootfs}/.`, '/'], `copy ${image.rootfs} into the image`);
    const c = image.config;
    const settings = ['--user', c.user, '--entrypoint', JSON.stringify(c.entrypoint), '--cmd', c.cmd ? JSON.stringify(c.cmd) : ''];
    if (c.port) settings.push('--port', String(c.port));
    await b(['config', ...settings, container], 'configure the image');
    await b(['commit', '--quiet', '--rm', container, `docker-archive:${image.archive}.partial:${image.ref}`], `commit ${image.ref}`);
  } catch (err) {
    await b(['rm', container], 'remove the working container').catch(() => undefined);
    throw err;
  }
  await rename(`${image.archive}.partial`, image.archive);
}

/** The pause.c of the Kubernetes module version the cluster runs (downloaded into the Go module cache if needed). */
async function pauseSource(kubernetes: Component, goBinary: string): Promise<string> {
  const { stdout } = await run(goBinary, ['mod', 'download', '-json', `${kubernetes.module}@${kubernetes.version}`], { cwd: kubernetes.moduleDir });
  const dir = (JSON.parse(stdout) as { Dir?: string }).Dir;
  if (!dir) throw new Error(`go mod download did not report a folder for ${kubernetes.module}@${kubernetes.version}`);
  return path.join(dir, 'build/pause/linux/pause.c');
}

export interface PauseImage {
  ref: string;
  /** docker-archive file holding `ref`. */
  archive: string;
}

/**
 * Returns the pause image archive, building it when the cache lacks one for this pause.c and these
 * flags (`<cache>/pause/<hash>/pause.tar`). Throws naming the missing tool (gcc, buildah).
 */
export async function ensurePauseImage(config: Pick<LocalClusterConfig, 'cacheDir' | 'goBinary' | 'images'>, kubernetes: Component, log: Log): Promise<PauseImage> {
  const { cacheDir } = config;
  const source = await pauseSource(kubernetes, config.goBinary);
  const tag = PAUSE_IMAGE.split(':').pop() as string;
  const key = createHash('sha256').update(await readFile(source)).update(pauseCflags(tag).join(' ')).digest('hex').slice(0, 16);
  const dir = path.join(cacheDir, 'pause', key);
  const archive = path.join(dir, 'pause.tar');
  if (existsSync(archive)) return { ref: PAUSE_IMAGE, archive };
  log(`building the pause image ${PAUSE_IMAGE} from ${kubernetes.module}@${kubernetes.version}/build/pause/linux/pause.c`);
  await mkdir(dir, { recursive: true });
  const work = await mkdtemp(path.join(dir, 'work-'));
  try {
    await tool('gcc', [...pauseCflags(tag), '-o', path.join(work, 'pause'), source], 'compile pause.c');
    await chmod(path.join(work, 'pause'), 0o755);
    // upstream's build/pause/Dockerfile: ADD pause /pause, USER 65535:65535, ENTRYPOINT ["/pause"]
    await commitScratchImage({ rootfs: work, ref: PAUSE_IMAGE, config: { user: '65535:65535', entrypoint: ['/pause'] }, archive, storage: config.images });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return { ref: PAUSE_IMAGE, archive };
}
