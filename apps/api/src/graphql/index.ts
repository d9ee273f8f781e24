/**
 * `/graphql` (graphql-yoga on Hono): authenticated by the same bearer token as REST and tRPC.
 * A request without a valid token executes nothing: 401 with a GraphQL error whose
 * `extensions.code` is the catalogue's `UNAUTHENTICATED`. Domain errors keep their stable `code`;
 * anything else is masked (no stack traces, no SQL).
 */
import { DomainError, ERROR_CODES } from '@quickeats/domain';
import { GraphQLError } from 'graphql';
import { createYoga, maskError as yogaMaskError } from 'graphql-yoga';
import { Hono } from 'hono';
import { verifyAccessToken } from '../auth/token';
import type { AppDeps, AppEnv } from '../context';
import { createLoaders } from './loaders';
import { type GraphQLContext, type ServerContext, schema } from './schema';

function unauthenticated(detail: string): GraphQLError {
  return new GraphQLError(detail, {
    extensions: {
      code: 'UNAUTHENTICATED',
      http: { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="quickeats"' } },
    },
  });
}

export function graphqlRoutes(deps: AppDeps) {
  const yoga = createYoga<ServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    // The interactive GraphiQL page is a development aid; it executes nothing without a token.
    graphiql: deps.config.env !== 'production',
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
        const original = error instanceof GraphQLError ? error.originalError : error;
        if (original instanceof DomainError) {
          return new GraphQLError(original.message, {
            ...(error instanceof GraphQLError ? { nodes: error.nodes, path: error.path } : {}),
            extensions: {
              code: original.code,
              status: ERROR_CODES[original.code].status,
              ...original.extras,
            },
          });
        }
        if (original instanceof GraphQLError) return original;
        deps.logger.error({ err: original }, 'unhandled GraphQL error');
        return yogaMaskError(error, message, isDev);
      },
    },
  });

  const app = new Hono<AppEnv>();
  app.on(['GET', 'POST'], '/graphql', (c) =>
    yoga.fetch(c.req.raw, { deps, authorization: c.req.header('authorization') }),
  );
  return app;
}
