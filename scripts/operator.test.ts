// `npm run operator` against a cluster that is not the local one: the wrapper leaves the image
// alone and the operator warns at startup, naming the default image. Runs the real entry point
// against a kubeconfig whose server answers nothing (the warning comes before any API call).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { DEFAULT_INFERENCE_IMAGE } from '../operator/config.js';
import { UNREACHABLE_KUBECONFIG } from './lib/testing/unreachable-kubeconfig.js';

const REPO = path.resolve(import.meta.dirname, '..');


/** The first log lines of `npm run operator` (scripts/operator.ts) with `env`, until `until` shows or 20 s pass. */
async function firstLines(env: Record<string, string>, until: RegExp): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/operator.ts', '--http-port', '0'], { cwd: REPO, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      resolve(output);
    };
    const timer = setTimeout(done, 20_000);
    for (const stream of [child.stdout, child.stderr]) {
      stream.setEncoding('utf8').on('data', (d: string) => {
        output += d;
        if (until.test(output)) done();
      });
    }
    child.on('close', done);
  });
}

describe('npm run operator against a cluster other than the local one', function () {
  this.timeout(30_000);
  let dir: string;
  let kubeconfig: string;

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'operator-wrapper-'));
    kubeconfig = path.join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, UNREACHABLE_KUBECONFIG);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('warns at startup, naming the default inference image, when INFERENCE_IMAGE is unset', async () => {
    const output = await firstLines({ KUBECONFIG: kubeconfig }, /INFERENCE_IMAGE is not set/);
    const warning = output.split('\n').find((l) => l.includes('INFERENCE_IMAGE is not set')) ?? '';
    expect(JSON.parse(warning || '{}')).to.include({ level: 'warn', inferenceImage: DEFAULT_INFERENCE_IMAGE });
  });

  it('uses INFERENCE_IMAGE as given, without the warning', async () => {
    const output = await firstLines({ KUBECONFIG: kubeconfig, INFERENCE_IMAGE: 'registry.test/inference:1' }, /"level"/);
    expect(output).to.match(/"level"/);
    expect(output).to.not.include('INFERENCE_IMAGE is not set');
  });
});
