// POST /predict and POST /predict/batch as plain node:http handlers. The fast path in
// server.ts calls them before express sees the request, and the express app mounts the
// same functions, so both paths behave identically.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { SMOKE_HEADER, type Vitals } from '../schema.js';
import { validateBatch, validateVitals } from '../validation.js';
import { ClientAborted, discardUpload, parseJson, readBody, requireJson } from './body.js';
import type { RouteRecorder } from '../telemetry.js';
import type { ServingContext } from './context.js';
import { BufferPool } from './buffer-pool.js';
import { HttpError, invalidRequest, nonFiniteScore, sendJsonText } from './respond.js';
import { NonFiniteScore } from '../compiled-model.js';

export type RawHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface PredictHandlers {
  predict: RawHandler;
  batch: RawHandler;
}

/** What compute() gets besides the body: the route's buffer pool, the URL, whether the request is counted. */
export interface Call {
  pool: BufferPool | undefined;
  /** Carries the path parameters. */
  url: string;
  /** False for a smoke request: its rows feed neither predictions_total nor the drift window. */
  counted: boolean;
}

function predictOne(ctx: ServingContext, body: unknown, { counted }: Call): Buffer {
  if (!ctx.gate(body)) {
    const result = validateVitals(ctx.model.features, body);
    throw invalidRequest(result.ok ? { ok: false, details: [], total: 0 } : result);
  }
  const scored = ctx.compiled.score(body);
  // Small enough to come from Buffer's shared pool; a fresh slice, as the socket may hold it.
  const out = Buffer.allocUnsafe(ctx.compiled.maxJsonBytes);
  const end = ctx.compiled.writeJson(scored, out, 0);
  if (counted) {
    ctx.telemetry.recordPredictions(ctx.model.classes[scored.best] ?? '');
    ctx.drift.observe(body, scored.best);
  }
  return out.subarray(0, end);
}

function instancesOf(ctx: ServingContext, body: unknown): unknown[] | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const instances = (body as { instances?: unknown }).instances;
  const ok = Array.isArray(instances) && instances.length > 0 && instances.length <= ctx.limits.batchMaxInstances && Object.keys(body).length === 1;
  return ok ? (instances as unknown[]) : undefined;
}

const OPEN = '{"predictions":[';

/**
 * Scores every row and writes its JSON bytes straight into one response buffer: no
 * per-row strings, no re-encoding. The buffer comes from `pool`, which gets it back once
 * the response is sent.
 */
function predictMany(ctx: ServingContext, body: unknown, { pool, counted }: Call): Buffer {
  const rows = instancesOf(ctx, body);
  if (!rows || !rows.every(ctx.gate)) {
    const result = validateBatch(ctx.model, body, ctx.limits.batchMaxInstances);
    throw invalidRequest(result.ok ? { ok: false, details: [], total: 0 } : result);
  }
  const { compiled } = ctx;
  const counts = new Array<number>(ctx.model.classes.length).fill(0);
  const size = OPEN.length + rows.length * (compiled.maxJsonBytes + 1) + 2;
  const out = pool ? pool.take(size) : Buffer.allocUnsafe(size);
  const best = bestScratch(rows.length);
  let at = out.write(OPEN, 0, 'latin1');
  for (let i = 0; i < rows.length; i++) {
    if (i > 0) out[at++] = 0x2c; // ','
    const scored = compiled.score(rows[i] as Vitals);
    counts[scored.best] = (counts[scored.best] ?? 0) + 1;
    best[i] = scored.best;
    at = compiled.writeJson(scored, out, at);
  }
  at += out.write(']}', at, 'latin1');
  // Only once every row was written: a batch answered 500 feeds neither count.
  if (counted) recordBatch(ctx, rows, best, counts);
  return out.subarray(0, at);
}

function recordBatch(ctx: ServingContext, rows: readonly Vitals[], best: Uint8Array, counts: readonly number[]): void {
  counts.forEach((n, c) => n > 0 && ctx.telemetry.recordPredictions(ctx.model.classes[c] ?? '', n));
  if (ctx.drift.active) for (let i = 0; i < rows.length; i++) ctx.drift.observe(rows[i] as Vitals, best[i] as number);
}

// The predicted class of each row of the batch being scored; scoring is synchronous, so one
// buffer serves every request.
let bestRows = new Uint8Array(1024);
function bestScratch(rows: number): Uint8Array {
  if (bestRows.length < rows) bestRows = new Uint8Array(rows);
  return bestRows;
}

