// The express application: every route except the two prediction routes' fast path
// (server.ts), which mounts the same handlers. createApp never listens, so tests run it
// in-process.

import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'winston';
import { DEFAULT_LIMITS, DEFAULT_MODEL_NAME, type Limits } from '../config.js';
import { compileModel } from '../compiled-model.js';
import { createLogger } from '../logger.js';
import { vitalsGate } from '../validation.js';
import { transformOf } from '../features.js';
import { DriftMonitor } from '../drift/monitor.js';
import type { Model } from '../model.js';
import { SMOKE_HEADER } from '../schema.js';
import { buildOpenApi } from '../openapi.js';
import { Telemetry } from '../telemetry.js';
import type { Lifecycle, ServingContext } from './context.js';
import { createInferHandlers, createV2GetHandlers } from './oip-handlers.js';
import { examples } from './examples.js';
import { createPredictHandlers, type PredictHandlers, type RawHandler } from './predict-handlers.js';
import { discardUpload, hasBody } from './body.js';
import { HttpError, httpError, SECURITY_HEADERS, sendError, sendJsonText } from './respond.js';
import { allowedMethods, countsAsLoad, expressPath, matchRoute, ROUTES } from './routes.js';

export interface AppDeps {
  /** Default `patient-risk`. */
  modelName?: string;
  logger?: Logger;
  telemetry?: Telemetry;
  lifecycle?: Lifecycle;
  limits?: Limits;
  /** Folder served at `/`; defaults to inference/web/static beside this module. */
  staticDir?: string;
  /** Rows in the input drift window (default DEFAULT_DRIFT_WINDOW_ROWS); 0 turns drift tracking off. */
  driftWindowRows?: number;
}

export interface Serving {
  app: express.Express;
  ctx: ServingContext;
  handlers: PredictHandlers;
  /** Handlers that read the socket themselves, by "METHOD route"; both server paths mount them. */
  raw: ReadonlyMap<string, RawHandler>;
}

export const DEFAULT_STATIC_DIR = fileURLToPath(new URL('../web/static/', import.meta.url));

function routeLabel(req: Request, status: number): string {
  const match = matchRoute(req.originalUrl);
  if (match) return match.route;
  return status === 404 ? 'unmatched' : 'static';
}

/**
 * Security headers, `Connection: close` while draining, a bounded read of bodies no route
 * will read, and counting and logging of every request the raw handlers did not count;
 * smoke requests are not counted, probes and /metrics not as in flight.
 */
