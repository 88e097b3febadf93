// Health probes over HTTP(S) on loopback, verifying TLS against the cluster CA.
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { GiveUp, waitFor } from './wait.js';

export interface ProbeTls {
  ca: string;
  cert: string;
  key: string;
}

/** Connects to a unix socket: 200 when something accepts, 0 otherwise (a daemon with no HTTP health endpoint). */
function probeSocket(file: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    const socket = net.connect(file);
    const done = (code: number): void => {
      socket.destroy();
      resolve(code);
    };
    socket.setTimeout(timeoutMs, () => done(0));
    socket.once('connect', () => done(200));
    socket.once('error', () => done(0));
  });
}

/** GETs `url` (or connects to a `unix://` socket) and resolves with the status code, or 0 when nothing answers. Never throws. */
export function probe(url: string, tls: ProbeTls, timeoutMs = 3000): Promise<number> {
  if (url.startsWith('unix://')) return probeSocket(url.slice('unix://'.length), timeoutMs);
  return new Promise((resolve) => {
    const done = (code: number): void => resolve(code);
    const options = url.startsWith('https:')
      ? { ca: readFileSync(tls.ca), cert: readFileSync(tls.cert), key: readFileSync(tls.key), timeout: timeoutMs }
      : { timeout: timeoutMs };
    const get = url.startsWith('https:') ? https.get : http.get;
    const req = get(url, options, (res) => {
      res.resume();
      done(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => done(0));
  });
}

/**
 * Polls `url` until it answers 200. `stillRunning` is checked between attempts so a component
 * that crashed fails fast instead of waiting out the timeout. Throws on timeout or crash.
 */
export async function waitHealthy(name: string, url: string, tls: ProbeTls, opts: { timeoutMs: number; stillRunning: () => boolean }): Promise<void> {
  let last = 0;
  const healthy = async (): Promise<boolean> => {
    last = await probe(url, tls);
    if (last !== 200 && !opts.stillRunning()) throw new GiveUp(`${name} exited while starting`);
    return last === 200;
  };
  await waitFor(healthy, { what: `${name} to become healthy`, timeoutMs: opts.timeoutMs, intervalMs: 250 }).catch((err: unknown) => {
    if (err instanceof GiveUp) throw err;
    throw new Error(`${name} did not become healthy within ${opts.timeoutMs / 1000} s (${url} last answered ${last || 'nothing'})`);
  });
}
