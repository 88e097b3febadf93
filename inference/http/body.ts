// Reading a JSON request body straight from the socket, with the content-type and size
// checks the API promises (415, 413, 400), for both the fast path and express.

import type { IncomingMessage } from 'node:http';
import { httpError } from './respond.js';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)"?/i;

const unsupported = (field: string, message: string) => httpError(415, 'unsupported media type', { field, message });

/**
 * Throws 415 unless the request declares a JSON body in UTF-8 (RFC 8259) without a content
 * coding: a gzip body would otherwise be parsed as text, and a UTF-16 one misread.
 */
export function requireJson(req: IncomingMessage): void {
  const type = req.headers['content-type'];
  if (type !== 'application/json') {
    if (type === undefined || !JSON_TYPE.test(type)) {
      throw unsupported('content-type', `must be application/json, got ${type === undefined ? 'none' : JSON.stringify(type.slice(0, 100))}`);
    }
    const charset = CHARSET.exec(type)?.[1]?.toLowerCase();
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      throw unsupported('content-type', `charset must be utf-8, got ${JSON.stringify(charset.slice(0, 40))}`);
    }
  }
  const coding = req.headers['content-encoding'];
  if (coding !== undefined && coding.toLowerCase() !== 'identity') {
    throw unsupported('content-encoding', `is not supported (send the body uncompressed), got ${JSON.stringify(coding.slice(0, 40))}`);
  }
}

/** The client gave up mid-request: its fault, counted apart from server errors. */
export class ClientAborted extends Error {
  override name = 'ClientAborted';
}

// A client whose body exceeds the route's limit still gets its answer read: this much of the
// rest is read and dropped, then the connection is cut.
const MIN_DISCARD_BYTES = 64 * 1024;

/**
 * Reads and drops what is left of a request body the server will not use, at most
 * max(`limit`, 64 KiB) bytes; beyond that it destroys the connection, so a 100 MiB upload
 * to a route that answered 404 or 415 is not read in full.
 */
export function discardUpload(req: IncomingMessage, limit: number): void {
  if (req.complete) return;
  const allowance = Math.max(limit, MIN_DISCARD_BYTES);
  let seen = 0;
  req.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > allowance) req.socket.destroy();
  });
  req.on('error', () => undefined);
  req.resume();
}

/** True if the request carries a body (declared length above 0, or chunked). */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

const tooLarge = (limit: number) => httpError(413, 'payload too large', { field: 'body', message: `must be at most ${limit} bytes` }, { connection: 'close' });

/**
 * Calls `done` once with the body as text, with a 413 HttpError as soon as it exceeds
 * `limit` bytes (declared or streamed), or with ClientAborted if the client broke off.
 * After a 413 a bounded part of the rest is discarded so the client can read the answer.
 * A callback, not a promise: this is the hot path.
 */
export function readBody(req: IncomingMessage, limit: number, done: (err: Error | undefined, text: string) => void): void {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    discardUpload(req, limit);
    done(tooLarge(limit), '');
    return;
  }
  // Callbacks are written inline (not as named consts) and share one state object: this
  // runs once per request, so closures and bookkeeping are kept to a minimum.
  const state = { first: undefined as Buffer | undefined, more: undefined as Buffer[] | undefined, size: 0, failed: false };
  req.on('data', (chunk: Buffer) => {
    state.size += chunk.length;
    if (state.failed) {
      if (state.size > limit + Math.max(limit, MIN_DISCARD_BYTES)) req.socket.destroy();
      return;
    }
    if (state.size > limit) {
      state.failed = true;
      state.first = state.more = undefined;
      done(tooLarge(limit), '');
    } else if (state.first === undefined) state.first = chunk;
    else (state.more ??= [state.first]).push(chunk);
  });
  req.on('end', () => {
    if (!state.failed) done(undefined, state.more ? Buffer.concat(state.more).toString('utf8') : (state.first?.toString('utf8') ?? ''));
  });
  req.on('error', (err) => {
    if (!state.failed) done(new ClientAborted(`client aborted the request body: ${err.message}`), '');
    state.failed = true;
  });
}

/** JSON.parse that throws 400 with the parser's reason. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw httpError(400, 'malformed JSON', { field: 'body', message: `is not valid JSON: ${(err as Error).message}` });
  }
}
