// A connect check before a load test, so "nothing is listening" is one clear message
// instead of thousands of connection errors over the whole run.

import { connect } from 'node:net';

/**
 * Resolves when a TCP connection to the URL's host and port opens within `timeoutMs`;
 * otherwise rejects with an Error saying what could not be reached and why.
 */
export function checkListening(url: URL, timeoutMs = 3000): Promise<void> {
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const fail = (reason: string): void => {
      socket.destroy();
      reject(new Error(`cannot connect to ${host}:${port} (${reason}): is the server (npm run serve) or the port-forward running?`));
    };
    socket.setTimeout(timeoutMs, () => fail(`no answer within ${timeoutMs} ms`));
    socket.once('error', (err: NodeJS.ErrnoException) => fail(err.code ?? err.message));
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
  });
}
