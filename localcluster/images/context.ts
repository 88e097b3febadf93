// What a Dockerfile build depends on, reduced to one hash: the Dockerfile, its build arguments and
// the content of every file its COPY/ADD instructions take from the build context (after
// .dockerignore), so an image is rebuilt exactly when one of those changes.
import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import ignoreModule from '@balena/dockerignore';

/** Dockerfile lines with continuations joined and comments dropped. */
function logicalLines(dockerfile: string): string[] {
  return dockerfile
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/**
 * The build-context paths that COPY and ADD instructions read, in order of appearance. Copies
 * from another stage (`--from=`) are not context files; the destination is not a source.
 * Handles the shell form and the JSON (exec) form.
 */
export function copySources(dockerfile: string): string[] {
  const sources: string[] = [];
  for (const line of logicalLines(dockerfile)) {
    const m = /^(COPY|ADD)\s+(.*)$/i.exec(line);
    if (!m) continue;
    let rest = m[2]!;
    const flags: string[] = [];
    for (let f = /^--(\S+)\s+/.exec(rest); f; f = /^--(\S+)\s+/.exec(rest)) {
      flags.push(f[1]!);
      rest = rest.slice(f[0].length);
    }
    if (flags.some((f) => f.startsWith('from='))) continue;
    const args = rest.startsWith('[') ? (JSON.parse(rest) as string[]) : rest.split(/\s+/);
    sources.push(...args.slice(0, -1));
  }
  return sources;
}

/** Every regular file under `rel` (a file or a folder) in `root`, as sorted POSIX paths relative to root. */
async function walk(root: string, rel: string): Promise<string[]> {
  const full = path.join(root, rel);
  const info = await stat(full).catch(() => undefined);
  if (!info) throw new Error(`COPY source ${rel} does not exist in the build context ${root}`);
  if (!info.isDirectory()) return [rel];
  const out: string[] = [];
  for (const entry of (await readdir(full)).sort()) out.push(...(await walk(root, path.posix.join(rel, entry))));
  return out;
}

/**
 * The context files a Dockerfile copies, filtered through `.dockerignore` text the way the
 * builder filters the context it sends. Sorted, without duplicates. Throws when a source is missing.
 */
export async function contextFiles(contextDir: string, sources: string[], ignoreText: string): Promise<string[]> {
  const ig = ignoreModule.default({ ignorecase: false }).add(ignoreText);
  const files = new Set<string>();
  for (const source of sources) {
    const rel = path.posix.normalize(source.replace(/^\/+/, '')).replace(/\/$/, '');
    if (rel === '.') throw new Error('COPY of the whole context is not supported by the image key; list the folders instead');
    for (const file of await walk(contextDir, rel)) if (!ig.ignores(file)) files.add(file);
  }
  return [...files].sort();
}

/** What one image's key is computed from. */
export interface KeyInput {
  dockerfile: string;
  buildArgs: Record<string, string>;
  /** Context-relative path -> content. */
  files: Map<string, Buffer>;
}

/** sha256 (hex) over the Dockerfile, the build arguments (sorted by name) and each file's path and content. */
export function imageKey(input: KeyInput): string {
  const h = createHash('sha256');
  const field = (s: string | Buffer): void => {
    h.update(`${Buffer.byteLength(s)}:`);
    h.update(s);
  };
  field(input.dockerfile);
  for (const name of Object.keys(input.buildArgs).sort()) field(`${name}=${input.buildArgs[name]}`);
  for (const file of [...input.files.keys()].sort()) {
    field(file);
    field(input.files.get(file)!);
  }
  return h.digest('hex');
}

/** Reads the Dockerfile, its copied files and `.dockerignore`, and returns the image key. */
export async function dockerfileKey(contextDir: string, dockerfile: string, buildArgs: Record<string, string>): Promise<string> {
  const text = await readFile(path.join(contextDir, dockerfile), 'utf8');
  const ignore = await readFile(path.join(contextDir, '.dockerignore'), 'utf8').catch(() => '');
  const files = new Map<string, Buffer>();
  for (const file of await contextFiles(contextDir, copySources(text), ignore)) files.set(file, await readFile(path.join(contextDir, file)));
  return imageKey({ dockerfile: text, buildArgs, files });
}
