// Reading a JSON request body straight from the socket, with the content-type and size
// checks the API promises (415, 413, 400), for both the fast path and express.

import type { IncomingMessage } from 'node:http';
import { httpError } from './respond.js';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/** Throws 415 unless the request declares a JSON body. */
export function requireJson(req: IncomingMessage): void {
  const type = req.headers['content-type'];
  if (type !== 'application/json' && (type === undefined || !JSON_TYPE.test(type))) {
    const got = type === undefined ? 'none' : JSON.stringify(type);
    throw httpError(415, 'unsupported media type', { field: 'content-type', message: `must be application/json, got ${got}` });
  }
}

const tooLarge = (limit: number) => httpError(413, 'payload too large', { field: 'body', message: `must be at most ${limit} bytes` }, { connection: 'close' });

/**
 * Calls `done` once with the body as text, or with a 413 HttpError as soon as it exceeds
 * `limit` bytes (declared or streamed). After a 413 the rest of the upload is discarded
 * so the client can read the answer. A callback, not a promise: this is the hot path.
 */
export function readBody(req: IncomingMessage, limit: number, done: (err: Error | undefined, text: string) => void): void {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    req.resume();
    done(tooLarge(limit), '');
    return;
  }
  // Callbacks are written inline (not as named consts) and share one state object: this
  // runs once per request, so closures and bookkeeping are kept to a minimum.
  const state = { first: undefined as Buffer | undefined, more: undefined as Buffer[] | undefined, size: 0, failed: false };
  req.on('data', (chunk: Buffer) => {
    if (state.failed) return;
    state.size += chunk.length;
    if (state.size > limit) {
      state.failed = true;
      done(tooLarge(limit), '');
    } else if (state.first === undefined) state.first = chunk;
    else (state.more ??= [state.first]).push(chunk);
  });
  req.on('end', () => {
    if (!state.failed) done(undefined, state.more ? Buffer.concat(state.more).toString('utf8') : (state.first?.toString('utf8') ?? ''));
  });
  req.on('error', (err) => {
    if (!state.failed) done(err, '');
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
