/**
 * Composes the HTTP app from its parts. `createApp(deps)` builds a fresh app around injected
 * dependencies, so tests call `app.request()` against their own database with no port.
 */

import { DomainError } from '@quickeats/domain';
import { serverSpan, tracingActive } from '@quickeats/telemetry';
import { Hono } from 'hono';
import type { AppDeps, AppEnv } from './context';
import { graphqlRoutes } from './graphql';
import { bodyHygiene, bodySizeLimit } from './http/body-hygiene';
import { compression } from './http/compression';
import { requestDeadline } from './http/deadline';
import { allowedMethodsOf, methodNotAllowed } from './http/method-not-allowed';
import { problemResponse, toDomainError } from './http/problem';
import { requestContext } from './http/request-context';
import { securityHeaders } from './http/security-headers';
import { routeLabel } from './observability/route-label';
import { healthRoutes } from './routes/health.routes';
import { v2Routes } from './routes/v2.routes';
import { trpcMiddleware } from './trpc/adapter';
import { v1Routes } from './v1/v1.routes';

export function createApp(deps: AppDeps) {
  const app = new Hono<AppEnv>();

  // Outermost, so the access log line and everything after it belong to the request's span.
  if (tracingActive()) app.use(serverSpan(routeLabel));
  app.use(requestContext(deps));
  app.use(...securityHeaders());
  // While the process drains (SIGTERM), an answer also ends its connection: idle connections were
  // closed when draining began, and one that finishes its request now must not stay open for
  // HTTP_KEEP_ALIVE_TIMEOUT_MS and hold the shutdown until the drain timeout.
  app.use(async (c, next) => {
    await next();
    if (deps.draining?.()) c.res.headers.set('Connection', 'close');
  });
  app.use(compression());
  app.use(requestDeadline(deps.config.requestTimeoutMs));
  // Legacy v1, ahead of the body limit: it renders its own errors (413 included) as `{ error }`
  // with deprecation headers on every response.
  app.route('/api/v1', v1Routes(deps));
  app.use(bodySizeLimit(deps.config.bodyLimitBytes));

  // Before every reader of the body; text is checked here for REST v2 (tRPC and GraphQL name
  // their own fields: procedure input, resolver arguments).
  app.use(bodyHygiene({ restPath: (path) => path.startsWith('/api/v2/') }));

  app.route('/', healthRoutes(deps));
  app.route('/api/v2', v2Routes(deps));
  app.use('/trpc/*', trpcMiddleware(deps));
  app.route('/', graphqlRoutes(deps));

  const allowedAt = allowedMethodsOf(app.routes);
  app.notFound((c) => {
    const allow = allowedAt(c.req.path);
    if (allow.length > 0) return problemResponse(c, methodNotAllowed(c.req.method, c.req.path, allow));
    return problemResponse(c, new DomainError('NOT_FOUND', `No route for ${c.req.method} ${c.req.path}`));
  });
  app.onError((err, c) => {
    const { error, unexpected } = toDomainError(err);
    if (unexpected) (c.var.log ?? deps.logger).error({ err }, 'unhandled error');
    return problemResponse(c, error);
  });
  return app;
}

export type App = ReturnType<typeof createApp>;
