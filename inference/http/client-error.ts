// Answers to requests Node rejects before any handler runs (unparsable request line or
// headers, headers too large, a request that took too long): JSON like every other error,
// where Node's default writes an empty body.

import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ServingContext } from './context.js';
import { SECURITY_HEADERS } from './respond.js';

function statusOf(code: string | undefined): number {
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  return 400;
}

const MESSAGES: Record<number, string> = {
  400: 'is not a valid HTTP/1.1 request',
  408: 'was not received in time; send the headers and body without pausing',
  431: 'has headers larger than the server accepts',
};

/** The raw HTTP response for a client error: status line, JSON headers, `Connection: close`. */
export function clientErrorResponse(code: string | undefined): string {
  const status = statusOf(code);
  const body = JSON.stringify({ error: (STATUS_CODES[status] ?? 'bad request').toLowerCase(), details: [{ field: 'request', message: MESSAGES[status] }] });
  const headers = { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)), 'cache-control': 'no-store', ...SECURITY_HEADERS, connection: 'close' };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${lines.join('')}\r\n${body}`;
}

/** A `clientError` listener for an http.Server: answers JSON when it still can, counts it. */
export function answerClientError(ctx: ServingContext) {
  return (err: NodeJS.ErrnoException, socket: Duplex): void => {
    // Node's own handler makes the same check: a response already under way cannot get a
    // second status line, and a reset socket cannot be written at all.
    const pending = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || pending?.headersSent) {
      socket.destroy();
      return;
    }
    // A request a handler already started is counted by that handler (as aborted).
    if (!pending) ctx.telemetry.recordRequest('unmatched', 'other', statusOf(err.code), 0);
    socket.end(clientErrorResponse(err.code));
  };
}