/** A POST route whose handler reads a JSON body and computes the answer from it. */
export interface BodyRoute {
  /** The route's template, its metrics label. */
  path: string;
  limit: (ctx: ServingContext) => number;
  /** The answer for a parsed body; throws HttpError for a 4xx. */
  compute: (ctx: ServingContext, body: unknown, call: Call) => string | Buffer;
  /** Where compute() takes its response buffers from. */
  pool?: BufferPool;
}


interface Outcome {
  status: number;
  text: string | Buffer;
  headers?: Record<string, string>;
  /** Set when `text` was taken from this pool. */
  pool?: BufferPool;
}

interface Exchange {
  res: ServerResponse;
  path: string;
  started: number;
  recorder: RouteRecorder;
  /** False for a smoke request (SMOKE_HEADER): answered, not counted. */
  counted: boolean;
}

const UNCOUNTED: RouteRecorder = { record: () => undefined };

function aborted(ctx: ServingContext, exchange: Exchange, err: ClientAborted): void {
  // Nothing to answer: the connection is gone, or Node's clientError handler answers it.
  exchange.recorder.record('aborted', (performance.now() - exchange.started) / 1000);
  if (exchange.counted) ctx.telemetry.requestEnded();
  ctx.logger.debug('client aborted', { path: exchange.path, reason: err.message });
}

function respond(ctx: ServingContext, debug: boolean, exchange: Exchange, outcome: Outcome): void {
  const headers = ctx.lifecycle.shuttingDown ? { ...outcome.headers, connection: 'close' } : outcome.headers;
  sendJsonText(exchange.res, outcome.status, outcome.text, headers);
  if (outcome.pool && typeof outcome.text !== 'string') outcome.pool.releaseAfter(exchange.res, outcome.text);
  const seconds = (performance.now() - exchange.started) / 1000;
  exchange.recorder.record(outcome.status, seconds);
  if (exchange.counted) {
    ctx.telemetry.requestEnded();
    ctx.telemetry.recordPredictionLatency(seconds);
  }
  if (debug) ctx.logger.debug('request', { method: 'POST', path: exchange.path, status: outcome.status, ms: seconds * 1000 });
}

function failure(ctx: ServingContext, thrown: unknown): Outcome {
  const err = thrown instanceof NonFiniteScore ? nonFiniteScore() : thrown;
  if (err instanceof HttpError && err.status >= 500) ctx.logger.error('prediction failed', { status: err.status, error: err.body.error });
  if (err instanceof HttpError) return { status: err.status, text: JSON.stringify(err.body), headers: err.headers };
  ctx.logger.error('prediction failed', err);
  return { status: 500, text: JSON.stringify({ error: 'internal error', details: [] }) };
}

function outcomeOf(ctx: ServingContext, route: BodyRoute, text: string, call: Call): Outcome {
  try {
    return { status: 200, text: route.compute(ctx, parseJson(text), call), pool: route.pool };
  } catch (err) {
    return failure(ctx, err);
  }
}

/**
 * A raw handler for `route`: content checks, bounded body, compute, JSON answer, metrics
 * (the in-flight gauge from start to answer or abort), none of them for a smoke request.
 */
export function handlerFor(ctx: ServingContext, route: BodyRoute): RawHandler {
  const debug = ctx.logger.isLevelEnabled('debug');
  const limit = route.limit(ctx);
  const recorder = ctx.telemetry.routeRecorder(route.path, 'POST');
  return (req, res) => {
    const counted = req.headers[SMOKE_HEADER] === undefined;
    const exchange: Exchange = { res, path: route.path, started: performance.now(), recorder: counted ? recorder : UNCOUNTED, counted };
    if (counted) ctx.telemetry.requestStarted();
    try {
      requireJson(req);
    } catch (err) {
      discardUpload(req, limit);
      respond(ctx, debug, exchange, failure(ctx, err));
      return;
    }
    readBody(req, limit, (err, text) => {
      if (err instanceof ClientAborted) aborted(ctx, exchange, err);
      else respond(ctx, debug, exchange, err ? failure(ctx, err) : outcomeOf(ctx, route, text, { pool: route.pool, url: req.url ?? '', counted }));
    });
  };
}

/** The two prediction handlers bound to `ctx`; they never throw, every outcome is a JSON response. */
export function createPredictHandlers(ctx: ServingContext): PredictHandlers {
  return {
    predict: handlerFor(ctx, { path: '/predict', limit: (c) => c.limits.predictBodyBytes, compute: predictOne }),
    batch: handlerFor(ctx, { path: '/predict/batch', limit: (c) => c.limits.batchBodyBytes, compute: predictMany, pool: new BufferPool() }),
  };
}
