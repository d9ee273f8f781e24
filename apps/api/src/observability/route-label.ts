/**
 * The `route` label of the HTTP metrics and the name of the server span: a bounded set of values,
 * never a concrete path (an order id per series would exhaust Prometheus). REST answers with the
 * route template Hono matched; tRPC and GraphQL, which serve everything from one path, set a label
 * naming the procedure or the operation (`setRouteLabel`).
 */
import type { Context } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { AppEnv } from '../context';

/** For requests no handler matched (404s, refusals before routing): one label, not one per path. */
export const UNMATCHED_ROUTE = 'unmatched';

export function routeLabel(c: Context<AppEnv>): string {
  const explicit = c.get('routeLabel');
  if (explicit) return explicit;
  // Middleware registered with `use` matches as method ALL; the handler is the last of the rest.
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) {
    const route = routes[i]!;
    if (route.method !== 'ALL') return route.path;
  }
  return UNMATCHED_ROUTE;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** The `method` label: anything a client invents is `other`. */
export function methodLabel(method: string): string {
  return METHODS.has(method) ? method : 'other';
}

/** tRPC: `trpc orders.pay`; a batch of several procedures is `trpc batch`; unknown names `trpc unknown`. */
export function trpcRouteLabel(paths: readonly string[], known: (path: string) => boolean): string {
  if (paths.length !== 1) return 'trpc batch';
  const [path] = paths as [string];
  return `trpc ${known(path) ? path : 'unknown'}`;
}

const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** Operation names come from clients: the first this many distinct ones get their own series. */
export const MAX_GRAPHQL_OPERATION_NAMES = 100;

/** GraphQL: `graphql query OrderById`, `graphql mutation anonymous`; past the bound, `… other`. */
export function graphqlRouteLabeller(): (type: string, name: string | undefined) => string {
  const seen = new Set<string>();
  return (type, name) => {
    let label = name && OPERATION_NAME.test(name) ? name : 'anonymous';
    if (label !== 'anonymous' && !seen.has(label)) {
      if (seen.size >= MAX_GRAPHQL_OPERATION_NAMES) label = 'other';
      else seen.add(label);
    }
    return `graphql ${type} ${label}`;
  };
}
