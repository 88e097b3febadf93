// Ctrl-C on the npm scripts that run until stopped, sent the way a terminal sends it: SIGINT to the
// whole foreground process group (bash, npm, sh, node), while the process that serves is busy: a
// module preloaded into it (NODE_OPTIONS, that process only) blocks its event loop for BUSY_MS as
// the signal arrives, as a big list, a batch or a loaded machine does. It must still stop by its own
// clean path. Under a wrapper that relays signals with a deadline (the tsx CLI waits 30 ms for its
// child to acknowledge, then signals it again and SIGKILLs it) the clean stop was cut short: the
// operator logged "stopping" and never "operator stopped".
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { UNREACHABLE_KUBECONFIG } from './lib/testing/unreachable-kubeconfig.js';

const REPO = path.resolve(import.meta.dirname, '..');
/** How long the serving process is busy when the signal comes: far beyond any relay's deadline. */
const BUSY_MS = 400;

/** Preloaded into every node process of the group; busy only in the one that runs `entry`. */
const busyOnSignal = (entry: string): string => `
if ((process.argv[1] ?? '').endsWith(${JSON.stringify(entry)})) {
  process.prependListener('SIGINT', () => { const t = Date.now(); while (Date.now() - t < ${BUSY_MS}); });
}
`;

/**
 * Runs `npm run <script>` in its own process group with `env`, its `entry` file busy on the signal;
 * waits for the JSON log line `started`, sends the group SIGINT and waits for every process of the
 * group to let go of the output (SIGKILL after 60 s). Returns the output. npm itself dies of the
 * SIGINT at once, as at a terminal, so the script's own exit code is not npm's: its log says how it stopped.
 */
async function ctrlC(script: string, entry: string, env: NodeJS.ProcessEnv, started: string): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ctrl-c-busy-'));
  const preload = path.join(dir, 'busy.mjs');
  writeFileSync(preload, busyOnSignal(entry));
  const child = spawn('bash', ['-c', `npm run ${script}`], { cwd: REPO, env: { ...env, NODE_OPTIONS: `--import ${preload}` }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const group = child.pid ?? 0;
  let output = '';
  for (const stream of [child.stdout, child.stderr]) stream?.setEncoding('utf8').on('data', (d: string) => (output += d));
  // 'close': bash has exited and every process of the group has closed the pipes.
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const kill = setTimeout(() => process.kill(-group, 'SIGKILL'), 60_000);
  try {
    for (let waited = 0; !output.includes(`"message":"${started}"`); waited += 100) {
      if (waited > 30_000) throw new Error(`npm run ${script} did not log "${started}" in 30 s:\n${output}`);
      await sleep(100);
    }
    process.kill(-group, 'SIGINT');
    await closed;
    return output;
  } finally {
    clearTimeout(kill);
    try {
      process.kill(-group, 'SIGKILL');
    } catch {
      // all ended
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

const messages = (output: string): string[] =>
  output.split('\n').flatMap((l) => {
    try {
      return [(JSON.parse(l) as { message: string }).message];
    } catch {
      return [];
    }
  });

describe('Ctrl-C on npm run operator and npm run serve, while the process is busy', function () {
  this.timeout(90_000);
  let dir: string;
  let env: NodeJS.ProcessEnv;

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ctrl-c-'));
    const kubeconfig = path.join(dir, 'kubeconfig');
    // A cluster that answers nothing: the operator starts, waits for its caches, and stops.
    writeFileSync(kubeconfig, UNREACHABLE_KUBECONFIG);
    env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', KUBECONFIG: kubeconfig, INFERENCE_IMAGE: 'registry.test/inference:1', HTTP_PORT: '0', PORT: '0', HOST: '127.0.0.1', SHUTDOWN_DRAIN_DELAY_MS: '300' };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('npm run operator: finishes its shutdown and logs "operator stopped"', async () => {
    const output = await ctrlC('operator', 'scripts/operator.ts', env, 'operator started');
    const said = messages(output);
    expect(said, output).to.include.members(['signal received', 'stopping: finishing reconciles in flight', 'operator stopped']);
    expect(said.filter((m) => m === 'signal received'), 'one Ctrl-C, one signal').to.have.length(1);
  });

  it('npm run serve: drains and logs "stopped"', async () => {
    const output = await ctrlC('serve', 'inference/main.ts', env, 'listening');
    expect(messages(output), output).to.include.members(['shutting down', 'stopped']);
  });
});
