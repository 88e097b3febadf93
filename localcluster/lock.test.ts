import { expect } from 'chai';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createLockFile } from './lock.js';

describe('local cluster lock files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'lock-test-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('takes a free lock and records the PID in it', async () => {
    const file = path.join(dir, 'lock');
    expect(await createLockFile(file, 4242)).to.be.true;
    expect(await readFile(file, 'utf8')).to.equal('4242');
  });

  it('reports a lock that exists as held, leaving its PID alone', async () => {
    const file = path.join(dir, 'lock');
    await createLockFile(file, 1);
    expect(await createLockFile(file, 2)).to.be.false;
    expect(await readFile(file, 'utf8')).to.equal('1');
  });

  it('throws, naming the file, when the lock cannot be created for another reason (instead of waiting forever)', async () => {
    const file = path.join(dir, 'missing-folder', 'lock');
    let error: unknown;
    await createLockFile(file, 1).catch((err: unknown) => (error = err));
    expect(error).to.be.instanceOf(Error);
    expect((error as Error).message).to.include(`cannot create the lock file ${file}`).and.include('ENOENT');
  });
});
