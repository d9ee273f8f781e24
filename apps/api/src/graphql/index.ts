/**
 * `/graphql` (graphql-yoga on Hono): authenticated by the same bearer token as REST and tRPC, before
 * yoga parses anything — a request without a valid token costs one header check: 401 with a GraphQL
 * error whose `extensions.code` is the catalogue's `UNAUTHENTICATED`. Operations are bounded before
 * they execute (`limits.ts`). Domain errors keep their stable `code`; anything else is masked (no
 * stack traces, no SQL) and logged once per request: how many, and the first.
 */

import { EnvelopArmor } from '@escape.tech/graphql-armor';
import { DomainError, ERROR_CODES } from '@quickeats/domain';
import type { ExecutionResult } from 'graphql';
import { getOperationAST } from 'graphql';
import { createGraphQLError, createYoga, type Plugin, maskError as yogaMaskError } from 'graphql-yoga';
import { Hono } from 'hono';
import { authenticateToken } from '../auth/authenticate';
import type { AppDeps, AppEnv } from '../context';
import { dependencyUnavailable, isDependencyFailure, OUTAGE_RETRY_AFTER_SECONDS } from '../http/outage';
import { graphqlRouteLabeller } from '../observability/route-label';
import { costLimitRule, noIntrospectionRule } from './cost';
import { GRAPHQL_LIMITS } from './limits';
import { createLoaders } from './loaders';
import { type GraphQLContext, type ServerContext, schema } from './schema';

const UNAUTHENTICATED_HEADERS = {
  'Content-Type': 'application/graphql-response+json; charset=utf-8',
  'WWW-Authenticate': 'Bearer realm="quickeats"',
};

/** The 401 answered before yoga runs: the GraphQL-over-HTTP error shape, nothing executed. */
function unauthenticated(detail: string): Response {
  const body = { errors: [{ message: detail, extensions: { code: 'UNAUTHENTICATED' } }] };
  return new Response(JSON.stringify(body), { status: 401, headers: UNAUTHENTICATED_HEADERS });
}

interface GraphQLErrorLike extends Error {
  originalError?: unknown;
  nodes?: readonly never[];
  path?: readonly (string | number)[];
  extensions?: Record<string, unknown>;
}

/**
 * Errors are made with yoga's `createGraphQLError` and recognised structurally, never with
 * `instanceof GraphQLError`: `graphql` ships both ESM and CJS builds, and a bundler-resolved copy
 * (ours) and a Node-resolved copy (yoga's) are different classes — the dual-package hazard.
 */
function isGraphQLErrorLike(error: unknown): error is GraphQLErrorLike {
  return error instanceof Error && error.name === 'GraphQLError';
}

function isOutage(error: unknown): boolean {
  const e = error as GraphQLErrorLike;
  return e.extensions?.code === 'SERVICE_UNAVAILABLE' || isDependencyFailure(e.originalError);
}

/**
 * An outage answers HTTP 503 with Retry-After when nothing could be answered (no field resolved);
 * a partial answer stays 200 with its errors, as GraphQL clients expect.
 */
function outageStatus(): Plugin {
  return {
    onExecutionResult({ result, setResult }) {
      if (!result || Symbol.asyncIterator in result) return;
      const single = result as ExecutionResult;
      const nothing = single.data == null || Object.values(single.data).every((v) => v === null);
      if (nothing && single.errors?.some(isOutage)) {
        setResult({
          ...single,
          extensions: {
            ...single.extensions,
            http: { status: 503, headers: { 'Retry-After': String(OUTAGE_RETRY_AFTER_SECONDS) } },
          },
        });
      }
    },
  };
}

/** An error we did not raise on purpose: what masking hides and the log reports. */
function unexpectedCause(error: unknown): unknown {
  const original = isGraphQLErrorLike(error) ? error.originalError : error;
  if (original === undefined || original === null) return undefined;
  if (original instanceof DomainError || isGraphQLErrorLike(original)) return undefined;
  return original;
}

/**
 * One log line per request with unexpected errors — their count and the first — instead of one per
 * failed field of every row (a bad query used to write 10,000 lines). Runs before yoga masks them.
 */
function logUnexpectedErrorsOnce(deps: AppDeps): Plugin<GraphQLContext> {
  return {
    onExecute: () => ({
      onExecuteDone: ({ result, args }) => {
        if (!('errors' in result) || !result.errors) return;
        const causes = result.errors.map(unexpectedCause).filter((c) => c !== undefined);
        if (causes.length === 0) return;
        const log = (args.contextValue as Partial<GraphQLContext>).log ?? deps.logger;
        log.error({ err: causes[0], errorCount: causes.length }, 'unhandled GraphQL errors');
      },
    }),
  };
}

/**
 * Extra validation rules: the cost bound, and no introspection in production. A document that
 * failed parsing or validation (a bound included) never executed: it is a 400 for every client —
 * yoga answers `application/json` clients a 200 for those (GraphQL over HTTP, legacy media type).
 */
