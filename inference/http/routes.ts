// The API's routes and methods in one table: 405 answers, the OpenAPI document and its
// test all read it.

export const ROUTES: Readonly<Record<string, readonly string[]>> = {
  '/': ['GET'],
  '/predict': ['POST'],
  '/predict/batch': ['POST'],
  '/healthz': ['GET'],
  '/readyz': ['GET'],
  '/stats': ['GET'],
  '/metrics': ['GET'],
  '/model': ['GET'],
  '/examples': ['GET'],
  '/openapi.json': ['GET'],
};

/** Methods accepted on `path` (GET implies HEAD), or undefined for an unknown path. */
export function allowedMethods(path: string): string[] | undefined {
  const methods = ROUTES[path];
  if (!methods) return undefined;
  return methods.includes('GET') ? [...methods, 'HEAD'] : [...methods];
}
