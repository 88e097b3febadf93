// What the scripts need to turn a failed Kubernetes API call into a sentence: whether it never
// reached the server, the server's own message, and a bound on how long a call may take.

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EAI_AGAIN', 'EPIPE']);

/** True when `err` is a connection-level failure (no HTTP answer), such as a refused connection. */
export function isNetworkError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && NETWORK_CODES.has(code);
}

/** The HTTP status of an API error (client-node's ApiException), or `undefined` for any other error. */
export function statusCodeOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/**
 * The message of the Status object an API server error carries (`body` as text or parsed),
 * or the first 200 characters of a non-JSON body such as a proxy's; `undefined` when empty.
 */
export function serverMessage(body: unknown): string | undefined {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return body.trim() === '' ? undefined : body.trim().slice(0, 200);
    }
  }
  const message = (parsed as { message?: unknown } | null)?.message;
  return typeof message === 'string' && message !== '' ? message : undefined;
}

// Some refusals quote the whole object before the reason (strict decoding errors do): keep the reason.
function shortened(message: string | undefined): string | undefined {
  if (message === undefined) return undefined;
  const strict = message.indexOf('strict decoding error:');
  const reason = strict === -1 ? message : message.slice(strict);
  return reason.length > 300 ? `${reason.slice(0, 299)}…` : reason;
}

/** The rejection of withTimeout when the promise did not settle in time. */
export class TimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

/** Settles like `promise`, or rejects with a TimeoutError after `ms`. Clears its timer either way. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new TimeoutError(ms)), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * One sentence for a failed API call, for any error the client can raise: `action` says what
 * was attempted ("read riskmodel/a in namespace b"), `server` is the kubeconfig's API server URL.
 */
export function describeApiError(err: unknown, action: string, server: string): string {
  const status = statusCodeOf(err);
  const message = shortened(serverMessage((err as { body?: unknown } | null)?.body));
  const detail = message === undefined ? '' : `: ${message}`;
  if (status === 401) return `the cluster refused our credentials (401 Unauthorized) to ${action}: check the user in your kubeconfig${detail}`;
  if (status === 403) return `not allowed to ${action} (403 Forbidden)${detail}`;
  if (status !== undefined) return `cannot ${action}: the API server answered ${status}${detail}`;
  if (isNetworkError(err)) return `cannot reach the cluster at ${server} (${String((err as { code: unknown }).code)}): is it running, and is KUBECONFIG pointing at it?`;
  if (err instanceof TimeoutError) return `cannot ${action}: the API server at ${server} did not answer within ${err.ms / 1000} s`;
  return `cannot ${action} at ${server}: ${err instanceof Error ? err.message : String(err)}`;
}
