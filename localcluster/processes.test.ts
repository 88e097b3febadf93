import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isAlive, runsBinary, spawnDetached, stopProcess } from './processes.js';
import { waitFor } from './wait.js';

describe('stopping the processes the cluster started', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'processes-test-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('stops a process with SIGTERM and resolves once it is gone', async () => {
    const pid = spawnDetached('/bin/sleep', ['30'], path.join(dir, 'sleep.log'));
    expect(runsBinary(pid, '/bin/sleep')).to.be.true;
    expect(await stopProcess(pid, '/bin/sleep')).to.be.true;
    expect(isAlive(pid)).to.be.false;
  });

  it('kills a process that ignores SIGTERM once the grace period is over', async () => {
    const log = path.join(dir, 'sh.log');
    const pid = spawnDetached('/bin/sh', ['-c', 'trap "" TERM; echo trapped; while :; do sleep 0.1; done'], log);
    await waitFor(() => readFileSync(log, 'utf8').includes('trapped'), { what: 'the shell to ignore SIGTERM', timeoutMs: 5000, intervalMs: 20 });
    const started = Date.now();
    expect(await stopProcess(pid, '/bin/sh', 300)).to.be.true;
    expect(isAlive(pid)).to.be.false;
    expect(Date.now() - started).to.be.within(300, 5000);
  });

  it('leaves alone a PID that no longer runs the binary it started (a recycled PID)', async () => {
    const pid = spawnDetached('/bin/sleep', ['30'], path.join(dir, 'sleep.log'));
    try {
      expect(await stopProcess(pid, '/usr/bin/something-else')).to.be.false;
      expect(isAlive(pid)).to.be.true;
    } finally {
      await stopProcess(pid, '/bin/sleep');
    }
  });
});
