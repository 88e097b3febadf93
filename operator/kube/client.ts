// A small JSON REST client for the Kubernetes API (credentials from ./credentials.ts). Requests
// go over one keep-alive agent (watches over another), because client-node's generated clients build a new agent (and
// so a new TLS handshake) per request and deserialize into class instances whose Date fields
// differ from what watches deliver. Every object here is the API server's plain JSON.

import http from 'node:http';
import https from 'node:https';
import { ApiError } from '../errors.js';
import type { Credentials } from './credentials.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestSpec {
  method: Method;
  path: string;
  query?: Query;
  body?: unknown;
  contentType?: string;
  /** 'text': resolve with the body unparsed, e.g. a pod's /metrics through the API server's proxy. Default 'json'. */
  responseType?: 'json' | 'text';
  /** Reject (and drop the connection) once the response body exceeds this many bytes. Default: no limit. */
  maxResponseBytes?: number;
  /** Extra request headers (the pod proxy passes them on to the pod). */
  headers?: Readonly<Record<string, string>>;
  /** Reject when the connection stays idle (no bytes either way) this many ms. Default REQUEST_TIMEOUT_MS. */
  timeoutMs?: number;
  /**
   * 'pods': a read of a pod through the API server's pod proxy (canary analysis, drift), on its own
   * socket pool. A pod that does not answer holds its socket until timeoutMs, and dozens of those
   * must never queue the operator's own API requests (reconciles) behind them.
   */
  pool?: 'pods';
}

/** Called after every request with its outcome (HTTP code, or 0 for a network error). */
export type RequestObserver = (method: Method, path: string, code: number) => void;

export interface WatchStream {
  /** Resolves when the server ends the stream; rejects on a network or HTTP error. */
  done: Promise<void>;
  abort(): void;
}

/** The operations the operator needs; the real client and test fakes implement it. */
export interface Kube {
  request<T>(spec: RequestSpec): Promise<T>;
  watch(path: string, query: Query, onEvent: (event: unknown) => void): WatchStream;
}

export const PatchType = {
  apply: 'application/apply-patch+yaml',
  merge: 'application/merge-patch+json',
} as const;

const REQUEST_TIMEOUT_MS = 30_000;

interface StatusBody {
  reason?: string;
  message?: string;
}

function apiError(code: number, text: string, retryAfter: string | undefined): ApiError {
  let body: StatusBody = {};
  try {
    body = JSON.parse(text) as StatusBody;
  } catch {
    body = text.trim() === '' ? {} : { message: text.slice(0, 500) };
  }
  const seconds = retryAfter === undefined ? undefined : Number(retryAfter);
  // A body without a message (a pod's own error JSON through the proxy) is the message itself.
  const message = body.message ?? (text.trim() === '' ? `HTTP ${code}` : text.slice(0, 500));
  return new ApiError(code, body.reason ?? http.STATUS_CODES[code] ?? 'Unknown', message, Number.isFinite(seconds) ? seconds : undefined);
}

export class KubeClient implements Kube {
  private constructor(
    private readonly credentials: Credentials,
    private readonly server: URL,
    private readonly agents: { requests: http.Agent; watches: http.Agent; pods: http.Agent },
    private readonly observe: RequestObserver,
  ) {}

  /**
   * A client for the given credentials: one keep-alive agent for requests (at most 32 sockets),
   * another without a socket limit for watches. A watch holds its socket for minutes, so watches
   * sharing the capped pool would leave requests queued behind them once there are 32 of them
   * (8 per watched namespace, plus one per ConfigMap a RiskModel names).
   */
  static create(credentials: Credentials, observe: RequestObserver = () => undefined): KubeClient {
    const server = new URL(credentials.server);
    const agentOf = (maxSockets: number): http.Agent =>
      server.protocol === 'https:' ? new https.Agent({ keepAlive: true, maxSockets, ...credentials.tls }) : new http.Agent({ keepAlive: true, maxSockets });
    return new KubeClient(credentials, server, { requests: agentOf(32), watches: agentOf(Infinity), pods: agentOf(16) }, observe);
  }

  /** The API server's URL (for logs). */
  get serverUrl(): string {
    return this.server.toString();
  }

