// Reading a JSON request body straight from the socket, with the content-type and size
// checks the API promises (415, 413, 400), for both the fast path and express.

import type { IncomingMessage } from 'node:http';
import { httpError } from './respond.js';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/** Throws 415 unless the request declares a JSON body. */
export function requireJson(req: IncomingMessage): void {
  const type = req.headers['content-type'];
  if (type === undefined || !JSON_TYPE.test(type)) {
    const got = type === undefined ? 'none' : JSON.stringify(type);
    throw httpError(415, 'unsupported media type', { field: 'content-type', message: `must be application/json, got ${got}` });
  }
}

const tooLarge = (limit: number) => httpError(413, 'payload too large', { field: 'body', message: `must be at most ${limit} bytes` }, { connection: 'close' });

/**
 * The body as text, rejecting with 413 as soon as it exceeds `limit` bytes (declared or
 * streamed). After a 413 the rest of the upload is discarded so the client can read the answer.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > limit) {
      req.resume();
      reject(tooLarge(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.resume();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
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
