// The images `npm run images` builds, inspected as built: buildah's view of their configuration
// and the layers of the docker-archive the node imports. Builds the images first when the cache
// lacks them (about 5 minutes cold; seconds when cached).
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../../localcluster/config.js';
import { layerEntries, layersContaining, unpackArchive, type UnpackedArchive } from '../../localcluster/images/archive.js';
import { storageFlags } from '../../localcluster/images/buildah.js';
import { prepareBuildSecrets, SECRET_TARGET } from '../../localcluster/images/build-secrets.js';
import { ensureImages, plannedImages, type BuiltImage, type ImageName } from '../../localcluster/images/images.js';

const config = loadConfig();
const run = promisify(execFile);

interface DockerConfig {
  User?: string;
  Cmd?: string[] | null;
  Entrypoint?: string[] | null;
  ExposedPorts?: Record<string, object>;
  Healthcheck?: { Test: string[] };
  Labels?: Record<string, string>;
}

async function inspect(ref: string): Promise<DockerConfig> {
  const { stdout } = await run('buildah', [...storageFlags(config.images), 'inspect', '--type', 'image', ref], { maxBuffer: 64 * 2 ** 20 });
  return (JSON.parse(stdout) as { Docker: { config: DockerConfig } }).Docker.config;
}

/** Top-level packages of package-lock.json, split by npm's own dev-only marking. */
const lock = ((): { devOnly: string[]; production: string[] } => {
  const packages = (JSON.parse(readFileSync(path.join(config.repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; optional?: boolean }> }).packages;
  const top = Object.entries(packages).filter(([key]) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(key));
  return {
    devOnly: top.filter(([, p]) => p.dev).map(([key]) => key.slice('node_modules/'.length)),
    production: top.filter(([, p]) => !p.dev && !p.optional).map(([key]) => key.slice('node_modules/'.length)),
  };
})();

const pemBlocks = (text: string): string[] => text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];

