// What tools outside the project make of a RiskModel's status, asked of the tools themselves:
//   kstatusOf(obj)    — sigs.k8s.io/cli-utils' kstatus (Flux, kpt, Helm's --wait), through the small
//                       Go program in test/support/kstatus, built once per machine with `go build`
//                       (modules from the Go module proxy) into the local cluster's binary cache;
//   argoHealthOf(obj) — Argo CD's health check config/argocd/riskmodel-health.lua, run by Debian's
//                       lua5.1 (Argo CD's gopher-lua speaks Lua 5.1) with `obj` set as Argo CD sets it.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../../localcluster/config.js';
import { runProcess } from '../../scripts/lib/run-process.js';

const REPO_ROOT = path.join(import.meta.dirname, '../..');
const KSTATUS_SOURCE = path.join(REPO_ROOT, 'test/support/kstatus');
export const ARGO_HEALTH_SCRIPT = path.join(REPO_ROOT, 'config/argocd/riskmodel-health.lua');
export const LUA = '/usr/bin/lua5.1';

export interface ToolVerdict {
  status: string;
  message: string;
}

/** Builds the kstatus checker unless the cache has this source's build; returns its path. */
export async function ensureKstatusCheck(log: (line: string) => void = () => undefined): Promise<string> {
  const config = loadConfig();
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum', 'main.go']) hash.update(await readFile(path.join(KSTATUS_SOURCE, file)));
  const dir = path.join(config.cacheDir, `kstatus-check-${hash.digest('hex').slice(0, 12)}`);
  const binary = path.join(dir, 'kstatus-check');
  if (existsSync(binary)) return binary;
  const scratch = `${dir}.partial-${process.pid}`;
  await mkdir(scratch, { recursive: true });
  log(`building kstatus-check (sigs.k8s.io/cli-utils kstatus) with ${config.goBinary} build`);
  const built = await runProcess(config.goBinary, ['build', '-o', path.join(scratch, 'kstatus-check'), '.'], { cwd: KSTATUS_SOURCE });
  if (built.code !== 0) {
    await rm(scratch, { recursive: true, force: true });
    throw new Error(`go build of test/support/kstatus failed (exit ${built.code}):\n${built.stderr.slice(-4000)}`);
  }
  // Another process may have finished first; either build is of the same source.
  if (!existsSync(binary)) await rename(scratch, dir).catch(() => undefined);
  await rm(scratch, { recursive: true, force: true });
  return binary;
}

/** kstatus' verdict (Current, InProgress, Failed, …) on one object. */
export async function kstatusOf(obj: unknown): Promise<ToolVerdict> {
  const binary = await ensureKstatusCheck();
  const res = await runProcess(binary, [], { input: JSON.stringify(obj) });
  if (res.code !== 0) throw new Error(`kstatus-check failed: ${res.stderr}`);
  return JSON.parse(res.stdout.trim().split('\n')[0] ?? '{}') as ToolVerdict;
}

/** A Lua 5.1 literal of a JSON value (null becomes nil, which drops the key as Argo CD's decoding does). */
export function luaLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'string') return luaString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `{${value.map(luaLiteral).join(', ')}}`;
  const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `[${luaString(k)}] = ${luaLiteral(v)}`);
  return `{${entries.join(', ')}}`;
}

function luaString(s: string): string {
  // Lua 5.1 escapes: backslash, quote, and decimal \ddd for control characters.
  const escaped = [...s].map((ch) => {
    if (ch === '\\' || ch === '"') return `\\${ch}`;
    const code = ch.charCodeAt(0);
    return code < 32 ? `\\${String(code).padStart(3, '0')}` : ch;
  });
  return `"${escaped.join('')}"`;
}

/** Argo CD's health (Healthy, Progressing, Degraded, …) of one object, from config/argocd/riskmodel-health.lua. */
export async function argoHealthOf(obj: unknown): Promise<ToolVerdict> {
  const script = await readFile(ARGO_HEALTH_SCRIPT, 'utf8');
  const program = `obj = ${luaLiteral(obj)}\nlocal function health()\n${script}\nend\nlocal hs = health()\nio.write(hs.status, "\\t", hs.message or "")\n`;
  const res = await runProcess(LUA, ['-'], { input: program });
  if (res.code !== 0) throw new Error(`lua5.1 failed on config/argocd/riskmodel-health.lua: ${res.stderr}`);
  const [status = '', ...message] = res.stdout.split('\t');
  return { status, message: message.join('\t') };
}
