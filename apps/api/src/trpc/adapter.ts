/** Mounts the tRPC router on Hono at `/trpc`, resolving the bearer token into the context's actor. */
import { trpcServer } from '@hono/trpc-server';
import type { Context } from 'hono';
import { authenticateToken } from '../auth/authenticate';
import type { AppDeps, AppEnv } from '../context';
import { trpcRouteLabel } from '../observability/route-label';
import { appRouter } from './root';
import { createContextInner } from './trpc';

/** Every procedure path (`orders.pay`), to keep unknown names out of the metrics' labels. */
const PROCEDURES = new Set(Object.keys(appRouter._def.procedures));
const isProcedure = (path: string) => PROCEDURES.has(path);

export function trpcMiddleware(deps: AppDeps) {
  return trpcServer({
    router: appRouter,
    endpoint: '/trpc',
    // One request cannot carry an unbounded number of calls (a batch of 250 creates, issue 12).
    maxBatchSize: deps.config.trpcMaxBatchSize,
    createContext: async (opts, c) => {
      const ctx = c as Context<AppEnv>;
      ctx.set(
        'routeLabel',
        trpcRouteLabel(
          opts.info.calls.map((call) => call.path),
          isProcedure,
        ),
      );
      const header = ctx.req.header('authorization');
      // A browser's native EventSource cannot send headers: subscriptions may carry the token in
      // httpSubscriptionLink's `connectionParams` instead (`{ token }`).
      const token =
        header?.match(/^Bearer\s+(\S+)$/i)?.[1] ??
        (typeof opts.info.connectionParams?.token === 'string'
          ? opts.info.connectionParams.token
          : undefined);
      const auth = token ? await authenticateToken(deps, token) : null;
      return {
        ...createContextInner({
          deps: ctx.get('deps'),
          actor: auth?.ok ? auth.actor : null,
          ...(auth?.ok ? { tokenVersion: auth.tokenVersion } : {}),
          ...(auth && !auth.ok ? { authRefusal: auth.message } : {}),
          requestId: ctx.var.requestId,
          log: ctx.var.log,
          responseHeaders: opts.resHeaders,
        }),
      };
    },
  });
}
