import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { layerEntries, layersContaining, unpackArchive } from './archive.js';

describe('docker-archive reader', () => {
  let dir = '';
  let archive = '';
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'archive-test-'));
    for (const [layer, file, text] of [['l1', 'etc/motd', 'hello'], ['l2', 'app/secret.txt', 'needle-in-layer-two']] as const) {
      await mkdir(path.join(dir, layer, path.dirname(file)), { recursive: true });
      await writeFile(path.join(dir, layer, file), text);
      execFileSync('tar', ['-cf', path.join(dir, `${layer}.tar`), '-C', path.join(dir, layer), file.split('/')[0]!]);
    }
    await writeFile(path.join(dir, 'manifest.json'), JSON.stringify([{ Config: 'c.json', RepoTags: ['localhost/x:1'], Layers: ['l1.tar', 'l2.tar'] }]));
    await writeFile(path.join(dir, 'c.json'), '{}');
    archive = path.join(dir, 'image.tar');
    execFileSync('tar', ['-cf', archive, '-C', dir, 'manifest.json', 'c.json', 'l1.tar', 'l2.tar']);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('lists the layers in order with their entries, and finds which layer holds given bytes', async () => {
    const unpacked = await unpackArchive(archive);
    try {
      expect(unpacked.repoTags).to.deep.equal(['localhost/x:1']);
      expect(unpacked.layers.map((l) => path.basename(l))).to.deep.equal(['l1.tar', 'l2.tar']);
      expect(await layerEntries(unpacked.layers[1]!)).to.deep.equal(['app/', 'app/secret.txt']);
      const found = await layersContaining(unpacked.layers, [Buffer.from('needle-in-layer-two'), Buffer.from('absent'), Buffer.from('hello')]);
      expect(found.map((ls) => ls.map((l) => path.basename(l)))).to.deep.equal([['l2.tar'], [], ['l1.tar']]);
    } finally {
      await unpacked.dispose();
    }
  });

  it('says which archive is not a single image', async () => {
    await writeFile(path.join(dir, 'manifest.json'), '[]');
    const bad = path.join(dir, 'bad.tar');
    execFileSync('tar', ['-cf', bad, '-C', dir, 'manifest.json']);
    let error: unknown;
    await unpackArchive(bad).catch((e: unknown) => (error = e));
    expect(String(error)).to.include(`${bad} holds 0 images, expected 1`);
  });
});
