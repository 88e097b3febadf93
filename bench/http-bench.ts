// What the HTTP benches share: servers in their own processes, autocannon runs with the
// server's CPU time per request, figures on one line.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);

export interface BenchServer {
  child: ChildProcess;
  url: string;
}

/** Resolves with the port a child server prints in its JSON "listening" line. */
export function waitForPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout?.on('data', (d: Buffer) => {
      buffered += d.toString();
      for (const line of buffered.split('\n')) {
        if (!line.includes('"listening"')) continue;
        resolve((JSON.parse(line) as { port: number }).port);
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code})`)));
  });
}

/** The inference server (inference/main.ts) in its own process, with `env` added to ours. */
export async function startInference(env: Record<string, string> = {}): Promise<BenchServer> {
  const main = fileURLToPath(new URL('../inference/main.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return { child, url: `http://127.0.0.1:${await waitForPort(child)}` };
}

export interface Figures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** Server CPU time per request (Linux /proc), µs; NaN elsewhere. */
  cpuMicros: number;
}

/** User + system CPU time of a process in ms, from /proc (clock ticks of 10 ms). */
export function cpuMs(child: ChildProcess): number {
  const path = `/proc/${child.pid}/stat`;
  if (!existsSync(path)) return NaN;
  const fields = readFileSync(path, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Drives POST `path` with `body` for `seconds` (autocannon); the server's figures. */
export async function drive(server: BenchServer, path: string, body: string, { seconds, connections = CONNECTIONS }: { seconds: number; connections?: number }): Promise<Figures> {
  const before = cpuMs(server.child);
  const result = await autocannon({ url: `${server.url}${path}`, connections, duration: seconds, method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const cpuMicros = ((cpuMs(server.child) - before) * 1000) / result.requests.total;
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors, non2xx: result.non2xx, cpuMicros };
}

/** One run's figures on one line. */
export const fmt = (f: Figures): string =>
  `${f.rps.toFixed(0).padStart(7)} req/s   p50 ${f.p50.toFixed(0)} ms   p99 ${f.p99.toFixed(0)} ms   server CPU ${f.cpuMicros.toFixed(1)} µs/req${f.errors || f.non2xx ? `   errors ${f.errors} non-2xx ${f.non2xx}` : ''}`;

/** The median (upper middle for an even count). */
export const medianOf = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