describe('built images (npm run images)', function () {
  this.timeout(60 * 60_000);
  let images: BuiltImage[] = [];
  const unpacked = new Map<ImageName, UnpackedArchive>();
  const image = (name: ImageName): BuiltImage => images.find((i) => i.name === name)!;

  before(async () => {
    images = await ensureImages(config, (line) => console.log(`      ${line}`));
    for (const i of images) unpacked.set(i.name, await unpackArchive(i.archive));
  });
  after(async () => {
    for (const u of unpacked.values()) await u.dispose();
  });

  it('builds the base, inference and operator images, each a docker-archive tagged with its content-keyed ref', () => {
    expect(images.map((i) => i.name)).to.deep.equal(['riskmodel-node20', 'riskmodel-inference', 'riskmodel-operator']);
    console.log('      image sizes (docker-archive):');
    for (const i of images) {
      console.log(`        ${i.ref.padEnd(44)} ${(i.bytes / 1e6).toFixed(0).padStart(5)} MB`);
      expect(i.ref).to.equal(`localhost/${i.name}:${i.hash.slice(0, 12)}`);
      expect(path.dirname(i.archive)).to.equal(config.images.dir);
      expect(unpacked.get(i.name)!.repoTags).to.deep.equal([i.ref]);
    }
  });

  it('rebuilds nothing on a second run and says so for every image', async () => {
    const lines: string[] = [];
    const again = await ensureImages(config, (line) => lines.push(line));
    const stable = (list: BuiltImage[]) => list.map(({ usedAt: _usedAt, ...rest }) => rest);
    expect(stable(again)).to.deep.equal(stable(images));
    expect(lines).to.deep.equal(images.map((i) => `${i.name}: up to date (${i.ref})`));
  });

  it('leaves no working container and no mount behind in its buildah storage', async () => {
    const { stdout } = await run('buildah', [...storageFlags(config.images), 'containers', '--all', '--quiet']);
    expect(stdout.trim(), 'buildah containers').to.equal('');
    const mounts = (await readFile('/proc/self/mounts', 'utf8')).split('\n').filter((m) => m.includes(config.images.storageRoot) || m.includes(config.images.runRoot));
    expect(mounts).to.deep.equal([]);
  });

  it('reports the same refs and archives without building, all up to date', async () => {
    const planned = await plannedImages(config);
    expect(planned).to.deep.equal(images.map((i) => ({ name: i.name, ref: i.ref, archive: i.archive, hash: i.hash, upToDate: true })));
  });

  for (const [name, argv, port] of [
    ['riskmodel-inference', ['node', 'dist/inference/main.js'], '8080/tcp'],
    ['riskmodel-operator', ['node', 'dist/operator/main.js'], '8081/tcp'],
  ] as const) {
    describe(name, () => {
      it('runs as a numeric non-root user', async () => {
        const user = (await inspect(image(name).ref)).User ?? '';
        expect(user).to.match(/^\d+(:\d+)?$/);
        expect(Number(user.split(':')[0])).to.be.greaterThan(0);
      });

      it(`starts ${argv.join(' ')} in exec form, so node is PID 1 and gets SIGTERM`, async () => {
        const c = await inspect(image(name).ref);
        expect([...(c.Entrypoint ?? []), ...(c.Cmd ?? [])]).to.deep.equal(argv);
      });

      it(`exposes ${port} and keeps its node-based HEALTHCHECK`, async () => {
        const c = await inspect(image(name).ref);
        expect(Object.keys(c.ExposedPorts ?? {})).to.deep.equal([port]);
        expect(c.Healthcheck?.Test.slice(0, 2)).to.deep.equal(['CMD', 'node']);
        expect(c.Labels?.['io.riskmodel.build-key']).to.equal(image(name).hash);
      });

      it('ships production dependencies only: none of the packages the lockfile marks dev-only, every one it does not', async () => {
        const entries = new Set<string>();
        for (const layer of unpacked.get(name)!.layers) for (const e of await layerEntries(layer)) entries.add(e.replace(/\/$/, ''));
        const inImage = [...entries].filter((e) => /^app\/node_modules\/(@[^/]+\/)?[^/]+$/.test(e)).map((e) => e.slice('app/node_modules/'.length));
        expect(lock.devOnly, 'the lockfile marks the compiler, test runner and linter dev-only').to.include.members(['typescript', 'mocha', 'eslint', 'tsx']);
        expect(inImage.filter((m) => lock.devOnly.includes(m)), 'dev-only packages in the image').to.deep.equal([]);
        expect(lock.production.filter((m) => !inImage.includes(m)), 'production packages missing from the image').to.deep.equal([]);
        expect([...entries].filter((e) => /^app\/(inference|operator)\/.*\.ts$/.test(e)), 'TypeScript sources').to.deep.equal([]);
      });
    });
  }

  it('has no layer in any image holding the build secrets: the npmrc, the CA bundle, or a certificate the base did not bring', async () => {
    const secrets = await prepareBuildSecrets(config.images);
    await secrets.dispose();
    const base = unpacked.get('riskmodel-node20')!;
    const baseBundle = await imageFile(base, 'etc/ssl/certs/ca-certificates.crt');
    const foreign = pemBlocks(secrets.ca.toString()).filter((pem) => !baseBundle.includes(pem));
    console.log(`      scanning every layer for the npmrc, the ${secrets.ca.length}-byte CA bundle and ${foreign.length} certificate(s) the base image does not carry`);
    const needles = [Buffer.from(secrets.npmrc), Buffer.from(`cafile=${SECRET_TARGET.ca}`), secrets.ca, ...foreign.map((p) => Buffer.from(p))];
    const control = await readFile(path.join(config.repoRoot, 'package.json'));
    for (const [name, u] of unpacked) {
      const [npmrc, cafile, ca, ...certs] = await layersContaining(u.layers, needles);
      expect({ npmrc, cafile, ca, certs: certs.flat() }, name).to.deep.equal({ npmrc: [], cafile: [], ca: [], certs: [] });
      const files = (await Promise.all(u.layers.map(layerEntries))).flat();
      expect(files.filter((f) => /(^|\/)\.?npmrc$|^run\/secrets\/./.test(f) && !f.startsWith('usr/local/lib/node_modules/npm/')), name).to.deep.equal([]);
      if (name !== 'riskmodel-node20') expect((await layersContaining(u.layers, [control]))[0], `${name}: the scan sees copied files`).to.have.length.greaterThan(0);
    }
  });
});

/** One file's text from an unpacked image (last layer that has it wins, as in the running container). */
async function imageFile(u: UnpackedArchive, file: string): Promise<string> {
  for (const layer of [...u.layers].reverse()) {
    if (!(await layerEntries(layer)).includes(file)) continue;
    const { stdout } = await run('tar', ['-xOf', layer, file], { maxBuffer: 64 * 2 ** 20 });
    return stdout;
  }
  throw new Error(`${file} is in no layer`);
}
