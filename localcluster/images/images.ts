// `npm run images`: the base image and the two Dockerfile images, built daemonless with buildah
// into the project's own storage and exported as docker-archive files in the binary cache, for the
// node to import into its container runtime. Each image is keyed by a hash of what it is built
// from; an image whose key and archive are unchanged is not rebuilt. Worktrees share the cache, so
// it keeps the last few versions of each image rather than one: two checkouts with different
// sources must not evict each other's archives on every run.
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { elapsed, type Log } from '../build.js';
import type { LocalClusterConfig } from '../config.js';
import { withPidLock } from '../lock.js';
import { baseKey, baseRecipe, buildBase } from './base.js';
import { buildah, buildahTmpDir, hasImage, type Progress } from './buildah.js';
import { prepareBuildSecrets, removeLeftoverSecrets, type BuildSecrets } from './build-secrets.js';
import { dockerfileKey } from './context.js';

export type ImageName = 'riskmodel-node20' | 'riskmodel-inference' | 'riskmodel-operator';

/** An image in the cache: what the node imports (`ctr -n k8s.io images import <archive>`) and runs as `ref`. */
export interface BuiltImage {
  name: ImageName;
  /** Fully qualified reference, `localhost/<name>:<first 12 hex of hash>`; the archive is tagged with it. */
  ref: string;
  /** Absolute path of the docker-archive file. */
  archive: string;
  /** Size of the archive in bytes. */
  bytes: number;
  /** sha256 (hex) of everything the image is built from. */
  hash: string;
  builtAt: string;
  buildMs: number;
  /** Last time a run built or returned this version; the least recently used beyond KEEP_VERSIONS are removed. */
  usedAt: string;
}

/** An image as the current sources would make it, and whether the cache already has it. */
export interface PlannedImage {
  name: ImageName;
  ref: string;
  archive: string;
  hash: string;
  upToDate: boolean;
}

interface Manifest {
  version: 1;
  images: BuiltImage[];
}

/** The Dockerfile images, in build order; both take the base image as NODE_IMAGE. */
const DOCKERFILES: { name: ImageName; dockerfile: string }[] = [
  { name: 'riskmodel-inference', dockerfile: 'Dockerfile.inference' },
  { name: 'riskmodel-operator', dockerfile: 'Dockerfile.operator' },
];
export const BASE_IMAGE: ImageName = 'riskmodel-node20';
/** Versions of each image kept in the cache (about 300 MB each). */
export const KEEP_VERSIONS = 3;
/** A version used this recently is never evicted (a test run reads the images it got for about this long). */
export const EVICTION_GRACE_MS = 60 * 60_000;

const manifestPath = (config: LocalClusterConfig): string => path.join(config.images.dir, 'images.json');
const refFor = (name: ImageName, hash: string): string => `localhost/${name}:${hash.slice(0, 12)}`;
const archiveFor = (config: LocalClusterConfig, name: ImageName, hash: string): string => path.join(config.images.dir, `${name}-${hash.slice(0, 12)}.tar`);

/**
 * Every image version in the cache (the manifest `<cacheDir>/images/images.json`), most recently
 * used first; empty when none. Several versions of one name can be present.
 */
export async function builtImages(config: LocalClusterConfig): Promise<BuiltImage[]> {
  const text = await readFile(manifestPath(config), 'utf8').catch(() => '');
  if (!text) return [];
  const manifest = JSON.parse(text) as Manifest;
  if (manifest.version !== 1) return [];
  return manifest.images.map((i) => ({ ...i, usedAt: i.usedAt ?? i.builtAt })).sort((a, b) => b.usedAt.localeCompare(a.usedAt));
}

async function writeManifest(config: LocalClusterConfig, images: BuiltImage[]): Promise<void> {
  const tmp = `${manifestPath(config)}.${process.pid}`;
  await writeFile(tmp, `${JSON.stringify({ version: 1, images } satisfies Manifest, null, 2)}\n`);
  await rename(tmp, manifestPath(config));
}

/** The cached version of `name` with this hash whose archive is intact, if any. */
async function cachedVersion(built: BuiltImage[], name: ImageName, hash: string): Promise<BuiltImage | undefined> {
  const image = built.find((b) => b.name === name && b.hash === hash);
  if (!image) return undefined;
  const info = await stat(image.archive).catch(() => undefined);
  return info?.size === image.bytes ? image : undefined;
}

