// Builds the upstream components from their Go wrapper modules into the version-keyed cache,
// once. A build writes into a scratch folder and is renamed into place only when complete, so an
// interrupted build is never mistaken for a finished one.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';
import type { Component } from './components.js';
import type { LocalClusterConfig } from './config.js';
import { withPidLock } from './lock.js';

export type Log = (line: string) => void;

const HEARTBEAT_MS = 15_000;

/** True when every executable of the component is in the cache. */
export function isBuilt(component: Component): boolean {
  return component.binaries.every((b) => existsSync(path.join(component.binDir, b)));
}

/** Formats milliseconds as `4m05s`. */
export function elapsed(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/**
 * Builds every component whose binaries are missing, one after the other (they compete for the
 * same cores). Returns the components that were built and how long each took. Throws when a
 * `go build` fails; its full output stays in `<cache>/<component>/build.log`.
 */
export async function ensureBuilt(config: LocalClusterConfig, list: Component[], log: Log): Promise<{ name: string; ms: number }[]> {
  const built: { name: string; ms: number }[] = [];
  for (const component of list) {
    if (isBuilt(component)) continue;
    const ms = await buildLocked(config, component, log);
    if (ms !== undefined) built.push({ name: `${component.name} ${component.version}`, ms });
  }
  return built;
}

/** Serialises builds of one component version across processes with a PID lock file. */
async function buildLocked(config: LocalClusterConfig, component: Component, log: Log): Promise<number | undefined> {
  await mkdir(component.cacheDir, { recursive: true });
  const lock = path.join(component.cacheDir, 'build.lock');
  // A build that finished while this process waited is not built again.
  return withPidLock(lock, { doing: `building ${component.name} ${component.version}`, pollMs: 5000, log }, async () =>
    isBuilt(component) ? undefined : goBuild(config, component, log));
}

async function goBuild(config: LocalClusterConfig, component: Component, log: Log): Promise<number> {
  const scratch = path.join(component.cacheDir, 'bin.partial');
  await rm(scratch, { recursive: true, force: true });
  await mkdir(scratch, { recursive: true });
  const tags = component.tags ? ['-tags', component.tags] : [];
  const args = ['build', '-v', '-trimpath', ...tags, '-ldflags', component.ldflags, '-o', `${scratch}/`, ...component.packages];
  const logPath = path.join(component.cacheDir, 'build.log');
  log(`building ${component.name} ${component.version} (${component.binaries.join(', ')}) from ${path.relative(config.repoRoot, component.moduleDir)}/`);
  log(`  ${config.goBinary} ${args.map((a) => (a.includes(' ') ? `"${a}"` : a)).join(' ')}`);
  log(`  full output: ${logPath}`);
  const started = Date.now();
  await runWithHeartbeat(config.goBinary, args, { cwd: component.moduleDir, logPath, label: component.name, started }, log);
  await rm(component.binDir, { recursive: true, force: true });
  await rename(scratch, component.binDir);
  const ms = Date.now() - started;
  log(`built ${component.name} ${component.version} in ${elapsed(ms)}`);
  return ms;
}

/**
 * The environment of `go build`: the caller's, with the compiler's garbage collector at GOGC=400
 * unless GOGC is set. The compiler's heap is short-lived, and collecting it a quarter as often cut
 * the CPU time of a cold etcd build by 10-15 % (two pairs of runs: 131 and 138 s user at the
 * default, 118 and 116 s at 400) for at most 440 MB peak instead of 300-420 MB: the cold builds
 * take most of a cold CI run, and the machines have memory to spare.
 */
export function buildEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, GOGC: env.GOGC || '400' };
}

interface RunOptions {
  cwd: string;
  logPath: string;
  label: string;
  started: number;
}

/** Runs `go build -v`, counting the packages it reports and printing a heartbeat line. */
function runWithHeartbeat(command: string, args: string[], options: RunOptions, log: Log): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(options.logPath);
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'], env: buildEnv(process.env) });
    let packages = 0;
    let last = '';
    const onLine = (line: string): void => {
      out.write(`${line}\n`);
      if (/^[\w.-]+(\/[\w.@~-]+)*$/.test(line)) {
        packages += 1;
        last = line;
      }
    };
    readline.createInterface({ input: child.stdout }).on('line', onLine);
    readline.createInterface({ input: child.stderr }).on('line', onLine);
    const timer = setInterval(() => {
      log(`  ${options.label}: ${packages} packages compiled, ${elapsed(Date.now() - options.started)} elapsed${last ? `, last ${last}` : ''}`);
    }, HEARTBEAT_MS);
    child.on('error', (err) => {
      clearInterval(timer);
      out.end();
      reject(new Error(`cannot run ${command}: ${err.message} (is Go installed and on PATH?)`));
    });
    child.on('close', (code) => {
      clearInterval(timer);
      out.end();
      if (code === 0) resolve();
      else reject(new Error(`go build of ${options.label} failed with exit code ${code}; see ${options.logPath}`));
    });
  });
}
