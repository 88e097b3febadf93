import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createLockFile, withPidLock } from './lock.js';
import { isAlive } from './processes.js';

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

  const quiet = { doing: 'testing', pollMs: 20, log: () => undefined };

  it('runs the work holding the lock and removes it afterwards, also when the work throws', async () => {
    const file = path.join(dir, 'lock');
    expect(await withPidLock(file, quiet, async () => readFile(file, 'utf8'))).to.equal(String(process.pid));
    let error: unknown;
    await withPidLock(file, quiet, () => Promise.reject(new Error('boom'))).catch((err: unknown) => (error = err));
    expect((error as Error).message).to.equal('boom');
    expect(await createLockFile(file, 1)).to.be.true;
  });

  it('takes over a lock whose holder is gone', async () => {
    const file = path.join(dir, 'lock');
    await createLockFile(file, 2 ** 22 + 12345); // above the kernel's pid_max default: no such process
    expect(await withPidLock(file, quiet, () => Promise.resolve('ran'))).to.equal('ran');
  });

  it('waits for a live holder, saying who, and runs once it lets go', async () => {
    const file = path.join(dir, 'lock');
    await createLockFile(file, process.ppid);
    const said: string[] = [];
    setTimeout(() => void rm(file), 100);
    const started = Date.now();
    await withPidLock(file, { ...quiet, log: (line) => said.push(line) }, () => Promise.resolve());
    expect(Date.now() - started).to.be.at.least(90);
    expect(said).to.deep.equal([`waiting for process ${process.ppid}, which is testing ...`]);
  });

  it('counts a process of another user (EPERM) as alive, so its lock is never taken from it', () => {
    expect(isAlive(2 ** 22 + 12345)).to.equal(false);
    // PID 1 is root's: a non-root caller's kill(1, 0) fails with EPERM. As root, ask as nobody.
    if (process.getuid?.() !== 0) {
      expect(isAlive(1)).to.equal(true);
      return;
    }
    const asNobody = spawnSync(process.execPath, ['--import', 'tsx', '-e', "import('./localcluster/processes.ts').then((m) => console.log(m.isAlive(1)))"], {
      uid: 65534, gid: 65534, encoding: 'utf8', env: { ...process.env, HOME: os.tmpdir() }, cwd: path.join(import.meta.dirname, '..'),
    });
    expect(asNobody.stderr).to.equal('');
    expect(asNobody.stdout.trim()).to.equal('true');
  });
});