/**
 * The refs and archive paths the current sources produce, without building anything (hashing
 * only: about a second). `upToDate` says whether the archive is already in the cache.
 */
export async function plannedImages(config: LocalClusterConfig): Promise<PlannedImage[]> {
  const built = await builtImages(config);
  const baseHash = baseKey(await baseRecipe(config.images));
  const plan: { name: ImageName; hash: string }[] = [{ name: BASE_IMAGE, hash: baseHash }];
  for (const d of DOCKERFILES) {
    plan.push({ name: d.name, hash: await dockerfileKey(config.repoRoot, d.dockerfile, { NODE_IMAGE: refFor(BASE_IMAGE, baseHash) }) });
  }
  const out: PlannedImage[] = [];
  for (const p of plan) {
    const cached = await cachedVersion(built, p.name, p.hash);
    out.push({ ...p, ref: refFor(p.name, p.hash), archive: cached?.archive ?? archiveFor(config, p.name, p.hash), upToDate: cached !== undefined });
  }
  return out;
}

/** Serialises image builds across processes (worktrees share the cache) with a PID lock file. */
async function withLock<T>(config: LocalClusterConfig, log: Log, fn: () => Promise<T>): Promise<T> {
  // Only an existing lock file waits; any other failure (no folder, no permission) throws.
  return withPidLock(path.join(config.images.dir, 'build.lock'), { doing: 'building images', pollMs: 2000, log }, fn);
}

interface Run {
  config: LocalClusterConfig;
  log: Log;
  built: BuiltImage[];
  /** When this run started; layer-cache images older than that are pruned when it evicts a version. */
  startedAt: number;
  secrets?: BuildSecrets;
}

/** Records a version as used now (or newly built) and saves the manifest. */
async function remember(run: Run, image: BuiltImage): Promise<BuiltImage> {
  const used = { ...image, usedAt: new Date().toISOString() };
  run.built = [used, ...run.built.filter((b) => !(b.name === image.name && b.hash === image.hash))];
  await writeManifest(run.config, run.built);
  return used;
}

/** Builds one image unless cached, exports its archive and records it in the manifest. */
async function ensureOne(run: Run, name: ImageName, hash: string, build: (ref: string, progress: Progress) => Promise<void>): Promise<BuiltImage> {
  const { config, log } = run;
  const ref = refFor(name, hash);
  const cached = await cachedVersion(run.built, name, hash);
  if (cached) {
    log(`${name}: up to date (${ref})`);
    return remember(run, cached);
  }
  const started = Date.now();
  const progress: Progress = { label: name.replace(/^riskmodel-/, ''), started, logPath: path.join(config.images.dir, `${name}.build.log`), log };
  await rm(progress.logPath, { force: true });
  if (await hasImage(config.images, ref, progress)) {
    log(`${name}: ${ref} is in buildah's storage, exporting it again`);
  } else {
    log(`${name}: building ${ref} (full output: ${progress.logPath})`);
    await build(ref, progress);
  }
  const archive = archiveFor(config, name, hash);
  const partial = `${archive}.partial`;
  await rm(partial, { force: true });
  await buildah(config.images, ['push', '--quiet', ref, `docker-archive:${partial}:${ref}`], progress);
  await rename(partial, archive);
  const builtAt = new Date().toISOString();
  const image = await remember(run, { name, ref, archive, bytes: (await stat(archive)).size, hash, builtAt, buildMs: Date.now() - started, usedAt: builtAt });
  log(`${name}: built ${ref} in ${elapsed(image.buildMs)}, archive ${(image.bytes / 1e6).toFixed(0)} MB`);
  return image;
}

/** Makes sure the base is in buildah's storage (a fresh storage gets it back from its archive). */
async function baseInStorage(run: Run, base: BuiltImage, progress: Progress): Promise<void> {
  if (await hasImage(run.config.images, base.ref, progress)) return;
  progress.log(`  ${progress.label.padEnd(10)}  loading ${base.ref} from ${base.archive}`);
  await buildah(run.config.images, ['pull', '--quiet', `docker-archive:${base.archive}`], progress);
}

