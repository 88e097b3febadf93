import { expect } from 'chai';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { contextFiles, copySources, dockerfileKey } from './context.js';

const dockerfile = `ARG NODE_IMAGE=node:20
FROM \${NODE_IMAGE} AS build
COPY package.json package-lock.json ./
COPY --chown=1:1 src \\
     ./src
ADD ["assets", "/assets"]
FROM \${NODE_IMAGE}
# COPY ignored-by-comment ./
COPY --from=build /app/dist ./dist
`;

describe('image build context', () => {
  it('lists the context paths COPY and ADD read, in shell and JSON form, leaving out copies from other stages', () => {
    expect(copySources(dockerfile)).to.deep.equal(['package.json', 'package-lock.json', 'src', 'assets']);
  });

  describe('with a context folder', () => {
    let dir = '';
    beforeEach(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'ctx-'));
      await mkdir(path.join(dir, 'src', 'node_modules', 'x'), { recursive: true });
      await mkdir(path.join(dir, 'assets'));
      for (const f of ['package.json', 'package-lock.json', 'README.md', 'src/a.ts', 'src/debug.log', 'src/node_modules/x/i.js', 'assets/logo.svg']) await writeFile(path.join(dir, f), f);
      await writeFile(path.join(dir, 'Dockerfile'), dockerfile);
      await writeFile(path.join(dir, '.dockerignore'), 'node_modules\n**/node_modules\n**/*.log\n');
    });
    afterEach(() => rm(dir, { recursive: true, force: true }));

    it('expands folders to their files and drops what .dockerignore excludes', async () => {
      expect(await contextFiles(dir, copySources(dockerfile), 'node_modules\n**/node_modules\n**/*.log\n')).to.deep.equal([
        'assets/logo.svg', 'package-lock.json', 'package.json', 'src/a.ts',
      ]);
    });

    it('names a COPY source that does not exist', async () => {
      await rm(path.join(dir, 'assets'), { recursive: true });
      let error: unknown;
      await dockerfileKey(dir, 'Dockerfile', {}).catch((e: unknown) => (error = e));
      expect(String(error)).to.match(/COPY source assets does not exist/);
    });

    it('changes the key when a copied file, the Dockerfile or a build argument changes, and only then', async () => {
      const key = (args: Record<string, string> = { NODE_IMAGE: 'a' }) => dockerfileKey(dir, 'Dockerfile', args);
      const first = await key();
      expect(await key()).to.equal(first);
      await writeFile(path.join(dir, 'README.md'), 'not copied');
      await writeFile(path.join(dir, 'src', 'debug.log'), 'ignored');
      await writeFile(path.join(dir, 'src', 'node_modules', 'x', 'i.js'), 'ignored');
      expect(await key(), 'files the image does not copy').to.equal(first);
      expect(await key({ NODE_IMAGE: 'b' }), 'a build argument').not.to.equal(first);
      await writeFile(path.join(dir, 'src', 'a.ts'), 'changed');
      const second = await key();
      expect(second, 'a copied file').not.to.equal(first);
      await writeFile(path.join(dir, 'Dockerfile'), `${dockerfile}\nUSER 1\n`);
      expect(await key(), 'the Dockerfile').not.to.equal(second);
    });
  });
});
