// The Open Inference Protocol (V2) REST routes for the one model this server serves.
// Inference is a raw handler (both server paths mount it, like /predict/batch); metadata
// and health are plain handlers the express app mounts.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { modelMetadata, serverMetadata } from '../oip/metadata.js';
import { parseInferRequest } from '../oip/request.js';
import { responseWriter, scoreMatrix, type Scores } from '../oip/response.js';
import type { Rejection } from '../validation.js';
import { BufferPool } from './buffer-pool.js';
import type { ServingContext } from './context.js';
import { handlerFor, type Call, type RawHandler } from './predict-handlers.js';
import { HttpError, httpError, nonFiniteScore, sendError, sendJsonText } from './respond.js';
import { allFinite } from '../compiled-model.js';
import { matchRoute } from './routes.js';

export const V2_INFER = '/v2/models/{name}/infer';
export const V2_INFER_VERSIONED = '/v2/models/{name}/versions/{version}/infer';

/** Throws 404 unless the URL names the served model (and, if given, its version). */
function checkModel(ctx: ServingContext, url: string): void {
  const params = matchRoute(url)?.params ?? {};
  const show = (s: string | undefined) => JSON.stringify((s ?? '').slice(0, 100));
  if (params.name !== ctx.modelName) {
    throw httpError(404, `unknown model ${show(params.name)}; this server serves ${show(ctx.modelName)}`, { field: 'name', message: `must be ${show(ctx.modelName)}` });
  }
  if (params.version !== undefined && params.version !== ctx.model.version) {
    throw httpError(404, `unknown version ${show(params.version)} of model ${show(ctx.modelName)}; it has ${show(ctx.model.version)}`, { field: 'version', message: `must be ${show(ctx.model.version)}` });
  }
}

function invalidInference(rejection: Rejection): HttpError {
  const [first] = rejection.details;
  const more = rejection.total > 1 ? ` (and ${rejection.total - 1} more problem${rejection.total > 2 ? 's' : ''}, listed in details)` : '';
  const body = { error: `invalid inference request: ${first ? `${first.field} ${first.message}` : 'rejected'}${more}`, details: rejection.details } as HttpError['body'];
  if (rejection.total > rejection.details.length) body.totalProblems = rejection.total;
  return new HttpError(400, body);
}

function inferRoute(path: string, pool: BufferPool) {
  return {
    path,
    limit: (c: ServingContext) => c.limits.batchBodyBytes,
    pool,
    compute: (ctx: ServingContext, body: unknown, { pool: taken, url, counted }: Call): Buffer => {
      checkModel(ctx, url);
      const parsed = parseInferRequest(body, ctx.model.features, ctx.limits.batchMaxInstances);
      if (!parsed.ok) throw invalidInference(parsed);
      const scores = scoreMatrix(ctx.compiled, parsed.value);
      // Also when only `risk` is asked for: the class picked from NaN scores is meaningless.
      if (!allFinite(scores.probabilities)) throw nonFiniteScore();
      if (counted) record(ctx, parsed.value.matrix, scores);
      return write(ctx)(parsed.value, scores, taken);
    },
  };
}

/** predictions_total and the drift window, for every row of a scored request. */
function record(ctx: ServingContext, matrix: ArrayLike<number>, scores: Scores): void {
  const counts = new Array<number>(ctx.model.classes.length).fill(0);
  for (let r = 0; r < scores.rows; r++) counts[scores.best[r] as number] = (counts[scores.best[r] as number] ?? 0) + 1;
  counts.forEach((n, c) => n > 0 && ctx.telemetry.recordPredictions(ctx.model.classes[c] ?? '', n));
  if (ctx.drift.active) for (let r = 0; r < scores.rows; r++) ctx.drift.observeMatrixRow(matrix, r, scores.best[r] as number);
}

const writers = new WeakMap<ServingContext, ReturnType<typeof responseWriter>>();
function write(ctx: ServingContext): ReturnType<typeof responseWriter> {
  let writer = writers.get(ctx);
  if (!writer) writers.set(ctx, (writer = responseWriter({ modelName: ctx.modelName, modelVersion: ctx.model.version, classes: ctx.model.classes })));
  return writer;
}

/** The two inference handlers ("POST route" → handler); they never throw. */
export function createInferHandlers(ctx: ServingContext): Array<[string, RawHandler]> {
  const pool = new BufferPool();
  return [V2_INFER, V2_INFER_VERSIONED].map((path) => [`POST ${path}`, handlerFor(ctx, inferRoute(path, pool))]);
}

type Plain = (req: IncomingMessage, res: ServerResponse) => void;

const sendJson = (res: ServerResponse, body: unknown): void => sendJsonText(res, 200, JSON.stringify(body));

function guarded(ctx: ServingContext, answer: (req: IncomingMessage, res: ServerResponse) => void): Plain {
  return (req, res) => {
    try {
      checkModel(ctx, req.url ?? '');
      answer(req, res);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      sendError(res, err);
    }
  };
}

const isReady = (ctx: ServingContext): boolean => ctx.lifecycle.ready && !ctx.lifecycle.shuttingDown;

function notReady(ctx: ServingContext): HttpError {
  const reason = ctx.lifecycle.shuttingDown ? 'shutting down: finishing in-flight requests' : 'model not loaded or smoke prediction not yet passed';
  return httpError(503, `model ${JSON.stringify(ctx.modelName)} is not ready: ${reason}`, { field: 'readiness', message: reason });
}

/** GET routes by template: server metadata and health, model metadata and readiness. */
export function createV2GetHandlers(ctx: ServingContext): Array<[string, Plain]> {
  // Per request: the drift parameters change as rows are scored.
  const metadata: Plain = (_req, res) => sendJson(res, modelMetadata(ctx.model, ctx.modelName, ctx.drift.report()));
  const ready: Plain = (_req, res) => (isReady(ctx) ? sendJson(res, { name: ctx.modelName, ready: true }) : sendError(res, notReady(ctx)));
  return [
    ['/v2', (_req, res) => sendJson(res, serverMetadata())],
    ['/v2/health/live', (_req, res) => sendJson(res, { live: true })],
    ['/v2/health/ready', (_req, res) => (isReady(ctx) ? sendJson(res, { ready: true }) : sendError(res, notReady(ctx)))],
    ['/v2/models/{name}', guarded(ctx, metadata)],
    ['/v2/models/{name}/versions/{version}', guarded(ctx, metadata)],
    ['/v2/models/{name}/ready', guarded(ctx, ready)],
    ['/v2/models/{name}/versions/{version}/ready', guarded(ctx, ready)],
  ];
}