function budImage(run: Run, dockerfile: string, base: BuiltImage, hash: string): (ref: string, progress: Progress) => Promise<void> {
  return async (ref, progress) => {
    await baseInStorage(run, base, progress);
    run.secrets ??= await prepareBuildSecrets(run.config.images);
    await buildah(run.config.images, [
      'bud', '--isolation', 'chroot', '--network', 'host', '--pull-never', '--layers', '--format', 'docker',
      '-f', dockerfile, '--build-arg', `NODE_IMAGE=${base.ref}`, ...run.secrets.args,
      '--label', `io.riskmodel.build-key=${hash}`, '-t', ref, run.config.repoRoot,
    ], progress);
  };
}

/**
 * Builds whatever is out of date (base first: the other two are built FROM it) and returns the
 * three images with their archives. Idempotent: a second call prints "up to date" for each and
 * builds nothing. Throws on a failed build, naming its log; the manifest then still describes the
 * images built before the failure.
 */
export async function ensureImages(config: LocalClusterConfig, log: Log): Promise<BuiltImage[]> {
  await mkdir(buildahTmpDir(config.images), { recursive: true });
  return withLock(config, log, async () => {
    const run: Run = { config, log, built: await builtImages(config), startedAt: Date.now() };
    await removeLeftoverSecrets(config.images);
    try {
      const recipe = await baseRecipe(config.images);
      const base = await ensureOne(run, BASE_IMAGE, baseKey(recipe), (ref, progress) => buildBase(config.images, recipe, ref, progress));
      const images = [base];
      for (const d of DOCKERFILES) {
        const hash = await dockerfileKey(config.repoRoot, d.dockerfile, { NODE_IMAGE: base.ref });
        images.push(await ensureOne(run, d.name, hash, budImage(run, d.dockerfile, base, hash)));
      }
      await evictOldVersions(run);
      return images;
    } finally {
      await run.secrets?.dispose();
    }
  });
}

/**
 * The versions beyond the `keep` most recently used of each name (`built` is sorted by use), except
 * those used within `graceMs` of `now`: another worktree's test run may still be reading them.
 */
export function versionsToEvict(built: BuiltImage[], now: number, keep = KEEP_VERSIONS, graceMs = EVICTION_GRACE_MS): BuiltImage[] {
  const seen = new Map<ImageName, number>();
  return built.filter((b) => {
    const n = (seen.get(b.name) ?? 0) + 1;
    seen.set(b.name, n);
    return n > keep && now - Date.parse(b.usedAt) > graceMs;
  });
}

/**
 * Removes the least recently used versions beyond KEEP_VERSIONS (archive and tag, newest image
 * first so a base goes after the images built on it), then the untagged layer-cache images of
 * earlier runs (`--layers` keeps this run's, so the next source change reuses its npm layers).
 */
async function evictOldVersions(run: Run): Promise<void> {
  const evict = versionsToEvict(run.built, Date.now());
  if (evict.length === 0) return;
  run.built = run.built.filter((b) => !evict.includes(b));
  await writeManifest(run.config, run.built);
  const logPath = path.join(run.config.images.dir, 'cleanup.log');
  await rm(logPath, { force: true });
  const progress: Progress = { label: 'cleanup', started: Date.now(), logPath, log: () => undefined };
  for (const old of evict.sort((a, b) => (a.name === BASE_IMAGE ? 1 : 0) - (b.name === BASE_IMAGE ? 1 : 0))) {
    await rm(old.archive, { force: true });
    await buildah(run.config.images, ['rmi', old.ref], progress).catch(() => undefined);
  }
  const dangling = JSON.parse((await buildah(run.config.images, ['images', '--json', '--filter', 'dangling=true'], progress)) || '[]') as { id: string; created: number }[];
  const old = dangling.filter((i) => i.created * 1000 < run.startedAt).sort((a, b) => b.created - a.created);
  for (const image of old) await buildah(run.config.images, ['rmi', image.id], progress).catch(() => undefined);
  run.log(`removed ${evict.length} older image version(s): ${evict.map((e) => e.ref).join(', ')}`);
}
