// The HTTP server: a node:http listener that answers POST /predict and /predict/batch
// itself (express costs ~4× more per request than the scoring) and hands everything else
// to the express app. Also readiness, socket limits and graceful shutdown.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_CONNECTIONS, type ConnectionLimits, type LogLevel } from './config.js';
import { defaultModel } from './default-model.js';
import { createLogger } from './logger.js';
import type { Model } from './model.js';
import { predict } from './predict.js';
import { SMOKE_PATIENT } from './schema.js';
import { createServing, type AppDeps, type Serving } from './http/app.js';
import { ConnectionTracker, type DrainPlan } from './http/connections.js';
import { answerClientError } from './http/client-error.js';
import { matchRoute } from './http/routes.js';

export interface ServerDeps extends AppDeps {
  connections?: ConnectionLimits;
}

export interface InferenceServer {
  server: http.Server;
  serving: Serving;
  /** Runs the smoke prediction and, if it passes, turns readiness on; throws otherwise. */
  markReady(): void;
  /**
   * Readiness off at once, keep serving for `drainDelayMs`, then stop accepting and let
   * in-flight requests finish (keep-alive connections close after their next response).
   * Resolves true once every connection closed, false if `graceMs` ran out and the rest
   * were cut.
   */
  shutdown(plan: DrainPlan): Promise<boolean>;
}

/**
 * Predicts a typical patient and checks the output is one the routes would serve: a proper
 * distribution and finite per-vital contributions (a route answers 500 otherwise, so a pod
 * passing this with non-finite contributions would be Ready and fail every request). Throws if not.
 */
export function smokePrediction(model: Model): void {
  const p = predict(model, SMOKE_PATIENT);
  const probabilities = Object.values(p.probabilities);
  const total = probabilities.reduce((s, x) => s + x, 0);
  const finite = [...probabilities, ...Object.values(p.contributions)].every((x) => Number.isFinite(x));
  if (!model.classes.includes(p.risk) || !finite || Math.abs(total - 1) > 1e-9) {
    throw new Error(`smoke prediction failed: ${JSON.stringify(p)}`);
  }
}

/** A server for `model` (not yet listening); readiness starts off unless deps.lifecycle says otherwise. */
export function createInferenceServer(model: Model, deps: ServerDeps = {}): InferenceServer {
  const lifecycle = deps.lifecycle ?? { ready: false, shuttingDown: false, startedAt: Date.now() };
  const serving = createServing(model, { ...deps, lifecycle });
  const { raw } = serving;
  const limits = deps.connections ?? DEFAULT_CONNECTIONS;
  const options: http.ServerOptions = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node checks the two timeouts above this often (default 30 s, which triples them).
    connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
  };
  const tracker = new ConnectionTracker(lifecycle);
  const server = http.createServer(options, (req, res) => {
    tracker.begin(req, res);
    const match = matchRoute(req.url ?? '/');
    const handler = match && raw.get(`${req.method} ${match.route}`);
    if (handler) handler(req, res);
    else serving.app(req, res);
  });
  server.maxConnections = limits.maxConnections;
  server.on('clientError', answerClientError(serving.ctx));
  server.on('drop', () => serving.ctx.telemetry.recordDroppedConnection());
  tracker.watch(server);
  return {
    server,
    serving,
    markReady: () => {
      smokePrediction(model);
      lifecycle.ready = true;
    },
    shutdown: (plan) => tracker.drain(plan),
  };
}

/** Listens and resolves with the bound address. */
export function listen(server: http.Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

export interface StartOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default: the deterministic default model (trained once per process). */
  model?: Model;
  logLevel?: LogLevel | 'silent';
  staticDir?: string;
}

export interface StartedServer {
  url: string;
  inference: InferenceServer;
  close(): Promise<void>;
}

/** Starts a ready server in-process (tests, the web page's browser test); `close()` drains it. */
export async function startServer(opts: StartOptions = {}): Promise<StartedServer> {
  const model = opts.model ?? defaultModel();
  const deps: AppDeps = { logger: createLogger(opts.logLevel ?? 'silent') };
  if (opts.staticDir) deps.staticDir = opts.staticDir;
  const inference = createInferenceServer(model, deps);
  const address = await listen(inference.server, opts.port ?? 0, opts.host ?? '127.0.0.1');
  inference.markReady();
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    inference,
    close: async () => {
      await inference.shutdown({ drainDelayMs: 0, graceMs: 5000 });
    },
  };
}
