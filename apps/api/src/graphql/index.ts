/**
 * `/graphql` (graphql-yoga on Hono): authenticated by the same bearer token as REST and tRPC.
 * A request without a valid token executes nothing: 401 with a GraphQL error whose
 * `extensions.code` is the catalogue's `UNAUTHENTICATED`. Domain errors keep their stable `code`;
 * anything else is masked (no stack traces, no SQL).
 */
import { DomainError, ERROR_CODES } from '@quickeats/domain';
import { getOperationAST } from 'graphql';
import { createGraphQLError, createYoga, type Plugin, maskError as yogaMaskError } from 'graphql-yoga';
import { Hono } from 'hono';
import { verifyAccessToken } from '../auth/token';
import type { AppDeps, AppEnv } from '../context';
import { graphqlRouteLabeller } from '../observability/route-label';
import { createLoaders } from './loaders';
import { type GraphQLContext, type ServerContext, schema } from './schema';

/**
 * Errors are made with yoga's `createGraphQLError` and recognised structurally, never with
 * `instanceof GraphQLError`: `graphql` ships both ESM and CJS builds, and a bundler-resolved copy
 * (ours) and a Node-resolved copy (yoga's) are different classes — the dual-package hazard.
 */
function unauthenticated(detail: string) {
  return createGraphQLError(detail, {
    extensions: {
      code: 'UNAUTHENTICATED',
      http: { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="quickeats"' } },
    },
  });
}

interface GraphQLErrorLike extends Error {
  originalError?: unknown;
  nodes?: readonly never[];
  path?: readonly (string | number)[];
  extensions?: Record<string, unknown>;
}

function isGraphQLErrorLike(error: unknown): error is GraphQLErrorLike {
  return error instanceof Error && error.name === 'GraphQLError';
}

export function graphqlRoutes(deps: AppDeps) {
  const label = graphqlRouteLabeller();
  const yoga = createYoga<ServerContext, GraphQLContext>({
    schema,
    plugins: [
      {
        onExecute({ args }: Parameters<NonNullable<Plugin['onExecute']>>[0]) {
          const operation = getOperationAST(args.document, args.operationName);
          (args.contextValue as unknown as ServerContext).nameOperation?.(
            operation?.operation ?? 'query',
            operation?.name?.value,
          );
        },
      },
    ],
    graphqlEndpoint: '/graphql',
    // The interactive GraphiQL page is a development aid; it executes nothing without a token.
    graphiql: deps.config.env !== 'production',
    // GraphiQL from this server (the inlined, pinned bundle of @graphql-yoga/render-graphiql), not
    // Yoga's default CDN page, so it works offline; loaded only when someone opens it.
    renderGraphiQL: async (options) =>
      (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(options),
    landingPage: false,
    logging: false,
    context: async ({ deps, authorization }) => {
      const token = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
      if (!token) throw unauthenticated('Missing Authorization header; send "Authorization: Bearer <token>"');
      const actor = await verifyAccessToken(token, deps.config.auth.tokenSecret);
      if (!actor) throw unauthenticated('The access token is invalid or has expired');
      return { deps, actor, loaders: createLoaders(deps.db) };
    },
    maskedErrors: {
      maskError: (error, message, isDev) => {
        const wrapped = isGraphQLErrorLike(error) ? error : undefined;
        const original = wrapped ? wrapped.originalError : error;
        if (original instanceof DomainError) {
          return createGraphQLError(original.message, {
            ...(wrapped ? { nodes: wrapped.nodes, path: wrapped.path } : {}),
            extensions: {
              code: original.code,
              status: ERROR_CODES[original.code].status,
              ...original.extras,
            },
          });
        }
        // Errors raised on purpose (the 401) and GraphQL's own (syntax, validation) pass through.
        if (wrapped && (original === undefined || original === null)) return wrapped;
        if (isGraphQLErrorLike(original)) return original;
        deps.logger.error({ err: original }, 'unhandled GraphQL error');
        return yogaMaskError(error, message, isDev);
      },
    },
  });

  const app = new Hono<AppEnv>();
  app.on(['GET', 'POST'], '/graphql', (c) =>
    yoga.fetch(c.req.raw, {
      deps,
      authorization: c.req.header('authorization'),
      nameOperation: (type, name) => c.set('routeLabel', label(type, name)),
    }),
  );
  return app;
}
