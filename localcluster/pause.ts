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

/**
 * Commits the folder `rootfs` as the only layer of a scratch image named `ref` into the
 * docker-archive `archive` (written beside and renamed into place, so a partial file never counts).
 */
export async function commitScratchImage(rootfs: string, ref: string, config: ScratchImageConfig, archive: string): Promise<void> {
  const container = (await tool('buildah', ['from', 'scratch'], 'start a scratch image')).trim();
  try {
    await tool('buildah', ['copy', container, `${rootfs}/.`, '/'], `copy ${rootfs} into the image`);
    const settings = ['--user', config.user, '--entrypoint', JSON.stringify(config.entrypoint), '--cmd', config.cmd ? JSON.stringify(config.cmd) : ''];
    if (config.port) settings.push('--port', String(config.port));
    await tool('buildah', ['config', ...settings, container], 'configure the image');
    await tool('buildah', ['commit', '--quiet', container, `docker-archive:${archive}.partial:${ref}`], `commit ${ref}`);
  } finally {
    await run('buildah', ['rm', container]).catch(() => undefined);
  }
  await rename(`${archive}.partial`, archive);
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
export async function ensurePauseImage(cacheDir: string, kubernetes: Component, goBinary: string, log: Log): Promise<PauseImage> {
  const source = await pauseSource(kubernetes, goBinary);
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
    await commitScratchImage(work, PAUSE_IMAGE, { user: '65535:65535', entrypoint: ['/pause'] }, archive);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return { ref: PAUSE_IMAGE, archive };
}
