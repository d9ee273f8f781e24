/**
 * Per-request plumbing: a request id (taken from `X-Request-Id` when sane, else generated) echoed
 * on the response, a child logger carrying it, the request's dependencies (`requestDeps`: its
 * statements counted in its own tally), one access-log line per request, the request's
 * duration and statement count in the metrics, and — when configured — the number of SQL
 * statements the request issued (`X-SQL-Statements`) and the round trips to the database they cost
 * (`X-DB-Round-Trips`: BEGIN/COMMIT included, and 2 for a parameterised statement its connection
 * had not prepared yet).
 */
import { randomUUID } from 'node:crypto';
import { newStatementTally, roundTripsOf } from '@quickeats/db';
import type { MiddlewareHandler } from 'hono';
import { type AppDeps, type AppEnv, requestDeps } from '../context';
import { methodLabel, routeLabel } from '../observability/route-label';

const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestContext(deps: AppDeps): MiddlewareHandler<AppEnv> {
  const { logger, metrics } = deps;
  const { exposeSqlStatements } = deps.config;
  return async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && SANE_ID.test(incoming) ? incoming : randomUUID();
    const log = logger.child({ requestId });
    c.set('requestId', requestId);
    c.set('log', log);
    const started = performance.now();
    const tally = newStatementTally();
    c.set('deps', requestDeps(deps, tally));
    await next();
    // On the response's own headers: `c.header()` after the handler rebuilds the response around
    // its body as a stream, which the Node adapter then writes chunk by chunk instead of at once.
    const headers = c.res.headers;
    headers.set('X-Request-Id', requestId);
    const roundTrips = roundTripsOf(tally);
    if (exposeSqlStatements) {
      headers.set('X-SQL-Statements', String(tally.count));
      headers.set('X-DB-Round-Trips', String(roundTrips));
    }
    const status = c.res.status;
    const durationSeconds = (performance.now() - started) / 1000;
    if (metrics.enabled) {
      const route = routeLabel(c);
      const method = methodLabel(c.req.method);
      metrics.observe('httpRequestDuration', { method, route, status: String(status) }, durationSeconds);
      metrics.observe('dbStatementsPerRequest', { method, route }, tally.count);
      metrics.observe('dbRoundTripsPerRequest', { method, route }, roundTrips);
    }
    log[status >= 500 ? 'error' : 'info'](
      {
        method: c.req.method,
        path: c.req.path,
        status,
        durationMs: Math.round(durationSeconds * 10_000) / 10,
        sqlStatements: tally.count,
        dbRoundTrips: roundTrips,
        userId: c.var.actor?.userId,
      },
      'request',
    );
  };
}
