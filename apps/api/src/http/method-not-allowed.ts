/**
 * 405 + `Allow` (RFC 9110 §15.5.6): a request whose path names a resource this app serves, with a
 * method it does not serve there. Derived from the app's own route table when the request found no
 * handler, so every route (added later too) gets it without a list kept by hand.
 */
import { DomainError } from '@quickeats/domain';

interface RouteLike {
  method: string;
  path: string;
}

/** `/api/v2/orders/:id/pay` → a regex for concrete paths; null for middleware-style wildcards. */
function pathPattern(path: string): RegExp | null {
  if (path.includes('*')) return null;
  const source = path
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}/?$`);
}

/** Builds the lookup once per app: the methods served at a path (with HEAD wherever GET is). */
export function allowedMethodsOf(routes: readonly RouteLike[]): (path: string) => string[] {
  let table: { pattern: RegExp; method: string }[] | undefined;
  return (path) => {
    // Lazily: the route table is complete only once the app has been composed.
    table ??= routes
      .filter((r) => r.method !== 'ALL')
      .flatMap((r) => {
        const pattern = pathPattern(r.path);
        return pattern ? [{ pattern, method: r.method.toUpperCase() }] : [];
      });
    const methods = new Set(table.filter((r) => r.pattern.test(path)).map((r) => r.method));
    if (methods.has('GET')) methods.add('HEAD'); // Hono answers HEAD from the GET handler
    return [...methods].sort();
  };
}

export function methodNotAllowed(method: string, path: string, allow: string[]): DomainError {
  return new DomainError(
    'METHOD_NOT_ALLOWED',
    `${method} is not supported on ${path}; use ${allow.join(', ')}`,
    {
      allow,
    },
  );
}
