import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config.js';
import { buildNpmrc, prepareBuildSecrets, removeLeftoverSecrets, SECRET_TARGET } from './build-secrets.js';

describe('build secrets', () => {
  it('keeps the user npm settings that mean the same inside a build, drops host paths, and points cafile at the mounted bundle', () => {
    const user = [
      '//registry.example/:_authToken=abc',
      '@acme:registry=https://npm.acme.example/',
      'fund=false',
      'cafile=/etc/host/ca.pem',
      'nodedir=/usr/include/node',
      'prefix = /opt/npm',
      'registry=https://stale.example/',
      '; a comment',
      '',
    ].join('\n');
    expect(buildNpmrc(user, 'https://registry.example/').split('\n')).to.deep.equal([
      '//registry.example/:_authToken=abc',
      '@acme:registry=https://npm.acme.example/',
      'fund=false',
      'registry=https://registry.example/',
      `cafile=${SECRET_TARGET.ca}`,
      '',
    ]);
  });

  it('works without a user npmrc', () => {
    expect(buildNpmrc('', 'https://r.example/')).to.equal(`registry=https://r.example/\ncafile=${SECRET_TARGET.ca}\n`);
  });

  describe('on disk', function () {
    // Runs npm twice (`npm config get`): seconds on a loaded machine.
    this.timeout(30_000);
    let dir = '';
    beforeEach(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'secrets-test-'))));
    afterEach(() => rm(dir, { recursive: true, force: true }));

    it('writes owner-only files under the cache, hands them to buildah by id, and deletes them on dispose', async () => {
      const ca = path.join(dir, 'ca.pem');
      await writeFile(ca, 'CERT-A\n');
      const { nodeBinary, npmDir } = loadConfig().images;
      const secrets = await prepareBuildSecrets({ dir, nodeBinary, npmDir, caFiles: [ca, ca] });
      const files = secrets.args.filter((a) => a.startsWith('id=')).map((a) => /^id=([\w-]+),src=(.+)$/.exec(a)!.slice(1));
      expect(files.map(([id]) => id)).to.deep.equal(['npmrc', 'npm-ca']);
      for (const [, src] of files) {
        expect(src!.startsWith(path.join(dir, 'tmp') + path.sep)).to.be.true;
        expect((await stat(src!)).mode & 0o077, `${src} is private`).to.equal(0);
      }
      expect(await readFile(files[1]![1]!, 'utf8')).to.equal('CERT-A\nCERT-A\n');
      expect(secrets.npmrc).to.match(/^registry=https?:\/\//m);
      await secrets.dispose();
      for (const [, src] of files) expect(existsSync(src!)).to.be.false;
    });

    it('names a CA bundle it cannot read', async () => {
      const { nodeBinary, npmDir } = loadConfig().images;
      let error: unknown;
      await prepareBuildSecrets({ dir, nodeBinary, npmDir, caFiles: [path.join(dir, 'missing.pem')] }).catch((e: unknown) => (error = e));
      expect(String(error)).to.include(`cannot read the CA bundle ${path.join(dir, 'missing.pem')}`);
    });

    it('removes secret folders a killed build left, and nothing else', async () => {
      await mkdir(path.join(dir, 'tmp', 'build-secrets-abc'), { recursive: true });
      await writeFile(path.join(dir, 'tmp', 'build-secrets-abc', 'npmrc'), 'token');
      await mkdir(path.join(dir, 'tmp', 'buildah-cache'));
      await removeLeftoverSecrets({ dir });
      expect(existsSync(path.join(dir, 'tmp', 'build-secrets-abc'))).to.be.false;
      expect(existsSync(path.join(dir, 'tmp', 'buildah-cache'))).to.be.true;
    });
  });
});
