import { expect } from 'chai';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from './config.js';
import { projectImages } from './node-import.js';

describe('the project images cluster:up puts on the real node', () => {
  let cache: string;
  beforeEach(async () => {
    cache = await mkdtemp(path.join(os.tmpdir(), 'node-import-test-'));
  });
  afterEach(() => rm(cache, { recursive: true, force: true }));

  it('takes the most recently used version of each image, not every cached one (regression: the oldest operator image ended up on the node)', async () => {
    const config = loadConfig({ RISKMODEL_CACHE_DIR: cache });
    await mkdir(config.images.dir, { recursive: true });
    const image = (name: string, tag: string, usedAt: string) => {
      const archive = path.join(config.images.dir, `${name}-${tag}.tar`);
      return { name, ref: `localhost/${name}:${tag}`, archive, bytes: 1, hash: tag, builtAt: usedAt, buildMs: 1, usedAt };
    };
    const images = [
      image('riskmodel-operator', 'old', '2026-12-01T10:00:00Z'),
      image('riskmodel-operator', 'new', '2026-12-01T12:00:00Z'),
      image('riskmodel-inference', 'only', '2026-12-01T11:00:00Z'),
      image('riskmodel-node20', 'base', '2026-12-01T13:00:00Z'),
    ];
    await Promise.all(images.map((i) => writeFile(i.archive, 'x')));
    await writeFile(path.join(config.images.dir, 'images.json'), JSON.stringify({ version: 1, images }));
    expect((await projectImages(config)).map((i) => i.ref)).to.deep.equal(['localhost/riskmodel-operator:new', 'localhost/riskmodel-inference:only']);
  });
});
