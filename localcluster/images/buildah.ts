// buildah, daemonless and registry-free: every call uses the project's own storage (so the
// machine's default image store is left alone) and streams its output to a log file, echoing
// the step lines with the time elapsed since the image's build started.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { elapsed, type Log } from '../build.js';
import type { ImagesConfig } from '../config.js';

const HEARTBEAT_MS = 15_000;

/** buildah's global flags for the project's storage: overlay under the cache folder. */
export function storageFlags(images: Pick<ImagesConfig, 'storageRoot' | 'runRoot'>): string[] {
  return ['--root', images.storageRoot, '--runroot', images.runRoot, '--storage-driver', 'overlay'];
}

/** Lines worth echoing while a build runs: buildah's steps and mmdebstrap's phases. */
export function isProgressLine(line: string): boolean {
  return /^((\[\d+\/\d+\] )?STEP \d+\/\d+:|COMMIT |I: (running apt-get update|downloading|extracting|installing|creating tarball))/.test(line);
}

/** How one command's output is reported. */
export interface Progress {
  label: string;
  started: number;
  logPath: string;
  log: Log;
}

/**
 * Runs a command, appending its output to `progress.logPath` and echoing progress lines (plus a
 * heartbeat when quiet). Resolves with stdout; rejects naming `name` and the log when the exit code is not 0.
 */
export function runLogged(command: string, args: string[], progress: Progress, options: { name?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const name = options.name ?? `${command} ${args[0] ?? ''}`;
  return new Promise((resolve, reject) => {
    const out = createWriteStream(progress.logPath, { flags: 'a' });
    out.write(`$ ${command} ${args.join(' ')}\n`);
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env });
    let stdout = '';
    let quietSince = Date.now();
    const say = (line: string): void => progress.log(`  ${progress.label.padEnd(10)} ${elapsed(Date.now() - progress.started).padStart(6)}  ${line}`);
    const onLine = (line: string): void => {
      out.write(`${line}\n`);
      if (!isProgressLine(line)) return;
      quietSince = Date.now();
      say(line.length > 110 ? `${line.slice(0, 107)}...` : line);
    };
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    readline.createInterface({ input: child.stdout }).on('line', onLine);
    readline.createInterface({ input: child.stderr }).on('line', onLine);
    const timer = setInterval(() => {
      if (Date.now() - quietSince >= HEARTBEAT_MS) say('... still running');
    }, HEARTBEAT_MS);
    const finish = (err?: Error): void => {
      clearInterval(timer);
      out.end(() => (err ? reject(err) : resolve(stdout)));
    };
    child.on('error', (err) => finish(new Error(`cannot run ${command}: ${err.message} (run scripts/setup.sh to install it)`)));
    child.on('close', (code) => finish(code === 0 ? undefined : new Error(`${name} failed with exit code ${code}; see ${progress.logPath}`)));
  });
}

/** buildah's temporary folder, which also holds `RUN --mount=type=cache` folders (the shared npm cache). */
export const buildahTmpDir = (images: Pick<ImagesConfig, 'dir'>): string => path.join(images.dir, 'tmp');

/**
 * Runs buildah with the project's storage flags and TMPDIR under the cache folder (buildah keeps
 * its cache mounts there, instead of /var/tmp); resolves with trimmed stdout.
 */
export function buildah(images: ImagesConfig, args: string[], progress: Progress): Promise<string> {
  const env = { ...process.env, TMPDIR: buildahTmpDir(images) };
  return runLogged('buildah', [...storageFlags(images), ...args], progress, { name: `buildah ${args[0] ?? ''}`, env }).then((s) => s.trim());
}

/** True when the image reference exists in the project's buildah storage. */
export async function hasImage(images: ImagesConfig, ref: string, progress: Progress): Promise<boolean> {
  return buildah(images, ['inspect', '--type', 'image', '--format', '{{.FromImageID}}', ref], progress).then(
    () => true,
    () => false,
  );
}
