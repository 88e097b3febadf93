// The API's routes and methods in one table: both server paths dispatch through
// matchRoute, 405 answers, metrics labels, the OpenAPI document and its test all read it.
// Paths are OpenAPI templates; `{name}` matches one path segment.

export const ROUTES: Readonly<Record<string, readonly string[]>> = {
  '/': ['GET'],
  '/predict': ['POST'],
  '/predict/batch': ['POST'],
  '/healthz': ['GET'],
  '/readyz': ['GET'],
  '/stats': ['GET'],
  '/metrics': ['GET'],
  '/model': ['GET'],
  '/drift': ['GET'],
  '/examples': ['GET'],
  '/openapi.json': ['GET'],
  '/v2': ['GET'],
  '/v2/health/live': ['GET'],
  '/v2/health/ready': ['GET'],
  '/v2/models/{name}': ['GET'],
  '/v2/models/{name}/versions/{version}': ['GET'],
  '/v2/models/{name}/ready': ['GET'],
  '/v2/models/{name}/versions/{version}/ready': ['GET'],
  '/v2/models/{name}/infer': ['POST'],
  '/v2/models/{name}/versions/{version}/infer': ['POST'],
};

/**
 * Routes whose requests are not load: the probes and the metrics scrape. The in-flight gauge
 * leaves them out (http_requests_total still counts them, under their own route label).
 */
const NOT_LOAD = new Set(['/healthz', '/readyz', '/metrics', '/v2/health/live', '/v2/health/ready', '/v2/models/{name}/ready', '/v2/models/{name}/versions/{version}/ready']);

/** Whether a request to `route` (a ROUTES template, or undefined for none) counts as load. */
export function countsAsLoad(route: string | undefined): boolean {
  return route === undefined || !NOT_LOAD.has(route);
}

export interface RouteMatch {
  /** The route's template, e.g. "/v2/models/{name}"; also its metrics label. */
  route: string;
  /** Decoded path parameters. */
  params: Record<string, string>;
}

interface Pattern {
  route: string;
  regex: RegExp;
  names: string[];
}

const EXACT = new Set(Object.keys(ROUTES).filter((p) => !p.includes('{')));
const PATTERNS: Pattern[] = Object.keys(ROUTES)
  .filter((p) => p.includes('{'))
  .map((route) => {
    const names: string[] = [];
    const source = route.replace(/[.]/g, '\\.').replace(/\{(\w+)\}/g, (_, name: string) => (names.push(name), '([^/]+)'));
    return { route, regex: new RegExp(`^${source}$`), names };
  });

/**
 * The path a route is looked up by: without the query string and one trailing slash, so
 * `/predict`, `/predict/` and `/predict?x=1` are one route. Case is kept (`/PREDICT` is 404).
 */
export function routePath(url: string): string {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

function decoded(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

function matchPattern(path: string, pattern: Pattern): RouteMatch | undefined {
  const m = pattern.regex.exec(path);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.names.length; i++) {
    const value = decoded(m[i + 1] ?? '');
    if (value === undefined) return undefined;
    params[pattern.names[i] as string] = value;
  }
  return { route: pattern.route, params };
}

/** The route a request URL (path and query) belongs to, or undefined. */
export function matchRoute(url: string): RouteMatch | undefined {
  const path = routePath(url);
  if (EXACT.has(path)) return { route: path, params: {} };
  for (const pattern of PATTERNS) {
    const match = matchPattern(path, pattern);
    if (match) return match;
  }
  return undefined;
}

/** Methods accepted on `route` (GET implies HEAD), or undefined for an unknown route. */
export function allowedMethods(route: string): string[] | undefined {
  const methods = ROUTES[route];
  if (!methods) return undefined;
  return methods.includes('GET') ? [...methods, 'HEAD'] : [...methods];
}

/** The express path for a route template: `{name}` becomes `:name`. */
export function expressPath(route: string): string {
  return route.replace(/\{(\w+)\}/g, ':$1');
}
