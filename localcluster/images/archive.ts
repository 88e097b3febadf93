// Reading docker-archive files (what `buildah push IMAGE docker-archive:FILE` writes): the
// image's layers exactly as the node imports them, so checks run on the shipped artifact rather
// than on a build directory.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** An unpacked archive: its layer tar files (base first) and where they are. */
export interface UnpackedArchive {
  dir: string;
  repoTags: string[];
  layers: string[];
  /** Removes the unpacked files. */
  dispose: () => Promise<void>;
}

interface ArchiveManifest {
  Config: string;
  RepoTags: string[] | null;
  Layers: string[];
}

/** Unpacks a docker-archive into a temporary folder. Throws when it has not exactly one image. */
export async function unpackArchive(archive: string): Promise<UnpackedArchive> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'riskmodel-archive-'));
  const dispose = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    await run('tar', ['-xf', archive, '-C', dir]);
    const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as ArchiveManifest[];
    if (manifest.length !== 1) throw new Error(`${archive} holds ${manifest.length} images, expected 1`);
    const [image] = manifest as [ArchiveManifest];
    return { dir, repoTags: image.RepoTags ?? [], layers: image.Layers.map((l) => path.join(dir, l)), dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}

/** The paths in one layer tar (as tar lists them: relative, folders ending in `/`). */
export async function layerEntries(layer: string): Promise<string[]> {
  const { stdout } = await run('tar', ['-tf', layer], { maxBuffer: 256 * 2 ** 20 });
  return stdout.split('\n').filter(Boolean);
}

/** For each needle, the layers (file paths) whose bytes contain it anywhere: file contents, names or headers. */
export async function layersContaining(layers: string[], needles: Buffer[]): Promise<string[][]> {
  const found: string[][] = needles.map(() => []);
  for (const layer of layers) {
    const bytes = await readFile(layer);
    needles.forEach((needle, i) => {
      if (needle.length > 0 && bytes.includes(needle)) found[i]!.push(layer);
    });
  }
  return found;
}