function validationRules(production: boolean): Plugin {
  return {
    onValidate: ({ addValidationRule }) => {
      addValidationRule(costLimitRule(GRAPHQL_LIMITS.maxCost) as never);
      if (production) addValidationRule(noIntrospectionRule as never);
    },
    onResultProcess: ({ result, setResult }) => {
      // No `data`: the request failed before execution. Refusals carry their own status (401);
      // the rest — parse and validation errors, armor's included (they come without one) — are a 400.
      if (Array.isArray(result) || 'data' in (result as object)) return;
      const errors = (result as { errors?: readonly GraphQLErrorLike[] }).errors;
      const isRefusal = (e: GraphQLErrorLike) => {
        const http = e.extensions?.http as { status?: number; spec?: boolean } | undefined;
        return e.extensions?.code !== 'INTERNAL_SERVER_ERROR' && (!http?.status || http.spec === true);
      };
      if (!errors?.some(isRefusal)) return;
      setResult({
        ...(result as object),
        errors: errors.map((e) =>
          isRefusal(e)
            ? createGraphQLError(e.message, {
                nodes: e.nodes ?? null,
                positions: (e as { positions?: readonly number[] }).positions,
                extensions: {
                  code: 'GRAPHQL_VALIDATION_FAILED',
                  ...e.extensions,
                  http: { status: 400 },
                },
              })
            : e,
        ),
      } as never);
    },
  };
}

export function graphqlRoutes(deps: AppDeps) {
  const production = deps.config.env === 'production';
  const armor = new EnvelopArmor({
    maxTokens: { n: GRAPHQL_LIMITS.maxTokens },
    maxDepth: { n: GRAPHQL_LIMITS.maxDepth, ignoreIntrospection: !production },
    maxAliases: { n: GRAPHQL_LIMITS.maxAliases },
    maxDirectives: { n: GRAPHQL_LIMITS.maxDirectives },
    // Our cost rule prices pages by `first`; armor's counts every field the same.
    costLimit: { enabled: false },
    // "Did you mean …?" names fields an attacker did not know: a development aid only.
    blockFieldSuggestion: { enabled: production },
  });
  const label = graphqlRouteLabeller();
  const yoga = createYoga<ServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    // The interactive GraphiQL page is a development aid; it executes nothing without a token.
    graphiql: !production,
    // GraphiQL from this server (the inlined, pinned bundle of @graphql-yoga/render-graphiql), not
    // Yoga's default CDN page, so it works offline; loaded only when someone opens it.
    renderGraphiQL: async (options) =>
      (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(options),
    landingPage: false,
    logging: false,
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
      outageStatus(),
      ...armor.protect().plugins,
      validationRules(production),
      logUnexpectedErrorsOnce(deps),
    ],
    context: ({ deps, actor, log }) => {
      if (!actor)
        throw createGraphQLError('Authentication required', {
          extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
        });
      return { deps, actor, log, loaders: createLoaders(deps.db) };
    },
    maskedErrors: {
      maskError: (error, message, isDev) => {
        const wrapped = isGraphQLErrorLike(error) ? error : undefined;
        const thrown = wrapped ? wrapped.originalError : error;
        const original = dependencyUnavailable(thrown) ?? thrown;
        if (original instanceof DomainError) {
          const status = ERROR_CODES[original.code].status;
          return createGraphQLError(original.message, {
            ...(wrapped ? { nodes: wrapped.nodes, path: wrapped.path } : {}),
            extensions: {
              code: original.code,
              status,
              ...original.extras,
            },
          });
        }
        // Errors raised on purpose and GraphQL's own (syntax, validation, limits) pass through.
        if (wrapped && (original === undefined || original === null)) return wrapped;
        if (isGraphQLErrorLike(original)) return original;
        // Logged once per request by logUnexpectedErrorsOnce; never with the message in production.
        return yogaMaskError(error, message, isDev && !production);
      },
    },
  });

  const app = new Hono<AppEnv>();
  app.on(['GET', 'POST'], '/graphql', async (c) => {
    const authorization = c.req.header('authorization');
    // GraphiQL (a page, outside production) needs no token to load; it executes nothing without one.
    const wantsPage =
      c.req.method === 'GET' && !production && (c.req.header('accept') ?? '').includes('text/html');
    const nameOperation = (type: string, name: string | undefined) => c.set('routeLabel', label(type, name));
    if (!authorization && wantsPage)
      return yoga.fetch(c.req.raw, { deps: c.get('deps'), actor: undefined, log: c.var.log, nameOperation });
    const token = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
    if (!token) return unauthenticated('Missing Authorization header; send "Authorization: Bearer <token>"');
    const auth = await authenticateToken(deps, token);
    if (!auth.ok) return unauthenticated(auth.message);
    return yoga.fetch(c.req.raw, { deps: c.get('deps'), actor: auth.actor, log: c.var.log, nameOperation });
  });
  return app;
}
