// The express application: every route except the two prediction routes' fast path
// (server.ts), which mounts the same handlers. createApp never listens, so tests run it
// in-process.

import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'winston';
import { DEFAULT_LIMITS, type Limits } from '../config.js';
import { compileModel } from '../compiled-model.js';
import { createLogger } from '../logger.js';
import { vitalsGate } from '../validation.js';
import type { Model } from '../model.js';
import { buildOpenApi } from '../openapi.js';
import { Telemetry } from '../telemetry.js';
import type { Lifecycle, ServingContext } from './context.js';
import { examples } from './examples.js';
import { createPredictHandlers, type PredictHandlers, type RawHandler } from './predict-handlers.js';
import { HttpError, httpError, sendError, sendJsonText } from './respond.js';
import { allowedMethods, ROUTES } from './routes.js';

export interface AppDeps {
  logger?: Logger;
  telemetry?: Telemetry;
  lifecycle?: Lifecycle;
  limits?: Limits;
  /** Folder served at `/`; defaults to inference/web/static beside this module. */
  staticDir?: string;
}

export interface Serving {
  app: express.Express;
  ctx: ServingContext;
  handlers: PredictHandlers;
}

export const DEFAULT_STATIC_DIR = fileURLToPath(new URL('../web/static/', import.meta.url));

function routeLabel(req: Request, status: number): string {
  if (ROUTES[req.path]) return req.path;
  return status === 404 ? 'unmatched' : 'static';
}

/** Counts and logs every request the prediction handlers did not already count. */
function track(ctx: ServingContext) {
  const debug = ctx.logger.isLevelEnabled('debug');
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = performance.now();
    if (ctx.lifecycle.shuttingDown) res.setHeader('connection', 'close');
    res.on('finish', () => {
      if (res.locals.countedByHandler === true) return;
      const seconds = (performance.now() - started) / 1000;
      const route = routeLabel(req, res.statusCode);
      ctx.telemetry.recordRequest(route, req.method, res.statusCode, seconds);
      if (debug) ctx.logger.debug('request', { method: req.method, path: req.path, status: res.statusCode, ms: seconds * 1000 });
    });
    next();
  };
}

function sendJson(res: Response, status: number, body: unknown): void {
  sendJsonText(res, status, JSON.stringify(body));
}

function readiness(ctx: ServingContext) {
  return (_req: Request, res: Response): void => {
    const { ready, shuttingDown } = ctx.lifecycle;
    if (ready && !shuttingDown) {
      sendJson(res, 200, { status: 'ready', modelVersion: ctx.model.version });
      return;
    }
    const reason = shuttingDown ? 'shutting down: finishing in-flight requests' : 'model not loaded or smoke prediction not yet passed';
    sendError(res, httpError(503, 'not ready', { field: 'readiness', message: reason }));
  };
}

/** The model card: everything about the model except its raw weights. */
export function modelCard(model: Model): Record<string, unknown> {
  const { version, format, classes, features, metrics, training } = model;
  return { version, format, classes, features, metrics, training };
}

function stats(ctx: ServingContext) {
  return (_req: Request, res: Response): void => {
    sendJson(res, 200, {
      healthy: true,
      ready: ctx.lifecycle.ready && !ctx.lifecycle.shuttingDown,
      modelVersion: ctx.model.version,
      uptimeSeconds: (Date.now() - ctx.lifecycle.startedAt) / 1000,
      requestsServed: ctx.telemetry.requestsServed,
      latencyMs: ctx.telemetry.latency(),
    });
  };
}

function metrics(ctx: ServingContext) {
  return async (_req: Request, res: Response): Promise<void> => {
    const text = await ctx.telemetry.registry.metrics();
    res.status(200).set({ 'content-type': ctx.telemetry.registry.contentType, 'cache-control': 'no-store' }).send(text);
  };
}

function notFoundOrWrongMethod(req: Request, res: Response): void {
  const allowed = allowedMethods(req.path);
  if (allowed && !allowed.includes(req.method)) {
    const message = `${req.method} is not allowed on ${req.path}; allowed: ${allowed.join(', ')}`;
    sendError(res, httpError(405, 'method not allowed', { field: 'method', message }, { allow: allowed.join(', ') }));
    return;
  }
  const message = `no route ${req.method} ${req.path}; routes: ${Object.keys(ROUTES).join(', ')}`;
  sendError(res, httpError(404, 'not found', { field: 'path', message }));
}

function errorHandler(ctx: ServingContext) {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction): void => {
    const status = (err as { status?: unknown }).status;
    if (err instanceof HttpError) sendError(res, err);
    else if (typeof status === 'number' && status >= 400 && status < 500) {
      sendError(res, httpError(status, 'bad request', { field: 'request', message: (err as Error).message }));
    } else {
      ctx.logger.error('request failed', err);
      sendJson(res, 500, { error: 'internal error', details: [] });
    }
  };
}

function context(model: Model, deps: AppDeps): ServingContext {
  return {
    model,
    compiled: compileModel(model),
    gate: vitalsGate(model.features),
    limits: deps.limits ?? DEFAULT_LIMITS,
    telemetry: deps.telemetry ?? new Telemetry(model),
    logger: deps.logger ?? createLogger('silent'),
    lifecycle: deps.lifecycle ?? { ready: true, shuttingDown: false, startedAt: Date.now() },
  };
}

/** The app plus the shared context and prediction handlers (the fast path reuses them). */
export function createServing(model: Model, deps: AppDeps = {}): Serving {
  const ctx = context(model, deps);
  const handlers = createPredictHandlers(ctx);
  const app = express();
  app.disable('x-powered-by');
  app.use(track(ctx));
  // The prediction handlers count their own requests (they also serve the fast path).
  const counted = (handler: RawHandler) => (req: Request, res: Response) => {
    res.locals.countedByHandler = true;
    handler(req, res);
  };
  app.post('/predict', counted(handlers.predict));
  app.post('/predict/batch', counted(handlers.batch));
  app.get('/healthz', (_req, res) => sendJson(res, 200, { status: 'ok' }));
  app.get('/readyz', readiness(ctx));
  app.get('/stats', stats(ctx));
  app.get('/metrics', metrics(ctx));
  app.get('/model', (_req, res) => sendJson(res, 200, modelCard(ctx.model)));
  app.get('/examples', examples);
  const openapi = JSON.stringify(buildOpenApi(ctx.model, ctx.limits));
  app.get('/openapi.json', (_req, res) => sendJsonText(res, 200, openapi));
  app.use(express.static(deps.staticDir ?? DEFAULT_STATIC_DIR, { index: 'index.html', setHeaders: (res) => res.setHeader('cache-control', 'no-cache') }));
  app.use(notFoundOrWrongMethod);
  app.use(errorHandler(ctx));
  return { app, ctx, handlers };
}

/**
 * The express app for `model` without listening. Defaults: silent logger, own metrics
 * registry, ready lifecycle, default limits. Requests are answered by JSON, errors included.
 */
export function createApp(model: Model, deps: AppDeps = {}): express.Express {
  return createServing(model, deps).app;
}
