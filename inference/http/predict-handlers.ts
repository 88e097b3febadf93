// POST /predict and POST /predict/batch as plain node:http handlers. The fast path in
// server.ts calls them before express sees the request, and the express app mounts the
// same functions, so both paths behave identically.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { predict, type Prediction } from '../predict.js';
import { validateBatch, validateVitals } from '../validation.js';
import { parseJson, readBody, requireJson } from './body.js';
import { markRecorded, type ServingContext } from './context.js';
import { HttpError, sendJsonText } from './respond.js';

export type RawHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface PredictHandlers {
  predict: RawHandler;
  batch: RawHandler;
}

function invalid(details: HttpError['body']['details']): HttpError {
  return new HttpError(400, { error: 'invalid request', details });
}

function predictOne(ctx: ServingContext, body: unknown): string {
  const result = validateVitals(ctx.model.features, body);
  if (!result.ok) throw invalid(result.details);
  const prediction = predict(ctx.model, result.value);
  ctx.telemetry.recordPredictions(prediction.risk);
  return JSON.stringify(prediction);
}

function predictMany(ctx: ServingContext, body: unknown): string {
  const result = validateBatch(ctx.model, body, ctx.limits.batchMaxInstances);
  if (!result.ok) throw invalid(result.details);
  const counts = new Map<string, number>();
  const predictions: Prediction[] = result.value.map((vitals) => {
    const p = predict(ctx.model, vitals);
    counts.set(p.risk, (counts.get(p.risk) ?? 0) + 1);
    return p;
  });
  for (const [risk, n] of counts) ctx.telemetry.recordPredictions(risk, n);
  return JSON.stringify({ predictions });
}

interface Route {
  path: string;
  limit: (ctx: ServingContext) => number;
  compute: (ctx: ServingContext, body: unknown) => string;
}

function respond(ctx: ServingContext, debug: boolean, exchange: { req: IncomingMessage; res: ServerResponse; path: string; started: number }, outcome: { status: number; text: string; headers?: Record<string, string> }): void {
  const headers = ctx.lifecycle.shuttingDown ? { ...outcome.headers, connection: 'close' } : outcome.headers;
  sendJsonText(exchange.res, outcome.status, outcome.text, headers);
  markRecorded(exchange.res);
  const seconds = (performance.now() - exchange.started) / 1000;
  ctx.telemetry.recordRequest(exchange.path, 'POST', outcome.status, seconds);
  ctx.telemetry.recordPredictionLatency(seconds);
  if (debug) ctx.logger.debug('request', { method: 'POST', path: exchange.path, status: outcome.status, ms: seconds * 1000 });
}

function failure(ctx: ServingContext, err: unknown): { status: number; text: string; headers?: Record<string, string> } {
  if (err instanceof HttpError) return { status: err.status, text: JSON.stringify(err.body), headers: err.headers };
  ctx.logger.error('prediction failed', err);
  return { status: 500, text: JSON.stringify({ error: 'internal error', details: [] }) };
}

function handlerFor(ctx: ServingContext, route: Route): RawHandler {
  const debug = ctx.logger.isLevelEnabled('debug');
  return (req, res) => {
    const exchange = { req, res, path: route.path, started: performance.now() };
    try {
      requireJson(req);
    } catch (err) {
      req.resume();
      respond(ctx, debug, exchange, failure(ctx, err));
      return;
    }
    readBody(req, route.limit(ctx)).then(
      (text) => {
        let outcome;
        try {
          outcome = { status: 200, text: route.compute(ctx, parseJson(text)) };
        } catch (err) {
          outcome = failure(ctx, err);
        }
        respond(ctx, debug, exchange, outcome);
      },
      (err: unknown) => respond(ctx, debug, exchange, failure(ctx, err)),
    );
  };
}

/** The two prediction handlers bound to `ctx`; they never throw, every outcome is a JSON response. */
export function createPredictHandlers(ctx: ServingContext): PredictHandlers {
  return {
    predict: handlerFor(ctx, { path: '/predict', limit: (c) => c.limits.predictBodyBytes, compute: predictOne }),
    batch: handlerFor(ctx, { path: '/predict/batch', limit: (c) => c.limits.batchBodyBytes, compute: predictMany }),
  };
}
