// JSON responses and the one error shape every route uses:
// {error, details: [{field, message}]}.

import type { ServerResponse } from 'node:http';
import type { FieldProblem, Rejection } from '../validation.js';

export interface ErrorBody {
  error: string;
  details: FieldProblem[];
  /** Set when there were more problems than `details` lists. */
  totalProblems?: number;
  /** Batch requests: rows with at least one problem. */
  invalidRows?: number;
}

/** An error that becomes a JSON response with its status; thrown by request handlers. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${status} ${body.error}`);
    this.name = 'HttpError';
  }
}

/** Shorthand for a one-detail HttpError. */
export function httpError(status: number, error: string, detail: FieldProblem, headers?: Record<string, string>): HttpError {
  return new HttpError(status, { error, details: [detail] }, headers);
}

/**
 * The 500 for a prediction whose probabilities or contributions are not finite numbers. The
 * request was valid; the model artifact is at fault (e.g. a standard deviation so small that
 * two features standardise to +∞ and −∞), so it is a server fault, never a 200 with nulls.
 */
export function nonFiniteScore(): HttpError {
  return httpError(500, 'the model produced a non-finite score', { field: 'model', message: 'the served model artifact yields a non-finite probability or contribution for this input' });
}

/** A 400 for a validation rejection: capped details, with the totals when capped or per row. */
export function invalidRequest(rejection: Rejection): HttpError {
  const body: ErrorBody = { error: 'invalid request', details: rejection.details };
  if (rejection.total > rejection.details.length) body.totalProblems = rejection.total;
  if (rejection.invalidRows !== undefined) body.invalidRows = rejection.invalidRows;
  return new HttpError(400, body);
}

/**
 * On every response. The CSP is the page's (it loads only its own files) and harmless on
 * JSON; frame-ancestors and X-Frame-Options keep the page out of other sites' frames.
 */
const CSP = "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy': CSP,
};

/** Writes `body` (JSON text, or its bytes) with its length. */
export function sendJsonText(res: ServerResponse, status: number, body: string | Buffer, headers?: Record<string, string>): void {
  const base = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.length,
    'cache-control': 'no-store',
    // SECURITY_HEADERS written out: a literal is cheaper than a spread, per response.
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'content-security-policy': CSP,
  };
  res.writeHead(status, headers ? { ...base, ...headers } : base);
  res.end(body);
}

/** Writes an HttpError as its JSON body. */
export function sendError(res: ServerResponse, err: HttpError): void {
  sendJsonText(res, err.status, JSON.stringify(err.body), err.headers);
}