  /**
   * Sends one request and parses the JSON answer (or, with responseType 'text', resolves the
   * body as a string); throws ApiError for any non-2xx status, an Error on a network failure,
   * a timeout or a body over maxResponseBytes.
   */
  async request<T>(spec: RequestSpec): Promise<T> {
    const payload = spec.body === undefined ? undefined : Buffer.from(JSON.stringify(spec.body));
    const accept = spec.responseType === 'text' ? 'text/plain, */*;q=0.5' : 'application/json';
    const headers: http.OutgoingHttpHeaders = { ...spec.headers, ...(await this.headers()), Accept: accept };
    if (payload) Object.assign(headers, { 'Content-Type': spec.contentType ?? 'application/json', 'Content-Length': payload.length });
    try {
      const { code, text, retryAfter } = await this.send(spec, this.url(spec.path, spec.query), headers, payload);
      this.observe(spec.method, spec.path, code);
      if (code >= 400) throw apiError(code, text, retryAfter);
      if (spec.responseType === 'text') return text as T;
      return (text === '' ? {} : JSON.parse(text)) as T;
    } catch (err) {
      if (!(err instanceof ApiError)) this.observe(spec.method, spec.path, 0);
      throw err;
    }
  }

  /** Opens a watch; each JSON line goes to `onEvent`. Abort to end it. */
  watch(path: string, query: Query, onEvent: (event: unknown) => void): WatchStream {
    const controller = new AbortController();
    const done = this.headers().then(
      (auth) =>
        new Promise<void>((resolve, reject) => {
          const req = this.transport().request(this.url(path, { ...query, watch: true }), { method: 'GET', agent: this.agents.watches, headers: { ...auth, Accept: 'application/json' }, signal: controller.signal }, (res) => {
            if ((res.statusCode ?? 0) >= 400) {
              collect(res).then((text) => reject(apiError(res.statusCode ?? 0, text, undefined)), reject);
              return;
            }
            const split = lineSplitter(onEvent);
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => {
              try {
                split(chunk);
              } catch (err) {
                const error = err instanceof Error ? err : new Error(String(err));
                res.destroy(error);
                reject(error);
              }
            });
            res.on('end', () => resolve());
            res.on('error', reject);
          });
          req.on('error', reject);
          req.end();
        }),
    );
    return { done, abort: () => controller.abort() };
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    this.agents.requests.destroy();
    this.agents.watches.destroy();
    this.agents.pods.destroy();
  }

  private transport(): typeof https | typeof http {
    return this.server.protocol === 'https:' ? https : http;
  }

  private url(path: string, query: Query | undefined): URL {
    const prefix = this.server.pathname.replace(/\/$/, '');
    const url = new URL(prefix + path, this.server.origin);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }

  private headers(): Promise<Record<string, string>> {
    return this.credentials.headers();
  }

  private send(spec: RequestSpec, url: URL, headers: http.OutgoingHttpHeaders, payload: Buffer | undefined): Promise<{ code: number; text: string; retryAfter: string | undefined }> {
    const { method } = spec;
    const timeout = spec.timeoutMs ?? REQUEST_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      const agent = spec.pool === 'pods' ? this.agents.pods : this.agents.requests;
      const req = this.transport().request(url, { method, agent, headers, timeout }, (res) => {
        collect(res, spec.maxResponseBytes).then((text) => {
          const retryAfter: string | undefined = res.headers['retry-after'];
          resolve({ code: res.statusCode ?? 0, text, retryAfter });
        }, reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${url.pathname} timed out after ${timeout} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }
}

/** Feeds newline-delimited JSON to `onEvent`; throws on a line that is not JSON. */
function lineSplitter(onEvent: (event: unknown) => void): (chunk: string) => void {
  let buffer = '';
  return (chunk) => {
    buffer += chunk;
    let newline = buffer.indexOf('\n');
    while (newline >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (line !== '') onEvent(JSON.parse(line));
      newline = buffer.indexOf('\n');
    }
  };
}

/** The body as UTF-8; rejects (and destroys the response) once it exceeds `maxBytes`. */
function collect(res: http.IncomingMessage, maxBytes = Infinity): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    res.on('data', (c: Buffer) => {
      bytes += c.length;
      if (bytes > maxBytes) {
        res.destroy();
        reject(new Error(`response body larger than ${maxBytes} bytes`));
        return;
      }
      chunks.push(c);
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}
