// /healthz, /readyz and /metrics on one port (node:http: three routes need no framework).

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OperatorMetrics } from './metrics.js';

export interface Probes {
  /**
   * Alive: false once the operator is shutting down. Not tied to the watches: a failed or silent
   * watch is restarted by its reflector, and a kubelet restart would not fix an unreachable API server.
   */
  healthy(): boolean;
  /** Ready: caches synced; a standby replica is ready too, so rollouts of the operator proceed. */
  ready(): boolean;
}

export interface HttpServer {
  port: number;
  close(): Promise<void>;
}

/** Listens on host:port (0 = any free port) and resolves with the bound port. */
export async function startHttpServer(host: string, port: number, probes: Probes, metrics: OperatorMetrics): Promise<HttpServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (code: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(code, { 'Content-Type': type }).end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'method not allowed\n');
    if (path === '/healthz') return probes.healthy() ? reply(200, 'ok\n') : reply(503, 'unhealthy\n');
    if (path === '/readyz') return probes.ready() ? reply(200, 'ok\n') : reply(503, 'caches not synced\n');
    if (path === '/metrics') {
      metrics.registry.metrics().then(
        (text) => reply(200, text, metrics.registry.contentType),
        (err: Error) => reply(500, `${err.message}\n`),
      );
      return;
    }
    reply(404, 'not found\n');
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