function track(ctx: ServingContext, raw: ReadonlyMap<string, RawHandler>) {
  const debug = ctx.logger.isLevelEnabled('debug');
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = performance.now();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    if (ctx.lifecycle.shuttingDown) res.setHeader('connection', 'close');
    const match = matchRoute(req.originalUrl);
    const isRaw = match !== undefined && raw.has(`${req.method} ${match.route}`);
    if (hasBody(req) && !isRaw) discardUpload(req, ctx.limits.predictBodyBytes);
    // Raw handlers count themselves, smoke requests included.
    if (isRaw || req.headers[SMOKE_HEADER] !== undefined) {
      next();
      return;
    }
    if (countsAsLoad(match?.route)) {
      ctx.telemetry.requestStarted();
      res.once('close', () => ctx.telemetry.requestEnded());
    }
    res.on('finish', () => {
      // A raw handler reached by a URL matchRoute did not map to it: it counted itself.
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

/**
 * The model card: everything about the model except its raw weights — the feature transform
 * (v1 artifacts: raw), the calibration (v1: null), and the hold-out metrics beside the
 * raw-feature baseline and the labelling rule's ceiling.
 */
export function modelCard(model: Model): Record<string, unknown> {
  const { version, format, classes, features, metrics, training } = model;
  return { version, format, classes, features, transform: transformOf(model), calibration: model.calibration ?? null, metrics, training };
}

/** GET /model: the model card, with this pod's input drift (see GET /drift) as `drift`. */
function modelCardWithDrift(ctx: ServingContext) {
  return (_req: Request, res: Response): void => sendJson(res, 200, { ...modelCard(ctx.model), drift: ctx.drift.report() });
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

const shown = (text: string): string => JSON.stringify(text.length > 100 ? `${text.slice(0, 100)}…` : text).slice(1, -1);

function notFoundOrWrongMethod(req: Request, res: Response): void {
  const match = matchRoute(req.originalUrl);
  const allowed = match && allowedMethods(match.route);
  if (allowed && !allowed.includes(req.method)) {
    const message = `${shown(req.method)} is not allowed on ${match.route}; allowed: ${allowed.join(', ')}`;
    sendError(res, httpError(405, 'method not allowed', { field: 'method', message }, { allow: allowed.join(', ') }));
    return;
  }
  const message = `no route ${shown(req.method)} ${shown(req.path)}; routes: ${Object.keys(ROUTES).join(', ')}`;
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
  const telemetry = deps.telemetry ?? new Telemetry(model);
  const drift = new DriftMonitor(model, deps.driftWindowRows);
  drift.register(telemetry.registry);
  return {
    model,
    modelName: deps.modelName ?? DEFAULT_MODEL_NAME,
    compiled: compileModel(model),
    gate: vitalsGate(model.features),
    limits: deps.limits ?? DEFAULT_LIMITS,
    telemetry,
    drift,
    logger: deps.logger ?? createLogger('silent'),
    lifecycle: deps.lifecycle ?? { ready: true, shuttingDown: false, startedAt: Date.now() },
  };
}

/** The app plus the shared context and prediction handlers (the fast path reuses them). */
export function createServing(model: Model, deps: AppDeps = {}): Serving {
  const ctx = context(model, deps);
  const handlers = createPredictHandlers(ctx);
  const raw = new Map<string, RawHandler>([['POST /predict', handlers.predict], ['POST /predict/batch', handlers.batch], ...createInferHandlers(ctx)]);
  const app = express();
  app.disable('x-powered-by');
  // Before the first route: the router reads it once. `/PREDICT` is not `/predict`.
  app.set('case sensitive routing', true);
  app.use(track(ctx, raw));
  // Raw handlers count their own requests (they also serve the fast path).
  for (const [key, handler] of raw) {
    const [method = '', route = ''] = key.split(' ');
    app[method.toLowerCase() as 'post'](expressPath(route), (req: Request, res: Response) => {
      res.locals.countedByHandler = true;
      handler(req, res);
    });
  }
  app.get('/healthz', (_req, res) => sendJson(res, 200, { status: 'ok' }));
  app.get('/readyz', readiness(ctx));
  app.get('/stats', stats(ctx));
  app.get('/metrics', metrics(ctx));
  app.get('/model', modelCardWithDrift(ctx));
  app.get('/drift', (_req, res) => sendJson(res, 200, ctx.drift.report()));
  app.get('/examples', examples);
  for (const [route, handler] of createV2GetHandlers(ctx)) app.get(expressPath(route), handler);
  const openapi = JSON.stringify(buildOpenApi(ctx.model, ctx.limits, ctx.modelName));
  app.get('/openapi.json', (_req, res) => sendJsonText(res, 200, openapi));
  // No directory redirects: they answer HTML; a directory without its slash is a JSON 404.
  const staticOptions = { index: 'index.html', redirect: false, setHeaders: (res: Response) => res.setHeader('cache-control', 'no-cache') };
  app.use(express.static(deps.staticDir ?? DEFAULT_STATIC_DIR, staticOptions));
  app.use(notFoundOrWrongMethod);
  app.use(errorHandler(ctx));
  return { app, ctx, handlers, raw };
}

/**
 * The express app for `model` without listening. Defaults: silent logger, own metrics
 * registry, ready lifecycle, default limits. Requests are answered by JSON, errors included.
 */
export function createApp(model: Model, deps: AppDeps = {}): express.Express {
  return createServing(model, deps).app;
}
