// JSON responses and the one error shape every route uses:
// {error, details: [{field, message}]}.

import type { ServerResponse } from 'node:http';
import type { FieldProblem } from '../validation.js';

export interface ErrorBody {
  error: string;
  details: FieldProblem[];
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

/** Writes `body` (JSON text, or its bytes) with its length. */
export function sendJsonText(res: ServerResponse, status: number, body: string | Buffer, headers?: Record<string, string>): void {
  const base = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.length,
    'cache-control': 'no-store',
  };
  res.writeHead(status, headers ? { ...base, ...headers } : base);
  res.end(body);
}

/** Writes an HttpError as its JSON body. */
export function sendError(res: ServerResponse, err: HttpError): void {
  sendJsonText(res, err.status, JSON.stringify(err.body), err.headers);
}
