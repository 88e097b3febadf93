// The npm settings and CA bundle a build needs to reach the registry through the machine's
// TLS-intercepting proxy. They reach `RUN --mount=type=secret` only: written to a private
// folder in the cache, handed to buildah as secrets, deleted after the build (or, if the build was
// killed, at the start of the next one); never in a layer.
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ImagesConfig } from '../config.js';
import { buildahTmpDir } from './buildah.js';

/** Where the Dockerfiles' `RUN --mount=type=secret,id=...` find the files (BuildKit's default target). */
export const SECRET_TARGET = { npmrc: '/run/secrets/npmrc', ca: '/run/secrets/npm-ca' } as const;

/** npmrc keys that name files or folders on this machine; inside the build they would point nowhere. */
const HOST_PATH_KEYS = new Set(['cafile', 'ca', 'cache', 'prefix', 'globalconfig', 'userconfig', 'nodedir', 'init-module', 'tmp', 'registry']);

/**
 * The npmrc used inside the build: the user's own settings (auth tokens and scoped registries
 * included, which is why it is a secret) minus host-path keys, plus the effective registry and
 * the mounted CA bundle.
 */
export function buildNpmrc(userNpmrc: string, registry: string): string {
  const kept = userNpmrc.split(/\r?\n/).filter((line) => {
    const key = /^\s*([^=#;\s]+)\s*=/.exec(line)?.[1];
    return key !== undefined && !HOST_PATH_KEYS.has(key.toLowerCase());
  });
  return [...kept, `registry=${registry}`, `cafile=${SECRET_TARGET.ca}`, ''].join('\n');
}

/** Build-time secret files and the buildah arguments that expose them. */
export interface BuildSecrets {
  /** `--secret id=...,src=...` arguments for `buildah bud`. */
  args: string[];
  /** The exact bytes handed in, so a test can prove no layer contains them. */
  npmrc: string;
  ca: Buffer;
  /** Deletes the temporary files. Idempotent. */
  dispose: () => Promise<void>;
}

const SECRETS_PREFIX = 'build-secrets-';

/**
 * Writes the build secrets into a fresh 0700 folder under `<images dir>/tmp`. `npm` is run as
 * `node <npm-cli.js>` to read the effective registry and the user config file's location.
 */
export async function prepareBuildSecrets(images: Pick<ImagesConfig, 'dir' | 'nodeBinary' | 'npmDir' | 'caFiles'>): Promise<BuildSecrets> {
  const { nodeBinary, npmDir, caFiles } = images;
  const npm = async (key: string): Promise<string> => {
    const { stdout } = await promisify(execFile)(nodeBinary, [path.join(npmDir, 'bin', 'npm-cli.js'), 'config', 'get', key]);
    return stdout.trim();
  };
  const bundles: Buffer[] = [];
  for (const file of caFiles) {
    bundles.push(await readFile(file).catch((err: Error) => {
      throw new Error(`cannot read the CA bundle ${file} (SSL_CERT_FILE / NODE_EXTRA_CA_CERTS): ${err.message}`);
    }));
  }
  const ca = Buffer.concat(bundles);
  const [registry, userconfig] = await Promise.all([npm('registry'), npm('userconfig')]);
  const npmrc = buildNpmrc(await readFile(userconfig, 'utf8').catch(() => ''), registry);
  await mkdir(buildahTmpDir(images), { recursive: true });
  const dir = await mkdtemp(path.join(buildahTmpDir(images), SECRETS_PREFIX));
  await chmod(dir, 0o700);
  await writeFile(path.join(dir, 'npmrc'), npmrc, { mode: 0o600 });
  await writeFile(path.join(dir, 'npm-ca'), ca, { mode: 0o600 });
  return {
    args: ['--secret', `id=npmrc,src=${path.join(dir, 'npmrc')}`, '--secret', `id=npm-ca,src=${path.join(dir, 'npm-ca')}`],
    npmrc,
    ca,
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Deletes secret folders a killed build left behind (a run's own are deleted by `dispose`). Call under the build lock. */
export async function removeLeftoverSecrets(images: Pick<ImagesConfig, 'dir'>): Promise<void> {
  const tmp = buildahTmpDir(images);
  for (const name of await readdir(tmp).catch(() => [] as string[])) {
    if (name.startsWith(SECRETS_PREFIX)) await rm(path.join(tmp, name), { recursive: true, force: true });
  }
}
